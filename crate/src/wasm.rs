//! The browser API: a thin wasm-bindgen layer over the library. Plain data crosses the boundary
//! (numbers, strings, byte arrays, serde objects); every error becomes a JS `Error` with a readable
//! message, and a panic hook turns anything unexpected into a console message instead of a hang.
//!
//! The page holds one [`SearchSession`] (the evolution state: cheap) and a pool of workers, each
//! with its own [`Scorer`] (training candidates: expensive).

use crate::assets::{GroundTruth, ImageBatch, Manifest};
use crate::evolve::{pareto, Evaluator, EvolutionConfig, FrontMember, Mode, Schedule, Search, Trial};
use crate::fitness::{Fitness, Penalty};
use crate::schema;
use crate::{
    Arch, CostBook, Device, Kernels, Metric, ProxyConfig, Reference, RmiConfig, RmiEvaluator, RmiOptions, RmiTargets,
    Space,
};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(js_err)
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
    /// The budget a page starts from: 35 % of the way up the range, to three figures.
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
                suggested: format!("{:.2e}", min + 0.35 * (max - min)).parse().unwrap_or(min),
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

#[derive(Serialize)]
struct UserBatch {
    names: Vec<String>,
    /// SHA-256 of the pixels: the CLI's `score --images` prints the same for the same files.
    sha256: String,
}

/// Your own images as an RMI batch: `names[i]` and the bytes of `files[i]` (PNG or JPEG, any
/// size), decoded, centre-cropped and box-filtered to 32×32 as the CLI's `--images` does; a
/// file that is no image is refused by name. Nothing leaves the page. Returns `{names, sha256,
/// bytes}`, `bytes` (a `Uint8Array`) being the batch file the workers' [`Scorer`] takes.
#[wasm_bindgen(js_name = imageBatch)]
pub fn image_batch(names: js_sys::Array, files: js_sys::Array) -> Result<JsValue, JsError> {
    let names: Vec<String> = names.iter().map(|n| n.as_string().unwrap_or_default()).collect();
    let files: Vec<Vec<u8>> = files.iter().map(|f| js_sys::Uint8Array::new(&f).to_vec()).collect();
    if names.len() != files.len() {
        return Err(js_err("imageBatch needs one name per file"));
    }
    let batch = crate::images::batch_from_images(
        names.iter().map(String::as_str).zip(files.iter().map(Vec::as_slice)),
        "your images (in this browser)",
    )
    .map_err(js_err)?;
    let bytes = js_sys::Uint8Array::from(batch.encode().as_slice());
    let out = to_js(&UserBatch {
        sha256: batch.pixels_sha256(),
        names: batch.names,
    })?;
    js_sys::Reflect::set(&out, &"bytes".into(), &bytes).map_err(|_| js_err("cannot return the batch"))?;
    Ok(out)
}

#[derive(Serialize)]
struct ReferenceInfo {
    depth: usize,
    classes: usize,
    sha256: String,
}

/// `{depth, classes}` of saved reference weights, from their header alone (instant; no check).
#[wasm_bindgen(js_name = referenceSummary)]
pub fn reference_summary(bytes: &[u8]) -> Result<JsValue, JsError> {
    let (depth, classes) = Reference::summary(bytes).map_err(js_err)?;
    #[derive(Serialize)]
    struct Summary {
        depth: usize,
        classes: usize,
    }
    to_js(&Summary { depth, classes })
}

/// Checks a reference a user brings (see `Reference::from_user_file`): `{depth, classes,
/// sha256}`, or the reason it cannot be used, naming the file.
#[wasm_bindgen(js_name = checkReference)]
pub fn check_reference(name: &str, bytes: &[u8]) -> Result<JsValue, JsError> {
    let reference = Reference::from_user_file(name, bytes, Kernels::Fast).map_err(js_err)?;
    to_js(&ReferenceInfo {
        depth: reference.depth(),
        classes: reference.classes(),
        sha256: crate::assets::sha256_hex(bytes),
    })
}

/// Draws of an FBNet landscape: enough for a smooth histogram, cheap on the main thread.
const LANDSCAPE_DRAWS: usize = 4000;

