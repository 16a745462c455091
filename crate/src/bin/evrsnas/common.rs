//! What every command that trains candidates shares: where the assets are, the seed, how a
//! candidate is trained and on which batch, and the value parsers that hold flags to the schema's
//! bounds (so a flag refuses exactly what the page refuses, with the same message).

use clap::Args;
use evrsnas::assets::{BatchChoice, DirSource, Verified};
use evrsnas::cka::Estimator;
use evrsnas::devtools::train_draw::TrainDraw;
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

/// Where `../shared` keeps RMI-NAS's reference, for the preset's message.
const AKAMASTER: &str = "../shared/data/resnet20_akamaster/resnet20_cifar10_akamaster.safetensors";

/// The training images of `../shared/data/cifar10_train` whose pixels are exact (the rest were
/// decoded from JPEG).
const EXACT_TRAIN_IMAGES: usize = 4000;

evrsnas::named_enum! {
    /// A set of defaults for the flags that decide a candidate's score.
    #[derive(Default)]
    pub enum Preset: "preset" {
        /// The page's proxy, batch, reference and score.
        #[default]
        Browser = "browser" => "the page's proxy and score",
        /// RMI-NAS (CVPR 2022) as published.
        RmiNas = "rmi-nas" => "RMI-NAS as published",
    }
}

impl Preset {
    /// The training options the preset stands for (the batch and reference are `Common`'s).
    pub fn options(self) -> RmiOptions {
        let mut options = RmiOptions::default();
        if self == Preset::RmiNas {
            // RMINAS_nb201.py trains the benchmark's network as it is: C = 16, N = 5, for
            // OBSERVE_EPO = 150 steps, and ranks by the loss.
            options.proxy.nb201.channels = 16;
            options.proxy.nb201.cells = 5;
            options.config.steps = 150;
            options.config.score = ScoreKind::Loss;
        }
        options
    }
}

