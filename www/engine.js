// A small module API for running a search in the page: load assets once, keep a pool of workers,
// drive the Rust search state machine one generation at a time, and report through events.
//
//   import { Explorer } from './engine.js';
//   const ex = await Explorer.load({ base: 'static' });
//   ex.addEventListener('progress', (e) => console.log(e.detail));
//   ex.addEventListener('done', (e) => console.log(e.detail.best));
//   ex.start({ space: 'nb201', device: 'pixel3', metric: 'latency', threshold: 5, steps: 10, batch: 'cifar10', ... });
//
// Events: 'state' {state}, 'progress' {evaluations, generation, ...}, 'generation' {stats},
// 'done' {best}, 'error' {message}. States: idle | running | paused | done | error.
import { AssetError, loadAsset, loadManifest } from './assets.js';

let library = null;
let wasm = null; // the library's bindings (the build wasmBuild chose)
let exports = null; // the main thread's wasm instance
const MEASURED_KEY = 'evrsnas.measured';

// The library comes in two builds of the same code: plain simd128, and simd128 with relaxed SIMD,
// whose GEMM kernels use one fused multiply-add instead of a multiply and an add (faster where the
// CPU has FMA; rounding differs slightly). The probe is a function using i8x16.relaxed_swizzle.
const RELAXED_SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 15, 1, 13, 0, 65, 1, 253, 15, 65, 2, 253, 15, 253, 128, 2, 11]);

/** The build to load: `choice` auto (relaxed where the browser validates it), simd128 or relaxed. */
export function wasmBuild(choice = 'auto') {
  const relaxed = choice === 'relaxed' || (choice === 'auto' && WebAssembly.validate(RELAXED_SIMD_PROBE));
  return relaxed
    ? { name: 'simd128 + relaxed SIMD', module: new URL('./pkg-relaxed/evrsnas.js', import.meta.url).href }
    : { name: 'simd128', module: new URL('./pkg/evrsnas.js', import.meta.url).href };
}

/**
 * The library's answers the page builds on, once its wasm is loaded (before any asset): `schema`
 * (every setting's default, bounds and choices; asset paths), `parseSetting(name, text)` (the
 * CLI's parsing and messages; throws) and `archLayout(space, arch)` (an architecture's genes for
 * its drawing). `simd` picks the build (see wasmBuild); the first call decides for the page.
 */
export async function loadLibrary({ simd = 'auto' } = {}) {
  if (!library) {
    const build = wasmBuild(simd);
    wasm = await import(build.module);
    exports = await wasm.default();
    library = {
      build,
      schema: wasm.schema(),
      parseSetting: (name, text) => wasm.parseSetting(name, text),
      archLayout: (space, arch) => wasm.archLayout(space, arch),
    };
  }
  return library;
}

/** The fidelity figures, refused by name unless they have the shape the page reads. */
function checkFidelity(bytes, path) {
  let f;
  try {
    f = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new AssetError(`asset ${path} is not JSON: ${e.message}`);
  }
  const row = (r) => Number.isFinite(r?.steps) && ['kendall_tau', 'low', 'high'].every((k) => Number.isFinite(r[k]));
  const batch = (b) => Array.isArray(b?.k_sweep) && b.k_sweep.length > 0 && b.k_sweep.every(row) &&
    Number.isFinite(b.samples) && typeof b.reference?.sha256 === 'string' && Number.isFinite(b.reference?.depth);
  if (typeof f?.batches !== 'object' || f.batches === null || !Object.values(f.batches).every(batch) || !(f.default_batch in f.batches)) {
    throw new AssetError(`asset ${path} does not have the structure the page reads (batches → k_sweep rows)`);
  }
  return f;
}

