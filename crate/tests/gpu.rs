//! The GPU executor against candle's on the CPU. Runs on whatever adapter wgpu finds (lavapipe on
//! CI, a software Vulkan); skipped with a note where there is none, unless EVRSNAS_REQUIRE_GPU is
//! set (as `./dev test` sets it once it has installed lavapipe).

#![cfg(not(target_arch = "wasm32"))]

use candle_core::Tensor;
use evrsnas::gpu::{self, check, Gpu, LossInputs, Want};
use evrsnas::nn::Params;
use evrsnas::proxy::execute::GraphNet;
use evrsnas::proxy::graph::Op;
use evrsnas::proxy::{self, Features};
use evrsnas::rmi::{self, RmiTargets};
use evrsnas::{Arch, Kernels, ProxyConfig, Result, RmiConfig, RmiOptions, Space};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn gpu_or_skip() -> Option<Gpu> {
    match Gpu::blocking(Want::Any) {
        Ok(gpu) => Some(gpu),
        Err(e) if std::env::var("EVRSNAS_REQUIRE_GPU").is_ok() => panic!("{e}"),
        Err(e) => {
            eprintln!("skipped: {e}");
            None
        }
    }
}

fn targets(images: usize, seed: u64) -> Result<RmiTargets> {
    let reference = evrsnas::Reference::new(1, 10, Params::seeded(11, Kernels::Fast))?;
    let mut rng = StdRng::seed_from_u64(seed);
    let pixels: Vec<u8> = (0..images * evrsnas::data::PIXELS).map(|_| rng.random()).collect();
    RmiTargets::new(&reference, &evrsnas::data::to_tensor(&pixels, images)?)
}

/// max |gpu − cpu| over the tensor, relative to max |cpu| (its scale).
fn relative_error(gpu: &[f32], cpu: &[f32]) -> f64 {
    assert_eq!(gpu.len(), cpu.len());
    let scale = cpu.iter().fold(0.0f64, |m, &v| m.max(v.abs() as f64));
    let diff = gpu
        .iter()
        .zip(cpu)
        .fold(0.0f64, |m, (&a, &b)| m.max((a as f64 - b as f64).abs()));
    if scale == 0.0 {
        diff
    } else {
        diff / scale
    }
}

fn values(t: Option<&Tensor>, len: usize) -> Result<Vec<f32>> {
    Ok(match t {
        Some(t) => t.flatten_all()?.to_vec1::<f32>()?,
        None => vec![0.0; len],
    })
}

fn random_like(len: usize, rng: &mut StdRng) -> Vec<f32> {
    (0..len).map(|_| rng.random_range(-1.0..1.0)).collect()
}

fn assert_close(gpu: &[f32], cpu: &[f32], what: &str) -> f64 {
    let e = relative_error(gpu, cpu);
    assert!(e < 1e-4, "{what} off by {e:.2e}");
    e
}

