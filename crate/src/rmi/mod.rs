//! Representation mutual information (RMI-NAS): how well can a freshly initialised candidate be made
//! to mimic the reference's hidden representations on one fixed batch?
//!
//! The candidate is trained for K SGD steps with loss β·(3 − Σ CKA) + (1 − β)·CE, where the CKA
//! terms compare its three stage outputs with the reference's and CE uses the reference's own
//! predictions as labels. The score is Σ CKA (0..3) after training.

use crate::cka::{CkaTarget, Estimator};
use crate::nn::Params;
use crate::optim::SgdMomentum;
use crate::proxy::{self, Features, Network};
use crate::reference::Reference;
use crate::space::Arch;
use crate::{bail, Result};
use candle_core::Tensor;
use serde::{Deserialize, Serialize};

mod config;
mod evaluator;
pub mod stored;

pub use config::{RmiConfig, RmiOptions, ScoreKind, BETA, DEFAULT_STEPS, STEPS};
pub use evaluator::{trial_settings, RmiEvaluator};

/// [`RmiTargets`] as plain values: the images `[n, 3, 32, 32]`, each stage's unit Gram matrix
/// `[n, n]` (zeros for a constant one), the reference's labels.
#[derive(Clone, Debug)]
pub struct TargetValues {
    pub images: Vec<f32>,
    pub unit_grams: [Vec<f32>; 3],
    pub labels: Vec<u32>,
    pub classes: usize,
}

/// What the candidate is trained towards, computed once per search from the reference and batch.
pub struct RmiTargets {
    images: Tensor,
    stages: [CkaTarget; 3],
    labels: Tensor,
    classes: usize,
}

impl RmiTargets {
    /// `images: [n, 3, 32, 32]`, normalised; CKA as published (biased).
    pub fn new(reference: &Reference, images: &Tensor) -> Result<Self> {
        Self::with_cka(reference, images, Estimator::Biased)
    }

    /// The targets of CKA by `estimator`.
    pub fn with_cka(reference: &Reference, images: &Tensor, estimator: Estimator) -> Result<Self> {
        let (n, least) = (images.dim(0)?, estimator.min_examples());
        if n < least {
            bail!("the RMI batch needs at least {least} images for {estimator} CKA, got {n}")
        }
        let Features { stages, logits } = reference.features(images, false)?;
        let labels = logits.argmax(candle_core::D::Minus1)?;
        let target = |s: &Tensor| CkaTarget::with_estimator(s, reference.kernels(), estimator);
        Ok(Self {
            images: images.clone(),
            stages: [target(&stages[0])?, target(&stages[1])?, target(&stages[2])?],
            labels,
            classes: reference.classes(),
        })
    }

    pub fn batch_size(&self) -> usize {
        self.images.dim(0).unwrap_or(0)
    }

    /// The batch the targets are on, `[n, 3, 32, 32]`, normalised.
    pub fn images(&self) -> &Tensor {
        &self.images
    }

    /// Classes of the reference's labels.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// How CKA is estimated against these targets.
    pub fn cka_estimator(&self) -> Estimator {
        self.stages[0].estimator()
    }

    /// The targets as plain values, for an executor other than candle's (the GPU's).
    pub fn values(&self) -> Result<TargetValues> {
        Ok(TargetValues {
            images: self.images.flatten_all()?.to_vec1::<f32>()?,
            unit_grams: [
                self.stages[0].unit_gram_values()?,
                self.stages[1].unit_gram_values()?,
                self.stages[2].unit_gram_values()?,
            ],
            labels: self.labels.to_vec1::<u32>()?,
            classes: self.classes,
        })
    }

    /// The RMI loss and Σ CKA of a forward pass's features, as differentiable scalars.
    pub fn loss_of(&self, f: &Features, beta: f64) -> Result<(Tensor, Tensor)> {
        Ok(rmi_loss(f, &self.stages, &self.labels, beta)?)
    }

    /// (loss, Σ CKA, each stage's CKA) of a network's forward pass on the batch.
    fn loss(&self, net: &dyn Network, beta: f64) -> Result<(Tensor, f64, [Tensor; 3])> {
        let f = net.features(&self.images, true)?;
        let (loss, cka_sum, stages) = rmi_terms(&f, &self.stages, &self.labels, beta)?;
        Ok((loss, scalar(&cka_sum)?, stages))
    }
}

