//! Reduced proxy networks: browser-sized versions of each space's network, on which candidates are
//! trained and scored. Each returns its three stage outputs (at 32×32, 16×16 and 8×8, like the
//! reference's) and its logits.

pub mod execute;
pub mod fbnet;
pub mod graph;
pub mod nb201;

use crate::nn::Params;
use crate::space::{Arch, Space};
use candle_core::{Result, Tensor};
use serde::{Deserialize, Serialize};

/// What a network yields for RMI: three stage outputs `[N, C_i, H_i, W_i]` and logits `[N, classes]`.
pub struct Features {
    pub stages: [Tensor; 3],
    pub logits: Tensor,
}

impl Features {
    /// From the stage outputs collected in a forward pass; exactly three are expected.
    pub fn new(stages: Vec<Tensor>, logits: Tensor) -> Result<Self> {
        match <[Tensor; 3]>::try_from(stages) {
            Ok(stages) => Ok(Self { stages, logits }),
            Err(s) => candle_core::bail!("a network must yield 3 stage outputs, got {}", s.len()),
        }
    }
}

/// A network whose hidden representations RMI compares with the reference's.
pub trait Network {
    /// Forward pass; `train` selects batch statistics in batch norm.
    fn features(&self, x: &Tensor, train: bool) -> Result<Features>;
}

/// The reduction knobs of both proxies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProxyConfig {
    pub nb201: nb201::Nb201Proxy,
    pub fbnet: fbnet::FbnetProxy,
}

impl ProxyConfig {
    pub fn validate(&self) -> crate::Result<()> {
        use crate::schema::{FBNET_DIVISOR, FBNET_LAYERS, NB201_CELLS, NB201_CHANNELS};
        NB201_CHANNELS.check(self.nb201.channels as u64)?;
        NB201_CELLS.check(self.nb201.cells as u64)?;
        FBNET_DIVISOR.check(self.fbnet.channel_divisor as u64)?;
        FBNET_LAYERS.check(self.fbnet.layers_per_stage as u64)?;
        Ok(())
    }
}

/// The proxy network of `arch`, described once for every executor.
pub fn graph(arch: &Arch, config: &ProxyConfig, classes: usize) -> Result<graph::Graph> {
    match arch.space() {
        Space::Nb201 => nb201::graph(arch.genes(), config.nb201, classes),
        Space::Fbnet => fbnet::graph(arch.genes(), config.fbnet, classes),
    }
}

/// Builds the proxy network of `arch` with parameters from `p`, run by candle.
pub fn build(arch: &Arch, config: &ProxyConfig, classes: usize, p: Params) -> Result<Box<dyn Network>> {
    Ok(Box::new(execute::GraphNet::new(graph(arch, config, classes)?, p)?))
}