/// The space's costs on a device (and for NB201 with `truth_bytes`, every cell's true accuracy):
/// what the scatter shows before Run, so that the budget means something before any training.
/// `{costs: Float64Array (every NB201 cell's, in index order, or FBNet's uniform draws), accuracy:
/// Float32Array | null (NB201's CIFAR-10, same order), sampled: bool}`.
#[wasm_bindgen]
pub fn landscape(cost_bytes: &[u8], truth_bytes: &[u8], device: &str, metric: &str) -> Result<JsValue, JsError> {
    let book = CostBook::decode(cost_bytes).map_err(js_err)?;
    let device: Device = device.parse().map_err(js_err)?;
    let metric: Metric = metric.parse().map_err(js_err)?;
    let table = book.table(device, metric).map_err(js_err)?;
    let (costs, sampled) = match table.per_arch_values() {
        Some(values) => (values.to_vec(), false),
        None => {
            use rand::SeedableRng;
            let mut rng = rand::rngs::StdRng::seed_from_u64(0);
            let costs = (0..LANDSCAPE_DRAWS)
                .map(|_| table.cost(&book.space.sample(&mut rng)).map(|c| c.value))
                .collect::<crate::Result<Vec<f64>>>()
                .map_err(js_err)?;
            (costs, true)
        }
    };
    let accuracy = match (truth_bytes.is_empty(), sampled) {
        (false, false) => Some(GroundTruth::decode(truth_bytes).map_err(js_err)?.cifar10),
        _ => None,
    };
    // Typed arrays, copied in one go: 31,250 numbers through serde cost the main thread tens of
    // milliseconds.
    let out = js_sys::Object::new();
    let set = |key: &str, value: &JsValue| js_sys::Reflect::set(&out, &key.into(), value).map(|_| ());
    let accuracy = accuracy.map_or(JsValue::NULL, |a| js_sys::Float32Array::from(a.as_slice()).into());
    set("costs", &js_sys::Float64Array::from(costs.as_slice()).into())
        .and_then(|_| set("accuracy", &accuracy))
        .and_then(|_| set("sampled", &sampled.into()))
        .map_err(|_| js_err("cannot return the landscape"))?;
    Ok(out.into())
}

/// Options of a search, as the page's state holds them. Whole numbers arrive as JavaScript
/// numbers and are checked against the schema, so a bad one gets the CLI's message.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchOptions {
    space: Space,
    device: Device,
    metric: Metric,
    threshold: f64,
    lambda: f64,
    penalty: Penalty,
    population: f64,
    generations: f64,
    seed: f64,
    #[serde(default)]
    schedule: Schedule,
    #[serde(default)]
    mode: Mode,
}

impl SearchOptions {
    /// The evolution's configuration: the page's settings over the library's defaults.
    fn evolution(&self) -> crate::Result<EvolutionConfig> {
        let config = EvolutionConfig {
            population: schema::POPULATION.check_f64(self.population)? as usize,
            generations: schema::GENERATIONS.check_f64(self.generations)? as usize,
            seed: schema::SEED.check_f64(self.seed)?,
            screen: self.schedule.screen(),
            mode: self.mode,
            ..EvolutionConfig::default()
        };
        config.validate()?;
        Ok(config)
    }
}

#[derive(Serialize)]
struct Plan {
    /// Full trainings, the confirmation round's included.
    trainings: usize,
    /// Screenings (none without a screen).
    screens: usize,
}

/// What a search with these settings plans: `{trainings, screens}`; throws the reason when the
/// library would refuse it (a bound, the cap on trainings).
#[wasm_bindgen(js_name = planSearch)]
pub fn plan_search(options: JsValue) -> Result<JsValue, JsError> {
    let o: SearchOptions = serde_wasm_bindgen::from_value(options).map_err(js_err)?;
    let config = o.evolution().map_err(js_err)?;
    to_js(&Plan {
        trainings: config.planned_trials(),
        screens: config.planned_screens(),
    })
}

#[derive(Serialize)]
struct PendingTrial {
    arch: String,
    replicate: u32,
    /// Set for a screen: train this many steps instead of K.
    #[serde(skip_serializing_if = "Option::is_none")]
    steps: Option<usize>,
}

#[derive(Serialize)]
struct RankedCandidate {
    #[serde(flatten)]
    candidate: crate::Candidate,
    truth: Option<[f32; 3]>,
}

#[derive(Serialize)]
struct FrontEntry {
    #[serde(flatten)]
    member: FrontMember,
    /// CIFAR-10, CIFAR-100 and ImageNet16-120 accuracies (NB201 only).
    truth: Option<[f32; 3]>,
}

/// A cell of the table's true accuracy-vs-cost front.
#[derive(Serialize)]
struct TrueFrontCell {
    index: usize,
    cifar10: f32,
    cost: f64,
}