#[derive(Args)]
pub struct Common {
    /// Directory of the bundled assets (default: ./static, else the repository's static/).
    #[arg(long)]
    pub assets: Option<PathBuf>,
    /// Search seed: fixes the evolution and every candidate's initial weights.
    #[arg(long, default_value_t = 0, value_parser = int::<u64>(schema::SEED))]
    pub seed: u64,
    /// What the other flags default to: browser (the page's proxy and score) or rmi-nas
    /// (RMI-NAS as published: the full-size NB201 network, 150 steps, 32 of 512 cropped and
    /// flipped training images picked by the reference, the mixed loss as the score; give it
    /// --train-batch and --reference). A flag given outright overrides its preset.
    #[arg(long, default_value_t = Preset::default())]
    pub preset: Preset,
    /// K, SGD steps on the batch per candidate [default: 20; rmi-nas: 150].
    #[arg(long, value_parser = int::<usize>(schema::STEPS))]
    pub steps: Option<usize>,
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
    /// How many training images --train-batch draws [default: 32; rmi-nas: 512].
    #[arg(long, requires = "train_batch")]
    pub train_images: Option<usize>,
    /// Draw them from the first N training images only [rmi-nas: 4000, the images of
    /// ../shared/data/cifar10_train whose pixels are exact].
    #[arg(long, requires = "train_batch")]
    pub train_pool: Option<usize>,
    /// Crop (4 pixels of zero padding) and flip the drawn images at random, as RMI-NAS's loader
    /// does [rmi-nas: on].
    #[arg(long, requires = "train_batch")]
    pub augment: bool,
    /// Of those, keep the N the reference classifies best [rmi-nas: 32].
    #[arg(long, requires = "train_batch")]
    pub keep_best: Option<usize>,
    /// NB201 proxy: channels of the first stage [default: 8; rmi-nas: 16].
    #[arg(long, value_parser = int::<usize>(schema::NB201_CHANNELS))]
    pub nb201_channels: Option<usize>,
    /// NB201 proxy: cells per stage [default: 1; rmi-nas: 5].
    #[arg(long, value_parser = int::<usize>(schema::NB201_CELLS))]
    pub nb201_cells: Option<usize>,
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
    /// loss, as RMI-NAS ranks) [default: cka; rmi-nas: loss].
    #[arg(long)]
    pub score: Option<ScoreKind>,
    /// w, the weight of the complexity prior in the fitness: RMI + w·complexity − λ·penalty, where
    /// complexity is the share of the space with fewer multiply-accumulates in the full-size
    /// network (0..1). 0 is RMI alone, as published [default: 0.2; rmi-nas: 0].
    #[arg(long, allow_hyphen_values = true, value_parser = number(schema::PRIOR))]
    pub prior: Option<f64>,
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
        let preset = self.preset.options();
        let mut proxy = preset.proxy;
        proxy.nb201.channels = self.nb201_channels.unwrap_or(proxy.nb201.channels);
        proxy.nb201.cells = self.nb201_cells.unwrap_or(proxy.nb201.cells);
        proxy.fbnet.channel_divisor = self.fbnet_divisor;
        proxy.fbnet.layers_per_stage = self.fbnet_layers;
        let options = RmiOptions {
            config: RmiConfig {
                steps: self.steps(),
                beta: self.beta,
                score: self.score.unwrap_or(preset.config.score),
                ..preset.config
            },
            proxy,
            kernels: self.kernels,
        };
        options.validate()?;
        Ok(options)
    }

    /// w of the complexity prior: `--prior`, else the preset's (none for RMI-NAS as published).
    pub fn prior(&self) -> f64 {
        match (self.prior, self.preset) {
            (Some(w), _) => w,
            (None, Preset::Browser) => evrsnas::fitness::DEFAULT_PRIOR,
            (None, Preset::RmiNas) => 0.0,
        }
    }

    /// K: `--steps`, else the preset's.
    pub fn steps(&self) -> usize {
        self.steps.unwrap_or(self.preset.options().config.steps)
    }

    /// The reference's weights: `--reference`'s file, else the bundled one.
    pub fn reference_bytes(&self, assets: &Verified<DirSource>) -> AnyResult<Vec<u8>> {
        match (&self.reference, self.preset) {
            (Some(path), _) => read(path),
            (None, Preset::Browser) => Ok(assets.reference()?),
            (None, Preset::RmiNas) => Err(format!(
                "the rmi-nas preset trains towards RMI-NAS's reference, Idelbayev's ResNet-20: give it with \
                 --reference (in ../shared: {AKAMASTER})"
            )
            .into()),
        }
    }

    /// What `--train-batch` draws, after the preset: (the draw, how many the reference keeps).
    fn train_draw(&self) -> (TrainDraw, Option<usize>) {
        let rmi_nas = self.preset == Preset::RmiNas;
        let draw = TrainDraw {
            count: self.train_images.unwrap_or(if rmi_nas { 512 } else { 32 }),
            pool: self.train_pool.or(rmi_nas.then_some(EXACT_TRAIN_IMAGES)),
            augment: self.augment || rmi_nas,
        };
        (draw, self.keep_best.or(rmi_nas.then_some(32)))
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
                let train = evrsnas::data::read_cifar(dir, "data_batch_")?;
                match self.train_draw() {
                    (draw, Some(keep)) => draw.reference_picked(&train, reference, keep, self.seed)?,
                    (draw, None) => draw.batch(&train, self.seed)?,
                }
            }
            (None, None, None) if self.preset == Preset::RmiNas => {
                return Err(
                    "the rmi-nas preset draws its batch from CIFAR-10's training set: give it with \
                            --train-batch (in ../shared: ../shared/data/cifar10_train)"
                        .into(),
                )
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
        let (draw, keep) = self.train_draw();
        let augmented = if draw.augment { " (cropped and flipped)" } else { "" };
        match (&self.images, &self.train_batch, keep) {
            (Some(dir), _, _) => format!("images in {}", dir.display()),
            (None, Some(_), Some(keep)) => {
                format!(
                    "the {keep} of {} CIFAR-10 training images{augmented} the reference classifies best",
                    draw.count
                )
            }
            (None, Some(_), None) => format!("{} CIFAR-10 training images{augmented}", draw.count),
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
