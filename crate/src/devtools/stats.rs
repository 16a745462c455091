//! Statistics of the studies: rank correlations, bootstrap intervals, percentiles.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

/// Kendall's τ-b (ties in either list are discounted).
pub fn kendall_tau(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (mut concordant, mut ties_a, mut ties_b) = (0i64, 0i64, 0i64);
    let mut pairs = 0i64;
    for i in 0..n {
        for j in i + 1..n {
            // `f64::signum` maps 0 to 1, so compare instead.
            let sign = |x: f64, y: f64| (x > y) as i64 - (x < y) as i64;
            let (da, db) = (sign(a[i], a[j]), sign(b[i], b[j]));
            pairs += 1;
            ties_a += (da == 0) as i64;
            ties_b += (db == 0) as i64;
            concordant += da * db;
        }
    }
    let denom = (((pairs - ties_a) * (pairs - ties_b)) as f64).sqrt();
    if denom == 0.0 {
        0.0
    } else {
        concordant as f64 / denom
    }
}

fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&i, &j| v[i].total_cmp(&v[j]));
    let mut r = vec![0.0; v.len()];
    let mut k = 0;
    while k < idx.len() {
        let mut end = k;
        while end + 1 < idx.len() && v[idx[end + 1]] == v[idx[k]] {
            end += 1;
        }
        let mean_rank = (k + end) as f64 / 2.0;
        for &i in &idx[k..=end] {
            r[i] = mean_rank;
        }
        k = end + 1;
    }
    r
}

/// Spearman's ρ (Pearson correlation of the ranks, ties averaged).
pub fn spearman_rho(a: &[f64], b: &[f64]) -> f64 {
    let (ra, rb) = (ranks(a), ranks(b));
    let n = ra.len() as f64;
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = ra.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = rb.iter().map(|y| (y - mb).powi(2)).sum();
    if va == 0.0 || vb == 0.0 {
        0.0
    } else {
        cov / (va * vb).sqrt()
    }
}

/// A statistic with a 95 % percentile-bootstrap interval.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

pub fn bootstrap(a: &[f64], b: &[f64], stat: fn(&[f64], &[f64]) -> f64, resamples: usize, seed: u64) -> Estimate {
    let mut rng = StdRng::seed_from_u64(seed);
    let n = a.len();
    let mut values: Vec<f64> = (0..resamples.max(1))
        .map(|_| {
            let idx: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
            let (x, y): (Vec<f64>, Vec<f64>) = idx.iter().map(|&i| (a[i], b[i])).unzip();
            stat(&x, &y)
        })
        .collect();
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    Estimate {
        value: stat(a, b),
        low: at(0.025),
        high: at(0.975),
    }
}

/// The value below which a fraction `q` of `values` lies (nearest rank).
pub fn percentile(values: &[f64], q: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v[((v.len().max(1) - 1) as f64 * q).round() as usize]
}

/// The mean of `v` (0 for none).
pub fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_correlations_of_known_cases() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(kendall_tau(&a, &a), 1.0);
        assert_eq!(spearman_rho(&a, &[5.0, 4.0, 3.0, 2.0, 1.0]), -1.0);
        // scipy.stats.kendalltau([1,2,3,4,5],[1,3,2,5,4]) = 0.6; spearmanr = 0.8
        assert!((kendall_tau(&a, &[1.0, 3.0, 2.0, 5.0, 4.0]) - 0.6).abs() < 1e-12);
        assert!((spearman_rho(&a, &[1.0, 3.0, 2.0, 5.0, 4.0]) - 0.8).abs() < 1e-12);
        // With ties: scipy.stats.kendalltau([1,1,2,3],[1,2,2,3]) = 0.8
        assert!((kendall_tau(&[1.0, 1.0, 2.0, 3.0], &[1.0, 2.0, 2.0, 3.0]) - 0.8).abs() < 1e-12);
        let e = bootstrap(&a, &[1.0, 3.0, 2.0, 5.0, 4.0], spearman_rho, 200, 1);
        assert!(e.low <= e.value && e.value <= e.high);
    }
}
