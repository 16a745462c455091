//! The browser API: a thin wasm-bindgen layer over the library. Plain data crosses the boundary
//! (numbers, strings, byte arrays, serde objects); every error becomes a JS `Error` with a readable
//! message, and a panic hook turns anything unexpected into a console message instead of a hang.
//!
//! The page holds one [`SearchSession`] (the evolution state: cheap) and a pool of workers, each
//! with its own [`Scorer`] (training candidates: expensive).
//!
//! `inputs`: what the page brings before a search (your images, your reference, the landscape);
//! `session`: the search; `scorer`: training in a worker; `gpu`: training in a worker on WebGPU.

mod gpu;
mod inputs;
mod scorer;
mod session;

use crate::assets::Manifest;
use crate::schema;
use crate::{Arch, CostBook, Device, Metric, Space};
use serde::Serialize;
use wasm_bindgen::prelude::*;

fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// What crosses to JavaScript: the value's fields in camelCase (the library's types, which the
/// CLI prints in snake_case, keep their Rust names on this side), as plain JSON-like objects.
fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsError> {
    camel_case(serde_json::to_value(v).map_err(js_err)?)
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(js_err)
}

/// [`to_js`] without the renaming, for the values sent many times a second (every candidate
/// ranked, the fronts), whose fields are single words already (`export`'s tests check the
/// library's): no detour through a JSON value.
fn to_js_as_is<T: Serialize>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(js_err)
}

/// Every object key's `snake_case` as `camelCase`, all the way down. Keys without an underscore
/// (names, and data keys such as a batch's `cifar10-and-100`) stay as they are.
fn camel_case(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (camel_key(&k), camel_case(v))).collect()),
        Value::Array(items) => Value::Array(items.into_iter().map(camel_case).collect()),
        other => other,
    }
}

fn camel_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        match c {
            '_' if !out.is_empty() => upper = true,
            c if upper => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// Checks fetched bytes against the manifest; the error names the file.
#[wasm_bindgen(js_name = verifyAsset)]
pub fn verify_asset(manifest_json: &[u8], path: &str, bytes: &[u8]) -> Result<(), JsError> {
    Manifest::parse(manifest_json)
        .and_then(|m| m.verify(path, bytes))
        .map_err(js_err)
}

/// Every setting of a search with its default, bounds and choices, and the asset paths: what
/// the page builds its controls, its URL parser and its loader from.
#[wasm_bindgen]
pub fn schema() -> Result<JsValue, JsError> {
    to_js(&schema::schema())
}

/// Parses a setting's text (a URL parameter, a control's value) as the CLI parses its flag;
/// a bad value throws the same message.
#[wasm_bindgen(js_name = parseSetting)]
pub fn parse_setting(name: &str, text: &str) -> Result<JsValue, JsError> {
    to_js(&schema::parse_setting(name, text).map_err(js_err)?)
}

/// An architecture's genes as its drawing needs them: `[{op, from, to}]` for an NB201 cell,
/// `[{op, kernel?, expansion?, groups?}]` for FBNet layers.
#[wasm_bindgen(js_name = archLayout)]
pub fn arch_layout(space: &str, arch: &str) -> Result<JsValue, JsError> {
    let space: Space = space.parse().map_err(js_err)?;
    to_js(&Arch::parse(space, arch).map_err(js_err)?.layout())
}

#[derive(Serialize)]
struct DeviceInfo {
    device: Device,
    description: &'static str,
    metric: Metric,
    unit: String,
    min: f64,
    max: f64,
    /// The budget a page starts from (`settings::suggested_budget`).
    suggested: f64,
    measured: usize,
    estimated: bool,
}

#[derive(Serialize)]
struct CostInfo {
    space: Space,
    devices: Vec<DeviceInfo>,
    unavailable: String,
}

/// Devices and metrics a cost file offers, with their ranges, plus what it lacks.
#[wasm_bindgen(js_name = costInfo)]
pub fn cost_info(cost_bytes: &[u8]) -> Result<JsValue, JsError> {
    let book = CostBook::decode(cost_bytes).map_err(js_err)?;
    let devices: Vec<DeviceInfo> = book
        .tables
        .iter()
        .map(|t| {
            let [min, max] = t.header.range;
            DeviceInfo {
                device: t.header.device,
                description: t.header.device.label(),
                metric: t.header.metric,
                unit: t.header.unit.clone(),
                min,
                max,
                suggested: crate::settings::suggested_budget(t),
                measured: t.header.measured,
                estimated: t.header.fit.is_some(),
            }
        })
        .collect();
    to_js(&CostInfo {
        space: book.space,
        devices,
        unavailable: book.unavailable,
    })
}

/// Benchmark for `cargo make bench`: `{probeTrainStepMs, nb201CandidateMs,
/// referenceTrainStepMs}` for one kernel set (the same workloads as `evrsnas bench`).
#[cfg(feature = "devtools")]
#[wasm_bindgen(js_name = benchmark)]
pub fn benchmark(kernels: &str, reps: usize, candidate_reps: usize, steps: usize) -> Result<JsValue, JsError> {
    let kernels: crate::Kernels = kernels.parse().map_err(js_err)?;
    let now = || js_sys::Date::now();
    let probe = crate::devtools::bench::probe_train_step_ms(kernels, reps, &now).map_err(js_err)?;
    let candidate = crate::devtools::bench::nb201_candidate_ms(kernels, steps, candidate_reps, &now).map_err(js_err)?;
    let reference =
        crate::devtools::bench::reference_train_step_ms(kernels, 3, candidate_reps, &now).map_err(js_err)?;
    #[derive(Serialize)]
    struct Timings {
        probe_train_step_ms: f64,
        nb201_candidate_ms: f64,
        reference_train_step_ms: f64,
    }
    to_js(&Timings {
        probe_train_step_ms: probe,
        nb201_candidate_ms: candidate,
        reference_train_step_ms: reference,
    })
}

/// Developer build only: median milliseconds of `reps` evaluations of the benchmark's NB201
/// candidate alone, for profiling the training hot path (`node --cpu-prof`).
#[cfg(feature = "devtools")]
#[wasm_bindgen(js_name = nb201CandidateMs)]
pub fn nb201_candidate_ms(kernels: &str, steps: usize, reps: usize) -> Result<f64, JsError> {
    let kernels: crate::Kernels = kernels.parse().map_err(js_err)?;
    crate::devtools::bench::nb201_candidate_ms(kernels, steps, reps, &|| js_sys::Date::now()).map_err(js_err)
}

/// Developer build only: the GPU kernels against candle's, one operation at a time, on `cases`
/// random proxies (`devtools::gpu_check`) on this browser's WebGPU. Resolves to `{adapter, worst}` (the
/// worst relative error); rejects with the first value or gradient beyond 1e-4.
#[cfg(feature = "devtools")]
#[wasm_bindgen(js_name = gpuKernelCheck)]
pub async fn gpu_kernel_check(cases: u32) -> Result<JsValue, JsError> {
    let gpu = crate::gpu::Gpu::new(crate::gpu::Want::Any).await.map_err(js_err)?;
    let worst = crate::devtools::gpu_check::random_cases(&gpu, u64::from(cases))
        .await
        .map_err(js_err)?;
    #[derive(Serialize)]
    struct Checked<'a> {
        adapter: &'a crate::gpu::AdapterSummary,
        worst: f64,
    }
    to_js(&Checked {
        adapter: &gpu.adapter,
        worst,
    })
}
