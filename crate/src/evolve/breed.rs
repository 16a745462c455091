//! The breeding operators of the evolution: the initial population, tournament selection, uniform
//! crossover and per-gene mutation with elitism. Budget-aware breeding redraws an architecture a
//! few times until it lies within the budget: costs are a table lookup while every RMI evaluation
//! trains a network, so evaluations spent far over budget are mostly wasted.

use super::EvolutionConfig;
use crate::space::{Arch, Space};
use rand::rngs::StdRng;
use rand::Rng;

/// Tries per slot to find an architecture within budget (and, for children, not seen before).
const TRIES: usize = 30;

/// The first generation: uniform draws, each redrawn up to [`TRIES`] times until `within`
/// accepts it when the search is budget-aware.
pub fn initial_population(
    space: Space,
    config: &EvolutionConfig,
    within: impl Fn(&Arch) -> bool,
    rng: &mut StdRng,
) -> Vec<Arch> {
    (0..config.population)
        .map(|_| {
            let mut arch = space.sample(rng);
            for _ in 1..if config.budget_aware { TRIES } else { 1 } {
                if within(&arch) {
                    break;
                }
                arch = space.sample(rng);
            }
            arch
        })
        .collect()
}

/// Draws per slot of the Pareto mode's first generation.
const SPREAD: usize = 8;

/// The Pareto mode's first generation: [`SPREAD`] uniform draws per slot, sorted by cost, and
/// the middle one of each slot's share taken, so the population starts spread over the whole cost
/// axis the front must cover (uniform draws crowd where most architectures' costs lie).
pub fn initial_spread(
    space: Space,
    config: &EvolutionConfig,
    cost: impl Fn(&Arch) -> f64,
    rng: &mut StdRng,
) -> Vec<Arch> {
    let mut draws: Vec<(f64, Arch)> = (0..config.population * SPREAD)
        .map(|_| {
            let arch = space.sample(rng);
            (cost(&arch), arch)
        })
        .collect();
    draws.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    draws
        .into_iter()
        .skip(SPREAD / 2)
        .step_by(SPREAD)
        .map(|(_, a)| a)
        .collect()
}

/// Tournament selection over `ranked` (best first): the best of `size` uniform draws.
fn tournament<'a>(ranked: &'a [(Arch, f64)], size: usize, rng: &mut StdRng) -> &'a Arch {
    let mut best = rng.random_range(0..ranked.len());
    for _ in 1..size {
        best = best.min(rng.random_range(0..ranked.len()));
    }
    &ranked[best].0
}

/// The next generation from the current one, `ranked` best first with its fitness: the elite
/// unchanged, then children of tournament-selected parents (crossover, then mutation). A child
/// is preferred when `is_new` (never scored, so a slot teaches something) and, when budget-aware,
/// `within` the budget; failing both within a few tries, the first new one, else the last drawn.
pub fn next_generation(
    space: Space,
    config: &EvolutionConfig,
    ranked: &[(Arch, f64)],
    is_new: impl Fn(&Arch) -> bool,
    within: impl Fn(&Arch) -> bool,
    rng: &mut StdRng,
) -> Vec<Arch> {
    let mutation_rate = config.mutation_rate.unwrap_or(1.0 / space.genes() as f64);
    let mut next: Vec<Arch> = vec![];
    for (a, _) in ranked {
        if next.len() < config.elitism && !next.contains(a) {
            next.push(a.clone());
        }
    }
    let tries = if config.budget_aware { TRIES } else { 10 };
    while next.len() < config.population {
        let (mut chosen, mut fresh_only, mut last) = (None, None, None);
        for _ in 0..tries {
            let p1 = tournament(ranked, config.tournament, rng).clone();
            let p2 = tournament(ranked, config.tournament, rng).clone();
            let c = if rng.random_bool(config.crossover_rate) {
                p1.crossover(&p2, rng).expect("parents of one population share a space")
            } else {
                p1
            };
            let c = c.mutate(mutation_rate, rng);
            let fresh = is_new(&c) && !next.contains(&c);
            let ok = !config.budget_aware || within(&c);
            if fresh && ok {
                chosen = Some(c);
                break;
            }
            if fresh && fresh_only.is_none() {
                fresh_only = Some(c.clone());
            }
            last = Some(c);
        }
        next.push(chosen.or(fresh_only).or(last).expect("at least one attempt"));
    }
    next
}
