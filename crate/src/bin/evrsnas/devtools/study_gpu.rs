//! `evrsnas study-gpu`: the GPU executor against the CPU's over sampled NAS-Bench-201 cells, the
//! way the two CPU builds (native and wasm) are compared: training is chaotic in float rounding,
//! so the scores are compared by their differences and their rank agreement.

use crate::common::{print_json, write, AnyResult, Common};
use clap::Args;
use evrsnas::devtools::fidelity::sample_cells;
use evrsnas::devtools::stats::{kendall_tau, percentile};
use evrsnas::gpu::{AdapterSummary, Gpu, GpuEvaluator, Want};
use evrsnas::{Arch, Trial};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args)]
pub struct StudyGpuArgs {
    /// NAS-Bench-201 cells to sample (seeded by --seed).
    #[arg(long, default_value_t = 50)]
    cells: usize,
    /// Also write the report here.
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
}

#[derive(Serialize)]
struct CellScores {
    index: usize,
    cpu: f64,
    gpu: f64,
}

#[derive(Serialize)]
struct GpuStudy {
    adapter: AdapterSummary,
    steps: usize,
    batch_size: usize,
    seed: u64,
    median_abs_difference: f64,
    max_abs_difference: f64,
    kendall_tau: f64,
    cpu_seconds_per_cell: f64,
    gpu_seconds_per_cell: f64,
    cells: Vec<CellScores>,
}

pub fn run(args: StudyGpuArgs) -> AnyResult<()> {
    let assets = args.common.open_assets()?;
    let mut cpu = args.common.evaluator(&assets)?;
    let gpu = GpuEvaluator::new(Gpu::blocking(Want::Any)?, &cpu.targets, cpu.options, cpu.seed)?;
    eprintln!("GPU: {}", gpu.gpu.adapter);
    let (mut cpu_s, mut gpu_s) = (0.0, 0.0);
    let mut cells = vec![];
    for index in sample_cells(args.cells, args.common.seed)? {
        let trial = Trial::first(Arch::from_nb201_index(index)?);
        let t0 = Instant::now();
        let on_cpu = cpu.score(&trial)?.rmi;
        let t1 = Instant::now();
        let on_gpu = gpu.score(&trial)?.rmi;
        cpu_s += (t1 - t0).as_secs_f64();
        gpu_s += t1.elapsed().as_secs_f64();
        eprintln!("cell {index}: CPU {on_cpu:.5}, GPU {on_gpu:.5}");
        cells.push(CellScores {
            index,
            cpu: on_cpu,
            gpu: on_gpu,
        });
    }
    let diffs: Vec<f64> = cells.iter().map(|c| (c.cpu - c.gpu).abs()).collect();
    let (a, b): (Vec<f64>, Vec<f64>) = cells.iter().map(|c| (c.cpu, c.gpu)).unzip();
    let n = cells.len() as f64;
    let report = GpuStudy {
        adapter: gpu.gpu.adapter.clone(),
        steps: cpu.options.config.steps,
        batch_size: cpu.targets.batch_size(),
        seed: args.common.seed,
        median_abs_difference: percentile(&diffs, 0.5),
        max_abs_difference: diffs.iter().cloned().fold(0.0, f64::max),
        kendall_tau: kendall_tau(&a, &b),
        cpu_seconds_per_cell: cpu_s / n,
        gpu_seconds_per_cell: gpu_s / n,
        cells,
    };
    if let Some(path) = &args.out {
        write(path, serde_json::to_string_pretty(&report)?.as_bytes())?;
    }
    print_json(&report)
}
