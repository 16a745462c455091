//! The proxy networks described once, as data: a list of operations in forward order over named
//! parameters. Both executors run this description: candle's ([`super::execute`], for the CPU
//! builds) and the GPU's (`crate::gpu`). A space's proxy is written as a function that builds a
//! [`Graph`] ([`super::nb201::graph`], [`super::fbnet::graph`]), never as a network type.
//!
//! Shapes are per example (`[C, H, W]`, or `[C, 1, 1]` after global pooling); the batch size is the
//! executor's. Parameters are listed in the order their initial values are drawn, so a seeded
//! initialisation depends only on the description.

use crate::kernels::Conv2dSpec;
use crate::nn::Init;
use candle_core::{bail, Result};

/// Index of a node (an operation's output) in [`Graph::nodes`].
pub type NodeId = usize;
/// Index of a parameter in [`Graph::params`].
pub type ParamId = usize;

/// A trainable parameter: its PyTorch-style name, shape and initialisation.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamSpec {
    pub name: String,
    pub shape: Vec<usize>,
    pub init: Init,
}

impl ParamSpec {
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One operation. Batch norm always uses batch statistics (a candidate is only ever trained).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    /// The image batch, `[3, 32, 32]`.
    Input,
    /// Bias-free convolution; `weight: [C_out, C_in/groups, k, k]`.
    Conv {
        x: NodeId,
        weight: ParamId,
        k: usize,
        spec: Conv2dSpec,
    },
    /// Train-mode batch norm with affine `weight` and `bias` (`[C]`), ε = 1e-5.
    BatchNorm {
        x: NodeId,
        weight: ParamId,
        bias: ParamId,
    },
    Relu {
        x: NodeId,
    },
    /// 3×3 average, stride 1, padding 1, not counting the padding.
    AvgPool3 {
        x: NodeId,
    },
    /// 2×2 average, stride 2.
    AvgPool2 {
        x: NodeId,
    },
    Add {
        a: NodeId,
        b: NodeId,
    },
    /// Zeros shaped like `like` (a cell whose every path to its output is `none`).
    Zeros {
        like: NodeId,
    },
    /// Mean over height and width: `[C, H, W]` → `[C, 1, 1]`.
    GlobalAvgPool {
        x: NodeId,
    },
    /// `x·Wᵀ + b` on `[C_in, 1, 1]`; `weight: [C_out, C_in]`, `bias: [C_out]`.
    Linear {
        x: NodeId,
        weight: ParamId,
        bias: ParamId,
    },
}

