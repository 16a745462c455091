//! ReLU with a one-pass backward. candle's own backward builds a zeros tensor, a comparison, a
//! dtype cast and a product (four passes and four allocations) for every ReLU of every step.

use super::{with_f32, write_f32};
use candle_core::{CpuStorage, CustomOp1, Layout, Result, Shape, Tensor};

pub(super) struct FastRelu;

impl CustomOp1 for FastRelu {
    fn name(&self) -> &'static str {
        "fast-relu"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> Result<(CpuStorage, Shape)> {
        let x = super::contiguous_f32(s, l, "relu input")?;
        // A compare-and-select, not `f32::max`: the latter's NaN rules make it a libm call in wasm.
        let y = x.iter().map(|&v| if v > 0.0 { v } else { 0.0 }).collect();
        Ok((CpuStorage::F32(y), l.shape().clone()))
    }

    // The gradient passes where the output is positive (PyTorch's convention at 0).
    fn bwd(&self, _x: &Tensor, y: &Tensor, gy: &Tensor) -> Result<Option<Tensor>> {
        let gx = with_f32(y, |y| {
            with_f32(gy, |gy| {
                y.iter()
                    .zip(gy)
                    .map(|(&y, &g)| if y > 0.0 { g } else { 0.0 })
                    .collect::<Vec<f32>>()
            })
        })??;
        write_f32(gx, y)
    }
}
