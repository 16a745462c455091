//! What is scored: a [`Trial`] (an architecture, one of its initialisations, its training steps),
//! and the [`Evaluator`] that turns trials into RMI scores. The search (`evolve`) asks for trials;
//! the CPU (`rmi`) and GPU (`gpu`) executors answer them; neither knows the other.

use crate::space::Arch;
use crate::Result;

/// One scoring job: an architecture, which of its independent initialisations to train (replicate
/// 0 during the evolution; finalists get more in the confirmation round), and for how many steps
/// (`None`: the evaluator's K; a screen asks for fewer).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Trial {
    pub arch: Arch,
    pub replicate: u32,
    pub steps: Option<usize>,
}

impl Trial {
    pub fn first(arch: Arch) -> Self {
        Self {
            arch,
            replicate: 0,
            steps: None,
        }
    }

    /// A screening of `arch` after `steps` training steps.
    pub fn screen(arch: Arch, steps: usize) -> Self {
        Self {
            arch,
            replicate: 0,
            steps: Some(steps),
        }
    }
}

/// Turns trials into RMI scores; one per worker.
pub trait Evaluator {
    fn evaluate(&mut self, trial: &Trial) -> Result<f64>;
}
