//! The NAS-Bench-201 macro network, reduced: stem conv3×3 + BN, N cells, residual reduction block,
//! N cells, residual reduction block, N cells, BN + ReLU, global average pool, linear.
//! The full-size network of the benchmark has C = 16 channels and N = 5 cells per stage.

use super::graph::{join, BnDecl, Builder, ConvDecl, Graph, LinearDecl, NodeId};
use crate::space::nb201::{EDGES, EDGE_NODES};
use candle_core::{bail, Result};
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
    conv: ConvDecl,
    bn: BnDecl,
}

impl ReluConvBn {
    fn declare(g: &mut Builder, prefix: &str, (c_in, c_out): (usize, usize), k: usize, stride: usize) -> Result<Self> {
        Ok(Self {
            conv: g.declare_conv(&join(prefix, "conv"), (c_in, c_out), k, stride, 1)?,
            bn: g.declare_batch_norm(&join(prefix, "bn"), c_out),
        })
    }
    fn emit(&self, g: &mut Builder, x: NodeId) -> Result<NodeId> {
        let h = g.relu(x)?;
        let h = g.conv(h, &self.conv)?;
        g.batch_norm(h, &self.bn)
    }
}

enum EdgeOp {
    Zero,
    Identity,
    Conv(ReluConvBn),
    AvgPool,
}

impl EdgeOp {
    fn declare(g: &mut Builder, prefix: &str, gene: u8, c: usize) -> Result<Self> {
        Ok(match gene {
            0 => EdgeOp::Zero,
            1 => EdgeOp::Identity,
            2 => EdgeOp::Conv(ReluConvBn::declare(g, prefix, (c, c), 1, 1)?),
            3 => EdgeOp::Conv(ReluConvBn::declare(g, prefix, (c, c), 3, 1)?),
            4 => EdgeOp::AvgPool,
            g => bail!("invalid NAS-Bench-201 op code {g}"),
        })
    }
    /// `None` stands for an all-zero tensor, which is skipped rather than summed.
    fn emit(&self, g: &mut Builder, x: NodeId) -> Result<Option<NodeId>> {
        Ok(match self {
            EdgeOp::Zero => None,
            EdgeOp::Identity => Some(x),
            EdgeOp::Conv(op) => Some(op.emit(g, x)?),
            EdgeOp::AvgPool => Some(g.avg_pool_3x3(x)?),
        })
    }
}

/// One cell: node i = Σ_{j<i} op_{i←j}(node j); the output is node 3.
struct Cell {
    edges: Vec<EdgeOp>,
}

impl Cell {
    fn declare(g: &mut Builder, prefix: &str, genes: &[u8], c: usize) -> Result<Self> {
        let edges = genes
            .iter()
            .enumerate()
            .map(|(e, &gene)| EdgeOp::declare(g, &join(prefix, &format!("edges.{e}")), gene, c))
            .collect::<Result<_>>()?;
        Ok(Self { edges })
    }
    fn emit(&self, g: &mut Builder, x: NodeId) -> Result<NodeId> {
        let mut nodes: Vec<Option<NodeId>> = vec![Some(x)];
        for to in 1..4 {
            let mut sum: Option<NodeId> = None;
            for e in (0..EDGES).filter(|&e| EDGE_NODES[e].0 == to) {
                let Some(input) = nodes[EDGE_NODES[e].1] else {
                    continue;
                };
                if let Some(y) = self.edges[e].emit(g, input)? {
                    sum = Some(match sum {
                        Some(s) => g.add(s, y)?,
                        None => y,
                    });
                }
            }
            nodes.push(sum);
        }
        match nodes.pop().flatten() {
            Some(out) => Ok(out),
            // Every path to the output is `none`: the cell outputs zeros.
            None => g.zeros_like(x),
        }
    }
}

/// NAS-Bench-201's `ResNetBasicblock` with stride 2: two ReLUConvBN and an avg-pool + 1×1 shortcut.
struct Reduction {
    a: ReluConvBn,
    b: ReluConvBn,
    shortcut: ConvDecl,
}

impl Reduction {
    fn declare(g: &mut Builder, prefix: &str, c_in: usize, c_out: usize) -> Result<Self> {
        Ok(Self {
            a: ReluConvBn::declare(g, &join(prefix, "conv_a"), (c_in, c_out), 3, 2)?,
            b: ReluConvBn::declare(g, &join(prefix, "conv_b"), (c_out, c_out), 3, 1)?,
            shortcut: g.declare_conv(&join(prefix, "downsample"), (c_in, c_out), 1, 1, 1)?,
        })
    }
    fn emit(&self, g: &mut Builder, x: NodeId) -> Result<NodeId> {
        let pooled = g.avg_pool_2x2(x)?;
        let residual = g.conv(pooled, &self.shortcut)?;
        let h = self.a.emit(g, x)?;
        let h = self.b.emit(g, h)?;
        g.add(h, residual)
    }
}

/// The proxy of the cell `genes`.
// x: [N, 3, 32, 32] -> stages [N, C, 32, 32], [N, 2C, 16, 16], [N, 4C, 8, 8]; logits [N, classes]
pub fn graph(genes: &[u8], cfg: Nb201Proxy, classes: usize) -> Result<Graph> {
    if genes.len() != EDGES {
        bail!("a NAS-Bench-201 cell has {EDGES} edges, got {}", genes.len())
    }
    if cfg.channels == 0 || cfg.cells == 0 {
        bail!("NB201 proxy needs channels ≥ 1 and cells ≥ 1, got {cfg:?}")
    }
    let c = cfg.channels;
    let (mut g, input) = Builder::new();
    // Declared in the order the original network drew its initial weights.
    let stem = g.declare_conv("stem", (3, c), 3, 1, 1)?;
    let stem_bn = g.declare_batch_norm("stem_bn", c);
    let mut stages: Vec<Vec<Cell>> = vec![];
    for (s, width) in [c, 2 * c, 4 * c].into_iter().enumerate() {
        let cells = (0..cfg.cells)
            .map(|i| Cell::declare(&mut g, &format!("stage{s}.{i}"), genes, width))
            .collect::<Result<_>>()?;
        stages.push(cells);
    }
    let reductions = [
        Reduction::declare(&mut g, "reduce0", c, 2 * c)?,
        Reduction::declare(&mut g, "reduce1", 2 * c, 4 * c)?,
    ];
    let last_bn = g.declare_batch_norm("last_bn", 4 * c);
    let classifier: LinearDecl = g.declare_linear("classifier", 4 * c, classes);

    let h = g.conv(input, &stem)?;
    let mut h = g.batch_norm(h, &stem_bn)?;
    let mut outs = Vec::with_capacity(3);
    for (s, cells) in stages.iter().enumerate() {
        if s > 0 {
            h = reductions[s - 1].emit(&mut g, h)?;
        }
        for cell in cells {
            h = cell.emit(&mut g, h)?;
        }
        outs.push(h);
    }
    let h = g.batch_norm(h, &last_bn)?;
    let h = g.relu(h)?;
    let pooled = g.global_avg_pool(h)?;
    let logits = g.linear(pooled, &classifier)?;
    g.finish(outs, logits)
}
