//! Driving a [`Search`] to the end with one evaluator (the CLI, the studies, the tests).

use super::{Candidate, Evaluator, GenerationStats, Search};
use crate::Result;
use serde::Serialize;
use std::ops::ControlFlow;

/// Progress of a running search.
#[derive(Clone, Debug, Serialize)]
pub struct Progress {
    pub generation: usize,
    pub generations: usize,
    pub evaluations: usize,
    /// Candidates of this generation scored so far, and how many it needs.
    pub scored_in_generation: usize,
    pub pending_in_generation: usize,
    pub best: Option<Candidate>,
    /// Set when a generation (or the confirmation round) has just closed.
    pub closed: Option<GenerationStats>,
    /// In (or just closed) the confirmation round rather than a generation.
    pub confirming: bool,
}

/// Runs the search to the end with one evaluator. `on_progress` is called after each candidate and
/// each generation; returning `ControlFlow::Break(())` stops the search (cancellation), keeping what
/// was scored.
pub fn run(
    search: &mut Search,
    evaluator: &mut dyn Evaluator,
    mut on_progress: impl FnMut(&Progress) -> ControlFlow<()>,
) -> Result<()> {
    while !search.is_done() {
        // A generation may come in stages (a screen, then the trainings it chose): score each
        // stage's trials until none is left, then close the generation.
        let mut scored = 0;
        loop {
            let pending = search.pending();
            if pending.is_empty() {
                break;
            }
            for (i, trial) in pending.iter().enumerate() {
                let rmi = evaluator.evaluate(trial)?;
                search.record(trial.clone(), rmi)?;
                let progress = Progress {
                    generation: search.generation(),
                    generations: search.config().generations,
                    evaluations: search.evaluations(),
                    scored_in_generation: i + 1,
                    pending_in_generation: pending.len(),
                    best: search.best(),
                    closed: None,
                    confirming: search.is_confirming(),
                };
                if on_progress(&progress).is_break() {
                    return Ok(());
                }
            }
            scored += pending.len();
        }
        let stats = search.advance()?;
        let progress = Progress {
            generation: stats.generation,
            generations: search.config().generations,
            evaluations: search.evaluations(),
            scored_in_generation: scored,
            pending_in_generation: scored,
            best: search.best(),
            closed: Some(stats),
            confirming: stats.generation >= search.config().generations,
        };
        if on_progress(&progress).is_break() {
            return Ok(());
        }
    }
    Ok(())
}
