//! `evrsnas pareto`: one multi-objective search for the front of RMI against cost, which answers
//! every budget; `evrsnas pick`: a budget's answer from a saved front, without training.

use crate::common::{print_json, read, AnyResult, Common};
use crate::search::Evolution;
use clap::Args;
use evrsnas::evolve::{self, pareto, FrontMember, GenerationStats, Mode};
use evrsnas::fitness::DEFAULT_LAMBDA;
use evrsnas::schema;
use evrsnas::{Device, EvolutionConfig, Fitness, Kernels, Metric, Penalty, ProxyConfig, RmiConfig, Space};
use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args)]
pub struct ParetoArgs {
    #[command(flatten)]
    target: crate::common::Target,
    /// Also answer this budget (the table's unit, ms for latency).
    #[arg(long, value_parser = crate::common::number(schema::THRESHOLD))]
    threshold: Option<f64>,
    /// λ of the fitness a budget's answer is ranked by (as in `search`).
    #[arg(long, default_value_t = DEFAULT_LAMBDA, value_parser = crate::common::number(schema::LAMBDA))]
    lambda: f64,
    /// Penalty shape of that fitness.
    #[arg(long, default_value_t = Penalty::default())]
    penalty: Penalty,
    #[command(flatten)]
    evolution: Evolution,
    /// Print one JSON object on stdout instead of a report.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print the front as CSV on stdout.
    #[arg(long)]
    csv: bool,
    #[command(flatten)]
    common: Common,
}

/// `pareto --json`, and what `pick --front` reads.
#[derive(Serialize, Deserialize)]
pub struct FrontReport {
    /// The non-dominated candidates by (RMI, cost), cheapest first.
    pub front: Vec<FrontMember>,
    /// The answer for `--threshold`, if given (null when every candidate costs more).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pick: Option<Option<FrontMember>>,
    #[serde(default)]
    pub threshold: Option<f64>,
    /// The fitness a budget's answer is ranked by.
    pub lambda: f64,
    pub penalty: Penalty,
    pub prior: f64,
    /// Every candidate scored, which budgets are answered from.
    pub candidates: Vec<FrontMember>,
    pub unit: String,
    pub evaluations: usize,
    pub trials: usize,
    pub seconds: f64,
    #[serde(default)]
    pub config: serde_json::Value,
    #[serde(default)]
    pub history: Vec<GenerationStats>,
}

#[derive(Serialize)]
struct ReportConfig<'a> {
    space: Space,
    device: Device,
    metric: Metric,
    evolution: &'a EvolutionConfig,
    rmi: RmiConfig,
    proxy: ProxyConfig,
    batch_size: usize,
    kernels: Kernels,
    compute: evrsnas::gpu::ComputeStatus,
}

fn describe_pick(pick: Option<&FrontMember>, threshold: f64, unit: &str) -> String {
    let confirmed = |m: &FrontMember| {
        if m.replicates > 1 {
            format!(" (mean of {})", m.replicates)
        } else {
            String::new()
        }
    };
    match pick {
        Some(m) => format!(
            "budget {threshold} {unit}: {} (RMI {:.4}{}, {:.3} {unit}{})",
            m.arch,
            m.rmi,
            confirmed(m),
            m.cost,
            m.index.map_or(String::new(), |i| format!(", NAS-Bench-201 index {i}"))
        ),
        None => format!("budget {threshold} {unit}: every candidate costs more"),
    }
}

