//! Your own images as an RMI batch: PNG or JPEG files of any size, decoded, centre-cropped to a
//! square and box-filtered to 32×32, as the channel-major bytes of the bundled batches (which the
//! batch's tensor normalises as it normalises those). The page (wasm, from the files a user picks)
//! and the CLI (`--images DIR`) run this same code, so the same files give the same tensor.

use crate::assets::ImageBatch;
use crate::data::{PIXELS, SIDE};
use crate::{bail, Result};

/// A decoded image: `rgb` holds width × height pixels, 3 bytes each, row by row.
pub struct Rgb {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
}

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG_MAGIC: &[u8] = &[0xff, 0xd8, 0xff];
/// Larger images are refused before decoding: a batch image ends up 32×32 anyway.
const MAX_SIDE: usize = 8192;

/// Decodes a PNG or JPEG file's bytes; errors name the file.
pub fn decode(name: &str, bytes: &[u8]) -> Result<Rgb> {
    let image = if bytes.starts_with(PNG_MAGIC) {
        decode_png(bytes)
    } else if bytes.starts_with(JPEG_MAGIC) {
        decode_jpeg(bytes)
    } else {
        bail!("{name}: not a PNG or JPEG image")
    };
    let image = image.map_err(|e| crate::invalid!("{name}: {e}"))?;
    if image.width == 0 || image.height == 0 {
        bail!("{name}: the image is empty")
    }
    Ok(image)
}

fn decode_png(bytes: &[u8]) -> std::result::Result<Rgb, String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let (width, height) = {
        let info = reader.info();
        (info.width as usize, info.height as usize)
    };
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(format!("{width}×{height} is larger than {MAX_SIDE}×{MAX_SIDE}"));
    }
    let mut buf = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buf).map_err(|e| e.to_string())?;
    let channels = frame.color_type.samples();
    // Grey, grey + alpha, RGB or RGBA (palettes are expanded): alpha is dropped.
    let rgb = buf[..frame.buffer_size()]
        .chunks_exact(channels)
        .flat_map(|p| if channels >= 3 { [p[0], p[1], p[2]] } else { [p[0]; 3] })
        .collect();
    Ok(Rgb { width, height, rgb })
}

fn decode_jpeg(bytes: &[u8]) -> std::result::Result<Rgb, String> {
    use zune_jpeg::zune_core::colorspace::ColorSpace;
    use zune_jpeg::zune_core::options::DecoderOptions;
    let options = DecoderOptions::default()
        .jpeg_set_out_colorspace(ColorSpace::RGB)
        .set_max_width(MAX_SIDE)
        .set_max_height(MAX_SIDE);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(bytes, options);
    let rgb = decoder.decode().map_err(|e| e.to_string())?;
    let (width, height) = decoder.dimensions().ok_or("no image dimensions")?;
    if rgb.len() != width * height * 3 {
        return Err(format!("decoded {} bytes for {width}×{height} RGB", rgb.len()));
    }
    Ok(Rgb { width, height, rgb })
}

/// The centred square of the image, box-filtered to 32×32, channel-major (3 × 32 × 32): each
/// output pixel the area-weighted mean of the source pixels it covers (exact for upscaling too).
pub fn to_batch_pixels(image: &Rgb) -> Vec<u8> {
    let side = image.width.min(image.height);
    let (x0, y0) = ((image.width - side) / 2, (image.height - side) / 2);
    let scale = side as f64 / SIDE as f64;
    // Per output coordinate, the source pixels it overlaps and by how much.
    let spans: Vec<Vec<(usize, f64)>> = (0..SIDE)
        .map(|o| {
            let (lo, hi) = (o as f64 * scale, (o + 1) as f64 * scale);
            (lo.floor() as usize..(hi.ceil() as usize).min(side))
                .map(|s| (s, ((s + 1) as f64).min(hi) - (s as f64).max(lo)))
                .filter(|&(_, w)| w > 0.0)
                .collect()
        })
        .collect();
    let plane = SIDE * SIDE;
    let mut out = vec![0u8; PIXELS];
    for (oy, ys) in spans.iter().enumerate() {
        for (ox, xs) in spans.iter().enumerate() {
            let mut sum = [0.0f64; 3];
            let mut area = 0.0;
            for &(sy, wy) in ys {
                for &(sx, wx) in xs {
                    let p = 3 * ((y0 + sy) * image.width + x0 + sx);
                    for (total, &v) in sum.iter_mut().zip(&image.rgb[p..p + 3]) {
                        *total += wy * wx * f64::from(v);
                    }
                    area += wy * wx;
                }
            }
            for (c, total) in sum.iter().enumerate() {
                out[c * plane + oy * SIDE + ox] = (total / area).round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    out
}

/// An RMI batch from named image files (at least 2), in name order (as a folder lists them), so
/// the same files give the same batch however they were picked.
pub fn batch_from_images<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>, source: &str) -> Result<ImageBatch> {
    let mut batch = ImageBatch {
        names: vec![],
        source: source.into(),
        pixels: vec![],
    };
    let mut files: Vec<(&str, &[u8])> = files.into_iter().collect();
    files.sort_by(|a, b| a.0.cmp(b.0));
    for (name, bytes) in files {
        batch.pixels.extend(to_batch_pixels(&decode(name, bytes)?));
        batch.names.push(name.to_string());
    }
    if batch.len() < 2 {
        bail!("an RMI batch needs at least 2 images, got {}", batch.len())
    }
    Ok(batch)
}

/// The PNG and JPEG files of a folder, by name.
#[cfg(not(target_arch = "wasm32"))]
pub fn image_files(dir: &std::path::Path) -> Result<Vec<std::path::PathBuf>> {
    let mut v: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| crate::invalid!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let ext = p
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            ["png", "jpg", "jpeg"].contains(&ext.as_str())
        })
        .collect();
    v.sort();
    Ok(v)
}

/// Image files (PNG or JPEG, any size) as an RMI batch, in file-name order; errors name the file.
#[cfg(not(target_arch = "wasm32"))]
pub fn batch_from_files(files: &[std::path::PathBuf], source: &str) -> Result<ImageBatch> {
    let named: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|f| {
            let bytes = std::fs::read(f).map_err(|e| crate::invalid!("cannot read {}: {e}", f.display()))?;
            Ok((f.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string(), bytes))
        })
        .collect::<Result<_>>()?;
    batch_from_images(named.iter().map(|(n, b)| (n.as_str(), b.as_slice())), source)
}

/// A folder of PNG and JPEG images (any size) as an RMI batch, in file-name order.
#[cfg(not(target_arch = "wasm32"))]
pub fn batch_from_dir(dir: &std::path::Path) -> Result<ImageBatch> {
    let files = image_files(dir)?;
    if files.len() < 2 {
        bail!(
            "{} holds {} PNG or JPEG images; an RMI batch needs at least 2",
            dir.display(),
            files.len()
        )
    }
    batch_from_files(&files, &format!("user folder {}", dir.display()))
}
