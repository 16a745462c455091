//! `evrsnas bench`: time the training hot path, stock candle against our kernels.

use crate::common::{print_json, AnyResult};
use clap::Args;
use evrsnas::devtools::bench::{nb201_candidate_ms, probe_train_step_ms, reference_train_step_ms};
use evrsnas::{Kernels, RmiConfig};
use serde::Serialize;
use std::time::Instant;

#[derive(Args)]
pub struct BenchArgs {
    /// Fewer repetitions, for a quick look.
    #[arg(long)]
    quick: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// K for the NB201 candidate evaluation.
    #[arg(long, default_value_t = RmiConfig::default().steps)]
    steps: usize,
    /// Only the NB201 candidate with our kernels, this many times: print its median milliseconds
    /// (for profiling; the wasm build's `nb201CandidateMs` times the same work).
    #[arg(long, value_name = "REPS")]
    candidate_only: Option<usize>,
}

/// Median milliseconds of one workload with each kernel set.
#[derive(Serialize)]
struct PerKernels {
    stock: f64,
    fast: f64,
}

#[derive(Serialize)]
struct Threaded {
    threads: usize,
    fast: f64,
}

/// The JSON `bench/run.mjs` reads.
#[derive(Serialize)]
struct Timings {
    probe_train_step_ms: PerKernels,
    nb201_candidate_ms: PerKernels,
    reference_train_step_ms: PerKernels,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference_train_step_threaded_ms: Option<Threaded>,
}

pub fn run(args: BenchArgs) -> AnyResult<()> {
    let started = Instant::now();
    let now = || started.elapsed().as_secs_f64() * 1000.0;
    if let Some(reps) = args.candidate_only {
        println!("{:.1}", nb201_candidate_ms(Kernels::Fast, args.steps, reps, &now)?);
        return Ok(());
    }
    let (reps, candidate_reps) = if args.quick { (3, 1) } else { (11, 2) };
    let each = |f: &dyn Fn(Kernels) -> candle_core::Result<f64>| -> AnyResult<PerKernels> {
        Ok(PerKernels {
            stock: f(Kernels::Stock)?,
            fast: f(Kernels::Fast)?,
        })
    };
    let probe = each(&|k| probe_train_step_ms(k, reps, &now))?;
    let candidate = each(&|k| nb201_candidate_ms(k, args.steps, candidate_reps, &now))?;
    let reference = each(&|k| reference_train_step_ms(k, 3, candidate_reps, &now))?;
    // Training the reference splits each convolution's batch over the cores.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threaded = if threads > 1 {
        evrsnas::kernels::set_threads(threads);
        let ms = reference_train_step_ms(Kernels::Fast, 3, candidate_reps, &now);
        evrsnas::kernels::set_threads(1);
        Some(Threaded { threads, fast: ms? })
    } else {
        None
    };
    let timings = Timings {
        probe_train_step_ms: probe,
        nb201_candidate_ms: candidate,
        reference_train_step_ms: reference,
        reference_train_step_threaded_ms: threaded,
    };
    if args.json {
        return print_json(&timings);
    }
    for (t, what) in [
        (&timings.probe_train_step_ms, "probe CNN train step"),
        (&timings.nb201_candidate_ms, "NB201 candidate evaluation"),
        (&timings.reference_train_step_ms, "ResNet-20 train step (batch 128)"),
    ] {
        println!(
            "{what}: stock {:.1} ms, fast {:.1} ms ({:.2}× faster)",
            t.stock,
            t.fast,
            t.stock / t.fast
        );
    }
    if let Some(t) = &timings.reference_train_step_threaded_ms {
        println!(
            "ResNet-20 train step (batch 128), {} threads: fast {:.1} ms",
            t.threads, t.fast
        );
    }
    Ok(())
}
