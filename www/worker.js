// One wasm instance per worker; it trains and scores candidates one at a time.
// Messages in: {type:'init', reference, batch: [Uint8Array per batch file], options} | {type:'score', id, space, arch, replicate, steps?}
//   | {type:'memory'}.
// Messages out: {type:'ready'} | {type:'scored', id, arch, rmi, ms} | {type:'memory', bytes} | {type:'error', id?, message}.
import init, { Scorer } from './pkg/evrsnas.js';

let scorer = null;
const ready = init();

self.onmessage = async ({ data }) => {
  try {
    await ready;
    if (data.type === 'init') {
      scorer?.free();
      scorer = new Scorer(data.reference, data.batch, data.options);
      self.postMessage({ type: 'ready' });
    } else if (data.type === 'memory') {
      // The wasm instance's linear memory: it grows but never shrinks, so a leak shows here.
      self.postMessage({ type: 'memory', bytes: (await ready).memory.buffer.byteLength });
    } else if (data.type === 'score') {
      const t0 = performance.now();
      const rmi = scorer.score(data.space, data.arch, data.replicate ?? 0, data.steps);
      self.postMessage({ type: 'scored', id: data.id, arch: data.arch, rmi, ms: performance.now() - t0 });
    }
  } catch (e) {
    self.postMessage({ type: 'error', id: data.id, message: String(e?.message ?? e) });
  }
};
