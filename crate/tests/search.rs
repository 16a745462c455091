//! The evolutionary search end to end on a tiny proxy: determinism, the score cache, progress,
//! cancellation and what-if re-ranking.

// Native only: these tests read files, run the CLI or need the native-only parts of the library.
#![cfg(not(target_arch = "wasm32"))]

use evrsnas::evolve::{run, Evaluator, Trial};
use evrsnas::Result;
use evrsnas::{Arch, EvolutionConfig, Fitness, Penalty, Search, Space};
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::collections::HashSet;
use std::ops::ControlFlow;

mod common;
use common::{evaluator, plain, toy_costs, Noisy};

/// Wraps an evaluator and fails the test if any initialisation of an architecture is trained twice.
struct Counting<E> {
    inner: E,
    seen: HashSet<Trial>,
}

impl<E: Evaluator> Evaluator for Counting<E> {
    fn evaluate(&mut self, trial: &Trial) -> Result<f64> {
        assert!(self.seen.insert(trial.clone()), "{trial:?} trained twice");
        self.inner.evaluate(trial)
    }
}

fn config(seed: u64) -> EvolutionConfig {
    EvolutionConfig {
        population: 6,
        generations: 3,
        seed,
        ..plain()
    }
}

fn tiny_search(seed: u64) -> Result<(Search, usize)> {
    let fitness = Fitness::new(3.0, 1.0, Penalty::Hinge, 0.0)?;
    let mut search = Search::new(Space::Nb201, config(seed), toy_costs()?, fitness)?;
    let mut eval = Counting {
        inner: evaluator(seed)?,
        seen: HashSet::new(),
    };
    let mut events = 0;
    run(&mut search, &mut eval, |_| {
        events += 1;
        ControlFlow::Continue(())
    })?;
    assert_eq!(eval.seen.len(), search.trials());
    Ok((search, events))
}

#[test]
fn tiny_search_is_deterministic_and_never_trains_twice() -> Result<()> {
    let (a, events) = tiny_search(4)?;
    let (b, _) = tiny_search(4)?;
    assert!(a.is_done());
    assert_eq!(a.history().len(), 3);
    assert!(events >= 3);
    assert_eq!(a.ranked(), b.ranked(), "same seed, same result");
    assert_eq!(a.history(), b.history());
    let best = a.best().unwrap();
    assert!(Arch::parse(Space::Nb201, &best.arch).is_ok());
    assert!(best.fitness.is_finite() && (0.0..=3.0).contains(&best.rmi));
    // Best-so-far never gets worse from one generation to the next.
    let bests: Vec<f64> = a.history().iter().map(|h| h.best_fitness).collect();
    assert!(bests.windows(2).all(|w| w[1] >= w[0] - 1e-12), "{bests:?}");
    Ok(())
}

#[test]
fn score_of_an_architecture_does_not_depend_on_evaluation_order() -> Result<()> {
    let mut rng = StdRng::seed_from_u64(1);
    let archs: Vec<Arch> = (0..3).map(|_| Space::Nb201.sample(&mut rng)).collect();
    let score_all = |archs: &[Arch]| -> Result<Vec<f64>> {
        let mut eval = evaluator(7)?;
        archs.iter().map(|a| eval.evaluate(&Trial::first(a.clone()))).collect()
    };
    let forward = score_all(&archs)?;
    let mut reversed_archs = archs.clone();
    reversed_archs.reverse();
    let mut backward = score_all(&reversed_archs)?;
    backward.reverse();
    assert_eq!(forward, backward);
    // Another initialisation of the same cell scores differently, and reproducibly.
    let again = |replicate| {
        evaluator(7)?.evaluate(&Trial {
            arch: archs[0].clone(),
            replicate,
            steps: None,
        })
    };
    assert_ne!(again(1)?, forward[0]);
    assert_eq!(again(1)?, again(1)?);
    Ok(())
}