pub fn run(args: ParetoArgs) -> AnyResult<()> {
    let started = Instant::now();
    let assets = args.common.open_assets()?;
    let book = assets.costs(args.target.space)?;
    let mut settings = args.evolution.settings(&args.target, Mode::Pareto, &args.common)?;
    settings.threshold = args.threshold;
    settings.lambda = args.lambda;
    settings.penalty = args.penalty;
    let mut search = settings.search(&book)?;
    let table = settings.table(&book)?;
    let fitness = *search.fitness_fn();
    let mut scorer = args.common.scorer(&assets)?;
    let unit = table.header.unit.clone();
    evolve::run(&mut search, &mut scorer, |p| {
        if let Some(stats) = p.closed {
            let what = if p.confirming {
                "front confirmed".to_string()
            } else {
                format!("generation {}/{} done", stats.generation + 1, p.generations)
            };
            eprintln!("{what}: {} trainings", stats.trials);
        }
        ControlFlow::Continue(())
    })?;
    let front = search.front();
    let candidates = search.scored();
    let pick = args.threshold.map(|_| pareto::pick(&candidates, &fitness));
    if args.csv {
        print!(
            "{}",
            evrsnas::export::front_csv(&front, crate::common::truth_of(&assets, args.target.space)?.as_ref())
        );
        return Ok(());
    }
    let report = FrontReport {
        pick: pick.clone(),
        threshold: args.threshold,
        lambda: args.lambda,
        penalty: args.penalty,
        prior: fitness.prior,
        candidates,
        unit: unit.clone(),
        evaluations: search.evaluations(),
        trials: search.trials(),
        seconds: started.elapsed().as_secs_f64(),
        config: serde_json::to_value(ReportConfig {
            space: args.target.space,
            device: args.target.device,
            metric: args.target.metric,
            evolution: search.config(),
            rmi: scorer.cpu.options.config,
            proxy: scorer.cpu.options.proxy,
            batch_size: scorer.cpu.targets.batch_size(),
            kernels: scorer.cpu.options.kernels,
            compute: scorer.status().clone(),
        })?,
        history: search.history().to_vec(),
        front,
    };
    if args.json {
        return print_json(&report);
    }
    println!(
        "front of RMI against {} on {} ({} members, cheapest first):",
        args.target.metric,
        args.target.device,
        report.front.len()
    );
    for m in &report.front {
        println!(
            "  {:>9.3} {unit}  RMI {:.4}{}  {}",
            m.cost,
            m.rmi,
            if m.replicates > 1 {
                format!(" (mean of {})", m.replicates)
            } else {
                String::new()
            },
            m.arch
        );
    }
    if let (Some(t), Some(p)) = (args.threshold, &pick) {
        println!("{}", describe_pick(p.as_ref(), t, &unit));
    }
    println!(
        "{} architectures trained ({} trainings) in {:.1} s",
        report.evaluations, report.trials, report.seconds
    );
    Ok(())
}

#[derive(Args)]
pub struct PickArgs {
    /// A front saved by `evrsnas pareto --json`.
    #[arg(long)]
    front: PathBuf,
    /// The budget, in the front's unit.
    #[arg(long, value_parser = crate::common::number(schema::THRESHOLD))]
    threshold: f64,
    /// λ of the ranking (default: the one the front was saved with).
    #[arg(long, value_parser = crate::common::number(schema::LAMBDA))]
    lambda: Option<f64>,
    /// Penalty shape of the ranking (default: the one the front was saved with).
    #[arg(long)]
    penalty: Option<Penalty>,
    /// w of the complexity prior (default: the one the front was saved with).
    #[arg(long, value_parser = crate::common::number(schema::PRIOR))]
    prior: Option<f64>,
    /// Print the pick as JSON (null when every member costs more).
    #[arg(long)]
    json: bool,
}

pub fn pick(args: PickArgs) -> AnyResult<()> {
    let text = read(&args.front)?;
    let report: FrontReport = serde_json::from_slice(&text).map_err(|e| {
        format!(
            "{} is not a front saved by `evrsnas pareto --json`: {e}",
            args.front.display()
        )
    })?;
    let fitness = Fitness::new(
        args.threshold,
        args.lambda.unwrap_or(report.lambda),
        args.penalty.unwrap_or(report.penalty),
        args.prior.unwrap_or(report.prior),
    )?;
    let pick = pareto::pick(&report.candidates, &fitness);
    if args.json {
        return print_json(&pick);
    }
    println!("{}", describe_pick(pick.as_ref(), args.threshold, &report.unit));
    Ok(())
}
