//! Developer tooling, behind the `devtools` feature (on by default; the page's wasm is built
//! without it): the asset builder, the fidelity and constrained-search studies, the benchmark
//! workloads and reference training. Nothing here runs in the explorer.

#[cfg(not(target_arch = "wasm32"))]
pub mod assets_build;
pub mod bench;
pub mod fidelity;
pub mod gpu_check;
pub mod pareto_study;
pub mod stats;
pub mod study;
#[cfg(not(target_arch = "wasm32"))]
pub mod train;
pub mod train_draw;
pub mod zero_cost;