#[test]
fn cancellation_stops_and_keeps_scores() -> Result<()> {
    let fitness = Fitness::new(3.0, 1.0, Penalty::Hinge, 0.0)?;
    let mut search = Search::new(Space::Nb201, config(1), toy_costs()?, fitness)?;
    let mut eval = evaluator(1)?;
    run(&mut search, &mut eval, |p| {
        if p.evaluations >= 2 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })?;
    assert_eq!(search.evaluations(), 2);
    assert!(!search.is_done());
    Ok(())
}

#[test]
fn threshold_change_reranks_without_training() -> Result<()> {
    let (mut search, _) = tiny_search(2)?;
    let evaluations = search.evaluations();
    let loose = search.ranked();
    search.set_fitness(Fitness::new(1.0, 10.0, Penalty::Hinge, 0.0)?);
    let tight = search.ranked();
    assert_eq!(search.evaluations(), evaluations);
    assert_eq!(loose.len(), tight.len());
    // Under a 1 ms budget with a heavy penalty, the cheapest architectures rise to the top.
    let min_cost = tight.iter().map(|c| c.cost).fold(f64::INFINITY, f64::min);
    assert_eq!(tight[0].cost, min_cost);
    // "Continue" resumes with the cache: one more generation trains only new architectures.
    search.extend(1)?;
    assert!(search.pending().iter().all(|t| search.candidate(&t.arch).is_none()));
    Ok(())
}

#[test]
fn record_refuses_non_finite_scores_and_other_spaces() -> Result<()> {
    let fitness = Fitness::new(3.0, 1.0, Penalty::Hinge, 0.0)?;
    let mut search = Search::new(Space::Nb201, config(1), toy_costs()?, fitness)?;
    let a = search.pending()[0].clone();
    assert!(search.record(a.clone(), f64::NAN).is_err());
    let mut rng = StdRng::seed_from_u64(0);
    assert!(search.record(Trial::first(Space::Fbnet.sample(&mut rng)), 1.0).is_err());
    let replicates = config(1).replicates;
    assert!(search
        .record(
            Trial {
                replicate: replicates,
                ..a.clone()
            },
            1.0
        )
        .is_err());
    assert!(
        search.advance().is_err(),
        "cannot close a generation with unscored candidates"
    );
    assert!(Search::new(
        Space::Nb201,
        EvolutionConfig {
            population: 1,
            ..config(1)
        },
        toy_costs()?,
        fitness
    )
    .is_err());
    Ok(())
}

/// A stand-in for RMI that prefers convolutions, i.e. costly cells, as the real score tends to.
struct ConvLover;

impl Evaluator for ConvLover {
    fn evaluate(&mut self, trial: &Trial) -> Result<f64> {
        Ok(trial.arch.genes().iter().filter(|&&g| (2..=3).contains(&g)).count() as f64 / 2.0)
    }
}

#[test]
fn budget_aware_breeding_spends_evaluations_within_budget() -> Result<()> {
    let within_share = |budget_aware: bool| -> Result<f64> {
        let config = EvolutionConfig {
            population: 10,
            generations: 5,
            seed: 4,
            budget_aware,
            ..plain()
        };
        // A tight budget: 2.5 ms admits at most one convolution.
        let fitness = Fitness::new(2.5, 1.0, Penalty::Hinge, 0.0)?;
        let mut search = Search::new(Space::Nb201, config, toy_costs()?, fitness)?;
        run(&mut search, &mut ConvLover, |_| ControlFlow::Continue(()))?;
        let ranked = search.ranked();
        Ok(ranked.iter().filter(|c| c.feasible).count() as f64 / ranked.len() as f64)
    };
    let (aware, blind) = (within_share(true)?, within_share(false)?);
    assert!(aware > 0.9, "budget-aware breeding evaluated {aware:.2} within budget");
    assert!(blind < aware, "blind {blind:.2} vs aware {aware:.2}");
    Ok(())
}

