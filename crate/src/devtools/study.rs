//! The constrained-search study: for NAS-Bench-201 budgets, how close does the search's pick come
//! to the best feasible cell of the whole table, against random search with as many trainings?

use crate::complexity::complexity;
use crate::cost::CostTable;
use crate::evolve::{self, Evaluator, EvolutionConfig, Search, Trial};
use crate::fitness::Fitness;
use crate::space::{Arch, Space};
use crate::{bail, Result};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;

/// Remembers every score of an evaluator whose score depends on the trial alone (one search seed
/// for the whole study), so the many searches of the constrained-search study never train a cell's
/// initialisation twice.
pub struct Memo<'a> {
    inner: &'a mut dyn Evaluator,
    scores: HashMap<Trial, f64>,
}

impl<'a> Memo<'a> {
    pub fn new(inner: &'a mut dyn Evaluator) -> Self {
        Self {
            inner,
            scores: HashMap::new(),
        }
    }

    /// Trainings run so far.
    pub fn trained(&self) -> usize {
        self.scores.len()
    }

    /// The score of a trial, if it was trained.
    pub fn known(&self, trial: &Trial) -> Option<f64> {
        self.scores.get(trial).copied()
    }

    /// Scores saved by [`Memo::save`] for the same evaluator (`key` names its settings: a file
    /// saved under another key is refused), so that studies run one after another share them.
    pub fn load(&mut self, path: &std::path::Path, key: &str, space: Space) -> Result<()> {
        let Ok(text) = std::fs::read_to_string(path) else {
            return Ok(());
        };
        let saved: SavedScores = serde_json::from_str(&text).map_err(|e| crate::invalid!("{}: {e}", path.display()))?;
        if saved.key != key {
            bail!("{} holds scores for '{}', not '{key}'", path.display(), saved.key)
        }
        for (arch, replicate, steps, rmi) in saved.scores {
            let trial = Trial {
                arch: Arch::parse(space, &arch)?,
                replicate,
                steps,
            };
            self.scores.insert(trial, rmi);
        }
        Ok(())
    }

    /// Writes every score to `path` under `key` (see [`Memo::load`]).
    pub fn save(&self, path: &std::path::Path, key: &str) -> Result<()> {
        let mut scores: Vec<(String, u32, Option<usize>, f64)> = self
            .scores
            .iter()
            .map(|(t, &rmi)| (t.arch.to_string(), t.replicate, t.steps, rmi))
            .collect();
        scores.sort_by(|a, b| (&a.0, a.1, a.2).cmp(&(&b.0, b.1, b.2)));
        let saved = SavedScores {
            key: key.to_string(),
            scores,
        };
        let text = serde_json::to_string(&saved).map_err(|e| crate::invalid!("{e}"))?;
        std::fs::write(path, text).map_err(|e| crate::invalid!("cannot write {}: {e}", path.display()))
    }
}

#[derive(Serialize, serde::Deserialize)]
struct SavedScores {
    key: String,
    scores: Vec<(String, u32, Option<usize>, f64)>,
}

impl Evaluator for Memo<'_> {
    fn evaluate(&mut self, trial: &Trial) -> Result<f64> {
        if let Some(&rmi) = self.scores.get(trial) {
            return Ok(rmi);
        }
        let rmi = self.inner.evaluate(trial)?;
        self.scores.insert(trial.clone(), rmi);
        Ok(rmi)
    }
}

/// The NB201 cell a strategy settled on, with its true accuracy and cost.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Pick {
    pub index: usize,
    pub accuracy: f64,
    pub cost: f64,
}

/// One constrained search against the table's best and against random search.
#[derive(Clone, Debug, Serialize)]
pub struct ConstrainedRun {
    pub threshold: f64,
    pub seed: u64,
    /// Distinct cells the evolutionary search scored (random search gets as many).
    pub evaluations: usize,
    /// Trainings in all, the confirmation round's included (random search gets as many).
    pub trials: usize,
    /// The best feasible cell in the whole table, by true accuracy.
    pub best_feasible: Pick,
    /// The evolutionary search's best feasible candidate after its confirmation round, if any.
    pub evolution: Option<Pick>,
    /// What it would have picked by the first initialisation's scores alone.
    pub evolution_single: Option<Pick>,
    /// Random search's best feasible candidate among as many uniform samples, after the same
    /// confirmation round.
    pub random: Option<Pick>,
    /// What random search would have picked by the first initialisation's scores alone.
    pub random_single: Option<Pick>,
}

