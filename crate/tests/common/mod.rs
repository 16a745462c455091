//! What the search tests share: a toy cost table and a tiny evaluator.

#![allow(dead_code)] // Each test file uses its own part.

pub mod cli;

use evrsnas::cost::{CostTable, TableHeader};
use evrsnas::evolve::{Evaluator, Trial};
use evrsnas::Result;
use evrsnas::{Arch, EvolutionConfig};
use evrsnas::{Device, Kernels, ProxyConfig, RmiConfig, RmiEvaluator, RmiOptions, RmiTargets, Space};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A cost table where each conv costs 1 ms and each pool 0.25 ms, over a 1 ms base.
pub fn toy_costs() -> Result<CostTable> {
    let values: Vec<f64> = (0..evrsnas::space::nb201::CELLS)
        .map(|i| {
            let genes = evrsnas::space::nb201::genes_of_index(i).unwrap();
            1.0 + genes
                .iter()
                .map(|&g| [0.0, 0.0, 1.0, 1.0, 0.25][g as usize])
                .sum::<f64>()
        })
        .collect();
    let header = TableHeader::latency_ms(Device::Pixel3, values.len(), "test", None, [1.0, 7.0]);
    CostTable::per_arch(Space::Nb201, header, values.clone(), vec![true; values.len()])
}

pub fn evaluator(seed: u64) -> Result<RmiEvaluator> {
    let reference = evrsnas::Reference::new(1, 10, evrsnas::nn::Params::seeded(11, Kernels::Fast))?;
    let mut rng = StdRng::seed_from_u64(5);
    let pixels: Vec<u8> = (0..6 * evrsnas::data::PIXELS).map(|_| rng.random()).collect();
    let mut proxy = ProxyConfig::default();
    proxy.nb201.channels = 4;
    Ok(RmiEvaluator::new(
        RmiTargets::new(&reference, &evrsnas::data::to_tensor(&pixels, 6)?)?,
        RmiOptions {
            config: RmiConfig {
                steps: 2,
                ..RmiConfig::default()
            },
            proxy,
            kernels: Kernels::Fast,
        },
        seed,
    ))
}

/// The evolution with every new candidate trained (the plain schedule), which most search tests
/// count trainings of; screens (the halving default, the screened schedule) have their own (tests/screens.rs).
pub fn plain() -> EvolutionConfig {
    EvolutionConfig {
        screen: None,
        ..EvolutionConfig::default()
    }
}

/// A noisy stand-in for RMI: a cell's true merit plus a different error for each initialisation.
pub struct Noisy;

impl Noisy {
    pub fn merit(arch: &Arch) -> f64 {
        arch.genes().iter().map(|&g| g as f64).sum::<f64>() / 24.0
    }
}

impl Evaluator for Noisy {
    fn evaluate(&mut self, trial: &Trial) -> Result<f64> {
        let seed = evrsnas::rmi::candidate_seed(u64::from(trial.replicate), &trial.arch);
        let noise = StdRng::seed_from_u64(seed).random_range(-0.3..0.3);
        Ok(Self::merit(&trial.arch) + noise)
    }
}
