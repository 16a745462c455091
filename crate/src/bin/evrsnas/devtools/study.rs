//! `evrsnas study`: the fidelity study, rank correlation of RMI with true NAS-Bench-201 accuracy
//! over sampled cells, for each requested step count.

use super::ReferenceInfo;
use crate::common::{print_json, write, AnyResult, Common};
use clap::Args;
use evrsnas::assets::{GroundTruth, TRUTH};
use evrsnas::devtools::fidelity::{sample_cells, FidelityRow, RankStudy};
use evrsnas::ProxyConfig;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args)]
pub struct StudyArgs {
    /// Number of NAS-Bench-201 cells to sample (seeded by --seed).
    #[arg(long, default_value_t = 100)]
    samples: usize,
    /// Also report the scores after these step counts (each ≤ --steps), from the same runs.
    #[arg(long, value_delimiter = ',')]
    at: Vec<usize>,
    /// Write every sampled cell's scores as CSV (index, then one column per step count).
    #[arg(long)]
    scores: Option<PathBuf>,
    /// Also write each sampled cell's NASWOT score (the untrained proxy's activation patterns on
    /// the batch; issue 26's zero-cost A/B) as CSV: index, naswot.
    #[arg(long)]
    zero_cost: Option<PathBuf>,
    /// Bootstrap resamples for the confidence intervals.
    #[arg(long, default_value_t = 1000)]
    resamples: usize,
    #[command(flatten)]
    common: Common,
}

/// What `cargo make study` keeps in study/results and report.mjs reads.
#[derive(Serialize)]
struct Report {
    reference: ReferenceInfo,
    samples: usize,
    beta: f64,
    cka: evrsnas::cka::Estimator,
    score: evrsnas::rmi::ScoreKind,
    proxy: ProxyConfig,
    batch: String,
    batch_size: usize,
    seed: u64,
    results: Vec<FidelityRow>,
}

pub fn run(args: StudyArgs) -> AnyResult<()> {
    let cells = sample_cells(args.samples, args.common.seed)?;
    let assets = args.common.open_assets()?;
    let truth = GroundTruth::decode(&assets.read(TRUTH)?)?;
    let reference = args.common.reference(&assets)?;
    let eval = args.common.evaluator_with(&assets, &reference, None)?;
    let started = Instant::now();
    let clock = || started.elapsed().as_secs_f64();
    let total = cells.len();
    let study = RankStudy::run(&eval, cells, &args.at, &clock, |n| eprint!("\rscored {n}/{total}"))?;
    eprintln!();
    if let Some(path) = &args.scores {
        write(path, study.csv()?.as_bytes())?;
    }
    if let Some(path) = &args.zero_cost {
        let mut csv = String::from("index,naswot\n");
        for &i in &study.cells {
            let arch = evrsnas::Arch::from_nb201_index(i)?;
            csv += &format!("{i},{}\n", evrsnas::devtools::zero_cost::naswot(&arch, &eval)?);
        }
        write(path, csv.as_bytes())?;
    }
    let batch = args.common.batch_name();
    print_json(&Report {
        reference: ReferenceInfo::of(&args.common, &assets, &reference)?,
        samples: study.cells.len(),
        beta: eval.options.config.beta,
        cka: eval.targets.cka_estimator(),
        score: eval.options.config.score,
        proxy: eval.options.proxy,
        batch,
        batch_size: eval.targets.batch_size(),
        seed: args.common.seed,
        results: study.rows(&truth, args.resamples, args.common.prior())?,
    })
}
