//! What a search is asked to do: population, generations, operators, confirmation round and
//! schedule, with the schema's bounds and the number of trainings it plans.

use crate::bounds::{IntRange, NumberRange, SEED};
use crate::rmi::DEFAULT_STEPS;
use crate::{bail, Result};
use serde::{Deserialize, Serialize};

// Bounds of a search. Population and generations keep one search within what a browser tab can
// train in an afternoon.
pub const POPULATION: IntRange = IntRange {
    name: "population",
    min: 3,
    max: 500,
};
pub const GENERATIONS: IntRange = IntRange {
    name: "generations",
    min: 1,
    max: 500,
};
pub const TOURNAMENT: IntRange = IntRange {
    name: "tournament",
    min: 1,
    max: 500,
};
pub const ELITISM: IntRange = IntRange {
    name: "elitism",
    min: 0,
    max: 499,
};
pub const FINALISTS: IntRange = IntRange {
    name: "finalists",
    min: 0,
    max: 500,
};
pub const REPLICATES: IntRange = IntRange {
    name: "replicates",
    min: 1,
    max: 16,
};
pub const CROSSOVER_RATE: NumberRange = NumberRange {
    name: "crossover rate",
    min: 0.0,
    max: 1.0,
};
pub const MUTATION_RATE: NumberRange = NumberRange {
    name: "mutation rate",
    min: 0.0,
    max: 1.0,
};
pub const SCREEN_KEEP: NumberRange = NumberRange {
    name: "screen keep",
    min: 0.01,
    max: 1.0,
};
/// The most trainings one search may plan ([`EvolutionConfig::planned_trials`]): hours in a
/// browser tab at the default K, and far beyond what the fidelity study found useful.
pub const MAX_TRAININGS: usize = 5_000;

/// Screening before training: each generation's new architectures are first scored after `steps`
/// steps (0: untrained, a forward pass), and only the best `keep` fraction of them by that score is
/// trained for the full K. The rest keep their screening score, and rank below every trained one.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Screen {
    pub steps: usize,
    pub keep: f64,
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
    /// Screen each generation's new architectures before training them (`None`: train all).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screen: Option<Screen>,
    /// One budget (constrained) or the whole RMI-vs-cost front (Pareto).
    #[serde(skip_serializing_if = "Mode::is_constrained")]
    pub mode: Mode,
    /// Pareto mode: how the search keeps the whole cost axis covered.
    #[serde(skip_serializing_if = "is_default_coverage")]
    pub coverage: Coverage,
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
            screen: Schedule::default().screen(DEFAULT_STEPS),
            mode: Mode::default(),
            coverage: Coverage::default(),
        }
    }
}

impl EvolutionConfig {
    pub fn validate(&self) -> Result<()> {
        POPULATION.check(self.population as u64)?;
        GENERATIONS.check(self.generations as u64)?;
        TOURNAMENT.check(self.tournament as u64)?;
        ELITISM.check(self.elitism as u64)?;
        FINALISTS.check(self.finalists as u64)?;
        REPLICATES.check(u64::from(self.replicates))?;
        SEED.check(self.seed)?;
        CROSSOVER_RATE.check(self.crossover_rate)?;
        if let Some(rate) = self.mutation_rate {
            MUTATION_RATE.check(rate)?;
        }
        if let Some(screen) = self.screen {
            crate::rmi::STEPS.check(screen.steps as u64)?;
            SCREEN_KEEP.check(screen.keep)?;
        }
        if self.mode == Mode::Pareto && self.screen.is_some() {
            bail!("the screened schedule ranks by fitness at one budget: the Pareto mode trains every candidate (schedule plain)")
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
        if planned > MAX_TRAININGS {
            bail!(
                "this search would train up to {planned} candidates (population × generations + finalists × (replicates − 1)); \
                 one search trains at most {}",
                MAX_TRAININGS
            )
        }
        Ok(())
    }

    /// Full trainings a search with this configuration takes when it breeds no duplicates:
    /// every new architecture, or with a screen the kept fraction of them, then the finalists'.
    pub fn planned_trials(&self) -> usize {
        let confirmation = self
            .confirmed_at_most()
            .saturating_mul((self.replicates as usize).saturating_sub(1));
        let evolution = match self.screen {
            None => self.population.saturating_mul(self.generations),
            Some(screen) => {
                let (first, later) = self.new_per_generation();
                kept(first, screen.keep) + kept(later, screen.keep).saturating_mul(self.generations.saturating_sub(1))
            }
        };
        evolution.saturating_add(confirmation)
    }

    /// Candidates the confirmation round re-trains at most: the finalists, or in the Pareto mode
    /// the front's members, up to a population of them (a front rarely holds more).
    pub fn confirmed_at_most(&self) -> usize {
        match self.mode {
            _ if self.finalists == 0 || self.replicates < 2 => 0,
            Mode::Constrained => self.finalists,
            Mode::Pareto => self.population,
        }
    }

    /// Planned full trainings that continue a screen's paused one (those the screen keeps, when it
    /// trains at all): the rest of [`planned_trials`](Self::planned_trials), the confirmation
    /// round's other initialisations, start afresh.
    pub fn planned_continuations(&self) -> usize {
        match self.screen {
            Some(screen) if screen.steps > 0 => self.planned_trials().saturating_sub(
                self.confirmed_at_most()
                    .saturating_mul((self.replicates as usize).saturating_sub(1)),
            ),
            _ => 0,
        }
    }

    /// Screenings planned (none without a screen): every new architecture of every generation.
    pub fn planned_screens(&self) -> usize {
        match self.screen {
            None => 0,
            Some(_) => {
                let (first, later) = self.new_per_generation();
                first + later.saturating_mul(self.generations.saturating_sub(1))
            }
        }
    }

    /// New architectures in the first generation (all of it) and in each later one (all but the
    /// elite), when breeding finds no duplicates: what a screen screens.
    fn new_per_generation(&self) -> (usize, usize) {
        (self.population, self.population.saturating_sub(self.elitism))
    }
}

crate::named_enum! {
    /// How a generation spends its trainings: the page's and the CLI's named schedules.
    #[derive(Default)]
    pub enum Schedule: "schedule" {
        /// Every new architecture trained for K steps: the method as published, and the schedule
        /// for teaching (every candidate's score means the same).
        Plain = "plain" => "plain (every candidate K steps)",
        /// Every new architecture scored untrained (one forward pass), the better half of them
        /// trained for K steps: 0.56× the trainings.
        Screened = "screened" => "screened (untrained, the better half K steps)",
        /// Successive halving in each generation: every new architecture trained K/4 steps, the
        /// better half of them trained for K (from the same initialisation, so their first K/4
        /// steps repeat the screen's). The default: in the constrained-search study (FIDELITY.md,
        /// "A faster search") its picks were as close to the best cell as the plain schedule's
        /// (+0.02 points, paired over 54 runs) for 0.81× the training work.
        #[default]
        Halving = "halving" => "halving (K/4 steps, the better half K)",
    }
}

impl Schedule {
    /// The screen this schedule puts before the K-step trainings (`k`: the search's K). Halving's
    /// first round is K/4 steps, 5 at the default K = 20, where the score ranks cells at τ 0.53
    /// against 0.47 untrained (FIDELITY.md).
    pub fn screen(self, k: usize) -> Option<Screen> {
        match self {
            Schedule::Plain => None,
            Schedule::Screened => Some(Screen { steps: 0, keep: 0.5 }),
            Schedule::Halving => Some(Screen {
                steps: k / 4,
                keep: 0.5,
            }),
        }
    }
}

crate::named_enum! {
    /// What a search looks for.
    #[derive(Default)]
    pub enum Mode: "mode" {
        /// The best architecture near one budget: fitness = RMI − λ·penalty.
        #[default]
        Constrained = "constrained" => "constrained (one budget)",
        /// The front of RMI against cost (NSGA-II): every budget answered by one search.
        Pareto = "pareto" => "Pareto (every budget)",
    }
}

impl Mode {
    pub fn is_constrained(&self) -> bool {
        *self == Mode::Constrained
    }

