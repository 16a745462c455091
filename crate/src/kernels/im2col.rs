//! The im2col layout of a convolution's input (each kernel tap's view of it as a row) and its
//! adjoint, col2im, which scatters such rows back.

use super::geometry::ConvGeometry;

/// Where one im2col row (tap `ki`, `kj`) of a [plane shift](ConvGeometry::is_plane_shift) reads:
/// output positions `span` (flat, `oh·w + ow`) take input `position + shift`, and the columns
/// `ow < ow_lo` and `ow ≥ ow_hi` of output rows `oh_lo..oh_hi` lie outside the input.
struct ShiftedTap {
    span: std::ops::Range<usize>,
    shift: isize,
    rows: std::ops::Range<usize>,
    cols: std::ops::Range<usize>,
}

impl ShiftedTap {
    fn new(g: &ConvGeometry, ki: usize, kj: usize) -> Self {
        let (oh_lo, oh_hi) = g.valid_range(ki, g.h, g.h_out());
        let (ow_lo, ow_hi) = g.valid_range(kj, g.w, g.w);
        let span = if oh_lo < oh_hi && ow_lo < ow_hi {
            oh_lo * g.w + ow_lo..(oh_hi - 1) * g.w + ow_hi
        } else {
            0..0
        };
        let p = g.padding as isize;
        Self {
            span,
            shift: (ki as isize - p) * g.w as isize + (kj as isize - p),
            rows: oh_lo..oh_hi,
            cols: ow_lo..ow_hi,
        }
    }

    /// Zeroes the columns outside the input in the rows the span covers (it wraps through them).
    fn clear_margins(&self, dst: &mut [f32], w: usize) {
        // Column by column: a margin is a column or two, and a one-element fill per row costs a
        // call of its own in wasm.
        for ow in (0..self.cols.start).chain(self.cols.end..w) {
            for oh in self.rows.clone() {
                dst[oh * w + ow] = 0.0;
            }
        }
    }

    /// The input positions the span reads.
    fn source(&self) -> std::ops::Range<usize> {
        if self.span.is_empty() {
            return 0..0;
        }
        let start = (self.span.start as isize + self.shift) as usize;
        start..start + self.span.len()
    }
}

/// col[(c, ki, kj), (oh, ow)] = x[c, oh·s + ki − p, ow·s + kj − p] (zero outside).
pub(super) fn im2col(x: &[f32], g: &ConvGeometry, col: &mut [f32]) {
    let (ho, wo) = (g.h_out(), g.w_out());
    let (s, p) = (g.stride, g.padding);
    let mut row = 0;
    for c in 0..g.cig() {
        let plane = &x[c * g.h * g.w..(c + 1) * g.h * g.w];
        for ki in 0..g.k {
            let (oh_lo, oh_hi) = g.valid_range(ki, g.h, ho);
            for kj in 0..g.k {
                let (ow_lo, ow_hi) = g.valid_range(kj, g.w, wo);
                let dst = &mut col[row * ho * wo..(row + 1) * ho * wo];
                row += 1;
                if g.is_plane_shift() {
                    // One block copy instead of a short one per output row (the rows are ~32 wide).
                    let tap = ShiftedTap::new(g, ki, kj);
                    dst[..tap.span.start].fill(0.0);
                    dst[tap.span.end..].fill(0.0);
                    dst[tap.span.clone()].copy_from_slice(&plane[tap.source()]);
                    tap.clear_margins(dst, wo);
                    continue;
                }
                // Zero only what no input reaches: the rows above and below, the margins of the rest.
                dst[..oh_lo * wo].fill(0.0);
                dst[oh_hi * wo..].fill(0.0);
                for oh in oh_lo..oh_hi {
                    let ih = oh * s + ki - p;
                    let src = &plane[ih * g.w..(ih + 1) * g.w];
                    let out = &mut dst[oh * wo..(oh + 1) * wo];
                    out[..ow_lo].fill(0.0);
                    out[ow_hi..].fill(0.0);
                    if s == 1 {
                        let start = ow_lo + kj - p;
                        out[ow_lo..ow_hi].copy_from_slice(&src[start..start + ow_hi - ow_lo]);
                    } else {
                        for ow in ow_lo..ow_hi {
                            out[ow] = src[ow * s + kj - p];
                        }
                    }
                }
            }
        }
    }
}

/// The adjoint of [`im2col`]: scatters-adds col back into x. Clobbers col's entries that lie
/// outside the input (the plane-shift path zeroes them so that one block add can run over them).
pub(super) fn col2im(col: &mut [f32], g: &ConvGeometry, x: &mut [f32]) {
    let (ho, wo) = (g.h_out(), g.w_out());
    let (s, p) = (g.stride, g.padding);
    let mut row = 0;
    for c in 0..g.cig() {
        let plane = &mut x[c * g.h * g.w..(c + 1) * g.h * g.w];
        for ki in 0..g.k {
            let (oh_lo, oh_hi) = g.valid_range(ki, g.h, ho);
            for kj in 0..g.k {
                let (ow_lo, ow_hi) = g.valid_range(kj, g.w, wo);
                let src = &mut col[row * ho * wo..(row + 1) * ho * wo];
                row += 1;
                if g.is_plane_shift() {
                    // Each input element gets the same additions in the same order as row by row;
                    // the cleared margins add +0.
                    let tap = ShiftedTap::new(g, ki, kj);
                    tap.clear_margins(src, wo);
                    let dst = &mut plane[tap.source()];
                    dst.iter_mut().zip(&src[tap.span]).for_each(|(d, &v)| *d += v);
                    continue;
                }
                for oh in oh_lo..oh_hi {
                    let ih = oh * s + ki - p;
                    let dst = &mut plane[ih * g.w..(ih + 1) * g.w];
                    let from = &src[oh * wo..(oh + 1) * wo];
                    if s == 1 {
                        let start = ow_lo + kj - p;
                        let dst = &mut dst[start..start + ow_hi - ow_lo];
                        dst.iter_mut().zip(&from[ow_lo..ow_hi]).for_each(|(d, &v)| *d += v);
                    } else {
                        for ow in ow_lo..ow_hi {
                            dst[ow * s + kj - p] += from[ow];
                        }
                    }
                }
            }
        }
    }
}
