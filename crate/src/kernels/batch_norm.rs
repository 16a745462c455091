//! Train-mode batch norm, forward and backward fused into single passes per channel.
//! candle's composed version reduces over non-contiguous axes, which its CPU backend does slowly,
//! and records a dozen graph nodes per layer.

use candle_core::{bail, CpuStorage, CustomOp3, Layout, Result, Shape, Tensor};

/// Per-channel mean and biased variance of `x: [N, C, H·W]` (flattened).
pub fn channel_stats(x: &[f32], n: usize, c: usize, hw: usize) -> (Vec<f32>, Vec<f32>) {
    let m = (n * hw) as f64;
    let mut mean = vec![0.0f32; c];
    let mut var = vec![0.0f32; c];
    for ch in 0..c {
        let mut s = 0.0f64;
        for i in 0..n {
            s += x[(i * c + ch) * hw..][..hw].iter().map(|&v| v as f64).sum::<f64>();
        }
        let mu = s / m;
        let mut q = 0.0f64;
        for i in 0..n {
            q += x[(i * c + ch) * hw..][..hw]
                .iter()
                .map(|&v| (v as f64 - mu).powi(2))
                .sum::<f64>();
        }
        mean[ch] = mu as f32;
        var[ch] = (q / m) as f32;
    }
    (mean, var)
}

pub(super) struct FusedBatchNorm {
    pub eps: f64,
}

fn slice<'a>(s: &'a CpuStorage, l: &Layout) -> Result<&'a [f32]> {
    match (s, l.contiguous_offsets()) {
        (CpuStorage::F32(d), Some((a, b))) => Ok(&d[a..b]),
        _ => bail!("fused batch norm needs contiguous f32 tensors"),
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
        let (x, w, b) = (slice(s1, l1)?, slice(s2, l2)?, slice(s3, l3)?);
        let &[n, c, h, wd] = l1.dims() else {
            bail!("batch norm expects [N, C, H, W], got {:?}", l1.dims())
        };
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
        let xv = x.flatten_all()?.to_vec1::<f32>()?;
        let gv = gy.flatten_all()?.to_vec1::<f32>()?;
        let wv = w.to_vec1::<f32>()?;
        let (mean, var) = channel_stats(&xv, n, c, hw);
        let mut gx = vec![0.0f32; xv.len()];
        let mut gw = vec![0.0f32; c];
        let mut gb = vec![0.0f32; c];
        for ch in 0..c {
            let inv = 1.0 / (var[ch] + self.eps as f32).sqrt();
            let (mut sg, mut sgx) = (0.0f32, 0.0f32);
            for i in 0..n {
                let o = (i * c + ch) * hw;
                for (&g, &xv) in gv[o..o + hw].iter().zip(&xv[o..o + hw]) {
                    sg += g;
                    sgx += g * (xv - mean[ch]) * inv;
                }
            }
            gb[ch] = sg;
            gw[ch] = sgx;
            let k = wv[ch] * inv / m;
            for i in 0..n {
                let o = (i * c + ch) * hw;
                for ((gxv, &g), &xv) in gx[o..o + hw].iter_mut().zip(&gv[o..o + hw]).zip(&xv[o..o + hw]) {
                    let xhat = (xv - mean[ch]) * inv;
                    *gxv = k * (m * g - sg - xhat * sgx);
                }
            }
        }
        let dev = x.device();
        Ok((
            Some(Tensor::from_vec(gx, x.dims(), dev)?),
            Some(Tensor::from_vec(gw, c, dev)?),
            Some(Tensor::from_vec(gb, c, dev)?),
        ))
    }
}
