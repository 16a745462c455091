//! `evrsnas search`: evolve an architecture that resembles the reference within a budget.

use crate::common::{int, number, print_json, AnyResult, Common};
use clap::Args;
use evrsnas::evolve::{self, Coverage, Mode, Progress, Schedule, Screen};
use evrsnas::export::Results;
use evrsnas::fitness::DEFAULT_LAMBDA;
use evrsnas::schema;
use evrsnas::settings::SearchSettings;
use evrsnas::{Device, EvolutionConfig, Kernels, Metric, Penalty, ProxyConfig, RmiConfig, Space};
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::ops::ControlFlow;
use std::time::Instant;

#[derive(Args)]
pub struct SearchArgs {
    #[command(flatten)]
    target: crate::common::Target,
    /// Budget T in the table's unit (ms for latency).
    #[arg(long, allow_hyphen_values = true, value_parser = number(schema::THRESHOLD))]
    threshold: f64,
    /// λ, weight of the budget penalty.
    #[arg(long, default_value_t = DEFAULT_LAMBDA, value_parser = number(schema::LAMBDA))]
    lambda: f64,
    /// Penalty shape: two-sided (distance from the budget) or hinge (only over budget).
    #[arg(long, default_value_t = Penalty::default())]
    penalty: Penalty,
    #[command(flatten)]
    evolution: Evolution,
    /// Per-gene mutation probability (default 1 / number of genes).
    #[arg(long, value_parser = number(schema::MUTATION_RATE))]
    mutation_rate: Option<f64>,
    /// Breed blind to the budget: draw the initial population and children uniformly (by default
    /// they are drawn within the budget when a few tries allow).
    #[arg(long)]
    budget_blind: bool,
    /// Print one JSON object on stdout instead of a report.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print every ranked candidate as CSV on stdout (the page's Export CSV), best first.
    #[arg(long)]
    csv: bool,
    #[command(flatten)]
    common: Common,
}

/// The evolution's budget and operators, and the confirmation round after the last generation;
/// shared with the constrained-search study.
#[derive(Args)]
pub struct Evolution {
    #[arg(long, default_value_t = EvolutionConfig::default().population, value_parser = int::<usize>(schema::POPULATION))]
    pub population: usize,
    #[arg(long, default_value_t = EvolutionConfig::default().generations, value_parser = int::<usize>(schema::GENERATIONS))]
    pub generations: usize,
    #[arg(long, default_value_t = EvolutionConfig::default().tournament, value_parser = int::<usize>(schema::TOURNAMENT))]
    pub tournament: usize,
    #[arg(long, default_value_t = EvolutionConfig::default().elitism, value_parser = int::<usize>(schema::ELITISM))]
    pub elitism: usize,
    #[arg(long, default_value_t = EvolutionConfig::default().crossover_rate, value_parser = number(schema::CROSSOVER_RATE))]
    pub crossover_rate: f64,
    /// Best candidates re-trained from other initialisations after the last generation (0: none).
    #[arg(long, default_value_t = EvolutionConfig::default().finalists, value_parser = int::<usize>(schema::FINALISTS))]
    pub finalists: usize,
    /// Initialisations per finalist in all; finalists are ranked by their mean RMI.
    #[arg(long, default_value_t = EvolutionConfig::default().replicates, value_parser = int::<u32>(schema::REPLICATES))]
    pub replicates: u32,
    /// How a generation spends its trainings: halving (every candidate K/4 steps, the better half
    /// K; the default of `search`), plain (every candidate K steps; the only one, and the default,
    /// of `pareto`) or screened (untrained screen, the better half trained).
    #[arg(long)]
    pub schedule: Option<Schedule>,
    /// Screen each generation's new architectures after this many steps (0: untrained) and train
    /// only the best of them for the full K, whatever --schedule says (for studies).
    #[arg(long, value_parser = int::<usize>(schema::STEPS))]
    pub screen_steps: Option<usize>,
    /// With --screen-steps: the fraction of the screened architectures trained for the full K.
    #[arg(long, default_value_t = 0.5, value_parser = number(schema::SCREEN_KEEP))]
    pub screen_keep: f64,
    /// Pareto mode: how the cost axis is kept covered: niches (parents from every cost niche),
    /// diversity (MO-HDNAS's objective) or none.
    #[arg(long, default_value_t = Coverage::default())]
    pub coverage: Coverage,
}

impl Evolution {
    /// The screen `--screen-steps` asks for outright, if it does.
    pub fn screen(&self) -> Option<Screen> {
        self.screen_steps.map(|steps| Screen {
            steps,
            keep: self.screen_keep,
        })
    }

    /// The settings of one search in `mode` on `target`: the library turns them into the search.
    pub fn settings(
        &self,
        target: &crate::common::Target,
        mode: Mode,
        common: &crate::common::Common,
    ) -> AnyResult<SearchSettings> {
        let mut settings = SearchSettings::new(target.space, target.device);
        settings.mode = mode;
        settings.metric = target.metric;
        settings.steps = common.steps();
        settings.prior = common.prior();
        settings.schedule = self.schedule;
        settings.screen = self.screen();
        settings.evolution = self.config(mode, common.seed, common.steps(), false, None)?;
        Ok(settings)
    }
    /// The configuration for one search in `mode` with `seed` whose candidates train `steps` steps (K).
    pub fn config(
        &self,
        mode: Mode,
        seed: u64,
        steps: usize,
        budget_blind: bool,
        mutation_rate: Option<f64>,
    ) -> AnyResult<EvolutionConfig> {
        let screen = mode.screen(self.screen(), self.schedule, steps)?;
        Ok(EvolutionConfig {
            population: self.population,
            generations: self.generations,
            tournament: self.tournament,
            elitism: self.elitism,
            crossover_rate: self.crossover_rate,
            mutation_rate,
            seed,
            budget_aware: !budget_blind,
            finalists: self.finalists,
            replicates: self.replicates,
            screen,
            mode,
            coverage: self.coverage,
        })
    }
}

