//! Developer commands: building the assets, training the reference, the studies and the
//! benchmark. Listed apart from the user commands in `--help`; they need the library's
//! `devtools` feature.

pub mod assets;
pub mod bench;
pub mod bench_gpu;
pub mod study;
pub mod study_gpu;
pub mod study_pareto;
pub mod study_search;
pub mod train_reference;

use crate::common::{AnyResult, Common};
use evrsnas::assets::{DirSource, GroundTruth, Verified, TRUTH};
use evrsnas::{CostBook, Device, Reference, RmiEvaluator, Space};
use serde::Serialize;

/// Which reference a study measured with: its depth and the checksum of its weights.
#[derive(Serialize)]
pub struct ReferenceInfo {
    depth: usize,
    pub sha256: String,
}

impl ReferenceInfo {
    pub fn of(common: &Common, assets: &Verified<DirSource>, reference: &Reference) -> AnyResult<Self> {
        Ok(Self {
            depth: reference.depth(),
            sha256: evrsnas::assets::sha256_hex(&common.reference_bytes(assets)?),
        })
    }
}

/// What the constrained-search and Pareto studies start from: the assets, NB201's truth and cost
/// tables, the reference, and an evaluator on the chosen batch.
pub struct StudyInputs {
    pub assets: Verified<DirSource>,
    pub truth: GroundTruth,
    pub book: CostBook,
    pub reference: Reference,
    pub evaluator: RmiEvaluator,
}

impl StudyInputs {
    pub fn open(common: &Common) -> AnyResult<Self> {
        let assets = common.open_assets()?;
        let truth = GroundTruth::decode(&assets.read(TRUTH)?)?;
        let book = assets.costs(Space::Nb201)?;
        let reference = common.reference(&assets)?;
        let evaluator = common.evaluator_with(&assets, &reference, None)?;
        Ok(Self {
            assets,
            truth,
            book,
            reference,
            evaluator,
        })
    }
}

/// The devices asked for, or all six.
pub fn devices_or_all(devices: &[Device]) -> Vec<Device> {
    if devices.is_empty() {
        Device::ALL.to_vec()
    } else {
        devices.to_vec()
    }
}