/// Each operation of `arch`'s proxy run on the GPU from the CPU's values of its inputs, and
/// backward from a random upstream gradient: its output, the gradient it passes to each input
/// and its parameters' gradients within 1e-4 of candle's (relative to each tensor's largest
/// magnitude). Then the loss (CE and the three CKAs) and its gradients from the CPU's stage
/// outputs and logits. Returns the worst error seen.
fn compare_kernels(gpu: &Gpu, arch: &Arch, proxy_config: &ProxyConfig, targets: &RmiTargets, seed: u64) -> Result<f64> {
    let beta = 0.8;
    let tv = targets.values()?;
    let graph = proxy::graph(arch, proxy_config, tv.classes)?;
    let net = GraphNet::new(graph.clone(), Params::seeded(seed, Kernels::Fast))?;
    let params = net.parameter_values()?;
    let n = tv.labels.len();
    let device = candle_core::Device::Cpu;
    let x = Tensor::from_vec(tv.images.clone(), (n, 3, 32, 32), &device)?;
    let nodes = net.node_values(&x)?;
    let flat = |t: &Tensor| -> Result<Vec<f32>> { Ok(t.flatten_all()?.to_vec1::<f32>()?) };
    let mut rng = StdRng::seed_from_u64(seed);
    let mut worst = 0.0f64;
    for (id, node) in graph.nodes.iter().enumerate() {
        if matches!(node.op, Op::Input | Op::Zeros { .. }) {
            continue;
        }
        let what = |part: &str| format!("{arch}: node {id} ({:?}) {part}", node.op);
        // The CPU: the operation on leaf copies of its inputs, loss Σ y·dy.
        let inputs = node.op.inputs();
        let mut local = nodes.clone();
        let mut leaves = vec![];
        for &i in &inputs {
            let leaf = candle_core::Var::from_tensor(&nodes[i].detach())?;
            local[i] = leaf.as_tensor().clone();
            leaves.push((i, leaf));
        }
        let y = net.apply(node.op, &local)?;
        let dy = random_like(y.elem_count(), &mut rng);
        let grads = (&y * Tensor::from_vec(dy.clone(), y.dims(), &device)?)?
            .sum_all()?
            .backward()?;

        let given: Vec<_> = inputs
            .iter()
            .map(|&i| Ok((i, flat(&nodes[i])?)))
            .collect::<Result<_>>()?;
        let pass = pollster::block_on(check::node_pass(gpu, &graph, id, n, &given, &params, &dy))?;
        worst = worst.max(assert_close(&pass.value, &flat(&y)?, &what("value")));
        for (i, g) in &pass.input_grads {
            let leaf = &leaves.iter().find(|(j, _)| j == i).expect("an input's leaf").1;
            let cpu = values(grads.get(leaf), g.len())?;
            worst = worst.max(assert_close(g, &cpu, &what(&format!("gradient to node {i}"))));
        }
        for (p, var) in net.parameters().iter().enumerate() {
            if let Some(g) = grads.get(var) {
                let name = &graph.params[p].name;
                worst = worst.max(assert_close(&pass.param_grads[p], &flat(g)?, &what(name)));
            }
        }
    }

    // The loss on leaf copies of the stage outputs and logits.
    let leaf = |i: usize| candle_core::Var::from_tensor(&nodes[i].detach());
    let stage_vars = [leaf(graph.stages[0])?, leaf(graph.stages[1])?, leaf(graph.stages[2])?];
    let logits = leaf(graph.logits)?;
    let features = Features::new(
        stage_vars.iter().map(|v| v.as_tensor().clone()).collect(),
        logits.as_tensor().clone(),
    )?;
    let (loss, cka_sum) = targets.loss_of(&features, beta)?;
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
    let pass = pollster::block_on(check::loss_pass(gpu, &graph, &params, &inputs, &given))?;
    let cka: f32 = pass.scalars[1..4].iter().sum();
    let gpu_loss = beta as f32 * (3.0 - cka) + (1.0 - beta as f32) * pass.scalars[0];
    worst = worst.max(assert_close(
        &[cka],
        &[cka_sum.to_scalar::<f32>()?],
        &format!("{arch}: Σ CKA"),
    ));
    worst = worst.max(assert_close(
        &[gpu_loss],
        &[loss.to_scalar::<f32>()?],
        &format!("{arch}: loss"),
    ));
    for (s, var) in stage_vars.iter().enumerate() {
        let cpu = values(grads.get(var), pass.stage_grads[s].len())?;
        worst = worst.max(assert_close(
            &pass.stage_grads[s],
            &cpu,
            &format!("{arch}: stage {s}'s loss gradient"),
        ));
    }
    let cpu = values(grads.get(&logits), pass.logits_grad.len())?;
    worst = worst.max(assert_close(
        &pass.logits_grad,
        &cpu,
        &format!("{arch}: the logits' loss gradient"),
    ));
    Ok(worst)
}

