//! The GPU a search trains on: adapter and device, the compiled kernels, and errors caught by
//! error scopes (a validation error or a lost device is reported, never silent).

use super::kernels::{Kernel, MODULES};
use crate::{bail, Result};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Which adapters will do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Want {
    /// A hardware GPU; a software one (lavapipe, SwiftShader) is refused with the reason.
    Hardware,
    /// Whatever adapter there is, software included (tests, correctness checks).
    Any,
}

impl Want {
    /// The adapters a compute choice accepts; `None` for the CPU.
    pub fn for_compute(choice: crate::Compute) -> Option<Want> {
        match choice {
            crate::Compute::Cpu => None,
            crate::Compute::Auto => Some(Want::Hardware),
            crate::Compute::Gpu => Some(Want::Any),
        }
    }
}

/// The adapter in use, as the user is told.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AdapterSummary {
    pub name: String,
    pub backend: String,
    /// A CPU emulation (lavapipe, SwiftShader): correct but not fast.
    pub software: bool,
}

impl std::fmt::Display for AdapterSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = if self.software { ", a software adapter" } else { "" };
        let name = if self.name.is_empty() {
            "an unnamed adapter"
        } else {
            &self.name
        };
        write!(f, "{name} ({}{kind})", self.backend)
    }
}

/// A device with the kernels compiled.
pub struct Gpu {
    pub(super) device: wgpu::Device,
    pub(super) queue: wgpu::Queue,
    pipelines: Vec<wgpu::ComputePipeline>,
    pub adapter: AdapterSummary,
    lost: Arc<AtomicBool>,
    /// The first error no error scope caught (wgpu would panic on it otherwise).
    uncaught: Arc<Mutex<Option<String>>>,
}

impl Gpu {
    /// The first adapter wgpu offers (high performance preferred) that `want` accepts.
    pub async fn new(want: Want) -> Result<Self> {
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let options = wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            ..Default::default()
        };
        let adapter = match instance.request_adapter(&options).await {
            Ok(adapter) => adapter,
            // In a browser wgpu's message lists the native backends it was built without.
            Err(_) if cfg!(target_arch = "wasm32") => bail!("the browser offers no WebGPU adapter"),
            Err(e) => bail!("no GPU adapter: {e}"),
        };
        let info = adapter.get_info();
        let summary = AdapterSummary {
            name: info.name.clone(),
            backend: format!("{:?}", info.backend),
            software: info.device_type == wgpu::DeviceType::Cpu,
        };
        if want == Want::Hardware && summary.software {
            bail!("the only GPU adapter is {summary}, a CPU emulation")
        }
        let descriptor = wgpu::DeviceDescriptor {
            label: Some("evrsnas"),
            required_limits: adapter.limits(),
            ..Default::default()
        };
        let (device, queue) = match adapter.request_device(&descriptor).await {
            Ok(pair) => pair,
            Err(e) => bail!("the GPU adapter {summary} gave no device: {e}"),
        };
        let lost = Arc::new(AtomicBool::new(false));
        let flag = lost.clone();
        device.set_device_lost_callback(move |_, _| flag.store(true, Ordering::SeqCst));
        let uncaught = Arc::new(Mutex::new(None));
        let slot = uncaught.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            if let Ok(mut s) = slot.lock() {
                s.get_or_insert_with(|| e.to_string());
            }
        }));
        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let modules: Vec<wgpu::ShaderModule> = MODULES
            .iter()
            .map(|(name, source)| {
                device.create_shader_module(wgpu::ShaderModuleDescriptor {
                    label: Some(name),
                    source: wgpu::ShaderSource::Wgsl((*source).into()),
                })
            })
            .collect();
        let pipelines = Kernel::ALL
            .iter()
            .map(|kernel| {
                let (module, entry) = kernel.entry();
                let m = MODULES.iter().position(|(name, _)| *name == module).unwrap_or(0);
                device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some(entry),
                    layout: None,
                    module: &modules[m],
                    entry_point: Some(entry),
                    compilation_options: Default::default(),
                    cache: None,
                })
            })
            .collect();
        if let Some(e) = scope.pop().await {
            bail!("the GPU ({summary}) refused our kernels: {e}")
        }
        Ok(Self {
            device,
            queue,
            pipelines,
            adapter: summary,
            lost,
            uncaught,
        })
    }

    /// [`Gpu::new`], waiting for it (native builds).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn blocking(want: Want) -> Result<Self> {
        pollster::block_on(Self::new(want))
    }

    pub(super) fn pipeline(&self, kernel: Kernel) -> &wgpu::ComputePipeline {
        &self.pipelines[kernel.index()]
    }

    /// Destroys the device: every later run fails as on a lost device.
    pub fn destroy(&self) {
        self.lost.store(true, Ordering::SeqCst);
        self.device.destroy();
    }

    /// An error if the device was lost or refused work outside an error scope: nothing more may
    /// be asked of it.
    pub fn ensure_usable(&self) -> Result<()> {
        if self.is_lost() {
            bail!("the GPU ({}) was lost", self.adapter)
        }
        if let Some(e) = self.uncaught.lock().ok().and_then(|s| s.clone()) {
            bail!("the GPU ({}) reported an error: {e}", self.adapter)
        }
        Ok(())
    }

    /// Whether the device was lost (a driver reset, a removed GPU): every later run fails.
    pub fn is_lost(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
    }
}
