//! `evrsnas bench-gpu`: one NB201 candidate and one training step on the GPU path, beside the
//! CPU path measured in the same run, on whatever adapter wgpu finds (`bench/gpu.sh` prints it).

use crate::common::{print_json, AnyResult};
use clap::Args;
use evrsnas::devtools::bench::{nb201_candidate_gpu_ms, nb201_candidate_ms};
use evrsnas::gpu::{AdapterSummary, Gpu, RunCounts, Want};
use evrsnas::{Kernels, RmiConfig};
use serde::Serialize;
use std::time::Instant;

#[derive(Args)]
pub struct BenchGpuArgs {
    /// Repetitions of each timing (the median is reported).
    #[arg(long, default_value_t = 1)]
    reps: usize,
    /// K for the candidate.
    #[arg(long, default_value_t = RmiConfig::default().steps)]
    steps: usize,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct GpuTimings {
    adapter: AdapterSummary,
    steps: usize,
    /// The candidate's K steps on the GPU: compile, one submit, read back.
    gpu_candidate_ms: f64,
    /// One training step: (the K-step run − the 1-step run) / (K − 1).
    gpu_step_ms: f64,
    cpu_candidate_ms: f64,
    cpu_step_ms: f64,
    dispatches_per_step: usize,
    clears_per_step: usize,
    submits_per_candidate: usize,
}

pub fn run(args: BenchGpuArgs) -> AnyResult<()> {
    let gpu = Gpu::blocking(Want::Any)?;
    let started = Instant::now();
    let now = || started.elapsed().as_secs_f64() * 1000.0;
    let steps = args.steps.max(2);
    let (gpu_candidate_ms, counts): (f64, RunCounts) = nb201_candidate_gpu_ms(&gpu, steps, args.reps, &now)?;
    let (gpu_one_step, _) = nb201_candidate_gpu_ms(&gpu, 1, args.reps, &now)?;
    let cpu_candidate_ms = nb201_candidate_ms(Kernels::Fast, steps, args.reps, &now)?;
    let cpu_one_step = nb201_candidate_ms(Kernels::Fast, 1, args.reps, &now)?;
    let per_step = |k: f64, one: f64| (k - one) / (steps - 1) as f64;
    let t = GpuTimings {
        adapter: gpu.adapter.clone(),
        steps,
        gpu_candidate_ms,
        gpu_step_ms: per_step(gpu_candidate_ms, gpu_one_step),
        cpu_candidate_ms,
        cpu_step_ms: per_step(cpu_candidate_ms, cpu_one_step),
        dispatches_per_step: counts.dispatches_per_step,
        clears_per_step: counts.clears_per_step,
        submits_per_candidate: counts.submits,
    };
    if args.json {
        return print_json(&t);
    }
    println!("adapter: {}", t.adapter);
    println!("| path | NB201 candidate (K = {steps}) | one training step |");
    println!("| --- | --- | --- |");
    println!("| GPU | {:.1} ms | {:.1} ms |", t.gpu_candidate_ms, t.gpu_step_ms);
    println!(
        "| CPU (native, fast kernels) | {:.1} ms | {:.1} ms |",
        t.cpu_candidate_ms, t.cpu_step_ms
    );
    println!(
        "GPU ÷ CPU: {:.2}× the time per candidate; {} dispatches and {} buffer clears per step, {} submit per candidate",
        t.gpu_candidate_ms / t.cpu_candidate_ms,
        t.dispatches_per_step,
        t.clears_per_step,
        t.submits_per_candidate
    );
    Ok(())
}
