//! The reference model whose hidden representations candidates should resemble: a CIFAR ResNet of
//! depth 6n + 2 (ResNet-20 for n = 3; He et al. 2016) with widths 16/32/64 and parameter-free
//! "option A" shortcuts (stride-2 subsampling, zero-padded channels). Tensor names follow the
//! common PyTorch CIFAR ResNet (`conv1`, `bn1`, `layer1.0.conv1`, …, `linear`).
//!
//! Its three stage outputs (16×32×32, 32×16×16, 64×8×8) are the RMI targets; they are computed once
//! per search on the fixed batch.

use crate::kernels::Kernels;
use crate::nn::{self, batch_norm, conv2d, linear, relu, BatchNorm, Conv2d, Features, Linear, Network, Params, Relu};
use candle_core::{bail, Device, Module, ModuleT, Result, Tensor, D};
use std::collections::HashMap;

pub const WIDTHS: [usize; 3] = [16, 32, 64];

/// The depth of a CIFAR ResNet with `blocks` residual blocks per stage (ResNet-20 for 3).
pub fn depth(blocks: usize) -> usize {
    6 * blocks + 2
}

struct BasicBlock {
    conv1: Conv2d,
    bn1: BatchNorm,
    conv2: Conv2d,
    bn2: BatchNorm,
    relu: Relu,
    /// Channels to zero-pad on each side in the shortcut, when the block downsamples.
    pad: Option<usize>,
}

impl BasicBlock {
    fn new(c_in: usize, c_out: usize, stride: usize, p: Params) -> Result<Self> {
        Ok(Self {
            conv1: conv2d(c_in, c_out, 3, stride, 1, 1, p.pp("conv1"))?,
            bn1: batch_norm(c_out, true, p.pp("bn1"))?,
            conv2: conv2d(c_out, c_out, 3, 1, 1, 1, p.pp("conv2"))?,
            bn2: batch_norm(c_out, true, p.pp("bn2"))?,
            relu: relu(&p),
            pad: (stride != 1 || c_in != c_out).then_some((c_out - c_in) / 2),
        })
    }

    fn forward_t(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        let h = self.bn1.forward_t(&self.conv1.forward(x)?, train)?.apply(&self.relu)?;
        let h = self.bn2.forward_t(&self.conv2.forward(&h)?, train)?;
        let shortcut = match self.pad {
            Some(pad) => nn::subsample_2x(x)?.pad_with_zeros(1, pad, pad)?,
            None => x.clone(),
        };
        (h + shortcut)?.apply(&self.relu)
    }
}

pub struct Reference {
    conv1: Conv2d,
    bn1: BatchNorm,
    layers: [Vec<BasicBlock>; 3],
    relu: Relu,
    linear: Linear,
    blocks: usize,
    classes: usize,
    params: Params,
}

impl Reference {
    /// A ResNet-(6·blocks + 2) for `classes` classes.
    pub fn new(blocks: usize, classes: usize, p: Params) -> Result<Self> {
        if blocks == 0 {
            bail!("a reference ResNet needs at least one block per stage")
        }
        let layer = |s: usize| -> Result<Vec<BasicBlock>> {
            (0..blocks)
                .map(|i| {
                    let c_in = if i == 0 && s > 0 { WIDTHS[s - 1] } else { WIDTHS[s] };
                    let stride = if i == 0 && s > 0 { 2 } else { 1 };
                    BasicBlock::new(c_in, WIDTHS[s], stride, p.pp(format!("layer{}.{i}", s + 1)))
                })
                .collect()
        };
        Ok(Self {
            conv1: conv2d(3, WIDTHS[0], 3, 1, 1, 1, p.pp("conv1"))?,
            bn1: batch_norm(WIDTHS[0], true, p.pp("bn1"))?,
            layers: [layer(0)?, layer(1)?, layer(2)?],
            relu: relu(&p),
            linear: linear(WIDTHS[2], classes, p.pp("linear"))?,
            blocks,
            classes,
            params: p,
        })
    }

    /// Loads weights saved by [`Reference::to_safetensors`] (or any PyTorch CIFAR ResNet with these
    /// names); the depth and the number of classes are read off the tensors.
    pub fn from_safetensors(bytes: &[u8], kernels: Kernels) -> Result<Self> {
        let tensors: HashMap<String, Tensor> = candle_core::safetensors::load_buffer(bytes, &Device::Cpu)?
            .into_iter()
            .collect();
        let blocks = (0..)
            .take_while(|i| tensors.contains_key(&format!("layer1.{i}.conv1.weight")))
            .count();
        let classes = match tensors.get("linear.weight") {
            Some(w) => w.dim(0)?,
            None => bail!("reference weights lack tensor 'linear.weight'"),
        };
        Self::new(blocks, classes, Params::from_tensors(tensors, kernels))
    }