#[test]
fn every_kernel_matches_the_cpu_on_random_shapes() -> Result<()> {
    let Some(gpu) = gpu_or_skip() else { return Ok(()) };
    let mut rng = StdRng::seed_from_u64(21);
    let mut worst = 0.0f64;
    // Random proxies of both spaces (every op: grouped, depthwise, strided, 1×1 to 5×5
    // convolutions, batch norm, ReLU, both poolings, sums, the head), random batch sizes.
    for case in 0..10 {
        let images = rng.random_range(3..=12);
        let targets = targets(images, case)?;
        let mut config = ProxyConfig::default();
        config.nb201.channels = rng.random_range(2..=6);
        config.nb201.cells = rng.random_range(1..=2);
        config.fbnet.channel_divisor = rng.random_range(4..=8);
        config.fbnet.layers_per_stage = rng.random_range(1..=2);
        let space = if case % 2 == 0 { Space::Nb201 } else { Space::Fbnet };
        let arch = space.sample(&mut rng);
        worst = worst.max(compare_kernels(&gpu, &arch, &config, &targets, case)?);
    }
    eprintln!("worst relative error over values and gradients: {worst:.2e}");
    Ok(())
}

fn options(steps: usize) -> RmiOptions {
    RmiOptions {
        config: RmiConfig {
            steps,
            ..RmiConfig::default()
        },
        proxy: ProxyConfig::default(),
        kernels: Kernels::Fast,
    }
}

#[test]
fn after_one_step_the_score_matches_the_cpu() -> Result<()> {
    let Some(gpu) = gpu_or_skip() else { return Ok(()) };
    // The bundled batch's size, the default proxies.
    let targets = targets(20, 3)?;
    let tv = targets.values()?;
    let opts = options(1);
    let mut rng = StdRng::seed_from_u64(9);
    let archs: Vec<Arch> = (0..25)
        .map(|i| match i < 20 {
            true => Space::Nb201.sample(&mut rng),
            false => Space::Fbnet.sample(&mut rng),
        })
        .collect();
    let mut worst = 0.0f64;
    for arch in &archs {
        let cpu = rmi::score(arch, &targets, &opts, 7)?;
        let on_gpu = pollster::block_on(gpu::score(&gpu, arch, &tv, &opts, 7))?;
        assert_eq!(cpu.diverged, on_gpu.diverged, "{arch}");
        let d = (cpu.rmi - on_gpu.rmi).abs();
        assert!(
            d < 1e-4,
            "{arch}: RMI {} on the GPU, {} on the CPU",
            on_gpu.rmi,
            cpu.rmi
        );
        worst = worst.max(d);
    }
    eprintln!("largest K = 1 RMI difference over {} cells: {worst:.2e}", archs.len());
    Ok(())
}

/// A device lost mid-search (destroyed, as a driver reset leaves it) hands over to the CPU: the
/// trial it failed on is scored there, so the scores are the CPU's from then on and none is lost.
#[test]
fn a_lost_device_falls_back_to_the_cpu_without_losing_a_score() -> Result<()> {
    if gpu_or_skip().is_none() {
        return Ok(());
    }
    let cpu = evrsnas::RmiEvaluator {
        targets: targets(6, 4)?,
        options: RmiOptions {
            config: RmiConfig {
                steps: 2,
                ..RmiConfig::default()
            },
            proxy: {
                let mut p = ProxyConfig::default();
                p.nb201.channels = 4;
                p
            },
            kernels: Kernels::Fast,
        },
        seed: 3,
    };
    let mut rng = StdRng::seed_from_u64(2);
    let trials: Vec<evrsnas::Trial> = (0..3)
        .map(|_| evrsnas::Trial::first(Space::Nb201.sample(&mut rng)))
        .collect();
    let expected: Vec<f64> = trials
        .iter()
        .map(|t| Ok(rmi::score(&t.arch, &cpu.targets, &cpu.options, cpu.seed)?.rmi))
        .collect::<Result<_>>()?;
    let mut scorer = gpu::GpuOrCpu::new(evrsnas::Compute::Gpu, cpu);
    assert_eq!(scorer.status().running, "gpu", "{}", scorer.status());
    let first = scorer.score(&trials[0])?.rmi;
    assert!((first - expected[0]).abs() < 1e-3, "{first} vs {}", expected[0]);
    scorer.lose_device();
    for (t, want) in trials[1..].iter().zip(&expected[1..]) {
        assert_eq!(scorer.score(t)?.rmi, *want);
    }
    let status = scorer.status();
    assert_eq!(status.running, "cpu");
    let why = status.fallback.as_deref().unwrap_or("");
    assert!(why.starts_with("the GPU failed mid-search"), "{why}");
    Ok(())
}
