//! Developer commands: building the assets, training the reference, the studies and the
//! benchmark. Listed apart from the user commands in `--help`; they need the library's
//! `devtools` feature.

pub mod assets;
pub mod bench;
pub mod study;
pub mod study_pareto;
pub mod study_search;
pub mod train_reference;

use crate::common::AnyResult;
use evrsnas::assets::{DirSource, Verified, REFERENCE};
use evrsnas::Reference;
use serde::Serialize;

/// Which reference a study measured with: its depth and the checksum of its weights.
#[derive(Serialize)]
pub struct ReferenceInfo {
    depth: usize,
    pub sha256: String,
}

impl ReferenceInfo {
    pub fn of(assets: &Verified<DirSource>, reference: &Reference) -> AnyResult<Self> {
        Ok(Self {
            depth: reference.depth(),
            sha256: assets.manifest().entry(REFERENCE)?.sha256.clone(),
        })
    }
}
