//! One path from a search's settings to a search, for the CLI and the page alike: the mode's rules
//! (what the Pareto mode does with a schedule), the suggested budget and the check that the cost
//! table is the search space's all live here, and every refusal names the value it was given.
//!
//! The CLI fills [`SearchSettings`] from its flags; the page sends its settings as a JSON object,
//! read by [`SearchSettings::from_json`] with the schema's bounds and messages.

use crate::bounds::{IntRange, SEED};
use crate::cost::{CostBook, CostTable, Device, Metric};
use crate::evolve::{EvolutionConfig, Mode, Schedule, Screen, GENERATIONS, POPULATION};
use crate::fitness::{Fitness, Penalty, DEFAULT_LAMBDA, DEFAULT_PRIOR, LAMBDA, PRIOR, THRESHOLD};
use crate::rmi::{DEFAULT_STEPS, STEPS};
use crate::space::Space;
use crate::{bail, Result};
use serde::Serialize;

/// What one search is asked to do.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchSettings {
    pub space: Space,
    pub mode: Mode,
    pub device: Device,
    pub metric: Metric,
    /// The budget T in the table's unit; `None`: [`suggested_budget`] for one budget, every cost
    /// for the Pareto mode (whose budget only picks from the front afterwards).
    pub threshold: Option<f64>,
    pub lambda: f64,
    pub penalty: Penalty,
    /// w, the weight of the complexity prior (0: RMI alone, as published).
    pub prior: f64,
    /// K, the steps each candidate trains.
    pub steps: usize,
    /// `None`: the mode's own (halving for one budget, plain for the Pareto mode).
    pub schedule: Option<Schedule>,
    /// A screen given outright (studies' `--screen-steps`), over the schedule.
    pub screen: Option<Screen>,
    /// Population, generations, operators, seed and confirmation round; its `mode` and `screen`
    /// are decided by the fields above.
    pub evolution: EvolutionConfig,
}

impl SearchSettings {
    /// The default search of `space` on `device`.
    pub fn new(space: Space, device: Device) -> Self {
        Self {
            space,
            mode: Mode::default(),
            device,
            metric: Metric::Latency,
            threshold: None,
            lambda: DEFAULT_LAMBDA,
            penalty: Penalty::default(),
            prior: DEFAULT_PRIOR,
            steps: DEFAULT_STEPS,
            schedule: None,
            screen: None,
            evolution: EvolutionConfig::default(),
        }
    }

    /// The evolution's configuration, checked: the mode's screen for the schedule asked for.
    pub fn evolution(&self) -> Result<EvolutionConfig> {
        let screen = self.mode.screen(self.screen, self.schedule, self.steps)?;
        let config = EvolutionConfig {
            mode: self.mode,
            screen,
            ..self.evolution
        };
        config.validate()?;
        Ok(config)
    }

    /// The fitness on `table`: the budget asked for, else the mode's.
    pub fn fitness(&self, table: &CostTable) -> Result<Fitness> {
        let threshold = match (self.threshold, self.mode) {
            (Some(t), _) => t,
            (None, Mode::Constrained) => suggested_budget(table),
            (None, Mode::Pareto) => THRESHOLD.max,
        };
        Fitness::new(threshold, self.lambda, self.penalty, self.prior)
    }

