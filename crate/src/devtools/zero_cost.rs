//! Zero-cost signals for the score A/B (issue 26): what an untrained proxy says about a cell in one
//! forward pass, measured beside RMI by the fidelity study (`study --zero-cost`). Not part of the
//! search.

use crate::proxy::{self, execute::GraphNet, graph::Op};
use crate::rmi::{candidate_seed, RmiEvaluator};
use crate::space::Arch;
use crate::Result;
use candle_core::{DType, Tensor};

/// NASWOT (Mellor et al., ICML 2021): log |K| of the untrained proxy's activation patterns on the
/// RMI batch, K[i][j] = the number of ReLUs on which images i and j agree (both on or both off),
/// with the candidate's own initial weights. The lowest finite number for a singular K (two images
/// alike at every ReLU), so that it ranks below every other.
pub fn naswot(arch: &Arch, eval: &RmiEvaluator) -> Result<f64> {
    let graph = proxy::graph(arch, &eval.options.proxy, eval.targets.classes())?;
    let relu_inputs: Vec<usize> = graph
        .nodes
        .iter()
        .filter_map(|node| match node.op {
            Op::Relu { x } => Some(x),
            _ => None,
        })
        .collect();
    let params = crate::nn::Params::seeded(candidate_seed(eval.seed, arch), eval.options.kernels);
    let net = GraphNet::new(graph, params)?;
    let nodes = net.node_values(eval.targets.images())?;
    let codes: Vec<Tensor> = relu_inputs
        .iter()
        .map(|&x| nodes[x].flatten_from(1)?.gt(0.0)?.to_dtype(DType::F64))
        .collect::<candle_core::Result<_>>()?;
    if codes.is_empty() {
        return Ok(f64::MIN);
    }
    // codes: [n, F] of 0/1; K = C·Cᵀ + (1 − C)·(1 − C)ᵀ.
    let c = Tensor::cat(&codes, 1)?;
    let off = c.affine(-1.0, 1.0)?;
    let k = (c.matmul(&c.t()?)? + off.matmul(&off.t()?)?)?;
    let k: Vec<Vec<f64>> = k.to_vec2::<f64>()?;
    Ok(log_det(k).unwrap_or(f64::MIN))
}

/// log |det A| by Gaussian elimination with partial pivoting; `None` when A is singular.
fn log_det(mut a: Vec<Vec<f64>>) -> Option<f64> {
    let n = a.len();
    let scale = a.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    let mut sum = 0.0;
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() <= 1e-12 * scale {
            return None;
        }
        a.swap(col, pivot);
        sum += a[col][col].abs().ln();
        let (done, rest) = a.split_at_mut(col + 1);
        let pivot_row = &done[col];
        for row in rest {
            let f = row[col] / pivot_row[col];
            for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
        }
    }
    Some(sum)
}

#[cfg(test)]
mod tests {
    #[test]
    fn log_det_of_known_matrices() {
        let d = super::log_det(vec![vec![2.0, 1.0], vec![1.0, 3.0]]).unwrap();
        assert!((d - 5f64.ln()).abs() < 1e-12);
        assert!(super::log_det(vec![vec![1.0, 2.0], vec![2.0, 4.0]]).is_none());
    }
}