    /// The schedule a search in this mode runs when given `schedule` (`None`: the mode's own).
    pub fn schedule(self, schedule: Option<Schedule>) -> Schedule {
        match (self, schedule) {
            (_, Some(s)) => s,
            (Mode::Constrained, None) => Schedule::default(),
            (Mode::Pareto, None) => Schedule::Plain,
        }
    }

    /// The screen of a search in this mode: `given` outright (studies' `--screen-steps`), else the
    /// one `schedule` puts before K = `k` steps (`None`: the mode's own, [`Mode::schedule`]). The
    /// Pareto mode trains every candidate: a schedule that screens (by fitness at one budget) is
    /// refused by name.
    pub fn screen(self, given: Option<Screen>, schedule: Option<Schedule>, k: usize) -> Result<Option<Screen>> {
        if given.is_some() {
            return Ok(given);
        }
        match self.schedule(schedule) {
            s if self == Mode::Pareto && s != Schedule::Plain => bail!(
                "schedule {s} ranks a generation's screens by fitness at one budget; the Pareto mode trains every \
                 candidate (schedule plain, or none)"
            ),
            s => Ok(s.screen(k)),
        }
    }
}

/// For serde: configurations print the coverage only where it is not the default.
fn is_default_coverage(coverage: &Coverage) -> bool {
    *coverage == Coverage::default()
}

crate::named_enum! {
    /// How the Pareto mode keeps the whole cost axis covered. Every variant starts from a first
    /// generation spread over the cost axis and chooses parents from every candidate scored so
    /// far; the Pareto study (FIDELITY.md) found plain NSGA-II on that footing the closest to the
    /// best cells with the largest hypervolume, so the others are choices for studies.
    #[derive(Default)]
    pub enum Coverage: "coverage" {
        /// Plain NSGA-II over (RMI, cost): the default.
        #[default]
        None = "none" => "none (plain NSGA-II)",
        /// Parents drawn in turn from cost niches (quantiles of the space's costs), each niche
        /// ranked by NSGA-II's crowded comparison.
        Niches = "niches" => "cost niches by NSGA-II",
        /// The same niches, each ranked as a constrained search with the niche's upper edge as
        /// its budget (towards the cells that use it).
        Budgets = "budgets" => "cost niches, each a budget",
        /// MO-HDNAS's hardware-cost diversity as a third objective: the distance of a
        /// candidate's cost to its nearest neighbour's.
        Diversity = "diversity" => "hardware-cost diversity objective",
    }
}

/// How many of `n` screened architectures a screen keeps: the fraction, rounded up, at least one.
pub(super) fn kept(n: usize, keep: f64) -> usize {
    ((n as f64 * keep).ceil() as usize).clamp(n.min(1), n)
}