export class Explorer extends EventTarget {
  /**
   * `workers`: the pool's size (at most the machine's cores); `trialTimeoutMs`: how long a worker
   * may stay silent on one training before it is taken for dead (default 2 minutes plus 2 s per
   * step; never less than 20 times the mean training time measured here).
   */
  static async load({ base = 'static', workers, trialTimeoutMs } = {}) {
    const { schema } = await loadLibrary();
    const paths = schema.assets;
    const manifest = await loadManifest(base, paths.manifest);
    const ex = new Explorer(base, manifest);
    ex.trialTimeoutMs = trialTimeoutMs;
    // Cost tables first (small, needed for the controls); the rest loads while the user looks.
    ex.costs = {};
    for (const [space, path] of Object.entries(paths.costs)) {
      const bytes = await loadAsset(wasm, base, manifest, path);
      ex.costs[space] = { bytes, info: wasm.costInfo(bytes) };
    }
    // The fidelity study's figures (FIDELITY.md), for the note under "Steps K".
    ex.fidelity = checkFidelity(await loadAsset(wasm, base, manifest, paths.fidelity), paths.fidelity);
    // Whether those figures were measured with the reference model bundled now.
    const files = JSON.parse(new TextDecoder().decode(manifest)).files;
    ex.fidelity.bundledReference = files.find((f) => f.path === paths.reference)?.sha256;
    ex.batches = paths.batches;
    const batchFiles = [...new Set(Object.values(paths.batches).flat())];
    ex.heavy = Promise.all([
      loadAsset(wasm, base, manifest, paths.reference),
      Promise.all(batchFiles.map((f) => loadAsset(wasm, base, manifest, f))),
      loadAsset(wasm, base, manifest, paths.truth),
    ]).then(([reference, batches, truth]) => {
      ex.reference = reference;
      // What the page says of the bundled reference, {depth, classes}: from the header alone (a
      // full check runs a forward pass, a pause the page need not make for its own file).
      ex.bundledReference = wasm.referenceSummary(reference);
      ex.images = Object.fromEntries(batchFiles.map((f, i) => [f, batches[i]]));
      ex.truth = truth;
    });
    ex.build = library.build;
    // One worker per core by default: the main thread is idle during a search (BENCHMARKS.md: on
    // 2 cores, 2 workers finish the default search 1.8× sooner than 1). Never more than the cores.
    const cores = navigator.hardwareConcurrency || 2;
    ex.poolSize = Math.min(workers ?? cores, cores);
    return ex;
  }

