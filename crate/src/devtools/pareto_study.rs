//! The Pareto study: one multi-objective search per NAS-Bench-201 device and seed, measured
//! against the table's true accuracy-vs-cost front (hypervolume) and, at nine budgets, against
//! the best feasible cell, constrained searches at each budget, and random cells.

use super::study::{Memo, Pick};
use crate::cost::CostTable;
use crate::evolve::{self, pareto, Evaluator, EvolutionConfig, FrontMember, Mode, Search, Trial};
use crate::fitness::Fitness;
use crate::space::Space;
use crate::{bail, Result};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::Serialize;
use std::collections::HashSet;
use std::ops::ControlFlow;

/// The budgets every run answers: the 10th to 90th percentiles of the device's costs.
pub const PERCENTILES: [f64; 9] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/// Which strategies a run measures.
#[derive(Clone, Copy, Debug)]
pub struct Strategies {
    pub pareto: bool,
    pub random: bool,
    pub constrained: bool,
}

/// One budget: the table's best cell within it and each strategy's pick.
#[derive(Clone, Debug, Serialize)]
pub struct BudgetPicks {
    pub percentile: f64,
    pub threshold: f64,
    pub best_feasible: Pick,
    /// The front's best member by RMI within the budget.
    pub pareto: Option<Pick>,
    /// The best by the constrained search's fitness (two-sided penalty at this budget) among the
    /// front's members within it, and among every feasible candidate, confirmed ones first.
    pub pareto_front_fitness: Option<Pick>,
    pub pareto_fitness: Option<Pick>,
    /// The same among every feasible candidate by mean RMI, confirmed or not.
    pub pareto_fitness_any: Option<Pick>,
    pub random: Option<Pick>,
    /// Random cells by that fitness.
    pub random_fitness: Option<Pick>,
    pub constrained: Option<Pick>,
    /// Trainings of the constrained search for this budget alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constrained_trials: Option<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ParetoRun {
    pub seed: u64,
    /// The Pareto search's trainings in all (confirmation included), if it ran.
    pub pareto_trials: Option<usize>,
    /// Its front: NB201 indices, cheapest first.
    pub front: Vec<usize>,
    /// Hypervolume of the front's cells in (true accuracy, cost) over the whole table's.
    pub hypervolume_fraction: Option<f64>,
    /// Random cells scored (one constrained search's planned trainings).
    pub random_cells: usize,
    pub budgets: Vec<BudgetPicks>,
}

/// The reference point of the hypervolume: the table's median accuracy (cells below it count for
/// nothing: every front worth the name beats it) and its highest cost.
pub fn hypervolume_reference(costs: &[f64], accuracy: &[f32]) -> (f64, f64) {
    let acc: Vec<f64> = accuracy.iter().map(|&a| a as f64).collect();
    let highest = costs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (super::stats::percentile(&acc, 0.5), highest)
}

/// Hypervolume in (true accuracy, cost) of the given cells.
pub fn true_hypervolume(cells: &[usize], costs: &[f64], accuracy: &[f32]) -> f64 {
    let points: Vec<(f64, f64)> = cells.iter().map(|&i| (accuracy[i] as f64, costs[i])).collect();
    pareto::hypervolume(&points, hypervolume_reference(costs, accuracy))
}

fn index(c: &FrontMember) -> Result<usize> {
    c.index
        .ok_or_else(|| crate::invalid!("the Pareto study needs NAS-Bench-201 candidates"))
}

