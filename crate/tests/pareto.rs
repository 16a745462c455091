//! The Pareto mode end to end on a tiny proxy: a front that is non-dominated, confirmed and
//! reproducible, that covers the cost axis, and that answers any budget without training.

// Native only: these tests need the native-only parts of the library.
#![cfg(not(target_arch = "wasm32"))]

use evrsnas::evolve::{pareto, run, Coverage, Evaluator, Mode, Trial};
use evrsnas::{EvolutionConfig, Fitness, Penalty, Result, Search, Space};
use std::collections::HashSet;
use std::ops::ControlFlow;

mod common;
use common::{evaluator, toy_costs};

fn pareto_config(seed: u64) -> EvolutionConfig {
    EvolutionConfig {
        population: 6,
        generations: 3,
        seed,
        mode: Mode::Pareto,
        screen: None,
        ..EvolutionConfig::default()
    }
}

/// Counts trainings and fails the test if a trial is trained twice.
struct Once<E> {
    inner: E,
    seen: HashSet<Trial>,
}

impl<E: Evaluator> Evaluator for Once<E> {
    fn evaluate(&mut self, trial: &Trial) -> Result<f64> {
        assert!(self.seen.insert(trial.clone()), "{trial:?} trained twice");
        self.inner.evaluate(trial)
    }
}

fn pareto_search(seed: u64) -> Result<(Search, usize)> {
    let fitness = Fitness::new(4.0, 0.1, Penalty::TwoSided, 0.0)?;
    let mut search = Search::new(Space::Nb201, pareto_config(seed), toy_costs()?, fitness)?;
    let mut ev = Once {
        inner: evaluator(seed)?,
        seen: HashSet::new(),
    };
    run(&mut search, &mut ev, |_| ControlFlow::Continue(()))?;
    Ok((search, ev.seen.len()))
}

#[test]
fn the_front_is_non_dominated_confirmed_and_reproducible() -> Result<()> {
    // (On this toy proxy most seeds' fronts hold 1 to 3 members; seed 0's holds 5.)
    let (search, trained) = pareto_search(0)?;
    assert!(search.is_done());
    assert_eq!(search.trials(), trained);
    assert!(
        trained <= search.planned_trials(),
        "{trained} > {}",
        search.planned_trials()
    );
    let front = search.front();
    assert!(front.len() >= 2, "a front of {} on a toy table", front.len());
    // Cheapest first, and each costlier member scores higher: no member dominates another.
    for w in front.windows(2) {
        assert!(w[0].cost <= w[1].cost && w[0].rmi < w[1].rmi, "{w:?}");
    }
    // No scored candidate dominates a member.
    for c in search.ranked() {
        for m in &front {
            assert!(
                !(c.rmi >= m.rmi && c.cost <= m.cost && (c.rmi > m.rmi || c.cost < m.cost)),
                "{c:?} dominates {m:?}"
            );
        }
    }
    // The confirmation round re-trains front members until only confirmed ones are left, or
    // until it has confirmed a population's worth (its cap).
    let confirmed = search.ranked().iter().filter(|c| c.replicates == 3).count();
    assert!(confirmed <= 6);
    assert!(
        front.iter().all(|m| m.replicates == 3) || confirmed == 6,
        "{confirmed} confirmed: {front:?}"
    );
    assert!(front.iter().filter(|m| m.replicates == 3).count() >= 3, "{front:?}");
    let (again, _) = pareto_search(0)?;
    assert_eq!(again.front(), front);
    let (other, _) = pareto_search(4)?;
    assert_ne!(other.front(), front);
    Ok(())
}

#[test]
fn a_budget_is_answered_without_training_as_the_search_ranks() -> Result<()> {
    let (mut search, _) = pareto_search(6)?;
    let scored = search.scored();
    let trials = search.trials();
    let mut answered = HashSet::new();
    for threshold in [0.5, 1.0, 2.5, 3.0, 4.0, 5.5, 7.0] {
        let fitness = Fitness::new(threshold, 0.1, Penalty::TwoSided, 0.0)?;
        let pick = pareto::pick(&scored, &fitness);
        search.set_fitness(fitness);
        // The page's answer: the search's first candidate within the budget.
        let ranked = search.ranked().into_iter().find(|c| c.feasible);
        assert_eq!(
            pick.as_ref().map(|p| &p.arch),
            ranked.as_ref().map(|c| &c.arch),
            "budget {threshold}"
        );
        match pick {
            None => assert!(scored.iter().all(|m| m.cost > threshold)),
            Some(p) => {
                assert!(p.cost <= threshold);
                // Confirmed candidates lead, then fitness.
                for m in scored
                    .iter()
                    .filter(|m| m.cost <= threshold && m.replicates == p.replicates)
                {
                    assert!(
                        fitness.fitness(m.rmi, m.cost, m.complexity) <= fitness.fitness(p.rmi, p.cost, p.complexity)
                    );
                }
                answered.insert(p.arch);
            }
        }
    }
    assert!(answered.len() >= 2, "budgets across the range get different answers");
    assert_eq!(search.trials(), trials, "answering trained nothing");
    assert!(search.pending().is_empty());
    Ok(())
}

#[test]
fn the_first_generation_spreads_over_the_cost_axis() -> Result<()> {
    let costs = toy_costs()?;
    let spread = |mode: Mode| -> Result<(f64, f64)> {
        let config = EvolutionConfig {
            population: 12,
            mode,
            screen: None,
            ..EvolutionConfig::default()
        };
        let search = Search::new(
            Space::Nb201,
            config,
            costs.clone(),
            Fitness::new(3.0, 0.1, Penalty::TwoSided, 0.0)?,
        )?;
        let c: Vec<f64> = search
            .pending()
            .iter()
            .map(|t| costs.cost(&t.arch).unwrap().value)
            .collect();
        Ok((
            c.iter().copied().fold(f64::INFINITY, f64::min),
            c.iter().copied().fold(0.0, f64::max),
        ))
    };
    let (lo, hi) = spread(Mode::Pareto)?;
    // The toy table runs 1..7 ms; the constrained mode breeds within its 3 ms budget.
    assert!(lo <= 2.0 && hi >= 5.0, "Pareto's first generation spans {lo}..{hi}");
    let (_, constrained_hi) = spread(Mode::Constrained)?;
    assert!(constrained_hi <= 3.0);
    Ok(())
}

#[test]
fn the_pareto_mode_refuses_a_screen() {
    let config = EvolutionConfig {
        mode: Mode::Pareto,
        screen: evrsnas::evolve::Schedule::Screened.screen(20),
        ..EvolutionConfig::default()
    };
    let err = config.validate().unwrap_err().to_string();
    assert!(err.contains("Pareto"), "{err}");
}

#[test]
fn every_coverage_finds_a_front_and_they_breed_differently() -> Result<()> {
    let mut trained = vec![];
    for coverage in Coverage::ALL.iter().copied() {
        let config = EvolutionConfig {
            coverage,
            ..pareto_config(2)
        };
        let fitness = Fitness::new(4.0, 0.1, Penalty::TwoSided, 0.0)?;
        let mut search = Search::new(Space::Nb201, config, toy_costs()?, fitness)?;
        run(&mut search, &mut evaluator(2)?, |_| ControlFlow::Continue(()))?;
        assert!(!search.front().is_empty(), "{coverage}");
        let mut archs: Vec<String> = search.scored().into_iter().map(|m| m.arch).collect();
        archs.sort();
        trained.push(archs);
    }
    // Same first generation, other parents afterwards.
    assert!(trained[0] != trained[1] || trained[1] != trained[2], "{trained:?}");
    Ok(())
}