/// What the teaching view says about one scored candidate.
#[derive(Serialize)]
struct Inspection {
    #[serde(flatten)]
    candidate: crate::Candidate,
    /// Each initialisation's RMI, by replicate (their mean is `rmi`).
    scores: Vec<f64>,
    threshold: f64,
    lambda: f64,
    penalty_shape: Penalty,
    /// λ·penalty(cost, threshold): `rmi − fitness`.
    penalty: f64,
    on_front: bool,
    /// CIFAR-10, CIFAR-100 and ImageNet16-120 accuracies, and the CIFAR-10 rank among every
    /// cell of the table (1: the most accurate), NB201 only.
    truth: Option<[f32; 3]>,
    rank: Option<usize>,
    cells: Option<usize>,
}

/// The best cell within the budget by the benchmark's own accuracies.
#[derive(Serialize)]
struct FeasibleTruth {
    index: usize,
    cifar10: f32,
    arch: String,
}

#[wasm_bindgen]
pub struct SearchSession {
    search: Search,
    truth: Option<GroundTruth>,
}

#[wasm_bindgen]
impl SearchSession {
    /// `truth_bytes` may be empty (FBNet has no ground truth).
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue, cost_bytes: &[u8], truth_bytes: &[u8]) -> Result<SearchSession, JsError> {
        let o: SearchOptions = serde_wasm_bindgen::from_value(options).map_err(js_err)?;
        let book = CostBook::decode(cost_bytes).map_err(js_err)?;
        if book.space != o.space {
            return Err(js_err(format!("cost file is for {}, not {}", book.space, o.space)));
        }
        let table = book.table(o.device, o.metric).map_err(js_err)?.clone();
        let fitness = Fitness::new(o.threshold, o.lambda, o.penalty).map_err(js_err)?;
        let search = Search::new(o.space, o.evolution().map_err(js_err)?, table, fitness).map_err(js_err)?;
        let truth = if truth_bytes.is_empty() {
            None
        } else {
            Some(GroundTruth::decode(truth_bytes).map_err(js_err)?)
        };
        Ok(Self { search, truth })
    }

    /// Trials of the current generation (or confirmation round) still to be scored:
    /// `[{arch, replicate}]`.
    pub fn pending(&self) -> Result<JsValue, JsError> {
        let trials: Vec<PendingTrial> = self
            .search
            .pending()
            .into_iter()
            .map(|t| PendingTrial {
                arch: t.arch.to_string(),
                replicate: t.replicate,
                steps: t.steps,
            })
            .collect();
        to_js(&trials)
    }

    /// Stores a trial's score; `steps` as the pending trial gave it (a screen's), else undefined.
    pub fn record(&mut self, arch: &str, replicate: u32, rmi: f64, steps: Option<u32>) -> Result<(), JsError> {
        let arch = Arch::parse(self.search.space(), arch).map_err(js_err)?;
        let steps = steps.map(|s| s as usize);
        self.search
            .record(Trial { arch, replicate, steps }, rmi)
            .map_err(js_err)
    }

    /// Architectures screened so far, and planned in all (0 without a screen).
    pub fn screenings(&self) -> usize {
        self.search.screenings()
    }

    #[wasm_bindgen(js_name = plannedScreens)]
    pub fn planned_screens(&self) -> usize {
        self.search.planned_screens()
    }

    /// The generations are over and the finalists are being re-trained.
    #[wasm_bindgen(js_name = isConfirming)]
    pub fn is_confirming(&self) -> bool {
        self.search.is_confirming()
    }

    /// Trainings so far, and planned in all.
    pub fn trials(&self) -> usize {
        self.search.trials()
    }

    #[wasm_bindgen(js_name = plannedTrials)]
    pub fn planned_trials(&self) -> usize {
        self.search.planned_trials()
    }

    /// Closes the generation; returns its statistics.
    pub fn advance(&mut self) -> Result<JsValue, JsError> {
        let stats = self.search.advance().map_err(js_err)?;
        to_js(&stats)
    }

    #[wasm_bindgen(js_name = isDone)]
    pub fn is_done(&self) -> bool {
        self.search.is_done()
    }

    pub fn generation(&self) -> usize {
        self.search.generation()
    }

    pub fn evaluations(&self) -> usize {
        self.search.evaluations()
    }

    pub fn history(&self) -> Result<JsValue, JsError> {
        to_js(&self.search.history())
    }

    fn truth_of(&self, index: Option<usize>) -> Option<[f32; 3]> {
        let (t, i) = (self.truth.as_ref()?, index?);
        Some([t.cifar10[i], t.cifar100[i], t.imagenet16[i]])
    }

    /// Every scored architecture under the current fitness, best first, with NB201 ground truth.
    pub fn ranked(&self) -> Result<JsValue, JsError> {
        let ranked: Vec<RankedCandidate> = self
            .search
            .ranked()
            .into_iter()
            .map(|c| RankedCandidate {
                truth: self.truth_of(c.index),
                candidate: c,
            })
            .collect();
        to_js(&ranked)
    }

    /// The non-dominated candidates by (RMI, cost), cheapest first, with NB201 ground truth:
    /// `[{arch, index, rmi, replicates, cost, measured, truth}]`.
    pub fn front(&self) -> Result<JsValue, JsError> {
        let front: Vec<FrontEntry> = self
            .search
            .front()
            .into_iter()
            .map(|m| FrontEntry {
                truth: self.truth_of(m.index),
                member: m,
            })
            .collect();
        to_js(&front)
    }

    /// Everything the teaching view shows of a scored candidate (null when it was not trained):
    /// its RMI per initialisation, the fitness decomposed, whether it is on the front, and for
    /// NB201 its true accuracies and rank.
    pub fn inspect(&self, arch: &str) -> Result<JsValue, JsError> {
        let parsed = Arch::parse(self.search.space(), arch).map_err(js_err)?;
        let Some(candidate) = self.search.candidate(&parsed) else {
            return Ok(JsValue::NULL);
        };
        let fitness = self.search.fitness_fn();
        let rank = match (&self.truth, candidate.index) {
            (Some(t), Some(i)) => Some(1 + t.cifar10.iter().filter(|&&a| a > t.cifar10[i]).count()),
            _ => None,
        };
        to_js(&Inspection {
            scores: self.search.replicate_scores(&parsed),
            threshold: fitness.threshold,
            lambda: fitness.lambda,
            penalty_shape: fitness.penalty,
            penalty: fitness.lambda * fitness.penalty(candidate.cost),
            on_front: self.search.front().iter().any(|m| m.arch == candidate.arch),
            truth: self.truth_of(candidate.index),
            rank,
            cells: self.truth.as_ref().map(|t| t.cifar10.len()),
            candidate,
        })
    }

    /// The whole table's true front of CIFAR-10 accuracy against cost on this device,
    /// `[{index, cifar10, cost}]` cheapest first; null without ground truth (FBNet).
    #[wasm_bindgen(js_name = trueFront)]
    pub fn true_front(&self) -> Result<JsValue, JsError> {
        let (Some(truth), Some(costs)) = (&self.truth, self.search.cost_table().per_arch_values()) else {
            return Ok(JsValue::NULL);
        };
        let points: Vec<(f64, f64)> = costs
            .iter()
            .zip(&truth.cifar10)
            .map(|(&c, &a)| (f64::from(a), c))
            .collect();
        let cells: Vec<TrueFrontCell> = pareto::staircase(&points)
            .into_iter()
            .map(|index| TrueFrontCell {
                index,
                cifar10: truth.cifar10[index],
                cost: costs[index],
            })
            .collect();
        to_js(&cells)
    }

    /// Re-ranks at once under a new threshold, λ or penalty: nothing is retrained.
    #[wasm_bindgen(js_name = setFitness)]
    pub fn set_fitness(&mut self, threshold: f64, lambda: f64, penalty: &str) -> Result<(), JsError> {
        let penalty: Penalty = penalty.parse().map_err(js_err)?;
        self.search
            .set_fitness(Fitness::new(threshold, lambda, penalty).map_err(js_err)?);
        Ok(())
    }

    /// Allows `more` generations after the configured ones, keeping every score.
    pub fn extend(&mut self, more: f64) -> Result<(), JsError> {
        let more = schema::GENERATIONS.check_f64(more).map_err(js_err)? as usize;
        self.search.extend(more).map_err(js_err)
    }

    /// Best true CIFAR-10 accuracy of any NB201 cell within the threshold, and that cell.
    #[wasm_bindgen(js_name = bestFeasibleTruth)]
    pub fn best_feasible_truth(&self) -> Result<JsValue, JsError> {
        let (Some(truth), Some(costs)) = (&self.truth, self.search.cost_table().per_arch_values()) else {
            return Ok(JsValue::NULL);
        };
        match truth.best_within(costs, self.search.fitness_fn().threshold) {
            Some((index, cifar10)) => to_js(&FeasibleTruth {
                index,
                cifar10,
                arch: Arch::from_nb201_index(index).map_err(js_err)?.to_string(),
            }),
            None => Ok(JsValue::NULL),
        }
    }
}

