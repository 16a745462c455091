//! The vendored candle-core's one change (crate/vendor/README.md): a tensor's first gradient is
//! stored as it is rather than added to zeros. Gradients must still sum over every use, and the
//! stored ones must serve the backward passes that need contiguous input.

use candle_core::{DType, Device, Result, Tensor, Var, D};

#[test]
fn a_tensor_used_twice_gets_both_gradients() -> Result<()> {
    let x = Var::new(&[1.0f32, 2.0, 3.0], &Device::Cpu)?;
    // y = Σ (x·x + 3x): dy/dx = 2x + 3.
    let y = ((x.as_tensor() * x.as_tensor())? + (x.as_tensor() * 3.0)?)?.sum_all()?;
    let grads = y.backward()?;
    let g = grads.get(&x).expect("a gradient for x").to_vec1::<f32>()?;
    assert_eq!(g, vec![5.0, 7.0, 9.0]);
    Ok(())
}

#[test]
fn a_broadcast_gradient_is_stored_contiguous_and_feeds_a_gather() -> Result<()> {
    // Cross-entropy: log-softmax, a gather by label (its backward scatter-adds), a mean (its
    // backward broadcasts).
    let logits = Var::new(&[[1.0f32, 2.0, 0.5], [0.0, -1.0, 3.0]], &Device::Cpu)?;
    let labels = Tensor::new(&[1u32, 2], &Device::Cpu)?;
    let loss = candle_nn::loss::cross_entropy(logits.as_tensor(), &labels)?;
    let grads = loss.backward()?;
    let g = grads.get(&logits).expect("a gradient for the logits");
    assert!(g.is_contiguous());
    // d/dlogits of the mean cross-entropy: (softmax − one-hot) / batch.
    let softmax = candle_nn::ops::softmax(logits.as_tensor(), D::Minus1)?;
    let one_hot = Tensor::new(&[[0.0f32, 1.0, 0.0], [0.0, 0.0, 1.0]], &Device::Cpu)?;
    let want = ((softmax - one_hot)? / 2.0)?;
    let diff = (g - want)?.abs()?.max_all()?.to_dtype(DType::F64)?.to_scalar::<f64>()?;
    assert!(diff < 1e-6, "gradient off by {diff}");
    Ok(())
}
