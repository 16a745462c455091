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
//!
//! In the Pareto mode ([`Mode::Pareto`]) the same machine looks for the front of RMI against cost
//! instead of one budget's best: parents are chosen from every candidate scored so far by NSGA-II's
//! crowded comparison ([`pareto`]), and the confirmation round re-trains the front's members until
//! the front is made of confirmed candidates. The budget then only picks from the front.

mod breed;
mod candidate;
mod config;
pub mod pareto;
mod pareto_search;
mod ranking;
mod run;

pub use crate::trial::{Evaluator, Trial};
pub use candidate::{Candidate, GenerationStats};
pub use config::{
    Coverage, EvolutionConfig, Mode, Schedule, Screen, CROSSOVER_RATE, ELITISM, FINALISTS, GENERATIONS, MAX_TRAININGS,
    MUTATION_RATE, POPULATION, REPLICATES, SCREEN_KEEP, TOURNAMENT,
};
pub use pareto::FrontMember;
pub use run::{run, Progress};

use config::kept;

use crate::complexity::complexity;
use crate::cost::{Cost, CostTable};
use crate::fitness::Fitness;
use crate::space::{Arch, Space};
use crate::{bail, Result};
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::collections::{BTreeMap, HashMap, HashSet};

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
    /// Screening score of each screened architecture.
    screens: HashMap<Arch, f64>,
    /// With a screen: the generation's architectures that had no full training when it began,
    /// whose screens decide which of them are trained.
    screen_pool: Vec<Arch>,
    phase: Phase,
    /// Architectures in the order they were first scored, for stable reports.
    seen: Vec<Arch>,
    /// The Pareto mode's cost niches: the upper edges of all but the last (see [`Coverage`]).
    niche_edges: Vec<f64>,
    history: Vec<GenerationStats>,
}

impl Search {
    pub fn new(space: Space, config: EvolutionConfig, costs: CostTable, fitness: Fitness) -> Result<Self> {
        config.validate()?;
        if costs.space() != space {
            bail!("the cost table is for {}, not for a {space} search", costs.space())
        }
        let mut rng = StdRng::seed_from_u64(config.seed);
        let population = match config.mode {
            Mode::Constrained => {
                let within = |a: &Arch| costs.cost(a).is_ok_and(|c| fitness.feasible(c.value));
                breed::initial_population(space, &config, within, &mut rng)
            }
            Mode::Pareto => {
                let cost = |a: &Arch| costs.cost(a).map_or(f64::INFINITY, |c| c.value);
                breed::initial_spread(space, &config, cost, &mut rng)
            }
        };
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
        let niche_edges = match (config.mode, config.coverage) {
            (Mode::Pareto, Coverage::Niches | Coverage::Budgets) => pareto_search::niche_edges(space, &config, &costs),
            _ => vec![],
        };
        let mut search = Self {
            niche_edges,
            space,
            config,
            fitness,
            costs,
            rng,
            population,
            generation: 0,
            scores: HashMap::new(),
            screens: HashMap::new(),
            screen_pool: vec![],
            phase: Phase::Evolving,
            seen: vec![],
            history: vec![],
        };
        search.start_generation();
        search
    }

    /// Notes which of the population the generation's screen ranks.
    fn start_generation(&mut self) {
        let mut seen = HashSet::new();
        self.screen_pool = match self.config.screen {
            None => vec![],
            Some(_) => self
                .population
                .iter()
                .filter(|a| !self.scores.contains_key(*a) && seen.insert(*a))
                .cloned()
                .collect(),
        };
    }

