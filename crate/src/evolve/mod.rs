//! The evolutionary search of HW-EvRSNAS: tournament selection, uniform crossover, per-gene
//! mutation and elitism, seeded, with a score cache so that no architecture is trained twice.
//!
//! [`Search`] is a state machine — ask it for the [`Search::pending`] trials of the current
//! generation, [`Search::record`] their RMI scores (from any number of workers, in any order), then
//! [`Search::advance`] — so the browser can spread a generation over a pool of workers. [`run`]
//! drives it with one [`Evaluator`] for the CLI and tests. The breeding operators are in
//! [`breed`]; the search only decides when to call them.
//!
//! After the last generation comes one *confirmation* round: the best few candidates are trained
//! again from other initialisations and ranked by their mean RMI. At K = 20 steps the score of a
//! cell varies with its initial weights about as much as the top cells differ from each other
//! (FIDELITY.md), so a single lucky initialisation would otherwise pick the winner.

mod breed;
mod run;

pub use run::{run, Progress};

use crate::cost::{Cost, CostTable};
use crate::fitness::Fitness;
use crate::schema;
use crate::space::{Arch, Space};
use crate::{bail, Result};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One scoring job: an architecture and which of its independent initialisations to train
/// (replicate 0 during the evolution; finalists get more in the confirmation round).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Trial {
    pub arch: Arch,
    pub replicate: u32,
}

impl Trial {
    pub fn first(arch: Arch) -> Self {
        Self { arch, replicate: 0 }
    }
}

/// Turns trials into RMI scores; one per worker.
pub trait Evaluator {
    fn evaluate(&mut self, trial: &Trial) -> Result<f64>;
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EvolutionConfig {
    pub population: usize,
    /// Generations evaluated, the initial random one included.
    pub generations: usize,
    pub tournament: usize,
    /// Best individuals carried unchanged into the next generation.
    pub elitism: usize,
    pub crossover_rate: f64,
    /// Per-gene mutation probability; `None` means 1 / number of genes.
    pub mutation_rate: Option<f64>,
    pub seed: u64,
    /// Draw initial architectures and children within the budget when a few tries allow: costs
    /// are a table lookup, while every RMI evaluation trains a network, so evaluations spent far
    /// over budget are mostly wasted (the constrained-search study in FIDELITY.md measures both).
    pub budget_aware: bool,
    /// Candidates re-trained in the confirmation round after the last generation (0: none).
    pub finalists: usize,
    /// Initialisations each finalist is scored with in all, the first one included.
    pub replicates: u32,
}

impl Default for EvolutionConfig {
    fn default() -> Self {
        Self {
            // The fidelity study's default budget (FIDELITY.md), shared with the page.
            population: 12,
            generations: 6,
            tournament: 3,
            elitism: 2,
            crossover_rate: 0.9,
            mutation_rate: None,
            seed: 0,
            budget_aware: true,
            // 4 × 2 extra trials: ~13 % more training than the 62 of the evolution.
            finalists: 4,
            replicates: 3,
        }
    }
}

impl EvolutionConfig {
    pub fn validate(&self) -> Result<()> {
        schema::POPULATION.check(self.population as u64)?;
        schema::GENERATIONS.check(self.generations as u64)?;
        schema::TOURNAMENT.check(self.tournament as u64)?;
        schema::ELITISM.check(self.elitism as u64)?;
        schema::FINALISTS.check(self.finalists as u64)?;
        schema::REPLICATES.check(u64::from(self.replicates))?;
        schema::SEED.check(self.seed)?;
        schema::CROSSOVER_RATE.check(self.crossover_rate)?;
        if let Some(rate) = self.mutation_rate {
            schema::MUTATION_RATE.check(rate)?;
        }
        if self.tournament > self.population {
            bail!(
                "tournament ({}) must not exceed the population ({})",
                self.tournament,
                self.population
            )
        }
        if self.elitism >= self.population {
            bail!(
                "elitism ({}) must be smaller than the population ({})",
                self.elitism,
                self.population
            )
        }
        let planned = self.planned_trials();
        if planned > schema::MAX_TRAININGS {
            bail!(
                "this search would train up to {planned} candidates (population × generations + finalists × (replicates − 1)); \
                 one search trains at most {}",
                schema::MAX_TRAININGS
            )
        }
        Ok(())
    }

