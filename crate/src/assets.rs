//! The bundled assets in `static/`: a manifest with the size and SHA-256 of every file, loaders
//! that verify them, and the formats of the files that are ours (batches, ground truth).
//! The same code serves the CLI (files on disk) and the page (bytes fetched by the worker).

use crate::cost::CostBook;
use crate::data::PIXELS;
use crate::space::Space;
use crate::{bail, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const MANIFEST: &str = "MANIFEST.json";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManifestEntry {
    pub path: String,
    pub bytes: usize,
    pub sha256: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub files: Vec<ManifestEntry>,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl Manifest {
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        serde_json::from_slice(bytes).map_err(|e| crate::Error::Invalid(format!("corrupt {MANIFEST}: {e}")))
    }

    pub fn entry(&self, path: &str) -> Result<&ManifestEntry> {
        match self.files.iter().find(|f| f.path == path) {
            Some(e) => Ok(e),
            None => bail!("asset '{path}' is not listed in {MANIFEST}"),
        }
    }

    /// Checks that `bytes` are the listed content of `path`.
    pub fn verify(&self, path: &str, bytes: &[u8]) -> Result<()> {
        let e = self.entry(path)?;
        if bytes.len() != e.bytes {
            bail!(
                "asset '{path}' has {} bytes, expected {} (truncated or replaced?)",
                bytes.len(),
                e.bytes
            )
        }
        if sha256_hex(bytes) != e.sha256 {
            bail!("asset '{path}' fails its checksum (altered?)")
        }
        Ok(())
    }
}

/// Where asset bytes come from.
pub trait AssetSource {
    fn read(&self, path: &str) -> Result<Vec<u8>>;
}

/// Assets in a directory (the CLI's `static/`).
#[cfg(not(target_arch = "wasm32"))]
pub struct DirSource(pub std::path::PathBuf);

#[cfg(not(target_arch = "wasm32"))]
impl AssetSource for DirSource {
    fn read(&self, path: &str) -> Result<Vec<u8>> {
        let full = self.0.join(path);
        std::fs::read(&full).map_err(|e| crate::Error::Invalid(format!("cannot read asset {}: {e}", full.display())))
    }
}

/// A source whose every read is checked against the manifest.
pub struct Verified<S> {
    source: S,
    manifest: Manifest,
}

impl<S: AssetSource> Verified<S> {
    pub fn open(source: S) -> Result<Self> {
        let manifest = Manifest::parse(&source.read(MANIFEST)?)?;
        Ok(Self { source, manifest })
    }

    pub fn read(&self, path: &str) -> Result<Vec<u8>> {
        let bytes = self.source.read(path)?;
        self.manifest.verify(path, &bytes)?;
        Ok(bytes)
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn costs(&self, space: Space) -> Result<CostBook> {
        let book = CostBook::decode(&self.read(&cost_path(space))?)?;
        if book.space != space {
            bail!("{} holds {} costs", cost_path(space), book.space)
        }
        Ok(book)
    }

    pub fn batch(&self, choice: BatchChoice) -> Result<ImageBatch> {
        let files = choice
            .files()
            .iter()
            .map(|f| self.read(f))
            .collect::<Result<Vec<_>>>()?;
        ImageBatch::join(files.iter().map(Vec::as_slice))
    }

    pub fn reference(&self) -> Result<Vec<u8>> {
        self.read(REFERENCE)
    }
}

pub fn cost_path(space: Space) -> String {
    format!("costs/{space}.bin")
}
pub const REFERENCE: &str = "reference/resnet.safetensors";
/// The bundled reference's targets on a bundled batch (`rmi::stored`).
pub fn targets_path(choice: BatchChoice) -> String {
    format!("targets/{choice}.bin")
}
pub const TRUTH: &str = "truth/nb201_accuracy.bin";
/// The fidelity study's figures, which the page shows beside "Steps K".
pub const FIDELITY: &str = "fidelity.json";

crate::named_enum! {
    /// The fixed batch RMI trains on.
    #[derive(Default)]
    pub enum BatchChoice: "batch" {
        /// The 20 CIFAR-10 test images shipped in foolbox 3.3.4: the default, since searches on
        /// them come as close to the best cell as on the 40, at 0.43× the time (FIDELITY.md).
        #[default]
        Cifar10 = "cifar10" => "20: CIFAR-10",
        /// Those plus foolbox's 20 CIFAR-100 images.
        Cifar10And100 = "cifar10-and-100" => "40: CIFAR-10 + 100",
    }
}

impl BatchChoice {
    /// The batch files this choice joins, in order.
    pub fn files(self) -> &'static [&'static str] {
        match self {
            BatchChoice::Cifar10 => &["batch/cifar10_20.bin"],
            BatchChoice::Cifar10And100 => &["batch/cifar10_20.bin", "batch/cifar100_20.bin"],
        }
    }
}

const BATCH_MAGIC: &[u8; 8] = b"EVRSBTCH";

/// Images for RMI: `b"EVRSBTCH" | u32 LE header length | header JSON | count × 3×32×32 bytes`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageBatch {
    pub names: Vec<String>,
    pub source: String,
    #[serde(skip)]
    pub pixels: Vec<u8>,
}

