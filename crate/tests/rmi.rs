//! RMI: the loss's gradient against finite differences, and scoring of real proxy networks.

// Native only: these tests read files, run the CLI or need the native-only parts of the library.
#![cfg(not(target_arch = "wasm32"))]

use candle_core::{DType, Device, Result, Tensor, Var};
use evrsnas::cka::CkaTarget;
use evrsnas::proxy::{Features, ProxyConfig};
use evrsnas::rmi::{rmi_loss, score};
use evrsnas::{Arch, Kernels, RmiConfig, RmiOptions, RmiTargets, Space};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn random(shape: &[usize], rng: &mut StdRng) -> Tensor {
    let n: usize = shape.iter().product();
    let v: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
    Tensor::from_vec(v, shape, &Device::Cpu).unwrap()
}

#[test]
fn loss_gradient_matches_finite_differences() -> Result<()> {
    let mut rng = StdRng::seed_from_u64(3);
    let n = 5;
    let targets = [
        CkaTarget::new(&random(&[n, 6], &mut rng), Kernels::Fast)?,
        CkaTarget::new(&random(&[n, 4], &mut rng), Kernels::Fast)?,
        CkaTarget::new(&random(&[n, 7], &mut rng), Kernels::Fast)?,
    ];
    let labels = Tensor::new(&[0u32, 2, 1, 1, 0], &Device::Cpu)?;
    let vars: Vec<Var> = [vec![n, 3], vec![n, 2, 2], vec![n, 5], vec![n, 3]]
        .iter()
        .map(|s| Var::from_tensor(&random(s, &mut rng)).unwrap())
        .collect();
    let loss_of = |ts: &[Tensor]| -> Result<Tensor> {
        let f = Features {
            stages: [ts[0].clone(), ts[1].clone(), ts[2].clone()],
            logits: ts[3].clone(),
        };
        Ok(rmi_loss(&f, &targets, &labels, 0.8)?.0)
    };
    let current: Vec<Tensor> = vars.iter().map(|v| v.as_tensor().clone()).collect();
    let grads = loss_of(&current)?.backward()?;
    let h = 1e-6;
    for (k, var) in vars.iter().enumerate() {
        let analytic = grads.get(var).expect("gradient").flatten_all()?.to_vec1::<f64>()?;
        let base = var.as_tensor().flatten_all()?.to_vec1::<f64>()?;
        for i in 0..base.len() {
            let at = |delta: f64| -> Result<f64> {
                let mut v = base.clone();
                v[i] += delta;
                let mut ts = current.clone();
                ts[k] = Tensor::from_vec(v, var.dims(), &Device::Cpu)?;
                loss_of(&ts)?.to_scalar::<f64>()
            };
            let numeric = (at(h)? - at(-h)?) / (2.0 * h);
            assert!(
                (numeric - analytic[i]).abs() < 1e-6 * (1.0 + numeric.abs()),
                "tensor {k} element {i}: {numeric} vs {}",
                analytic[i]
            );
        }
    }
    Ok(())
}

fn tiny_targets() -> Result<RmiTargets> {
    let reference = evrsnas::Reference::new(1, 10, evrsnas::nn::Params::seeded(11, Kernels::Fast))?;
    let mut rng = StdRng::seed_from_u64(5);
    let pixels: Vec<u8> = (0..8 * evrsnas::data::PIXELS).map(|_| rng.random()).collect();
    Ok(RmiTargets::new(&reference, &evrsnas::data::to_tensor(&pixels, 8)?)?)
}

fn opts(proxy: ProxyConfig, config: &RmiConfig, kernels: Kernels) -> RmiOptions {
    RmiOptions {
        config: *config,
        proxy,
        kernels,
    }
}

