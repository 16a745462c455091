//! Images as the networks see them: 8-bit RGB planes, the CIFAR-10 binary record layout, and the
//! normalisation every network here is trained and scored with.

use candle_core::{bail, Device, Result, Tensor};

pub const SIDE: usize = 32;
pub const PIXELS: usize = 3 * SIDE * SIDE;
/// Per-channel mean and standard deviation (the ImageNet values, as the common CIFAR ResNet
/// recipes use them).
pub const MEAN: [f32; 3] = [0.485, 0.456, 0.406];
pub const STD: [f32; 3] = [0.229, 0.224, 0.225];

/// `n` images of 3×32×32 bytes (channel-major, as in CIFAR records) → normalised `[n, 3, 32, 32]`.
pub fn to_tensor(pixels: &[u8], n: usize) -> Result<Tensor> {
    if pixels.len() != n * PIXELS {
        bail!("{n} images need {} bytes, got {}", n * PIXELS, pixels.len())
    }
    let plane = SIDE * SIDE;
    let v: Vec<f32> = pixels
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            let c = (i / plane) % 3;
            (p as f32 / 255.0 - MEAN[c]) / STD[c]
        })
        .collect();
    Tensor::from_vec(v, (n, 3, SIDE, SIDE), &Device::Cpu)
}

/// Labelled images.
#[derive(Clone, Debug, Default)]
pub struct LabelledImages {
    pub pixels: Vec<u8>,
    pub labels: Vec<u8>,
}

impl LabelledImages {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Parses records of the official CIFAR-10 binary layout: [label][1024 R][1024 G][1024 B].
    pub fn from_cifar_bin(bytes: &[u8]) -> Result<Self> {
        if bytes.is_empty() || !bytes.len().is_multiple_of(PIXELS + 1) {
            bail!(
                "not CIFAR-10 binary records: {} bytes is not a multiple of {}",
                bytes.len(),
                PIXELS + 1
            )
        }
        let mut out = Self::default();
        for record in bytes.chunks_exact(PIXELS + 1) {
            if record[0] > 9 {
                bail!("CIFAR-10 label {} out of range", record[0])
            }
            out.labels.push(record[0]);
            out.pixels.extend_from_slice(&record[1..]);
        }
        Ok(out)
    }

    pub fn extend(&mut self, other: LabelledImages) {
        self.pixels.extend(other.pixels);
        self.labels.extend(other.labels);
    }

    /// Images `range` as a normalised tensor.
    pub fn tensor(&self, range: std::ops::Range<usize>) -> Result<Tensor> {
        to_tensor(&self.pixels[range.start * PIXELS..range.end * PIXELS], range.len())
    }
}

/// Reads one CIFAR-10 binary file, or every `<prefix>*.bin` file of a folder in name order.
#[cfg(not(target_arch = "wasm32"))]
pub fn read_cifar(path: &std::path::Path, prefix: &str) -> crate::Result<LabelledImages> {
    let files: Vec<std::path::PathBuf> = if path.is_dir() {
        let mut v: Vec<std::path::PathBuf> = std::fs::read_dir(path)
            .map_err(|e| crate::invalid!("cannot read {}: {e}", path.display()))?
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
        vec![path.to_path_buf()]
    };
    if files.is_empty() {
        crate::bail!("no {prefix}*.bin files in {}", path.display())
    }
    let mut all = LabelledImages::default();
    for f in files {
        let bytes = std::fs::read(&f).map_err(|e| crate::invalid!("cannot read {}: {e}", f.display()))?;
        all.extend(LabelledImages::from_cifar_bin(&bytes).map_err(|e| crate::invalid!("{}: {e}", f.display()))?);
    }
    Ok(all)
}