  constructor(base, manifest) {
    super();
    this.base = base;
    this.manifest = manifest;
    this.state = 'idle';
    this.session = null;
    this.pool = [];
    this.run = 0; // bumped by each start/stop: results of an older run are ignored
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  setState(state) {
    this.state = state;
    this.emit('state', { state });
  }

  fail(message) {
    this.setState('error');
    this.emit('error', { message });
  }

  /**
   * Workers with a Scorer for (steps, seed, batch, compute); rebuilt only when those change. With
   * compute 'gpu' or 'auto' one worker first tries WebGPU: it trains alone when it got a GPU (it
   * batches a candidate's whole training into one submit), and the CPU pool fills up otherwise.
   */
  async ensurePool(steps, seed, batchName, compute = 'cpu') {
    await this.heavy;
    // Your own images replace the named batch until cleared (they stay in this page).
    const user = this.userBatch;
    const reference = this.userReference;
    const key = `${steps}/${seed}/${user ? `user:${user.sha256}` : batchName}/${reference?.sha256 ?? 'bundled'}/${compute}`;
    if (this.pool.length && this.poolKey === key) return;
    this.retirePool();
    const batch = user ? [user.bytes] : this.batches[batchName].map((f) => this.images[f]);
    this.workerInit = { reference: reference?.bytes ?? this.reference, batch, options: { steps, seed } };
    // Every worker started, so that a pool that fails half-way leaves none behind.
    const started = [];
    try {
      this.pool = [];
      if (compute !== 'cpu') {
        const first = await this.spawnWorker(started, compute);
        this.pool.push(first);
        this.setCompute({ choice: compute, ...first.compute });
      } else {
        this.setCompute({ choice: 'cpu', running: 'cpu' });
      }
      if (this.compute.running === 'cpu') await this.fillPool(started);
    } catch (e) {
      started.forEach((w) => w.terminate());
      this.pool = [];
      throw e;
    }
    this.poolKey = key;
  }

  /** CPU workers up to the pool's size. */
  async fillPool(started = []) {
    const more = Math.max(0, this.poolSize - this.pool.length);
    this.pool.push(...(await Promise.all(Array.from({ length: more }, () => this.spawnWorker(started)))));
  }

  /** What trains the candidates ({choice, running: 'gpu'|'cpu', adapter?, fallback?}), as an event. */
  setCompute(compute) {
    this.compute = compute;
    this.emit('compute', compute);
  }

  /**
   * Memory in use: the main thread's wasm instance and each worker's, in bytes (wasm memory grows
   * but never shrinks, so a leak shows). Only between searches: it borrows the workers' channel.
   */
  async memory() {
    if (this.state === 'running') throw new Error('memory() is for between searches');
    const workers = await Promise.all(this.pool.map((slot) => new Promise((resolve) => {
      const previous = slot.worker.onmessage;
      slot.worker.onmessage = ({ data }) => {
        if (data.type !== 'memory') return;
        slot.worker.onmessage = previous;
        resolve(data.bytes);
      };
      slot.worker.postMessage({ type: 'memory' });
    })));
    return { main: exports.memory.buffer.byteLength, workers };
  }

  /** Ends every worker; the next search starts a fresh pool. */
  retirePool() {
    this.pool.forEach((slot) => {
      clearTimeout(slot.watchdog);
      slot.worker.terminate();
    });
    this.pool = [];
    this.poolKey = null;
    this.inspector?.then((w) => w.worker.terminate(), () => {});
    this.inspector = null;
  }

  /**
   * One initialisation of a candidate trained again step by step, as the last search trained it
   * (`[{step, loss, cka: [3], rmi}]`), in a worker of its own so that a running search is not
   * held up.
   */
  async curve(arch, replicate = 0) {
    if (!this.workerInit || !this.settings) throw new Error('no search has trained candidates yet');
    // On the compute the search trains on (a GPU of its own), so that the curve ends at its score.
    const compute = this.compute?.running === 'gpu' ? this.compute.choice : 'cpu';
    const key = `${this.poolKey}/${compute}`;
    if (!this.inspector || this.inspectorKey !== key) {
      this.inspector?.then((w) => w.worker.terminate(), () => {});
      this.inspectorKey = key;
      this.inspector = this.spawnWorker([], compute).then((slot) => {
        slot.waiting = new Map();
        slot.worker.onmessage = ({ data }) => {
          const done = slot.waiting.get(data.id);
          slot.waiting.delete(data.id);
          if (data.type === 'curve') done?.resolve(data.curve);
          else done?.reject(new Error(data.message));
        };
        return slot;
      });
    }
    const slot = await this.inspector;
    const id = (this.curveId = (this.curveId ?? 0) + 1);
    return new Promise((resolve, reject) => {
      slot.waiting.set(id, { resolve, reject });
      slot.worker.postMessage({ type: 'curve', id, space: this.settings.space, arch, replicate });
    });
  }

  /**
   * The space on a device before any training (wasm `landscape`): `{costs, accuracy, sampled}`,
   * with NB201's true accuracies once the heavy assets are in; cached.
   */
  landscape(space, device, metric) {
    const truth = space === 'nb201' && this.truth ? this.truth : new Uint8Array();
    const key = `${space}/${device}/${metric}/${truth.length}`;
    return this.cached('landscape', key, () => wasm.landscape(this.costs[space].bytes, truth, device, metric));
  }

  /**
   * Your own images as the RMI batch: `files` are `{name, bytes}` (PNG or JPEG, any size), decoded
   * and resized by the library as the CLI's `--images` does; throws the library's message, which
   * names a bad file. `null` goes back to the bundled batches. Nothing is sent anywhere: the bytes
   * go to this page's workers only. Returns `{names, sha256}`.
   */
  setUserImages(files) {
    if (!files) {
      this.userBatch = null;
      return null;
    }
    const batch = wasm.imageBatch(files.map((f) => f.name), files.map((f) => f.bytes));
    this.userBatch = batch;
    return { names: batch.names, sha256: batch.sha256 };
  }

  /**
   * A reference model of your own for the RMI targets (`{name, bytes}`: the project's safetensors
   * layout of a CIFAR ResNet, any depth), checked by the library before use; throws its message,
   * which names the file. `null` goes back to the bundled one. Returns `{depth, classes, sha256}`.
   */
  setUserReference(file) {
    if (!file) {
      this.userReference = null;
      return null;
    }
    const info = wasm.checkReference(file.name, file.bytes);
    this.userReference = { ...info, name: file.name, bytes: file.bytes };
    return info;
  }

  /** What the library says of a scored candidate (see SearchSession.inspect), or null. */
  inspect(arch) {
    return this.session ? this.session.inspect(arch) : null;
  }

  /** A worker with a Scorer for the pool's settings: resolves to a free slot once it is ready. */
  spawnWorker(started = [], compute = 'cpu') {
    return new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
      started.push(worker);
      worker.onmessage = ({ data }) => {
        if (data.type === 'ready') resolve({ worker, busy: false, compute: data.compute, gpu: data.compute?.running === 'gpu' });
        else reject(new Error(data.message));
      };
      worker.onerror = (e) => reject(new Error(e.message || 'a worker failed to start'));
      worker.postMessage({ type: 'init', module: this.build.module, ...this.workerInit, compute });
    });
  }

  /**
   * A worker died with a trial in flight (a crash, out of memory, a killed thread): the trial goes
   * back to the queue (nothing was recorded for it), a fresh worker takes the slot, and the search
   * goes on. A worker that cannot be restarted ends the search with an error.
   */
  async replaceWorker(slot, id, run) {
    clearTimeout(slot.watchdog);
    if (slot.down) return; // already being replaced
    slot.worker.onmessage = null;
    slot.worker.onerror = null;
    slot.worker.terminate();
    this.inflight?.delete(id);
    slot.down = true; // out of service until its replacement is ready
    this.restarts = (this.restarts ?? 0) + 1;
    try {
      const fresh = await this.spawnWorker([], slot.gpu ? this.compute.choice : 'cpu');
      slot.worker = fresh.worker;
      slot.busy = false;
      slot.down = false;
    } catch (e) {
      if (run === this.run) this.fail(`a worker died and could not be restarted: ${e.message ?? e}`);
      return;
    }
    this.pump(this.run);
  }

  /** Starts a new search with the given settings. */
  async start(settings) {
    const run = ++this.run;
    this.settings = { ...settings };
    // `continued`: generations to add after the search ends, one continuation each, as Continue
    // did; a shared link replays them, so it reproduces the search it was copied from.
    this.continuations = [...(settings.continued ?? [])];
    this.setState('running');
    try {
      // Refuses a search beyond the bounds before any worker starts; says how long a screen trains.
      this.screenSteps = wasm.planSearch(settings).screen_steps ?? null;
      await this.ensurePool(settings.steps, settings.seed, settings.batch, settings.compute ?? 'cpu');
      if (run !== this.run) return;
      this.session?.free();
      const truth = settings.space === 'nb201' ? this.truth : new Uint8Array();
      this.session = new wasm.SearchSession(settings, this.costs[settings.space].bytes, truth);
    } catch (e) {
      if (run === this.run) this.fail(String(e.message ?? e));
      return;
    }
    this.inflight = new Set();
    this.started = performance.now();
    this.stepping = false;
    this.pump(run);
  }

  /** The state the current (or next) search ends in, 'done' or 'error', once it ends. */
  settled() {
    return new Promise((resolve) => {
      const on = (e) => {
        if (e.detail.state !== 'done' && e.detail.state !== 'error') return;
        this.removeEventListener('state', on);
        resolve(e.detail.state);
      };
      this.addEventListener('state', on);
    });
  }

  pause() {
    if (this.state === 'running') this.setState('paused');
  }

  resume() {
    if (this.state !== 'paused' || !this.session) return;
    this.stepping = false;
    this.setState('running');
    this.pump(this.run);
  }

  /** Runs one generation, then pauses. */
  step() {
    if (!this.session || this.session.isDone()) return;
    if (this.state !== 'paused' && this.state !== 'idle') return;
    this.stepping = true;
    this.setState('running');
    this.pump(this.run);
  }

  stop() {
    if (!this.session) return;
    this.run++;
    this.inflight?.clear();
    this.pool.forEach((w) => (w.busy = false));
    this.finish();
  }

  /**
   * Continues a search for `more` generations with every score kept. Trials in flight (when
   * called during a run) are dropped and scored again, as after stop().
   */
  continueFor(more) {
    if (!this.session) return;
    this.inflight?.clear();
    this.pool.forEach((w) => (w.busy = false));
    try {
      this.session.extend(more);
    } catch (e) {
      return this.fail(String(e.message ?? e));
    }
    this.settings = { ...this.settings, generations: this.settings.generations + more };
    this.run++;
    this.stepping = false;
    this.setState('running');
    this.pump(this.run);
  }

  /** What-if: re-rank every scored architecture under a new budget; nothing is retrained. */
  setFitness(threshold, lambda, penalty) {
    if (!this.session) return;
    this.session.setFitness(threshold, lambda, penalty);
    this.settings = { ...this.settings, threshold, lambda, penalty };
    this.emitProgress();
  }

  /**
   * Progress for the page at most every 100 ms while scores arrive, so that the main thread's
   * cost per recorded score stays flat as the search grows (each report ranks every candidate).
   */
  scheduleProgress() {
    if (this.progressTimer) return;
    this.progressTimer = setTimeout(() => {
      this.progressTimer = null;
      if (this.session) this.emit('progress', this.progress());
    }, 100);
  }

  emitProgress() {
    clearTimeout(this.progressTimer);
    this.progressTimer = null;
    this.emit('progress', this.progress());
  }

  /** Keeps the mean time per training in a worker at the pool's K, for estimates (in memory). */
  measure(ms) {
    if (!Number.isFinite(ms)) return;
    const steps = this.workerInit.options.steps;
    const m = this.measured?.steps === steps ? this.measured : { steps, trainings: 0, totalMs: 0 };
    m.trainings += 1;
    m.totalMs += ms;
    m.msPerTraining = m.totalMs / m.trainings;
    this.measured = m;
  }

  /** Keeps the measured speed for later visits (once per search, not per training). */
  saveMeasured() {
    if (!this.measured) return;
    try {
      localStorage.setItem(MEASURED_KEY, JSON.stringify({ steps: this.measured.steps, msPerTraining: this.measured.msPerTraining }));
    } catch {
      // No storage (a sandboxed frame): the estimate lasts for this page only.
    }
  }

  /**
   * What a search with `settings` plans: its trainings and screenings, and the time they take at the rate
   * measured on this machine (`seconds` null before any training here). Throws the library's
   * reason when it refuses the search (a bound, the cap on trainings).
   */
  plan(settings) {
    const { trainings, screens, screen_steps: screenSteps = null, continued = 0 } = wasm.planSearch(settings);
    let m = this.measured;
    if (!m) {
      try {
        m = JSON.parse(localStorage.getItem(MEASURED_KEY) ?? 'null');
      } catch {
        m = null;
      }
    }
    // A training's time grows with its K steps (plus the forward pass that scores it); a screen
    // trains its own few steps (none: one forward pass), which a kept candidate's training then
    // continues from (repeating only that forward pass).
    const perStep = m?.msPerTraining > 0 ? m.msPerTraining / (m.steps + 1) : null;
    const work = trainings * (settings.steps + 1) + screens * ((screenSteps ?? 0) + 1) - continued * (screenSteps ?? 0);
    const seconds = perStep == null ? null : (work * perStep) / this.poolSize / 1000;
    return { trainings, screens, screenSteps, workers: this.poolSize, build: this.build.name, seconds };
  }

  reset() {
    this.run++;
    this.session?.free();
    this.session = null;
    this.pool.forEach((w) => (w.busy = false));
    this.setState('idle');
  }

  ranked() {
    return this.session ? this.session.ranked() : [];
  }

  progress() {
    const s = this.session;
    const evaluations = s.evaluations();
    const trials = s.trials();
    const elapsed = (performance.now() - this.started) / 1000;
    const perSecond = trials / Math.max(elapsed, 1e-3);
    const total = Math.max(s.plannedTrials(), trials);
    // Done and planned work in K-step trainings: a screen of a few steps counts for its share.
    const screenShare = ((this.screenSteps ?? 0) + 1) / (this.settings.steps + 1);
    const done = trials + s.screenings() * screenShare;
    const planned = Math.max(total + s.plannedScreens() * screenShare, done);
    const workRate = done / Math.max(elapsed, 1e-3);
    return {
      generation: s.generation(),
      generations: this.settings.generations,
      confirming: s.isConfirming(),
      evaluations,
      trials,
      screenings: s.screenings(),
      plannedScreens: s.plannedScreens(),
      screenSteps: this.screenSteps,
      perSecond,
      secondsLeft: Math.max(0, (planned - done) / Math.max(workRate, 1e-9)),
      fraction: s.isDone() ? 1 : Math.min(1, done / planned),
      ranked: s.ranked(),
      // The non-dominated candidates by (RMI, cost): the Pareto mode's answer for every budget.
      front: this.settings.mode === 'pareto' ? s.front() : [],
      trueFront: this.settings.mode === 'pareto' ? this.trueFront() : null,
      history: s.history(),
      bestFeasible: this.bestFeasible(),
      workers: this.pool.length || this.poolSize,
      compute: this.compute ?? null,
      restarts: this.restarts ?? 0,
      settings: this.settings,
    };
  }

  /** `compute()`, kept under `name` until `key` changes: for views that scan the whole table. */
  cached(name, key, compute) {
    this.caches ??= new Map();
    const hit = this.caches.get(name);
    if (hit?.key === key) return hit.value;
    const value = compute();
    this.caches.set(name, { key, value });
    return value;
  }

  /** The table's true accuracy-vs-cost front for the device (NB201; null for FBNet), cached. */
  trueFront() {
    const key = `${this.settings.space}/${this.settings.device}/${this.settings.metric}`;
    return this.cached('trueFront', key, () => this.session.trueFront());
  }

  /** Best true accuracy within the budget: a scan of all cells, so cached per threshold. */
  bestFeasible() {
    const key = `${this.settings.space}/${this.settings.device}/${this.settings.threshold}`;
    return this.cached('bestFeasible', key, () => this.session.bestFeasibleTruth());
  }

  finish() {
    if (this.continuations?.length) return this.continueFor(this.continuations.shift());
    this.saveMeasured();
    this.setState('done');
    this.emitProgress();
    this.emit('done', { best: this.session.ranked()[0] ?? null });
  }

  /**
   * The GPU worker failed mid-search and scored its trial again on the CPU (so no score is lost):
   * it stays on as a CPU worker, and the rest of the CPU pool starts.
   */
  fellBack(slot, compute, run) {
    slot.gpu = false;
    this.setCompute({ choice: this.compute.choice, ...compute });
    this.fillPool().then(() => this.pump(run), (e) => this.fail(`the CPU pool did not start: ${e.message ?? e}`));
  }

  pump(run) {
    if (run !== this.run || this.state !== 'running') return;
    const s = this.session;
    if (s.isDone()) return this.finish();
    // A trial is one initialisation of one architecture; finalists are trained more than once.
    const key = (t) => `${t.arch}#${t.replicate}` + (t.steps == null ? '' : `@${t.steps}`);
    const pending = s.pending().filter((t) => !this.inflight.has(key(t)));
    if (pending.length === 0 && this.inflight.size === 0) {
      let stats;
      try {
        stats = s.advance();
      } catch (e) {
        return this.fail(String(e.message ?? e));
      }
      // A generation's screens are continued within it: the next one screens its own.
      for (const slot of this.pool) slot.worker?.screened?.clear();
      this.emit('generation', { stats });
      this.emitProgress();
      if (s.isDone()) return this.finish();
      if (this.stepping) {
        this.stepping = false;
        return this.setState('paused');
      }
      return this.pump(run);
    }
    // A worker keeps the trainings its screens paused, so a kept candidate's full training goes
    // to the worker that screened it where it can (it continues there instead of starting over;
    // the score is the same either way); failing that, one no other worker has screened.
    const screener = (t) => this.pool.find((p) => p.worker?.screened?.has(`${t.arch}#${t.replicate}`));
    for (const slot of this.pool) {
      if (slot.busy || slot.down || pending.length === 0) continue;
      const own = pending.findIndex((t) => t.steps == null && screener(t) === slot);
      const free = pending.findIndex((t) => !screener(t) || screener(t).down);
      const [trial] = pending.splice(own >= 0 ? own : free >= 0 ? free : 0, 1);
      const id = key(trial);
      slot.busy = true;
      this.inflight.add(id);
      // A worker that dies silently (terminated, killed by the browser) never answers: after far
      // longer than any training has taken here, its trial goes to a fresh worker.
      const floor = this.trialTimeoutMs ?? 120_000 + 2_000 * this.settings.steps;
      const patience = Math.max(floor, 20 * (this.measured?.msPerTraining ?? 0));
      clearTimeout(slot.watchdog);
      slot.watchdog = setTimeout(() => this.replaceWorker(slot, id, run), patience);
      slot.worker.onmessage = ({ data }) => {
        // A worker answers in order; an answer for another trial belongs to a stopped run.
        if (data.id !== id) return;
        clearTimeout(slot.watchdog);
        slot.busy = false;
        if (run !== this.run) return this.pump(this.run);
        this.inflight.delete(id);
        if (data.type === 'error') {
          // The worker's wasm may be left unusable by a trap: the next search starts fresh ones.
          this.retirePool();
          return this.fail(`scoring ${trial.arch} failed: ${data.message}`);
        }
        try {
          s.record(trial.arch, trial.replicate, data.rmi, trial.steps);
        } catch (e) {
          return this.fail(String(e.message ?? e));
        }
        // The time per training is a fresh one's; a continued training says how far it skipped.
        if (trial.steps == null && data.resumed == null) this.measure(data.ms);
        if (trial.steps != null) (slot.worker.screened ??= new Set()).add(`${trial.arch}#${trial.replicate}`);
        if (data.compute) this.fellBack(slot, data.compute, run);
        this.scheduleProgress();
        // Paused mid-generation: in-flight results are kept, nothing new is dispatched.
        this.pump(run);
      };
      slot.worker.onerror = () => this.replaceWorker(slot, id, run);
      slot.worker.postMessage({ type: 'score', id, space: this.settings.space, arch: trial.arch, replicate: trial.replicate, steps: trial.steps });
    }
  }
}
