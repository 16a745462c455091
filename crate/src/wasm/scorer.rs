//! [`Scorer`]: one per worker, training candidates towards the reference's targets on the batch.

use super::{js_err, to_js};
use crate::assets::ImageBatch;
use crate::schema;
use crate::trial::{Evaluator, Trial};
use crate::{Arch, Kernels, ProxyConfig, Reference, RmiConfig, RmiEvaluator, RmiOptions, RmiTargets, Space};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

/// Scores candidates: one per worker, holding the reference's targets on the batch.
#[wasm_bindgen]
pub struct Scorer {
    evaluator: RmiEvaluator,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScorerOptions {
    steps: f64,
    seed: f64,
    #[serde(default)]
    proxy: Option<ProxyConfig>,
}

/// The reference's targets on the batch, and the training options, from what a worker is sent:
/// `reference_bytes` are the reference's weights, or its targets stored for this batch
/// (`rmi::stored`: the bundled reference on a bundled batch, without the weights).
pub(super) fn evaluator(
    reference_bytes: &[u8],
    batch_files: &js_sys::Array,
    options: JsValue,
) -> Result<RmiEvaluator, JsError> {
    let o: ScorerOptions = serde_wasm_bindgen::from_value(options).map_err(js_err)?;
    let options = RmiOptions {
        config: RmiConfig {
            steps: schema::STEPS.check_f64(o.steps).map_err(js_err)? as usize,
            ..RmiConfig::default()
        },
        proxy: o.proxy.unwrap_or_default(),
        kernels: Kernels::Fast,
    };
    options.validate().map_err(js_err)?;
    let seed = schema::SEED.check_f64(o.seed).map_err(js_err)?;
    let files: Vec<Vec<u8>> = batch_files
        .iter()
        .map(|f| js_sys::Uint8Array::new(&f).to_vec())
        .collect();
    let batch = ImageBatch::join(files.iter().map(Vec::as_slice)).map_err(js_err)?;
    let targets = if crate::rmi::stored::is_stored(reference_bytes) {
        RmiTargets::from_stored(reference_bytes, &batch, Kernels::Fast).map_err(js_err)?
    } else {
        let reference = Reference::from_safetensors(reference_bytes, Kernels::Fast).map_err(js_err)?;
        RmiTargets::new(&reference, &batch.tensor().map_err(js_err)?).map_err(js_err)?
    };
    Ok(RmiEvaluator::new(targets, options, seed))
}

/// A trial from what the page sends: the space and architecture by name, the initialisation, and
/// the steps of a screen.
pub(super) fn trial(space: &str, arch: &str, replicate: u32, steps: Option<u32>) -> Result<Trial, JsError> {
    let space: Space = space.parse().map_err(js_err)?;
    let arch = Arch::parse(space, arch).map_err(js_err)?;
    let steps = steps
        .map(|s| schema::STEPS.check(u64::from(s)))
        .transpose()
        .map_err(js_err)?;
    Ok(Trial {
        arch,
        replicate,
        steps: steps.map(|s| s as usize),
    })
}

#[wasm_bindgen]
impl Scorer {
    /// `batch_files`: the bytes of each RMI batch file (`Uint8Array`s), joined in order.
    #[wasm_bindgen(constructor)]
    pub fn new(reference_bytes: &[u8], batch_files: js_sys::Array, options: JsValue) -> Result<Scorer, JsError> {
        Ok(Self {
            evaluator: evaluator(reference_bytes, &batch_files, options)?,
        })
    }

    /// RMI score (Σ CKA after K steps, or after `steps` for a screen) of one initialisation
    /// (`replicate`) of an architecture. A full training continues this scorer's own screen of the
    /// same initialisation where it has one (the same score as starting over).
    pub fn score(&mut self, space: &str, arch: &str, replicate: u32, steps: Option<u32>) -> Result<f64, JsError> {
        self.evaluator
            .evaluate(&trial(space, arch, replicate, steps)?)
            .map_err(js_err)
    }

    /// The steps the last score continued from (a screen's), or undefined when it trained afresh.
    #[wasm_bindgen(js_name = lastResumed)]
    pub fn last_resumed(&self) -> Option<u32> {
        self.evaluator.last_resumed().map(|s| s as u32)
    }

    /// One initialisation's training, step by step (`[{step, loss, cka: [3], rmi}]` for 0..=K):
    /// the last step's `rmi` is what [`Scorer::score`] returns for it.
    pub fn curve(&mut self, space: &str, arch: &str, replicate: u32) -> Result<JsValue, JsError> {
        let space: Space = space.parse().map_err(js_err)?;
        let arch = Arch::parse(space, arch).map_err(js_err)?;
        let e = &self.evaluator;
        let seed = crate::rmi::replicate_seed(e.seed, replicate);
        to_js(&crate::rmi::training_curve(&arch, &e.targets, &e.options, seed).map_err(js_err)?)
    }
}
