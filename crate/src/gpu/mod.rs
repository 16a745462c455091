//! Training candidates on a GPU: the proxy graph ([`crate::proxy::graph`], the same description
//! candle runs on the CPU) executed by our WGSL kernels through wgpu (Vulkan, Metal or DX12
//! natively). A candidate's K steps are recorded into one command buffer and submitted once, and
//! only the per-step loss and CKA values are read back.

mod buffers;
#[cfg(feature = "devtools")]
pub mod check;
mod compile;
mod context;
#[cfg(not(target_arch = "wasm32"))]
mod fallback;
pub mod fuse;
mod kernels;
mod loss;
mod program;
mod train;

pub use compile::Sgd;
pub use context::{AdapterSummary, Gpu, Want};
#[cfg(not(target_arch = "wasm32"))]
pub use fallback::{ComputeStatus, GpuOrCpu};
pub use loss::LossInputs;
pub use train::{initial_weights, score, training_curve, GpuEvaluator, RunCounts};
