//! `evrsnas study-pareto`: the Pareto study. For each NB201 device and seed, one Pareto search
//! against the table's true front, and at nine budgets against the best feasible cell, a
//! constrained search per budget and one constrained search's worth of random cells.

use super::ReferenceInfo;
use crate::common::{print_json, AnyResult, Common};
use crate::search::Evolution;
use clap::Args;
use evrsnas::devtools::pareto_study::{pareto_run, ParetoRun, Strategies};
use evrsnas::devtools::study::Memo;
use evrsnas::evolve::Mode;
use evrsnas::fitness::DEFAULT_LAMBDA;
use evrsnas::{Device, EvolutionConfig, Fitness, Metric, Penalty, Space};
use serde::Serialize;
use std::time::Instant;

#[derive(Args)]
pub struct StudyParetoArgs {
    /// Evolution seeds per device; candidates share one initial-weight seed (--seed), so scores
    /// are shared across searches.
    #[arg(long, value_delimiter = ',', default_values_t = [0, 1, 2])]
    seeds: Vec<u64>,
    /// Devices to study (default: all six).
    #[arg(long, value_delimiter = ',')]
    devices: Vec<Device>,
    /// Strategies to run: pareto, random (one constrained search's trainings on random cells),
    /// constrained (one default constrained search per budget).
    #[arg(long, value_delimiter = ',', default_values_t = ["pareto".to_string(), "random".to_string()])]
    strategies: Vec<String>,
    /// Keep every score in this file and start from the scores already in it (same reference,
    /// batch, K and seed only), so that several studies train each cell once.
    #[arg(long)]
    memo: Option<std::path::PathBuf>,
    /// The Pareto search's evolution (the constrained searches use the defaults).
    #[command(flatten)]
    evolution: Evolution,
    #[command(flatten)]
    common: Common,
}

#[derive(Serialize)]
struct Run {
    device: Device,
    #[serde(flatten)]
    run: ParetoRun,
}

#[derive(Serialize)]
struct Report {
    reference: ReferenceInfo,
    pareto: EvolutionConfig,
    /// The Pareto search's coverage, always stated (the configuration leaves out the default).
    coverage: evrsnas::evolve::Coverage,
    constrained: EvolutionConfig,
    strategies: Vec<String>,
    steps: usize,
    batch: evrsnas::assets::BatchChoice,
    trainings: usize,
    seconds: f64,
    details: Vec<Run>,
}

pub fn run(args: StudyParetoArgs) -> AnyResult<()> {
    let has = |s: &str| args.strategies.iter().any(|x| x == s);
    if let Some(s) = args
        .strategies
        .iter()
        .find(|s| !["pareto", "random", "constrained"].contains(&s.as_str()))
    {
        return Err(format!("unknown strategy '{s}' (pareto, random, constrained)").into());
    }
    let strategies = Strategies {
        pareto: has("pareto"),
        random: has("random"),
        constrained: has("constrained"),
    };
    let mut inputs = super::StudyInputs::open(&args.common)?;
    let (assets, truth, book, reference) = (&inputs.assets, &inputs.truth, &inputs.book, &inputs.reference);
    let inner = &mut inputs.evaluator;
    let steps = inner.options.config.steps;
    let key = format!(
        "{} steps {steps} beta {} batch {} images {:?} seed {}{}",
        ReferenceInfo::of(&args.common, assets, reference)?.sha256,
        args.common.beta,
        args.common.batch,
        args.common.images,
        args.common.seed,
        match (args.common.cka, inner.options.config.score) {
            (evrsnas::cka::Estimator::Biased, evrsnas::rmi::ScoreKind::Cka) => String::new(),
            (cka, score) => format!(" cka {cka} score {score}"),
        }
    );
    let mut memo = Memo::new(inner);
    if let Some(path) = &args.memo {
        memo.load(path, &key, Space::Nb201)?;
        eprintln!("{} scores from {}", memo.trained(), path.display());
    }
    let devices = super::devices_or_all(&args.devices);
    let fitness = Fitness::new(1.0, DEFAULT_LAMBDA, Penalty::default(), args.common.prior())?;
    let started = Instant::now();
    let mut details = vec![];
    let mut last = (EvolutionConfig::default(), EvolutionConfig::default());
    for &seed in &args.seeds {
        for &device in &devices {
            let table = book.table(device, Metric::Latency)?;
            let pareto = args.evolution.config(Mode::Pareto, seed, steps, false, None)?;
            let constrained = EvolutionConfig {
                seed,
                ..EvolutionConfig::default()
            };
            last = (pareto, constrained);
            let run = pareto_run(
                table,
                &truth.cifar10,
                pareto,
                constrained,
                fitness,
                strategies,
                &mut memo,
            )?;
            let gap = |f: fn(&evrsnas::devtools::pareto_study::BudgetPicks) -> Option<f64>| {
                let g: Vec<f64> = run.budgets.iter().filter_map(f).collect();
                g.iter().sum::<f64>() / g.len().max(1) as f64
            };
            eprintln!(
                "{device} seed {seed}: pareto gap {:.2} (by fitness {:.2} on the front, {:.2} all; hv {:.3}, {:?} trainings), random {:.2} ({:.2}), constrained {:.2} ({} scores, {:.0} s)",
                gap(|b| Some(b.best_feasible.accuracy - b.pareto?.accuracy)),
                gap(|b| Some(b.best_feasible.accuracy - b.pareto_front_fitness?.accuracy)),
                gap(|b| Some(b.best_feasible.accuracy - b.pareto_fitness?.accuracy)),
                run.hypervolume_fraction.unwrap_or(f64::NAN),
                run.pareto_trials,
                gap(|b| Some(b.best_feasible.accuracy - b.random?.accuracy)),
                gap(|b| Some(b.best_feasible.accuracy - b.random_fitness?.accuracy)),
                gap(|b| Some(b.best_feasible.accuracy - b.constrained?.accuracy)),
                memo.trained(),
                started.elapsed().as_secs_f64()
            );
            details.push(Run { device, run });
            if let Some(path) = &args.memo {
                memo.save(path, &key)?;
            }
        }
    }
    print_json(&Report {
        reference: ReferenceInfo::of(&args.common, assets, reference)?,
        pareto: EvolutionConfig {
            mode: evrsnas::evolve::Mode::Pareto,
            ..last.0
        },
        coverage: last.0.coverage,
        constrained: last.1,
        strategies: args.strategies.clone(),
        steps,
        batch: args.common.batch,
        trainings: memo.trained(),
        seconds: started.elapsed().as_secs_f64(),
        details,
    })
}
