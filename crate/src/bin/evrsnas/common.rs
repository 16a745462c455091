//! What every command that trains candidates shares: where the assets are, the seed, how a
//! candidate is trained and on which batch, and the value parsers that hold flags to the schema's
//! bounds (so a flag refuses exactly what the page refuses, with the same message).

use clap::Args;
use evrsnas::assets::{BatchChoice, DirSource, Verified};
use evrsnas::cka::Estimator;
use evrsnas::gpu::GpuOrCpu;
use evrsnas::rmi::ScoreKind;
use evrsnas::schema::{self, IntRange, NumberRange};
use evrsnas::{Compute, Kernels, ProxyConfig, Reference, RmiConfig, RmiEvaluator, RmiOptions, RmiTargets};
use std::path::{Path, PathBuf};

pub type AnyResult<T> = Result<T, Box<dyn std::error::Error>>;

/// A flag's parser for an integer setting of the schema.
pub fn int<T: TryFrom<u64> + Clone + Send + Sync + 'static>(
    range: IntRange,
) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static {
    move |text| {
        let v = range.parse(text).map_err(|e| e.to_string())?;
        T::try_from(v).map_err(|_| format!("{} {v} does not fit this platform", range.name))
    }
}

/// A flag's parser for a real-valued setting of the schema.
pub fn number(range: NumberRange) -> impl Fn(&str) -> Result<f64, String> + Clone + Send + Sync + 'static {
    move |text| range.parse(text).map_err(|e| e.to_string())
}

/// Where a search looks: the space, and the device and metric whose costs count.
#[derive(Args)]
pub struct Target {
    /// Search space: nb201 or fbnet.
    #[arg(long)]
    pub space: evrsnas::Space,
    /// Device: edgegpu, raspi4, edgetpu, pixel3, eyeriss or fpga.
    #[arg(long)]
    pub device: evrsnas::Device,
    /// Cost metric (latency: the only one HW-NAS-Bench figures are bundled for).
    #[arg(long, default_value_t = evrsnas::Metric::Latency)]
    pub metric: evrsnas::Metric,
}

#[derive(Args)]
pub struct Common {
    /// Directory of the bundled assets (default: ./static, else the repository's static/).
    #[arg(long)]
    pub assets: Option<PathBuf>,
    /// Search seed: fixes the evolution and every candidate's initial weights.
    #[arg(long, default_value_t = 0, value_parser = int::<u64>(schema::SEED))]
    pub seed: u64,
    /// K, SGD steps on the batch per candidate.
    #[arg(long, default_value_t = RmiConfig::default().steps, value_parser = int::<usize>(schema::STEPS))]
    pub steps: usize,
    /// β, weight of the CKA term in the RMI loss.
    #[arg(long, default_value_t = RmiConfig::default().beta, value_parser = number(schema::BETA))]
    pub beta: f64,
    /// RMI batch: cifar10 (20 images) or cifar10-and-100 (40 images).
    #[arg(long, default_value_t = BatchChoice::default())]
    pub batch: BatchChoice,
    /// Use a folder of PNG and JPEG images (any size: centre-cropped and box-filtered to 32×32, as
    /// the page does with the images you pick) as the RMI batch instead.
    #[arg(long)]
    pub images: Option<PathBuf>,
    /// For comparison: the RMI batch drawn (seeded by --seed) from this folder of CIFAR-10
    /// training batches, as RMI-NAS draws it, instead of a bundled batch.
    #[arg(long, conflicts_with = "images")]
    pub train_batch: Option<PathBuf>,
    /// How many training images --train-batch draws.
    #[arg(long, default_value_t = 32, requires = "train_batch")]
    pub train_images: usize,
    /// Of those, keep the N the reference classifies best (RMI-NAS's choice: 32 of 512).
    #[arg(long, requires = "train_batch")]
    pub keep_best: Option<usize>,
    /// NB201 proxy: channels of the first stage.
    #[arg(long, default_value_t = ProxyConfig::default().nb201.channels, value_parser = int::<usize>(schema::NB201_CHANNELS))]
    pub nb201_channels: usize,
    /// NB201 proxy: cells per stage.
    #[arg(long, default_value_t = ProxyConfig::default().nb201.cells, value_parser = int::<usize>(schema::NB201_CELLS))]
    pub nb201_cells: usize,
    /// FBNet proxy: channel divisor.
    #[arg(long, default_value_t = ProxyConfig::default().fbnet.channel_divisor, value_parser = int::<usize>(schema::FBNET_DIVISOR))]
    pub fbnet_divisor: usize,
    /// FBNet proxy: layers kept per stage.
    #[arg(long, default_value_t = ProxyConfig::default().fbnet.layers_per_stage, value_parser = int::<usize>(schema::FBNET_LAYERS))]
    pub fbnet_layers: usize,
    /// Convolution kernels: fast (ours) or stock (candle's).
    #[arg(long, default_value_t = Kernels::default())]
    pub kernels: Kernels,
    /// Train towards this reference instead of the bundled one: safetensors weights of a CIFAR
    /// ResNet in the project's layout (conv1, bn1, layer1…3.N, linear), as the page accepts.
    #[arg(long)]
    pub reference: Option<PathBuf>,
    /// What a trained candidate is scored by: cka (Σ CKA, HW-EvRSNAS) or loss (3β − the mixed
    /// loss, as RMI-NAS ranks).
    #[arg(long, default_value_t = ScoreKind::default())]
    pub score: ScoreKind,
    /// How CKA is estimated: biased (as published) or debiased (the unbiased HSIC estimator).
    #[arg(long, default_value_t = Estimator::default())]
    pub cka: Estimator,
    /// Where candidates train: cpu, gpu (any adapter wgpu finds, software ones included) or auto
    /// (a hardware GPU if there is one). Without a usable GPU the CPU runs, and says why.
    #[arg(long, default_value_t = Compute::default())]
    pub compute: Compute,
}

