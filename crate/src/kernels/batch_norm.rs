//! Train-mode batch norm, forward and backward fused into single passes per channel.
//! candle's composed version reduces over non-contiguous axes, which its CPU backend does slowly,
//! and records a dozen graph nodes per layer.

use super::{contiguous_f32, with_f32};
use candle_core::{bail, CpuStorage, CustomOp3, Device, Layout, Result, Shape, Tensor};
use std::sync::{Arc, Mutex};

/// Lanes of the partial sums below: eight independent accumulators let the compiler vectorise a
/// reduction that IEEE order would otherwise keep sequential.
const LANES: usize = 8;

/// Σ f(a_i, b_i) over two equal-length slices, in `LANES` f32 partial sums folded into f64.
fn sum_pairs(a: &[f32], b: &[f32], f: impl Fn(f32, f32) -> f32) -> f64 {
    let mut acc = [0.0f32; LANES];
    let (ac, bc) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f64 = ac
        .remainder()
        .iter()
        .zip(bc.remainder())
        .map(|(&x, &y)| f(x, y) as f64)
        .sum();
    for (x, y) in ac.zip(bc) {
        for l in 0..LANES {
            acc[l] += f(x[l], y[l]);
        }
    }
    acc.iter().map(|&v| v as f64).sum::<f64>() + tail
}

/// Per-channel mean and biased variance of `x: [N, C, H·W]` (flattened).
pub fn channel_stats(x: &[f32], n: usize, c: usize, hw: usize) -> (Vec<f32>, Vec<f32>) {
    let m = (n * hw) as f64;
    let mut mean = vec![0.0f32; c];
    let mut var = vec![0.0f32; c];
    for ch in 0..c {
        let plane = |i: usize| &x[(i * c + ch) * hw..][..hw];
        let mu = (0..n).map(|i| sum_pairs(plane(i), plane(i), |v, _| v)).sum::<f64>() / m;
        let mu32 = mu as f32;
        let q: f64 = (0..n)
            .map(|i| sum_pairs(plane(i), plane(i), |v, _| (v - mu32) * (v - mu32)))
            .sum();
        mean[ch] = mu32;
        var[ch] = (q / m) as f32;
    }
    (mean, var)
}

/// Batch mean and variance per channel, as computed by the forward pass.
pub(super) type SharedStats = Arc<Mutex<Option<(Vec<f32>, Vec<f32>)>>>;

/// The batch statistics of the last forward pass of an op, as `[C]` tensors.
pub(super) fn stats_tensors(stats: &SharedStats, device: &Device) -> Result<(Tensor, Tensor)> {
    let guard = stats
        .lock()
        .map_err(|_| candle_core::Error::Msg("batch-norm stats poisoned".into()))?;
    let Some((mean, var)) = guard.as_ref() else {
        bail!("batch-norm statistics asked for before the forward pass")
    };
    Ok((
        Tensor::from_slice(mean, mean.len(), device)?,
        Tensor::from_slice(var, var.len(), device)?,
    ))
}

pub(super) struct FusedBatchNorm {
    eps: f64,
    /// Filled by the forward pass, reused by the backward pass and by running-stat updates.
    pub stats: SharedStats,
}

impl FusedBatchNorm {
    pub fn new(eps: f64) -> Self {
        Self {
            eps,
            stats: Arc::default(),
        }
    }

    fn stats_or_compute(&self, x: &[f32], n: usize, c: usize, hw: usize) -> (Vec<f32>, Vec<f32>) {
        match self.stats.lock().ok().and_then(|s| s.clone()) {
            Some(stats) => stats,
            None => channel_stats(x, n, c, hw),
        }
    }
}

impl CustomOp3 for FusedBatchNorm {
    fn name(&self) -> &'static str {
        "fused-batch-norm"
    }

    // x: [N, C, H, W], weight and bias: [C] -> y: [N, C, H, W]
    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let x = contiguous_f32(s1, l1, "batch-norm input")?;
        let (w, b) = (contiguous_f32(s2, l2, "weight")?, contiguous_f32(s3, l3, "bias")?);
        let &[n, c, h, wd] = l1.dims() else {
            bail!("batch norm expects [N, C, H, W], got {:?}", l1.dims())
        };
        if w.len() != c || b.len() != c {
            bail!(
                "batch norm over {c} channels got {} weights and {} biases",
                w.len(),
                b.len()
            )
        }
        let hw = h * wd;
        let (mean, var) = channel_stats(x, n, c, hw);
        let mut y = vec![0.0f32; x.len()];
        for ch in 0..c {
            let scale = w[ch] / (var[ch] + self.eps as f32).sqrt();
            let shift = b[ch] - mean[ch] * scale;
            for i in 0..n {
                let o = (i * c + ch) * hw;
                for (yv, &xv) in y[o..o + hw].iter_mut().zip(&x[o..o + hw]) {
                    *yv = xv * scale + shift;
                }
            }
        }
        if let Ok(mut slot) = self.stats.lock() {
            *slot = Some((mean, var));
        }
        Ok((CpuStorage::F32(y), l1.shape().clone()))
    }

    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        _b: &Tensor,
        _y: &Tensor,
        gy: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let (n, c, h, wd) = x.dims4()?;
        let hw = h * wd;
        let m = (n * hw) as f32;
        let wv = w.to_vec1::<f32>()?;
        let mut gw = vec![0.0f32; c];
        let mut gb = vec![0.0f32; c];
        let gx = with_f32(x, |xv| {
            with_f32(gy, |gv| {
                let (mean, var) = self.stats_or_compute(xv, n, c, hw);
                let mut gx = vec![0.0f32; xv.len()];
                for ch in 0..c {
                    let (mu, inv) = (mean[ch], 1.0 / (var[ch] + self.eps as f32).sqrt());
                    let plane = |i: usize| (i * c + ch) * hw..(i * c + ch + 1) * hw;
                    let (mut sg, mut sgx) = (0.0f64, 0.0f64);
                    for i in 0..n {
                        let r = plane(i);
                        sg += sum_pairs(&gv[r.clone()], &gv[r.clone()], |g, _| g);
                        sgx += sum_pairs(&gv[r.clone()], &xv[r], |g, x| g * (x - mu));
                    }
                    let (sg, sgx) = (sg as f32, sgx as f32 * inv);
                    gb[ch] = sg;
                    gw[ch] = sgx;
                    let k = wv[ch] * inv / m;
                    for i in 0..n {
                        let r = plane(i);
                        for ((gxv, &g), &xv) in gx[r.clone()].iter_mut().zip(&gv[r.clone()]).zip(&xv[r]) {
                            let xhat = (xv - mu) * inv;
                            *gxv = k * (m * g - sg - xhat * sgx);
                        }
                    }
                }
                gx
            })
        })??;
        let dev = x.device();
        Ok((
            Some(Tensor::from_vec(gx, x.dims(), dev)?),
            Some(Tensor::from_vec(gw, c, dev)?),
            Some(Tensor::from_vec(gb, c, dev)?),
        ))
    }
}
