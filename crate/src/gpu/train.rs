//! A candidate's whole RMI training on the GPU, recorded into one command buffer and submitted
//! once: K + 1 forward passes and K updates, with only the per-step records read back.

use super::compile::{compile, Compiled, Sgd};
use super::context::Gpu;
use super::kernels::Kernel;
use super::loss::LossInputs;
use super::program::{Dims, Grid, Program};
use crate::nn::Params;
use crate::proxy::{self, execute::GraphNet};
use crate::rmi::{self, RmiOptions, RmiTargets, StepRecord, TargetValues};
use crate::space::Arch;
use crate::Result;

/// What one run cost: for the benchmark's counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunCounts {
    /// Compute dispatches in one training step (forward, loss, backward, update).
    pub dispatches_per_step: usize,
    /// Buffer clears per step.
    pub clears_per_step: usize,
    pub submits: usize,
}

/// The initial weights a candidate gets on the CPU, in the graph's order.
pub fn initial_weights(graph: &crate::proxy::graph::Graph, seed: u64) -> Result<Vec<Vec<f32>>> {
    let net = GraphNet::new(graph.clone(), Params::seeded(seed, crate::Kernels::Fast))?;
    Ok(net.parameter_values()?)
}

/// Trains `arch` for K steps from the seed's initial weights; every step's record, up to the first
/// non-finite one (as [`rmi::training_curve`]).
pub async fn training_curve(
    gpu: &Gpu,
    arch: &Arch,
    targets: &TargetValues,
    options: &RmiOptions,
    seed: u64,
) -> Result<(Vec<StepRecord>, RunCounts)> {
    options.validate()?;
    let graph = proxy::graph(arch, &options.proxy, targets.classes)?;
    let initial = initial_weights(&graph, rmi::candidate_seed(seed, arch))?;
    let cfg = &options.config;
    let inputs = LossInputs {
        images: &targets.images,
        unit_grams: [&targets.unit_grams[0], &targets.unit_grams[1], &targets.unit_grams[2]],
        labels: &targets.labels,
        beta: cfg.beta as f32,
    };
    let sgd = Sgd {
        lr: cfg.lr as f32,
        momentum: cfg.momentum as f32,
        weight_decay: cfg.weight_decay as f32,
    };
    let mut compiled = compile(Program::new(gpu)?, &graph, &initial, &inputs, sgd)?;
    let steps = cfg.steps;
    let records = compiled.program.zeros(4 * (steps + 1));
    let mut record = vec![];
    for step in 0..=steps {
        let dims = Dims {
            k: step as u32,
            s: [cfg.beta as f32, 0.0, 0.0, 0.0],
            ..Dims::default()
        };
        let binds = [(4, compiled.scalars), (5, records)];
        record.push(
            compiled
                .program
                .prepare(Kernel::Record, dims, &binds, Grid::Groups(1))?,
        );
    }
    let Compiled {
        program,
        forward,
        loss,
        backward,
        update,
        clear,
        ..
    } = &compiled;
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    for (step, record) in record.iter().enumerate() {
        program.clear(&mut encoder, clear);
        program.encode(&mut encoder, forward);
        program.encode(&mut encoder, loss);
        program.encode(&mut encoder, std::slice::from_ref(record));
        if step < steps {
            program.encode(&mut encoder, backward);
            program.encode(&mut encoder, update);
        }
    }
    let values = program.submit_and_read(encoder, &[records]).await?;
    let counts = RunCounts {
        dispatches_per_step: forward.len() + loss.len() + 1 + backward.len() + update.len(),
        clears_per_step: clear.len(),
        submits: 1,
    };
    let mut curve = vec![];
    for (step, r) in values[0].chunks_exact(4).enumerate() {
        let (loss, cka) = (r[0] as f64, [r[1] as f64, r[2] as f64, r[3] as f64]);
        let rmi = cka.iter().sum::<f64>();
        if !(loss.is_finite() && rmi.is_finite()) {
            break;
        }
        curve.push(StepRecord {
            step,
            loss,
            cka,
            rmi: rmi.clamp(0.0, 3.0),
        });
    }
    Ok((curve, counts))
}

/// The candidate's score, as [`rmi::score`] computes it on the CPU.
pub async fn score(
    gpu: &Gpu,
    arch: &Arch,
    targets: &TargetValues,
    options: &RmiOptions,
    seed: u64,
) -> Result<rmi::RmiScore> {
    let (curve, _) = training_curve(gpu, arch, targets, options, seed).await?;
    Ok(match curve.len() == options.config.steps + 1 {
        true => rmi::RmiScore {
            rmi: curve.last().map_or(0.0, |r| r.rmi),
            diverged: false,
        },
        false => rmi::RmiScore {
            rmi: 0.0,
            diverged: true,
        },
    })
}

/// Scores candidates on a GPU, one after another (the CPU pool's counterpart).
pub struct GpuEvaluator {
    pub gpu: Gpu,
    pub targets: TargetValues,
    pub options: RmiOptions,
    pub seed: u64,
}

impl GpuEvaluator {
    pub fn new(gpu: Gpu, targets: &RmiTargets, options: RmiOptions, seed: u64) -> Result<Self> {
        if targets.cka_estimator() != crate::cka::Estimator::Biased {
            crate::bail!(
                "the GPU kernels compute biased CKA only, not {}",
                targets.cka_estimator()
            )
        }
        Ok(Self {
            gpu,
            targets: targets.values()?,
            options,
            seed,
        })
    }
}

impl GpuEvaluator {
    /// The trial's score, as [`crate::RmiEvaluator`] gives it on the CPU.
    pub async fn score_async(&self, trial: &crate::Trial) -> Result<rmi::RmiScore> {
        let (seed, options) = rmi::trial_settings(self.seed, &self.options, trial);
        score(&self.gpu, &trial.arch, &self.targets, &options, seed).await
    }

    /// Every step of one initialisation's training, as [`rmi::training_curve`] gives it on the CPU:
    /// the last record's RMI is [`Self::score_async`]'s.
    pub async fn curve_async(&self, arch: &Arch, replicate: u32) -> Result<Vec<StepRecord>> {
        let seed = rmi::replicate_seed(self.seed, replicate);
        Ok(training_curve(&self.gpu, arch, &self.targets, &self.options, seed)
            .await?
            .0)
    }

    /// [`Self::score_async`], waiting for it (native builds).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn score(&self, trial: &crate::Trial) -> Result<rmi::RmiScore> {
        pollster::block_on(self.score_async(trial))
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl crate::Evaluator for GpuEvaluator {
    fn evaluate(&mut self, trial: &crate::Trial) -> Result<f64> {
        Ok(GpuEvaluator::score(self, trial)?.rmi)
    }
}
