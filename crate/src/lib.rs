//! evrsnas: hardware-aware neural architecture search by representation mutual information
//! (HW-EvRSNAS, WACV 2024, on RMI-NAS, CVPR 2022), small enough to run in a browser.
//!
//! The library knows nothing about browsers or terminals: the CLI (`src/bin/evrsnas.rs`) and the
//! wasm glue (`src/wasm.rs`) are thin layers over it.

pub mod kernels;
pub mod nn;
pub mod space;

pub use kernels::Kernels;
pub use space::{Arch, Space};
