//! Centring the rows of `x: [n, d]` (subtracting the mean example), the first step of a centred
//! Gram matrix. candle reduces over the leading, non-contiguous axis slowly in both directions.

use super::{contiguous_f32, with_f32, write_f32};
use candle_core::{bail, CpuStorage, CustomOp1, Layout, Result, Shape, Tensor};

/// `x - mean over rows`, for `n` rows of length `d`.
fn center(x: &[f32], n: usize, d: usize) -> Vec<f32> {
    let mut mean = vec![0.0f64; d];
    for row in x.chunks_exact(d) {
        mean.iter_mut().zip(row).for_each(|(m, &v)| *m += v as f64);
    }
    let mean: Vec<f32> = mean.iter().map(|&m| (m / n as f64) as f32).collect();
    let mut y = x.to_vec();
    for row in y.chunks_exact_mut(d) {
        row.iter_mut().zip(&mean).for_each(|(v, &m)| *v -= m);
    }
    y
}

pub(super) struct CenterRows;

impl CustomOp1 for CenterRows {
    fn name(&self) -> &'static str {
        "center-rows"
    }

    // x: [n, d] -> [n, d]
    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> Result<(CpuStorage, Shape)> {
        let &[n, d] = l.dims() else {
            bail!("centring expects [n, d], got {:?}", l.dims())
        };
        let x = contiguous_f32(s, l, "centring input")?;
        Ok((CpuStorage::F32(center(x, n, d)), l.shape().clone()))
    }

    // Centring is a symmetric projection: its adjoint centres the gradient.
    fn bwd(&self, x: &Tensor, _y: &Tensor, gy: &Tensor) -> Result<Option<Tensor>> {
        let (n, d) = x.dims2()?;
        write_f32(with_f32(gy, |g| center(g, n, d))?, x)
    }
}
