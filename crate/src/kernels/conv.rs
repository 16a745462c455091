//! Convolution forward and backward: im2col + gemm for dense and grouped convolutions, a direct loop
//! for depthwise ones. Plain slice functions, wrapped as a candle `CustomOp2` at the bottom.

use super::gemm::{matmul, Operand};
use super::{contiguous_f32, with_f32, write_f32, Conv2dSpec};
use candle_core::{bail, CpuStorage, CustomOp2, Layout, Result, Shape, Tensor};
use std::sync::atomic::{AtomicUsize, Ordering};

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
    fn cig(&self) -> usize {
        self.c_in / self.groups
    }
    fn cog(&self) -> usize {
        self.c_out / self.groups
    }
    /// Rows of the im2col matrix of one group.
    fn kdim(&self) -> usize {
        self.cig() * self.k * self.k
    }
    fn is_depthwise(&self) -> bool {
        self.cig() == 1 && self.cog() == 1
    }
    /// 1×1, stride 1, no padding: the input already is its im2col matrix.
    fn is_pointwise(&self) -> bool {
        self.k == 1 && self.stride == 1 && self.padding == 0
    }
    /// Output positions `o` along one axis for which `o·stride + tap − padding` lies in `0..len`.
    fn valid_range(&self, tap: usize, len: usize, len_out: usize) -> (usize, usize) {
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
    fn is_plane_shift(&self) -> bool {
        self.stride == 1 && self.w_out() == self.w
    }

    /// Stride 1, "same" padding both ways, not 1×1: the input gradient is itself such a
    /// convolution, of the output gradient with the flipped, transposed kernel.
    fn has_same_transpose(&self) -> bool {
        self.k > 1 && self.stride == 1 && 2 * self.padding + 1 == self.k
    }

    /// The geometry of that transposed convolution for one image and group: `cog` channels in,
    /// `cig` out.
    fn transpose(&self) -> Self {
        Self {
            n: 1,
            c_in: self.cog(),
            c_out: self.cig(),
            groups: 1,
            ..*self
        }
    }
}

