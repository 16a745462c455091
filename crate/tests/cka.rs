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
