//! evrsnas: hardware-aware neural architecture search by representation mutual information
//! (HW-EvRSNAS, WACV 2024, on RMI-NAS, CVPR 2022), small enough to run in a browser.
//!
//! The paper's ideas each have a module: [`space`] (NAS-Bench-201 and FBNet), [`proxy`] (the
//! reduced networks candidates are scored on), [`reference`] (the trained model to resemble),
//! [`cka`] and [`rmi`] (the score), [`cost`] (HW-NAS-Bench device costs), [`fitness`] and
//! [`evolve`] (the search). [`schema`] holds every setting's default and bounds, [`assets`]
//! loads the bundled files, [`kernels`] makes training fast.
//!
//! Everything here runs in the explorer's wasm and in the CLI, except [`devtools`] (the developer
//! tools: asset builder, studies, benchmarks, reference training), which the `devtools` feature
//! turns on and the page's build leaves out. The library knows nothing about browsers or
//! terminals: the CLI (`src/bin/evrsnas/`) and the wasm glue (`src/wasm/`) are thin layers.

mod error;
pub mod names;

pub mod assets;
pub mod bounds;
pub mod cka;
pub mod complexity;
pub mod compute;
pub mod cost;
pub mod data;
#[cfg(feature = "devtools")]
pub mod devtools;
pub mod evolve;
pub mod export;
pub mod fitness;
pub mod gpu;
pub mod images;
pub mod kernels;
pub mod nn;
pub mod optim;
pub mod proxy;
pub mod reference;
pub mod rmi;
pub mod schema;
pub mod settings;
pub mod space;
pub mod trial;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use compute::Compute;
pub use cost::{CostBook, CostTable, Device, Metric};
pub use error::{Error, Result};
pub use evolve::{Candidate, EvolutionConfig, Search};
pub use fitness::{Fitness, Penalty};
pub use kernels::Kernels;
pub use proxy::ProxyConfig;
pub use reference::Reference;
pub use rmi::{RmiConfig, RmiEvaluator, RmiOptions, RmiTargets};
pub use space::{Arch, Space};
pub use trial::{Evaluator, Trial};
