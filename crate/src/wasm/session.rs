//! The search the page drives: its options, its plan, and [`SearchSession`], the evolution's state
//! with the views the page draws (ranked, front, true front, inspection).

use super::{js_err, to_js, to_js_as_is};
use crate::assets::GroundTruth;
use crate::evolve::{pareto, Search, Trial};
use crate::export::with_truth;
use crate::fitness::{Fitness, Penalty};
use crate::schema;
use crate::settings::SearchSettings;
use crate::{Arch, CostBook};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// The page's settings object, read by the library's one path from settings to a search.
fn settings(options: JsValue) -> Result<SearchSettings, JsError> {
    let value: serde_json::Value = serde_wasm_bindgen::from_value(options).map_err(js_err)?;
    SearchSettings::from_json(&value).map_err(js_err)
}

#[derive(Serialize)]
struct Plan {
    /// K, the steps of a full training.
    steps: usize,
    /// The schedule in force (the mode's own where none was given).
    schedule: crate::evolve::Schedule,
    /// Full trainings, the confirmation round's included.
    trainings: usize,
    /// Screenings (none without a screen).
    screens: usize,
    /// Steps of each screening (0: untrained, one forward pass); absent without a screen.
    #[serde(skip_serializing_if = "Option::is_none")]
    screen_steps: Option<usize>,
    /// Of the trainings, those that continue a screen's (its steps are not trained again).
    continued: usize,
}

/// What a search with these settings plans: `{steps, trainings, screens, screenSteps, continued}`; throws the reason when the
/// library would refuse it (a bound, the cap on trainings).
#[wasm_bindgen(js_name = planSearch)]
pub fn plan_search(options: JsValue) -> Result<JsValue, JsError> {
    let settings = settings(options)?;
    let config = settings.evolution().map_err(js_err)?;
    to_js(&Plan {
        steps: settings.steps,
        schedule: settings.mode.schedule(settings.schedule),
        trainings: config.planned_trials(),
        screens: config.planned_screens(),
        screen_steps: config.screen.map(|s| s.steps),
        continued: config.planned_continuations(),
    })
}

#[derive(Serialize)]
struct PendingTrial {
    arch: String,
    replicate: u32,
    /// Set for a screen: train this many steps instead of K.
    #[serde(skip_serializing_if = "Option::is_none")]
    steps: Option<usize>,
}

/// A cell of the table's true accuracy-vs-cost front.
#[derive(Serialize)]
struct TrueFrontCell {
    index: usize,
    cifar10: f32,
    cost: f64,
}

/// What the teaching view says about one scored candidate.
#[derive(Serialize)]
struct Inspection {
    #[serde(flatten)]
    candidate: crate::Candidate,
    /// Each initialisation's RMI, by replicate (their mean is `rmi`).
    scores: Vec<f64>,
    threshold: f64,
    lambda: f64,
    penalty_shape: Penalty,
    /// λ·penalty(cost, threshold).
    penalty: f64,
    /// w, the complexity prior's weight; `prior_term` = w·complexity. fitness = rmi + prior_term
    /// − penalty.
    prior: f64,
    prior_term: f64,
    on_front: bool,
    /// CIFAR-10, CIFAR-100 and ImageNet16-120 accuracies, and the CIFAR-10 rank among every
    /// cell of the table (1: the most accurate), NB201 only.
    truth: Option<[f32; 3]>,
    rank: Option<usize>,
    cells: Option<usize>,
}

/// The best cell within the budget by the benchmark's own accuracies.
#[derive(Serialize)]
struct FeasibleTruth {
    index: usize,
    cifar10: f32,
    arch: String,
}

#[wasm_bindgen]
pub struct SearchSession {
    search: Search,
    truth: Option<GroundTruth>,
}