fn scalar(t: &Tensor) -> Result<f64> {
    Ok(t.to_dtype(candle_core::DType::F64)?.to_scalar::<f64>()?)
}

/// β·(3 − Σ CKA) + (1 − β)·CE(logits, labels), and Σ CKA, as differentiable scalars.
pub fn rmi_loss(
    f: &Features,
    targets: &[CkaTarget; 3],
    labels: &Tensor,
    beta: f64,
) -> candle_core::Result<(Tensor, Tensor)> {
    let (loss, cka_sum, _) = rmi_terms(f, targets, labels, beta)?;
    Ok((loss, cka_sum))
}

/// [`rmi_loss`] with each stage's CKA beside the sum.
fn rmi_terms(
    f: &Features,
    targets: &[CkaTarget; 3],
    labels: &Tensor,
    beta: f64,
) -> candle_core::Result<(Tensor, Tensor, [Tensor; 3])> {
    let stages = [
        targets[0].cka(&f.stages[0])?,
        targets[1].cka(&f.stages[1])?,
        targets[2].cka(&f.stages[2])?,
    ];
    let cka_sum = ((&stages[0] + &stages[1])? + &stages[2])?;
    let ce = candle_nn::loss::cross_entropy(&f.logits, labels)?;
    let loss = (cka_sum.affine(-beta, 3.0 * beta)? + (ce * (1.0 - beta))?)?;
    Ok((loss, cka_sum, stages))
}

/// The score of one candidate.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RmiScore {
    /// Σ CKA after training, in [0, 3].
    pub rmi: f64,
    /// Training produced a non-finite loss; the score is then 0.
    pub diverged: bool,
}

/// Mixes the search seed with the architecture so that a candidate's initial weights depend on
/// nothing else (splitmix64 finaliser).
pub fn candidate_seed(search_seed: u64, arch: &Arch) -> u64 {
    let mut z = search_seed ^ arch.fingerprint().rotate_left(17);
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The search seed behind an architecture's `replicate`-th independent initialisation; replicate 0
/// is the search seed itself.
pub fn replicate_seed(search_seed: u64, replicate: u32) -> u64 {
    search_seed ^ u64::from(replicate).wrapping_mul(0xd1b5_4a32_d192_ed03)
}

/// Trains a fresh candidate for K steps and returns its score.
pub fn score(arch: &Arch, targets: &RmiTargets, options: &RmiOptions, seed: u64) -> Result<RmiScore> {
    Training::new(arch, targets, options, seed)?.score(targets, options)
}

/// The scores the candidate would get with K = each of `at` (all ≤ K), from one training run: the
/// score after k steps does not depend on how many steps follow. Used by the fidelity study to
/// sweep K at the cost of its largest value. Each score comes with the time `clock` had advanced
/// when it was known (the cost of scoring with that K).
pub fn trajectory(
    arch: &Arch,
    targets: &RmiTargets,
    options: &RmiOptions,
    seed: u64,
    at: &[usize],
    clock: &dyn Fn() -> f64,
) -> Result<Vec<(RmiScore, f64)>> {
    if let Some(&k) = at.iter().find(|&&k| k > options.config.steps) {
        bail!(
            "cannot report the score after {k} steps of a {}-step run",
            options.config.steps
        )
    }
    let diverged = RmiScore {
        rmi: 0.0,
        diverged: true,
    };
    let start = clock();
    let mut scores = vec![(diverged, 0.0); at.len()];
    let (kind, beta) = (options.config.score, options.config.beta);
    let completed = train(arch, targets, options, seed, false, |record| {
        let score = RmiScore {
            rmi: kind.of(record.rmi, record.loss, beta),
            diverged: false,
        };
        let elapsed = clock() - start;
        for (slot, _) in scores.iter_mut().zip(at).filter(|(_, &k)| k == record.step) {
            *slot = (score, elapsed);
        }
        Ok(())
    })?;
    if completed < options.config.steps + 1 {
        // Divergence is final: this and every later K keep the diverged score.
        let elapsed = clock() - start;
        for (slot, _) in scores.iter_mut().zip(at).filter(|(_, &k)| k >= completed) {
            slot.1 = elapsed;
        }
    }
    Ok(scores)
}

/// One step of a candidate's training, as the teaching view draws it: the forward pass after
/// `step` updates.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct StepRecord {
    pub step: usize,
    /// β·(3 − Σ CKA) + (1 − β)·CE.
    pub loss: f64,
    /// Linear CKA of each stage's output with the reference's.
    pub cka: [f64; 3],
    /// Σ CKA, clamped to [0, 3]: the score had training stopped here.
    pub rmi: f64,
}