impl ImageBatch {
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    fn append(&mut self, other: ImageBatch) {
        self.names.extend(other.names);
        self.source = format!("{}; {}", self.source, other.source);
        self.pixels.extend(other.pixels);
    }

    /// Decodes batch files and joins them, in order, into one batch.
    pub fn join<'a>(files: impl IntoIterator<Item = &'a [u8]>) -> Result<Self> {
        let mut batch: Option<ImageBatch> = None;
        for bytes in files {
            let part = ImageBatch::decode(bytes)?;
            match &mut batch {
                Some(b) => b.append(part),
                None => batch = Some(part),
            }
        }
        batch.ok_or_else(|| crate::invalid!("no RMI batch given"))
    }

    /// SHA-256 of the pixels: the same images, decoded the same way, give the same checksum in
    /// the page and the CLI.
    pub fn pixels_sha256(&self) -> String {
        sha256_hex(&self.pixels)
    }

    pub fn encode(&self) -> Vec<u8> {
        let json = serde_json::to_vec(self).expect("batch header serialises");
        let mut out = BATCH_MAGIC.to_vec();
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend(json);
        out.extend_from_slice(&self.pixels);
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Self> {
        if bytes.len() < 12 || &bytes[..8] != BATCH_MAGIC {
            bail!("corrupt image batch: bad magic")
        }
        let len = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize;
        let end = 12usize.checked_add(len).filter(|&end| end <= bytes.len());
        let Some(end) = end else {
            bail!("corrupt image batch: truncated header")
        };
        let json = &bytes[12..end];
        let mut batch: ImageBatch =
            serde_json::from_slice(json).map_err(|e| crate::Error::Invalid(format!("corrupt image batch: {e}")))?;
        batch.pixels = bytes[end..].to_vec();
        if batch.pixels.len() != batch.names.len() * PIXELS {
            bail!(
                "corrupt image batch: {} bytes of pixels for {} images",
                batch.pixels.len(),
                batch.names.len()
            )
        }
        Ok(batch)
    }

    pub fn tensor(&self) -> Result<candle_core::Tensor> {
        Ok(crate::data::to_tensor(&self.pixels, self.len())?)
    }
}

/// NAS-Bench-201 test accuracies of every cell (`b"EVRSTRUT"`, then CIFAR-10, CIFAR-100 and
/// ImageNet16-120 as 15,625 f32 LE each, in NB201 index order).
#[derive(Clone, Debug, PartialEq)]
pub struct GroundTruth {
    pub cifar10: Vec<f32>,
    pub cifar100: Vec<f32>,
    pub imagenet16: Vec<f32>,
}

const TRUTH_MAGIC: &[u8; 8] = b"EVRSTRUT";

/// The cell with the highest `accuracy` among those whose `costs` are at most `threshold` (both in
/// NB201 index order; of equals, the last).
pub fn best_feasible(costs: &[f64], accuracy: &[f32], threshold: f64) -> Option<usize> {
    (0..costs.len().min(accuracy.len()))
        .filter(|&i| costs[i] <= threshold)
        .max_by(|&a, &b| accuracy[a].total_cmp(&accuracy[b]))
}

impl GroundTruth {
    /// The NB201 cell with the best true CIFAR-10 accuracy among those costing at most
    /// `threshold` (`costs` in NB201 index order), with that accuracy.
    pub fn best_within(&self, costs: &[f64], threshold: f64) -> Option<(usize, f32)> {
        best_feasible(costs, &self.cifar10, threshold).map(|i| (i, self.cifar10[i]))
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = TRUTH_MAGIC.to_vec();
        for col in [&self.cifar10, &self.cifar100, &self.imagenet16] {
            col.iter().for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
        }
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Self> {
        let n = crate::space::nb201::CELLS;
        if bytes.len() != 8 + 3 * 4 * n || &bytes[..8] != TRUTH_MAGIC {
            bail!("corrupt ground-truth table")
        }
        let col = |i: usize| -> Vec<f32> {
            bytes[8 + i * 4 * n..8 + (i + 1) * 4 * n]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
                .collect()
        };
        Ok(Self {
            cifar10: col(0),
            cifar100: col(1),
            imagenet16: col(2),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_batch_headers_are_errors_not_panics() {
        let header = |len: u32, json: &str, pixels: usize| {
            let mut b = BATCH_MAGIC.to_vec();
            b.extend_from_slice(&len.to_le_bytes());
            b.extend_from_slice(json.as_bytes());
            b.extend(std::iter::repeat_n(0u8, pixels));
            b
        };
        let json = r#"{"names":["a","b"],"source":"test"}"#;
        assert!(ImageBatch::decode(&header(json.len() as u32, json, 2 * PIXELS)).is_ok());
        // A header length past the end (u32::MAX overflows 12 + len on wasm32).
        assert!(ImageBatch::decode(&header(u32::MAX, json, 2 * PIXELS)).is_err());
        assert!(
            ImageBatch::decode(&header(json.len() as u32, json, PIXELS)).is_err(),
            "pixels for 1 image, 2 named"
        );
        assert!(ImageBatch::decode(&header(3, json, 0)).is_err(), "header cut mid-JSON");
        assert!(ImageBatch::decode(b"EVRSBTCH").is_err());
        assert!(ImageBatch::join(std::iter::empty()).is_err());
    }
}