#[test]
fn scores_are_in_range_reproducible_and_improve_with_training() -> Result<()> {
    let targets = tiny_targets()?;
    let mut proxy = ProxyConfig::default();
    proxy.nb201.channels = 4;
    proxy.fbnet.channel_divisor = 8;
    let mut rng = StdRng::seed_from_u64(9);
    for &space in Space::ALL {
        let arch = space.sample(&mut rng);
        let cfg = RmiConfig {
            steps: 3,
            ..RmiConfig::default()
        };
        let a = score(&arch, &targets, &opts(proxy, &cfg, Kernels::Fast), 1)?;
        let b = score(&arch, &targets, &opts(proxy, &cfg, Kernels::Fast), 1)?;
        assert_eq!(a, b, "same seed, same score");
        assert!((0.0..=3.0).contains(&a.rmi) && !a.diverged, "{a:?}");
        // Untrained, the kernels agree closely; training amplifies rounding differences a little.
        let untrained = RmiConfig { steps: 0, ..cfg };
        let fast0 = score(&arch, &targets, &opts(proxy, &untrained, Kernels::Fast), 1)?.rmi;
        let stock0 = score(&arch, &targets, &opts(proxy, &untrained, Kernels::Stock), 1)?.rmi;
        assert!(
            (stock0 - fast0).abs() < 1e-4,
            "untrained: stock {stock0} vs fast {fast0}"
        );
        let stock = score(&arch, &targets, &opts(proxy, &cfg, Kernels::Stock), 1)?;
        assert!(
            (stock.rmi - a.rmi).abs() < 1e-2,
            "stock {} vs fast {}",
            stock.rmi,
            a.rmi
        );
    }
    // Training towards the targets raises Σ CKA for a conv-heavy cell.
    let arch = Arch::parse(
        Space::Nb201,
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",
    )?;
    let before = score(
        &arch,
        &targets,
        &opts(
            proxy,
            &RmiConfig {
                steps: 0,
                ..RmiConfig::default()
            },
            Kernels::Fast,
        ),
        2,
    )?;
    let after = score(
        &arch,
        &targets,
        &opts(
            proxy,
            &RmiConfig {
                steps: 10,
                ..RmiConfig::default()
            },
            Kernels::Fast,
        ),
        2,
    )?;
    assert!(after.rmi > before.rmi, "{} -> {}", before.rmi, after.rmi);
    Ok(())
}

#[test]
fn degenerate_cell_scores_zero_not_nan() -> Result<()> {
    let targets = tiny_targets()?;
    let mut proxy = ProxyConfig::default();
    proxy.nb201.channels = 4;
    // Every path to the output is `none`: all stage outputs are zero.
    let arch = Arch::parse(
        Space::Nb201,
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|none~0|none~1|none~2|",
    )?;
    let s = score(
        &arch,
        &targets,
        &opts(
            proxy,
            &RmiConfig {
                steps: 2,
                ..RmiConfig::default()
            },
            Kernels::Fast,
        ),
        0,
    )?;
    assert_eq!(s.rmi, 0.0);
    assert!(!s.diverged);
    let _ = DType::F32;
    Ok(())
}