    /// The screen's choice for the full training, once every architecture of the generation's
    /// screen pool is screened: the best `keep` fraction by screened fitness, ties by architecture.
    fn promoted(&self, screen: Screen) -> Option<Vec<Arch>> {
        let mut by_screen: Vec<(&Arch, f64)> = self
            .screen_pool
            .iter()
            .map(|a| Some((a, self.fitness_with(&self.fitness, a, *self.screens.get(a)?))))
            .collect::<Option<_>>()?;
        by_screen.sort_by(|(a, x), (b, y)| y.total_cmp(x).then_with(|| a.cmp(b)));
        let n = kept(by_screen.len(), screen.keep);
        Some(by_screen.into_iter().take(n).map(|(a, _)| a.clone()).collect())
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
        if costs.space() != space {
            bail!("the cost table is for {}, not for a {space} search", costs.space())
        }
        let config = EvolutionConfig {
            population: sample.len(),
            generations: 1,
            tournament: 1,
            elitism: 0,
            // The baseline trains every sampled cell: it gets as many full trainings as the
            // evolution ran, screens aside.
            screen: None,
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
                        steps: None,
                    })
                    .collect()
            }
        }
        let Some(screen) = self.config.screen else {
            let mut seen = HashSet::new();
            return self
                .population
                .iter()
                .filter(|a| !scored(a, 0) && seen.insert(*a))
                .map(|a| Trial::first(a.clone()))
                .collect();
        };
        match self.promoted(screen) {
            Some(promoted) => promoted
                .into_iter()
                .filter(|a| !scored(a, 0))
                .map(Trial::first)
                .collect(),
            None => self
                .screen_pool
                .iter()
                .filter(|a| !self.screens.contains_key(*a))
                .map(|a| Trial::screen(a.clone(), screen.steps))
                .collect(),
        }
    }

    /// Stores a score; a NaN or infinite score is refused.
    pub fn record(&mut self, trial: Trial, rmi: f64) -> Result<()> {
        let Trial { arch, replicate, steps } = trial;
        if arch.space() != self.space {
            bail!("a {} architecture cannot join a {} search", arch.space(), self.space)
        }
        if !rmi.is_finite() {
            bail!("RMI score of {arch} is not a finite number")
        }
        if steps.is_some() {
            self.screens.insert(arch, rmi);
            return Ok(());
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

    /// `fitness` of `arch` with this RMI: its cost and complexity are the architecture's own.
    fn fitness_with(&self, fitness: &Fitness, arch: &Arch, rmi: f64) -> f64 {
        fitness.fitness(rmi, self.cost(arch).value, complexity(arch))
    }

    /// Fitness by the full training's score, else (a screened architecture the screen did not
    /// keep) by its screen's.
    fn fitness_of(&self, arch: &Arch) -> f64 {
        let rmi = self.rmi(arch).or_else(|| self.screens.get(arch).copied());
        self.fitness_with(&self.fitness, arch, rmi.expect("only scored architectures are ranked"))
    }

    /// Architectures screened so far (each a short training or a forward pass).
    pub fn screenings(&self) -> usize {
        self.screens.len()
    }

    /// Screenings the search plans, for reporting beside [`Search::planned_trials`].
    pub fn planned_screens(&self) -> usize {
        self.config.planned_screens()
    }

    /// Each initialisation's RMI of a scored architecture, by replicate.
    pub fn replicate_scores(&self, arch: &Arch) -> Vec<f64> {
        self.scores.get(arch).map_or(vec![], |s| s.values().copied().collect())
    }

    pub fn candidate(&self, arch: &Arch) -> Option<Candidate> {
        let rmi = self.rmi(arch)?;
        let cost = self.cost(arch);
        let complexity = complexity(arch);
        Some(Candidate {
            arch: arch.to_string(),
            index: arch.nb201_index(),
            rmi,
            replicates: self.scores[arch].len(),
            cost: cost.value,
            measured: cost.measured,
            complexity,
            fitness: self.fitness.fitness(rmi, cost.value, complexity),
            feasible: self.fitness.feasible(cost.value),
        })
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
        let members: Vec<Arch> = match &self.phase {
            Phase::Confirming(finalists) => finalists.clone(),
            // Those a screen left untrained are not the generation's to report.
            _ => self
                .population
                .iter()
                .filter(|a| self.scores.contains_key(*a))
                .cloned()
                .collect(),
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
            // Not a generation: the history charts evolution only. A confirmed mean can drop a
            // member off the Pareto front and let unconfirmed ones on: those are confirmed next.
            self.phase = match self.config.mode {
                Mode::Pareto => self.confirming(self.unconfirmed_front()),
                Mode::Constrained => Phase::Done,
            };
            return Ok(stats);
        }
        self.history.push(stats);
        self.generation += 1;
        if self.generation < self.config.generations {
            self.breed();
        } else {
            self.phase = match self.config.mode {
                _ if self.config.confirmed_at_most() == 0 => Phase::Done,
                Mode::Constrained => Phase::Confirming(self.pick_finalists()),
                Mode::Pareto => self.confirming(self.unconfirmed_front()),
            };
        }
        Ok(stats)
    }

    fn confirming(&self, finalists: Vec<Arch>) -> Phase {
        if finalists.is_empty() {
            Phase::Done
        } else {
            Phase::Confirming(finalists)
        }
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
        if self.config.mode == Mode::Pareto {
            return self.breed_pareto();
        }
        let mut ranked: Vec<(Arch, f64)> = self
            .population
            .iter()
            .map(|a| (a.clone(), self.fitness_of(a)))
            .collect();
        // Trained ones first (a screen's score is not comparable with a full training's), then by
        // fitness; stable, so equal fitness keeps population order and the result is deterministic.
        let trained = |a: &Arch| self.scores.contains_key(a);
        ranked.sort_by(|a, b| trained(&b.0).cmp(&trained(&a.0)).then(b.1.total_cmp(&a.1)));
        let (scores, screens, costs, fitness) = (&self.scores, &self.screens, &self.costs, &self.fitness);
        let is_new = |a: &Arch| !scores.contains_key(a) && !screens.contains_key(a);
        let within = |a: &Arch| costs.cost(a).is_ok_and(|c| fitness.feasible(c.value));
        let next = breed::next_generation(self.space, &self.config, &ranked, is_new, within, &mut self.rng);
        self.population = next;
        self.start_generation();
    }
}
