//! Runs a [`Graph`] with candle, on the CPU: the executor of the CPU builds (native and wasm).
//! Each operation goes through [`crate::nn`] and [`crate::kernels`], so autograd drives training.

use super::graph::{Graph, Op};
use super::{Features, Network};
use crate::kernels::{self, Kernels};
use crate::nn::{self, Params};
use candle_core::{Result, Tensor, Var};

/// A graph with its parameters as candle variables.
pub struct GraphNet {
    graph: Graph,
    vars: Vec<Var>,
    kernels: Kernels,
}

impl GraphNet {
    /// Creates (or loads) the graph's parameters from `p`, in the graph's order.
    pub fn new(graph: Graph, p: Params) -> Result<Self> {
        let vars = graph
            .params
            .iter()
            .map(|spec| p.get(&spec.shape, &spec.name, spec.init))
            .collect::<Result<_>>()?;
        Ok(Self {
            graph,
            vars,
            kernels: p.kernels(),
        })
    }

    /// The initial (or current) value of every parameter, in the graph's order.
    pub fn parameter_values(&self) -> Result<Vec<Vec<f32>>> {
        self.vars
            .iter()
            .map(|v| v.as_tensor().flatten_all()?.to_vec1::<f32>())
            .collect()
    }

    fn var(&self, id: usize) -> &Tensor {
        self.vars[id].as_tensor()
    }
}

impl Network for GraphNet {
    // x: [N, 3, 32, 32]; every batch norm uses batch statistics, so `train` changes nothing here.
    fn features(&self, x: &Tensor, _train: bool) -> Result<Features> {
        let k = self.kernels;
        let mut values: Vec<Tensor> = Vec::with_capacity(self.graph.nodes.len());
        for node in &self.graph.nodes {
            let value = match node.op {
                Op::Input => x.clone(),
                Op::Conv { x, weight, spec, .. } => kernels::conv2d(&values[x], self.var(weight), spec, k)?,
                Op::BatchNorm { x, weight, bias } => {
                    kernels::batch_norm_train(&values[x], self.var(weight), self.var(bias), 1e-5, k, false)?.0
                }
                Op::Relu { x } => kernels::relu(&values[x], k)?,
                Op::AvgPool3 { x } => nn::avg_pool_3x3(&values[x], k)?,
                Op::AvgPool2 { x } => nn::avg_pool_2x2(&values[x])?,
                Op::Add { a, b } => (&values[a] + &values[b])?,
                Op::Zeros { like } => values[like].zeros_like()?,
                Op::GlobalAvgPool { x } => nn::global_avg_pool(&values[x])?,
                Op::Linear { x, weight, bias } => values[x]
                    .matmul(&self.var(weight).t()?)?
                    .broadcast_add(self.var(bias))?,
            };
            values.push(value);
        }
        let stages = self.graph.stages.iter().map(|&s| values[s].clone()).collect();
        Features::new(stages, values[self.graph.logits].clone())
    }
}
