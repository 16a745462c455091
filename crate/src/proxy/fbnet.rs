//! The FBNet network for CIFAR, reduced: channels divided by a divisor and the first few layers of
//! each stage kept. Full size: stem conv3×3 (16) → 22 searchable layers in 7 stages → head.
//!
//! The proxy omits the 1×1 head convolution (1504 channels in FBNet) and pools the last stage
//! directly: it is the same for every architecture, and the cost tables include it.
//! The stage outputs compared with the reference are those of stages 1 (32×32), 2 (16×16) and
//! 4 (8×8).

use super::{Features, Network};
use crate::nn::{self, batch_norm, conv2d, linear, relu, BatchNorm, Conv2d, Linear, Params, Relu};
use crate::space::fbnet::{block, Block, LAYERS, STAGE_CHANNELS, STAGE_LAYERS, STAGE_STRIDES, STEM_CHANNELS};
use candle_core::{bail, Module, ModuleT, Result, Tensor};
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

fn conv_bn(
    c_in: usize,
    c_out: usize,
    k: usize,
    stride: usize,
    groups: usize,
    p: Params,
) -> Result<(Conv2d, BatchNorm)> {
    Ok((
        conv2d(c_in, c_out, k, stride, k / 2, groups, p.pp("conv"))?,
        batch_norm(c_out, false, p.pp("bn"))?,
    ))
}

enum Layer {
    /// 1×1 expansion → k×k depthwise → 1×1 projection; residual when shapes allow.
    Bottleneck {
        expand: (Conv2d, BatchNorm),
        depthwise: (Conv2d, BatchNorm),
        project: (Conv2d, BatchNorm),
        residual: bool,
        relu: Relu,
    },
    Identity,
    /// `skip` where the shape changes: the cheapest map that fits, a strided 1×1 conv + BN.
    Projection((Conv2d, BatchNorm)),
}

impl Layer {
    fn new(op: u8, c_in: usize, c_out: usize, stride: usize, p: Params) -> Result<Self> {
        Ok(match block(op) {
            Block::Skip if c_in == c_out && stride == 1 => Layer::Identity,
            Block::Skip => Layer::Projection(conv_bn(c_in, c_out, 1, stride, 1, p.pp("proj"))?),
            Block::Bottleneck { k, e, groups } => {
                let mid = c_in * e;
                Layer::Bottleneck {
                    expand: conv_bn(c_in, mid, 1, 1, groups, p.pp("pw"))?,
                    depthwise: conv_bn(mid, mid, k, stride, mid, p.pp("dw"))?,
                    project: conv_bn(mid, c_out, 1, 1, groups, p.pp("pwl"))?,
                    residual: c_in == c_out && stride == 1,
                    relu: relu(&p),
                }
            }
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let apply = |(conv, bn): &(Conv2d, BatchNorm), x: &Tensor| bn.forward_t(&conv.forward(x)?, true);
        match self {
            Layer::Identity => Ok(x.clone()),
            Layer::Projection(cb) => apply(cb, x),
            Layer::Bottleneck {
                expand,
                depthwise,
                project,
                residual,
                relu,
            } => {
                let h = apply(expand, x)?.apply(relu)?;
                let h = apply(depthwise, &h)?.apply(relu)?;
                let h = apply(project, &h)?;
                if *residual {
                    h + x
                } else {
                    Ok(h)
                }
            }
        }
    }
}

pub struct FbnetNet {
    stem: (Conv2d, BatchNorm),
    stages: Vec<Vec<Layer>>,
    relu: Relu,
    classifier: Linear,
}

impl FbnetNet {
    pub fn new(genes: &[u8], cfg: FbnetProxy, classes: usize, p: Params) -> Result<Self> {
        if genes.len() != LAYERS {
            bail!("an FBNet architecture has {LAYERS} layers, got {}", genes.len())
        }
        if cfg.channel_divisor == 0 || cfg.layers_per_stage == 0 {
            bail!("FBNet proxy needs channel_divisor ≥ 1 and layers_per_stage ≥ 1, got {cfg:?}")
        }
        let mut c_in = cfg.width(STEM_CHANNELS);
        let stem = conv_bn(3, c_in, 3, 1, 1, p.pp("stem"))?;
        let mut stages = vec![];
        let mut first_layer = 0;
        for (s, &n) in STAGE_LAYERS.iter().enumerate() {
            let c_out = cfg.width(STAGE_CHANNELS[s]);
            let mut layers = vec![];
            for i in 0..n.min(cfg.layers_per_stage) {
                let stride = if i == 0 { STAGE_STRIDES[s] } else { 1 };
                let op = genes[first_layer + i];
                layers.push(Layer::new(
                    op,
                    c_in,
                    c_out,
                    stride,
                    p.pp(format!("layers.{}", first_layer + i)),
                )?);
                c_in = c_out;
            }
            stages.push(layers);
            first_layer += n;
        }
        Ok(Self {
            stem,
            stages,
            relu: relu(&p),
            classifier: linear(c_in, classes, p.pp("classifier"))?,
        })
    }
}

impl Network for FbnetNet {
    // x: [N, 3, 32, 32] -> stages at 32×32, 16×16, 8×8; logits [N, classes]
    fn features(&self, x: &Tensor, train: bool) -> Result<Features> {
        let (conv, bn) = &self.stem;
        let mut h = bn.forward_t(&conv.forward(x)?, train)?.apply(&self.relu)?;
        let mut taps = vec![];
        for (s, layers) in self.stages.iter().enumerate() {
            for layer in layers {
                h = layer.forward(&h)?;
            }
            if TAPPED_STAGES.contains(&s) {
                taps.push(h.clone());
            }
        }
        let logits = self.classifier.forward(&nn::global_avg_pool(&h.apply(&self.relu)?)?)?;
        Features::new(taps, logits)
    }
}
