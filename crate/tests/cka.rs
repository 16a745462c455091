//! Linear CKA against independent reference values (../shared/vectors/linear_cka.json, computed in
//! float64 with numpy) and its invariances.

// Native only: these tests read files, run the CLI or need the native-only parts of the library.
#![cfg(not(target_arch = "wasm32"))]

use candle_core::{DType, Device, Result, Tensor};
use evrsnas::cka::{linear_cka, CkaTarget};
use evrsnas::Kernels;
use proptest::prelude::*;

fn matrix(v: &[f64], rows: usize, cols: usize) -> Tensor {
    Tensor::from_vec(v.to_vec(), (rows, cols), &Device::Cpu).unwrap()
}

#[test]
fn matches_reference_vectors() -> Result<()> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors/linear_cka.json");
    let text = std::fs::read_to_string(path).expect("../shared/vectors/linear_cka.json");
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    for (i, case) in cases.iter().enumerate() {
        let shape = |k: &str| -> (usize, usize) {
            let s = case[k].as_array().unwrap();
            (s[0].as_u64().unwrap() as usize, s[1].as_u64().unwrap() as usize)
        };
        let nums = |k: &str| -> Vec<f64> {
            case[k]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect()
        };
        let ((xr, xc), (yr, yc)) = (shape("x_shape"), shape("y_shape"));
        let want = case["linear_cka"].as_f64().unwrap();
        let got = linear_cka(&matrix(&nums("x"), xr, xc), &matrix(&nums("y"), yr, yc))?;
        assert!(
            (got - want).abs() <= 1e-5 * want.abs().max(1e-12),
            "case {i}: {got} vs {want}"
        );
    }
    Ok(())
}

#[test]
fn constant_representation_has_zero_cka_not_nan() -> Result<()> {
    let x = Tensor::ones((8, 5), DType::F32, &Device::Cpu)?;
    let y = Tensor::randn(0f32, 1., (8, 3), &Device::Cpu)?;
    assert_eq!(linear_cka(&x, &y)?, 0.0);
    assert_eq!(linear_cka(&y, &x)?, 0.0);
    let zeros = Tensor::zeros((8, 5), DType::F32, &Device::Cpu)?;
    assert_eq!(linear_cka(&zeros, &y)?, 0.0);
    Ok(())
}

#[test]
fn wrong_example_count_is_an_error() -> Result<()> {
    let t = CkaTarget::new(&Tensor::randn(0f32, 1., (8, 3), &Device::Cpu)?, Kernels::Fast)?;
    assert!(t.cka(&Tensor::randn(0f32, 1., (7, 3), &Device::Cpu)?).is_err());
    Ok(())
}

/// A random orthogonal d×d matrix from the QR-free route: Gram–Schmidt on random columns.
fn orthogonal(d: usize, seed: &[f64]) -> Vec<f64> {
    let mut cols: Vec<Vec<f64>> = (0..d)
        .map(|j| {
            (0..d)
                .map(|i| seed[(i * d + j) % seed.len()] + (i * 7 + j * 3) as f64 * 0.01)
                .collect()
        })
        .collect();
    for j in 0..d {
        for k in 0..j {
            let dot: f64 = (0..d).map(|i| cols[j][i] * cols[k][i]).sum();
            let (done, rest) = cols.split_at_mut(j);
            for (v, u) in rest[0].iter_mut().zip(&done[k]) {
                *v -= dot * u;
            }
        }
        let norm = cols[j].iter().map(|v| v * v).sum::<f64>().sqrt();
        cols[j].iter_mut().for_each(|v| *v /= norm);
    }
    (0..d * d).map(|idx| cols[idx % d][idx / d]).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]
    #[test]
    fn invariant_to_rotation_and_scale(xs in prop::collection::vec(-3.0f64..3.0, 6 * 4), ys in prop::collection::vec(-3.0f64..3.0, 6 * 5), scale in 0.01f64..100.0) {
        let x = matrix(&xs, 6, 4);
        let y = matrix(&ys, 6, 5);
        let base = linear_cka(&x, &y).unwrap();
        prop_assume!(base > 1e-6);
        let q = matrix(&orthogonal(4, &xs), 4, 4);
        let rotated = x.matmul(&q).unwrap();
        let scaled = (&x * scale).unwrap();
        let r = linear_cka(&rotated, &y).unwrap();
        let s = linear_cka(&scaled, &y).unwrap();
        prop_assert!((r - base).abs() < 1e-9, "rotation: {} vs {}", r, base);
        prop_assert!((s - base).abs() < 1e-9, "scale: {} vs {}", s, base);
        prop_assert!((0.0..=1.0 + 1e-12).contains(&base));
        let selfsim = linear_cka(&x, &x).unwrap();
        prop_assert!((selfsim - 1.0).abs() < 1e-12);
    }
}

