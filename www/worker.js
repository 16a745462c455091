// One wasm instance per worker; it trains and scores candidates one at a time.
// Messages in: {type:'init', module, reference, batch: [Uint8Array per batch file], options} | {type:'score', id, space, arch, replicate, steps?}
//   | {type:'curve', id, space, arch, replicate} | {type:'memory'}.
// Messages out: {type:'ready'} | {type:'scored', id, arch, rmi, ms} | {type:'curve', id, curve} | {type:'memory', bytes}
//   | {type:'error', id?, message}.
// The init message names the library build to load (engine.js wasmBuild); a worker keeps it.
let bindings = null;
let ready = null;
let scorer = null;

self.onmessage = async ({ data }) => {
  try {
    if (data.type === 'init' && !ready) {
      ready = import(data.module).then(async (b) => {
        bindings = b;
        return b.default();
      });
    }
    if (!ready) throw new Error('a worker was asked to score before its init');
    await ready;
    if (data.type === 'init') {
      scorer?.free();
      scorer = new bindings.Scorer(data.reference, data.batch, data.options);
      self.postMessage({ type: 'ready' });
    } else if (data.type === 'memory') {
      // The wasm instance's linear memory: it grows but never shrinks, so a leak shows here.
      self.postMessage({ type: 'memory', bytes: (await ready).memory.buffer.byteLength });
    } else if (data.type === 'score') {
      const t0 = performance.now();
      const rmi = scorer.score(data.space, data.arch, data.replicate ?? 0, data.steps);
      self.postMessage({ type: 'scored', id: data.id, arch: data.arch, rmi, ms: performance.now() - t0 });
    } else if (data.type === 'curve') {
      self.postMessage({ type: 'curve', id: data.id, curve: scorer.curve(data.space, data.arch, data.replicate ?? 0) });
    }
  } catch (e) {
    self.postMessage({ type: 'error', id: data.id, message: String(e?.message ?? e) });
  }
};
