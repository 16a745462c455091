//! The FBNet network for CIFAR, reduced: channels divided by a divisor and the first few layers of
//! each stage kept. Full size: stem conv3×3 (16) → 22 searchable layers in 7 stages → head.
//!
//! The proxy omits the 1×1 head convolution (1504 channels in FBNet) and pools the last stage
//! directly: it is the same for every architecture, and the cost tables include it.
//! The stage outputs compared with the reference are those of stages 1 (32×32), 2 (16×16) and
//! 4 (8×8).

use super::graph::{join, BnDecl, Builder, ConvDecl, Graph, NodeId};
use crate::space::fbnet::{block, Block, LAYERS, STAGE_CHANNELS, STAGE_LAYERS, STAGE_STRIDES, STEM_CHANNELS};
use candle_core::{bail, Result};
use serde::{Deserialize, Serialize};

/// Stages whose outputs RMI compares with the reference's three stages.
const TAPPED_STAGES: [usize; 3] = [1, 2, 4];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FbnetProxy {
    /// Every channel count is divided by this (rounded up to an even number, for groups of 2).
    pub channel_divisor: usize,
    /// At most this many layers of each stage are built (the first ones).
    pub layers_per_stage: usize,
}

impl Default for FbnetProxy {
    fn default() -> Self {
        Self {
            channel_divisor: 4,
            layers_per_stage: 1,
        }
    }
}

impl FbnetProxy {
    fn width(&self, c: usize) -> usize {
        c.div_ceil(self.channel_divisor).next_multiple_of(2)
    }
}

/// A convolution followed by batch norm, `{prefix}.conv` and `{prefix}.bn`.
struct ConvBn(ConvDecl, BnDecl);

impl ConvBn {
    fn declare(
        g: &mut Builder,
        prefix: &str,
        channels: (usize, usize),
        k: usize,
        stride: usize,
        groups: usize,
    ) -> Result<Self> {
        Ok(Self(
            g.declare_conv(&join(prefix, "conv"), channels, k, stride, groups)?,
            g.declare_batch_norm(&join(prefix, "bn"), channels.1),
        ))
    }
    fn emit(&self, g: &mut Builder, x: NodeId) -> Result<NodeId> {
        let h = g.conv(x, &self.0)?;
        g.batch_norm(h, &self.1)
    }
}

enum Layer {
    /// 1×1 expansion → k×k depthwise → 1×1 projection; residual when shapes allow.
    Bottleneck {
        expand: ConvBn,
        depthwise: ConvBn,
        project: ConvBn,
        residual: bool,
    },
    Identity,
    /// `skip` where the shape changes: the cheapest map that fits, a strided 1×1 conv + BN.
    Projection(ConvBn),
}

impl Layer {
    fn declare(g: &mut Builder, prefix: &str, op: u8, (c_in, c_out): (usize, usize), stride: usize) -> Result<Self> {
        Ok(match block(op) {
            Block::Skip if c_in == c_out && stride == 1 => Layer::Identity,
            Block::Skip => Layer::Projection(ConvBn::declare(g, &join(prefix, "proj"), (c_in, c_out), 1, stride, 1)?),
            Block::Bottleneck { k, e, groups } => {
                let mid = c_in * e;
                Layer::Bottleneck {
                    expand: ConvBn::declare(g, &join(prefix, "pw"), (c_in, mid), 1, 1, groups)?,
                    depthwise: ConvBn::declare(g, &join(prefix, "dw"), (mid, mid), k, stride, mid)?,
                    project: ConvBn::declare(g, &join(prefix, "pwl"), (mid, c_out), 1, 1, groups)?,
                    residual: c_in == c_out && stride == 1,
                }
            }
        })
    }

    fn emit(&self, g: &mut Builder, x: NodeId) -> Result<NodeId> {
        match self {
            Layer::Identity => Ok(x),
            Layer::Projection(cb) => cb.emit(g, x),
            Layer::Bottleneck {
                expand,
                depthwise,
                project,
                residual,
            } => {
                let h = expand.emit(g, x)?;
                let h = g.relu(h)?;
                let h = depthwise.emit(g, h)?;
                let h = g.relu(h)?;
                let h = project.emit(g, h)?;
                match residual {
                    true => g.add(h, x),
                    false => Ok(h),
                }
            }
        }
    }
}

/// The proxy of the architecture `genes`.
// x: [N, 3, 32, 32] -> stages at 32×32, 16×16, 8×8; logits [N, classes]
pub fn graph(genes: &[u8], cfg: FbnetProxy, classes: usize) -> Result<Graph> {
    if genes.len() != LAYERS {
        bail!("an FBNet architecture has {LAYERS} layers, got {}", genes.len())
    }
    if cfg.channel_divisor == 0 || cfg.layers_per_stage == 0 {
        bail!("FBNet proxy needs channel_divisor ≥ 1 and layers_per_stage ≥ 1, got {cfg:?}")
    }
    let (mut g, input) = Builder::new();
    let mut c_in = cfg.width(STEM_CHANNELS);
    let stem = ConvBn::declare(&mut g, "stem", (3, c_in), 3, 1, 1)?;
    let mut stages = vec![];
    let mut first_layer = 0;
    for (s, &n) in STAGE_LAYERS.iter().enumerate() {
        let c_out = cfg.width(STAGE_CHANNELS[s]);
        let mut layers = vec![];
        for i in 0..n.min(cfg.layers_per_stage) {
            let stride = if i == 0 { STAGE_STRIDES[s] } else { 1 };
            let prefix = format!("layers.{}", first_layer + i);
            layers.push(Layer::declare(
                &mut g,
                &prefix,
                genes[first_layer + i],
                (c_in, c_out),
                stride,
            )?);
            c_in = c_out;
        }
        stages.push(layers);
        first_layer += n;
    }
    let classifier = g.declare_linear("classifier", c_in, classes);

    let h = stem.emit(&mut g, input)?;
    let mut h = g.relu(h)?;
    let mut taps = vec![];
    for (s, layers) in stages.iter().enumerate() {
        for layer in layers {
            h = layer.emit(&mut g, h)?;
        }
        if TAPPED_STAGES.contains(&s) {
            taps.push(h);
        }
    }
    let h = g.relu(h)?;
    let pooled = g.global_avg_pool(h)?;
    let logits = g.linear(pooled, &classifier)?;
    g.finish(taps, logits)
}