/// Scores candidates: one per worker, holding the reference's targets on the batch.
#[wasm_bindgen]
pub struct Scorer {
    evaluator: RmiEvaluator,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScorerOptions {
    steps: f64,
    seed: f64,
    #[serde(default)]
    proxy: Option<ProxyConfig>,
}

#[wasm_bindgen]
impl Scorer {
    /// `batch_files`: the bytes of each RMI batch file (`Uint8Array`s), joined in order.
    #[wasm_bindgen(constructor)]
    pub fn new(reference_bytes: &[u8], batch_files: js_sys::Array, options: JsValue) -> Result<Scorer, JsError> {
        let o: ScorerOptions = serde_wasm_bindgen::from_value(options).map_err(js_err)?;
        let options = RmiOptions {
            config: RmiConfig {
                steps: schema::STEPS.check_f64(o.steps).map_err(js_err)? as usize,
                ..RmiConfig::default()
            },
            proxy: o.proxy.unwrap_or_default(),
            kernels: Kernels::Fast,
        };
        options.validate().map_err(js_err)?;
        let seed = schema::SEED.check_f64(o.seed).map_err(js_err)?;
        let reference = Reference::from_safetensors(reference_bytes, Kernels::Fast).map_err(js_err)?;
        let files: Vec<Vec<u8>> = batch_files
            .iter()
            .map(|f| js_sys::Uint8Array::new(&f).to_vec())
            .collect();
        let batch = ImageBatch::join(files.iter().map(Vec::as_slice)).map_err(js_err)?;
        let targets = RmiTargets::new(&reference, &batch.tensor().map_err(js_err)?).map_err(js_err)?;
        Ok(Self {
            evaluator: RmiEvaluator { targets, options, seed },
        })
    }

