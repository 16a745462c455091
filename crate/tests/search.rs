//! The evolutionary search end to end on a tiny proxy: determinism, the score cache, progress,
//! cancellation and what-if re-ranking.

use candle_core::Result;
use evrsnas::cost::{CostTable, TableHeader};
use evrsnas::evolve::{run, Evaluator};
use evrsnas::{
    Arch, Device, EvolutionConfig, Fitness, Kernels, Penalty, ProxyConfig, RmiConfig, RmiEvaluator, RmiTargets, Search,
    Space,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;
use std::ops::ControlFlow;

/// A cost table where each conv costs 1 ms and each pool 0.25 ms, over a 1 ms base.
fn toy_costs() -> Result<CostTable> {
    let values: Vec<f64> = (0..evrsnas::space::nb201::CELLS)
        .map(|i| {
            let genes = evrsnas::space::nb201::genes_of_index(i).unwrap();
            1.0 + genes
                .iter()
                .map(|&g| [0.0, 0.0, 1.0, 1.0, 0.25][g as usize])
                .sum::<f64>()
        })
        .collect();
    let header = TableHeader::latency_ms(Device::Pixel3, values.len(), "test", None, [1.0, 7.0]);
    CostTable::per_arch(Space::Nb201, header, values.clone(), vec![true; values.len()])
}

fn evaluator(seed: u64) -> Result<RmiEvaluator> {
    let reference = evrsnas::Reference::new(1, 10, evrsnas::nn::Params::seeded(11, Kernels::Fast))?;
    let mut rng = StdRng::seed_from_u64(5);
    let pixels: Vec<u8> = (0..6 * evrsnas::data::PIXELS).map(|_| rng.random()).collect();
    let mut proxy = ProxyConfig::default();
    proxy.nb201.channels = 4;
    Ok(RmiEvaluator {
        targets: RmiTargets::new(&reference, &evrsnas::data::to_tensor(&pixels, 6)?)?,
        proxy,
        config: RmiConfig {
            steps: 2,
            ..RmiConfig::default()
        },
        seed,
        kernels: Kernels::Fast,
    })
}

/// Wraps an evaluator and fails the test if any architecture is scored twice.
struct Counting<E> {
    inner: E,
    seen: HashSet<Arch>,
}

impl<E: Evaluator> Evaluator for Counting<E> {
    fn evaluate(&mut self, archs: &[Arch]) -> Result<Vec<f64>> {
        for a in archs {
            assert!(self.seen.insert(a.clone()), "{a} trained twice");
        }
        self.inner.evaluate(archs)
    }
}

fn config(seed: u64) -> EvolutionConfig {
    EvolutionConfig {
        population: 6,
        generations: 3,
        seed,
        ..EvolutionConfig::default()
    }
}

fn tiny_search(seed: u64) -> Result<(Search, usize)> {
    let fitness = Fitness::new(3.0, 1.0, Penalty::Hinge)?;
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
    assert_eq!(eval.seen.len(), search.evaluations());
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
    let forward = evaluator(7)?.evaluate(&archs)?;
    let mut reversed_archs = archs.clone();
    reversed_archs.reverse();
    let mut backward = evaluator(7)?.evaluate(&reversed_archs)?;
    backward.reverse();
    assert_eq!(forward, backward);
    Ok(())
}

#[test]
fn cancellation_stops_and_keeps_scores() -> Result<()> {
    let fitness = Fitness::new(3.0, 1.0, Penalty::Hinge)?;
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
    search.set_fitness(Fitness::new(1.0, 10.0, Penalty::Hinge)?);
    let tight = search.ranked();
    assert_eq!(search.evaluations(), evaluations);
    assert_eq!(loose.len(), tight.len());
    // Under a 1 ms budget with a heavy penalty, the cheapest architectures rise to the top.
    let min_cost = tight.iter().map(|c| c.cost).fold(f64::INFINITY, f64::min);
    assert_eq!(tight[0].cost, min_cost);
    // "Continue" resumes with the cache: one more generation trains only new architectures.
    search.extend(1);
    assert!(search.pending().iter().all(|a| search.candidate(a).is_none()));
    Ok(())
}

#[test]
fn record_refuses_non_finite_scores_and_other_spaces() -> Result<()> {
    let fitness = Fitness::new(3.0, 1.0, Penalty::Hinge)?;
    let mut search = Search::new(Space::Nb201, config(1), toy_costs()?, fitness)?;
    let a = search.pending()[0].clone();
    assert!(search.record(a.clone(), f64::NAN).is_err());
    let mut rng = StdRng::seed_from_u64(0);
    assert!(search.record(Space::Fbnet.sample(&mut rng), 1.0).is_err());
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
    fn evaluate(&mut self, archs: &[Arch]) -> Result<Vec<f64>> {
        Ok(archs
            .iter()
            .map(|a| a.genes().iter().filter(|&&g| (2..=3).contains(&g)).count() as f64 / 2.0)
            .collect())
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
            ..EvolutionConfig::default()
        };
        // A tight budget: 2.5 ms admits at most one convolution.
        let fitness = Fitness::new(2.5, 1.0, Penalty::Hinge)?;
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
