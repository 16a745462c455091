//! The reference's targets on a bundled batch, stored (`static/targets/<batch>.bin`): what the page
//! trains towards without loading the reference's weights (1 MB gzipped), which only a batch of
//! your own images needs. Written by the asset tool from the bundled reference and batch.
//!
//! Format (static/FORMATS.md): `b"EVRSTRGT"`, u32 header length, a JSON [`StoredHeader`], then
//! each stage's unit Gram matrix (`examples²` f32, stage after stage) and the reference's labels
//! (`examples` u32), little-endian. The biased estimator's, as the page scores.

use super::RmiTargets;
use crate::assets::ImageBatch;
use crate::cka::CkaTarget;
use crate::kernels::Kernels;
use crate::{bail, Result};
use candle_core::{Device, Tensor};
use serde::{Deserialize, Serialize};

const MAGIC: &[u8; 8] = b"EVRSTRGT";

/// What stored targets were computed from, and their size.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredHeader {
    /// SHA-256 of the reference's weights file.
    pub reference_sha256: String,
    /// [`ImageBatch::pixels_sha256`] of the batch they are the targets on.
    pub batch_sha256: String,
    pub examples: usize,
    pub classes: usize,
    /// The reference's depth (ResNet-`depth`), for the page to name it.
    pub depth: usize,
}

/// Whether `bytes` are stored targets (else, for the page, a reference's weights).
pub fn is_stored(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// `targets` as a file, with what they were computed from.
pub fn encode(targets: &RmiTargets, header: &StoredHeader) -> Result<Vec<u8>> {
    let values = targets.values()?;
    let json = serde_json::to_vec(header).map_err(|e| crate::invalid!("stored targets header: {e}"))?;
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    for gram in &values.unit_grams {
        out.extend(gram.iter().flat_map(|v| v.to_le_bytes()));
    }
    out.extend(values.labels.iter().flat_map(|v| v.to_le_bytes()));
    Ok(out)
}

/// The header of stored targets, checked against the file's length.
pub fn header(bytes: &[u8]) -> Result<StoredHeader> {
    Ok(split(bytes)?.0)
}

/// (header, payload): the payload's length matches the header's size.
fn split(bytes: &[u8]) -> Result<(StoredHeader, &[u8])> {
    if bytes.len() < 12 || !is_stored(bytes) {
        bail!("corrupt stored targets: bad magic")
    }
    let len = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize;
    let Some(json) = bytes.get(12..12 + len) else {
        bail!("corrupt stored targets: truncated header")
    };
    let header: StoredHeader =
        serde_json::from_slice(json).map_err(|e| crate::invalid!("corrupt stored targets: {e}"))?;
    let payload = &bytes[12 + len..];
    let n = header.examples;
    if payload.len() != (3 * n * n + n) * 4 {
        bail!("corrupt stored targets: {} bytes for {n} examples", payload.len())
    }
    Ok((header, payload))
}

impl RmiTargets {
    /// The targets stored for `batch`, which must be the batch they were computed on.
    pub fn from_stored(bytes: &[u8], batch: &ImageBatch, kernels: Kernels) -> Result<Self> {
        let (header, payload) = split(bytes)?;
        if header.batch_sha256 != batch.pixels_sha256() {
            bail!("these stored targets are for another batch of images")
        }
        let n = header.examples;
        let words: Vec<[u8; 4]> = payload.chunks_exact(4).map(|c| [c[0], c[1], c[2], c[3]]).collect();
        let gram = |s: usize| -> Vec<f32> {
            words[s * n * n..(s + 1) * n * n]
                .iter()
                .map(|w| f32::from_le_bytes(*w))
                .collect()
        };
        let labels: Vec<u32> = words[3 * n * n..].iter().map(|w| u32::from_le_bytes(*w)).collect();
        if let Some(l) = labels.iter().find(|&&l| l as usize >= header.classes) {
            bail!("corrupt stored targets: label {l} of {} classes", header.classes)
        }
        let stage = |s: usize| CkaTarget::from_unit_gram(&gram(s), n, kernels);
        Ok(Self {
            images: batch.tensor()?,
            stages: [stage(0)?, stage(1)?, stage(2)?],
            labels: Tensor::new(labels, &Device::Cpu)?,
            classes: header.classes,
        })
    }
}