#[test]
fn finalists_are_retrained_and_ranked_by_their_mean() -> Result<()> {
    let fitness = Fitness::new(100.0, 1.0, Penalty::Hinge, 0.0)?;
    let config = EvolutionConfig {
        population: 8,
        generations: 3,
        finalists: 3,
        replicates: 4,
        seed: 2,
        ..plain()
    };
    let mut search = Search::new(Space::Nb201, config, toy_costs()?, fitness)?;
    let mut confirming_events = 0;
    let mut eval = Counting {
        inner: Noisy,
        seen: HashSet::new(),
    };
    run(&mut search, &mut eval, |p| {
        confirming_events += p.confirming as usize;
        ControlFlow::Continue(())
    })?;
    assert!(search.is_done());
    assert_eq!(search.history().len(), 3, "the confirmation round is not a generation");
    // 3 finalists × 3 more initialisations, each trained once.
    assert_eq!(search.trials(), search.evaluations() + 9);
    assert_eq!(confirming_events, 9 + 1);
    let ranked = search.ranked();
    assert!(ranked[..3].iter().all(|c| c.replicates == 4), "{ranked:?}");
    assert!(ranked[3..].iter().all(|c| c.replicates == 1));
    // The winner is the best finalist by its mean over four initialisations.
    let mean = |c: &evrsnas::evolve::Candidate| -> f64 {
        let arch = Arch::parse(Space::Nb201, &c.arch).unwrap();
        (0..4)
            .map(|r| {
                Noisy
                    .evaluate(&Trial {
                        arch: arch.clone(),
                        replicate: r,
                        steps: None,
                    })
                    .unwrap()
            })
            .sum::<f64>()
            / 4.0
    };
    assert!((ranked[0].rmi - mean(&ranked[0])).abs() < 1e-12);
    assert!(ranked[0].rmi >= ranked[1].rmi && ranked[1].rmi >= ranked[2].rmi);
    // Continuing evolves further and confirms again.
    search.extend(1)?;
    assert!(!search.is_done() && !search.is_confirming());
    run(&mut search, &mut eval, |_| ControlFlow::Continue(()))?;
    assert!(search.is_done());
    assert_eq!(search.history().len(), 4);
    Ok(())
}

#[test]
fn random_search_scores_its_sample_then_confirms_like_the_evolution() -> Result<()> {
    let fitness = Fitness::new(100.0, 1.0, Penalty::Hinge, 0.0)?;
    let config = EvolutionConfig {
        finalists: 3,
        replicates: 3,
        ..plain()
    };
    let sample: Vec<Arch> = (0..10)
        .map(|i| Arch::from_nb201_index(i * 1000))
        .collect::<Result<_>>()?;
    let mut search = Search::random(Space::Nb201, config, toy_costs()?, fitness, sample.clone())?;
    let mut eval = Counting {
        inner: Noisy,
        seen: HashSet::new(),
    };
    run(&mut search, &mut eval, |_| ControlFlow::Continue(()))?;
    assert!(search.is_done());
    // The sample, nothing bred from it, and 3 finalists × 2 more initialisations.
    assert_eq!(search.evaluations(), 10);
    assert_eq!(search.trials(), 10 + 6);
    let ranked = search.ranked();
    assert!(ranked
        .iter()
        .all(|c| sample.contains(&Arch::parse(Space::Nb201, &c.arch).unwrap())));
    assert!(ranked[..3].iter().all(|c| c.replicates == 3), "{ranked:?}");
    // An architecture of another space is refused.
    let mut mixed = sample;
    mixed.push(Space::Fbnet.sample(&mut StdRng::seed_from_u64(0)));
    assert!(Search::random(Space::Nb201, config, toy_costs()?, fitness, mixed).is_err());
    Ok(())
}

#[test]
fn without_finalists_the_search_ends_with_its_last_generation() -> Result<()> {
    let fitness = Fitness::new(100.0, 1.0, Penalty::Hinge, 0.0)?;
    let config = EvolutionConfig {
        population: 6,
        generations: 2,
        finalists: 0,
        ..plain()
    };
    let mut search = Search::new(Space::Nb201, config, toy_costs()?, fitness)?;
    run(&mut search, &mut Noisy, |p| {
        assert!(!p.confirming);
        ControlFlow::Continue(())
    })?;
    assert!(search.is_done());
    assert_eq!(search.trials(), search.evaluations());
    assert!(EvolutionConfig {
        finalists: 20_000,
        ..config
    }
    .validate()
    .is_err());
    assert!(EvolutionConfig {
        replicates: 0,
        ..config
    }
    .validate()
    .is_err());
    Ok(())
}

