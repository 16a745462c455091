//! What the page brings before a search: your own images and reference, checked and turned into
//! what the workers take, and the space's landscape on a device.

use super::{js_err, to_js};
use crate::assets::GroundTruth;
use crate::{CostBook, Device, Kernels, Metric, Reference};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[derive(Serialize)]
struct UserBatch {
    names: Vec<String>,
    /// SHA-256 of the pixels: the CLI's `score --images` prints the same for the same files.
    sha256: String,
}

/// Your own images as an RMI batch: `names[i]` and the bytes of `files[i]` (PNG or JPEG, any
/// size), decoded, centre-cropped and box-filtered to 32×32 as the CLI's `--images` does; a
/// file that is no image is refused by name. Nothing leaves the page. Returns `{names, sha256,
/// bytes}`, `bytes` (a `Uint8Array`) being the batch file the workers' [`Scorer`] takes.
#[wasm_bindgen(js_name = imageBatch)]
pub fn image_batch(names: js_sys::Array, files: js_sys::Array) -> Result<JsValue, JsError> {
    let names: Vec<String> = names.iter().map(|n| n.as_string().unwrap_or_default()).collect();
    let files: Vec<Vec<u8>> = files.iter().map(|f| js_sys::Uint8Array::new(&f).to_vec()).collect();
    if names.len() != files.len() {
        return Err(js_err("imageBatch needs one name per file"));
    }
    let batch = crate::images::batch_from_images(
        names.iter().map(String::as_str).zip(files.iter().map(Vec::as_slice)),
        "your images (in this browser)",
    )
    .map_err(js_err)?;
    let bytes = js_sys::Uint8Array::from(batch.encode().as_slice());
    let out = to_js(&UserBatch {
        sha256: batch.pixels_sha256(),
        names: batch.names,
    })?;
    js_sys::Reflect::set(&out, &"bytes".into(), &bytes).map_err(|_| js_err("cannot return the batch"))?;
    Ok(out)
}

#[derive(Serialize)]
struct ReferenceInfo {
    depth: usize,
    classes: usize,
    sha256: String,
}

/// `{depth, classes}` of saved reference weights, or of the reference whose targets are stored,
/// from their header alone (instant; no check).
#[wasm_bindgen(js_name = referenceSummary)]
pub fn reference_summary(bytes: &[u8]) -> Result<JsValue, JsError> {
    let (depth, classes) = match crate::rmi::stored::is_stored(bytes) {
        true => {
            let header = crate::rmi::stored::header(bytes).map_err(js_err)?;
            (header.depth, header.classes)
        }
        false => Reference::summary(bytes).map_err(js_err)?,
    };
    #[derive(Serialize)]
    struct Summary {
        depth: usize,
        classes: usize,
    }
    to_js(&Summary { depth, classes })
}

/// Checks a reference a user brings (see `Reference::from_user_file`): `{depth, classes,
/// sha256}`, or the reason it cannot be used, naming the file.
#[wasm_bindgen(js_name = checkReference)]
pub fn check_reference(name: &str, bytes: &[u8]) -> Result<JsValue, JsError> {
    let reference = Reference::from_user_file(name, bytes, Kernels::Fast).map_err(js_err)?;
    to_js(&ReferenceInfo {
        depth: reference.depth(),
        classes: reference.classes(),
        sha256: crate::assets::sha256_hex(bytes),
    })
}

/// Draws of an FBNet landscape: enough for a smooth histogram, cheap on the main thread.
const LANDSCAPE_DRAWS: usize = 4000;

/// The space's costs on a device (and for NB201 with `truth_bytes`, every cell's true accuracy):
/// what the scatter shows before Run, so that the budget means something before any training.
/// `{costs: Float64Array (every NB201 cell's, in index order, or FBNet's uniform draws), accuracy:
/// Float32Array | null (NB201's CIFAR-10, same order), sampled: bool}`.
#[wasm_bindgen]
pub fn landscape(cost_bytes: &[u8], truth_bytes: &[u8], device: &str, metric: &str) -> Result<JsValue, JsError> {
    let book = CostBook::decode(cost_bytes).map_err(js_err)?;
    let device: Device = device.parse().map_err(js_err)?;
    let metric: Metric = metric.parse().map_err(js_err)?;
    let table = book.table(device, metric).map_err(js_err)?;
    let (costs, sampled) = match table.per_arch_values() {
        Some(values) => (values.to_vec(), false),
        None => {
            use rand::SeedableRng;
            let mut rng = rand::rngs::StdRng::seed_from_u64(0);
            let costs = (0..LANDSCAPE_DRAWS)
                .map(|_| table.cost(&book.space.sample(&mut rng)).map(|c| c.value))
                .collect::<crate::Result<Vec<f64>>>()
                .map_err(js_err)?;
            (costs, true)
        }
    };
    let accuracy = match (truth_bytes.is_empty(), sampled) {
        (false, false) => Some(GroundTruth::decode(truth_bytes).map_err(js_err)?.cifar10),
        _ => None,
    };
    // Typed arrays, copied in one go: 31,250 numbers through serde cost the main thread tens of
    // milliseconds.
    let out = js_sys::Object::new();
    let set = |key: &str, value: &JsValue| js_sys::Reflect::set(&out, &key.into(), value).map(|_| ());
    let accuracy = accuracy.map_or(JsValue::NULL, |a| js_sys::Float32Array::from(a.as_slice()).into());
    set("costs", &js_sys::Float64Array::from(costs.as_slice()).into())
        .and_then(|_| set("accuracy", &accuracy))
        .and_then(|_| set("sampled", &sampled.into()))
        .map_err(|_| js_err("cannot return the landscape"))?;
    Ok(out.into())
}
