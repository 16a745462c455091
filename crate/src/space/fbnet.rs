//! The FBNet space as used by HW-NAS-Bench for CIFAR: 22 searchable layers, 9 block choices each.
//!
//! Blocks are 1×1 expansion (groups g) → k×k depthwise → 1×1 projection (groups g), with BN and ReLU;
//! `skip` is an identity (or, where the shape changes, the cheapest 1×1 projection).
//! Canonical string: the 22 op names joined by `-`, e.g. `k3_e1-k5_e6-skip-…`.

use crate::{bail, Result};

pub const LAYERS: usize = 22;
pub const OPS: [&str; 9] = [
    "k3_e1", "k3_e1_g2", "k3_e3", "k3_e6", "k5_e1", "k5_e1_g2", "k5_e3", "k5_e6", "skip",
];
/// Layers per stage, output channels per stage, stride of each stage's first layer (CIFAR variant).
pub const STAGE_LAYERS: [usize; 7] = [1, 4, 4, 4, 4, 4, 1];
pub const STAGE_CHANNELS: [usize; 7] = [16, 24, 32, 64, 112, 184, 352];
pub const STAGE_STRIDES: [usize; 7] = [1, 1, 2, 2, 1, 2, 1];
/// Width of the stem that precedes the 22 layers.
pub const STEM_CHANNELS: usize = 16;

/// Shape of one block choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Block {
    /// Inverted bottleneck with kernel `k`, expansion `e`, `groups` for both 1×1 convolutions.
    Bottleneck {
        k: usize,
        e: usize,
        groups: usize,
    },
    Skip,
}

/// (kernel, expansion, groups) of ops 0..8; op 8 is `skip`.
const BOTTLENECKS: [(usize, usize, usize); 8] = [
    (3, 1, 1),
    (3, 1, 2),
    (3, 3, 1),
    (3, 6, 1),
    (5, 1, 1),
    (5, 1, 2),
    (5, 3, 1),
    (5, 6, 1),
];

pub fn block(op: u8) -> Block {
    match BOTTLENECKS.get(op as usize) {
        Some(&(k, e, groups)) => Block::Bottleneck { k, e, groups },
        None => Block::Skip,
    }
}

/// Stage of each of the 22 layers.
pub fn stage_of_layer(layer: usize) -> usize {
    let mut end = 0;
    for (stage, &n) in STAGE_LAYERS.iter().enumerate() {
        end += n;
        if layer < end {
            return stage;
        }
    }
    STAGE_LAYERS.len() - 1
}

/// Parses op names separated by `-`, `,` or white space.
pub fn parse(s: &str) -> Result<Vec<u8>> {
    let names: Vec<&str> = s
        .split(|c: char| c == '-' || c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .collect();
    if names.len() != LAYERS {
        bail!(
            "an FBNet architecture has {LAYERS} layers, got {} in '{s}'",
            names.len()
        )
    }
    names
        .iter()
        .map(|name| match OPS.iter().position(|o| o == name) {
            Some(i) => Ok(i as u8),
            None => bail!("unknown FBNet block '{name}' (expected one of {})", OPS.join(", ")),
        })
        .collect()
}

pub fn format(genes: &[u8]) -> String {
    genes.iter().map(|&g| OPS[g as usize]).collect::<Vec<_>>().join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_cover_the_22_layers() {
        assert_eq!(STAGE_LAYERS.iter().sum::<usize>(), LAYERS);
        assert_eq!(stage_of_layer(0), 0);
        assert_eq!(stage_of_layer(1), 1);
        assert_eq!(stage_of_layer(4), 1);
        assert_eq!(stage_of_layer(5), 2);
        assert_eq!(stage_of_layer(21), 6);
    }

    #[test]
    fn parse_accepts_separators_and_rejects_junk() {
        let s = ["k3_e1"; 22].join(" ");
        assert_eq!(parse(&s).unwrap(), vec![0; 22]);
        assert_eq!(parse(&format(&[8; 22])).unwrap(), vec![8; 22]);
        assert!(parse("k3_e1").is_err());
        assert!(parse(&["k7_e1"; 22].join("-")).is_err());
    }
}