    /// Trainings a search with this configuration takes when it breeds no duplicates.
    pub fn planned_trials(&self) -> usize {
        self.population.saturating_mul(self.generations).saturating_add(
            self.finalists
                .saturating_mul((self.replicates as usize).saturating_sub(1)),
        )
    }
}

/// An evaluated architecture under the current fitness.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    pub arch: String,
    pub index: Option<usize>,
    /// Mean RMI over the initialisations scored so far.
    pub rmi: f64,
    /// How many initialisations `rmi` averages (more than one for finalists).
    pub replicates: usize,
    pub cost: f64,
    pub measured: bool,
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

/// Where a search is.
#[derive(Clone, Debug, PartialEq)]
enum Phase {
    /// Scoring and breeding generations.
    Evolving,
    /// The generations are over; these finalists are being re-trained.
    Confirming(Vec<Arch>),
    /// Every generation evolved and the finalists confirmed.
    Done,
}

pub struct Search {
    space: Space,
    config: EvolutionConfig,
    fitness: Fitness,
    costs: CostTable,
    rng: StdRng,
    population: Vec<Arch>,
    generation: usize,
    /// Score of each initialisation of each architecture.
    scores: HashMap<Arch, BTreeMap<u32, f64>>,
    phase: Phase,
    /// Architectures in the order they were first scored, for stable reports.
    seen: Vec<Arch>,
    history: Vec<GenerationStats>,
}

impl Search {
    pub fn new(space: Space, config: EvolutionConfig, costs: CostTable, fitness: Fitness) -> Result<Self> {
        config.validate()?;
        let mut rng = StdRng::seed_from_u64(config.seed);
        let within = |a: &Arch| costs.cost(a).is_ok_and(|c| fitness.feasible(c.value));
        let population = breed::initial_population(space, &config, within, &mut rng);
        Ok(Self::with_population(space, config, costs, fitness, rng, population))
    }

    fn with_population(
        space: Space,
        config: EvolutionConfig,
        costs: CostTable,
        fitness: Fitness,
        rng: StdRng,
        population: Vec<Arch>,
    ) -> Self {
        Self {
            space,
            config,
            fitness,
            costs,
            rng,
            population,
            generation: 0,
            scores: HashMap::new(),
            phase: Phase::Evolving,
            seen: vec![],
            history: vec![],
        }
    }

    /// Random search, the baseline the evolution must beat: `sample` scored as a single
    /// generation, then the same confirmation round as an evolutionary search with `config`.
    pub fn random(
        space: Space,
        config: EvolutionConfig,
        costs: CostTable,
        fitness: Fitness,
        sample: Vec<Arch>,
    ) -> Result<Self> {
        if let Some(a) = sample.iter().find(|a| a.space() != space) {
            bail!("a {} architecture cannot join a {space} search", a.space())
        }
        let config = EvolutionConfig {
            population: sample.len(),
            generations: 1,
            tournament: 1,
            elitism: 0,
            ..config
        };
        config.validate()?;
        let rng = StdRng::seed_from_u64(config.seed);
        Ok(Self::with_population(space, config, costs, fitness, rng, sample))
    }

    pub fn space(&self) -> Space {
        self.space
    }

    pub fn cost_table(&self) -> &CostTable {
        &self.costs
    }

    pub fn config(&self) -> &EvolutionConfig {
        &self.config
    }

    pub fn fitness_fn(&self) -> &Fitness {
        &self.fitness
    }

    /// Generations completed so far.
    pub fn generation(&self) -> usize {
        self.generation
    }

    /// Every generation evolved and the finalists confirmed.
    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// In the confirmation round: the generations are over, the finalists are being re-trained.
    pub fn is_confirming(&self) -> bool {
        matches!(self.phase, Phase::Confirming(_))
    }

