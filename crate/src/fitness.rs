//! Fitness = RMI − λ·penalty(cost, T).
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
}

impl Fitness {
    pub fn new(threshold: f64, lambda: f64, penalty: Penalty) -> Result<Self> {
        let threshold = THRESHOLD.check(threshold)?;
        let lambda = LAMBDA.check(lambda)?;
        Ok(Self {
            threshold,
            lambda,
            penalty,
        })
    }

    pub fn penalty(&self, cost: f64) -> f64 {
        let r = (cost - self.threshold) / self.threshold;
        match self.penalty {
            Penalty::Hinge => r.max(0.0),
            Penalty::TwoSided => r.abs(),
        }
    }

    pub fn fitness(&self, rmi: f64, cost: f64) -> f64 {
        rmi - self.lambda * self.penalty(cost)
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
        let f = Fitness::new(10.0, 2.0, Penalty::Hinge).unwrap();
        assert_eq!(f.fitness(1.5, 5.0), 1.5);
        assert!((f.fitness(1.5, 12.0) - 1.1).abs() < 1e-12);
        assert!(f.feasible(10.0) && !f.feasible(10.01));
        let t = Fitness::new(10.0, 2.0, Penalty::TwoSided).unwrap();
        assert!((t.fitness(1.5, 5.0) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn bad_thresholds_are_errors() {
        for t in [0.0, -1.0, 1e-310, f64::NAN, f64::INFINITY] {
            assert!(Fitness::new(t, 1.0, Penalty::Hinge).is_err());
        }
        assert!(Fitness::new(1.0, -1.0, Penalty::Hinge).is_err());
        assert!(Fitness::new(1.0, f64::NAN, Penalty::Hinge).is_err());
    }
}
