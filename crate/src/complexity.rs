//! Complexity: how large an architecture's full-size network is among its space's, as the share of
//! the space's architectures with fewer multiply-accumulates (ties count half), in [0, 1].
//!
//! AZ-NAS (CVPR 2024) ranks by its zero-cost terms and a complexity term (FLOPs); over the fidelity
//! study's 500 NB201 cells, RMI plus a small multiple of this share ranks far better than either
//! alone (FIDELITY.md, "A complexity prior"): a proxy trained 20 steps on 20 images cannot see how
//! much a large network gains from full training, which its size predicts. The fitness weighs it
//! ([`crate::Fitness::prior`]); the weight 0 is the method as published.
//!
//! Counted on the full-size networks the cost tables describe (NB201: C = 16, 5 cells a stage;
//! FBNet: every layer at full width), from the same graph description the proxies train as, so
//! the count follows the networks' definition; only operations the logits depend on count (an NB201
//! edge cut off from the cell's output by `none` computes nothing anyone reads). Both spaces' counts
//! are additive over their live genes (an NB201 edge's op adds its cost in every cell, an FBNet
//! layer's block its own), which makes the shares cheap: exact over all 15,625 NB201 cells; for
//! FBNet's 9²² architectures, from the distribution of the sum of 22 independent uniform choices.

use crate::proxy::fbnet::FbnetProxy;
use crate::proxy::graph::{Graph, Op};
use crate::proxy::nb201::Nb201Proxy;
use crate::proxy::{self, ProxyConfig};
use crate::space::{fbnet, nb201, Arch, Space};
use crate::Result;
use std::sync::OnceLock;

/// The full-size networks: NB201 as NAS-Bench-201 trains it, FBNet undivided with every layer.
const FULL_SIZE: ProxyConfig = ProxyConfig {
    nb201: Nb201Proxy { channels: 16, cells: 5 },
    fbnet: FbnetProxy {
        channel_divisor: 1,
        layers_per_stage: 4,
    },
};

/// Multiply-accumulates of one example's forward pass through the convolutions and the classifier
/// that its logits depend on (pooling, batch norm and additions are a few per value, left out as
/// FLOP counts do; an op whose output nothing reads costs nothing).
pub fn graph_macs(graph: &Graph) -> f64 {
    let mut used = vec![false; graph.nodes.len()];
    used[graph.logits] = true;
    for i in (0..graph.nodes.len()).rev() {
        if used[i] {
            for j in graph.nodes[i].op.inputs() {
                used[j] = true;
            }
        }
    }
    graph
        .nodes
        .iter()
        .zip(&used)
        .filter(|(_, &used)| used)
        .map(|(node, _)| match node.op {
            // weight: [C_out, C_in/groups, k, k]; each output value takes C_in/groups·k² of them.
            Op::Conv { weight, .. } => {
                let [c_out, h, w] = node.shape;
                (graph.params[weight].len() / c_out * c_out * h * w) as f64
            }
            Op::Linear { weight, .. } => graph.params[weight].len() as f64,
            _ => 0.0,
        })
        .sum()
}

/// Multiply-accumulates of `arch`'s full-size network for one 32×32 image.
pub fn macs(arch: &Arch) -> Result<f64> {
    Ok(graph_macs(&proxy::graph(arch, &FULL_SIZE, 10)?))
}

/// A space's counts as a base and a per-(gene, op) addition, and the distribution of the total.
struct SpaceCounts {
    /// The count of the architecture whose every gene is the space's [`free_op`].
    base: f64,
    /// `delta[g][o]`: what op `o` at gene `g` adds over the free op there, when the gene is live.
    delta: Vec<Vec<f64>>,
    /// Ascending (count, share of architectures with a lower count + half of those with this one).
    shares: Vec<(f64, f64)>,
}

impl SpaceCounts {
    fn of(space: Space) -> Result<Self> {
        let free = vec![free_op(space); space.genes()];
        let base = macs(&Arch::new(space, free.clone())?)?;
        let mut delta = vec![vec![0.0; space.choices()]; space.genes()];
        for (g, row) in delta.iter_mut().enumerate() {
            for (o, d) in row.iter_mut().enumerate() {
                let mut genes = free.clone();
                genes[g] = o as u8;
                *d = macs(&Arch::new(space, genes)?)? - base;
            }
        }
        let mut counts = Self {
            base,
            delta,
            shares: vec![],
        };
        counts.shares = match space {
            Space::Nb201 => exact_shares(&counts),
            Space::Fbnet => binned_shares(&counts.delta),
        };
        Ok(counts)
    }

