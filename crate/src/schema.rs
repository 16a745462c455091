//! One source of truth for what a search accepts: each setting's default, bounds, unit and choices,
//! and the one message a bad value gets. The CLI parses its flags through these ranges, the
//! library's configs validate with them, and the page builds its controls and its URL parser from
//! [`schema`] (exported by the wasm glue), so the three accept exactly the same values.

use crate::assets::{self, BatchChoice};
use crate::compute::Compute;
use crate::cost::{Device, Metric};
use crate::evolve::{EvolutionConfig, Mode, Schedule};
use crate::fitness::{Penalty, DEFAULT_LAMBDA, DEFAULT_PRIOR};
use crate::rmi::RmiConfig;
use crate::space::Space;
use crate::Result;
use serde::Serialize;

pub use crate::bounds::{IntRange, NumberRange, SEED};
pub use crate::evolve::{
    CROSSOVER_RATE, ELITISM, FINALISTS, GENERATIONS, MAX_TRAININGS, MUTATION_RATE, POPULATION, REPLICATES, SCREEN_KEEP,
    TOURNAMENT,
};
pub use crate::fitness::{LAMBDA, PRIOR, THRESHOLD};
pub use crate::proxy::{FBNET_DIVISOR, FBNET_LAYERS, NB201_CELLS, NB201_CHANNELS};
pub use crate::rmi::{BETA, STEPS};
use std::collections::BTreeMap;

/// What kind of value a setting takes.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum Kind {
    Choice {
        choices: Vec<Choice>,
        /// Parses a choice's name into its JSON value.
        #[serde(skip)]
        parse: fn(&str) -> Result<serde_json::Value>,
    },
    Int(IntRange),
    Number(NumberRange),
}

#[derive(Clone, Debug, Serialize)]
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

/// One setting of a search, as the page shows it.
#[derive(Clone, Debug, Serialize)]
pub struct Setting {
    pub name: &'static str,
    pub label: &'static str,
    #[serde(flatten)]
    pub kind: Kind,
    /// `null` where the default depends on other settings (the budget: from the device's range;
    /// the schedule: the mode's own).
    pub default: serde_json::Value,
    /// For a choice whose default is `null`: what leaving it unset means, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unset: Option<&'static str>,
    /// What changing it does to a search under way.
    pub during_search: DuringSearch,
    /// The workers' training depends on it (their Scorer is built from it): changing it starts
    /// them anew.
    pub scorer: bool,
    pub unit: Option<&'static str>,
}

impl Setting {
    /// Parses a value's text (a URL parameter, a control's value) as the CLI parses its flag.
    pub fn parse(&self, text: &str) -> Result<serde_json::Value> {
        Ok(match &self.kind {
            Kind::Choice { parse, .. } => parse(text)?,
            Kind::Int(range) => serde_json::json!(range.parse(text)?),
            Kind::Number(range) => serde_json::json!(range.parse(text)?),
        })
    }
}

/// What changing a setting does to a search under way.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DuringSearch {
    /// Nothing: it cannot change until the search ends (a new value is the next search's).
    Fixed,
    /// Re-ranks every scored candidate at once, training nothing (the what-if of the budget).
    Rerank,
}

