// One wasm instance per worker; it trains and scores candidates one at a time, on the CPU or, when
// the init asks for `compute` 'gpu' or 'auto', on WebGPU through the library's GPU executor.
// Messages in: {type:'init', module, compiled?, reference (weights, or the bundled reference's stored targets on this batch), batch: [Uint8Array per batch file], options, compute?}
//   | {type:'score', id, space, arch, replicate, steps?} | {type:'curve', id, space, arch, replicate}
//   | {type:'memory'} | {type:'lose-device'} (tests: the device lost, as a driver reset leaves it).
// Messages out: {type:'ready', compute} | {type:'scored', id, arch, rmi, ms, resumed?, compute?}
// (`resumed`: the steps of this worker's own screen that the training continued from)
//   | {type:'curve', id, curve} | {type:'memory', bytes} | {type:'error', id?, message}.
// `compute` says what runs: {running: 'gpu'|'cpu', adapter?, fallback?}; a scored message carries
// it when it changed (a GPU that failed mid-search: the trial was scored again on the CPU).
// The init message names the library build to load (engine.js wasmBuild), with the page's compiled
// WebAssembly.Module of it (`compiled`, instantiated here rather than fetched and compiled again);
// a worker keeps it.
let bindings = null;
let ready = null;
let scorer = null;
let gpuScorer = null;
let init = null;
let compute = { running: 'cpu' };

async function startGpu(data) {
  if (!self.navigator.gpu) throw new Error('this browser has no WebGPU (navigator.gpu is missing)');
  const gpu = await bindings.GpuScorer.create(data.reference, data.batch, data.options, data.compute);
  return { gpu, adapter: gpu.adapter() };
}

function cpuScorer() {
  scorer ??= new bindings.Scorer(init.reference, init.batch, init.options);
  return scorer;
}

async function score(data) {
  if (gpuScorer) {
    try {
      return { rmi: await gpuScorer.score(data.space, data.arch, data.replicate ?? 0, data.steps) };
    } catch (e) {
      // The GPU failed (a lost device, refused work): the CPU takes over, this trial included.
      gpuScorer.free();
      gpuScorer = null;
      compute = { running: 'cpu', fallback: `the GPU failed mid-search: ${e?.message ?? e}` };
      return { rmi: cpuScorer().score(data.space, data.arch, data.replicate ?? 0, data.steps), compute };
    }
  }
  const rmi = cpuScorer().score(data.space, data.arch, data.replicate ?? 0, data.steps);
  // A full training that continued this worker's screen of the same initialisation took fewer steps.
  return { rmi, resumed: scorer.lastResumed() };
}

self.onmessage = async ({ data }) => {
  try {
    if (data.type === 'init' && !ready) {
      ready = import(data.module).then(async (b) => {
        bindings = b;
        return b.default(data.compiled ? { module_or_path: data.compiled } : undefined);
      });
    }
    if (!ready) throw new Error('a worker was asked to score before its init');
    await ready;
    if (data.type === 'init') {
      scorer?.free();
      gpuScorer?.free();
      scorer = gpuScorer = null;
      init = data;
      compute = { running: 'cpu' };
      if (data.compute && data.compute !== 'cpu') {
        try {
          const started = await startGpu(data);
          gpuScorer = started.gpu;
          compute = { running: 'gpu', adapter: started.adapter };
        } catch (e) {
          compute = { running: 'cpu', fallback: String(e?.message ?? e) };
        }
      }
      if (!gpuScorer) cpuScorer();
      self.postMessage({ type: 'ready', compute });
    } else if (data.type === 'memory') {
      // The wasm instance's linear memory: it grows but never shrinks, so a leak shows here.
      self.postMessage({ type: 'memory', bytes: (await ready).memory.buffer.byteLength });
    } else if (data.type === 'score') {
      const t0 = performance.now();
      const result = await score(data);
      self.postMessage({ type: 'scored', id: data.id, arch: data.arch, ms: performance.now() - t0, ...result });
    } else if (data.type === 'curve') {
      // On the GPU when the search trains there, so that the curve ends at the search's score.
      const curve = gpuScorer
        ? await gpuScorer.curve(data.space, data.arch, data.replicate ?? 0)
        : cpuScorer().curve(data.space, data.arch, data.replicate ?? 0);
      self.postMessage({ type: 'curve', id: data.id, curve });
    } else if (data.type === 'lose-device') {
      gpuScorer?.loseDevice();
    }
  } catch (e) {
    self.postMessage({ type: 'error', id: data.id, message: String(e?.message ?? e) });
  }
};
