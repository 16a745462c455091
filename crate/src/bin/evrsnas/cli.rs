//! Argument parsing and printing only; the science is in the library.

use clap::{Args, Parser, Subcommand};
use evrsnas::assets::{BatchChoice, DirSource, Verified};
use evrsnas::data::LabelledImages;
use evrsnas::evolve::{self, Progress};
use evrsnas::fitness::DEFAULT_LAMBDA;
use evrsnas::{
    Arch, Device, EvolutionConfig, Fitness, Kernels, Metric, Penalty, ProxyConfig, Reference, RmiConfig, RmiEvaluator,
    RmiTargets, Search, Space,
};
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

type AnyResult<T> = Result<T, Box<dyn std::error::Error>>;

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

#[derive(Subcommand)]
enum Command {
    /// Evolve an architecture that resembles the reference within a hardware budget.
    Search(SearchArgs),
    /// Score given architectures: RMI and every available hardware cost.
    Score(ScoreArgs),
    /// Report the reference model's top-1 accuracy on CIFAR-10 binary files.
    EvalReference(EvalReferenceArgs),
    /// Train the reference model (the project's recipe) and save it as safetensors.
    TrainReference(TrainReferenceArgs),
    /// Fidelity study: rank correlation of RMI with true NAS-Bench-201 accuracy over sampled cells.
    Study(StudyArgs),
    /// Constrained-search study: for each NB201 device and its 25/50/75th-percentile latency, the
    /// search's best feasible cell against the table's best and against random search.
    StudySearch(StudySearchArgs),
    /// Time the training hot path, stock candle vs our kernels.
    Bench(BenchArgs),
    /// Rebuild the bundled assets in static/ from the public data.
    Assets(AssetsArgs),
}

#[derive(Args)]
struct Common {
    /// Directory of the bundled assets (default: ./static, else the repository's static/).
    #[arg(long)]
    assets: Option<PathBuf>,
    /// Search seed: fixes the evolution and every candidate's initial weights.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// K, SGD steps on the batch per candidate.
    #[arg(long, default_value_t = RmiConfig::default().steps)]
    steps: usize,
    /// β, weight of the CKA term in the RMI loss.
    #[arg(long, default_value_t = RmiConfig::default().beta)]
    beta: f64,
    /// RMI batch: cifar10 (20 images) or cifar10-and-100 (40 images).
    #[arg(long, default_value = "cifar10-and-100")]
    batch: BatchChoice,
    /// Use a folder of 32×32 PNG images as the RMI batch instead.
    #[arg(long)]
    images: Option<PathBuf>,
    /// NB201 proxy: channels of the first stage.
    #[arg(long, default_value_t = ProxyConfig::default().nb201.channels)]
    nb201_channels: usize,
    /// NB201 proxy: cells per stage.
    #[arg(long, default_value_t = ProxyConfig::default().nb201.cells)]
    nb201_cells: usize,
    /// FBNet proxy: channel divisor.
    #[arg(long, default_value_t = ProxyConfig::default().fbnet.channel_divisor)]
    fbnet_divisor: usize,
    /// FBNet proxy: layers kept per stage.
    #[arg(long, default_value_t = ProxyConfig::default().fbnet.layers_per_stage)]
    fbnet_layers: usize,
    /// Convolution kernels: fast (ours) or stock (candle's).
    #[arg(long, default_value = "fast")]
    kernels: Kernels,
}

#[derive(Args)]
struct SearchArgs {
    /// Search space: nb201 or fbnet.
    #[arg(long)]
    space: Space,
    /// Device: edgegpu, raspi4, edgetpu, pixel3, eyeriss or fpga.
    #[arg(long)]
    device: Device,
    /// Cost metric: latency or energy.
    #[arg(long, default_value = "latency")]
    metric: Metric,
    /// Budget T in the table's unit (ms for latency).
    #[arg(long, allow_hyphen_values = true)]
    threshold: f64,
    /// λ, weight of the budget penalty.
    #[arg(long, default_value_t = DEFAULT_LAMBDA)]
    lambda: f64,
    /// Penalty shape: two-sided (distance from the budget) or hinge (only over budget).
    #[arg(long, default_value = Penalty::default().name())]
    penalty: Penalty,
    #[arg(long, default_value_t = EvolutionConfig::default().population)]
    population: usize,
    #[arg(long, default_value_t = EvolutionConfig::default().generations)]
    generations: usize,
    #[arg(long, default_value_t = EvolutionConfig::default().tournament)]
    tournament: usize,
    #[arg(long, default_value_t = EvolutionConfig::default().elitism)]
    elitism: usize,
    #[arg(long, default_value_t = EvolutionConfig::default().crossover_rate)]
    crossover_rate: f64,
    /// Per-gene mutation probability (default 1 / number of genes).
    #[arg(long)]
    mutation_rate: Option<f64>,
    /// Breed blind to the budget: draw the initial population and children uniformly (by default
    /// they are drawn within the budget when a few tries allow).
    #[arg(long)]
    budget_blind: bool,
    #[command(flatten)]
    confirmation: Confirmation,
    /// Print one JSON object on stdout instead of a report.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    common: Common,
}