#[wasm_bindgen]
impl SearchSession {
    /// `truth_bytes` may be empty (FBNet has no ground truth).
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue, cost_bytes: &[u8], truth_bytes: &[u8]) -> Result<SearchSession, JsError> {
        let book = CostBook::decode(cost_bytes).map_err(js_err)?;
        let search = settings(options)?.search(&book).map_err(js_err)?;
        let truth = if truth_bytes.is_empty() {
            None
        } else {
            Some(GroundTruth::decode(truth_bytes).map_err(js_err)?)
        };
        Ok(Self { search, truth })
    }

    /// Trials of the current generation (or confirmation round) still to be scored:
    /// `[{arch, replicate}]`.
    pub fn pending(&self) -> Result<JsValue, JsError> {
        let trials: Vec<PendingTrial> = self
            .search
            .pending()
            .into_iter()
            .map(|t| PendingTrial {
                arch: t.arch.to_string(),
                replicate: t.replicate,
                steps: t.steps,
            })
            .collect();
        to_js(&trials)
    }

    /// Stores a trial's score; `steps` as the pending trial gave it (a screen's), else undefined.
    pub fn record(&mut self, arch: &str, replicate: u32, rmi: f64, steps: Option<u32>) -> Result<(), JsError> {
        let arch = Arch::parse(self.search.space(), arch).map_err(js_err)?;
        let steps = steps.map(|s| s as usize);
        self.search
            .record(Trial { arch, replicate, steps }, rmi)
            .map_err(js_err)
    }

    /// Architectures screened so far, and planned in all (0 without a screen).
    pub fn screenings(&self) -> usize {
        self.search.screenings()
    }

    #[wasm_bindgen(js_name = plannedScreens)]
    pub fn planned_screens(&self) -> usize {
        self.search.planned_screens()
    }

    /// The generations are over and the finalists are being re-trained.
    #[wasm_bindgen(js_name = isConfirming)]
    pub fn is_confirming(&self) -> bool {
        self.search.is_confirming()
    }

    /// Trainings so far, and planned in all.
    pub fn trials(&self) -> usize {
        self.search.trials()
    }

    #[wasm_bindgen(js_name = plannedTrials)]
    pub fn planned_trials(&self) -> usize {
        self.search.planned_trials()
    }

    /// Closes the generation; returns its statistics.
    pub fn advance(&mut self) -> Result<JsValue, JsError> {
        let stats = self.search.advance().map_err(js_err)?;
        to_js(&stats)
    }

    #[wasm_bindgen(js_name = isDone)]
    pub fn is_done(&self) -> bool {
        self.search.is_done()
    }

    pub fn generation(&self) -> usize {
        self.search.generation()
    }

    pub fn evaluations(&self) -> usize {
        self.search.evaluations()
    }

    pub fn history(&self) -> Result<JsValue, JsError> {
        to_js(&self.search.history())
    }

    fn truth_of(&self, index: Option<usize>) -> Option<[f32; 3]> {
        with_truth((), index, self.truth.as_ref()).truth
    }

    /// Every scored architecture under the current fitness, best first, with NB201 ground truth.
    pub fn ranked(&self) -> Result<JsValue, JsError> {
        let truth = self.truth.as_ref();
        let ranked: Vec<_> = self
            .search
            .ranked()
            .into_iter()
            .map(|c| {
                let index = c.index;
                with_truth(c, index, truth)
            })
            .collect();
        to_js_as_is(&ranked)
    }

    /// The non-dominated candidates by (RMI, cost), cheapest first, with NB201 ground truth:
    /// `[{arch, index, rmi, replicates, cost, measured, truth}]`.
    pub fn front(&self) -> Result<JsValue, JsError> {
        let truth = self.truth.as_ref();
        let front: Vec<_> = self
            .search
            .front()
            .into_iter()
            .map(|m| {
                let index = m.index;
                with_truth(m, index, truth)
            })
            .collect();
        to_js_as_is(&front)
    }

    /// Everything the teaching view shows of a scored candidate (null when it was not trained):
    /// its RMI per initialisation, the fitness decomposed, whether it is on the front, and for
    /// NB201 its true accuracies and rank.
    pub fn inspect(&self, arch: &str) -> Result<JsValue, JsError> {
        let parsed = Arch::parse(self.search.space(), arch).map_err(js_err)?;
        let Some(candidate) = self.search.candidate(&parsed) else {
            return Ok(JsValue::NULL);
        };
        let fitness = self.search.fitness_fn();
        let rank = match (&self.truth, candidate.index) {
            (Some(t), Some(i)) => Some(1 + t.cifar10.iter().filter(|&&a| a > t.cifar10[i]).count()),
            _ => None,
        };
        to_js(&Inspection {
            scores: self.search.replicate_scores(&parsed),
            threshold: fitness.threshold,
            lambda: fitness.lambda,
            penalty_shape: fitness.penalty,
            penalty: fitness.lambda * fitness.penalty(candidate.cost),
            prior: fitness.prior,
            prior_term: fitness.prior(candidate.complexity),
            on_front: self.search.front().iter().any(|m| m.arch == candidate.arch),
            truth: self.truth_of(candidate.index),
            rank,
            cells: self.truth.as_ref().map(|t| t.cifar10.len()),
            candidate,
        })
    }

    /// The whole table's true front of CIFAR-10 accuracy against cost on this device,
    /// `[{index, cifar10, cost}]` cheapest first; null without ground truth (FBNet).
    #[wasm_bindgen(js_name = trueFront)]
    pub fn true_front(&self) -> Result<JsValue, JsError> {
        let (Some(truth), Some(costs)) = (&self.truth, self.search.cost_table().per_arch_values()) else {
            return Ok(JsValue::NULL);
        };
        let points: Vec<(f64, f64)> = costs
            .iter()
            .zip(&truth.cifar10)
            .map(|(&c, &a)| (f64::from(a), c))
            .collect();
        let cells: Vec<TrueFrontCell> = pareto::staircase(&points)
            .into_iter()
            .map(|index| TrueFrontCell {
                index,
                cifar10: truth.cifar10[index],
                cost: costs[index],
            })
            .collect();
        to_js_as_is(&cells)
    }

    /// The results as the CLI's `search --json` has them (best, counts, history), with every
    /// ranked candidate and the Pareto mode's front, and NB201's true accuracies.
    pub fn results(&self) -> Result<JsValue, JsError> {
        to_js(&crate::export::Results::full(&self.search, self.truth.as_ref()))
    }

    /// Every ranked candidate as CSV (the CLI's `search --csv`), with NB201's true accuracies.
    #[wasm_bindgen(js_name = candidatesCsv)]
    pub fn candidates_csv(&self) -> String {
        crate::export::candidates_csv(&self.search.ranked(), self.truth.as_ref())
    }

    /// The front as CSV (the CLI's `pareto --csv`), with NB201's true accuracies.
    #[wasm_bindgen(js_name = frontCsv)]
    pub fn front_csv(&self) -> String {
        crate::export::front_csv(&self.search.front(), self.truth.as_ref())
    }

    /// Re-ranks at once under a new threshold, λ, penalty or prior weight (unchanged when not
    /// given): nothing is retrained.
    #[wasm_bindgen(js_name = setFitness)]
    pub fn set_fitness(
        &mut self,
        threshold: f64,
        lambda: f64,
        penalty: &str,
        prior: Option<f64>,
    ) -> Result<(), JsError> {
        let penalty: Penalty = penalty.parse().map_err(js_err)?;
        let prior = prior.unwrap_or(self.search.fitness_fn().prior);
        self.search
            .set_fitness(Fitness::new(threshold, lambda, penalty, prior).map_err(js_err)?);
        Ok(())
    }

    /// Allows `more` generations after the configured ones, keeping every score.
    pub fn extend(&mut self, more: f64) -> Result<(), JsError> {
        let more = schema::GENERATIONS.check_f64(more).map_err(js_err)? as usize;
        self.search.extend(more).map_err(js_err)
    }

    /// Best true CIFAR-10 accuracy of any NB201 cell within the threshold, and that cell.
    #[wasm_bindgen(js_name = bestFeasibleTruth)]
    pub fn best_feasible_truth(&self) -> Result<JsValue, JsError> {
        let (Some(truth), Some(costs)) = (&self.truth, self.search.cost_table().per_arch_values()) else {
            return Ok(JsValue::NULL);
        };
        match truth.best_within(costs, self.search.fitness_fn().threshold) {
            Some((index, cifar10)) => to_js(&FeasibleTruth {
                index,
                cifar10,
                arch: Arch::from_nb201_index(index).map_err(js_err)?.to_string(),
            }),
            None => Ok(JsValue::NULL),
        }
    }
}
