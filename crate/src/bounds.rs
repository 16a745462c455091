//! A setting's bounds ([`IntRange`], [`NumberRange`]) and the one message a value outside them
//! gets. Each bound sits beside the code that uses it (the population in `evolve`, K in `rmi`, λ in
//! `fitness`, the proxies' sizes in `proxy`); `schema` collects them for the page, the URL and the
//! CLI. The seed's is here: the search and every candidate's initial weights share it.

use crate::Result;
use serde::Serialize;

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

/// The search seed: a whole number JavaScript can hold exactly.
pub const SEED: IntRange = IntRange {
    name: "seed",
    min: 0,
    max: (1 << 53) - 1,
};