/// Song et al. (2012)'s unbiased HSIC estimator written out term by term, in plain f64: HSIC₁ =
/// [tr(K̃L̃) + 1ᵀK̃1·1ᵀL̃1/((n−1)(n−2)) − 2/(n−2)·1ᵀK̃L̃1] / (n(n−3)), K̃ and L̃ the linear Gram
/// matrices with zeroed diagonals. An independent check of the U-centred form the library uses.
fn hsic1(x: &[Vec<f64>], y: &[Vec<f64>]) -> f64 {
    let n = x.len();
    let gram = |a: &[Vec<f64>]| -> Vec<Vec<f64>> {
        (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| match i == j {
                        true => 0.0,
                        false => a[i].iter().zip(&a[j]).map(|(p, q)| p * q).sum(),
                    })
                    .collect()
            })
            .collect()
    };
    let (k, l) = (gram(x), gram(y));
    let trace: f64 = (0..n).map(|i| (0..n).map(|j| k[i][j] * l[j][i]).sum::<f64>()).sum();
    let (sk, sl): (f64, f64) = (k.iter().flatten().sum(), l.iter().flatten().sum());
    let rk: Vec<f64> = k.iter().map(|r| r.iter().sum()).collect();
    let rl: Vec<f64> = l.iter().map(|r| r.iter().sum()).collect();
    let cross: f64 = rk.iter().zip(&rl).map(|(a, b)| a * b).sum();
    let nf = n as f64;
    (trace + sk * sl / ((nf - 1.0) * (nf - 2.0)) - 2.0 / (nf - 2.0) * cross) / (nf * (nf - 3.0))
}

#[test]
fn debiased_cka_is_unbiased_hsic_normalised() -> Result<()> {
    use evrsnas::cka::Estimator;
    let mut rng = 12345u64;
    let mut next = move || {
        rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((rng >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    };
    for (n, dx, dy) in [(4, 3, 5), (7, 20, 2), (20, 300, 64)] {
        let x: Vec<Vec<f64>> = (0..n).map(|_| (0..dx).map(|_| next()).collect()).collect();
        // y shares part of x's signal, so that the CKA is neither 0 nor 1.
        let y: Vec<Vec<f64>> = (0..n)
            .map(|i| (0..dy).map(|j| x[i][j % dx] + next()).collect())
            .collect();
        let want = hsic1(&x, &y) / (hsic1(&x, &x) * hsic1(&y, &y)).sqrt();
        let flat = |a: &[Vec<f64>], d| matrix(&a.concat(), n, d);
        for kernels in [Kernels::Fast, Kernels::Stock] {
            let target = CkaTarget::with_estimator(&flat(&y, dy), kernels, Estimator::Debiased)?;
            let got = target.cka(&flat(&x, dx))?.to_scalar::<f64>()?;
            assert!((got - want).abs() < 1e-9, "n = {n}: {got} against {want}");
        }
        let biased = linear_cka(&flat(&x, dx), &flat(&y, dy))?;
        assert!((biased - want).abs() > 1e-3, "the two estimators differ (n = {n})");
    }
    // A constant representation still scores 0, and fewer than 4 examples are refused.
    let target = CkaTarget::with_estimator(&matrix(&[1.0; 12], 4, 3), Kernels::Fast, Estimator::Debiased)?;
    assert_eq!(
        target.cka(&matrix(&[0.3, 1.0, 2.0, 5.0], 4, 1))?.to_scalar::<f64>()?,
        0.0
    );
    assert!(CkaTarget::with_estimator(&matrix(&[1.0, 2.0, 3.0], 3, 1), Kernels::Fast, Estimator::Debiased).is_err());
    Ok(())
}