/// The confirmation round after the last generation.
#[derive(Args)]
struct Confirmation {
    /// Best candidates re-trained from other initialisations after the last generation (0: none).
    #[arg(long, default_value_t = EvolutionConfig::default().finalists)]
    finalists: usize,
    /// Initialisations per finalist in all; finalists are ranked by their mean RMI.
    #[arg(long, default_value_t = EvolutionConfig::default().replicates)]
    replicates: u32,
}

#[derive(Args)]
struct ScoreArgs {
    #[arg(long)]
    space: Space,
    /// Architecture strings (or NAS-Bench-201 indices).
    #[arg(long, num_args = 1..)]
    arch: Vec<String>,
    /// A file with one architecture per line.
    #[arg(long)]
    archs_file: Option<PathBuf>,
    /// JSON lines on stdout (the only output format).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct EvalReferenceArgs {
    /// Folder of CIFAR-10 binary files (*.bin), or one such file.
    #[arg(long)]
    data: PathBuf,
    /// Weights to evaluate (default: the bundled reference).
    #[arg(long)]
    weights: Option<PathBuf>,
    #[arg(long)]
    assets: Option<PathBuf>,
}

#[derive(Args)]
struct TrainReferenceArgs {
    /// Folder of CIFAR-10 training batches (only its data_batch_*.bin files are read).
    #[arg(long)]
    data: PathBuf,
    /// CIFAR-10 binary file to report test accuracy on after each epoch.
    #[arg(long)]
    test: Option<PathBuf>,
    /// Residual blocks per stage (depth 6n + 2).
    #[arg(long, default_value_t = 3)]
    blocks: usize,
    #[arg(long, default_value_t = 30)]
    epochs: usize,
    #[arg(long, default_value_t = 128)]
    batch: usize,
    #[arg(long, default_value_t = 0.1)]
    lr: f64,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Stop after this many minutes (0: no limit).
    #[arg(long, default_value_t = 0.0)]
    max_minutes: f64,
    /// Threads each convolution splits its batch over [default: every core].
    #[arg(long)]
    threads: Option<usize>,
    /// Continue from these weights (a warm restart: the schedule starts again at --lr) instead of
    /// a fresh initialisation; the record of the run that made them is kept in the new record.
    #[arg(long)]
    init: Option<PathBuf>,
    /// Where to write the weights.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
struct StudyArgs {
    /// Number of NAS-Bench-201 cells to sample (seeded by --seed).
    #[arg(long, default_value_t = 100)]
    samples: usize,
    /// Also report the scores after these step counts (each ≤ --steps), from the same runs.
    #[arg(long, value_delimiter = ',')]
    at: Vec<usize>,
    /// For comparison only: use N images drawn (seeded) from this folder of CIFAR-10 training
    /// batches as the RMI batch, as RMI-NAS does, instead of a bundled batch.
    #[arg(long)]
    train_batch: Option<PathBuf>,
    /// How many training images --train-batch draws.
    #[arg(long, default_value_t = 32)]
    train_images: usize,
    /// Write every sampled cell's scores as CSV (index, then one column per step count).
    #[arg(long)]
    scores: Option<PathBuf>,
    /// Bootstrap resamples for the confidence intervals.
    #[arg(long, default_value_t = 1000)]
    resamples: usize,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct StudySearchArgs {
    /// Evolution seeds per (device, threshold); candidates share one initial-weight seed (--seed),
    /// so scores are shared across searches.
    #[arg(long, value_delimiter = ',', default_values_t = [0, 1, 2])]
    seeds: Vec<u64>,
    #[arg(long, default_value_t = EvolutionConfig::default().population)]
    population: usize,
    #[arg(long, default_value_t = EvolutionConfig::default().generations)]
    generations: usize,
    /// Devices to study (default: all six).
    #[arg(long, value_delimiter = ',')]
    devices: Vec<Device>,
    /// Breed blind to the budget (see `search --budget-blind`), for comparison.
    #[arg(long)]
    budget_blind: bool,
    /// λ, the weight of the budget penalty.
    #[arg(long, default_value_t = DEFAULT_LAMBDA)]
    lambda: f64,
    /// Penalty shape: two-sided (distance from the budget) or hinge (only over budget).
    #[arg(long, default_value = Penalty::default().name())]
    penalty: Penalty,
    #[command(flatten)]
    confirmation: Confirmation,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct BenchArgs {
    /// Fewer repetitions, for a quick look.
    #[arg(long)]
    quick: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// K for the NB201 candidate evaluation.
    #[arg(long, default_value_t = RmiConfig::default().steps)]
    steps: usize,
}

#[derive(Args)]
struct AssetsArgs {
    /// The public data folder (../shared/data).
    #[arg(long, required_unless_present = "manifest_only")]
    shared: Option<PathBuf>,
    /// The unpacked foolbox 3.3.4 wheel (holds foolbox/data/*.png).
    #[arg(long, required_unless_present = "manifest_only")]
    foolbox: Option<PathBuf>,
    /// Output folder (static/).
    #[arg(long)]
    out: PathBuf,
    /// Only rewrite MANIFEST.json for the files in --out (after training the reference or
    /// regenerating the fidelity figures).
    #[arg(long)]
    manifest_only: bool,
}

fn assets_dir(given: &Option<PathBuf>) -> PathBuf {
    if let Some(dir) = given {
        return dir.clone();
    }
    let here = PathBuf::from("static");
    if here.join(evrsnas::assets::MANIFEST).exists() {
        return here;
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../static"))
}

fn proxy_config(c: &Common) -> ProxyConfig {
    let mut p = ProxyConfig::default();
    p.nb201.channels = c.nb201_channels;
    p.nb201.cells = c.nb201_cells;
    p.fbnet.channel_divisor = c.fbnet_divisor;
    p.fbnet.layers_per_stage = c.fbnet_layers;
    p
}

fn rmi_config(c: &Common) -> AnyResult<RmiConfig> {
    let cfg = RmiConfig {
        steps: c.steps,
        beta: c.beta,
        ..RmiConfig::default()
    };
    cfg.validate()?;
    Ok(cfg)
}

/// Loads the reference and the batch and prepares the RMI targets.
fn evaluator(assets: &Verified<DirSource>, c: &Common) -> AnyResult<RmiEvaluator> {
    let reference = Reference::from_safetensors(&assets.reference()?, c.kernels)?;
    evaluator_with(assets, c, &reference, None)
}

/// The evaluator for a loaded reference, on `images` if given, else on the batch `c` names.
fn evaluator_with(
    assets: &Verified<DirSource>,
    c: &Common,
    reference: &Reference,
    images: Option<candle_core::Tensor>,
) -> AnyResult<RmiEvaluator> {
    let images = match (images, &c.images) {
        (Some(images), _) => images,
        (None, Some(dir)) => evrsnas::assets_build::batch_from_png_dir(dir)?.tensor()?,
        (None, None) => assets.batch(c.batch)?.tensor()?,
    };
    Ok(RmiEvaluator {
        targets: RmiTargets::new(reference, &images)?,
        proxy: proxy_config(c),
        config: rmi_config(c)?,
        seed: c.seed,
        kernels: c.kernels,
    })
}

fn search(args: SearchArgs) -> AnyResult<()> {
    let started = Instant::now();
    let fitness = Fitness::new(args.threshold, args.lambda, args.penalty)?;
    let assets = Verified::open(DirSource(assets_dir(&args.common.assets)))?;
    let table = assets.costs(args.space)?.table(args.device, args.metric)?.clone();
    let config = EvolutionConfig {
        population: args.population,
        generations: args.generations,
        tournament: args.tournament,
        elitism: args.elitism,
        crossover_rate: args.crossover_rate,
        mutation_rate: args.mutation_rate,
        seed: args.common.seed,
        budget_aware: !args.budget_blind,
        finalists: args.confirmation.finalists,
        replicates: args.confirmation.replicates,
    };
    let mut search = Search::new(args.space, config, table.clone(), fitness)?;
    let mut evaluator = evaluator(&assets, &args.common)?;
    let unit = table.header.unit.clone();
    let mut stderr = std::io::stderr();
    // Per-candidate updates rewrite one line; they only make sense on a terminal.
    let live = stderr.is_terminal();
    evolve::run(&mut search, &mut evaluator, |p: &Progress| {
        let best = p.best.as_ref().map_or(String::new(), |b| {
            format!("best fitness {:.4} (rmi {:.4}, {:.3} {unit})", b.fitness, b.rmi, b.cost)
        });
        let _ = if let (Some(stats), true) = (p.closed, p.confirming) {
            writeln!(
                stderr,
                "{}finalists confirmed: {} trainings, {best}",
                if live { "\r" } else { "" },
                stats.trials
            )
        } else if let Some(stats) = p.closed {
            writeln!(
                stderr,
                "{}generation {}/{} done: {} evaluations, mean fitness {:.4}, {best}",
                if live { "\r" } else { "" },
                stats.generation + 1,
                p.generations,
                p.evaluations,
                stats.mean_fitness
            )
        } else if live && p.confirming {
            write!(
                stderr,
                "\rconfirming the finalists: training {}/{}   ",
                p.scored_in_generation, p.pending_in_generation
            )
        } else if live {
            write!(
                stderr,
                "\rgeneration {}/{}: candidate {}/{}   ",
                p.generation + 1,
                p.generations,
                p.scored_in_generation,
                p.pending_in_generation
            )
        } else {
            Ok(())
        };
        ControlFlow::Continue(())
    })?;
    let best = search.best().ok_or("the search scored no architecture")?;
    let seconds = started.elapsed().as_secs_f64();
    if args.json {
        let out = json!({
            "best": {"arch": best.arch, "index": best.index, "rmi": best.rmi, "replicates": best.replicates, "cost": best.cost,
                     "fitness": best.fitness, "feasible": best.feasible, "measured": best.measured},
            "evaluations": search.evaluations(), "trials": search.trials(),
            "seconds": seconds,
            "config": {"space": args.space, "device": args.device, "metric": args.metric, "threshold": args.threshold,
                       "unit": unit, "lambda": args.lambda, "penalty": args.penalty, "evolution": search.config(),
                       "rmi": evaluator.config, "proxy": evaluator.proxy, "batch_size": evaluator.targets.batch_size(),
                       "kernels": args.common.kernels},
            "history": search.history(),
        });
        println!("{out}");
    } else {
        println!("best architecture: {}", best.arch);
        if let Some(i) = best.index {
            println!("NAS-Bench-201 index: {i}");
        }
        println!(
            "RMI (Σ CKA, 0..3): {:.4}{}",
            best.rmi,
            if best.replicates > 1 {
                format!(" (mean of {} initialisations)", best.replicates)
            } else {
                String::new()
            }
        );
        println!(
            "{} on {}: {:.4} {unit} ({}; budget {} {unit}: {})",
            args.metric,
            args.device,
            best.cost,
            if best.measured { "measured" } else { "estimated" },
            args.threshold,
            if best.feasible { "within" } else { "OVER" }
        );
        println!("fitness: {:.4}", best.fitness);
        println!(
            "{} architectures trained ({} trainings) in {seconds:.1} s",
            search.evaluations(),
            search.trials()
        );
    }
    Ok(())
}

fn score(args: ScoreArgs) -> AnyResult<()> {
    let mut strings = args.arch.clone();
    if let Some(file) = &args.archs_file {
        let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        strings.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from),
        );
    }
    if strings.is_empty() {
        return Err("give architectures with --arch or --archs-file".into());
    }
    let archs = strings
        .iter()
        .map(|s| Arch::parse(args.space, s))
        .collect::<candle_core::Result<Vec<_>>>()?;
    let assets = Verified::open(DirSource(assets_dir(&args.common.assets)))?;
    let book = assets.costs(args.space)?;
    let eval = evaluator(&assets, &args.common)?;
    let mut stdout = std::io::stdout().lock();
    for arch in &archs {
        let s = evrsnas::rmi::score(arch, &eval.targets, &eval.proxy, &eval.config, eval.seed, eval.kernels)?;
        let mut costs = serde_json::Map::new();
        for t in &book.tables {
            let entry = costs.entry(t.header.device.name()).or_insert_with(|| json!({}));
            entry[t.header.metric.name()] = json!(t.cost(arch)?.value);
        }
        let line = json!({"arch": arch.to_string(), "index": arch.nb201_index(), "rmi": s.rmi, "diverged": s.diverged, "costs": costs});
        if writeln!(stdout, "{line}").is_err() {
            break; // broken pipe: the reader has gone, which is not an error
        }
    }
    Ok(())
}

/// Which reference a study measured with: its depth and the checksum of its weights.
fn reference_info(assets: &Verified<DirSource>, reference: &Reference) -> AnyResult<serde_json::Value> {
    let sha256 = &assets.manifest().entry(evrsnas::assets::REFERENCE)?.sha256;
    Ok(json!({"depth": 6 * reference.blocks() + 2, "sha256": sha256}))
}

fn study_search(args: StudySearchArgs) -> AnyResult<()> {
    use evrsnas::study::{constrained_search, percentile, Memo};
    let assets = Verified::open(DirSource(assets_dir(&args.common.assets)))?;
    let truth = evrsnas::assets::GroundTruth::decode(&assets.read(evrsnas::assets::TRUTH)?)?;
    let book = assets.costs(Space::Nb201)?;
    let reference = Reference::from_safetensors(&assets.reference()?, args.common.kernels)?;
    let mut inner = evaluator_with(&assets, &args.common, &reference, None)?;
    let mut memo = Memo::new(&mut inner);
    let devices = if args.devices.is_empty() {
        Device::ALL.to_vec()
    } else {
        args.devices.clone()
    };
    let started = Instant::now();
    let mut runs = vec![];
    for &seed in &args.seeds {
        for &device in &devices {
            let table = book.table(device, Metric::Latency)?;
            let costs = table.per_arch_values().ok_or("NB201 tables list every cell")?;
            for q in [0.25, 0.5, 0.75] {
                let threshold = percentile(costs, q);
                let config = EvolutionConfig {
                    population: args.population,
                    generations: args.generations,
                    seed,
                    budget_aware: !args.budget_blind,
                    finalists: args.confirmation.finalists,
                    replicates: args.confirmation.replicates,
                    ..EvolutionConfig::default()
                };
                let fitness = Fitness::new(threshold, args.lambda, args.penalty)?;
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
                let mut row = serde_json::to_value(&run)?;
                row["device"] = json!(device.name());
                row["percentile"] = json!(q * 100.0);
                runs.push(row);
            }
        }
    }
    let gap = |who: &str| -> Vec<f64> {
        runs.iter()
            .filter_map(|r| {
                let best = r["best_feasible"]["accuracy"].as_f64()?;
                Some(best - r[who]["accuracy"].as_f64()?)
            })
            .collect()
    };
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let (evo, rnd) = (gap("evolution"), gap("random"));
    let (evo_single, rnd_single) = (gap("evolution_single"), gap("random_single"));
    let wins = runs
        .iter()
        .filter(|r| {
            let acc = |who: &str| r[who]["accuracy"].as_f64().unwrap_or(f64::NEG_INFINITY);
            acc("evolution") > acc("random")
        })
        .count();
    let ties = runs
        .iter()
        .filter(|r| r["evolution"]["accuracy"].as_f64() == r["random"]["accuracy"].as_f64())
        .count();
    let out = json!({
        "reference": reference_info(&assets, &reference)?,
        "population": args.population, "generations": args.generations, "seeds": args.seeds,
        "budget_aware": !args.budget_blind,
        "finalists": args.confirmation.finalists, "replicates": args.confirmation.replicates,
        "lambda": args.lambda, "penalty": args.penalty,
        "steps": rmi_config(&args.common)?.steps, "batch": serde_json::to_value(args.common.batch)?,
        "runs": runs.len(), "trainings": memo.trained(), "seconds": started.elapsed().as_secs_f64(),
        "evolution_mean_gap_points": mean(&evo), "evolution_found_feasible": evo.len(),
        "random_mean_gap_points": mean(&rnd), "random_found_feasible": rnd.len(),
        "evolution_single_mean_gap_points": mean(&evo_single), "random_single_mean_gap_points": mean(&rnd_single),
        "evolution_beats_random": wins, "ties": ties, "details": runs,
    });
    println!("{out}");
    Ok(())
}

/// `count` images drawn by a seeded shuffle of the CIFAR-10 training batches in `dir`, normalised.
fn training_batch(dir: &PathBuf, count: usize, seed: u64) -> AnyResult<candle_core::Tensor> {
    let train = read_cifar(dir, "data_batch_")?;
    if count < 2 || count > train.len() {
        return Err(format!("--train-images must lie in 2..={}", train.len()).into());
    }
    let mut order: Vec<usize> = (0..train.len()).collect();
    rand::seq::SliceRandom::shuffle(
        order.as_mut_slice(),
        &mut <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(seed),
    );
    let pixels: Vec<u8> = order[..count]
        .iter()
        .flat_map(|&i| {
            train.pixels[i * evrsnas::data::PIXELS..(i + 1) * evrsnas::data::PIXELS]
                .iter()
                .copied()
        })
        .collect();
    Ok(evrsnas::data::to_tensor(&pixels, count)?)
}

/// Reads one CIFAR-10 binary file, or every `<prefix>*.bin` file of a folder.
fn read_cifar(path: &PathBuf, prefix: &str) -> AnyResult<LabelledImages> {
    let files: Vec<PathBuf> = if path.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "bin"))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(prefix))
            })
            .collect();
        v.sort();
        v
    } else {
        vec![path.clone()]
    };
    if files.is_empty() {
        return Err(format!("no {prefix}*.bin files in {}", path.display()).into());
    }
    let mut all = LabelledImages::default();
    for f in files {
        let bytes = std::fs::read(&f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
        all.extend(LabelledImages::from_cifar_bin(&bytes).map_err(|e| format!("{}: {e}", f.display()))?);
    }
    Ok(all)
}