    /// Distinct architectures trained so far.
    pub fn evaluations(&self) -> usize {
        self.scores.len()
    }

    /// Trainings so far, every initialisation counted.
    pub fn trials(&self) -> usize {
        self.scores.values().map(|s| s.len()).sum()
    }

    /// Trainings the whole search will take when it breeds no duplicates: the planned size.
    pub fn planned_trials(&self) -> usize {
        self.config.planned_trials()
    }

    fn rmi(&self, arch: &Arch) -> Option<f64> {
        let s = self.scores.get(arch)?;
        Some(s.values().sum::<f64>() / s.len() as f64)
    }

    pub fn history(&self) -> &[GenerationStats] {
        &self.history
    }

    /// Trials of the current generation (or of the confirmation round) still to be scored,
    /// without duplicates.
    pub fn pending(&self) -> Vec<Trial> {
        let scored = |a: &Arch, r: u32| self.scores.get(a).is_some_and(|s| s.contains_key(&r));
        match &self.phase {
            Phase::Done => return vec![],
            Phase::Evolving => {}
            Phase::Confirming(finalists) => {
                return finalists
                    .iter()
                    .flat_map(|a| (0..self.config.replicates).map(move |replicate| (a, replicate)))
                    .filter(|&(a, r)| !scored(a, r))
                    .map(|(a, replicate)| Trial {
                        arch: a.clone(),
                        replicate,
                    })
                    .collect()
            }
        }
        let mut seen = HashSet::new();
        self.population
            .iter()
            .filter(|a| !scored(a, 0) && seen.insert(*a))
            .map(|a| Trial::first(a.clone()))
            .collect()
    }

    /// Stores a score; a NaN or infinite score is refused.
    pub fn record(&mut self, trial: Trial, rmi: f64) -> Result<()> {
        let Trial { arch, replicate } = trial;
        if arch.space() != self.space {
            bail!("a {} architecture cannot join a {} search", arch.space(), self.space)
        }
        if !rmi.is_finite() {
            bail!("RMI score of {arch} is not a finite number")
        }
        if replicate >= self.config.replicates {
            bail!(
                "replicate {replicate} of {arch}: this search trains at most {}",
                self.config.replicates
            )
        }
        let scores = self.scores.entry(arch.clone()).or_default();
        if scores.is_empty() {
            self.seen.push(arch);
        }
        scores.insert(replicate, rmi);
        Ok(())
    }

    fn cost(&self, arch: &Arch) -> Cost {
        self.costs.cost(arch).expect("the search space matches its cost table")
    }

    fn fitness_of(&self, arch: &Arch) -> f64 {
        let rmi = self.rmi(arch).expect("only scored architectures are ranked");
        self.fitness.fitness(rmi, self.cost(arch).value)
    }

    pub fn candidate(&self, arch: &Arch) -> Option<Candidate> {
        let rmi = self.rmi(arch)?;
        let cost = self.cost(arch);
        Some(Candidate {
            arch: arch.to_string(),
            index: arch.nb201_index(),
            rmi,
            replicates: self.scores[arch].len(),
            cost: cost.value,
            measured: cost.measured,
            fitness: self.fitness.fitness(rmi, cost.value),
            feasible: self.fitness.feasible(cost.value),
        })
    }

    /// Every architecture scored so far, best first. Once the finalists are confirmed, those
    /// within budget lead, by their mean RMI: a single initialisation's score is biased upwards
    /// among the best (the reason for confirming), so it cannot overtake a confirmed mean.
    /// Otherwise, and within each group, by fitness; equal fitness (common: many cells share a
    /// cost, and degenerate cells all score 0) by the architecture itself, so that the ranking never
    /// depends on the order in which workers returned their scores.
    pub fn ranked(&self) -> Vec<Candidate> {
        let mut all: Vec<(&Arch, Candidate)> = self.seen.iter().filter_map(|a| Some((a, self.candidate(a)?))).collect();
        all.sort_by(|(a, x), (b, y)| y.fitness.total_cmp(&x.fitness).then_with(|| a.cmp(b)));
        if self.is_done() && self.config.finalists > 0 && self.config.replicates > 1 {
            let replicates = self.config.replicates as usize;
            all.sort_by_key(|(_, c)| !(c.feasible && c.replicates >= replicates));
        }
        all.into_iter().map(|(_, c)| c).collect()
    }

