//! What a search reports: each scored architecture as a [`Candidate`] under the current fitness,
//! and each closed generation's [`GenerationStats`].

use serde::{Deserialize, Serialize};

/// An evaluated architecture under the current fitness.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub arch: String,
    pub index: Option<usize>,
    /// Mean RMI over the initialisations scored so far.
    pub rmi: f64,
    /// How many initialisations `rmi` averages (more than one for finalists).
    pub replicates: usize,
    pub cost: f64,
    pub measured: bool,
    /// The share of the space with fewer multiply-accumulates (`crate::complexity`), 0..1.
    pub complexity: f64,
    pub fitness: f64,
    pub feasible: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GenerationStats {
    pub generation: usize,
    pub best_fitness: f64,
    pub mean_fitness: f64,
    /// Distinct architectures trained so far.
    pub evaluations: usize,
    /// Trainings so far (finalists count once per initialisation).
    pub trials: usize,
}