/// The same check through a tiny NAS-Bench-201 proxy (C = 2, 8×8 images): the gradient that training
/// follows — fast kernels, fused batch norm, CKA, cross-entropy — matches central differences of
/// the loss (step 1e-3) for a sample of weights of every layer; f32 forward passes and ReLU kinks
/// limit the agreement, hence the tolerance of 5 % of (0.1 + |numeric|).
#[test]
fn network_gradient_matches_finite_differences() -> Result<()> {
    let mut rng = StdRng::seed_from_u64(8);
    let n = 6;
    let arch = Arch::parse(
        Space::Nb201,
        "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|nor_conv_3x3~1|skip_connect~2|",
    )?;
    let mut proxy = ProxyConfig::default();
    proxy.nb201.channels = 2;
    let params = evrsnas::nn::Params::seeded(4, Kernels::Fast);
    let net = evrsnas::proxy::build(&arch, &proxy, 3, params.clone())?;
    let f32s = |shape: &[usize], rng: &mut StdRng| random(shape, rng).to_dtype(DType::F32).unwrap();
    let x = f32s(&[n, 3, 8, 8], &mut rng);
    let targets = [
        CkaTarget::new(&f32s(&[n, 5, 8, 8], &mut rng), Kernels::Fast)?,
        CkaTarget::new(&f32s(&[n, 4, 4, 4], &mut rng), Kernels::Fast)?,
        CkaTarget::new(&f32s(&[n, 3, 2, 2], &mut rng), Kernels::Fast)?,
    ];
    let labels = Tensor::new(&[0u32, 1, 2, 0, 1, 2], &Device::Cpu)?;
    let loss = || -> Result<Tensor> { Ok(rmi_loss(&net.features(&x, true)?, &targets, &labels, 0.8)?.0) };
    let grads = loss()?.backward()?;
    let (mut checked, mut worst) = (0, 0.0f64);
    for var in params.trainable() {
        let Some(g) = grads.get(&var) else { continue };
        let analytic = g.flatten_all()?.to_vec1::<f32>()?;
        let base = var.as_tensor().flatten_all()?.to_vec1::<f32>()?;
        for i in (0..base.len()).step_by((base.len() / 3).max(1)) {
            let h = 1e-3f32;
            let at = |delta: f32| -> Result<f64> {
                let mut v = base.clone();
                v[i] += delta;
                var.set(&Tensor::from_vec(v, var.dims(), &Device::Cpu)?)?;
                Ok(loss()?.to_scalar::<f32>()? as f64)
            };
            let numeric = (at(h)? - at(-h)?) / (2.0 * h as f64);
            var.set(&Tensor::from_vec(base.clone(), var.dims(), &Device::Cpu)?)?;
            // Absolute slack for f32 rounding in the difference quotient, relative for curvature.
            let err = (numeric - analytic[i] as f64).abs() / (0.1 + numeric.abs());
            worst = worst.max(err);
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} weights checked");
    assert!(
        worst < 0.05,
        "worst gradient error {worst} (relative to 0.1 + |numeric|)"
    );
    Ok(())
}

#[test]
fn the_training_curve_is_what_the_score_is_made_of() -> Result<()> {
    let targets = tiny_targets()?;
    let mut proxy = ProxyConfig::default();
    proxy.nb201.channels = 4;
    proxy.fbnet.channel_divisor = 8;
    let cfg = RmiConfig {
        steps: 4,
        ..RmiConfig::default()
    };
    let mut rng = StdRng::seed_from_u64(3);
    for &space in Space::ALL {
        let arch = space.sample(&mut rng);
        let options = opts(proxy, &cfg, Kernels::Fast);
        let curve = evrsnas::rmi::training_curve(&arch, &targets, &options, 7)?;
        assert_eq!(curve.len(), cfg.steps + 1);
        assert_eq!(
            curve.iter().map(|r| r.step).collect::<Vec<_>>(),
            (0..=cfg.steps).collect::<Vec<_>>()
        );
        // The last step is the score, bit for bit; each step is the score with K = that step.
        assert_eq!(curve[cfg.steps].rmi, score(&arch, &targets, &options, 7)?.rmi);
        let at_two = opts(proxy, &RmiConfig { steps: 2, ..cfg }, Kernels::Fast);
        assert_eq!(curve[2].rmi, score(&arch, &targets, &at_two, 7)?.rmi);
        for r in &curve {
            assert!(r.cka.iter().all(|c| (0.0..=1.0 + 1e-6).contains(c)), "{r:?}");
            assert!(
                (r.cka.iter().sum::<f64>().clamp(0.0, 3.0) - r.rmi).abs() < 1e-5,
                "{r:?}"
            );
            let expected = cfg.beta * (3.0 - r.cka.iter().sum::<f64>());
            assert!(
                r.loss >= expected - 1e-5,
                "the loss holds the CKA term and a CE ≥ 0: {r:?}"
            );
        }
    }
    Ok(())
}
