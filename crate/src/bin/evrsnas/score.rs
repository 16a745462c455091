//! `evrsnas score`: the RMI and every available hardware cost of given architectures.

use crate::common::{AnyResult, Common};
use clap::Args;
use evrsnas::{Arch, Space};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

#[derive(Args)]
pub struct ScoreArgs {
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

/// One line of output.
#[derive(Serialize)]
struct Scored {
    arch: String,
    index: Option<usize>,
    rmi: f64,
    diverged: bool,
    /// The share of the space with fewer multiply-accumulates in the full-size network, which
    /// the fitness's prior weighs (0..1).
    complexity: f64,
    /// device → metric → cost.
    costs: BTreeMap<&'static str, BTreeMap<&'static str, f64>>,
    /// With --images: the SHA-256 of the batch's pixels, as the page reports it for the same
    /// files.
    #[serde(skip_serializing_if = "Option::is_none")]
    images_sha256: Option<String>,
}

pub fn run(args: ScoreArgs) -> AnyResult<()> {
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
        .collect::<evrsnas::Result<Vec<_>>>()?;
    let assets = args.common.open_assets()?;
    let book = assets.costs(args.space)?;
    let mut scorer = args.common.scorer(&assets)?;
    let images_sha256 = match &args.common.images {
        Some(dir) => Some(evrsnas::images::batch_from_dir(dir)?.pixels_sha256()),
        None => None,
    };
    let mut stdout = std::io::stdout().lock();
    for arch in &archs {
        let s = scorer.score(&evrsnas::Trial::first(arch.clone()))?;
        let mut costs: BTreeMap<_, BTreeMap<_, _>> = BTreeMap::new();
        for t in &book.tables {
            costs
                .entry(t.header.device.name())
                .or_default()
                .insert(t.header.metric.name(), t.cost(arch)?.value);
        }
        let line = Scored {
            arch: arch.to_string(),
            index: arch.nb201_index(),
            rmi: s.rmi,
            diverged: s.diverged,
            complexity: evrsnas::complexity::complexity(arch),
            costs,
            images_sha256: images_sha256.clone(),
        };
        if writeln!(stdout, "{}", serde_json::to_string(&line)?).is_err() {
            break; // broken pipe: the reader has gone, which is not an error
        }
    }
    Ok(())
}
