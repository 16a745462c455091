//! The GPU executor against the CPU's: whole candidates trained both ways. Runs on whatever
//! adapter wgpu finds (lavapipe on CI, a software Vulkan); skipped with a note where none exists.

#![cfg(not(target_arch = "wasm32"))]

use evrsnas::gpu::{self, Gpu, Want};
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

fn targets(images: usize) -> Result<RmiTargets> {
    let reference = evrsnas::Reference::new(1, 10, evrsnas::nn::Params::seeded(11, Kernels::Fast))?;
    let mut rng = StdRng::seed_from_u64(5);
    let pixels: Vec<u8> = (0..images * evrsnas::data::PIXELS).map(|_| rng.random()).collect();
    RmiTargets::new(&reference, &evrsnas::data::to_tensor(&pixels, images)?)
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
fn one_step_matches_the_cpu() -> Result<()> {
    let Some(gpu) = gpu_or_skip() else { return Ok(()) };
    let targets = targets(20)?;
    let values = targets.values()?;
    let opts = options(1);
    let mut rng = StdRng::seed_from_u64(9);
    for i in 0..3 {
        let arch = Space::Nb201.sample(&mut rng);
        let t0 = std::time::Instant::now();
        let cpu = rmi::training_curve(&arch, &targets, &opts, 7)?;
        let t1 = std::time::Instant::now();
        let (on_gpu, counts) = pollster::block_on(gpu::training_curve(&gpu, &arch, &values, &opts, 7))?;
        let t2 = std::time::Instant::now();
        eprintln!("{i} {arch}: cpu {:?} gpu {:?} ({:?} vs {:?}) {counts:?}", cpu, on_gpu, t1 - t0, t2 - t1);
    }
    Ok(())
}
