//! The few layers our networks need, with seeded initialisation.
//!
//! candle-nn's `VarBuilder` draws initial weights from the device RNG, which cannot be seeded on the
//! CPU; RMI needs a candidate's initial weights to be a function of (search seed, architecture) alone.
//! [`Params`] plays the role of `VarBuilder` (same `pp` nesting, PyTorch-style names) and either draws
//! from a seeded generator or loads named tensors (safetensors). Initialisation follows PyTorch's
//! defaults. Convolutions go through [`crate::kernels`], so the stock or the fast kernels can serve.

use crate::kernels::{self, Conv2dSpec, Kernels};
use candle_core::{bail, DType, Device, Module, ModuleT, Result, Tensor, Var, D};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

enum Source {
    Init(Box<StdRng>),
    Load(HashMap<String, Tensor>),
}

struct Store {
    source: Source,
    trainable: Vec<(String, Var)>,
    buffers: Vec<(String, Var)>,
}

/// How a fresh parameter is initialised.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Init {
    Const(f32),
    /// U(−bound, bound).
    Uniform(f32),
}

/// A parameter store with a name prefix; cheap to clone, clones share the store.
#[derive(Clone)]
pub struct Params {
    store: Arc<Mutex<Store>>,
    prefix: String,
    device: Device,
    kernels: Kernels,
}

impl Params {
    /// Fresh parameters drawn from a generator seeded with `seed`.
    pub fn seeded(seed: u64, kernels: Kernels) -> Self {
        Self::with_source(Source::Init(Box::new(StdRng::seed_from_u64(seed))), kernels)
    }

    /// Parameters loaded from named tensors (e.g. a safetensors file).
    pub fn from_tensors(tensors: HashMap<String, Tensor>, kernels: Kernels) -> Self {
        Self::with_source(Source::Load(tensors), kernels)
    }

    fn with_source(source: Source, kernels: Kernels) -> Self {
        Self {
            store: Arc::new(Mutex::new(Store {
                source,
                trainable: vec![],
                buffers: vec![],
            })),
            prefix: String::new(),
            device: Device::Cpu,
            kernels,
        }
    }

    /// A view whose names are prefixed with `name.`.
    pub fn pp(&self, name: impl std::fmt::Display) -> Self {
        let prefix = if self.prefix.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.prefix)
        };
        Self { prefix, ..self.clone() }
    }

    pub fn kernels(&self) -> Kernels {
        self.kernels
    }

    fn full_name(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.prefix)
        }
    }

    fn make(&self, shape: &[usize], name: &str, init: Init, trainable: bool) -> Result<Var> {
        let full = self.full_name(name);
        let mut store = self.store.lock().expect("parameter store poisoned");
        let tensor = match &mut store.source {
            Source::Init(rng) => {
                let n: usize = shape.iter().product();
                let data: Vec<f32> = match init {
                    Init::Const(c) => vec![c; n],
                    Init::Uniform(b) => (0..n).map(|_| rng.random_range(-b..=b)).collect(),
                };
                Tensor::from_vec(data, shape, &self.device)?
            }
            Source::Load(map) => {
                let t = map
                    .get(&full)
                    .ok_or_else(|| candle_core::Error::Msg(format!("weights lack tensor '{full}'")))?;
                if t.dims() != shape {
                    bail!("tensor '{full}' has shape {:?}, expected {shape:?}", t.dims())
                }
                t.to_dtype(DType::F32)?
            }
        };
        let var = Var::from_tensor(&tensor)?;
        let list = if trainable {
            &mut store.trainable
        } else {
            &mut store.buffers
        };
        list.push((full, var.clone()));
        Ok(var)
    }

    /// A trainable parameter.
    pub fn get(&self, shape: &[usize], name: &str, init: Init) -> Result<Var> {
        self.make(shape, name, init, true)
    }

    /// A non-trainable buffer (batch-norm running statistics).
    pub fn buffer(&self, shape: &[usize], name: &str, init: Init) -> Result<Var> {
        self.make(shape, name, init, false)
    }

    /// Trainable parameters, in creation order.
    pub fn trainable(&self) -> Vec<Var> {
        let store = self.store.lock().expect("parameter store poisoned");
        store.trainable.iter().map(|(_, v)| v.clone()).collect()
    }

    /// Every parameter and buffer by name, e.g. to save as safetensors.
    pub fn named_tensors(&self) -> HashMap<String, Tensor> {
        let store = self.store.lock().expect("parameter store poisoned");
        store
            .trainable
            .iter()
            .chain(&store.buffers)
            .map(|(n, v)| (n.clone(), v.as_tensor().clone()))
            .collect()
    }
}