    /// (depth, classes) of saved weights from their header alone: no tensor is copied and nothing
    /// runs, so the page can name the bundled reference without a pause. Not a check: see
    /// [`Reference::from_user_file`].
    pub fn summary(bytes: &[u8]) -> crate::Result<(usize, usize)> {
        let file =
            safetensors::SafeTensors::deserialize(bytes).map_err(|e| crate::invalid!("reference weights: {e}"))?;
        let names = file.names();
        let blocks = (0..)
            .take_while(|i| names.iter().any(|n| **n == format!("layer1.{i}.conv1.weight")))
            .count();
        let classes = file
            .tensor("linear.weight")
            .map_err(|_| crate::invalid!("reference weights lack tensor 'linear.weight'"))?
            .shape()[0];
        Ok((depth(blocks), classes))
    }

    /// Loads a reference a user brings and checks it end to end (a forward pass on two blank
    /// images): anything but the project's safetensors layout of a CIFAR ResNet gets one clear
    /// message.
    pub fn from_user_file(name: &str, bytes: &[u8], kernels: Kernels) -> crate::Result<Self> {
        let refuse = |e: &dyn std::fmt::Display| {
            crate::invalid!(
                "{name} is not a reference in the project's layout (safetensors weights of a CIFAR ResNet: conv1, bn1, layer1…3.N, linear): {e}"
            )
        };
        let reference = Self::from_safetensors(bytes, kernels).map_err(|e| refuse(&e))?;
        if reference.classes < 2 {
            return Err(refuse(&format!("it predicts {} class", reference.classes)));
        }
        let blank = Tensor::zeros((2, 3, 32, 32), candle_core::DType::F32, &Device::Cpu)?;
        reference.features(&blank, false).map_err(|e| refuse(&e))?;
        Ok(reference)
    }

    pub fn to_safetensors(&self) -> Result<Vec<u8>> {
        let tensors = self.params.named_tensors();
        let mut names: Vec<&String> = tensors.keys().collect();
        names.sort();
        let ordered: Vec<(&String, &Tensor)> = names.into_iter().map(|n| (n, &tensors[n])).collect();
        safetensors::serialize(ordered, None).map_err(|e| candle_core::Error::Msg(e.to_string()))
    }

    pub fn blocks(&self) -> usize {
        self.blocks
    }

    /// Layers counted as in "ResNet-20": 6 per block and stage, plus the stem and the head.
    pub fn depth(&self) -> usize {
        depth(self.blocks())
    }

    pub fn classes(&self) -> usize {
        self.classes
    }

    /// The kernels the model was built with (RMI targets use the same for candidates' CKA).
    pub fn kernels(&self) -> Kernels {
        self.params.kernels()
    }

    /// Trainable parameters (for training the reference itself).
    pub fn trainable(&self) -> Vec<candle_core::Var> {
        self.params.trainable()
    }

    /// Predicted class of each image: `[N, 3, 32, 32]` → N labels.
    /// Top-1 accuracy on labelled images, in percent.
    pub fn accuracy(&self, data: &crate::data::LabelledImages) -> Result<f64> {
        if data.is_empty() {
            bail!("no images to evaluate")
        }
        let mut correct = 0;
        for start in (0..data.len()).step_by(250) {
            let end = (start + 250).min(data.len());
            let predicted = self.predict(&data.tensor(start..end)?)?;
            correct += predicted
                .iter()
                .zip(&data.labels[start..end])
                .filter(|(p, l)| **p == **l as u32)
                .count();
        }
        Ok(100.0 * correct as f64 / data.len() as f64)
    }

    pub fn predict(&self, images: &Tensor) -> Result<Vec<u32>> {
        self.features(images, false)?.logits.argmax(D::Minus1)?.to_vec1::<u32>()
    }
}

impl Network for Reference {
    // x: [N, 3, 32, 32] -> stages [N, 16, 32, 32], [N, 32, 16, 16], [N, 64, 8, 8]; logits [N, classes]
    fn features(&self, x: &Tensor, train: bool) -> Result<Features> {
        let mut h = self.bn1.forward_t(&self.conv1.forward(x)?, train)?.apply(&self.relu)?;
        let mut outs = Vec::with_capacity(3);
        for layer in &self.layers {
            for block in layer {
                h = block.forward_t(&h, train)?;
            }
            outs.push(h.clone());
        }
        let logits = self.linear.forward(&nn::global_avg_pool(&h)?)?;
        Features::new(outs, logits)
    }
}
