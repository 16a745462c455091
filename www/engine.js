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
import { loadBundle } from './assets.js';
import { bindings, loadLibrary } from './library.js';
import { addTraining, MEASURED_KEY, passes, progress as estimateProgress, seconds } from './estimates.js';
import { poolMethods } from './pool.js';
import { dispatchMethods } from './dispatch.js';
import { inputMethods } from './inputs.js';

export { loadLibrary, wasmBuild } from './library.js';

let wasm = null; // the library's bindings, once Explorer.load has loaded them

export class Explorer extends EventTarget {
  /**
   * `workers`: the pool's size (at most the machine's cores); `trialTimeoutMs`: how long a worker
   * may stay silent on one training before it is taken for dead (default 2 minutes plus 2 s per
   * step; never less than 20 times the mean training time measured here).
   */
  static async load({ base = 'static', workers, trialTimeoutMs, shared = null } = {}) {
    const library = await loadLibrary();
    ({ wasm } = bindings());
    // Loaded once per base for every explorer of the page (the figures of a docs page share it).
    const defaultBatch = library.schema.settings.find((s) => s.name === 'batch').default;
    const bundle = await loadBundle(wasm, base, library.schema.assets, defaultBatch);
    const ex = new Explorer(base, bundle.manifest);
    ex.schema = library.schema;
    ex.trialTimeoutMs = trialTimeoutMs;
    ex.shared = shared;
    ex.costs = bundle.costs;
    ex.fidelity = { ...bundle.fidelity };
    ex.batches = library.schema.assets.batches;
    ex.heavy = bundle.heavy.then((heavy) => Object.assign(ex, heavy));
    ex.build = library.build;
    ex.setPoolSize(workers);
    return ex;
  }

  /** The pool's size for the next search: `workers`, or one per core when absent; never more than the cores. */
  setPoolSize(workers) {
    // One worker per core by default: the main thread is idle during a search (BENCHMARKS.md: on
    // 2 cores, 2 workers finish the default search 1.8× sooner than 1).
    const cores = navigator.hardwareConcurrency || 2;
    this.poolSize = Math.min(workers ?? cores, cores);
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
    this.givePool();
    this.setState('error');
    this.emit('error', { message });
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
    return { main: bindings().instance.memory.buffer.byteLength, workers };
  }

  /** What the library says of a scored candidate (see SearchSession.inspect), or null. */
  inspect(arch) {
    return this.session ? this.session.inspect(arch) : null;
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
      this.screenSteps = wasm.planSearch(settings).screenSteps ?? null;
      if (!(await this.takePool(run))) return;
      await this.ensurePool(settings);
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
    if (this.shared?.waiting(this)) {
      // Queued behind another figure's search: it leaves the queue and never starts.
      this.run++;
      this.givePool();
      return this.setState(this.session ? 'done' : 'idle');
    }
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
  setFitness(threshold, lambda, penalty, prior) {
    if (!this.session) return;
    this.session.setFitness(threshold, lambda, penalty, prior ?? undefined);
    this.settings = { ...this.settings, threshold, lambda, penalty, ...(prior == null ? {} : { prior }) };
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
    if (Number.isFinite(ms)) this.measured = addTraining(this.measured, this.workerInit.options.steps, ms);
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
    const planned = wasm.planSearch(settings);
    let m = this.measured;
    if (!m) {
      try {
        m = JSON.parse(localStorage.getItem(MEASURED_KEY) ?? 'null');
      } catch {
        m = null;
      }
    }
    const work = passes(planned, planned.steps);
    const { trainings, screens, screenSteps, schedule } = planned;
    return { trainings, screens, screenSteps, schedule, work, workers: this.poolSize, build: this.build.name, seconds: seconds(work, m, this.poolSize) };
  }

  reset() {
    this.run++;
    this.session?.free();
    this.session = null;
    this.pool.forEach((w) => (w.busy = false));
    this.givePool();
    this.setState('idle');
  }

  ranked() {
    return this.session ? this.session.ranked() : [];
  }

  /** The search's results as the library writes them for the CLI's `search --json`, with every candidate; null before a search. */
  results() {
    return this.session ? this.session.results() : null;
  }

  /** The search's results as CSV, written by the library as the CLI writes them: the Pareto mode's front, else every ranked candidate. */
  csv() {
    if (!this.session) return null;
    return this.settings.mode === 'pareto' ? this.session.frontCsv() : this.session.candidatesCsv();
  }

  progress() {
    const s = this.session;
    const evaluations = s.evaluations();
    const trials = s.trials();
    const elapsed = (performance.now() - this.started) / 1000;
    const perSecond = trials / Math.max(elapsed, 1e-3);
    const { fraction, secondsLeft } = estimateProgress({
      done: { trainings: trials, screens: s.screenings() },
      planned: { trainings: Math.max(s.plannedTrials(), trials), screens: s.plannedScreens() },
      steps: this.settings.steps,
      screenSteps: this.screenSteps,
      elapsed,
      finished: s.isDone(),
    });
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
      secondsLeft,
      fraction,
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
    this.givePool();
    this.setState('done');
    // One ranking for both reports: with a thousand candidates it is the main thread's largest cost.
    clearTimeout(this.progressTimer);
    this.progressTimer = null;
    const p = this.progress();
    this.emit('progress', p);
    this.emit('done', { best: p.ranked[0] ?? null });
  }

}

Object.assign(Explorer.prototype, poolMethods);
Object.assign(Explorer.prototype, dispatchMethods);
Object.assign(Explorer.prototype, inputMethods);
