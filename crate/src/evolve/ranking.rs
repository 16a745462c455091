//! A search's answers under its current fitness: every candidate ranked, the best, and the
//! non-dominated front, all re-derived from the scores whenever the fitness changes.

use super::{pareto, Candidate, FrontMember, Search};
use crate::space::Arch;

impl Search {
    /// Every architecture scored so far, best first. Once the finalists are confirmed, those
    /// within budget lead, by their mean RMI: a single initialisation's score is biased upwards
    /// among the best (the reason for confirming), so it cannot overtake a confirmed mean.
    /// Otherwise, and within each group, by fitness; equal fitness (common: many cells share a
    /// cost, and degenerate cells all score 0) by the architecture itself, so that the ranking never
    /// depends on the order in which workers returned their scores.
    ///
    /// The Pareto mode ranks the same way under whatever budget is set: that is its answer for
    /// the budget ([`pareto::pick`] gives the same from a saved list).
    pub fn ranked(&self) -> Vec<Candidate> {
        let mut all: Vec<(&Arch, Candidate)> = self.seen.iter().filter_map(|a| Some((a, self.candidate(a)?))).collect();
        all.sort_by(|(a, x), (b, y)| y.fitness.total_cmp(&x.fitness).then_with(|| a.cmp(b)));
        if self.is_done() && self.config.confirmed_at_most() > 0 {
            let replicates = self.config.replicates as usize;
            all.sort_by_key(|(_, c)| !(c.feasible && c.replicates >= replicates));
        }
        all.into_iter().map(|(_, c)| c).collect()
    }

    pub fn best(&self) -> Option<Candidate> {
        self.ranked().into_iter().next()
    }

    /// The non-dominated candidates by (mean RMI ↑, cost ↓), cheapest first: in the Pareto mode,
    /// what the search found; in either mode, the best answer it has for every budget.
    pub fn front(&self) -> Vec<FrontMember> {
        pareto::front_of(self.scored())
    }

    /// Every candidate scored so far, as a front's members are listed (for [`pareto::pick`]).
    pub fn scored(&self) -> Vec<FrontMember> {
        self.seen
            .iter()
            .filter_map(|a| self.candidate(a))
            .map(|c| FrontMember::from(&c))
            .collect()
    }
}
