//! The GPU executor's kernels against candle's, one operation at a time: each node of a proxy
//! graph run on the GPU from the CPU's values of its inputs and backward from a random upstream
//! gradient, then the loss from the CPU's stage outputs and logits. Shared by the native test
//! (lavapipe) and the browser's (SwiftShader, through the developer wasm's `gpuKernelCheck`).

use crate::gpu::fuse::Fusion;
use crate::gpu::{check, Gpu, LossInputs};
use crate::nn::Params;
use crate::proxy::execute::GraphNet;
use crate::proxy::graph::Op;
use crate::proxy::{self, Features};
use crate::rmi::RmiTargets;
use crate::space::{Arch, Space};
use crate::{bail, Kernels, ProxyConfig, Result};
use candle_core::{Tensor, Var};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The tolerance: max |gpu − cpu| over a tensor, relative to the tensor's largest magnitude.
pub const TOLERANCE: f64 = 1e-4;

/// max |gpu − cpu| over the tensor, relative to max |cpu| (its scale).
pub fn relative_error(gpu: &[f32], cpu: &[f32]) -> f64 {
    let scale = cpu.iter().fold(0.0f64, |m, &v| m.max(v.abs() as f64));
    let diff = gpu
        .iter()
        .zip(cpu)
        .fold(0.0f64, |m, (&a, &b)| m.max((a as f64 - b as f64).abs()));
    match (gpu.len() == cpu.len(), scale == 0.0) {
        (false, _) => f64::INFINITY,
        (true, true) => diff,
        (true, false) => diff / scale,
    }
}

fn flat(t: &Tensor) -> Result<Vec<f32>> {
    Ok(t.flatten_all()?.to_vec1::<f32>()?)
}

fn grad_or_zeros(grads: &candle_core::backprop::GradStore, of: &Var, len: usize) -> Result<Vec<f32>> {
    match grads.get(of) {
        Some(g) => flat(g),
        None => Ok(vec![0.0; len]),
    }
}

/// Keeps the worst error seen, and fails on the first beyond [`TOLERANCE`].
struct Worst(f64);

impl Worst {
    fn check(&mut self, gpu: &[f32], cpu: &[f32], what: impl FnOnce() -> String) -> Result<()> {
        let e = relative_error(gpu, cpu);
        if e.is_nan() || e >= TOLERANCE {
            bail!("{} off by {e:.2e}", what())
        }
        self.0 = self.0.max(e);
        Ok(())
    }
}

