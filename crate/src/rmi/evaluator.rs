//! [`RmiEvaluator`]: trials scored one after another on this thread (one per worker in the
//! browser), a screen's paused training kept for the full training that continues it.

use super::{replicate_seed, RmiOptions, RmiScore, RmiTargets, Training};
use crate::space::Arch;
use crate::trial::{Evaluator, Trial};
use crate::Result;

/// Trainings a screen stopped early, kept so that the full training of the same initialisation
/// continues them instead of starting over (the halving schedule's better half). A few dozen at
/// most: a generation's screens, then the oldest go.
#[derive(Default)]
struct PausedTrainings {
    /// (architecture, initialisation seed, its training), oldest first.
    kept: Vec<(Arch, u64, Training)>,
}

impl PausedTrainings {
    const CAPACITY: usize = 32;

    fn keep(&mut self, arch: Arch, seed: u64, training: Training) {
        self.kept.retain(|(a, s, _)| !(*a == arch && *s == seed));
        if self.kept.len() == Self::CAPACITY {
            self.kept.remove(0);
        }
        self.kept.push((arch, seed, training));
    }

    /// The paused training of this initialisation with at most `steps` updates, removed.
    fn take(&mut self, arch: &Arch, seed: u64, steps: usize) -> Option<Training> {
        let at = self
            .kept
            .iter()
            .position(|(a, s, t)| a == arch && *s == seed && t.updates <= steps)?;
        Some(self.kept.remove(at).2)
    }
}

/// Scores candidates one after another on this thread (one per worker in the browser).
pub struct RmiEvaluator {
    pub targets: RmiTargets,
    pub options: RmiOptions,
    /// The search seed; with the architecture and the replicate it fixes the initial weights.
    pub seed: u64,
    paused: PausedTrainings,
    /// Steps the last score's training continued from (a screen's), if it continued one.
    resumed: Option<usize>,
}

/// What one trial trains with, on any executor: its initialisation's seed, and the search's
/// options with a screen's fewer steps.
pub fn trial_settings(search_seed: u64, options: &RmiOptions, trial: &Trial) -> (u64, RmiOptions) {
    let mut options = *options;
    if let Some(steps) = trial.steps {
        options.config.steps = steps; // a screen: fewer steps than the search's K
    }
    (replicate_seed(search_seed, trial.replicate), options)
}

impl RmiEvaluator {
    pub fn new(targets: RmiTargets, options: RmiOptions, seed: u64) -> Self {
        Self {
            targets,
            options,
            seed,
            paused: PausedTrainings::default(),
            resumed: None,
        }
    }

    /// The trial's score with its divergence flag. A screen of a few steps is kept, paused, and a
    /// later full training of the same initialisation continues it: the same score as training
    /// afresh, for the steps not repeated.
    pub fn score(&mut self, trial: &Trial) -> Result<RmiScore> {
        let (seed, options) = trial_settings(self.seed, &self.options, trial);
        let steps = options.config.steps;
        let resumed = self.paused.take(&trial.arch, seed, steps);
        self.resumed = resumed.as_ref().map(|t| t.updates);
        let mut training = match resumed {
            Some(training) => training,
            None => Training::new(&trial.arch, &self.targets, &options, seed)?,
        };
        let score = training.score(&self.targets, &options)?;
        // A screen that has more to come: the full training may continue it.
        if !score.diverged && steps < self.options.config.steps && steps > 0 {
            self.paused.keep(trial.arch.clone(), seed, training);
        }
        Ok(score)
    }

    /// The steps the last [`score`](Self::score) continued from, when it continued a screen's
    /// training.
    pub fn last_resumed(&self) -> Option<usize> {
        self.resumed
    }
}

impl Evaluator for RmiEvaluator {
    fn evaluate(&mut self, trial: &Trial) -> Result<f64> {
        Ok(RmiEvaluator::score(self, trial)?.rmi)
    }
}
