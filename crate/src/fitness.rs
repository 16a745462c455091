//! Fitness = RMI + w·complexity − λ·penalty(cost, T).
//!
//! The complexity prior (`crate::complexity`: the share of the space with fewer multiply-accumulates
//! in the full-size network, 0..1) weighs what 20 steps on 20 images cannot see, how much a larger
//! network gains from full training. With w = 0.2 the fidelity study's 500 NB201 cells rank at
//! Kendall τ 0.76 against RMI's 0.60 alone (FIDELITY.md, "A complexity prior"); w = 0 is the method
//! as published.
//!
//! Default: the two-sided |cost − T|/T with λ = 0.1. HW-EvRSNAS penalises a candidate "in
//! proportion to how far its hardware cost is from the desired threshold", and in the
//! constrained-search study (FIDELITY.md) this shape finds more accurate cells than the hinge: within
//! a budget the cells that use it are usually the more accurate ones, which RMI at K = 20 does not
//! resolve among the best cells. With λ = 0.1 a cell at half the budget loses 0.05 of RMI, about the
//! spread of the best cells' scores. The search stays within budget by breeding within it and by
//! ranking the confirmed finalists within budget first (`evolve`). The one-sided hinge
//! max(0, (cost − T)/T) penalises overshoot only: below budget, cells compete on RMI alone.

use crate::bounds::NumberRange;
use crate::Result;
use serde::{Deserialize, Serialize};

crate::named_enum! {
    /// The shape of the budget penalty.
    #[derive(Default)]
    pub enum Penalty: "penalty" {
        /// max(0, (cost − T)/T): only exceeding the budget is penalised.
        Hinge = "hinge" => "hinge (over budget only)",
        /// |cost − T|/T: distance from the budget either way.
        #[default]
        TwoSided = "two-sided" => "two-sided (distance from budget)",
    }
}

/// The default weight λ of the penalty (for the default two-sided shape).
pub const DEFAULT_LAMBDA: f64 = 0.1;

/// The default weight w of the complexity prior (FIDELITY.md, "A complexity prior").
pub const DEFAULT_PRIOR: f64 = 0.2;

/// w: 0 (RMI alone, as published) to 3, where the prior alone can outweigh the whole RMI range.
pub const PRIOR: NumberRange = NumberRange {
    name: "prior",
    min: 0.0,
    max: 3.0,
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

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fitness {
    /// The budget T, in the cost table's unit.
    pub threshold: f64,
    /// λ, the weight of the penalty.
    pub lambda: f64,
    pub penalty: Penalty,
    /// w, the weight of the complexity prior.
    pub prior: f64,
}

impl Fitness {
    pub fn new(threshold: f64, lambda: f64, penalty: Penalty, prior: f64) -> Result<Self> {
        Ok(Self {
            threshold: THRESHOLD.check(threshold)?,
            lambda: LAMBDA.check(lambda)?,
            penalty,
            prior: PRIOR.check(prior)?,
        })
    }

    pub fn penalty(&self, cost: f64) -> f64 {
        let r = (cost - self.threshold) / self.threshold;
        match self.penalty {
            Penalty::Hinge => r.max(0.0),
            Penalty::TwoSided => r.abs(),
        }
    }

    /// What the prior adds for an architecture of this complexity (0..1).
    pub fn prior(&self, complexity: f64) -> f64 {
        self.prior * complexity
    }

    /// The fitness of an architecture with this RMI, cost and complexity.
    pub fn fitness(&self, rmi: f64, cost: f64, complexity: f64) -> f64 {
        rmi + self.prior(complexity) - self.lambda * self.penalty(cost)
    }

    pub fn feasible(&self, cost: f64) -> bool {
        cost <= self.threshold
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hinge_only_penalises_overshoot() {
        let f = Fitness::new(10.0, 2.0, Penalty::Hinge, 0.0).unwrap();
        assert_eq!(f.fitness(1.5, 5.0, 0.9), 1.5);
        assert!((f.fitness(1.5, 12.0, 0.9) - 1.1).abs() < 1e-12);
        assert!(f.feasible(10.0) && !f.feasible(10.01));
        let t = Fitness::new(10.0, 2.0, Penalty::TwoSided, 0.0).unwrap();
        assert!((t.fitness(1.5, 5.0, 0.9) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn the_prior_adds_its_weight_times_the_complexity() {
        let f = Fitness::new(10.0, 0.1, Penalty::TwoSided, 0.2).unwrap();
        assert!((f.fitness(2.0, 10.0, 0.5) - 2.1).abs() < 1e-12);
        assert!((f.fitness(2.0, 10.0, 1.0) - f.fitness(2.0, 10.0, 0.0) - 0.2).abs() < 1e-12);
        for w in [-0.1, 3.5, f64::NAN] {
            assert!(Fitness::new(10.0, 0.1, Penalty::TwoSided, w).is_err());
        }
    }

    #[test]
    fn bad_thresholds_are_errors() {
        for t in [0.0, -1.0, 1e-310, f64::NAN, f64::INFINITY] {
            assert!(Fitness::new(t, 1.0, Penalty::Hinge, 0.0).is_err());
        }
        assert!(Fitness::new(1.0, -1.0, Penalty::Hinge, 0.0).is_err());
        assert!(Fitness::new(1.0, f64::NAN, Penalty::Hinge, 0.0).is_err());
    }
}
