//! [`LatencyModel`]: what estimates the NB201 cells HW-NAS-Bench did not measure, stored in the
//! cost file in place of its estimates.

use crate::{bail, Result};

/// The NB201 latency model that estimates the cells HW-NAS-Bench did not measure (edgegpu,
/// edgetpu): a linear function of one-hot (edge, op) and (edge pair, op pair) features (the pairs
/// capture what an additive model cannot: a node whose inputs are all `none` makes its outgoing ops
/// free), never below the fastest measured cell. Fitted by the asset tool (ridge regression).
#[derive(Clone, Debug, PartialEq)]
pub struct LatencyModel {
    /// One weight per feature, [`LatencyModel::FEATURES`] of them.
    pub weights: Vec<f64>,
    /// The fastest measured cell's latency: an estimate never goes below it.
    pub floor: f64,
}

impl LatencyModel {
    /// A bias, 6 edges × 5 ops, 15 edge pairs × 25 op pairs.
    pub const FEATURES: usize = 1 + 6 * 5 + 15 * 25;

    /// The features a cell has, ascending (22 of them).
    pub fn features(genes: &[u8]) -> Vec<usize> {
        use crate::space::nb201::{EDGES, OPS};
        let ops = OPS.len();
        let mut f = vec![0];
        for (e, &g) in genes.iter().enumerate() {
            f.push(1 + e * ops + g as usize);
        }
        let mut pair = 0;
        for i in 0..EDGES {
            for j in i + 1..EDGES {
                f.push(1 + EDGES * ops + pair * ops * ops + genes[i] as usize * ops + genes[j] as usize);
                pair += 1;
            }
        }
        f
    }

    /// The model's estimate for a cell, without the floor (summed in feature order).
    pub fn predict(weights: &[f64], genes: &[u8]) -> f64 {
        Self::features(genes).iter().map(|&i| weights[i]).sum()
    }

    /// The estimate for a cell.
    pub fn estimate(&self, genes: &[u8]) -> f64 {
        Self::predict(&self.weights, genes).max(self.floor)
    }

    /// Every NB201 cell's figure: the measured ones as given, the model's estimate for the rest.
    pub(super) fn complete(&self, measured: &[Option<f64>]) -> Result<Vec<f64>> {
        if self.weights.len() != Self::FEATURES {
            bail!(
                "a latency model has {} weights, got {}",
                Self::FEATURES,
                self.weights.len()
            )
        }
        (0..measured.len())
            .map(|i| match measured[i] {
                Some(v) => Ok(v),
                None => Ok(self.estimate(&crate::space::nb201::genes_of_index(i)?)),
            })
            .collect()
    }
}
