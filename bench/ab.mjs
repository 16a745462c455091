// Interleaved A/B of two developer wasm builds (`cargo make wasm-bench` output, or any
// `wasm-bindgen --target nodejs` build with the devtools feature): each round times the
// benchmark's NB201 candidate (nb201CandidateMs, K steps, once) with A, then with B, so that the
// machine's drift hits both alike; prints the medians and the median of the per-round ratios B ÷ A.
//
//   node --experimental-wasm-relaxed-simd bench/ab.mjs DIR_A DIR_B [rounds=7] [steps=20]
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const [a, b, rounds = 7, steps = 20] = process.argv.slice(2);
if (!a || !b) {
  console.error('usage: node bench/ab.mjs DIR_A DIR_B [rounds] [steps]');
  process.exit(2);
}
const load = (dir) => require(path.resolve(dir, 'evrsnas.js')).nb201CandidateMs;
const [fa, fb] = [load(a), load(b)];
const ta = [];
const tb = [];
for (let i = 0; i < Number(rounds); i++) {
  ta.push(fa('fast', Number(steps), 1));
  tb.push(fb('fast', Number(steps), 1));
}
const median = (v) => [...v].sort((x, y) => x - y)[v.length >> 1];
const ratios = ta.map((t, i) => tb[i] / t);
console.log(`A ${median(ta)} ms, B ${median(tb)} ms; B ÷ A ${median(ratios).toFixed(3)} (rounds: ${ratios.map((r) => r.toFixed(2)).join(' ')})`);