/// A bias-free convolution's weight shape `[out, in/groups, k, k]` and PyTorch's default
/// initialisation, U(±1/√fan_in); refuses channels the groups cannot split.
pub fn conv_weight(c_in: usize, c_out: usize, k: usize, groups: usize) -> Result<([usize; 4], Init)> {
    if groups == 0 || !c_in.is_multiple_of(groups) || !c_out.is_multiple_of(groups) {
        bail!("conv2d: {c_in}→{c_out} channels cannot be split into {groups} groups")
    }
    let fan_in = (c_in / groups) * k * k;
    Ok((
        [c_out, c_in / groups, k, k],
        Init::Uniform(1.0 / (fan_in as f32).sqrt()),
    ))
}

/// PyTorch's initialisation of a fully connected layer's weight and bias, U(±1/√in).
pub fn linear_init(c_in: usize) -> Init {
    Init::Uniform(1.0 / (c_in as f32).sqrt())
}

/// 2-D convolution without bias (every conv here is followed by batch norm).
#[derive(Clone, Debug)]
pub struct Conv2d {
    weight: Var,
    spec: Conv2dSpec,
    kernels: Kernels,
}

/// `conv2d(in, out, k, stride, padding, groups, p)`; weight `[out, in/groups, k, k]` named `weight`.
pub fn conv2d(
    c_in: usize,
    c_out: usize,
    k: usize,
    stride: usize,
    padding: usize,
    groups: usize,
    p: Params,
) -> Result<Conv2d> {
    let (shape, init) = conv_weight(c_in, c_out, k, groups)?;
    let weight = p.get(&shape, "weight", init)?;
    Ok(Conv2d {
        weight,
        spec: Conv2dSpec {
            stride,
            padding,
            groups,
        },
        kernels: p.kernels(),
    })
}

impl Module for Conv2d {
    // x: [N, C_in, H, W] -> [N, C_out, H', W']
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        kernels::conv2d(x, self.weight.as_tensor(), self.spec, self.kernels)
    }
}

/// Batch normalisation over `[N, C, H, W]` with affine weight and bias, and optional running
/// statistics (a candidate trained for K steps only ever uses batch statistics).
#[derive(Clone, Debug)]
pub struct BatchNorm {
    weight: Var,
    bias: Var,
    running: Option<(Var, Var)>,
    eps: f64,
    momentum: f64,
    kernels: Kernels,
}

pub fn batch_norm(c: usize, track_running_stats: bool, p: Params) -> Result<BatchNorm> {
    let weight = p.get(&[c], "weight", Init::Const(1.0))?;
    let bias = p.get(&[c], "bias", Init::Const(0.0))?;
    let running = if track_running_stats {
        Some((
            p.buffer(&[c], "running_mean", Init::Const(0.0))?,
            p.buffer(&[c], "running_var", Init::Const(1.0))?,
        ))
    } else {
        None
    };
    Ok(BatchNorm {
        weight,
        bias,
        running,
        eps: 1e-5,
        momentum: 0.1,
        kernels: p.kernels(),
    })
}

impl ModuleT for BatchNorm {
    fn forward_t(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        let c = self.weight.dim(0)?;
        if x.rank() != 4 || x.dim(1)? != c {
            bail!("batch norm over {c} channels got input of shape {:?}", x.dims())
        }
        match (&self.running, train) {
            (Some((mean, var)), false) => {
                let scale = (self.weight.as_tensor() / (var.as_tensor() + self.eps)?.sqrt()?)?;
                let shift = (self.bias.as_tensor() - (mean.as_tensor() * &scale)?)?;
                x.broadcast_mul(&scale.reshape((1, c, 1, 1))?)?
                    .broadcast_add(&shift.reshape((1, c, 1, 1))?)
            }
            _ => {
                let (y, stats) = kernels::batch_norm_train(
                    x,
                    self.weight.as_tensor(),
                    self.bias.as_tensor(),
                    self.eps,
                    self.kernels,
                    self.running.is_some(),
                )?;
                if let (Some((mean, var)), Some((batch_mean, batch_var))) = (&self.running, stats) {
                    // PyTorch updates the running variance with the unbiased batch variance.
                    let n = (x.elem_count() / c) as f64;
                    let unbiased = (batch_var * (n / (n - 1.0).max(1.0)))?;
                    mean.set(&((mean.as_tensor() * (1.0 - self.momentum))? + (batch_mean * self.momentum)?)?)?;
                    var.set(&((var.as_tensor() * (1.0 - self.momentum))? + (unbiased * self.momentum)?)?)?;
                }
                Ok(y)
            }
        }
    }
}

/// ReLU through the selected kernels (the fast one has a one-pass backward).
#[derive(Clone, Copy, Debug)]
pub struct Relu(Kernels);