/// Every operation of `arch`'s proxy and the loss, checked; returns the worst relative error.
pub async fn compare_kernels(
    gpu: &Gpu,
    arch: &Arch,
    config: &ProxyConfig,
    targets: &RmiTargets,
    seed: u64,
) -> Result<f64> {
    let beta = 0.8;
    let tv = targets.values()?;
    let graph = proxy::graph(arch, config, tv.classes)?;
    let net = GraphNet::new(graph.clone(), Params::seeded(seed, Kernels::Fast))?;
    let params = net.parameter_values()?;
    let n = tv.labels.len();
    let device = candle_core::Device::Cpu;
    let x = Tensor::from_vec(tv.images.clone(), (n, 3, 32, 32), &device)?;
    let nodes = net.node_values(&x)?;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut worst = Worst(0.0);
    // Each operation alone, then each convolution through the ReLU training folds into it.
    let fusion = Fusion::of(&graph);
    let mut chains: Vec<Vec<usize>> = vec![];
    for (id, node) in graph.nodes.iter().enumerate() {
        if !matches!(node.op, Op::Input | Op::Zeros { .. }) {
            chains.push(vec![id]);
        }
        if let Some(relu) = fusion.relu_of_conv(id) {
            chains.push(vec![relu, id]);
        }
    }
    for chain in chains {
        let (first, id) = (chain[0], chain[chain.len() - 1]);
        let node = &graph.nodes[id];
        let what = |part: &str| match chain.len() {
            1 => format!("{arch}: node {id} ({:?}) {part}", node.op),
            _ => format!("{arch}: node {id} ({:?}) through a folded ReLU, {part}", node.op),
        };
        // The CPU: the operations on leaf copies of the first one's inputs, loss Σ y·dy.
        let inputs = graph.nodes[first].op.inputs();
        let mut local = nodes.clone();
        let mut leaves = vec![];
        for &i in &inputs {
            let leaf = Var::from_tensor(&nodes[i].detach())?;
            local[i] = leaf.as_tensor().clone();
            leaves.push((i, leaf));
        }
        for &step in &chain {
            local[step] = net.apply(graph.nodes[step].op, &local)?;
        }
        let y = local[id].clone();
        let dy: Vec<f32> = (0..y.elem_count()).map(|_| rng.random_range(-1.0..1.0)).collect();
        let grads = (&y * Tensor::from_vec(dy.clone(), y.dims(), &device)?)?
            .sum_all()?
            .backward()?;

        let given: Vec<_> = inputs
            .iter()
            .map(|&i| Ok((i, flat(&nodes[i])?)))
            .collect::<Result<_>>()?;
        let pass = match chain.len() {
            1 => check::node_pass(gpu, &graph, id, n, &given, &params, &dy).await?,
            _ => check::folded_pass(gpu, &graph, id, n, &given, &params, &dy).await?,
        };
        worst.check(&pass.value, &flat(&y)?, || what("value"))?;
        for (i, g) in &pass.input_grads {
            let Some((_, leaf)) = leaves.iter().find(|(j, _)| j == i) else {
                bail!("node {id} passed a gradient to node {i}, which it does not read")
            };
            worst.check(g, &grad_or_zeros(&grads, leaf, g.len())?, || {
                what(&format!("gradient to node {i}"))
            })?;
        }
        for (p, var) in net.parameters().iter().enumerate() {
            if let Some(g) = grads.get(var) {
                worst.check(&pass.param_grads[p], &flat(g)?, || what(&graph.params[p].name))?;
            }
        }
    }

    // The loss on leaf copies of the stage outputs and logits.
    let leaf = |i: usize| Var::from_tensor(&nodes[i].detach());
    let stage_vars = [leaf(graph.stages[0])?, leaf(graph.stages[1])?, leaf(graph.stages[2])?];
    let logits = leaf(graph.logits)?;
    let stages = stage_vars.iter().map(|v| v.as_tensor().clone()).collect();
    let (loss, cka_sum) = targets.loss_of(&Features::new(stages, logits.as_tensor().clone())?, beta)?;
    let grads = loss.backward()?;
    let inputs = LossInputs {
        images: &tv.images,
        unit_grams: [&tv.unit_grams[0], &tv.unit_grams[1], &tv.unit_grams[2]],
        labels: &tv.labels,
        beta: beta as f32,
    };
    let given: Vec<_> = graph
        .stages
        .iter()
        .chain([&graph.logits])
        .map(|&i| Ok((i, flat(&nodes[i])?)))
        .collect::<Result<_>>()?;
    let pass = check::loss_pass(gpu, &graph, &params, &inputs, &given).await?;
    let cka: f32 = pass.scalars[1..4].iter().sum();
    let gpu_loss = beta as f32 * (3.0 - cka) + (1.0 - beta as f32) * pass.scalars[0];
    worst.check(&[cka], &[cka_sum.to_scalar::<f32>()?], || format!("{arch}: Σ CKA"))?;
    worst.check(&[gpu_loss], &[loss.to_scalar::<f32>()?], || format!("{arch}: loss"))?;
    for (s, var) in stage_vars.iter().enumerate() {
        let cpu = grad_or_zeros(&grads, var, pass.stage_grads[s].len())?;
        worst.check(&pass.stage_grads[s], &cpu, || {
            format!("{arch}: stage {s}'s loss gradient")
        })?;
    }
    let cpu = grad_or_zeros(&grads, &logits, pass.logits_grad.len())?;
    worst.check(&pass.logits_grad, &cpu, || format!("{arch}: the logits' loss gradient"))?;
    Ok(worst.0)
}

/// `cases` random proxies of both spaces (every op: grouped, depthwise, strided, 1×1 to 5×5
/// convolutions, batch norm, ReLU, both poolings, sums, the head), on random batch sizes against a
/// random reference; returns the worst relative error, or the first beyond [`TOLERANCE`].
pub async fn random_cases(gpu: &Gpu, cases: u64) -> Result<f64> {
    let mut rng = StdRng::seed_from_u64(21);
    let reference = crate::Reference::new(1, 10, Params::seeded(11, Kernels::Fast))?;
    let mut worst = 0.0f64;
    for case in 0..cases {
        let images = rng.random_range(3..=12);
        let mut pixels_rng = StdRng::seed_from_u64(case);
        let pixels: Vec<u8> = (0..images * crate::data::PIXELS).map(|_| pixels_rng.random()).collect();
        let targets = RmiTargets::new(&reference, &crate::data::to_tensor(&pixels, images)?)?;
        let mut config = ProxyConfig::default();
        config.nb201.channels = rng.random_range(2..=6);
        config.nb201.cells = rng.random_range(1..=2);
        config.fbnet.channel_divisor = rng.random_range(4..=8);
        config.fbnet.layers_per_stage = rng.random_range(1..=2);
        let space = if case % 2 == 0 { Space::Nb201 } else { Space::Fbnet };
        let arch = space.sample(&mut rng);
        worst = worst.max(compare_kernels(gpu, &arch, &config, &targets, case).await?);
    }
    Ok(worst)
}
