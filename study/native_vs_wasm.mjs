// The two CPU builds against each other, the way `evrsnas study-gpu` compares the GPU with the CPU:
// the same NB201 cells scored by the native CLI and by a wasm build (the page's Scorer under node),
// K steps, seed 0, the bundled reference and 20-image batch. Training is chaotic in float rounding,
// so the builds' scores differ; this measures by how much, as the baseline the GPU is held to.
//
//   node --experimental-wasm-relaxed-simd study/native_vs_wasm.mjs CELLS.json WASM_DIR [OUT.json]
//
// CELLS.json: a study-gpu report (its cells' NB201 indices); WASM_DIR: a `wasm-bindgen --target
// nodejs` build (`cargo make wasm-bench` writes target/pkg-bench, plain simd128). Needs
// target/release/evrsnas.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { kendallTau } from './stats.mjs';

const root = path.resolve(import.meta.dirname, '..');
const [cellsFile, wasmDir, out] = process.argv.slice(2);
if (!cellsFile || !wasmDir) {
  console.error('usage: node study/native_vs_wasm.mjs CELLS.json WASM_DIR [OUT.json]');
  process.exit(2);
}
const report = JSON.parse(fs.readFileSync(cellsFile, 'utf8'));
const steps = report.steps ?? 20;
const indices = report.cells.map((c) => c.index);

// Native: the CLI's scores (and the architecture strings the wasm Scorer takes).
const args = ['score', '--space', 'nb201', '--steps', String(steps), '--seed', '0', '--json', ...indices.flatMap((i) => ['--arch', String(i)])];
const native = execFileSync(path.join(root, 'target/release/evrsnas'), args, { cwd: root, encoding: 'utf8', env: { ...process.env, CANDLE_NUM_THREADS: '1' } })
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));

const bindings = createRequire(import.meta.url)(path.resolve(wasmDir, 'evrsnas.js'));
const read = (p) => new Uint8Array(fs.readFileSync(path.join(root, 'static', p)));
const scorer = new bindings.Scorer(read('reference/resnet.safetensors'), [read('batch/cifar10_20.bin')], { steps, seed: 0 });
const cells = native.map((n) => ({ index: n.index, native: n.rmi, wasm: scorer.score('nb201', n.arch, 0, undefined) }));
scorer.free();

/** Median and largest |a − b| over the cells, and Kendall's τ between a and b. */
function agreement(a, b) {
  const diffs = a.map((v, i) => Math.abs(v - b[i])).sort((x, y) => x - y);
  const median = (diffs[(diffs.length - 1) >> 1] + diffs[diffs.length >> 1]) / 2;
  return { median_abs_difference: median, max_abs_difference: diffs.at(-1), kendall_tau: kendallTau(a, b) };
}

const result = {
  wasm: path.basename(path.resolve(wasmDir)),
  steps,
  batch_size: 20,
  seed: 0,
  ...agreement(cells.map((c) => c.native), cells.map((c) => c.wasm)),
  cells,
};
// A study-gpu report's GPU scores against this native build's (the GPU scores are deterministic:
// they stand for as long as the GPU kernels do, while the CPU's may have changed since the report).
const gpu = new Map(report.cells.map((c) => [c.index, c.gpu]));
if (cells.every((c) => Number.isFinite(gpu.get(c.index)))) {
  cells.forEach((c) => (c.gpu = gpu.get(c.index)));
  result.gpu_vs_native = agreement(cells.map((c) => c.native), cells.map((c) => c.gpu));
}
if (out) fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify({ ...result, cells: undefined }));
