//! Reduced proxy networks: browser-sized versions of each space's network, on which candidates are
//! trained and scored. Each returns its three stage outputs (at 32×32, 16×16 and 8×8, like the
//! reference's) and its logits.

pub mod execute;
pub mod fbnet;
pub mod graph;
pub mod nb201;

pub use crate::nn::{Features, Network};

use crate::bounds::IntRange;
use crate::nn::Params;
use crate::space::{Arch, Space};
use candle_core::Result;
use serde::{Deserialize, Serialize};

// The proxy networks: up to the full-size networks' widths and depths.
pub const NB201_CHANNELS: IntRange = IntRange {
    name: "nb201 channels",
    min: 1,
    max: 64,
};
pub const NB201_CELLS: IntRange = IntRange {
    name: "nb201 cells",
    min: 1,
    max: 5,
};
pub const FBNET_DIVISOR: IntRange = IntRange {
    name: "fbnet divisor",
    min: 1,
    max: 16,
};
pub const FBNET_LAYERS: IntRange = IntRange {
    name: "fbnet layers",
    min: 1,
    max: 4,
};

/// The reduction knobs of both proxies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProxyConfig {
    pub nb201: nb201::Nb201Proxy,
    pub fbnet: fbnet::FbnetProxy,
}

impl ProxyConfig {
    pub fn validate(&self) -> crate::Result<()> {
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
