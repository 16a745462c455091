//! The `evrsnas` command line (native only): one module per command, each its arguments and its
//! run; the science is in the library.
//!
//! Exit codes: 0 success, 2 error (bad input, missing or corrupt asset, failed run).

#[cfg(not(target_arch = "wasm32"))]
mod common;
#[cfg(not(target_arch = "wasm32"))]
mod devtools;
#[cfg(not(target_arch = "wasm32"))]
mod eval_reference;
#[cfg(not(target_arch = "wasm32"))]
mod pareto;
#[cfg(not(target_arch = "wasm32"))]
mod score;
#[cfg(not(target_arch = "wasm32"))]
mod search;

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use crate::{common::AnyResult, devtools, eval_reference, pareto, score, search};
    use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
    use std::process::ExitCode;

    #[derive(Parser)]
    #[command(
        name = "evrsnas",
        version,
        about = "Hardware-aware NAS by representation similarity (HW-EvRSNAS)"
    )]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    /// User commands first; developer commands are hidden from the main list and listed apart.
    #[derive(Subcommand)]
    enum Command {
        /// Evolve an architecture that resembles the reference within a hardware budget.
        Search(search::SearchArgs),
        /// Search for the front of RMI against hardware cost: one run answers every budget.
        Pareto(pareto::ParetoArgs),
        /// Answer a budget from a front saved by `pareto --json`, without training.
        Pick(pareto::PickArgs),
        /// Score given architectures: RMI and every available hardware cost.
        Score(score::ScoreArgs),
        /// Report the reference model's top-1 accuracy on CIFAR-10 binary files.
        EvalReference(eval_reference::EvalReferenceArgs),
        /// Train the reference model (the project's recipe) and save it as safetensors.
        #[command(hide = true)]
        TrainReference(devtools::train_reference::TrainReferenceArgs),
        /// Fidelity study: rank correlation of RMI with true NAS-Bench-201 accuracy over sampled cells.
        #[command(hide = true)]
        Study(devtools::study::StudyArgs),
        /// Constrained-search study: evolution against the table's best cell and random search.
        #[command(hide = true)]
        StudySearch(devtools::study_search::StudySearchArgs),
        /// Pareto study: one multi-objective search against the true front and nine budgets.
        #[command(hide = true)]
        StudyPareto(devtools::study_pareto::StudyParetoArgs),
        /// Time the training hot path, stock candle vs our kernels.
        #[command(hide = true)]
        Bench(devtools::bench::BenchArgs),
        /// GPU study: the GPU executor's scores against the CPU's over sampled cells.
        #[command(hide = true)]
        StudyGpu(devtools::study_gpu::StudyGpuArgs),
        /// Time one candidate and one training step on the GPU path against the CPU path.
        #[command(hide = true)]
        BenchGpu(devtools::bench_gpu::BenchGpuArgs),
        /// Rebuild the bundled assets in static/ from the public data.
        #[command(hide = true)]
        Assets(devtools::assets::AssetsArgs),
    }

    /// The clap command with the developer commands listed after the user commands.
    fn command() -> clap::Command {
        let cmd = Cli::command();
        let developer: Vec<String> = cmd
            .get_subcommands()
            .filter(|s| s.is_hide_set())
            .map(|s| {
                format!(
                    "  {:<16}{}",
                    s.get_name(),
                    s.get_about().map(|a| a.to_string()).unwrap_or_default()
                )
            })
            .collect();
        cmd.after_help(format!(
            "Developer commands (cargo make assets | train-reference | study | bench run them):\n{}",
            developer.join("\n")
        ))
    }

    fn run() -> AnyResult<()> {
        let cli = match Cli::from_arg_matches(&command().get_matches()) {
            Ok(cli) => cli,
            Err(e) => e.exit(),
        };
        match cli.command {
            Command::Search(a) => search::run(a),
            Command::Pareto(a) => pareto::run(a),
            Command::Pick(a) => pareto::pick(a),
            Command::Score(a) => score::run(a),
            Command::EvalReference(a) => eval_reference::run(a),
            Command::TrainReference(a) => devtools::train_reference::run(a),
            Command::Study(a) => devtools::study::run(a),
            Command::StudySearch(a) => devtools::study_search::run(a),
            Command::StudyPareto(a) => devtools::study_pareto::run(a),
            Command::Bench(a) => devtools::bench::run(a),
            Command::BenchGpu(a) => devtools::bench_gpu::run(a),
            Command::StudyGpu(a) => devtools::study_gpu::run(a),
            Command::Assets(a) => devtools::assets::run(a),
        }
    }

    pub fn main() -> ExitCode {
        // One compute thread, as in a browser worker: candle's thread pool spin-waits on the tiny
        // tensors of a proxy network, which costs more than it gains (measured: ~20 % of the time).
        // candle's matrix products follow RAYON_NUM_THREADS. Set either variable to override.
        for var in ["CANDLE_NUM_THREADS", "RAYON_NUM_THREADS"] {
            if std::env::var_os(var).is_none() {
                std::env::set_var(var, "1");
            }
        }
        match run() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("evrsnas: error: {e}");
                ExitCode::from(2)
            }
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

/// The page is the wasm front end; this stub only lets `cargo test --target wasm32-unknown-unknown`
/// build the package.
#[cfg(target_arch = "wasm32")]
fn main() {}
