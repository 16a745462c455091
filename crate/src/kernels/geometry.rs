//! [`ConvGeometry`]: every size of one convolution call, and the shapes its fast paths recognise.
//! Shared by the convolution (`conv.rs`) and its im2col layout (`im2col.rs`).

use super::Conv2dSpec;
use candle_core::{bail, Result};

/// Every size of one convolution call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvGeometry {
    pub n: usize,
    pub c_in: usize,
    pub h: usize,
    pub w: usize,
    pub c_out: usize,
    pub k: usize,
    pub stride: usize,
    pub padding: usize,
    pub groups: usize,
}

impl ConvGeometry {
    pub fn new(x: &[usize], w: &[usize], spec: Conv2dSpec) -> Result<Self> {
        let (&[n, c_in, h, wd], &[c_out, cig, k, k2]) = (x, w) else {
            bail!("conv2d expects 4-D input and weight, got {x:?} and {w:?}")
        };
        let g = spec.groups;
        if k != k2 || g == 0 || c_in % g != 0 || c_out % g != 0 || cig * g != c_in || spec.stride == 0 {
            bail!("conv2d: weight {w:?} does not fit input {x:?} with groups {g}")
        }
        if h + 2 * spec.padding < k || wd + 2 * spec.padding < k {
            bail!("conv2d: kernel {k} larger than padded input {h}×{wd}")
        }
        Ok(Self {
            n,
            c_in,
            h,
            w: wd,
            c_out,
            k,
            stride: spec.stride,
            padding: spec.padding,
            groups: g,
        })
    }
    pub fn h_out(&self) -> usize {
        (self.h + 2 * self.padding - self.k) / self.stride + 1
    }
    pub fn w_out(&self) -> usize {
        (self.w + 2 * self.padding - self.k) / self.stride + 1
    }
    pub(super) fn cig(&self) -> usize {
        self.c_in / self.groups
    }
    pub(super) fn cog(&self) -> usize {
        self.c_out / self.groups
    }
    /// Rows of the im2col matrix of one group.
    pub(super) fn kdim(&self) -> usize {
        self.cig() * self.k * self.k
    }
    pub(super) fn is_depthwise(&self) -> bool {
        self.cig() == 1 && self.cog() == 1
    }
    /// 1×1, stride 1, no padding: the input already is its im2col matrix.
    pub(super) fn is_pointwise(&self) -> bool {
        self.k == 1 && self.stride == 1 && self.padding == 0
    }
    /// Output positions `o` along one axis for which `o·stride + tap − padding` lies in `0..len`.
    pub(super) fn valid_range(&self, tap: usize, len: usize, len_out: usize) -> (usize, usize) {
        let (s, p) = (self.stride, self.padding);
        let lo = if tap >= p { 0 } else { (p - tap).div_ceil(s) };
        let hi = if len + p > tap {
            ((len + p - tap - 1) / s + 1).min(len_out)
        } else {
            0
        };
        (lo, hi.max(lo))
    }

    /// Stride 1 and as wide out as in ("same" padding): one row of the im2col matrix is the input
    /// plane shifted by a constant offset, so it moves as one block and only its margins need care.
    pub(super) fn is_plane_shift(&self) -> bool {
        self.stride == 1 && self.w_out() == self.w
    }

    /// Stride 1, "same" padding both ways, not 1×1: the input gradient is itself such a
    /// convolution, of the output gradient with the flipped, transposed kernel.
    pub(super) fn has_same_transpose(&self) -> bool {
        self.k > 1 && self.stride == 1 && 2 * self.padding + 1 == self.k
    }

    /// The geometry of that transposed convolution for one image and group: `cog` channels in,
    /// `cig` out.
    pub(super) fn transpose(&self) -> Self {
        Self {
            n: 1,
            c_in: self.cog(),
            c_out: self.cig(),
            groups: 1,
            ..*self
        }
    }
}