    pub fn best(&self) -> Option<Candidate> {
        self.ranked().into_iter().next()
    }

    /// Changes threshold, λ or penalty shape: rankings change at once, no architecture is retrained.
    pub fn set_fitness(&mut self, fitness: Fitness) {
        self.fitness = fitness;
    }

    /// Allows `more` generations beyond the configured ones, keeping every score ("continue").
    /// A confirmation round follows them again. The total stays within the schema's bounds.
    pub fn extend(&mut self, more: usize) -> Result<()> {
        let extended = EvolutionConfig {
            generations: self.config.generations.saturating_add(more),
            ..self.config
        };
        extended.validate()?;
        self.config = extended;
        if more > 0 && self.phase != Phase::Evolving {
            self.phase = Phase::Evolving;
            self.breed();
        }
        Ok(())
    }

    /// Closes the current generation (all of it must be scored) and breeds the next; after the
    /// last generation, picks the finalists; after the confirmation round, finishes.
    pub fn advance(&mut self) -> Result<GenerationStats> {
        if self.is_done() {
            bail!("the search has finished its {} generations", self.config.generations)
        }
        if let Some(t) = self.pending().first() {
            bail!(
                "generation {} still has unscored candidates, e.g. {}",
                self.generation,
                t.arch
            )
        }
        let members = match &self.phase {
            Phase::Confirming(finalists) => finalists.clone(),
            _ => self.population.clone(),
        };
        let fit: Vec<f64> = members.iter().map(|a| self.fitness_of(a)).collect();
        let stats = GenerationStats {
            generation: self.generation,
            best_fitness: fit.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            mean_fitness: fit.iter().sum::<f64>() / fit.len().max(1) as f64,
            evaluations: self.evaluations(),
            trials: self.trials(),
        };
        if self.is_confirming() {
            // Not a generation: the history charts evolution only.
            self.phase = Phase::Done;
            return Ok(stats);
        }
        self.history.push(stats);
        self.generation += 1;
        if self.generation < self.config.generations {
            self.breed();
        } else if self.config.finalists > 0 && self.config.replicates > 1 {
            self.phase = Phase::Confirming(self.pick_finalists());
        } else {
            self.phase = Phase::Done;
        }
        Ok(stats)
    }

    /// The best candidates by fitness, those within budget first: the winner is the best
    /// feasible one, so that is where a second opinion pays.
    fn pick_finalists(&self) -> Vec<Arch> {
        let mut archs: Vec<&Arch> = self.seen.iter().collect();
        // As in `ranked`: equal fitness by the architecture, whatever the order of scoring.
        archs.sort_by(|a, b| self.fitness_of(b).total_cmp(&self.fitness_of(a)).then_with(|| a.cmp(b)));
        archs.sort_by_key(|a| !self.fitness.feasible(self.cost(a).value));
        archs.into_iter().take(self.config.finalists).cloned().collect()
    }

    /// Replaces the population by its children.
    fn breed(&mut self) {
        let mut ranked: Vec<(Arch, f64)> = self
            .population
            .iter()
            .map(|a| (a.clone(), self.fitness_of(a)))
            .collect();
        // Stable sort: equal fitness keeps population order, so the result is deterministic.
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        let (scores, costs, fitness) = (&self.scores, &self.costs, &self.fitness);
        let is_new = |a: &Arch| !scores.contains_key(a);
        let within = |a: &Arch| costs.cost(a).is_ok_and(|c| fitness.feasible(c.value));
        let next = breed::next_generation(self.space, &self.config, &ranked, is_new, within, &mut self.rng);
        self.population = next;
    }
}