impl Common {
    pub fn open_assets(&self) -> AnyResult<Verified<DirSource>> {
        Ok(Verified::open(DirSource(assets_dir(&self.assets)))?)
    }

    pub fn options(&self) -> AnyResult<RmiOptions> {
        let mut proxy = ProxyConfig::default();
        proxy.nb201.channels = self.nb201_channels;
        proxy.nb201.cells = self.nb201_cells;
        proxy.fbnet.channel_divisor = self.fbnet_divisor;
        proxy.fbnet.layers_per_stage = self.fbnet_layers;
        let options = RmiOptions {
            config: RmiConfig {
                steps: self.steps,
                beta: self.beta,
                score: self.score,
                ..RmiConfig::default()
            },
            proxy,
            kernels: self.kernels,
        };
        options.validate()?;
        Ok(options)
    }

    /// The reference's weights: `--reference`'s file, else the bundled one.
    pub fn reference_bytes(&self, assets: &Verified<DirSource>) -> AnyResult<Vec<u8>> {
        match &self.reference {
            Some(path) => read(path),
            None => Ok(assets.reference()?),
        }
    }

    pub fn reference(&self, assets: &Verified<DirSource>) -> AnyResult<Reference> {
        let bytes = self.reference_bytes(assets)?;
        Ok(match &self.reference {
            Some(path) => Reference::from_user_file(&path.display().to_string(), &bytes, self.kernels)?,
            None => Reference::from_safetensors(&bytes, self.kernels)?,
        })
    }

    /// Loads the reference and the batch and prepares the RMI targets.
    pub fn evaluator(&self, assets: &Verified<DirSource>) -> AnyResult<RmiEvaluator> {
        self.evaluator_with(assets, &self.reference(assets)?, None)
    }

    /// The evaluator on the compute asked for (`--compute`), with the CPU evaluator beside it as
    /// the fallback; says on stderr what runs.
    pub fn scorer(&self, assets: &Verified<DirSource>) -> AnyResult<GpuOrCpu> {
        let scorer = GpuOrCpu::new(self.compute, self.evaluator(assets)?);
        if self.compute != Compute::Cpu {
            eprintln!("compute: {}", scorer.status());
        }
        Ok(scorer)
    }

    /// The evaluator for a loaded reference, on `images` if given, else on the batch named.
    pub fn evaluator_with(
        &self,
        assets: &Verified<DirSource>,
        reference: &Reference,
        images: Option<candle_core::Tensor>,
    ) -> AnyResult<RmiEvaluator> {
        let images = match (images, &self.images, &self.train_batch) {
            (Some(images), _, _) => images,
            (None, Some(dir), _) => evrsnas::images::batch_from_dir(dir)?.tensor()?,
            (None, None, Some(dir)) => {
                use evrsnas::devtools::fidelity::{drawn_batch, reference_picked};
                let train = evrsnas::data::read_cifar(dir, "data_batch_")?;
                match self.keep_best {
                    Some(keep) => reference_picked(&train, reference, self.train_images, keep, self.seed)?,
                    None => drawn_batch(&train, self.train_images, self.seed)?,
                }
            }
            (None, None, None) => assets.batch(self.batch)?.tensor()?,
        };
        Ok(RmiEvaluator::new(
            RmiTargets::with_cka(reference, &images, self.cka)?,
            self.options()?,
            self.seed,
        ))
    }
}

impl Common {
    /// The RMI batch in words, for reports.
    pub fn batch_name(&self) -> String {
        match (&self.images, &self.train_batch, self.keep_best) {
            (Some(dir), _, _) => format!("images in {}", dir.display()),
            (None, Some(_), Some(keep)) => {
                format!(
                    "the {keep} of {} CIFAR-10 training images the reference classifies best",
                    self.train_images
                )
            }
            (None, Some(_), None) => format!("{} CIFAR-10 training images", self.train_images),
            (None, None, _) => self.batch.name().to_string(),
        }
    }
}

/// NAS-Bench-201's true accuracies for a search of `space` (none for FBNet), for CSV exports.
pub fn truth_of(
    assets: &Verified<DirSource>,
    space: evrsnas::Space,
) -> AnyResult<Option<evrsnas::assets::GroundTruth>> {
    Ok(match space {
        evrsnas::Space::Nb201 => Some(evrsnas::assets::GroundTruth::decode(
            &assets.read(evrsnas::assets::TRUTH)?,
        )?),
        evrsnas::Space::Fbnet => None,
    })
}

/// The assets folder: the one given, else `./static`, else the repository's.
pub fn assets_dir(given: &Option<PathBuf>) -> PathBuf {
    if let Some(dir) = given {
        return dir.clone();
    }
    let here = PathBuf::from("static");
    if here.join(evrsnas::assets::MANIFEST).exists() {
        return here;
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../static"))
}

/// Reads a file, naming it in the error.
pub fn read(path: &Path) -> AnyResult<Vec<u8>> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()).into())
}

/// Writes a file, naming it in the error.
pub fn write(path: &Path, bytes: &[u8]) -> AnyResult<()> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()).into())
}

/// Prints one JSON value on stdout.
pub fn print_json(value: &impl serde::Serialize) -> AnyResult<()> {
    println!("{}", serde_json::to_string(value)?);
    Ok(())
}
