//! The fast kernels must agree with candle's stock ops, values and gradients, on random shapes.

use candle_core::{Device, Result, Tensor, Var};
use evrsnas::kernels::{conv2d, Conv2dSpec, Kernels};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn random(shape: &[usize], rng: &mut StdRng) -> Result<Tensor> {
    let n: usize = shape.iter().product();
    let v: Vec<f32> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
    Tensor::from_vec(v, shape, &Device::Cpu)
}

fn max_rel_diff(a: &Tensor, b: &Tensor) -> Result<f32> {
    let scale = b.abs()?.max_all()?.to_scalar::<f32>()?.max(1e-3);
    Ok((a - b)?.abs()?.max_all()?.to_scalar::<f32>()? / scale)
}

/// Value and both gradients of sum(conv(x, w) ⊙ r) under the given kernels.
fn conv_and_grads(x: &Tensor, w: &Tensor, r: &Tensor, spec: Conv2dSpec, k: Kernels) -> Result<[Tensor; 3]> {
    let (xv, wv) = (Var::from_tensor(x)?, Var::from_tensor(w)?);
    let y = conv2d(xv.as_tensor(), wv.as_tensor(), spec, k)?;
    let grads = (&y * r)?.sum_all()?.backward()?;
    Ok([y, grads.get(&xv).unwrap().clone(), grads.get(&wv).unwrap().clone()])
}

#[test]
fn fast_conv_matches_stock_on_random_shapes() -> Result<()> {
    let mut rng = StdRng::seed_from_u64(42);
    for case in 0..60 {
        let groups = [1, 1, 2, 4][rng.random_range(0..4)];
        let depthwise = case % 4 == 3;
        let cig = if depthwise { 1 } else { rng.random_range(1..5) };
        let c_in = cig * groups;
        let c_out = if depthwise {
            c_in
        } else {
            groups * rng.random_range(1..5)
        };
        let k = [1, 3, 5][rng.random_range(0..3)];
        let spec = Conv2dSpec {
            stride: rng.random_range(1..3),
            padding: rng.random_range(0..=k / 2),
            groups,
        };
        // Square inputs: stock candle's conv backward derives the output padding from the height only.
        let (n, h) = (rng.random_range(1..4), rng.random_range(k..10));
        let w = h;
        let x = random(&[n, c_in, h, w], &mut rng)?;
        let wt = random(&[c_out, cig, k, k], &mut rng)?;
        let y = conv2d(&x, &wt, spec, Kernels::Stock)?;
        let r = random(y.dims(), &mut rng)?;
        let stock = conv_and_grads(&x, &wt, &r, spec, Kernels::Stock)?;
        let fast = conv_and_grads(&x, &wt, &r, spec, Kernels::Fast)?;
        for (what, (a, b)) in ["output", "grad x", "grad w"].iter().zip(fast.iter().zip(&stock)) {
            assert_eq!(a.dims(), b.dims(), "{what} case {case}");
            let d = max_rel_diff(a, b)?;
            assert!(
                d < 1e-4,
                "{what} differs by {d} in case {case}: {spec:?} x {:?} w {:?}",
                x.dims(),
                wt.dims()
            );
        }
    }
    Ok(())
}

#[test]
fn fast_conv_rejects_mismatched_shapes() -> Result<()> {
    let x = Tensor::zeros((1, 3, 8, 8), candle_core::DType::F32, &Device::Cpu)?;
    let w = Tensor::zeros((4, 2, 3, 3), candle_core::DType::F32, &Device::Cpu)?;
    let spec = Conv2dSpec {
        stride: 1,
        padding: 1,
        groups: 1,
    };
    assert!(conv2d(&x, &w, spec, Kernels::Fast).is_err());
    Ok(())
}
