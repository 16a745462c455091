//! How a candidate is trained and scored ([`RmiConfig`], [`ScoreKind`]), and everything else its
//! score depends on ([`RmiOptions`]), with the bounds the schema collects.

use crate::bounds::{IntRange, NumberRange};
use crate::kernels::Kernels;
use crate::proxy::ProxyConfig;
use crate::{bail, Result};
use serde::{Deserialize, Serialize};

pub const STEPS: IntRange = IntRange {
    name: "steps",
    min: 0,
    max: 500,
};
pub const BETA: NumberRange = NumberRange {
    name: "beta",
    min: 0.0,
    max: 1.0,
};

/// K when nothing says otherwise: the CLI's and the page's default (FIDELITY.md).
pub const DEFAULT_STEPS: usize = 20;

crate::named_enum! {
    /// What a trained candidate is scored by.
    #[derive(Default)]
    pub enum ScoreKind: "score" {
        /// Σ CKA after training, in [0, 3]: HW-EvRSNAS's RMI score.
        #[default]
        Cka = "cka" => "Σ CKA after training (HW-EvRSNAS)",
        /// 3β minus the mixed loss after training, β·Σ CKA − (1 − β)·CE: RMI-NAS ranks by that loss.
        Loss = "loss" => "3β − the mixed loss after training (RMI-NAS)",
    }
}

impl ScoreKind {
    /// The score of a forward pass with Σ CKA `rmi` (clamped to [0, 3]) and mixed loss `loss`.
    pub fn of(self, rmi: f64, loss: f64, beta: f64) -> f64 {
        match self {
            ScoreKind::Cka => rmi,
            ScoreKind::Loss => 3.0 * beta - loss,
        }
    }

    fn is_default(&self) -> bool {
        *self == ScoreKind::Cka
    }
}

/// Training of one candidate; defaults are RMI-NAS's, but for K, which the fidelity study sets.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RmiConfig {
    /// Weight of the CKA term; 1 − β weighs cross-entropy.
    pub beta: f64,
    pub lr: f64,
    pub momentum: f64,
    pub weight_decay: f64,
    /// K, the number of SGD steps on the batch.
    pub steps: usize,
    /// What the trained candidate is scored by (printed only where it is not the default).
    #[serde(skip_serializing_if = "ScoreKind::is_default")]
    pub score: ScoreKind,
}

impl Default for RmiConfig {
    fn default() -> Self {
        Self {
            beta: 0.8,
            lr: 0.1,
            momentum: 0.9,
            weight_decay: 5e-4,
            steps: DEFAULT_STEPS,
            score: ScoreKind::default(),
        }
    }
}

impl RmiConfig {
    pub fn validate(&self) -> Result<()> {
        BETA.check(self.beta)?;
        STEPS.check(self.steps as u64)?;
        if !(self.lr.is_finite() && self.lr > 0.0) {
            bail!("learning rate must be a positive number, got {}", self.lr)
        }
        let momentum_ok = (0.0..1.0).contains(&self.momentum);
        if !(momentum_ok && self.weight_decay >= 0.0 && self.weight_decay.is_finite()) {
            bail!("momentum must lie in [0, 1) and weight decay be ≥ 0")
        }
        Ok(())
    }
}

/// Everything a candidate's score depends on besides its architecture, the targets and the seed:
/// how it is trained, the proxy network it is trained as, and the kernels that run it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RmiOptions {
    pub config: RmiConfig,
    pub proxy: ProxyConfig,
    pub kernels: Kernels,
}

impl RmiOptions {
    pub fn validate(&self) -> Result<()> {
        self.config.validate()?;
        self.proxy.validate()
    }
}
