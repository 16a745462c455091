// Types of engine.js's module API: what a page that runs searches uses. Checked against the module's
// real exports and Explorer's methods by tests/types.test.mjs.

/** A search's settings: the library's schema by name (see `loadLibrary().schema`). */
export interface SearchSettings {
  space: 'nb201' | 'fbnet';
  device: 'edgegpu' | 'raspi4' | 'edgetpu' | 'pixel3' | 'eyeriss' | 'fpga';
  metric?: 'latency';
  mode?: 'constrained' | 'pareto';
  /** The budget in the table's unit (ms); null or absent: the device's suggested budget. */
  threshold?: number | null;
  lambda?: number;
  penalty?: 'hinge' | 'two-sided';
  /** w, the weight of the complexity prior in the fitness (0: RMI alone, as published). */
  prior?: number;
  population?: number;
  generations?: number;
  /** K, the SGD steps each candidate trains. */
  steps: number;
  /** Absent or null: the mode's own (halving for one budget, plain for the Pareto mode). */
  schedule?: 'plain' | 'screened' | 'halving' | null;
  batch: 'cifar10' | 'cifar10-and-100';
  seed: number;
  compute?: 'auto' | 'gpu' | 'webgpu' | 'cpu';
  /** Generations a finished search is continued by, in order (the page's Continue). */
  continued?: number[] | null;
}

/** An evaluated architecture under the current fitness (NB201: with its true accuracies). */
export interface Candidate {
  arch: string;
  index: number | null;
  rmi: number;
  replicates: number;
  cost: number;
  measured: boolean;
  /** The share of the space with fewer multiply-accumulates in the full-size network (0..1). */
  complexity: number;
  fitness: number;
  feasible: boolean;
  /** CIFAR-10, CIFAR-100 and ImageNet16-120 accuracies (NB201). */
  truth: [number, number, number] | null;
}

export interface GenerationStats {
  generation: number;
  bestFitness: number;
  meanFitness: number;
  evaluations: number;
  trials: number;
}

export interface ComputeStatus {
  choice: string;
  running: 'gpu' | 'cpu';
  adapter?: { name: string; backend: string; software: boolean } | null;
  fallback?: string | null;
}

export interface Plan {
  trainings: number;
  screens: number;
  screenSteps: number | null;
  /** The schedule in force. */
  schedule: 'plain' | 'screened' | 'halving';
  /** Passes over the batch in all (estimates.js). */
  work: number;
  workers: number;
  build: string;
  /** At the speed measured on this machine; null before any training here. */
  seconds: number | null;
}

export interface Progress {
  generation: number;
  generations: number;
  confirming: boolean;
  evaluations: number;
  trials: number;
  screenings: number;
  plannedScreens: number;
  screenSteps: number | null;
  perSecond: number;
  secondsLeft: number;
  fraction: number;
  ranked: Candidate[];
  front: Candidate[];
  trueFront: { index: number; cifar10: number; cost: number }[] | null;
  history: GenerationStats[];
  bestFeasible: { index: number; cifar10: number; arch: string } | null;
  workers: number;
  compute: ComputeStatus | null;
  restarts: number;
  settings: SearchSettings;
}

export interface StepRecord {
  step: number;
  loss: number;
  cka: [number, number, number];
  rmi: number;
}

export interface Library {
  /** `compiled`: the module, compiled once on the main thread and posted to the workers. */
  build: { name: string; module: string; compiled?: WebAssembly.Module };
  schema: { settings: object[]; maxTrainings: number; assets: object };
  /** A setting's value from its text, with the CLI's message when it is bad (throws). */
  parseSetting(name: string, text: string): unknown;
  archLayout(space: string, arch: string): object[];
}

export type ExplorerState = 'idle' | 'running' | 'paused' | 'done' | 'error';

/** The wasm build this browser runs: `auto` takes relaxed SIMD where it validates. */
export function wasmBuild(choice?: 'auto' | 'simd128' | 'relaxed'): { name: string; module: string };

/** Loads the library once per page (the first call picks the build). */
export function loadLibrary(options?: { simd?: 'auto' | 'simd128' | 'relaxed' }): Promise<Library>;

/**
 * Runs searches in a pool of workers. Events: `state` {state}, `progress` (Progress), `generation`
 * {stats}, `compute` (ComputeStatus), `done` {best}, `error` {message}.
 */
export class Explorer extends EventTarget {
  /**
   * `base`: the assets' folder URL; `workers`: the pool's size (at most the cores);
   * `trialTimeoutMs`: the watchdog; `shared`: a pool several explorers take turns with (the
   * `<evrsnas-explorer>` figures of a page share one), from shared-pool.js.
   */
  static load(options?: { base?: string; workers?: number; trialTimeoutMs?: number; shared?: object | null }): Promise<Explorer>;
  readonly state: ExplorerState;
  /** The pool's size for the next search: `workers`, or one per core when absent; never more than the cores. */
  setPoolSize(workers?: number | null): void;
  start(settings: SearchSettings): Promise<void>;
  pause(): void;
  resume(): void;
  /** Runs one generation, then pauses. */
  step(): void;
  stop(): void;
  /** Continues a finished search by `more` generations, keeping every score. */
  continueFor(more: number): void;
  /** Re-ranks at once under a new budget, λ, penalty shape or complexity prior (kept when not given): nothing is retrained. */
  setFitness(threshold: number, lambda: number, penalty: 'hinge' | 'two-sided', prior?: number | null): void;
  /** What a search with `settings` plans; throws the library's reason when it refuses it. */
  plan(settings: SearchSettings): Plan;
  reset(): void;
  /** Ends this explorer for good: trainings in flight stop, its workers end or go back to the shared pool. */
  dispose(): void;
  ranked(): Candidate[];
  /** The results as the CLI's `search --json` has them, with every candidate (and the front); null before a search. */
  results(): { best: Candidate | null; evaluations: number; trials: number; screenings?: number; history: GenerationStats[]; candidates: Candidate[]; front?: Candidate[] } | null;
  /** The results as CSV, the CLI's writer: the Pareto mode's front, else every ranked candidate; null before a search. */
  csv(): string | null;
  progress(): Progress;
  /** Resolves with the next state the search ends in: done or error. */
  settled(): Promise<'done' | 'error'>;
  /** What the library says of a scored candidate, or null. */
  inspect(arch: string): object | null;
  /** A candidate's training step by step, trained again in a worker of its own. */
  curve(arch: string, replicate?: number): Promise<StepRecord[]>;
  /** The whole space on a device: every cell's cost (and NB201's accuracy). */
  landscape(space: string, device: string, metric: string): { costs: Float64Array; accuracy: Float32Array | null; sampled: boolean };
  /** Your images as the next search's batch (null: the bundled batch again); throws the library's message. */
  setUserImages(files: { name: string; bytes: Uint8Array }[] | null): { names: string[]; sha256: string } | null;
  /** Your reference for the next search (null: the bundled one); throws the library's message. */
  setUserReference(file: { name: string; bytes: Uint8Array } | null): { depth: number; classes: number; sha256: string } | null;
  /** Bytes of wasm memory in the page and in each worker, between searches. */
  memory(): Promise<{ main: number; workers: number[] }>;
}