/// Runs the chosen strategies for one device's `table` and `seed`. `pareto_config` is the Pareto
/// search's (its mode is set here), `constrained_config` each budget's constrained search and the
/// size of the random sample (its planned trainings); `fitness` gives λ and the penalty shape.
#[allow(clippy::too_many_arguments)]
pub fn pareto_run(
    table: &CostTable,
    accuracy: &[f32],
    pareto_config: EvolutionConfig,
    constrained_config: EvolutionConfig,
    fitness: Fitness,
    strategies: Strategies,
    evaluator: &mut Memo,
) -> Result<ParetoRun> {
    let costs = match table.per_arch_values() {
        Some(v) if v.len() == accuracy.len() => v,
        _ => bail!("the Pareto study needs a per-cell NAS-Bench-201 cost table"),
    };
    let pick = |i: usize| Pick {
        index: i,
        accuracy: accuracy[i] as f64,
        cost: costs[i],
    };
    let seed = pareto_config.seed;
    let thresholds: Vec<f64> = PERCENTILES
        .iter()
        .map(|&q| super::stats::percentile(costs, q))
        .collect();
    // The Pareto search: one run, then a pick from its front per budget.
    let mut front = vec![];
    let mut pareto_candidates = vec![];
    let mut pareto_trials = None;
    if strategies.pareto {
        let config = EvolutionConfig {
            mode: Mode::Pareto,
            screen: None,
            ..pareto_config
        };
        let mut search = Search::new(Space::Nb201, config, table.clone(), fitness)?;
        evolve::run(&mut search, evaluator, |_| ControlFlow::Continue(()))?;
        front = search.front();
        pareto_candidates = search.scored();
        pareto_trials = Some(search.trials());
    }
    // Random cells, each trained once: their own front answers the budgets.
    let mut random_front = vec![];
    let mut random_members: Vec<FrontMember> = vec![];
    let random_cells = if strategies.random {
        constrained_config.planned_trials()
    } else {
        0
    };
    if random_cells > 0 {
        let mut rng = StdRng::seed_from_u64(seed ^ 0x05ee_d0f7_a2d0);
        let mut seen = HashSet::new();
        let mut scored = vec![];
        while scored.len() < random_cells.min(costs.len()) {
            let arch = Space::Nb201.sample(&mut rng);
            if seen.insert(arch.clone()) {
                let rmi = evaluator.evaluate(&Trial::first(arch.clone()))?;
                scored.push((arch, rmi));
            }
        }
        let members = scored
            .iter()
            .map(|(arch, rmi)| {
                let cost = table.cost(arch)?;
                Ok(FrontMember {
                    arch: arch.to_string(),
                    index: arch.nb201_index(),
                    rmi: *rmi,
                    replicates: 1,
                    cost: cost.value,
                    measured: cost.measured,
                    complexity: crate::complexity::complexity(arch),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        random_members = members.clone();
        random_front = pareto::front_of(members);
    }
    let mut budgets = vec![];
    for (&percentile, &threshold) in PERCENTILES.iter().zip(&thresholds) {
        let best_feasible = crate::assets::best_feasible(costs, accuracy, threshold)
            .map(pick)
            .ok_or_else(|| crate::invalid!("no cell costs at most {threshold}"))?;
        // The front's best member by RMI within the budget.
        let from = |f: &[FrontMember]| -> Result<Option<Pick>> {
            let best = f
                .iter()
                .filter(|m| m.cost <= threshold)
                .max_by(|a, b| a.rmi.total_cmp(&b.rmi).then_with(|| b.arch.cmp(&a.arch)));
            best.map(index).transpose().map(|i| i.map(pick))
        };
        let fit = Fitness { threshold, ..fitness };
        // The library's answer (pareto::pick: confirmed first, then fitness), and the same with
        // every member counted as trained once.
        let by_fitness = |f: &[FrontMember]| -> Result<Option<Pick>> {
            pareto::pick(f, &fit)
                .as_ref()
                .map(index)
                .transpose()
                .map(|i| i.map(pick))
        };
        let by_fitness_any = |f: &[FrontMember]| {
            let once: Vec<FrontMember> = f
                .iter()
                .map(|m| FrontMember {
                    replicates: 1,
                    ..m.clone()
                })
                .collect();
            by_fitness(&once)
        };
        let (mut constrained, mut constrained_trials) = (None, None);
        if strategies.constrained {
            let fitness = Fitness { threshold, ..fitness };
            let mut search = Search::new(Space::Nb201, constrained_config, table.clone(), fitness)?;
            evolve::run(&mut search, evaluator, |_| ControlFlow::Continue(()))?;
            constrained = (search.ranked().iter().find(|c| c.feasible))
                .and_then(|c| c.index)
                .map(pick);
            constrained_trials = Some(search.trials());
        }
        budgets.push(BudgetPicks {
            percentile: percentile * 100.0,
            threshold,
            best_feasible,
            pareto: if strategies.pareto { from(&front)? } else { None },
            pareto_front_fitness: if strategies.pareto { by_fitness(&front)? } else { None },
            pareto_fitness: if strategies.pareto {
                by_fitness(&pareto_candidates)?
            } else {
                None
            },
            pareto_fitness_any: if strategies.pareto {
                by_fitness_any(&pareto_candidates)?
            } else {
                None
            },
            random: if strategies.random { from(&random_front)? } else { None },
            random_fitness: if strategies.random {
                by_fitness(&random_members)?
            } else {
                None
            },
            constrained,
            constrained_trials,
        });
    }
    let front: Vec<usize> = front.iter().map(index).collect::<Result<_>>()?;
    Ok(ParetoRun {
        seed,
        pareto_trials,
        hypervolume_fraction: strategies.pareto.then(|| {
            let all: Vec<usize> = (0..costs.len()).collect();
            true_hypervolume(&front, costs, accuracy) / true_hypervolume(&all, costs, accuracy)
        }),
        front,
        random_cells,
        budgets,
    })
}
