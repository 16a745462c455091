//! Convolution forward and backward: im2col (`im2col.rs`) + gemm for dense and grouped convolutions,
//! a direct loop for depthwise ones. Plain slice functions, wrapped as a candle `CustomOp2` at the bottom.

use super::gemm::{matmul, Operand};
use super::geometry::ConvGeometry;
use super::im2col::{col2im, im2col};
use super::{contiguous_f32, with_f32, write_f32, Conv2dSpec};
use candle_core::{CpuStorage, CustomOp2, Layout, Result, Shape, Tensor};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The input gradient of a convolution that [has a "same" transpose](ConvGeometry::has_same_transpose):
/// that convolution's geometry (one image and group) and kernel, made once per backward pass.
struct Transposed {
    geometry: ConvGeometry,
    /// Per group: kernel[g][ci][(co, ki, kj)] = w[g·cog + co][ci][k−1−ki][k−1−kj], i.e.
    /// `[groups · cig, cog·k²]` row-major.
    kernel: Vec<f32>,
}

impl Transposed {
    fn new(w: &[f32], g: &ConvGeometry) -> Self {
        let (cig, cog, kk) = (g.cig(), g.cog(), g.k * g.k);
        let mut kernel = vec![0.0f32; w.len()];
        for grp in 0..g.groups {
            for ci in 0..cig {
                let row = &mut kernel[(grp * cig + ci) * cog * kk..][..cog * kk];
                for co in 0..cog {
                    let taps = &w[((grp * cog + co) * cig + ci) * kk..][..kk];
                    for (t, v) in row[co * kk..(co + 1) * kk].iter_mut().enumerate() {
                        *v = taps[kk - 1 - t];
                    }
                }
            }
        }
        Self {
            geometry: g.transpose(),
            kernel,
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
    let transposed = g.has_same_transpose().then(|| Transposed::new(w, g));
    let transposed = transposed.as_ref();
    let per = images_per_thread(g.n);
    if per >= g.n {
        backward_images(x, w, gy, g, transposed, 0, &mut gx, &mut gw_t);
    } else {
        // Each thread sums its images' weight gradients; the partial sums are added in thread order.
        let partials: Vec<Vec<f32>> = std::thread::scope(|scope| {
            let handles: Vec<_> = gx
                .chunks_mut(per * g.c_in * g.h * g.w)
                .enumerate()
                .map(|(chunk, gx)| {
                    scope.spawn(move || {
                        let mut gw_t = vec![0.0f32; w.len()];
                        backward_images(x, w, gy, g, transposed, chunk * per, gx, &mut gw_t);
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
/// weight gradient, transposed, to `gw_t`. `transposed`: the input gradient as a convolution, where
/// the geometry has one.
#[allow(clippy::too_many_arguments)]
fn backward_images(
    x: &[f32],
    w: &[f32],
    gy: &[f32],
    g: &ConvGeometry,
    transposed: Option<&Transposed>,
    first: usize,
    gx: &mut [f32],
    gw_t: &mut [f32],
) {
    let pos = g.h_out() * g.w_out();
    let (cig, cog, kdim, hw) = (g.cig(), g.cog(), g.kdim(), g.h * g.w);
    let mut col = vec![0.0f32; kdim * pos];
    // The input gradient either as a transposed convolution (im2col of gY, then a GEMM whose inner
    // dimension is cog·k²) or, where that is no "same" convolution, as gcol = Wᵀ·gY (inner
    // dimension cog, often 8) scattered back by col2im: the first writes cig rows per image
    // instead of kdim and skips the scatter.
    let mut gcol = vec![0.0f32; transposed.map_or(kdim * pos, |t| t.geometry.kdim() * hw)];
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
            if let Some(t) = transposed {
                // gX_g[cig × hw] = W̃_g[cig × cog·k²] · im2col(gY_g)[cog·k² × hw]
                let tk = t.geometry.kdim();
                im2col(gyg, &t.geometry, &mut gcol);
                let kernel = Operand::new(&t.kernel[grp * cig * tk..][..cig * tk], cig, tk);
                matmul(gxg, kernel, Operand::new(&gcol, tk, hw), false);
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