    fn count(&self, arch: &Arch) -> f64 {
        let live = live_genes(arch);
        let genes = arch.genes().iter().zip(&self.delta).zip(live);
        self.base
            + genes
                .filter(|(_, live)| *live)
                .map(|((&o, row), _)| row[o as usize])
                .sum::<f64>()
    }

    fn share(&self, arch: &Arch) -> f64 {
        let x = self.count(arch) - self.base;
        let at = self.shares.partition_point(|&(c, _)| c < x);
        match (at.checked_sub(1).map(|i| self.shares[i]), self.shares.get(at)) {
            (_, Some(&(c, s))) if c == x => s,
            (Some((c0, s0)), Some(&(c1, s1))) => s0 + (s1 - s0) * (x - c0) / (c1 - c0),
            (None, Some(&(_, s))) => s,
            (Some((_, s)), None) => s,
            (None, None) => 0.5,
        }
    }
}

/// The op that costs nothing and keeps every other gene's op in use: NB201's `skip_connect` (a
/// `none` can cut an edge off the output), FBNet's `skip` (where the shape changes, the cheapest
/// projection: a constant the other layers' additions do not depend on).
fn free_op(space: Space) -> u8 {
    match space {
        Space::Nb201 => 1,
        Space::Fbnet => (fbnet::OPS.len() - 1) as u8,
    }
}

/// Which genes' ops the output depends on: NB201's edges on a path from the cell's input to its
/// output through no `none`; every FBNet layer.
fn live_genes(arch: &Arch) -> Vec<bool> {
    match arch.space() {
        Space::Nb201 => nb201::live_edges(arch.genes()).to_vec(),
        Space::Fbnet => vec![true; fbnet::LAYERS],
    }
}

/// Every NB201 cell's count above the base, enumerated: (count, share).
fn exact_shares(counts: &SpaceCounts) -> Vec<(f64, f64)> {
    let mut totals: Vec<f64> = (0..nb201::CELLS)
        .map(|i| {
            let genes = nb201::genes_of_index(i).expect("every index below CELLS has a cell");
            counts.count(&Arch::new(Space::Nb201, genes).expect("a cell of the space")) - counts.base
        })
        .collect();
    totals.sort_by(f64::total_cmp);
    let n = totals.len() as f64;
    let mut shares = vec![];
    let mut i = 0;
    while i < totals.len() {
        let j = totals[i..].iter().take_while(|&&t| t == totals[i]).count();
        shares.push((totals[i], (i as f64 + j as f64 / 2.0) / n));
        i += j;
    }
    shares
}

/// The share below each of a fine grid of counts, for a space too large to enumerate: the
/// distribution of the sum of independent uniform choices, one per gene, by convolution over bins
/// 1/4096 of the range wide (each addition rounded to a bin: the share is off by far less than
/// one architecture in a thousand).
fn binned_shares(delta: &[Vec<f64>]) -> Vec<(f64, f64)> {
    const BINS: usize = 4096;
    let low: f64 = delta
        .iter()
        .map(|r| r.iter().copied().fold(f64::INFINITY, f64::min))
        .sum();
    let high: f64 = delta
        .iter()
        .map(|r| r.iter().copied().fold(f64::NEG_INFINITY, f64::max))
        .sum();
    let width = ((high - low) / BINS as f64).max(f64::MIN_POSITIVE);
    let mut mass = vec![0.0f64; BINS + delta.len() + 1];
    mass[0] = 1.0;
    for row in delta {
        let lowest = row.iter().copied().fold(f64::INFINITY, f64::min);
        let mut next = vec![0.0; mass.len()];
        for d in row {
            let shift = ((d - lowest) / width).round() as usize;
            for (i, m) in mass.iter().enumerate().filter(|(_, m)| **m > 0.0) {
                if let Some(slot) = next.get_mut(i + shift) {
                    *slot += m / row.len() as f64;
                }
            }
        }
        mass = next;
    }
    let mut below = 0.0;
    mass.iter()
        .enumerate()
        .map(|(i, m)| {
            let share = below + m / 2.0;
            below += m;
            (low + i as f64 * width, share)
        })
        .collect()
}

