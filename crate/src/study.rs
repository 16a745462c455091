//! The fidelity study: how well does the proxy's RMI rank NAS-Bench-201 cells by their true
//! accuracy? Rank correlations with bootstrap confidence intervals.

use crate::cost::CostTable;
use crate::evolve::{self, Evaluator, EvolutionConfig, Search, Trial};
use crate::fitness::Fitness;
use crate::space::{Arch, Space};
use candle_core::{bail, Result};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;

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
    let mut values: Vec<f64> = (0..resamples)
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

/// Remembers every score of an evaluator whose score depends on the trial alone (one search seed
/// for the whole study), so the many searches of the constrained-search study never train a cell's
/// initialisation twice.
pub struct Memo<'a> {
    inner: &'a mut dyn Evaluator,
    scores: HashMap<Trial, f64>,
}

impl<'a> Memo<'a> {
    pub fn new(inner: &'a mut dyn Evaluator) -> Self {
        Self {
            inner,
            scores: HashMap::new(),
        }
    }

    /// Trainings run so far.
    pub fn trained(&self) -> usize {
        self.scores.len()
    }

    /// The score of a trial, if it was trained.
    pub fn known(&self, trial: &Trial) -> Option<f64> {
        self.scores.get(trial).copied()
    }
}

impl Evaluator for Memo<'_> {
    fn evaluate(&mut self, trial: &Trial) -> Result<f64> {
        if let Some(&rmi) = self.scores.get(trial) {
            return Ok(rmi);
        }
        let rmi = self.inner.evaluate(trial)?;
        self.scores.insert(trial.clone(), rmi);
        Ok(rmi)
    }
}

/// The NB201 cell a strategy settled on, with its true accuracy and cost.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Pick {
    pub index: usize,
    pub accuracy: f64,
    pub cost: f64,
}

/// One constrained search against the table's best and against random search.
#[derive(Clone, Debug, Serialize)]
pub struct ConstrainedRun {
    pub threshold: f64,
    pub seed: u64,
    /// Distinct cells the evolutionary search scored (random search gets as many).
    pub evaluations: usize,
    /// Trainings in all, the confirmation round's included (random search gets as many).
    pub trials: usize,
    /// The best feasible cell in the whole table, by true accuracy.
    pub best_feasible: Pick,
    /// The evolutionary search's best feasible candidate after its confirmation round, if any.
    pub evolution: Option<Pick>,
    /// What it would have picked by the first initialisation's scores alone.
    pub evolution_single: Option<Pick>,
    /// Random search's best feasible candidate among as many uniform samples, after the same
    /// confirmation round.
    pub random: Option<Pick>,
    /// What random search would have picked by the first initialisation's scores alone.
    pub random_single: Option<Pick>,
}

/// Runs the evolutionary search for one threshold and seed, then random search with the same number
/// of evaluations and the same confirmation round, and compares both with the best feasible cell of
/// the table. `accuracy[i]` is the true accuracy of NB201 cell i; `table` gives every cell's cost;
/// `fitness` is the search's (its threshold is the budget).
pub fn constrained_search(
    table: &CostTable,
    accuracy: &[f32],
    fitness: Fitness,
    config: EvolutionConfig,
    evaluator: &mut Memo,
) -> Result<ConstrainedRun> {
    let threshold = fitness.threshold;
    let costs = match table.per_arch_values() {
        Some(v) if v.len() == accuracy.len() => v,
        _ => bail!("the constrained-search study needs a per-cell NAS-Bench-201 cost table"),
    };
    let pick = |i: usize| Pick {
        index: i,
        accuracy: accuracy[i] as f64,
        cost: costs[i],
    };
    let best_feasible = (0..costs.len())
        .filter(|&i| costs[i] <= threshold)
        .max_by(|&a, &b| accuracy[a].total_cmp(&accuracy[b]))
        .map(pick)
        .ok_or_else(|| candle_core::Error::Msg(format!("no cell costs at most {threshold}")))?;
    let first_score = |memo: &Memo, i: usize| -> Result<f64> {
        let arch = Arch::from_nb201_index(i)?;
        memo.known(&Trial::first(arch))
            .ok_or_else(|| candle_core::Error::Msg(format!("cell {i} was ranked but never trained")))
    };
    // A search's pick: its best feasible candidate after the confirmation round; and what it
    // would have picked by the first initialisation's scores alone (best feasible by fitness).
    let picks = |search: &Search, memo: &Memo| -> Result<(Option<Pick>, Option<Pick>)> {
        let ranked = search.ranked();
        let confirmed = ranked.iter().find(|c| c.feasible).and_then(|c| c.index).map(pick);
        let mut single: Option<(f64, usize)> = None;
        for i in ranked.iter().filter_map(|c| c.index).filter(|&i| costs[i] <= threshold) {
            let f = fitness.fitness(first_score(memo, i)?, costs[i]);
            if single.is_none_or(|(b, _)| f > b) {
                single = Some((f, i));
            }
        }
        Ok((confirmed, single.map(|(_, i)| pick(i))))
    };
    let mut search = Search::new(Space::Nb201, config, table.clone(), fitness)?;
    evolve::run(&mut search, evaluator, |_| ControlFlow::Continue(()))?;
    let (evolution, evolution_single) = picks(&search, evaluator)?;
    let evaluations = search.evaluations();
    // Random search: the first `evaluations` distinct cells of a seeded uniform stream, scored as
    // one generation, then the same confirmation round.
    let mut rng = StdRng::seed_from_u64(config.seed ^ 0x05ee_d0f7_a2d0);
    let mut sample = vec![];
    let mut seen = HashSet::new();
    while sample.len() < evaluations.min(costs.len()) {
        let arch = Space::Nb201.sample(&mut rng);
        if seen.insert(arch.clone()) {
            sample.push(arch);
        }
    }
    let mut random_search = Search::random(Space::Nb201, config, table.clone(), fitness, sample)?;
    evolve::run(&mut random_search, evaluator, |_| ControlFlow::Continue(()))?;
    let (random, random_single) = picks(&random_search, evaluator)?;
    Ok(ConstrainedRun {
        threshold,
        seed: config.seed,
        evaluations,
        trials: search.trials(),
        best_feasible,
        evolution,
        evolution_single,
        random,
        random_single,
    })
}

/// The value below which a fraction `q` of `values` lies (nearest rank).
pub fn percentile(values: &[f64], q: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v[((v.len().max(1) - 1) as f64 * q).round() as usize]
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
