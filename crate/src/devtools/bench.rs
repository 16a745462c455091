//! Benchmarks of the training hot path, shared by the native CLI (`evrsnas bench`) and the wasm
//! build (run under node by `cargo make bench`), so both measure the same work.
//!
//! - probe: a 3-stage CNN (conv3×3 3→8, 8→16 stride 2, 16→32 stride 2, each + BN + ReLU; global
//!   average pool; linear to 10), one SGD step on a 64×3×32×32 batch;
//! - reference: one SGD step of the reference ResNet-20 on a 128×3×32×32 batch (the training recipe);
//! - nb201 candidate: one full RMI evaluation (K steps) of a fixed conv-heavy NAS-Bench-201 cell on
//!   the default proxy and a random reference and batch of 40 images.

use crate::kernels::Kernels;
use crate::nn::{batch_norm, conv2d, global_avg_pool, linear, relu, BatchNorm, Conv2d, Linear, Params, Relu};
use crate::optim::SgdMomentum;
use crate::proxy::ProxyConfig;
use crate::space::{Arch, Space};
use crate::{Reference, RmiConfig, RmiOptions, RmiTargets};

use candle_core::{Module, ModuleT, Result, Tensor};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The cell timed as "one NB201 candidate": five 3×3 convolutions and a 1×1.
pub const BENCH_CELL: &str =
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_1x1~0|nor_conv_3x3~1|nor_conv_3x3~2|";

struct Probe {
    layers: Vec<(Conv2d, BatchNorm)>,
    relu: Relu,
    head: Linear,
}

impl Probe {
    fn new(p: Params) -> Result<Self> {
        let mut layers = vec![];
        for (i, (c_in, c_out, stride)) in [(3, 8, 1), (8, 16, 2), (16, 32, 2)].into_iter().enumerate() {
            layers.push((
                conv2d(c_in, c_out, 3, stride, 1, 1, p.pp(format!("conv{i}")))?,
                batch_norm(c_out, false, p.pp(format!("bn{i}")))?,
            ));
        }
        Ok(Self {
            layers,
            relu: relu(&p),
            head: linear(32, 10, p.pp("head"))?,
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut h = x.clone();
        for (conv, bn) in &self.layers {
            h = bn.forward_t(&conv.forward(&h)?, true)?.apply(&self.relu)?;
        }
        self.head.forward(&global_avg_pool(&h)?)
    }
}

fn random_pixels(n: usize, seed: u64) -> Vec<u8> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n * crate::data::PIXELS).map(|_| rng.random()).collect()
}

/// Median milliseconds of `reps` SGD steps (after one warm-up step) of the network behind `logits`,
/// whose weights are `params`, on `n` seeded random images with cycling labels.
fn train_step_ms(
    params: &Params,
    n: usize,
    pixel_seed: u64,
    logits: &dyn Fn(&Tensor) -> Result<Tensor>,
    reps: usize,
    now: &dyn Fn() -> f64,
) -> Result<f64> {
    let x = crate::data::to_tensor(&random_pixels(n, pixel_seed), n)?;
    let labels = Tensor::new((0..n as u32).map(|i| i % 10).collect::<Vec<_>>().as_slice(), x.device())?;
    let mut opt = SgdMomentum::new(params.trainable(), 0.1, 0.9, 5e-4);
    let mut times = vec![];
    for rep in 0..=reps {
        let t0 = now();
        let loss = candle_nn::loss::cross_entropy(&logits(&x)?, &labels)?;
        opt.step(&loss.backward()?)?;
        if rep > 0 {
            times.push(now() - t0);
        }
    }
    Ok(median(&mut times))
}

/// Median milliseconds of `reps` probe training steps on a batch of 64.
pub fn probe_train_step_ms(kernels: Kernels, reps: usize, now: &dyn Fn() -> f64) -> Result<f64> {
    let params = Params::seeded(1, kernels);
    let net = Probe::new(params.clone())?;
    train_step_ms(&params, 64, 2, &|x| net.forward(x), reps, now)
}

/// Median milliseconds of `reps` training steps of a ResNet-(6·blocks + 2) on a batch of 128.
pub fn reference_train_step_ms(kernels: Kernels, blocks: usize, reps: usize, now: &dyn Fn() -> f64) -> Result<f64> {
    let params = Params::seeded(5, kernels);
    let net = Reference::new(blocks, 10, params.clone())?;
    let logits = |x: &Tensor| Ok(crate::proxy::Network::features(&net, x, true)?.logits);
    train_step_ms(&params, 128, 6, &logits, reps, now)
}

/// The candidate benchmark's workload: [`BENCH_CELL`] on the default proxy, a random reference
/// and a batch of 40 random images, trained for `steps`.
pub fn nb201_candidate_workload(kernels: Kernels, steps: usize) -> Result<(Arch, RmiTargets, RmiOptions)> {
    let reference = Reference::new(1, 10, Params::seeded(3, kernels))?;
    let targets = RmiTargets::new(&reference, &crate::data::to_tensor(&random_pixels(40, 4), 40)?)?;
    let arch = Arch::parse(Space::Nb201, BENCH_CELL)?;
    let options = RmiOptions {
        config: RmiConfig {
            steps,
            ..RmiConfig::default()
        },
        proxy: ProxyConfig::default(),
        kernels,
    };
    Ok((arch, targets, options))
}

/// Median milliseconds of `reps` full RMI evaluations of [`BENCH_CELL`].
pub fn nb201_candidate_ms(kernels: Kernels, steps: usize, reps: usize, now: &dyn Fn() -> f64) -> Result<f64> {
    let (arch, targets, options) = nb201_candidate_workload(kernels, steps)?;
    let mut times = vec![];
    for _ in 0..reps.max(1) {
        let t0 = now();
        crate::rmi::score(&arch, &targets, &options, 0)?;
        times.push(now() - t0);
    }
    Ok(median(&mut times))
}

/// [`nb201_candidate_ms`] on a GPU, with what one run dispatched.
#[cfg(not(target_arch = "wasm32"))]
pub fn nb201_candidate_gpu_ms(
    gpu: &crate::gpu::Gpu,
    steps: usize,
    reps: usize,
    now: &dyn Fn() -> f64,
) -> crate::Result<(f64, crate::gpu::RunCounts)> {
    let (arch, targets, options) = nb201_candidate_workload(Kernels::Fast, steps)?;
    let values = targets.values()?;
    let mut times = vec![];
    let mut counts = Default::default();
    for _ in 0..reps.max(1) {
        let t0 = now();
        let run = crate::gpu::training_curve(gpu, &arch, &values, &options, 0);
        counts = pollster::block_on(run)?.1;
        times.push(now() - t0);
    }
    Ok((median(&mut times), counts))
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        f64::NAN
    } else {
        v[v.len() / 2]
    }
}