/// The kernel of the transposed convolution, per group: wt[g][ci][(co, ki, kj)] =
/// w[g·cog + co][ci][k−1−ki][k−1−kj], i.e. `[groups · cig, cog·k²]` row-major.
fn flipped_transpose(w: &[f32], g: &ConvGeometry) -> Vec<f32> {
    let (cig, cog, k) = (g.cig(), g.cog(), g.k);
    let kk = k * k;
    let mut wt = vec![0.0f32; w.len()];
    for grp in 0..g.groups {
        for ci in 0..cig {
            let row = &mut wt[(grp * cig + ci) * cog * kk..][..cog * kk];
            for co in 0..cog {
                let taps = &w[((grp * cog + co) * cig + ci) * kk..][..kk];
                for (t, v) in row[co * kk..(co + 1) * kk].iter_mut().enumerate() {
                    *v = taps[kk - 1 - t];
                }
            }
        }
    }
    wt
}

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
fn im2col(x: &[f32], g: &ConvGeometry, col: &mut [f32]) {
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
fn col2im(col: &mut [f32], g: &ConvGeometry, x: &mut [f32]) {
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

/// Threads a convolution splits its batch over, 1 by default: a wasm worker has no threads, and the
/// RMI scorer runs one candidate per core instead. Training the reference asks for more.
static THREADS: AtomicUsize = AtomicUsize::new(1);

/// Lets the fast convolutions split each batch over `threads` threads (native builds only; wasm
/// always uses one). Results are the same for every thread count, bit for bit, except the weight
/// gradient, which sums the threads' partial sums in a different order.
pub fn set_threads(threads: usize) {
    THREADS.store(threads.max(1), Ordering::Relaxed);
}

/// Images per thread for a batch of `n` (the last thread may get fewer).
fn images_per_thread(n: usize) -> usize {
    let threads = if cfg!(target_arch = "wasm32") {
        1
    } else {
        THREADS.load(Ordering::Relaxed)
    };
    n.div_ceil(threads.clamp(1, n.max(1))).max(1)
}

/// Forward pass: x `[N, C_in, H, W]`, w `[C_out, C_in/g, k, k]` → y `[N, C_out, H', W']`.
pub fn conv2d_forward(x: &[f32], w: &[f32], g: &ConvGeometry) -> Vec<f32> {
    let pos = g.h_out() * g.w_out();
    let mut y = vec![0.0f32; g.n * g.c_out * pos];
    if g.is_depthwise() {
        depthwise_forward(x, w, g, &mut y);
        return y;
    }
    let per = images_per_thread(g.n);
    if per >= g.n {
        forward_images(x, w, g, 0, &mut y);
        return y;
    }
    std::thread::scope(|scope| {
        for (chunk, y) in y.chunks_mut(per * g.c_out * pos).enumerate() {
            scope.spawn(move || forward_images(x, w, g, chunk * per, y));
        }
    });
    y
}

/// The forward pass of the images from `first` on whose outputs `y` holds.
fn forward_images(x: &[f32], w: &[f32], g: &ConvGeometry, first: usize, y: &mut [f32]) {
    let pos = g.h_out() * g.w_out();
    let (cig, cog, kdim, hw) = (g.cig(), g.cog(), g.kdim(), g.h * g.w);
    let mut col = vec![0.0f32; if g.is_pointwise() { 0 } else { kdim * pos }];
    for (i, y) in y.chunks_exact_mut(g.c_out * pos).enumerate() {
        let n = first + i;
        for grp in 0..g.groups {
            let xg = &x[(n * g.c_in + grp * cig) * hw..(n * g.c_in + (grp + 1) * cig) * hw];
            let cols: &[f32] = if g.is_pointwise() {
                xg
            } else {
                im2col(xg, g, &mut col);
                &col
            };
            let wg = &w[grp * cog * kdim..(grp + 1) * cog * kdim];
            let yg = &mut y[grp * cog * pos..(grp + 1) * cog * pos];
            matmul(yg, Operand::new(wg, cog, kdim), Operand::new(cols, kdim, pos), false);
        }
    }
}

/// Backward pass: gradients of the input and of the weight, given the output gradient `gy`.
pub fn conv2d_backward(x: &[f32], w: &[f32], gy: &[f32], g: &ConvGeometry) -> (Vec<f32>, Vec<f32>) {
    let mut gx = vec![0.0f32; x.len()];
    let mut gw = vec![0.0f32; w.len()];
    if g.is_depthwise() {
        depthwise_backward(x, w, gy, g, &mut gx, &mut gw);
        return (gx, gw);
    }
    // The weight gradient is accumulated transposed, [kdim × cog] per group: gemm vectorises along
    // the rows of its output, and kdim is the long side (measured 2–4× faster than [cog × kdim]).
    let mut gw_t = vec![0.0f32; w.len()];
    let per = images_per_thread(g.n);
    if per >= g.n {
        backward_images(x, w, gy, g, 0, &mut gx, &mut gw_t);
    } else {
        // Each thread sums its images' weight gradients; the partial sums are added in thread order.
        let partials: Vec<Vec<f32>> = std::thread::scope(|scope| {
            let handles: Vec<_> = gx
                .chunks_mut(per * g.c_in * g.h * g.w)
                .enumerate()
                .map(|(chunk, gx)| {
                    scope.spawn(move || {
                        let mut gw_t = vec![0.0f32; w.len()];
                        backward_images(x, w, gy, g, chunk * per, gx, &mut gw_t);
                        gw_t
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a convolution thread panicked"))
                .collect()
        });
        for partial in &partials {
            gw_t.iter_mut().zip(partial).for_each(|(a, &b)| *a += b);
        }
    }
    let (cog, kdim) = (g.cog(), g.kdim());
    for (gw_g, gw_t_g) in gw.chunks_exact_mut(cog * kdim).zip(gw_t.chunks_exact(cog * kdim)) {
        for (o, row) in gw_g.chunks_exact_mut(kdim).enumerate() {
            row.iter_mut().enumerate().for_each(|(kk, v)| *v = gw_t_g[kk * cog + o]);
        }
    }
    (gx, gw)
}

/// The backward pass of the images from `first` on whose input gradients `gx` holds; adds their
/// weight gradient, transposed, to `gw_t`.
fn backward_images(x: &[f32], w: &[f32], gy: &[f32], g: &ConvGeometry, first: usize, gx: &mut [f32], gw_t: &mut [f32]) {
    let pos = g.h_out() * g.w_out();
    let (cig, cog, kdim, hw) = (g.cig(), g.cog(), g.kdim(), g.h * g.w);
    let mut col = vec![0.0f32; kdim * pos];
    // The input gradient either as a transposed convolution (im2col of gY, then a GEMM whose inner
    // dimension is cog·k²) or, where that is no "same" convolution, as gcol = Wᵀ·gY (inner
    // dimension cog, often 8) scattered back by col2im: the first writes cig rows per image
    // instead of kdim and skips the scatter.
    let transpose = g.has_same_transpose().then(|| (g.transpose(), flipped_transpose(w, g)));
    let mut gcol = vec![
        0.0f32;
        if transpose.is_some() {
            cog * g.k * g.k * hw
        } else {
            kdim * pos
        }
    ];
    for (i, gx) in gx.chunks_exact_mut(g.c_in * hw).enumerate() {
        let n = first + i;
        for grp in 0..g.groups {
            let xr = (n * g.c_in + grp * cig) * hw..(n * g.c_in + (grp + 1) * cig) * hw;
            let gxg = &mut gx[grp * cig * hw..(grp + 1) * cig * hw];
            let gyg = &gy[(n * g.c_out + grp * cog) * pos..(n * g.c_out + (grp + 1) * cog) * pos];
            let wr = grp * cog * kdim..(grp + 1) * cog * kdim;
            let cols: &[f32] = if g.is_pointwise() {
                &x[xr]
            } else {
                im2col(&x[xr], g, &mut col);
                &col
            };
            // gW_gᵀ[kdim × cog] += col[kdim × pos] · gYᵀ[pos × cog]
            matmul(
                &mut gw_t[wr.clone()],
                Operand::new(cols, kdim, pos),
                Operand::new(gyg, cog, pos).t(),
                true,
            );
            if let Some((gt, wt)) = &transpose {
                // gX_g[cig × hw] = W̃_g[cig × cog·k²] · im2col(gY_g)[cog·k² × hw]
                im2col(gyg, gt, &mut gcol);
                let wt = Operand::new(
                    &wt[grp * cig * cog * g.k * g.k..][..cig * cog * g.k * g.k],
                    cig,
                    cog * g.k * g.k,
                );
                matmul(gxg, wt, Operand::new(&gcol, cog * g.k * g.k, hw), false);
                continue;
            }
            // gcol[kdim × pos] = W_gᵀ[kdim × cog] · gY[cog × pos]
            let wt = Operand::new(&w[wr], cog, kdim).t();
            if g.is_pointwise() {
                matmul(gxg, wt, Operand::new(gyg, cog, pos), true);
            } else {
                matmul(&mut gcol, wt, Operand::new(gyg, cog, pos), false);
                col2im(&mut gcol, g, gxg);
            }
        }
    }
}

fn depthwise_forward(x: &[f32], w: &[f32], g: &ConvGeometry, y: &mut [f32]) {
    let (ho, wo, s, p, k) = (g.h_out(), g.w_out(), g.stride, g.padding, g.k);
    for n in 0..g.n {
        for c in 0..g.c_in {
            let plane = &x[(n * g.c_in + c) * g.h * g.w..][..g.h * g.w];
            let out = &mut y[(n * g.c_out + c) * ho * wo..][..ho * wo];
            for ki in 0..k {
                let (oh_lo, oh_hi) = g.valid_range(ki, g.h, ho);
                for kj in 0..k {
                    let (ow_lo, ow_hi) = g.valid_range(kj, g.w, wo);
                    let wt = w[(c * k + ki) * k + kj];
                    for oh in oh_lo..oh_hi {
                        let src = &plane[(oh * s + ki - p) * g.w..][..g.w];
                        let dst = &mut out[oh * wo..][..wo];
                        for ow in ow_lo..ow_hi {
                            dst[ow] += wt * src[ow * s + kj - p];
                        }
                    }
                }
            }
        }
    }
}

fn depthwise_backward(x: &[f32], w: &[f32], gy: &[f32], g: &ConvGeometry, gx: &mut [f32], gw: &mut [f32]) {
    let (ho, wo, s, p, k) = (g.h_out(), g.w_out(), g.stride, g.padding, g.k);
    for n in 0..g.n {
        for c in 0..g.c_in {
            let base = (n * g.c_in + c) * g.h * g.w;
            let plane = &x[base..][..g.h * g.w];
            let gplane = &mut gx[base..][..g.h * g.w];
            let gout = &gy[(n * g.c_out + c) * ho * wo..][..ho * wo];
            for ki in 0..k {
                let (oh_lo, oh_hi) = g.valid_range(ki, g.h, ho);
                for kj in 0..k {
                    let (ow_lo, ow_hi) = g.valid_range(kj, g.w, wo);
                    let wt = w[(c * k + ki) * k + kj];
                    let mut acc = 0.0f32;
                    for oh in oh_lo..oh_hi {
                        let row = (oh * s + ki - p) * g.w;
                        let grow = &gout[oh * wo..][..wo];
                        for (ow, &g) in grow.iter().enumerate().take(ow_hi).skip(ow_lo) {
                            let i = row + ow * s + kj - p;
                            acc += g * plane[i];
                            gplane[i] += wt * g;
                        }
                    }
                    gw[(c * k + ki) * k + kj] += acc;
                }
            }
        }
    }
}

/// candle custom op: `x.apply_op2(w, FastConv2d(spec))`.
pub(super) struct FastConv2d(pub Conv2dSpec);

impl CustomOp2 for FastConv2d {
    fn name(&self) -> &'static str {
        "fast-conv2d"
    }

    fn cpu_fwd(&self, s1: &CpuStorage, l1: &Layout, s2: &CpuStorage, l2: &Layout) -> Result<(CpuStorage, Shape)> {
        let g = ConvGeometry::new(l1.dims(), l2.dims(), self.0)?;
        let y = conv2d_forward(
            contiguous_f32(s1, l1, "conv input")?,
            contiguous_f32(s2, l2, "conv weight")?,
            &g,
        );
        Ok((CpuStorage::F32(y), Shape::from((g.n, g.c_out, g.h_out(), g.w_out()))))
    }

    fn bwd(&self, x: &Tensor, w: &Tensor, _y: &Tensor, gy: &Tensor) -> Result<(Option<Tensor>, Option<Tensor>)> {
        let g = ConvGeometry::new(x.dims(), w.dims(), self.0)?;
        let (gx, gw) = with_f32(x, |x| with_f32(w, |w| with_f32(gy, |gy| conv2d_backward(x, w, gy, &g))))???;
        Ok((write_f32(gx, x)?, write_f32(gw, w)?))
    }
}