/// Runs the evolutionary search for one threshold and seed, then random search with the same number
/// of evaluations and the same confirmation round, and compares both with the best feasible cell of
/// the table. `accuracy[i]` is the true accuracy of NB201 cell i; `table` gives every cell's cost;
/// `fitness` is the search's (its threshold is the budget).
pub fn constrained_search(
    table: &CostTable,
    accuracy: &[f32],
    fitness: Fitness,
    config: EvolutionConfig,
    evaluator: &mut Memo,
) -> Result<ConstrainedRun> {
    let threshold = fitness.threshold;
    let costs = match table.per_arch_values() {
        Some(v) if v.len() == accuracy.len() => v,
        _ => bail!("the constrained-search study needs a per-cell NAS-Bench-201 cost table"),
    };
    let pick = |i: usize| Pick {
        index: i,
        accuracy: accuracy[i] as f64,
        cost: costs[i],
    };
    let best_feasible = crate::assets::best_feasible(costs, accuracy, threshold)
        .map(pick)
        .ok_or_else(|| crate::Error::Invalid(format!("no cell costs at most {threshold}")))?;
    let first_score = |memo: &Memo, i: usize| -> Result<f64> {
        let arch = Arch::from_nb201_index(i)?;
        memo.known(&Trial::first(arch))
            .ok_or_else(|| crate::Error::Invalid(format!("cell {i} was ranked but never trained")))
    };
    // A search's pick: its best feasible candidate after the confirmation round; and what it
    // would have picked by the first initialisation's scores alone (best feasible by fitness).
    let picks = |search: &Search, memo: &Memo| -> Result<(Option<Pick>, Option<Pick>)> {
        let ranked = search.ranked();
        let confirmed = ranked.iter().find(|c| c.feasible).and_then(|c| c.index).map(pick);
        let mut single: Option<(f64, usize)> = None;
        for i in ranked.iter().filter_map(|c| c.index).filter(|&i| costs[i] <= threshold) {
            let f = fitness.fitness(first_score(memo, i)?, costs[i], complexity(&Arch::from_nb201_index(i)?));
            if single.is_none_or(|(b, _)| f > b) {
                single = Some((f, i));
            }
        }
        Ok((confirmed, single.map(|(_, i)| pick(i))))
    };
    let mut search = Search::new(Space::Nb201, config, table.clone(), fitness)?;
    evolve::run(&mut search, evaluator, |_| ControlFlow::Continue(()))?;
    let (evolution, evolution_single) = picks(&search, evaluator)?;
    let evaluations = search.evaluations();
    // Random search: the first `evaluations` distinct cells of a seeded uniform stream, scored as
    // one generation, then the same confirmation round.
    let mut rng = StdRng::seed_from_u64(config.seed ^ 0x05ee_d0f7_a2d0);
    let mut sample = vec![];
    let mut seen = HashSet::new();
    while sample.len() < evaluations.min(costs.len()) {
        let arch = Space::Nb201.sample(&mut rng);
        if seen.insert(arch.clone()) {
            sample.push(arch);
        }
    }
    let mut random_search = Search::random(Space::Nb201, config, table.clone(), fitness, sample)?;
    evolve::run(&mut random_search, evaluator, |_| ControlFlow::Continue(()))?;
    let (random, random_single) = picks(&random_search, evaluator)?;
    Ok(ConstrainedRun {
        threshold,
        seed: config.seed,
        evaluations,
        trials: search.trials(),
        best_feasible,
        evolution,
        evolution_single,
        random,
        random_single,
    })
}

/// What one strategy's picks came to over many runs.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct GapSummary {
    /// Mean points of true accuracy below the best feasible cell, over the runs with a pick.
    pub mean_gap_points: f64,
    /// Runs in which the strategy picked a feasible cell.
    pub found_feasible: usize,
}

impl GapSummary {
    fn of(runs: &[ConstrainedRun], pick: impl Fn(&ConstrainedRun) -> Option<Pick>) -> Self {
        let gaps: Vec<f64> = runs
            .iter()
            .filter_map(|r| Some(r.best_feasible.accuracy - pick(r)?.accuracy))
            .collect();
        Self {
            mean_gap_points: crate::devtools::stats::mean(&gaps),
            found_feasible: gaps.len(),
        }
    }
}

/// The constrained-search study's summary: evolution against random search.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct StudySummary {
    pub evolution: GapSummary,
    pub random: GapSummary,
    /// The same by the first initialisation's scores alone (no confirmation round).
    pub evolution_single: GapSummary,
    pub random_single: GapSummary,
    /// Runs where evolution's pick is truly more accurate than random search's (a missing pick
    /// loses), and runs where both picked equally accurate cells.
    pub evolution_beats_random: usize,
    pub ties: usize,
}

impl StudySummary {
    pub fn of(runs: &[ConstrainedRun]) -> Self {
        let accuracy = |p: Option<Pick>| p.map(|p| p.accuracy);
        Self {
            evolution: GapSummary::of(runs, |r| r.evolution),
            random: GapSummary::of(runs, |r| r.random),
            evolution_single: GapSummary::of(runs, |r| r.evolution_single),
            random_single: GapSummary::of(runs, |r| r.random_single),
            evolution_beats_random: runs
                .iter()
                .filter(|r| {
                    let acc = |p: Option<Pick>| accuracy(p).unwrap_or(f64::NEG_INFINITY);
                    acc(r.evolution) > acc(r.random)
                })
                .count(),
            ties: runs
                .iter()
                .filter(|r| accuracy(r.evolution) == accuracy(r.random))
                .count(),
        }
    }
}
