//! User images as an RMI batch (native): a folder of 32×32 PNG files, decoded to the channel-major
//! bytes of the bundled batches.

use crate::assets::ImageBatch;
use crate::data::{PIXELS, SIDE};
use crate::{bail, Result};
use std::path::{Path, PathBuf};

fn err(e: impl std::fmt::Display) -> crate::Error {
    crate::Error::Invalid(e.to_string())
}

/// Decodes a 32×32 RGB(A) or grey PNG into 3×32×32 channel-major bytes.
pub fn decode_png(path: &Path) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path).map_err(|e| err(format!("cannot open {}: {e}", path.display())))?;
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder
        .read_info()
        .map_err(|e| err(format!("{}: {e}", path.display())))?;
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader
        .next_frame(&mut buf)
        .map_err(|e| err(format!("{}: {e}", path.display())))?;
    if info.width as usize != SIDE || info.height as usize != SIDE {
        bail!(
            "{} is {}×{}, RMI batches need 32×32 images",
            path.display(),
            info.width,
            info.height
        )
    }
    let channels = info.color_type.samples();
    let plane = SIDE * SIDE;
    let mut out = vec![0u8; PIXELS];
    for p in 0..plane {
        for c in 0..3 {
            out[c * plane + p] = buf[p * channels + if channels >= 3 { c } else { 0 }];
        }
    }
    Ok(out)
}

pub fn png_files(dir: &Path, prefix: &str) -> Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| err(format!("cannot read {}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with(prefix) && name.ends_with(".png")
        })
        .collect();
    v.sort();
    Ok(v)
}

pub fn batch_from_files(files: &[PathBuf], source: &str) -> Result<ImageBatch> {
    let mut batch = ImageBatch {
        names: vec![],
        source: source.into(),
        pixels: vec![],
    };
    for f in files {
        batch.pixels.extend(decode_png(f)?);
        batch
            .names
            .push(f.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string());
    }
    Ok(batch)
}

/// A user-given folder of 32×32 PNG images as an RMI batch.
pub fn batch_from_png_dir(dir: &Path) -> Result<ImageBatch> {
    let files = png_files(dir, "")?;
    if files.len() < 2 {
        bail!(
            "{} holds {} PNG images; an RMI batch needs at least 2",
            dir.display(),
            files.len()
        )
    }
    batch_from_files(&files, &format!("user folder {}", dir.display()))
}
