//! The NAS-Bench-201 macro network, reduced: stem conv3×3 + BN, N cells, residual reduction block,
//! N cells, residual reduction block, N cells, BN + ReLU, global average pool, linear.
//! The full-size network of the benchmark has C = 16 channels and N = 5 cells per stage.

use super::{Features, Network};
use crate::kernels::Kernels;
use crate::nn::{self, batch_norm, conv2d, linear, relu, BatchNorm, Conv2d, Linear, Params, Relu};
use crate::space::nb201::{EDGES, EDGE_NODES};
use candle_core::{bail, Module, ModuleT, Result, Tensor};
use serde::{Deserialize, Serialize};

/// Width and depth of the proxy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nb201Proxy {
    /// Channels of the first stage (doubled at each reduction).
    pub channels: usize,
    /// Cells per stage.
    pub cells: usize,
}

impl Default for Nb201Proxy {
    fn default() -> Self {
        Self { channels: 8, cells: 1 }
    }
}

/// ReLU → conv → BN, NAS-Bench-201's `ReLUConvBN`.
struct ReluConvBn {
    relu: Relu,
    conv: Conv2d,
    bn: BatchNorm,
}

impl ReluConvBn {
    fn new(c_in: usize, c_out: usize, k: usize, stride: usize, p: Params) -> Result<Self> {
        Ok(Self {
            relu: relu(&p),
            conv: conv2d(c_in, c_out, k, stride, k / 2, 1, p.pp("conv"))?,
            bn: batch_norm(c_out, false, p.pp("bn"))?,
        })
    }
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.bn.forward_t(&x.apply(&self.relu)?.apply(&self.conv)?, true)
    }
}

enum EdgeOp {
    Zero,
    Identity,
    Conv(ReluConvBn),
    AvgPool(Kernels),
}

impl EdgeOp {
    fn new(gene: u8, c: usize, p: Params) -> Result<Self> {
        Ok(match gene {
            0 => EdgeOp::Zero,
            1 => EdgeOp::Identity,
            2 => EdgeOp::Conv(ReluConvBn::new(c, c, 1, 1, p)?),
            3 => EdgeOp::Conv(ReluConvBn::new(c, c, 3, 1, p)?),
            4 => EdgeOp::AvgPool(p.kernels()),
            g => bail!("invalid NAS-Bench-201 op code {g}"),
        })
    }
    /// `None` stands for an all-zero tensor, which is skipped rather than summed.
    fn forward(&self, x: &Tensor) -> Result<Option<Tensor>> {
        Ok(match self {
            EdgeOp::Zero => None,
            EdgeOp::Identity => Some(x.clone()),
            EdgeOp::Conv(op) => Some(op.forward(x)?),
            EdgeOp::AvgPool(k) => Some(nn::avg_pool_3x3(x, *k)?),
        })
    }
}

/// One cell: node i = Σ_{j<i} op_{i←j}(node j); the output is node 3.
struct Cell {
    edges: Vec<EdgeOp>,
}

impl Cell {
    fn new(genes: &[u8], c: usize, p: Params) -> Result<Self> {
        let edges = genes
            .iter()
            .enumerate()
            .map(|(e, &g)| EdgeOp::new(g, c, p.pp(format!("edges.{e}"))))
            .collect::<Result<_>>()?;
        Ok(Self { edges })
    }
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut nodes: Vec<Option<Tensor>> = vec![Some(x.clone())];
        for to in 1..4 {
            let mut sum: Option<Tensor> = None;
            for e in (0..EDGES).filter(|&e| EDGE_NODES[e].0 == to) {
                let Some(input) = &nodes[EDGE_NODES[e].1] else {
                    continue;
                };
                if let Some(y) = self.edges[e].forward(input)? {
                    sum = Some(match sum {
                        Some(s) => (s + y)?,
                        None => y,
                    });
                }
            }
            nodes.push(sum);
        }
        match nodes.pop().flatten() {
            Some(out) => Ok(out),
            // Every path to the output is `none`: the cell outputs zeros.
            None => x.zeros_like(),
        }
    }
}

/// NAS-Bench-201's `ResNetBasicblock` with stride 2: two ReLUConvBN and an avg-pool + 1×1 shortcut.
struct Reduction {
    a: ReluConvBn,
    b: ReluConvBn,
    shortcut: Conv2d,
}

impl Reduction {
    fn new(c_in: usize, c_out: usize, p: Params) -> Result<Self> {
        Ok(Self {
            a: ReluConvBn::new(c_in, c_out, 3, 2, p.pp("conv_a"))?,
            b: ReluConvBn::new(c_out, c_out, 3, 1, p.pp("conv_b"))?,
            shortcut: conv2d(c_in, c_out, 1, 1, 0, 1, p.pp("downsample"))?,
        })
    }
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let residual = self.shortcut.forward(&nn::avg_pool_2x2(x)?)?;
        self.b.forward(&self.a.forward(x)?)? + residual
    }
}

pub struct Nb201Net {
    stem: Conv2d,
    stem_bn: BatchNorm,
    stages: [Vec<Cell>; 3],
    reductions: [Reduction; 2],
    last_bn: BatchNorm,
    relu: Relu,
    classifier: Linear,
}

impl Nb201Net {
    pub fn new(genes: &[u8], cfg: Nb201Proxy, classes: usize, p: Params) -> Result<Self> {
        if genes.len() != EDGES {
            bail!("a NAS-Bench-201 cell has {EDGES} edges, got {}", genes.len())
        }
        if cfg.channels == 0 || cfg.cells == 0 {
            bail!("NB201 proxy needs channels ≥ 1 and cells ≥ 1, got {cfg:?}")
        }
        let c = cfg.channels;
        let stage = |s: usize, width: usize| -> Result<Vec<Cell>> {
            (0..cfg.cells)
                .map(|i| Cell::new(genes, width, p.pp(format!("stage{s}.{i}"))))
                .collect()
        };
        Ok(Self {
            stem: conv2d(3, c, 3, 1, 1, 1, p.pp("stem"))?,
            stem_bn: batch_norm(c, false, p.pp("stem_bn"))?,
            stages: [stage(0, c)?, stage(1, 2 * c)?, stage(2, 4 * c)?],
            reductions: [
                Reduction::new(c, 2 * c, p.pp("reduce0"))?,
                Reduction::new(2 * c, 4 * c, p.pp("reduce1"))?,
            ],
            last_bn: batch_norm(4 * c, false, p.pp("last_bn"))?,
            relu: relu(&p),
            classifier: linear(4 * c, classes, p.pp("classifier"))?,
        })
    }
}

impl Network for Nb201Net {
    // x: [N, 3, 32, 32] -> stages [N, C, 32, 32], [N, 2C, 16, 16], [N, 4C, 8, 8]; logits [N, classes]
    fn features(&self, x: &Tensor, train: bool) -> Result<Features> {
        let mut h = self.stem_bn.forward_t(&self.stem.forward(x)?, train)?;
        let mut outs = Vec::with_capacity(3);
        for (s, cells) in self.stages.iter().enumerate() {
            if s > 0 {
                h = self.reductions[s - 1].forward(&h)?;
            }
            for cell in cells {
                h = cell.forward(&h)?;
            }
            outs.push(h.clone());
        }
        let pooled = nn::global_avg_pool(&self.last_bn.forward_t(&h, train)?.apply(&self.relu)?)?;
        let logits = self.classifier.forward(&pooled)?;
        Features::new(outs, logits)
    }
}
