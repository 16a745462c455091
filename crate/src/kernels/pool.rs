//! 3×3 average pooling, stride 1, padding 1, not counting the padding (NAS-Bench-201's
//! `AvgPool2d(3, 1, 1, count_include_pad=False)`), as separable box sums. candle's `avg_pool2d` has
//! no backward for overlapping windows.

use super::{with_f32, write_f32};
use candle_core::{bail, CpuStorage, CustomOp1, Layout, Result, Shape, Tensor};

/// Number of in-bounds taps of a 3-wide window centred at `i` on an axis of length `n`.
fn taps(i: usize, n: usize) -> f32 {
    (1 + (i > 0) as usize + (i + 1 < n) as usize) as f32
}

/// dst[i, j] = Σ of the in-bounds 3×3 neighbourhood of src[i, j], both `h × w` planes.
fn box_sum_3x3(src: &[f32], dst: &mut [f32], rows: &mut [f32], h: usize, w: usize) {
    // Horizontal sums into `rows`, then vertical sums of those.
    for (s, r) in src.chunks_exact(w).zip(rows.chunks_exact_mut(w)) {
        for j in 0..w {
            let left = if j > 0 { s[j - 1] } else { 0.0 };
            let right = if j + 1 < w { s[j + 1] } else { 0.0 };
            r[j] = left + s[j] + right;
        }
    }
    for i in 0..h {
        let out = &mut dst[i * w..][..w];
        out.copy_from_slice(&rows[i * w..][..w]);
        if i > 0 {
            out.iter_mut()
                .zip(&rows[(i - 1) * w..][..w])
                .for_each(|(o, &r)| *o += r);
        }
        if i + 1 < h {
            out.iter_mut()
                .zip(&rows[(i + 1) * w..][..w])
                .for_each(|(o, &r)| *o += r);
        }
    }
}

/// Applies `box_sum_3x3` to every plane of `[N·C, H, W]`, scaling by `scale` before (`pre`) or
/// after the sum: the forward pass divides the sums by the tap counts, the backward pass divides
/// the incoming gradient by them and then sums (the adjoint).
fn pool_planes(x: &[f32], h: usize, w: usize, scale: &[f32], pre: bool) -> Vec<f32> {
    let mut y = vec![0.0f32; x.len()];
    let mut rows = vec![0.0f32; h * w];
    let mut scaled = vec![0.0f32; if pre { h * w } else { 0 }];
    for (src, dst) in x.chunks_exact(h * w).zip(y.chunks_exact_mut(h * w)) {
        if pre {
            scaled
                .iter_mut()
                .zip(src)
                .zip(scale)
                .for_each(|((d, &s), &k)| *d = s * k);
            box_sum_3x3(&scaled, dst, &mut rows, h, w);
        } else {
            box_sum_3x3(src, dst, &mut rows, h, w);
            dst.iter_mut().zip(scale).for_each(|(d, &k)| *d *= k);
        }
    }
    y
}

/// 1 / (number of in-bounds taps) at each position of an `h × w` plane.
pub(super) fn inverse_tap_counts(h: usize, w: usize) -> Vec<f32> {
    (0..h)
        .flat_map(|i| (0..w).map(move |j| 1.0 / (taps(i, h) * taps(j, w))))
        .collect()
}

pub(super) struct FastAvgPool3x3;

impl CustomOp1 for FastAvgPool3x3 {
    fn name(&self) -> &'static str {
        "fast-avg-pool-3x3"
    }

    // x: [N, C, H, W] -> [N, C, H, W]
    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> Result<(CpuStorage, Shape)> {
        let &[_, _, h, w] = l.dims() else {
            bail!("avg_pool_3x3 expects [N, C, H, W], got {:?}", l.dims())
        };
        let x = super::contiguous_f32(s, l, "avg-pool input")?;
        let y = pool_planes(x, h, w, &inverse_tap_counts(h, w), false);
        Ok((CpuStorage::F32(y), l.shape().clone()))
    }

    fn bwd(&self, x: &Tensor, _y: &Tensor, gy: &Tensor) -> Result<Option<Tensor>> {
        let (_, _, h, w) = x.dims4()?;
        let gx = with_f32(gy, |gy| pool_planes(gy, h, w, &inverse_tap_counts(h, w), true))?;
        write_f32(gx, x)
    }
}