    /// RMI score (Σ CKA after K steps, or after `steps` for a screen) of one initialisation
    /// (`replicate`) of an architecture.
    pub fn score(&mut self, space: &str, arch: &str, replicate: u32, steps: Option<u32>) -> Result<f64, JsError> {
        let space: Space = space.parse().map_err(js_err)?;
        let arch = Arch::parse(space, arch).map_err(js_err)?;
        let steps = steps
            .map(|s| schema::STEPS.check(u64::from(s)))
            .transpose()
            .map_err(js_err)?;
        let trial = Trial {
            arch,
            replicate,
            steps: steps.map(|s| s as usize),
        };
        self.evaluator.evaluate(&trial).map_err(js_err)
    }

    /// One initialisation's training, step by step (`[{step, loss, cka: [3], rmi}]` for 0..=K):
    /// the last step's `rmi` is what [`Scorer::score`] returns for it.
    pub fn curve(&mut self, space: &str, arch: &str, replicate: u32) -> Result<JsValue, JsError> {
        let space: Space = space.parse().map_err(js_err)?;
        let arch = Arch::parse(space, arch).map_err(js_err)?;
        let e = &self.evaluator;
        let seed = crate::rmi::replicate_seed(e.seed, replicate);
        to_js(&crate::rmi::training_curve(&arch, &e.targets, &e.options, seed).map_err(js_err)?)
    }
}

/// Benchmark for `cargo make bench`: `{probe_train_step_ms, nb201_candidate_ms,
/// reference_train_step_ms}` for one kernel set (the same workloads as `evrsnas bench`).
#[cfg(feature = "devtools")]
#[wasm_bindgen(js_name = benchmark)]
pub fn benchmark(kernels: &str, reps: usize, candidate_reps: usize, steps: usize) -> Result<JsValue, JsError> {
    let kernels: Kernels = kernels.parse().map_err(js_err)?;
    let now = || js_sys::Date::now();
    let probe = crate::dev::bench::probe_train_step_ms(kernels, reps, &now).map_err(js_err)?;
    let candidate = crate::dev::bench::nb201_candidate_ms(kernels, steps, candidate_reps, &now).map_err(js_err)?;
    let reference = crate::dev::bench::reference_train_step_ms(kernels, 3, candidate_reps, &now).map_err(js_err)?;
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
