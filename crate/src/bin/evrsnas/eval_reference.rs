//! `evrsnas eval-reference`: the reference model's top-1 accuracy on CIFAR-10 binary files.

use crate::common::{assets_dir, print_json, read, AnyResult};
use clap::Args;
use evrsnas::assets::{DirSource, Verified};
use evrsnas::{Kernels, Reference};
use serde::Serialize;
use std::path::PathBuf;

#[derive(Args)]
pub struct EvalReferenceArgs {
    /// Folder of CIFAR-10 binary files (*.bin), or one such file.
    #[arg(long)]
    data: PathBuf,
    /// Weights to evaluate (default: the bundled reference).
    #[arg(long)]
    weights: Option<PathBuf>,
    #[arg(long)]
    assets: Option<PathBuf>,
}

#[derive(Serialize)]
struct Accuracy {
    images: usize,
    top1_percent: f64,
    depth: usize,
}

pub fn run(args: EvalReferenceArgs) -> AnyResult<()> {
    let bytes = match &args.weights {
        Some(w) => read(w)?,
        None => Verified::open(DirSource(assets_dir(&args.assets)))?.reference()?,
    };
    let model = Reference::from_safetensors(&bytes, Kernels::Fast)?;
    let data = evrsnas::data::read_cifar(&args.data, "")?;
    print_json(&Accuracy {
        images: data.len(),
        top1_percent: model.accuracy(&data)?,
        depth: model.depth(),
    })
}
