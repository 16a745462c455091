//! `evrsnas study-search`: the constrained-search study. For each NB201 device and its
//! 25/50/75th-percentile latency, the search's best feasible cell against the table's best and
//! against random search with as many trainings.

use super::ReferenceInfo;
use crate::common::{number, print_json, AnyResult, Common};
use crate::search::Evolution;
use clap::Args;
use evrsnas::assets::BatchChoice;
use evrsnas::devtools::stats::percentile;
use evrsnas::devtools::study::{constrained_search, ConstrainedRun, Memo, StudySummary};
use evrsnas::evolve::{Mode, Screen};
use evrsnas::fitness::DEFAULT_LAMBDA;
use evrsnas::{schema, Device, Fitness, Metric, Penalty};
use serde::Serialize;
use std::time::Instant;

#[derive(Args)]
pub struct StudySearchArgs {
    /// Evolution seeds per (device, threshold); candidates share one initial-weight seed (--seed),
    /// so scores are shared across searches.
    #[arg(long, value_delimiter = ',', default_values_t = [0, 1, 2])]
    seeds: Vec<u64>,
    #[command(flatten)]
    evolution: Evolution,
    /// Devices to study (default: all six).
    #[arg(long, value_delimiter = ',')]
    devices: Vec<Device>,
    /// Breed blind to the budget (see `search --budget-blind`), for comparison.
    #[arg(long)]
    budget_blind: bool,
    /// λ, the weight of the budget penalty.
    #[arg(long, default_value_t = DEFAULT_LAMBDA, value_parser = number(schema::LAMBDA))]
    lambda: f64,
    /// Penalty shape: two-sided (distance from the budget) or hinge (only over budget).
    #[arg(long, default_value_t = Penalty::default())]
    penalty: Penalty,
    #[command(flatten)]
    common: Common,
}

/// One search of the study, with where it ran.
#[derive(Serialize)]
struct Run {
    device: Device,
    percentile: f64,
    #[serde(flatten)]
    run: ConstrainedRun,
}

#[derive(Serialize)]
struct Report {
    reference: ReferenceInfo,
    population: usize,
    generations: usize,
    seeds: Vec<u64>,
    budget_aware: bool,
    finalists: usize,
    replicates: u32,
    /// The schedule's screen, if the searches screened.
    #[serde(skip_serializing_if = "Option::is_none")]
    screen: Option<Screen>,
    lambda: f64,
    penalty: Penalty,
    prior: f64,
    steps: usize,
    batch: BatchChoice,
    runs: usize,
    trainings: usize,
    seconds: f64,
    summary: StudySummary,
    details: Vec<Run>,
}

pub fn run(args: StudySearchArgs) -> AnyResult<()> {
    let mut inputs = super::StudyInputs::open(&args.common)?;
    let (assets, truth, book, reference) = (&inputs.assets, &inputs.truth, &inputs.book, &inputs.reference);
    let inner = &mut inputs.evaluator;
    let steps = inner.options.config.steps;
    let mut memo = Memo::new(inner);
    let devices = super::devices_or_all(&args.devices);
    let started = Instant::now();
    let mut details = vec![];
    for &seed in &args.seeds {
        for &device in &devices {
            let table = book.table(device, Metric::Latency)?;
            let costs = table.per_arch_values().ok_or("NB201 tables list every cell")?;
            for q in [0.25, 0.5, 0.75] {
                let threshold = percentile(costs, q);
                let config = args
                    .evolution
                    .config(Mode::Constrained, seed, steps, args.budget_blind, None)?;
                let fitness = Fitness::new(threshold, args.lambda, args.penalty, args.common.prior())?;
                let run = constrained_search(table, &truth.cifar10, fitness, config, &mut memo)?;
                eprintln!(
                    "{device} p{:.0} seed {seed}: evolution {:?}, random {:?}, best {:.2} ({} trained, {:.0} s)",
                    q * 100.0,
                    run.evolution.map(|p| p.accuracy),
                    run.random.map(|p| p.accuracy),
                    run.best_feasible.accuracy,
                    memo.trained(),
                    started.elapsed().as_secs_f64()
                );
                details.push(Run {
                    device,
                    percentile: q * 100.0,
                    run,
                });
            }
        }
    }
    let runs: Vec<ConstrainedRun> = details.iter().map(|r| r.run.clone()).collect();
    print_json(&Report {
        reference: ReferenceInfo::of(&args.common, assets, reference)?,
        population: args.evolution.population,
        generations: args.evolution.generations,
        seeds: args.seeds.clone(),
        budget_aware: !args.budget_blind,
        finalists: args.evolution.finalists,
        replicates: args.evolution.replicates,
        screen: args
            .evolution
            .config(Mode::Constrained, 0, steps, args.budget_blind, None)?
            .screen,
        lambda: args.lambda,
        penalty: args.penalty,
        prior: args.common.prior(),
        steps,
        batch: args.common.batch,
        runs: details.len(),
        trainings: memo.trained(),
        seconds: started.elapsed().as_secs_f64(),
        summary: StudySummary::of(&runs),
        details,
    })
}
