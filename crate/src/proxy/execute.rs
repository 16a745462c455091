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

    /// The parameters, in the graph's order.
    pub fn parameters(&self) -> &[Var] {
        &self.vars
    }

    /// Every node's value for the batch `x: [N, 3, 32, 32]`, in the graph's order.
    pub fn node_values(&self, x: &Tensor) -> Result<Vec<Tensor>> {
        self.node_values_with(x, |_, value| Ok(value))
    }

    /// [`Self::node_values`] with `hook` applied to each node's value before later nodes read it
    /// (the GPU tests add a zero variable there, to read each node's gradient).
    pub fn node_values_with(
        &self,
        x: &Tensor,
        mut hook: impl FnMut(usize, Tensor) -> Result<Tensor>,
    ) -> Result<Vec<Tensor>> {
        let mut values: Vec<Tensor> = Vec::with_capacity(self.graph.nodes.len());
        for node in &self.graph.nodes {
            let value = match node.op {
                Op::Input => x.clone(),
                op => self.apply(op, &values)?,
            };
            values.push(hook(values.len(), value)?);
        }
        Ok(values)
    }

    /// One operation on the values of the nodes before it (`values[i]` is node i's).
    pub fn apply(&self, op: Op, values: &[Tensor]) -> Result<Tensor> {
        let k = self.kernels;
        let value = |i: usize| match values.get(i) {
            Some(v) => Ok(v),
            None => candle_core::bail!("graph node {i} is read before it is computed"),
        };
        match op {
            Op::Input => candle_core::bail!("the input node has no operation to apply"),
            Op::Conv { x, weight, spec, .. } => kernels::conv2d(value(x)?, self.var(weight), spec, k),
            Op::BatchNorm { x, weight, bias } => {
                Ok(kernels::batch_norm_train(value(x)?, self.var(weight), self.var(bias), 1e-5, k, false)?.0)
            }
            Op::Relu { x } => kernels::relu(value(x)?, k),
            Op::AvgPool3 { x } => nn::avg_pool_3x3(value(x)?, k),
            Op::AvgPool2 { x } => nn::avg_pool_2x2(value(x)?),
            Op::Add { a, b } => value(a)? + value(b)?,
            Op::Zeros { like } => value(like)?.zeros_like(),
            Op::GlobalAvgPool { x } => nn::global_avg_pool(value(x)?),
            Op::Linear { x, weight, bias } => value(x)?.matmul(&self.var(weight).t()?)?.broadcast_add(self.var(bias)),
        }
    }

    fn var(&self, id: usize) -> &Tensor {
        self.vars[id].as_tensor()
    }
}

impl Network for GraphNet {
    // x: [N, 3, 32, 32]; every batch norm uses batch statistics, so `train` changes nothing here.
    fn features(&self, x: &Tensor, _train: bool) -> Result<Features> {
        let values = self.node_values(x)?;
        let stages = self.graph.stages.iter().map(|&s| values[s].clone()).collect();
        Features::new(stages, values[self.graph.logits].clone())
    }
}
