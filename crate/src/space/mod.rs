//! Search spaces: an architecture is a fixed-length genome of categorical genes.
//!
//! Both spaces of the paper are of this shape (NAS-Bench-201: 6 edges × 5 ops; FBNet: 22 layers × 9
//! blocks), so sampling, per-gene mutation and uniform crossover are written once here, while parsing,
//! printing and indexing live with each space.

pub mod fbnet;
pub mod nb201;

use crate::{bail, Result};
use rand::Rng;
use std::fmt;

crate::named_enum! {
    /// The two search spaces of HW-EvRSNAS.
    pub enum Space: "search space" {
        Nb201 = "nb201" | "nasbench201" | "nas-bench-201" => "NAS-Bench-201 cell",
        Fbnet = "fbnet" => "FBNet (22 layers)",
    }
}

impl Space {
    /// Number of genes (edges or layers).
    pub fn genes(self) -> usize {
        match self {
            Space::Nb201 => nb201::EDGES,
            Space::Fbnet => fbnet::LAYERS,
        }
    }

    /// Number of choices per gene.
    pub fn choices(self) -> usize {
        match self {
            Space::Nb201 => nb201::OPS.len(),
            Space::Fbnet => fbnet::OPS.len(),
        }
    }

    /// Draws an architecture uniformly at random.
    pub fn sample(self, rng: &mut impl Rng) -> Arch {
        let genes = (0..self.genes())
            .map(|_| rng.random_range(0..self.choices()) as u8)
            .collect();
        Arch { space: self, genes }
    }
}

/// One architecture: a gene per edge (NB201) or per layer (FBNet), each an index into the space's ops.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Arch {
    space: Space,
    genes: Vec<u8>,
}

impl Arch {
    /// Builds an architecture from genes, checking length and range.
    pub fn new(space: Space, genes: Vec<u8>) -> Result<Self> {
        if genes.len() != space.genes() {
            bail!(
                "{space} architectures have {} genes, got {}",
                space.genes(),
                genes.len()
            )
        }
        if let Some(g) = genes.iter().find(|&&g| g as usize >= space.choices()) {
            bail!("gene {g} out of range for {space} ({} choices)", space.choices())
        }
        Ok(Self { space, genes })
    }

    /// NAS-Bench-201 cell number `index` (0..15624, in NAS-Bench-201's order).
    pub fn from_nb201_index(index: usize) -> Result<Self> {
        Self::new(Space::Nb201, nb201::genes_of_index(index)?)
    }

    /// Parses the space's canonical string (see [`nb201::parse`] and [`fbnet::parse`]).
    pub fn parse(space: Space, s: &str) -> Result<Self> {
        let genes = match space {
            Space::Nb201 => nb201::parse(s)?,
            Space::Fbnet => fbnet::parse(s)?,
        };
        Self::new(space, genes)
    }

    pub fn space(&self) -> Space {
        self.space
    }

    pub fn genes(&self) -> &[u8] {
        &self.genes
    }

    /// The NAS-Bench-201 index (0..15624), or `None` for FBNet.
    pub fn nb201_index(&self) -> Option<usize> {
        match self.space {
            Space::Nb201 => Some(nb201::index_of(&self.genes)),
            Space::Fbnet => None,
        }
    }

    /// Replaces each gene, with probability `rate`, by a different choice drawn uniformly.
    pub fn mutate(&self, rate: f64, rng: &mut impl Rng) -> Arch {
        let n = self.space.choices();
        let genes = self
            .genes
            .iter()
            .map(|&g| {
                if rng.random_bool(rate.clamp(0.0, 1.0)) {
                    // Draw from the n - 1 other choices so that a mutation always changes the gene.
                    let other = rng.random_range(0..n - 1) as u8;
                    if other >= g {
                        other + 1
                    } else {
                        other
                    }
                } else {
                    g
                }
            })
            .collect();
        Arch {
            space: self.space,
            genes,
        }
    }

