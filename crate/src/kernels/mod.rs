//! Compute kernels for the training hot path, with a switch between candle's stock ops and our own.
//!
//! Scoring a candidate is K SGD steps of a small CNN; convolution forward and backward dominate. The
//! fast path is a candle `CustomOp2` (so autograd still drives it) backed by im2col + `gemm` and a
//! direct depthwise loop, single-threaded so that it behaves the same natively and in a wasm worker.

mod batch_norm;
mod conv;
mod gemm;

pub use conv::{conv2d_backward, conv2d_forward, ConvGeometry};

use candle_core::{bail, Result, Tensor};
use serde::{Deserialize, Serialize};

/// Which implementation serves convolutions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kernels {
    /// candle's own ops.
    Stock,
    /// Our im2col/gemm custom ops.
    #[default]
    Fast,
}

impl std::str::FromStr for Kernels {
    type Err = candle_core::Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "stock" => Ok(Kernels::Stock),
            "fast" => Ok(Kernels::Fast),
            _ => bail!("unknown kernels '{s}' (expected stock or fast)"),
        }
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
        let x = x.contiguous()?;
        let y = x.apply_op3(weight, bias, batch_norm::FusedBatchNorm { eps })?;
        let stats = if want_stats {
            let (n, c, h, w) = x.dims4()?;
            let (mean, var) = batch_norm::channel_stats(&x.flatten_all()?.to_vec1::<f32>()?, n, c, h * w);
            Some((
                Tensor::from_vec(mean, c, x.device())?,
                Tensor::from_vec(var, c, x.device())?,
            ))
        } else {
            None
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