pub fn relu(p: &Params) -> Relu {
    Relu(p.kernels())
}

impl Module for Relu {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        kernels::relu(x, self.0)
    }
}

/// Fully connected layer with bias.
#[derive(Clone, Debug)]
pub struct Linear {
    weight: Var,
    bias: Var,
}

pub fn linear(c_in: usize, c_out: usize, p: Params) -> Result<Linear> {
    Ok(Linear {
        weight: p.get(&[c_out, c_in], "weight", linear_init(c_in))?,
        bias: p.get(&[c_out], "bias", linear_init(c_in))?,
    })
}

impl Module for Linear {
    // x: [N, C_in] -> [N, C_out]
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        x.matmul(&self.weight.as_tensor().t()?)?
            .broadcast_add(self.bias.as_tensor())
    }
}

/// Global average pooling: `[N, C, H, W] -> [N, C]`.
pub fn global_avg_pool(x: &Tensor) -> Result<Tensor> {
    x.mean(D::Minus1)?.mean(D::Minus1)
}

/// 3×3 average pooling, stride 1, padding 1, not counting the padding (PyTorch's
/// `AvgPool2d(3, 1, 1, count_include_pad=False)`, as in NAS-Bench-201).
pub fn avg_pool_3x3(x: &Tensor, kernels: Kernels) -> Result<Tensor> {
    kernels::avg_pool_3x3(x, kernels)
}

/// 2×2 average pooling with stride 2 (the shortcut of NAS-Bench-201's reduction block).
pub fn avg_pool_2x2(x: &Tensor) -> Result<Tensor> {
    x.avg_pool2d(2)
}

/// Keeps every second row and column: `[N, C, H, W] -> [N, C, H/2, W/2]` (x[:, :, ::2, ::2]).
pub fn subsample_2x(x: &Tensor) -> Result<Tensor> {
    let (n, c, h, w) = x.dims4()?;
    if h % 2 != 0 || w % 2 != 0 {
        bail!("subsample_2x needs even height and width, got {h}×{w}")
    }
    x.reshape((n, c, h / 2, 2, w / 2, 2))?
        .narrow(3, 0, 1)?
        .narrow(5, 0, 1)?
        .reshape((n, c, h / 2, w / 2))
}

/// What a network yields for RMI: three stage outputs `[N, C_i, H_i, W_i]` and logits `[N, classes]`.
pub struct Features {
    pub stages: [Tensor; 3],
    pub logits: Tensor,
}

impl Features {
    /// From the stage outputs collected in a forward pass; exactly three are expected.
    pub fn new(stages: Vec<Tensor>, logits: Tensor) -> Result<Self> {
        match <[Tensor; 3]>::try_from(stages) {
            Ok(stages) => Ok(Self { stages, logits }),
            Err(s) => candle_core::bail!("a network must yield 3 stage outputs, got {}", s.len()),
        }
    }
}

/// A network whose hidden representations RMI compares with the reference's.
pub trait Network {
    /// Forward pass; `train` selects batch statistics in batch norm.
    fn features(&self, x: &Tensor, train: bool) -> Result<Features>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn avg_pool_3x3_ignores_padding() -> Result<()> {
        let x = Tensor::ones((1, 1, 4, 5), DType::F32, &Device::Cpu)?;
        let y = avg_pool_3x3(&x, Kernels::Fast)?;
        let v = y.flatten_all()?.to_vec1::<f32>()?;
        assert!(v.iter().all(|&a| (a - 1.0).abs() < 1e-6), "{v:?}");
        Ok(())
    }

    #[test]
    fn seeded_params_are_reproducible() -> Result<()> {
        let a = conv2d(3, 4, 3, 1, 1, 1, Params::seeded(5, Kernels::Stock))?;
        let b = conv2d(3, 4, 3, 1, 1, 1, Params::seeded(5, Kernels::Stock))?;
        let diff = (a.weight.as_tensor() - b.weight.as_tensor())?.abs()?.sum_all()?;
        assert_eq!(diff.to_scalar::<f32>()?, 0.0);
        Ok(())
    }

    #[test]
    fn loading_checks_names_and_shapes() {
        let mut map = HashMap::new();
        map.insert(
            "c.weight".to_string(),
            Tensor::zeros((4, 3, 3, 3), DType::F32, &Device::Cpu).unwrap(),
        );
        let p = Params::from_tensors(map, Kernels::Stock);
        assert!(conv2d(3, 4, 3, 1, 1, 1, p.pp("c")).is_ok());
        assert!(conv2d(3, 5, 3, 1, 1, 1, p.pp("c")).is_err());
        assert!(conv2d(3, 4, 3, 1, 1, 1, p.pp("d")).is_err());
    }
}