    /// Uniform crossover: each gene comes from either parent with probability 1/2.
    pub fn crossover(&self, other: &Arch, rng: &mut impl Rng) -> Result<Arch> {
        if self.space != other.space {
            bail!("cannot cross a {} with a {} architecture", self.space, other.space)
        }
        let genes = self
            .genes
            .iter()
            .zip(&other.genes)
            .map(|(&a, &b)| if rng.random_bool(0.5) { a } else { b })
            .collect();
        Ok(Arch {
            space: self.space,
            genes,
        })
    }

    /// A stable 64-bit fingerprint (FNV-1a), used to seed a candidate's initial weights.
    /// Unlike `std::hash`, its value is fixed across builds and platforms.
    pub fn fingerprint(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in std::iter::once(self.space as u8).chain(self.genes.iter().copied()) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    }
}

/// One gene of an architecture as a drawing needs it: its op, and where it sits (an NB201 edge
/// `from → to`) or what block it is (an FBNet layer's kernel, expansion and groups; none for
/// `skip`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct GeneView {
    pub op: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kernel: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expansion: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<usize>,
}

impl Arch {
    /// Each gene as a drawing needs it, in gene order.
    pub fn layout(&self) -> Vec<GeneView> {
        let view = |op| GeneView {
            op,
            from: None,
            to: None,
            kernel: None,
            expansion: None,
            groups: None,
        };
        match self.space {
            Space::Nb201 => self
                .genes
                .iter()
                .zip(nb201::EDGE_NODES)
                .map(|(&g, (to, from))| GeneView {
                    from: Some(from),
                    to: Some(to),
                    ..view(nb201::OPS[g as usize])
                })
                .collect(),
            Space::Fbnet => self
                .genes
                .iter()
                .map(|&g| match fbnet::block(g) {
                    fbnet::Block::Bottleneck { k, e, groups } => GeneView {
                        kernel: Some(k),
                        expansion: Some(e),
                        groups: Some(groups),
                        ..view(fbnet::OPS[g as usize])
                    },
                    fbnet::Block::Skip => view(fbnet::OPS[g as usize]),
                })
                .collect(),
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.space {
            Space::Nb201 => f.write_str(&nb201::format(&self.genes)),
            Space::Fbnet => f.write_str(&fbnet::format(&self.genes)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn mutation_and_crossover_stay_in_the_space() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for &space in Space::ALL {
            for _ in 0..200 {
                let a = space.sample(&mut rng);
                let b = space.sample(&mut rng);
                let m = a.mutate(0.5, &mut rng);
                let c = a.crossover(&b, &mut rng).unwrap();
                for arch in [&m, &c] {
                    assert!(Arch::new(space, arch.genes().to_vec()).is_ok());
                    assert_eq!(&Arch::parse(space, &arch.to_string()).unwrap(), arch);
                }
                for (i, &g) in c.genes().iter().enumerate() {
                    assert!(g == a.genes()[i] || g == b.genes()[i]);
                }
            }
        }
    }

    #[test]
    fn full_rate_mutation_changes_every_gene() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let a = Space::Fbnet.sample(&mut rng);
        let m = a.mutate(1.0, &mut rng);
        assert!(a.genes().iter().zip(m.genes()).all(|(x, y)| x != y));
        assert_eq!(a.mutate(0.0, &mut rng), a);
    }

    #[test]
    fn crossing_spaces_is_an_error() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let a = Space::Fbnet.sample(&mut rng);
        let b = Space::Nb201.sample(&mut rng);
        assert!(a.crossover(&b, &mut rng).is_err());
    }

    #[test]
    fn bad_genes_are_rejected() {
        assert!(Arch::new(Space::Nb201, vec![0; 5]).is_err());
        assert!(Arch::new(Space::Nb201, vec![5, 0, 0, 0, 0, 0]).is_err());
        assert!("resnet".parse::<Space>().is_err());
    }
}