fn eval_reference(args: EvalReferenceArgs) -> AnyResult<()> {
    let bytes = match &args.weights {
        Some(w) => std::fs::read(w).map_err(|e| format!("cannot read {}: {e}", w.display()))?,
        None => Verified::open(DirSource(assets_dir(&args.assets)))?.reference()?,
    };
    let model = Reference::from_safetensors(&bytes, Kernels::Fast)?;
    let data = read_cifar(&args.data, "")?;
    let acc = evrsnas::train::accuracy(&model, &data)?;
    println!(
        "{}",
        json!({"images": data.len(), "top1_percent": acc, "depth": 6 * model.blocks() + 2})
    );
    Ok(())
}

fn train_reference(args: TrainReferenceArgs) -> AnyResult<()> {
    let threads = match args.threads {
        Some(0) => return Err("--threads must be at least 1".into()),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    evrsnas::kernels::set_threads(threads);
    // Only the official training batches: the folder may also hold test images.
    let train = read_cifar(&args.data, "data_batch_")?;
    let test = args.test.as_ref().map(|t| read_cifar(t, "")).transpose()?;
    // Read before training: the output may overwrite the initial weights and their record.
    let (model, previous_run) = match &args.init {
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let model = Reference::from_safetensors(&bytes, Kernels::Fast)?;
            if model.blocks() != args.blocks || model.classes() != 10 {
                return Err(format!(
                    "{} holds a ResNet-{} for {} classes, not a ResNet-{} for 10",
                    path.display(),
                    6 * model.blocks() + 2,
                    model.classes(),
                    6 * args.blocks + 2
                )
                .into());
            }
            let record = std::fs::read_to_string(path.with_extension("json")).ok();
            let previous = record.and_then(|r| serde_json::from_str::<serde_json::Value>(&r).ok());
            (model, previous)
        }
        None => (
            Reference::new(args.blocks, 10, evrsnas::nn::Params::seeded(args.seed, Kernels::Fast))?,
            None,
        ),
    };
    let cfg = evrsnas::train::TrainConfig {
        epochs: args.epochs,
        batch: args.batch,
        lr: args.lr,
        seed: args.seed,
        max_seconds: args.max_minutes * 60.0,
    };
    let mut log: Vec<serde_json::Value> = vec![];
    evrsnas::train::train(&model, &train, test.as_ref(), cfg, |r| {
        let test = r.test_accuracy.map_or("-".into(), |a| format!("{a:.2}%"));
        eprintln!(
            "epoch {}: loss {:.4}, train {:.2}%, test {test}, {:.0} s",
            r.epoch + 1,
            r.train_loss,
            r.train_accuracy,
            r.seconds
        );
        log.push(
            json!({"epoch": r.epoch + 1, "train_loss": r.train_loss, "train_top1_percent": r.train_accuracy,
                        "test_top1_percent": r.test_accuracy, "seconds": r.seconds}),
        );
        // Save after every epoch so that an interrupted run still leaves weights.
        if let Ok(bytes) = model.to_safetensors() {
            let _ = std::fs::write(&args.out, bytes);
        }
    })?;
    let write = |path: &PathBuf, bytes: &[u8]| {
        std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write(&args.out, &model.to_safetensors()?)?;
    // The recipe and what it reached, next to the weights.
    let record = json!({
        "depth": 6 * args.blocks + 2, "blocks_per_stage": args.blocks, "classes": 10,
        "train_images": train.len(), "epochs_planned": args.epochs, "batch": args.batch, "lr": args.lr,
        "seed": args.seed, "max_minutes": args.max_minutes, "threads": threads,
        "recipe": "SGD momentum 0.9, weight decay 5e-4, cosine learning rate to 0 over the planned epochs, random 4-pixel-padded crops and horizontal flips, input normalised by ImageNet mean/std",
        "epochs": log,
        "continued_from": previous_run,
        "top1_test_0_999": test.as_ref().map(|t| evrsnas::train::accuracy(&model, t)).transpose()?,
    });
    write(
        &args.out.with_extension("json"),
        (serde_json::to_string_pretty(&record)? + "\n").as_bytes(),
    )?;
    Ok(())
}

fn study(args: StudyArgs) -> AnyResult<()> {
    use evrsnas::study::{bootstrap, kendall_tau, spearman_rho};
    if args.samples < 3 || args.samples > evrsnas::space::nb201::CELLS {
        return Err(format!("--samples must lie in 3..={}", evrsnas::space::nb201::CELLS).into());
    }
    let assets = Verified::open(DirSource(assets_dir(&args.common.assets)))?;
    let truth = evrsnas::assets::GroundTruth::decode(&assets.read(evrsnas::assets::TRUTH)?)?;
    let reference = Reference::from_safetensors(&assets.reference()?, args.common.kernels)?;
    let images = match &args.train_batch {
        Some(dir) => Some(training_batch(dir, args.train_images, args.common.seed)?),
        None => None,
    };
    let eval = evaluator_with(&assets, &args.common, &reference, images)?;
    let mut at = args.at.clone();
    at.push(eval.config.steps);
    at.sort_unstable();
    at.dedup();
    // Distinct cells, drawn without replacement by a seeded shuffle of the indices.
    let mut indices: Vec<usize> = (0..evrsnas::space::nb201::CELLS).collect();
    rand::seq::SliceRandom::shuffle(
        indices.as_mut_slice(),
        &mut <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(args.common.seed),
    );
    indices.truncate(args.samples);
    let started = Instant::now();
    let clock = || started.elapsed().as_secs_f64();
    // rmi[j][i]: the score of cell i with K = at[j]; seconds[j]: total time to reach those scores.
    let mut rmi = vec![vec![]; at.len()];
    let mut seconds = vec![0.0; at.len()];
    for (n, &i) in indices.iter().enumerate() {
        let arch = Arch::from_nb201_index(i)?;
        let scores = evrsnas::rmi::trajectory(
            &arch,
            &eval.targets,
            &eval.proxy,
            &eval.config,
            eval.seed,
            eval.kernels,
            &at,
            &clock,
        )?;
        for (j, (score, t)) in scores.into_iter().enumerate() {
            rmi[j].push(score.rmi);
            seconds[j] += t;
        }
        eprint!("\rscored {}/{}", n + 1, indices.len());
    }
    eprintln!();
    if let Some(path) = &args.scores {
        let mut csv = format!(
            "index,{}\n",
            at.iter().map(|k| format!("rmi_k{k}")).collect::<Vec<_>>().join(",")
        );
        for (n, &i) in indices.iter().enumerate() {
            let row: Vec<String> = rmi.iter().map(|column| column[n].to_string()).collect();
            csv += &format!("{i},{}\n", row.join(","));
        }
        std::fs::write(path, csv).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let mut results = vec![];
    for (j, &k) in at.iter().enumerate() {
        let mut row = json!({"steps": k, "seconds_per_candidate": seconds[j] / indices.len() as f64});
        for (name, column) in [
            ("cifar10", &truth.cifar10),
            ("cifar100", &truth.cifar100),
            ("imagenet16", &truth.imagenet16),
        ] {
            let acc: Vec<f64> = indices.iter().map(|&i| column[i] as f64).collect();
            row[name] = json!({
                "kendall_tau": bootstrap(&rmi[j], &acc, kendall_tau, args.resamples, 1),
                "spearman_rho": bootstrap(&rmi[j], &acc, spearman_rho, args.resamples, 2),
            });
        }
        results.push(row);
    }
    let batch = match (&args.train_batch, &args.common.images) {
        (Some(_), _) => format!("{} CIFAR-10 training images", args.train_images),
        (None, Some(dir)) => format!("images in {}", dir.display()),
        (None, None) => serde_json::to_value(args.common.batch)?
            .as_str()
            .unwrap_or_default()
            .to_string(),
    };
    let out = json!({
        "reference": reference_info(&assets, &reference)?,
        "samples": indices.len(), "beta": eval.config.beta, "proxy": eval.proxy, "batch": batch,
        "batch_size": eval.targets.batch_size(), "seed": args.common.seed, "results": results,
    });
    println!("{out}");
    Ok(())
}

fn bench(args: BenchArgs) -> AnyResult<()> {
    let started = Instant::now();
    let now = || started.elapsed().as_secs_f64() * 1000.0;
    let (reps, candidate_reps) = if args.quick { (3, 1) } else { (11, 2) };
    let mut out = json!({"probe_train_step_ms": {}, "nb201_candidate_ms": {}, "reference_train_step_ms": {}});
    for kernels in [Kernels::Stock, Kernels::Fast] {
        let name = if kernels == Kernels::Stock { "stock" } else { "fast" };
        out["probe_train_step_ms"][name] = json!(evrsnas::bench::probe_train_step_ms(kernels, reps, &now)?);
        out["nb201_candidate_ms"][name] = json!(evrsnas::bench::nb201_candidate_ms(
            kernels,
            args.steps,
            candidate_reps,
            &now
        )?);
        out["reference_train_step_ms"][name] = json!(evrsnas::bench::reference_train_step_ms(
            kernels,
            3,
            candidate_reps,
            &now
        )?);
    }
    // Training the reference splits each convolution's batch over the cores.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads > 1 {
        evrsnas::kernels::set_threads(threads);
        let ms = evrsnas::bench::reference_train_step_ms(Kernels::Fast, 3, candidate_reps, &now);
        evrsnas::kernels::set_threads(1);
        out["reference_train_step_threaded_ms"] = json!({"threads": threads, "fast": ms?});
    }
    if args.json {
        println!("{out}");
    } else {
        for (key, what) in [
            ("probe_train_step_ms", "probe CNN train step"),
            ("nb201_candidate_ms", "NB201 candidate evaluation"),
            ("reference_train_step_ms", "ResNet-20 train step (batch 128)"),
        ] {
            let (s, f) = (
                out[key]["stock"].as_f64().unwrap_or(f64::NAN),
                out[key]["fast"].as_f64().unwrap_or(f64::NAN),
            );
            println!("{what}: stock {s:.1} ms, fast {f:.1} ms ({:.2}× faster)", s / f);
        }
        let threaded = &out["reference_train_step_threaded_ms"];
        if let (Some(t), Some(ms)) = (threaded["threads"].as_u64(), threaded["fast"].as_f64()) {
            println!("ResNet-20 train step (batch 128), {t} threads: fast {ms:.1} ms");
        }
    }
    Ok(())
}

fn run() -> AnyResult<()> {
    match Cli::parse().command {
        Command::Search(a) => search(a),
        Command::Score(a) => score(a),
        Command::EvalReference(a) => eval_reference(a),
        Command::TrainReference(a) => train_reference(a),
        Command::Bench(a) => bench(a),
        Command::Study(a) => study(a),
        Command::StudySearch(a) => study_search(a),
        Command::Assets(a) => {
            match (&a.shared, &a.foolbox, a.manifest_only) {
                (Some(shared), Some(foolbox), false) => {
                    eprintln!("{}", evrsnas::assets_build::build(shared, foolbox, &a.out)?)
                }
                _ => {
                    let manifest = evrsnas::assets_build::write_manifest(&a.out)?;
                    eprintln!(
                        "wrote {}/MANIFEST.json ({} files)",
                        a.out.display(),
                        manifest.files.len()
                    );
                }
            }
            Ok(())
        }
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
