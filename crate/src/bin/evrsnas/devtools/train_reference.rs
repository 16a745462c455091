//! `evrsnas train-reference`: train the reference model and save it as safetensors, with a record
//! of the recipe and what it reached beside it.

use crate::common::{read, write, AnyResult};
use clap::Args;
use evrsnas::devtools::train::{train, TrainConfig, RECIPE};
use evrsnas::nn::Params;
use evrsnas::reference::depth;
use evrsnas::{Kernels, Reference};
use serde::Serialize;
use std::path::PathBuf;

#[derive(Args)]
pub struct TrainReferenceArgs {
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

#[derive(Serialize)]
struct Epoch {
    epoch: usize,
    train_loss: f64,
    train_top1_percent: f64,
    test_top1_percent: Option<f64>,
    seconds: f64,
}

/// The record written beside the weights (`<out>.json`).
#[derive(Serialize)]
struct Record {
    depth: usize,
    blocks_per_stage: usize,
    classes: usize,
    train_images: usize,
    epochs_planned: usize,
    batch: usize,
    lr: f64,
    seed: u64,
    max_minutes: f64,
    threads: usize,
    recipe: &'static str,
    epochs: Vec<Epoch>,
    continued_from: Option<serde_json::Value>,
    top1_test_0_999: Option<f64>,
}

pub fn run(args: TrainReferenceArgs) -> AnyResult<()> {
    let threads = match args.threads {
        Some(0) => return Err("--threads must be at least 1".into()),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    evrsnas::kernels::set_threads(threads);
    // Only the official training batches: the folder may also hold test images.
    let images = evrsnas::data::read_cifar(&args.data, "data_batch_")?;
    let test = args
        .test
        .as_ref()
        .map(|t| evrsnas::data::read_cifar(t, ""))
        .transpose()?;
    // Read before training: the output may overwrite the initial weights and their record.
    let (model, continued_from) = match &args.init {
        Some(path) => {
            let model = Reference::from_safetensors(&read(path)?, Kernels::Fast)?;
            if model.blocks() != args.blocks || model.classes() != 10 {
                return Err(format!(
                    "{} holds a ResNet-{} for {} classes, not a ResNet-{} for 10",
                    path.display(),
                    model.depth(),
                    model.classes(),
                    depth(args.blocks)
                )
                .into());
            }
            let record = std::fs::read_to_string(path.with_extension("json")).ok();
            let previous = record.and_then(|r| serde_json::from_str::<serde_json::Value>(&r).ok());
            (model, previous)
        }
        None => (
            Reference::new(args.blocks, 10, Params::seeded(args.seed, Kernels::Fast))?,
            None,
        ),
    };
    let cfg = TrainConfig {
        epochs: args.epochs,
        batch: args.batch,
        lr: args.lr,
        seed: args.seed,
        max_seconds: args.max_minutes * 60.0,
    };
    let mut epochs = vec![];
    train(&model, &images, test.as_ref(), cfg, |r| {
        let test = r.test_accuracy.map_or("-".into(), |a| format!("{a:.2}%"));
        eprintln!(
            "epoch {}: loss {:.4}, train {:.2}%, test {test}, {:.0} s",
            r.epoch + 1,
            r.train_loss,
            r.train_accuracy,
            r.seconds
        );
        epochs.push(Epoch {
            epoch: r.epoch + 1,
            train_loss: r.train_loss,
            train_top1_percent: r.train_accuracy,
            test_top1_percent: r.test_accuracy,
            seconds: r.seconds,
        });
        // Save after every epoch so that an interrupted run still leaves weights.
        if let Ok(bytes) = model.to_safetensors() {
            let _ = std::fs::write(&args.out, bytes);
        }
    })?;
    write(&args.out, &model.to_safetensors()?)?;
    let record = Record {
        depth: model.depth(),
        blocks_per_stage: args.blocks,
        classes: 10,
        train_images: images.len(),
        epochs_planned: args.epochs,
        batch: args.batch,
        lr: args.lr,
        seed: args.seed,
        max_minutes: args.max_minutes,
        threads,
        recipe: RECIPE,
        epochs,
        continued_from,
        top1_test_0_999: test.as_ref().map(|t| model.accuracy(t)).transpose()?,
    };
    write(
        &args.out.with_extension("json"),
        (serde_json::to_string_pretty(&record)? + "\n").as_bytes(),
    )
}
