//! One source of truth for what a search accepts: each setting's default, bounds, unit and choices,
//! and the one message a bad value gets. The CLI parses its flags through these ranges, the
//! library's configs validate with them, and the page builds its controls and its URL parser from
//! [`schema`] (exported by the wasm glue), so the three accept exactly the same values.

use crate::assets::{self, BatchChoice};
use crate::compute::Compute;
use crate::cost::{Device, Metric};
use crate::evolve::{EvolutionConfig, Mode, Schedule};
use crate::fitness::{Penalty, DEFAULT_LAMBDA};
use crate::rmi::RmiConfig;
use crate::space::Space;
use crate::Result;
use serde::Serialize;
use std::collections::BTreeMap;

/// An integer setting and its inclusive bounds.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct IntRange {
    #[serde(skip)]
    pub name: &'static str,
    pub min: u64,
    pub max: u64,
}

impl IntRange {
    fn refuse(&self, given: impl std::fmt::Display) -> crate::Error {
        crate::invalid!(
            "{} must be an integer in {}..={}, got {given}",
            self.name,
            self.min,
            self.max
        )
    }

    pub fn check(&self, value: u64) -> Result<u64> {
        if (self.min..=self.max).contains(&value) {
            Ok(value)
        } else {
            Err(self.refuse(value))
        }
    }

    /// A number that arrived as a float (from JavaScript): it must be a whole number in range.
    pub fn check_f64(&self, value: f64) -> Result<u64> {
        if value.fract() == 0.0 && value >= self.min as f64 && value <= self.max as f64 {
            Ok(value as u64)
        } else {
            Err(self.refuse(value))
        }
    }

    /// Parses decimal digits (surrounding spaces allowed).
    pub fn parse(&self, text: &str) -> Result<u64> {
        match text.trim().parse::<u64>() {
            Ok(v) => self.check(v),
            Err(_) => Err(self.refuse(format!("'{text}'"))),
        }
    }
}

/// A real-valued setting and its inclusive bounds.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct NumberRange {
    #[serde(skip)]
    pub name: &'static str,
    pub min: f64,
    pub max: f64,
}

impl NumberRange {
    fn refuse(&self, given: impl std::fmt::Display) -> crate::Error {
        crate::invalid!(
            "{} must be a number in [{}, {}], got {given}",
            self.name,
            self.min,
            self.max
        )
    }

    fn contains(&self, value: f64) -> bool {
        value.is_finite() && (self.min..=self.max).contains(&value)
    }

    pub fn check(&self, value: f64) -> Result<f64> {
        if self.contains(value) {
            Ok(value)
        } else {
            // Debug keeps 1e-310 short (Display writes every zero).
            Err(self.refuse(format!("{value:?}")))
        }
    }

    /// Parses a decimal number (surrounding spaces allowed); a refusal quotes the text as given.
    pub fn parse(&self, text: &str) -> Result<f64> {
        match text.trim().parse::<f64>() {
            Ok(v) if self.contains(v) => Ok(v),
            Ok(_) => Err(self.refuse(text.trim())),
            Err(_) => Err(self.refuse(format!("'{text}'"))),
        }
    }
}

// Bounds of a search. Population and generations keep one search within what a browser tab can
// train in an afternoon; the seed stays a whole number JavaScript can hold exactly.
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
pub const SEED: IntRange = IntRange {
    name: "seed",
    min: 0,
    max: (1 << 53) - 1,
};
pub const STEPS: IntRange = IntRange {
    name: "steps",
    min: 0,
    max: 500,
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
pub const BETA: NumberRange = NumberRange {
    name: "beta",
    min: 0.0,
    max: 1.0,
};
pub const LAMBDA: NumberRange = NumberRange {
    name: "lambda",
    min: 0.0,
    max: 100.0,
};
/// The budget, in the cost table's unit (ms). Far beyond every device's range either way, yet
/// bounded so that |cost − T|/T stays a finite number.
pub const THRESHOLD: NumberRange = NumberRange {
    name: "threshold",
    min: 1e-3,
    max: 1e6,
};
// The proxy networks: up to the full-size networks' widths and depths.
pub const NB201_CHANNELS: IntRange = IntRange {
    name: "nb201 channels",
    min: 1,
    max: 64,
};
pub const NB201_CELLS: IntRange = IntRange {
    name: "nb201 cells",
    min: 1,
    max: 5,
};
pub const FBNET_DIVISOR: IntRange = IntRange {
    name: "fbnet divisor",
    min: 1,
    max: 16,
};
pub const FBNET_LAYERS: IntRange = IntRange {
    name: "fbnet layers",
    min: 1,
    max: 4,
};

/// The most trainings one search may plan (`EvolutionConfig::planned_trials`): hours in a
/// browser tab at the default K, and far beyond what the fidelity study found useful.
pub const MAX_TRAININGS: usize = 5_000;

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
    /// `null` where the default depends on other settings (the budget: from the device's range).
    pub default: serde_json::Value,
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

/// The asset files the page fetches, by role.
#[derive(Clone, Debug, Serialize)]
pub struct AssetPaths {
    pub manifest: &'static str,
    pub costs: BTreeMap<&'static str, String>,
    pub reference: &'static str,
    pub truth: &'static str,
    pub fidelity: &'static str,
    pub batches: BTreeMap<&'static str, &'static [&'static str]>,
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
    };
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
        setting(
            "threshold",
            "Budget",
            Kind::Number(THRESHOLD),
            serde_json::Value::Null,
            Some("ms"),
        ),
        setting("lambda", "Penalty λ", Kind::Number(LAMBDA), json!(DEFAULT_LAMBDA), None),
        setting(
            "penalty",
            "Penalty shape",
            choices(Penalty::ALL, Penalty::name, Penalty::label),
            json!(Penalty::default()),
            None,
        ),
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
        setting("steps", "Steps K", Kind::Int(STEPS), json!(rmi.steps), None),
        setting(
            "schedule",
            "Schedule",
            choices(Schedule::ALL, Schedule::name, Schedule::label),
            json!(Schedule::default()),
            None,
        ),
        setting(
            "batch",
            "RMI batch",
            choices(BatchChoice::ALL, BatchChoice::name, BatchChoice::label),
            json!(BatchChoice::default()),
            None,
        ),
        setting("seed", "Seed", Kind::Int(SEED), json!(evolution.seed), None),
        // The page's own default: a hardware GPU when there is one (the CLI's is the CPU, so that a
        // command gives the same result on every machine).
        setting(
            "compute",
            "Compute",
            choices(Compute::ALL, Compute::name, Compute::label),
            json!(Compute::Auto),
            None,
        ),
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
