// The GPU path's benchmark: one NB201 candidate (K = 20, the bench cell on the default proxy) and
// one training step, natively through wgpu (`evrsnas bench-gpu`) and in headless Chromium through
// WebGPU, each beside the CPU path measured in the same run; writes BENCHMARKS.md's GPU section
// (between the <!-- gpu --> markers). bench/gpu.sh runs it; `cargo make bench` too.
// On a machine without a GPU the adapters are software ones (lavapipe, SwiftShader), and say so.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, serveDist } from '../tests/site.mjs';

const root = path.resolve(import.meta.dirname, '..');
const steps = 20;
const CELL = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_1x1~0|nor_conv_3x3~1|nor_conv_3x3~2|';

console.error('native (wgpu)…');
const native = JSON.parse(execFileSync(path.join(root, 'target/release/evrsnas'), ['bench-gpu', '--json', '--steps', String(steps)], {
  cwd: root, encoding: 'utf8', env: { XDG_RUNTIME_DIR: '/tmp', ...process.env }, stdio: ['ignore', 'pipe', 'inherit'],
}));

console.error('headless Chromium (WebGPU)…');
const site = await serveDist();
// A hardware adapter when Chromium finds one (Vulkan on Linux), SwiftShader otherwise.
const browser = await launch({ gpu: 'any' });
const page = await browser.newPage();
await page.goto(`${site.base}index.html`);
const web = await page.evaluate(async ({ steps, CELL }) => {
  const { loadLibrary } = await import('./engine.js');
  const library = await loadLibrary();
  const lib = await import(library.build.module);
  const bytes = async (p) => new Uint8Array(await (await fetch(`static/${p}`)).arrayBuffer());
  const assets = library.schema.assets;
  const reference = await bytes(assets.reference);
  const batch = await Promise.all(assets.batches['cifar10-and-100'].map(bytes));
  const options = { steps, seed: 0 };
  const time = async (f) => {
    const t0 = performance.now();
    await f();
    return performance.now() - t0;
  };
  const cpu = new lib.Scorer(reference, batch, options);
  const cpuCandidate = await time(() => cpu.score('nb201', CELL, 0));
  const cpuOne = await time(() => cpu.score('nb201', CELL, 0, 1));
  const gpu = await lib.GpuScorer.create(reference, batch, options, 'gpu');
  const adapter = gpu.adapter();
  const gpuCandidate = await time(() => gpu.score('nb201', CELL, 0));
  const gpuOne = await time(() => gpu.score('nb201', CELL, 0, 1));
  return { adapter, build: library.build.name, cpuCandidate, cpuOne, gpuCandidate, gpuOne, ua: navigator.userAgent };
}, { steps, CELL });
await browser.close();
site.close();

const perStep = (k, one) => (k - one) / (steps - 1);
const f = (v) => (Number.isFinite(v) ? v.toFixed(1) : '–');
const label = (a) => `${a.name || 'an unnamed adapter'} (${a.backend}${a.software ? ', a software adapter: a CPU emulation' : ''})`;
const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [, os.cpus()[0]?.model])[1];
const chrome = web.ua.match(/Chrome\/[\d.]+/)?.[0] ?? 'Chromium';
const section = `<!-- gpu -->
## The GPU path: one NB201 candidate and one training step

Measured by \`bench/gpu.sh\` (bench/gpu.mjs; also the end of \`cargo make bench\`) on ${new Date().toISOString().slice(0, 10)}, ${cpu}, ${os.cpus().length} cores.
The candidate: the bench cell (five 3×3 convolutions and a 1×1) on the default proxy (C = 8, N = 1), K = ${steps},
a batch of 40 images; one step = (the K-step run − the 1-step run) / (K − 1). Each GPU row stands beside the CPU
path measured in the same run on the same machine. One run each (medians of one).

| where | adapter | candidate, K = ${steps} (ms) | one step (ms) | GPU ÷ CPU |
| --- | --- | --- | --- | --- |
| native, wgpu | ${label(native.adapter)} | ${f(native.gpu_candidate_ms)} | ${f(native.gpu_step_ms)} | ${(native.gpu_candidate_ms / native.cpu_candidate_ms).toFixed(2)}× |
| native, CPU (fast kernels, one thread) | – | ${f(native.cpu_candidate_ms)} | ${f(native.cpu_step_ms)} | 1 |
| ${chrome} headless, WebGPU | ${label(web.adapter)} | ${f(web.gpuCandidate)} | ${f(perStep(web.gpuCandidate, web.gpuOne))} | ${(web.gpuCandidate / web.cpuCandidate).toFixed(2)}× |
| ${chrome} headless, wasm CPU (${web.build}, main thread) | – | ${f(web.cpuCandidate)} | ${f(perStep(web.cpuCandidate, web.cpuOne))} | 1 |

The native bench uses a random reference and batch, the browser's the bundled ones: compare each GPU row with the CPU
row beside it, not across them. Per step the GPU path records ${native.dispatches_per_step} compute dispatches and
${native.clears_per_step} buffer clears (gradients zeroed; 303 and 163 before the arenas and folds of gpu/fuse.rs), and a candidate's K steps go to the GPU in **one submit**,
with one readback of its ${4 * (steps + 1)} per-step numbers (loss and the three CKAs): on a real GPU the floor is the
dispatch count (about ${native.dispatches_per_step} × ${steps} = ${native.dispatches_per_step * steps} dispatches at the 16–70 µs each reported for Chrome, i.e. roughly
${(native.dispatches_per_step * steps * 0.016).toFixed(0)}–${(native.dispatches_per_step * steps * 0.07).toFixed(0)} ms per candidate), not submits or readback. A software adapter emulates the GPU on these CPU cores with
our naive WGSL kernels (no tiling, no im2col): it is there to prove correctness, and its times say nothing about a GPU.
<!-- /gpu -->
`;
const file = path.join(root, 'BENCHMARKS.md');
const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
const kept = old.replace(/<!-- gpu -->[\s\S]*<!-- \/gpu -->\n?/, '').trimEnd();
fs.writeFileSync(file, `${kept}\n\n${section}`);
console.log(section);
