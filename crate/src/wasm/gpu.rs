//! [`GpuScorer`]: a worker's candidates trained on WebGPU by the library's GPU executor, the
//! counterpart of [`super::scorer::Scorer`]; every call is a promise.

use super::scorer::{evaluator, trial};
use super::{js_err, to_js};
use crate::compute::Compute;
use crate::gpu::{Gpu, GpuEvaluator, Want};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct GpuScorer {
    inner: Rc<GpuEvaluator>,
}

#[wasm_bindgen]
impl GpuScorer {
    /// Starts WebGPU (`compute`: "webgpu" takes any adapter, "auto" refuses a fallback one) and
    /// prepares the targets; rejects with the reason when there is no usable GPU.
    pub async fn create(
        reference_bytes: Vec<u8>,
        batch_files: js_sys::Array,
        options: JsValue,
        compute: String,
    ) -> Result<GpuScorer, JsError> {
        let Some(want) = Want::for_compute(compute.parse::<Compute>().map_err(js_err)?) else {
            return Err(JsError::new("compute=cpu asks for no GPU"));
        };
        // The GPU first: without one the worker falls back to a CPU scorer, which prepares the
        // targets itself (a forward pass of the reference not to be run twice).
        let gpu = Gpu::new(want).await.map_err(js_err)?;
        let cpu = evaluator(&reference_bytes, &batch_files, options)?;
        let inner = GpuEvaluator::new(gpu, &cpu.targets, cpu.options, cpu.seed).map_err(js_err)?;
        Ok(Self { inner: Rc::new(inner) })
    }

    /// The adapter: `{name, backend, software}`.
    pub fn adapter(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.gpu.adapter)
    }

    /// A promise of the RMI score of one initialisation of an architecture (as `Scorer.score`).
    pub fn score(
        &self,
        space: &str,
        arch: &str,
        replicate: u32,
        steps: Option<u32>,
    ) -> Result<js_sys::Promise, JsError> {
        let trial = trial(space, arch, replicate, steps)?;
        let inner = self.inner.clone();
        Ok(wasm_bindgen_futures::future_to_promise(async move {
            match inner.score_async(&trial).await {
                Ok(score) => Ok(JsValue::from_f64(score.rmi)),
                Err(e) => Err(js_err(e).into()),
            }
        }))
    }

    /// A promise of one initialisation's training step by step (as `Scorer.curve`), on the GPU:
    /// the last step's `rmi` is what [`GpuScorer::score`] gives it.
    pub fn curve(&self, space: &str, arch: &str, replicate: u32) -> Result<js_sys::Promise, JsError> {
        let trial = trial(space, arch, replicate, None)?;
        let inner = self.inner.clone();
        Ok(wasm_bindgen_futures::future_to_promise(async move {
            match inner.curve_async(&trial.arch, replicate).await {
                Ok(curve) => to_js(&curve).map_err(JsValue::from),
                Err(e) => Err(js_err(e).into()),
            }
        }))
    }

    /// Makes the device lost, as a driver reset would (the page's fallback test).
    #[wasm_bindgen(js_name = loseDevice)]
    pub fn lose_device(&self) {
        self.inner.gpu.destroy();
    }
}