/// The asset files the page fetches, by role.
#[derive(Clone, Debug, Serialize)]
pub struct AssetPaths {
    pub manifest: &'static str,
    pub costs: BTreeMap<&'static str, String>,
    pub reference: &'static str,
    pub truth: &'static str,
    pub fidelity: &'static str,
    pub batches: BTreeMap<&'static str, &'static [&'static str]>,
    /// The bundled reference's targets on each bundled batch (the weights are then not needed).
    pub targets: BTreeMap<&'static str, String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Schema {
    pub settings: Vec<Setting>,
    /// See [`MAX_TRAININGS`].
    pub max_trainings: usize,
    pub assets: AssetPaths,
}

fn choices<T>(all: &[T], name: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Kind
where
    T: Copy + Serialize + std::str::FromStr<Err = crate::Error>,
{
    Kind::Choice {
        choices: all
            .iter()
            .map(|&v| Choice {
                value: name(v),
                label: label(v),
            })
            .collect(),
        parse: |text| Ok(serde_json::json!(text.parse::<T>()?)),
    }
}

/// The settings of a search in the order the page shows them, with the CLI's defaults.
pub fn schema() -> Schema {
    let evolution = EvolutionConfig::default();
    let rmi = RmiConfig::default();
    let setting = |name, label, kind, default: serde_json::Value, unit| Setting {
        name,
        label,
        kind,
        default,
        unit,
        unset: None,
        during_search: DuringSearch::Fixed,
        scorer: false,
    };
    let rerank = |s: Setting| Setting {
        during_search: DuringSearch::Rerank,
        ..s
    };
    let scorer = |s: Setting| Setting { scorer: true, ..s };
    use serde_json::json;
    let settings = vec![
        setting(
            "space",
            "Search space",
            choices(Space::ALL, Space::name, Space::label),
            json!(Space::Nb201),
            None,
        ),
        setting(
            "mode",
            "Mode",
            choices(Mode::ALL, Mode::name, Mode::label),
            json!(Mode::default()),
            None,
        ),
        setting(
            "device",
            "Device",
            choices(Device::ALL, Device::name, Device::label),
            json!(Device::Pixel3),
            None,
        ),
        setting(
            "metric",
            "Metric",
            choices(Metric::ALL, Metric::name, Metric::label),
            json!(Metric::Latency),
            None,
        ),
        rerank(setting(
            "threshold",
            "Budget",
            Kind::Number(THRESHOLD),
            serde_json::Value::Null,
            Some("ms"),
        )),
        rerank(setting(
            "lambda",
            "Penalty λ",
            Kind::Number(LAMBDA),
            json!(DEFAULT_LAMBDA),
            None,
        )),
        rerank(setting(
            "penalty",
            "Penalty shape",
            choices(Penalty::ALL, Penalty::name, Penalty::label),
            json!(Penalty::default()),
            None,
        )),
        rerank(setting(
            "prior",
            "Complexity prior w",
            Kind::Number(PRIOR),
            json!(DEFAULT_PRIOR),
            None,
        )),
        setting(
            "population",
            "Population",
            Kind::Int(POPULATION),
            json!(evolution.population),
            None,
        ),
        setting(
            "generations",
            "Generations",
            Kind::Int(GENERATIONS),
            json!(evolution.generations),
            None,
        ),
        scorer(setting("steps", "Steps K", Kind::Int(STEPS), json!(rmi.steps), None)),
        Setting {
            unset: Some("the mode's own (halving; Pareto: plain)"),
            ..setting(
                "schedule",
                "Schedule",
                choices(Schedule::ALL, Schedule::name, Schedule::label),
                serde_json::Value::Null,
                None,
            )
        },
        scorer(setting(
            "batch",
            "RMI batch",
            choices(BatchChoice::ALL, BatchChoice::name, BatchChoice::label),
            json!(BatchChoice::default()),
            None,
        )),
        scorer(setting("seed", "Seed", Kind::Int(SEED), json!(evolution.seed), None)),
        // The page's own default: a hardware GPU when there is one (the CLI's is the CPU, so that a
        // command gives the same result on every machine).
        scorer(setting(
            "compute",
            "Compute",
            choices(Compute::ALL, Compute::name, Compute::label),
            json!(Compute::Auto),
            None,
        )),
    ];
    Schema {
        settings,
        max_trainings: MAX_TRAININGS,
        assets: AssetPaths {
            manifest: assets::MANIFEST,
            costs: Space::ALL.iter().map(|&s| (s.name(), assets::cost_path(s))).collect(),
            reference: assets::REFERENCE,
            truth: assets::TRUTH,
            fidelity: assets::FIDELITY,
            batches: BatchChoice::ALL.iter().map(|&b| (b.name(), b.files())).collect(),
            targets: BatchChoice::ALL
                .iter()
                .map(|&b| (b.name(), assets::targets_path(b)))
                .collect(),
        },
    }
}

/// Parses the text of one of [`schema`]'s settings, as a URL parameter or a control holds it,
/// into its JSON value; a bad value gets the same message as the CLI's flag.
pub fn parse_setting(name: &str, text: &str) -> Result<serde_json::Value> {
    match schema().settings.iter().find(|s| s.name == name) {
        Some(setting) => setting.parse(text),
        None => crate::bail!("unknown setting '{name}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_of_the_schema_parses_its_default() {
        for s in schema().settings {
            let text = match &s.default {
                serde_json::Value::String(v) => v.clone(),
                serde_json::Value::Null => continue,
                v => v.to_string(),
            };
            assert_eq!(parse_setting(s.name, &text).unwrap(), s.default, "{}", s.name);
        }
    }

    #[test]
    fn bounds_refuse_with_one_message() {
        assert_eq!(
            POPULATION.parse("2").unwrap_err().to_string(),
            "population must be an integer in 3..=500, got 2"
        );
        assert_eq!(
            SEED.parse("1e20").unwrap_err().to_string(),
            "seed must be an integer in 0..=9007199254740991, got '1e20'"
        );
        assert!(SEED.check_f64(1e20).is_err() && SEED.check_f64(0.5).is_err() && SEED.check_f64(-1.0).is_err());
        assert_eq!(SEED.check_f64(7.0).unwrap(), 7);
        assert_eq!(
            THRESHOLD.parse("1e-310").unwrap_err().to_string(),
            "threshold must be a number in [0.001, 1000000], got 1e-310"
        );
        assert!(THRESHOLD.check(1e-310).unwrap_err().to_string().ends_with("got 1e-310"));
        assert!(LAMBDA.parse("NaN").is_err());
        assert_eq!(STEPS.parse(" 20 ").unwrap(), 20);
        assert!(parse_setting("threshold", "5").is_ok());
        assert!(parse_setting("colour", "red").is_err());
    }
}
