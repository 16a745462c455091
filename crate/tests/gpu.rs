//! The GPU executor against candle's on the CPU. Runs on whatever adapter wgpu finds (lavapipe on
//! CI, a software Vulkan); skipped with a note where there is none, unless EVRSNAS_REQUIRE_GPU is
//! set (as `./dev test` sets it once it has installed lavapipe).

#![cfg(not(target_arch = "wasm32"))]

use evrsnas::gpu::{self, Gpu, Want};
use evrsnas::nn::Params;
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

#[test]
fn every_kernel_matches_the_cpu_on_random_shapes() -> Result<()> {
    let Some(gpu) = gpu_or_skip() else { return Ok(()) };
    let worst = pollster::block_on(evrsnas::devtools::gpu_check::random_cases(&gpu, 10))?;
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
    let mut cpu = evrsnas::RmiEvaluator::new(
        targets(6, 4)?,
        RmiOptions {
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
        3,
    );
    let mut rng = StdRng::seed_from_u64(2);
    let trials: Vec<evrsnas::Trial> = (0..3)
        .map(|_| evrsnas::Trial::first(Space::Nb201.sample(&mut rng)))
        .collect();
    let expected: Vec<f64> = trials.iter().map(|t| Ok(cpu.score(t)?.rmi)).collect::<Result<_>>()?;
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
