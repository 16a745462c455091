//! The GPU while it works, the CPU otherwise. A GPU that cannot start, or fails mid-search (a
//! lost device, refused work), hands over to the CPU evaluator with the reason kept, and the
//! trial it failed on is scored again on the CPU: no score is lost.

use super::context::{AdapterSummary, Gpu, Want};
use super::train::GpuEvaluator;
use crate::compute::Compute;
use crate::rmi::{RmiEvaluator, RmiScore};
use crate::trial::{Evaluator, Trial};
use crate::Result;
use serde::Serialize;

/// What runs, for the user: the choice, what it resolved to and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComputeStatus {
    pub choice: Compute,
    /// "gpu" or "cpu".
    pub running: &'static str,
    pub adapter: Option<AdapterSummary>,
    /// Why the CPU runs although a GPU was asked for.
    pub fallback: Option<String>,
}

impl std::fmt::Display for ComputeStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.adapter, &self.fallback) {
            (Some(adapter), _) if self.running == "gpu" => write!(f, "GPU: {adapter}"),
            (_, Some(why)) => write!(f, "CPU ({why})"),
            _ => write!(f, "CPU"),
        }
    }
}

pub struct GpuOrCpu {
    pub cpu: RmiEvaluator,
    gpu: Option<GpuEvaluator>,
    status: ComputeStatus,
}

impl GpuOrCpu {
    /// Starts the GPU that `choice` asks for, if any; the CPU evaluator serves otherwise.
    pub fn new(choice: Compute, cpu: RmiEvaluator) -> Self {
        let mut status = ComputeStatus {
            choice,
            running: "cpu",
            adapter: None,
            fallback: None,
        };
        let gpu = Want::for_compute(choice).and_then(|want| {
            let started =
                Gpu::blocking(want).and_then(|gpu| GpuEvaluator::new(gpu, &cpu.targets, cpu.options, cpu.seed));
            match started {
                Ok(g) => {
                    status.running = "gpu";
                    status.adapter = Some(g.gpu.adapter.clone());
                    Some(g)
                }
                Err(e) => {
                    status.fallback = Some(e.to_string());
                    None
                }
            }
        });
        Self { cpu, gpu, status }
    }

    pub fn status(&self) -> &ComputeStatus {
        &self.status
    }

    /// The trial's score with its divergence flag: on the GPU, or on the CPU once it has failed.
    pub fn score(&mut self, trial: &Trial) -> Result<RmiScore> {
        if let Some(gpu) = &mut self.gpu {
            match gpu.score(trial) {
                Ok(score) => return Ok(score),
                Err(e) => {
                    self.status.running = "cpu";
                    self.status.fallback = Some(format!("the GPU failed mid-search: {e}"));
                    self.gpu = None;
                }
            }
        }
        self.cpu.score(trial)
    }

    /// Makes the GPU's device lost, as a driver reset would (the fallback's test).
    pub fn lose_device(&self) {
        if let Some(g) = &self.gpu {
            g.gpu.destroy();
        }
    }
}

impl Evaluator for GpuOrCpu {
    fn evaluate(&mut self, trial: &Trial) -> Result<f64> {
        Ok(self.score(trial)?.rmi)
    }
}