fn counts(space: Space) -> &'static SpaceCounts {
    static NB201: OnceLock<SpaceCounts> = OnceLock::new();
    static FBNET: OnceLock<SpaceCounts> = OnceLock::new();
    let cell = match space {
        Space::Nb201 => &NB201,
        Space::Fbnet => &FBNET,
    };
    // The full-size graphs of op-0 and single-op architectures always build: a failure here is
    // a bug in a space's graph function, not bad input.
    cell.get_or_init(|| SpaceCounts::of(space).expect("every space's full-size graph builds"))
}

/// The share of `arch`'s space whose full-size networks have fewer multiply-accumulates than its
/// own (ties count half), in [0, 1].
pub fn complexity(arch: &Arch) -> f64 {
    counts(arch.space()).share(arch).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn counts_add_up_over_live_genes() {
        let mut rng = StdRng::seed_from_u64(7);
        for space in [Space::Nb201, Space::Fbnet] {
            for _ in 0..20 {
                let arch = space.sample(&mut rng);
                let direct = macs(&arch).unwrap();
                let summed = counts(space).count(&arch);
                assert!((direct - summed).abs() <= 1e-9 * direct, "{arch}: {direct} vs {summed}");
            }
        }
    }

    #[test]
    fn nb201_full_size_network_counts_as_published() {
        // NAS-Bench-201's FLOP counts (multiply-accumulates of the convolutions and the
        // classifier) range from 7.78 M (no convolution in the cell) to 220.11 M (all 3×3). An
        // all-`none` cell cuts the input off the logits: only the classifier's 64·10 count.
        let all = |op: &str| {
            let o = nb201::OPS.iter().position(|&name| name == op).unwrap() as u8;
            Arch::new(Space::Nb201, vec![o; nb201::EDGES]).unwrap()
        };
        let conv = macs(&all("nor_conv_3x3")).unwrap() / 1e6;
        let skip = macs(&all("skip_connect")).unwrap() / 1e6;
        assert!((conv - 220.11).abs() < 0.01, "all-3×3 cell: {conv} M");
        assert!((skip - 7.78).abs() < 0.01, "all-skip cell: {skip} M");
        assert_eq!(macs(&all("none")).unwrap(), 640.0);
    }

    #[test]
    fn shares_are_exact_for_nb201() {
        let all: Vec<f64> = (0..nb201::CELLS)
            .map(|i| macs(&Arch::from_nb201_index(i).unwrap()).unwrap())
            .collect();
        for i in [0, 1, 77, 4297, 15_624] {
            let x = all[i];
            let below = all.iter().filter(|&&c| c < x - 1e-3).count() as f64;
            let equal = all.iter().filter(|&&c| (c - x).abs() <= 1e-3).count() as f64;
            let share = complexity(&Arch::from_nb201_index(i).unwrap());
            assert!((share - (below + equal / 2.0) / nb201::CELLS as f64).abs() < 1e-12);
        }
    }

    #[test]
    fn fbnet_shares_follow_the_sampled_distribution() {
        let mut rng = StdRng::seed_from_u64(3);
        let sample: Vec<Arch> = (0..2000).map(|_| Space::Fbnet.sample(&mut rng)).collect();
        let count: Vec<f64> = sample.iter().map(|a| counts(Space::Fbnet).count(a)).collect();
        for (a, &x) in sample.iter().zip(&count).take(20) {
            let empirical = count.iter().filter(|&&c| c < x).count() as f64 / count.len() as f64;
            assert!(
                (complexity(a) - empirical).abs() < 0.04,
                "{a}: {} vs {empirical}",
                complexity(a)
            );
        }
        let smallest = Arch::new(Space::Fbnet, vec![8; 22]).unwrap();
        let largest = Arch::new(Space::Fbnet, vec![7; 22]).unwrap();
        assert!(complexity(&smallest) < 1e-3 && complexity(&largest) > 1.0 - 1e-3);
    }
}
