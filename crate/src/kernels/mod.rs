//! Compute kernels for the training hot path, with a switch between candle's stock ops and our own.
//!
//! Scoring a candidate is K SGD steps of a small CNN; convolution forward and backward dominate. The
//! fast path is a candle `CustomOp2` (so autograd still drives it) backed by im2col + `gemm` and a
//! direct depthwise loop, single-threaded by default so that it behaves the same natively and in a wasm
//! worker; natively, [`set_threads`] splits a convolution's batch over threads (for training).

mod batch_norm;
mod center;
mod conv;
mod gemm;
mod geometry;
mod im2col;
mod pool;
mod relu;

pub use conv::set_threads;

use candle_core::{bail, CpuStorage, DType, Layout, Result, Storage, Tensor};

crate::named_enum! {
    /// Which implementation runs the convolutions, batch norm, ReLU and pooling.
    #[derive(Default)]
    pub enum Kernels: "kernels" {
        /// candle's own ops.
        Stock = "stock" => "candle's stock ops",
        /// Our im2col/gemm custom ops.
        #[default]
        Fast = "fast" => "our fast kernels",
    }
}

/// Stride, padding and groups of a square convolution (dilation is always 1 here).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv2dSpec {
    pub stride: usize,
    pub padding: usize,
    pub groups: usize,
}

/// `x: [N, C_in, H, W]`, `w: [C_out, C_in/groups, k, k]` → `[N, C_out, H', W']`.
pub fn conv2d(x: &Tensor, w: &Tensor, spec: Conv2dSpec, kernels: Kernels) -> Result<Tensor> {
    match kernels {
        Kernels::Stock => x.conv2d(w, spec.padding, spec.stride, 1, spec.groups),
        Kernels::Fast => x.contiguous()?.apply_op2(&w.contiguous()?, conv::FastConv2d(spec)),
    }
}

/// `max(x, 0)`, any shape.
pub fn relu(x: &Tensor, kernels: Kernels) -> Result<Tensor> {
    match kernels {
        Kernels::Stock => x.relu(),
        Kernels::Fast => x.contiguous()?.apply_op1(relu::FastRelu),
    }
}

/// 3×3 average pooling, stride 1, padding 1, not counting the padding: `[N, C, H, W]` → same shape.
pub fn avg_pool_3x3(x: &Tensor, kernels: Kernels) -> Result<Tensor> {
    let (_, c, h, w) = x.dims4()?;
    if kernels == Kernels::Fast {
        return x.contiguous()?.apply_op1(pool::FastAvgPool3x3);
    }
    // Stock: a depthwise convolution with a ones kernel, divided by the in-bounds tap count.
    let ones = Tensor::ones((c, 1, 3, 3), x.dtype(), x.device())?;
    let sums = x.conv2d(&ones, 1, 1, 1, c)?; // padding 1, stride 1, dilation 1, groups c
    let scale = pool::inverse_tap_counts(h, w);
    sums.broadcast_mul(&Tensor::from_vec(scale, (1, 1, h, w), x.device())?)
}

/// Each row of `x: [n, d]` minus the mean row. The fast kernel is f32 only; other dtypes (the f64
/// precision tests) take the stock path.
pub fn center_rows(x: &Tensor, kernels: Kernels) -> Result<Tensor> {
    match (kernels, x.dtype()) {
        (Kernels::Fast, DType::F32) => x.contiguous()?.apply_op1(center::CenterRows),
        _ => x.broadcast_sub(&x.mean_keepdim(0)?),
    }
}

/// Σ x² over all elements, in f64, outside the autograd graph.
pub fn sum_of_squares(x: &Tensor) -> Result<f64> {
    if x.dtype() != DType::F32 {
        return x.detach().to_dtype(DType::F64)?.sqr()?.sum_all()?.to_scalar::<f64>();
    }
    with_f32(x, |v| v.iter().map(|&a| (a as f64) * (a as f64)).sum())
}

/// Train-mode batch norm over `[N, C, H, W]`: returns the output and, when `want_stats`, the batch
/// mean and (biased) variance per channel, detached.
pub fn batch_norm_train(
    x: &Tensor,
    weight: &Tensor,
    bias: &Tensor,
    eps: f64,
    kernels: Kernels,
    want_stats: bool,
) -> Result<(Tensor, Option<(Tensor, Tensor)>)> {
    if kernels == Kernels::Fast {
        let op = batch_norm::FusedBatchNorm::new(eps);
        let stats = op.stats.clone();
        let y = x.contiguous()?.apply_op3(weight, bias, op)?;
        let stats = match want_stats {
            true => Some(batch_norm::stats_tensors(&stats, x.device())?),
            false => None,
        };
        return Ok((y, stats));
    }
    let c = weight.dim(0)?;
    let mean = x.mean_keepdim(0)?.mean_keepdim(2)?.mean_keepdim(3)?; // [1, C, 1, 1]
    let centered = x.broadcast_sub(&mean)?;
    let var = centered.sqr()?.mean_keepdim(0)?.mean_keepdim(2)?.mean_keepdim(3)?;
    let y = centered
        .broadcast_div(&(&var + eps)?.sqrt()?)?
        .broadcast_mul(&weight.reshape((1, c, 1, 1))?)?
        .broadcast_add(&bias.reshape((1, c, 1, 1))?)?;
    let stats = if want_stats {
        Some((mean.flatten_all()?.detach(), var.flatten_all()?.detach()))
    } else {
        None
    };
    Ok((y, stats))
}

/// The contiguous f32 data of a custom op's input.
fn contiguous_f32<'a>(s: &'a CpuStorage, l: &Layout, what: &str) -> Result<&'a [f32]> {
    match (s, l.contiguous_offsets()) {
        (CpuStorage::F32(data), Some((a, b))) => Ok(&data[a..b]),
        (CpuStorage::F32(_), None) => bail!("fast kernels need a contiguous {what}"),
        _ => bail!("fast kernels support f32 only ({what})"),
    }
}

/// Runs `f` on the f32 data of `t`, in place when it is contiguous (the backward passes read their
/// inputs this way rather than copying them out with `to_vec1`).
fn with_f32<R>(t: &Tensor, f: impl FnOnce(&[f32]) -> R) -> Result<R> {
    {
        let (storage, layout) = t.storage_and_layout();
        if let (Storage::Cpu(CpuStorage::F32(data)), Some((a, b))) = (&*storage, layout.contiguous_offsets()) {
            return Ok(f(&data[a..b]));
        }
    }
    Ok(f(&t.flatten_all()?.to_vec1::<f32>()?))
}

/// A gradient with the shape and device of `like`.
fn write_f32(data: Vec<f32>, like: &Tensor) -> Result<Option<Tensor>> {
    Ok(Some(Tensor::from_vec(data, like.dims(), like.device())?))
}
