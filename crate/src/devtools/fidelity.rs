//! The fidelity study: how well does the proxy's RMI rank NAS-Bench-201 cells by their true
//! accuracy? Every sampled cell is trained once for K steps; its scores after each of the
//! requested step counts come from that one run (`rmi::trajectory`). Beside RMI alone, the study
//! ranks by RMI plus the fitness's complexity prior (`crate::complexity`), the score a search
//! ranks candidates by before the budget's penalty.

use crate::assets::GroundTruth;
use crate::complexity::complexity;
use crate::devtools::stats::{bootstrap, kendall_tau, spearman_rho, Estimate};
use crate::rmi::RmiEvaluator;
use crate::space::{nb201, Arch};
use crate::{bail, Result};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::Serialize;

/// `count` distinct NAS-Bench-201 cells, drawn without replacement by a seeded shuffle.
pub fn sample_cells(count: usize, seed: u64) -> Result<Vec<usize>> {
    if !(3..=nb201::CELLS).contains(&count) {
        bail!("samples must lie in 3..={}, got {count}", nb201::CELLS)
    }
    let mut indices: Vec<usize> = (0..nb201::CELLS).collect();
    indices.shuffle(&mut StdRng::seed_from_u64(seed));
    indices.truncate(count);
    Ok(indices)
}

/// The RMI of every sampled cell after each step count.
pub struct RankStudy {
    pub cells: Vec<usize>,
    /// Step counts, ascending.
    pub at: Vec<usize>,
    /// `rmi[j][i]`: the score of cell i after `at[j]` steps.
    pub rmi: Vec<Vec<f64>>,
    /// `seconds[j]`: the time all cells took to reach their scores after `at[j]` steps.
    pub seconds: Vec<f64>,
}

/// Rank correlations of the scores with one benchmark's accuracies.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Correlations {
    pub kendall_tau: Estimate,
    pub spearman_rho: Estimate,
}

/// One row of the study's results: one step count against the three benchmarks.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct FidelityRow {
    pub steps: usize,
    pub seconds_per_candidate: f64,
    pub cifar10: Correlations,
    pub cifar100: Correlations,
    pub imagenet16: Correlations,
    /// RMI + w·complexity against CIFAR-10, with the prior's weight w (absent when w = 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub with_prior: Option<PriorRow>,
}

/// The ranking with the complexity prior.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct PriorRow {
    pub prior: f64,
    pub cifar10: Correlations,
}

impl RankStudy {
    /// Trains each cell once with `eval` for its K steps; `at` gets K added. `on_cell` hears the
    /// number of cells scored so far.
    pub fn run(
        eval: &RmiEvaluator,
        cells: Vec<usize>,
        at: &[usize],
        clock: &dyn Fn() -> f64,
        mut on_cell: impl FnMut(usize),
    ) -> Result<Self> {
        let mut at = at.to_vec();
        at.push(eval.options.config.steps);
        at.sort_unstable();
        at.dedup();
        let mut rmi = vec![vec![]; at.len()];
        let mut seconds = vec![0.0; at.len()];
        for (n, &i) in cells.iter().enumerate() {
            let arch = Arch::from_nb201_index(i)?;
            let scores = crate::rmi::trajectory(&arch, &eval.targets, &eval.options, eval.seed, &at, clock)?;
            for (j, (score, t)) in scores.into_iter().enumerate() {
                rmi[j].push(score.rmi);
                seconds[j] += t;
            }
            on_cell(n + 1);
        }
        Ok(Self {
            cells,
            at,
            rmi,
            seconds,
        })
    }

    /// Each cell's complexity (the share of the space with fewer multiply-accumulates).
    pub fn complexities(&self) -> Result<Vec<f64>> {
        self.cells
            .iter()
            .map(|&i| Ok(complexity(&Arch::from_nb201_index(i)?)))
            .collect()
    }

    /// Kendall's τ and Spearman's ρ with bootstrap intervals, per step count; with `prior` > 0
    /// also those of RMI + prior·complexity against CIFAR-10.
    pub fn rows(&self, truth: &GroundTruth, resamples: usize, prior: f64) -> Result<Vec<FidelityRow>> {
        let complexities = self.complexities()?;
        let correlations = |scores: &[f64], column: &[f32]| {
            let acc: Vec<f64> = self.cells.iter().map(|&i| column[i] as f64).collect();
            Correlations {
                kendall_tau: bootstrap(scores, &acc, kendall_tau, resamples, 1),
                spearman_rho: bootstrap(scores, &acc, spearman_rho, resamples, 2),
            }
        };
        Ok(self
            .at
            .iter()
            .enumerate()
            .map(|(j, &steps)| {
                let with_prior: Vec<f64> = self.rmi[j]
                    .iter()
                    .zip(&complexities)
                    .map(|(r, c)| r + prior * c)
                    .collect();
                FidelityRow {
                    steps,
                    seconds_per_candidate: self.seconds[j] / self.cells.len() as f64,
                    cifar10: correlations(&self.rmi[j], &truth.cifar10),
                    cifar100: correlations(&self.rmi[j], &truth.cifar100),
                    imagenet16: correlations(&self.rmi[j], &truth.imagenet16),
                    with_prior: (prior > 0.0).then(|| PriorRow {
                        prior,
                        cifar10: correlations(&with_prior, &truth.cifar10),
                    }),
                }
            })
            .collect())
    }

    /// Every cell's scores as CSV: `index`, one `rmi_k<K>` column per step count, `complexity`.
    pub fn csv(&self) -> Result<String> {
        let head: Vec<String> = self.at.iter().map(|k| format!("rmi_k{k}")).collect();
        let mut csv = format!("index,{},complexity\n", head.join(","));
        for ((n, &i), c) in self.cells.iter().enumerate().zip(self.complexities()?) {
            let row: Vec<String> = self.rmi.iter().map(|column| column[n].to_string()).collect();
            csv += &format!("{i},{},{c}\n", row.join(","));
        }
        Ok(csv)
    }
}