impl Op {
    /// The nodes this operation reads.
    pub fn inputs(&self) -> Vec<NodeId> {
        match *self {
            Op::Input => vec![],
            Op::Add { a, b } => vec![a, b],
            Op::Zeros { .. } => vec![],
            Op::Conv { x, .. }
            | Op::BatchNorm { x, .. }
            | Op::Relu { x }
            | Op::AvgPool3 { x }
            | Op::AvgPool2 { x }
            | Op::GlobalAvgPool { x }
            | Op::Linear { x, .. } => vec![x],
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub op: Op,
    /// Per-example output shape `[C, H, W]`.
    pub shape: [usize; 3],
}

impl Node {
    /// Values per example.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A proxy network: what RMI compares (three stage outputs) and trains on (logits).
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    pub params: Vec<ParamSpec>,
    /// In forward order; node 0 is the input.
    pub nodes: Vec<Node>,
    pub stages: [NodeId; 3],
    pub logits: NodeId,
}

/// A declared convolution (its weight and geometry), emitted with [`Builder::conv`].
#[derive(Clone, Copy, Debug)]
pub struct ConvDecl {
    weight: ParamId,
    c_in: usize,
    c_out: usize,
    k: usize,
    spec: Conv2dSpec,
}

/// A declared batch norm's parameters.
#[derive(Clone, Copy, Debug)]
pub struct BnDecl {
    weight: ParamId,
    bias: ParamId,
    c: usize,
}

/// A declared fully connected layer.
#[derive(Clone, Copy, Debug)]
pub struct LinearDecl {
    weight: ParamId,
    bias: ParamId,
    c_in: usize,
}

/// Builds a [`Graph`]: parameters are declared (in initialisation order) apart from the nodes that
/// use them (in forward order), as a network's constructor and its forward pass are apart.
pub struct Builder {
    params: Vec<ParamSpec>,
    nodes: Vec<Node>,
}

/// `name` under `prefix`, PyTorch-style (`prefix.name`).
pub fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

impl Builder {
    /// A builder whose node 0 is the `[3, 32, 32]` image batch.
    pub fn new() -> (Self, NodeId) {
        let input = Node {
            op: Op::Input,
            shape: [3, 32, 32],
        };
        (
            Self {
                params: vec![],
                nodes: vec![input],
            },
            0,
        )
    }

    fn param(&mut self, name: String, shape: Vec<usize>, init: Init) -> ParamId {
        self.params.push(ParamSpec { name, shape, init });
        self.params.len() - 1
    }

    /// A bias-free convolution's weight, `{prefix}.weight`, initialised as PyTorch does.
    pub fn declare_conv(
        &mut self,
        prefix: &str,
        (c_in, c_out): (usize, usize),
        k: usize,
        stride: usize,
        groups: usize,
    ) -> Result<ConvDecl> {
        let (shape, init) = crate::nn::conv_weight(c_in, c_out, k, groups)?;
        let weight = self.param(join(prefix, "weight"), shape.to_vec(), init);
        let spec = Conv2dSpec {
            stride,
            padding: k / 2,
            groups,
        };
        Ok(ConvDecl {
            weight,
            c_in,
            c_out,
            k,
            spec,
        })
    }

    /// A batch norm's `{prefix}.weight` (ones) and `{prefix}.bias` (zeros).
    pub fn declare_batch_norm(&mut self, prefix: &str, c: usize) -> BnDecl {
        let weight = self.param(join(prefix, "weight"), vec![c], Init::Const(1.0));
        let bias = self.param(join(prefix, "bias"), vec![c], Init::Const(0.0));
        BnDecl { weight, bias, c }
    }

    /// A fully connected layer's `{prefix}.weight` and `{prefix}.bias`, U(±1/√C_in).
    pub fn declare_linear(&mut self, prefix: &str, c_in: usize, c_out: usize) -> LinearDecl {
        let init = crate::nn::linear_init(c_in);
        let weight = self.param(join(prefix, "weight"), vec![c_out, c_in], init);
        let bias = self.param(join(prefix, "bias"), vec![c_out], init);
        LinearDecl { weight, bias, c_in }
    }

    fn push(&mut self, op: Op, shape: [usize; 3]) -> NodeId {
        self.nodes.push(Node { op, shape });
        self.nodes.len() - 1
    }

    fn shape(&self, x: NodeId) -> Result<[usize; 3]> {
        match self.nodes.get(x) {
            Some(node) => Ok(node.shape),
            None => bail!("graph node {x} does not exist"),
        }
    }

    pub fn conv(&mut self, x: NodeId, d: &ConvDecl) -> Result<NodeId> {
        let [c, h, w] = self.shape(x)?;
        if c != d.c_in {
            bail!("a convolution for {} channels got {c}", d.c_in)
        }
        let out = |n: usize| (n + 2 * d.spec.padding - d.k) / d.spec.stride + 1;
        let op = Op::Conv {
            x,
            weight: d.weight,
            k: d.k,
            spec: d.spec,
        };
        Ok(self.push(op, [d.c_out, out(h), out(w)]))
    }

    pub fn batch_norm(&mut self, x: NodeId, d: &BnDecl) -> Result<NodeId> {
        let shape = self.shape(x)?;
        if shape[0] != d.c {
            bail!("batch norm over {} channels got {} channels", d.c, shape[0])
        }
        let op = Op::BatchNorm {
            x,
            weight: d.weight,
            bias: d.bias,
        };
        Ok(self.push(op, shape))
    }

    pub fn relu(&mut self, x: NodeId) -> Result<NodeId> {
        let shape = self.shape(x)?;
        Ok(self.push(Op::Relu { x }, shape))
    }

    pub fn avg_pool_3x3(&mut self, x: NodeId) -> Result<NodeId> {
        let shape = self.shape(x)?;
        Ok(self.push(Op::AvgPool3 { x }, shape))
    }

    pub fn avg_pool_2x2(&mut self, x: NodeId) -> Result<NodeId> {
        let [c, h, w] = self.shape(x)?;
        if h % 2 != 0 || w % 2 != 0 {
            bail!("2×2 pooling needs even height and width, got {h}×{w}")
        }
        Ok(self.push(Op::AvgPool2 { x }, [c, h / 2, w / 2]))
    }

    pub fn add(&mut self, a: NodeId, b: NodeId) -> Result<NodeId> {
        let (sa, sb) = (self.shape(a)?, self.shape(b)?);
        if sa != sb {
            bail!("cannot add shapes {sa:?} and {sb:?}")
        }
        Ok(self.push(Op::Add { a, b }, sa))
    }

    pub fn zeros_like(&mut self, like: NodeId) -> Result<NodeId> {
        let shape = self.shape(like)?;
        Ok(self.push(Op::Zeros { like }, shape))
    }

    pub fn global_avg_pool(&mut self, x: NodeId) -> Result<NodeId> {
        let [c, _, _] = self.shape(x)?;
        Ok(self.push(Op::GlobalAvgPool { x }, [c, 1, 1]))
    }

    pub fn linear(&mut self, x: NodeId, d: &LinearDecl) -> Result<NodeId> {
        let shape = self.shape(x)?;
        if shape != [d.c_in, 1, 1] {
            bail!("a linear layer for {} inputs got shape {shape:?}", d.c_in)
        }
        let c_out = self.params[d.bias].shape[0];
        let op = Op::Linear {
            x,
            weight: d.weight,
            bias: d.bias,
        };
        Ok(self.push(op, [c_out, 1, 1]))
    }

    /// The graph, with its three stage outputs and its logits.
    pub fn finish(self, stages: Vec<NodeId>, logits: NodeId) -> Result<Graph> {
        let Ok(stages) = <[NodeId; 3]>::try_from(stages) else {
            bail!("a network must yield 3 stage outputs")
        };
        if logits >= self.nodes.len() || stages.iter().any(|&s| s >= self.nodes.len()) {
            bail!("a graph output names a node that does not exist")
        }
        Ok(Graph {
            params: self.params,
            nodes: self.nodes,
            stages,
            logits,
        })
    }
}