/// `search --json`.
#[derive(Serialize)]
struct Report<'a> {
    /// The library's writer, as the page's Export JSON has it.
    #[serde(flatten)]
    results: Results,
    seconds: f64,
    config: ReportConfig<'a>,
}

#[derive(Serialize)]
struct ReportConfig<'a> {
    space: Space,
    device: Device,
    metric: Metric,
    threshold: f64,
    unit: &'a str,
    lambda: f64,
    penalty: Penalty,
    prior: f64,
    evolution: &'a EvolutionConfig,
    rmi: RmiConfig,
    proxy: ProxyConfig,
    batch_size: usize,
    kernels: Kernels,
    compute: evrsnas::gpu::ComputeStatus,
}

/// One line on stderr per closed generation; on a terminal also a live line per candidate.
fn show_progress(p: &Progress, unit: &str, live: bool) {
    let mut stderr = std::io::stderr();
    let best = p.best.as_ref().map_or(String::new(), |b| {
        format!("best fitness {:.4} (rmi {:.4}, {:.3} {unit})", b.fitness, b.rmi, b.cost)
    });
    let cr = if live { "\r" } else { "" };
    let _ = match (p.closed, p.confirming) {
        (Some(stats), true) => writeln!(stderr, "{cr}finalists confirmed: {} trainings, {best}", stats.trials),
        (Some(stats), false) => writeln!(
            stderr,
            "{cr}generation {}/{} done: {} evaluations, mean fitness {:.4}, {best}",
            stats.generation + 1,
            p.generations,
            p.evaluations,
            stats.mean_fitness
        ),
        (None, true) if live => write!(
            stderr,
            "\rconfirming the finalists: training {}/{}   ",
            p.scored_in_generation, p.pending_in_generation
        ),
        (None, false) if live => write!(
            stderr,
            "\rgeneration {}/{}: candidate {}/{}   ",
            p.generation + 1,
            p.generations,
            p.scored_in_generation,
            p.pending_in_generation
        ),
        _ => Ok(()),
    };
}

pub fn run(args: SearchArgs) -> AnyResult<()> {
    let started = Instant::now();
    let assets = args.common.open_assets()?;
    let book = assets.costs(args.target.space)?;
    let mut settings = args.evolution.settings(&args.target, Mode::Constrained, &args.common)?;
    settings.threshold = Some(args.threshold);
    settings.lambda = args.lambda;
    settings.penalty = args.penalty;
    settings.evolution.budget_aware = !args.budget_blind;
    settings.evolution.mutation_rate = args.mutation_rate;
    let mut search = settings.search(&book)?;
    let table = settings.table(&book)?;
    let mut scorer = args.common.scorer(&assets)?;
    let unit = table.header.unit.clone();
    // Per-candidate updates rewrite one line; they only make sense on a terminal.
    let live = std::io::stderr().is_terminal();
    evolve::run(&mut search, &mut scorer, |p| {
        show_progress(p, &unit, live);
        ControlFlow::Continue(())
    })?;
    let best = search.best().ok_or("the search scored no architecture")?;
    let seconds = started.elapsed().as_secs_f64();
    if args.csv {
        let truth = crate::common::truth_of(&assets, args.target.space)?;
        print!("{}", evrsnas::export::candidates_csv(&search.ranked(), truth.as_ref()));
        return Ok(());
    }
    if args.json {
        return print_json(&Report {
            results: Results::of(&search),
            seconds,
            config: ReportConfig {
                space: args.target.space,
                device: args.target.device,
                metric: args.target.metric,
                threshold: args.threshold,
                unit: &unit,
                lambda: args.lambda,
                penalty: args.penalty,
                prior: search.fitness_fn().prior,
                evolution: search.config(),
                rmi: scorer.cpu.options.config,
                proxy: scorer.cpu.options.proxy,
                batch_size: scorer.cpu.targets.batch_size(),
                kernels: scorer.cpu.options.kernels,
                compute: scorer.status().clone(),
            },
        });
    }
    println!("best architecture: {}", best.arch);
    if let Some(i) = best.index {
        println!("NAS-Bench-201 index: {i}");
    }
    let mean = if best.replicates > 1 {
        format!(" (mean of {} initialisations)", best.replicates)
    } else {
        String::new()
    };
    println!("RMI (Σ CKA, 0..3): {:.4}{mean}", best.rmi);
    println!(
        "{} on {}: {:.4} {unit} ({}; budget {} {unit}: {})",
        args.target.metric,
        args.target.device,
        best.cost,
        if best.measured { "measured" } else { "estimated" },
        args.threshold,
        if best.feasible { "within" } else { "OVER" }
    );
    println!("fitness: {:.4}", best.fitness);
    let screened = match (search.screenings(), search.config().screen) {
        (0, _) | (_, None) => String::new(),
        (n, Some(screen)) if screen.steps == 0 => format!(", {n} screened untrained"),
        (n, Some(screen)) => format!(", {n} screened at {} steps", screen.steps),
    };
    println!(
        "{} architectures trained ({} trainings{screened}) in {seconds:.1} s",
        search.evaluations(),
        search.trials()
    );
    Ok(())
}