/// Every step of a candidate's training, 0..=K (fewer when it diverges): what its score is made
/// of. The last record's `rmi` is [`score`]'s for the same seed.
pub fn training_curve(arch: &Arch, targets: &RmiTargets, options: &RmiOptions, seed: u64) -> Result<Vec<StepRecord>> {
    let mut curve = vec![];
    train(arch, targets, options, seed, true, |record| {
        curve.push(record);
        Ok(())
    })?;
    Ok(curve)
}

/// Trains a fresh candidate for K steps and hands `visit` the forward pass of each step 0..=K
/// (each stage's CKA only when `stages` asks: a search needs the sum alone); stops at the first
/// non-finite loss or score (not visited). Returns the steps visited.
fn train(
    arch: &Arch,
    targets: &RmiTargets,
    options: &RmiOptions,
    seed: u64,
    stages: bool,
    visit: impl FnMut(StepRecord) -> Result<()>,
) -> Result<usize> {
    Training::new(arch, targets, options, seed)?.run(targets, options, options.config.steps, stages, visit)
}

/// One candidate's training in progress: its network, its optimiser's state, and the updates made
/// so far. Training is deterministic, so running it to k steps and later on to K gives what one run
/// to K gives, bit for bit.
struct Training {
    net: Box<dyn Network>,
    opt: SgdMomentum,
    /// SGD updates applied so far.
    updates: usize,
}

impl Training {
    fn new(arch: &Arch, targets: &RmiTargets, options: &RmiOptions, seed: u64) -> Result<Self> {
        let cfg = &options.config;
        let params = Params::seeded(candidate_seed(seed, arch), options.kernels);
        let net = proxy::build(arch, &options.proxy, targets.classes, params.clone())?;
        let opt = SgdMomentum::new(params.trainable(), cfg.lr, cfg.momentum, cfg.weight_decay);
        Ok(Self { net, opt, updates: 0 })
    }

    /// Runs on until `steps` updates are made, visiting the forward pass after each count of
    /// updates from the current one on (so a resumed training visits its last step again); stops
    /// at the first non-finite loss or score (not visited). Returns one past the last step
    /// visited: `steps + 1` when nothing diverged.
    fn run(
        &mut self,
        targets: &RmiTargets,
        options: &RmiOptions,
        steps: usize,
        stages: bool,
        mut visit: impl FnMut(StepRecord) -> Result<()>,
    ) -> Result<usize> {
        let beta = options.config.beta;
        for step in self.updates..=steps {
            // The forward pass of step k scores the network after k updates.
            let (loss, rmi, stage_cka) = targets.loss(self.net.as_ref(), beta)?;
            let loss_value = scalar(&loss)?;
            if !(rmi.is_finite() && loss_value.is_finite()) {
                return Ok(step);
            }
            visit(StepRecord {
                step,
                loss: loss_value,
                cka: match stages {
                    true => [scalar(&stage_cka[0])?, scalar(&stage_cka[1])?, scalar(&stage_cka[2])?],
                    false => [0.0; 3],
                },
                rmi: rmi.clamp(0.0, 3.0),
            })?;
            if step == steps {
                break;
            }
            self.opt.step(&loss.backward()?)?;
            self.updates += 1;
        }
        Ok(steps + 1)
    }

    /// Runs on to K (`options`') and returns the score after it; a diverged training scores 0.
    fn score(&mut self, targets: &RmiTargets, options: &RmiOptions) -> Result<RmiScore> {
        let steps = options.config.steps;
        let mut last = None;
        let (kind, beta) = (options.config.score, options.config.beta);
        let completed = self.run(targets, options, steps, false, |record| {
            last = Some(kind.of(record.rmi, record.loss, beta));
            Ok(())
        })?;
        Ok(match last {
            Some(rmi) if completed == steps + 1 => RmiScore { rmi, diverged: false },
            _ => RmiScore {
                rmi: 0.0,
                diverged: true,
            },
        })
    }
}