#[test]
fn constrained_search_study_compares_like_with_like() -> Result<()> {
    use evrsnas::devtools::study::{constrained_search, Memo};
    let table = toy_costs()?;
    let accuracy: Vec<f32> = (0..evrsnas::space::nb201::CELLS)
        .map(|i| Noisy::merit(&Arch::from_nb201_index(i).unwrap()) as f32)
        .collect();
    let config = EvolutionConfig {
        population: 8,
        generations: 3,
        finalists: 3,
        replicates: 3,
        seed: 5,
        ..plain()
    };
    let mut noisy = Noisy;
    let mut memo = Memo::new(&mut noisy);
    let fitness = Fitness::new(4.0, 1.0, Penalty::Hinge, 0.0)?;
    let run = constrained_search(&table, &accuracy, fitness, config, &mut memo)?;
    for pick in [run.evolution, run.evolution_single, run.random, run.random_single] {
        let pick = pick.expect("a 4 ms budget admits many cells");
        assert!(pick.cost <= 4.0 && pick.accuracy <= run.best_feasible.accuracy);
    }
    assert_eq!(run.trials, run.evaluations + 6);
    // Random search trained as many cells and confirmed as many finalists: at most twice the
    // evolution's trainings in all (less where both drew the same cell).
    let trained = memo.trained();
    assert!(
        trained > run.trials && trained <= 2 * run.trials,
        "{trained} vs {}",
        run.trials
    );
    // The memo trains nothing twice: a second identical study costs nothing.
    let again = constrained_search(&table, &accuracy, fitness, config, &mut memo)?;
    assert_eq!(memo.trained(), trained);
    assert_eq!(again.evolution.map(|p| p.index), run.evolution.map(|p| p.index));
    Ok(())
}

#[test]
fn the_smallest_population_the_schema_allows_runs_and_smaller_is_refused() -> Result<()> {
    let fitness = Fitness::new(100.0, 0.1, Penalty::TwoSided, 0.0)?;
    let small = |population| EvolutionConfig {
        population,
        generations: 2,
        finalists: 0,
        ..plain()
    };
    let e = Search::new(Space::Nb201, small(2), toy_costs()?, fitness)
        .err()
        .unwrap();
    assert_eq!(e.to_string(), "population must be an integer in 3..=500, got 2");
    let mut search = Search::new(Space::Nb201, small(3), toy_costs()?, fitness)?;
    run(&mut search, &mut Noisy, |_| ControlFlow::Continue(()))?;
    assert!(search.is_done());
    // Continuing cannot take the search past the schema's bound on generations.
    assert!(search.extend(499).is_err());
    assert_eq!(search.config().generations, 2);
    search.extend(1)?;
    assert!(!search.is_done());
    Ok(())
}

#[test]
fn ranking_and_breeding_do_not_depend_on_the_order_scores_arrive_in() -> Result<()> {
    // Equal scores everywhere: every candidate of equal cost ties, as on the eyeriss and fpga tables.
    let fitness = Fitness::new(4.0, 0.1, Penalty::TwoSided, 0.0)?;
    for screen in [None, EvolutionConfig::default().screen] {
        let config = EvolutionConfig {
            population: 8,
            generations: 3,
            seed: 4,
            screen,
            ..plain()
        };
        let mut forward = Search::new(Space::Nb201, config, toy_costs()?, fitness)?;
        let mut backward = Search::new(Space::Nb201, config, toy_costs()?, fitness)?;
        while !forward.is_done() {
            let pending = forward.pending();
            assert_eq!(pending, backward.pending());
            if pending.is_empty() {
                forward.advance()?;
                backward.advance()?;
                continue;
            }
            for t in &pending {
                forward.record(t.clone(), 1.0)?;
            }
            for t in pending.iter().rev() {
                backward.record(t.clone(), 1.0)?;
            }
            assert_eq!(forward.ranked(), backward.ranked());
        }
        assert!(backward.is_done());
        assert_eq!(forward.ranked(), backward.ranked());
    }
    Ok(())
}