    /// The device's table from `book`, which must be the search space's.
    pub fn table<'b>(&self, book: &'b CostBook) -> Result<&'b CostTable> {
        if book.space != self.space {
            bail!(
                "the cost file is for {}, not for the search space {}",
                book.space,
                self.space
            )
        }
        book.table(self.device, self.metric)
    }

    /// The search these settings ask for, on `book`'s costs.
    pub fn search(&self, book: &CostBook) -> Result<crate::Search> {
        let table = self.table(book)?;
        crate::Search::new(self.space, self.evolution()?, table.clone(), self.fitness(table)?)
    }

    /// Settings as the page holds them: a JSON object of the schema's settings by name (others,
    /// the page's own, are ignored); an absent or null value takes the default. Whole numbers may
    /// arrive as JavaScript numbers; a bad value gets the CLI's message.
    pub fn from_json(value: &serde_json::Value) -> Result<Self> {
        let Some(map) = value.as_object() else {
            bail!("search settings must be an object, got {value}")
        };
        let get = |name: &str| map.get(name).filter(|v| !v.is_null());
        let choice = |name: &str| -> Result<Option<&str>> {
            match get(name) {
                None => Ok(None),
                Some(serde_json::Value::String(s)) => Ok(Some(s.as_str())),
                Some(other) => bail!("{name} must be a name, got {other}"),
            }
        };
        let number = |name: &str| -> Result<Option<f64>> {
            match get(name) {
                None => Ok(None),
                Some(v) => match v.as_f64() {
                    Some(x) => Ok(Some(x)),
                    None => bail!("{name} must be a number, got {v}"),
                },
            }
        };
        let int = |name: &str, range: IntRange| -> Result<Option<u64>> {
            number(name)?.map(|x| range.check_f64(x)).transpose()
        };
        let mut s = Self::new(
            choice("space")?.unwrap_or(Space::Nb201.name()).parse()?,
            choice("device")?.unwrap_or(Device::Pixel3.name()).parse()?,
        );
        if let Some(v) = choice("mode")? {
            s.mode = v.parse()?;
        }
        if let Some(v) = choice("metric")? {
            s.metric = v.parse()?;
        }
        if let Some(v) = choice("penalty")? {
            s.penalty = v.parse()?;
        }
        if let Some(v) = choice("schedule")? {
            s.schedule = Some(v.parse()?);
        }
        s.threshold = number("threshold")?.map(|t| THRESHOLD.check(t)).transpose()?;
        if let Some(v) = number("lambda")? {
            s.lambda = LAMBDA.check(v)?;
        }
        if let Some(v) = number("prior")? {
            s.prior = PRIOR.check(v)?;
        }
        if let Some(v) = int("steps", STEPS)? {
            s.steps = v as usize;
        }
        if let Some(v) = int("population", POPULATION)? {
            s.evolution.population = v as usize;
        }
        if let Some(v) = int("generations", GENERATIONS)? {
            s.evolution.generations = v as usize;
        }
        if let Some(v) = int("seed", SEED)? {
            s.evolution.seed = v;
        }
        Ok(s)
    }
}

/// The budget a search of `table`'s device starts from when none is given: 35 % of the way up its
/// range, to three figures (tight enough to matter, loose enough for many cells).
pub fn suggested_budget(table: &CostTable) -> f64 {
    let [min, max] = table.header.range;
    format!("{:.2e}", min + 0.35 * (max - min)).parse().unwrap_or(min)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_pareto_mode_trains_every_candidate_unless_a_screen_is_asked_for() {
        let page = |v| SearchSettings::from_json(&v).unwrap();
        let pareto = page(json!({"mode": "pareto"}));
        assert_eq!(pareto.evolution().unwrap().screen, None);
        let plain = page(json!({"mode": "pareto", "schedule": "plain"}));
        assert_eq!(plain.evolution().unwrap().screen, None);
        let halving = page(json!({"mode": "pareto", "schedule": "halving"}));
        let refused = halving.evolution().unwrap_err().to_string();
        assert!(refused.starts_with("schedule halving "), "{refused}");
        // One budget: halving unless told otherwise.
        let one = page(json!({"steps": 20, "schedule": null}));
        assert_eq!(one.evolution().unwrap().screen, Some(Screen { steps: 5, keep: 0.5 }));
    }

    #[test]
    fn page_values_get_the_schema_messages() {
        let refuse = |v| SearchSettings::from_json(&v).unwrap_err().to_string();
        assert_eq!(
            refuse(json!({"population": 2})),
            "population must be an integer in 3..=500, got 2"
        );
        assert_eq!(
            refuse(json!({"seed": 0.5})),
            "seed must be an integer in 0..=9007199254740991, got 0.5"
        );
        assert!(refuse(json!({"space": "resnet"})).contains("resnet"));
        assert!(refuse(json!({"lambda": "x"})).contains("\"x\""));
        assert!(refuse(json!([1])).contains("[1]"));
        // The page's own settings are not the search's.
        assert!(SearchSettings::from_json(&json!({"workers": 2, "embed": true})).is_ok());
    }
}
