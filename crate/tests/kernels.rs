//! The fast kernels must agree with candle's stock ops, values and gradients, on random shapes.
//! The same tests run natively (`cargo test`) and in wasm32 + simd128 under node
//! (`cargo make test-wasm`, through wasm-bindgen-test).

use candle_core::{Device, Result, Tensor, Var};
use evrsnas::kernels::{self, conv2d, Conv2dSpec, Kernels};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

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
    // Cases whose input gradient runs as a transposed "same" convolution (stride 1, k > 1,
    // padding (k − 1)/2), not through col2im.
    let mut same_transposes = 0;
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
        same_transposes += usize::from(!depthwise && k > 1 && spec.stride == 1 && 2 * spec.padding + 1 == k);
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
    assert!(
        same_transposes >= 5,
        "only {same_transposes} transposed-convolution cases"
    );
    Ok(())
}

/// Output and the gradients of every input of sum(f(inputs) ⊙ r) under the given kernels.
fn op_and_grads(
    inputs: &[Tensor],
    r: &Tensor,
    k: Kernels,
    f: &dyn Fn(&[Tensor], Kernels) -> Result<Tensor>,
) -> Result<Vec<Tensor>> {
    let vars: Vec<Var> = inputs.iter().map(Var::from_tensor).collect::<Result<_>>()?;
    let ts: Vec<Tensor> = vars.iter().map(|v| v.as_tensor().clone()).collect();
    let y = f(&ts, k)?;
    let grads = (&y * r)?.sum_all()?.backward()?;
    let mut out = vec![y];
    for v in &vars {
        out.push(grads.get(v).expect("every input gets a gradient").clone());
    }
    Ok(out)
}

/// Fast and stock agree to 1e-4 relative on the output and every input gradient.
fn assert_agree(
    what: &str,
    inputs: &[Tensor],
    f: &dyn Fn(&[Tensor], Kernels) -> Result<Tensor>,
    rng: &mut StdRng,
) -> Result<()> {
    let y = f(inputs, Kernels::Stock)?;
    let r = random(y.dims(), rng)?;
    let stock = op_and_grads(inputs, &r, Kernels::Stock, f)?;
    let fast = op_and_grads(inputs, &r, Kernels::Fast, f)?;
    for (i, (a, b)) in fast.iter().zip(&stock).enumerate() {
        assert_eq!(a.dims(), b.dims(), "{what}: output {i}");
        let d = max_rel_diff(a, b)?;
        let part = if i == 0 {
            "value".to_string()
        } else {
            format!("gradient of input {}", i - 1)
        };
        assert!(
            d < 1e-4,
            "{what}: {part} differs by {d} (input shapes {:?})",
            inputs.iter().map(|t| t.dims().to_vec()).collect::<Vec<_>>()
        );
    }
    Ok(())
}

/// Splitting the batch over threads (native only) changes nothing but the order in which the
/// weight gradient's per-thread sums are added.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn threaded_conv_matches_one_thread() -> Result<()> {
    let mut rng = StdRng::seed_from_u64(7);
    for (n, groups, k, stride) in [(5, 1, 3, 1), (7, 2, 3, 2), (3, 1, 1, 1), (2, 4, 5, 1), (1, 1, 3, 1)] {
        let (c_in, c_out) = (4 * groups, 3 * groups);
        let spec = Conv2dSpec {
            stride,
            padding: k / 2,
            groups,
        };
        let x = random(&[n, c_in, 9, 9], &mut rng)?;
        let wt = random(&[c_out, c_in / groups, k, k], &mut rng)?;
        let r = random(conv2d(&x, &wt, spec, Kernels::Fast)?.dims(), &mut rng)?;
        kernels::set_threads(1);
        let one = conv_and_grads(&x, &wt, &r, spec, Kernels::Fast)?;
        for threads in [2, 3, 8] {
            kernels::set_threads(threads);
            let many = conv_and_grads(&x, &wt, &r, spec, Kernels::Fast)?;
            kernels::set_threads(1);
            for (what, (a, b)) in ["output", "grad x"].iter().zip(many.iter().zip(&one)) {
                let same = a.flatten_all()?.to_vec1::<f32>()? == b.flatten_all()?.to_vec1::<f32>()?;
                assert!(same, "{what} changes with {threads} threads, batch {n}");
            }
            let d = max_rel_diff(&many[2], &one[2])?;
            assert!(d < 1e-5, "grad w differs by {d} with {threads} threads, batch {n}");
        }
    }
    Ok(())
}

#[test]
fn fast_batch_norm_matches_stock() -> Result<()> {
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..20 {
        let (n, c, h) = (rng.random_range(2..5), rng.random_range(1..6), rng.random_range(1..9));
        // Non-zero mean and unit-scale spread, as after a convolution.
        let x = (random(&[n, c, h, h + 1], &mut rng)? * 3.0)?.affine(1.0, 0.5)?;
        let (w, b) = (random(&[c], &mut rng)?, random(&[c], &mut rng)?);
        let bn = |t: &[Tensor], k: Kernels| Ok(kernels::batch_norm_train(&t[0], &t[1], &t[2], 1e-5, k, false)?.0);
        assert_agree("batch norm", &[x, w, b], &bn, &mut rng)?;
    }
    Ok(())
}

#[test]
fn fast_batch_norm_reports_the_batch_statistics() -> Result<()> {
    let mut rng = StdRng::seed_from_u64(8);
    let x = random(&[3, 4, 5, 5], &mut rng)?;
    let (w, b) = (random(&[4], &mut rng)?, random(&[4], &mut rng)?);
    let (_, stock) = kernels::batch_norm_train(&x, &w, &b, 1e-5, Kernels::Stock, true)?;
    let (_, fast) = kernels::batch_norm_train(&x, &w, &b, 1e-5, Kernels::Fast, true)?;
    let ((ms, vs), (mf, vf)) = (stock.unwrap(), fast.unwrap());
    assert!(max_rel_diff(&mf, &ms)? < 1e-5 && max_rel_diff(&vf, &vs)? < 1e-5);
    Ok(())
}

#[test]
fn fast_relu_avg_pool_and_centring_match_stock() -> Result<()> {
    let mut rng = StdRng::seed_from_u64(9);
    for _ in 0..20 {
        let (n, c, h, w) = (
            rng.random_range(1..4),
            rng.random_range(1..5),
            rng.random_range(1..9),
            rng.random_range(1..9),
        );
        let x = random(&[n, c, h, w], &mut rng)?;
        assert_agree(
            "relu",
            std::slice::from_ref(&x),
            &|t, k| kernels::relu(&t[0], k),
            &mut rng,
        )?;
        assert_agree(
            "avg pool 3×3",
            std::slice::from_ref(&x),
            &|t, k| kernels::avg_pool_3x3(&t[0], k),
            &mut rng,
        )?;
        let rows = x.flatten_from(1)?;
        assert_agree("centring", &[rows], &|t, k| kernels::center_rows(&t[0], k), &mut rng)?;
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
