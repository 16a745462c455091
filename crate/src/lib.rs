//! evrsnas: hardware-aware neural architecture search by representation mutual information
//! (HW-EvRSNAS, WACV 2024, on RMI-NAS, CVPR 2022), small enough to run in a browser.
//!
//! The paper's ideas each have a module: [`space`] (NAS-Bench-201 and FBNet), [`proxy`] (the
//! reduced networks candidates are scored on), [`reference`] (the trained model to resemble),
//! [`cka`] and [`rmi`] (the score), [`cost`] (HW-NAS-Bench device costs), [`fitness`] and
//! [`evolve`] (the search). [`assets`] loads the bundled files; [`kernels`] makes training fast.
//! The library knows nothing about browsers or terminals: the CLI (`src/bin/evrsnas.rs`) and the
//! wasm glue (`src/wasm.rs`) are thin layers over it.

pub mod assets;
#[cfg(not(target_arch = "wasm32"))]
pub mod assets_build;
pub mod bench;
pub mod cka;
pub mod cost;
pub mod data;
pub mod evolve;
pub mod fitness;
pub mod kernels;
pub mod nn;
pub mod optim;
pub mod proxy;
pub mod reference;
pub mod rmi;
pub mod space;
pub mod study;
#[cfg(not(target_arch = "wasm32"))]
pub mod train;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use cost::{CostBook, CostTable, Device, Metric};
pub use evolve::{Candidate, Evaluator, EvolutionConfig, Search, Trial};
pub use fitness::{Fitness, Penalty};
pub use kernels::Kernels;
pub use proxy::ProxyConfig;
pub use reference::Reference;
pub use rmi::{RmiConfig, RmiEvaluator, RmiTargets};
pub use space::{Arch, Space};
