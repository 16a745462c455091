// `cargo make bench`: one invocation measures the probe CNN train step and one NB201 candidate
// evaluation with stock and fast kernels, natively (the CLI) and in wasm (under node), and with
// PyTorch on one thread when it is installed; then writes BENCHMARKS.md with medians and ratios.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const steps = 20;
const reps = 11;
const candidateReps = 2;

function run(cmd, args, env = {}) {
  return execFileSync(cmd, args, { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

console.error('native…');
const native = JSON.parse(run('target/release/evrsnas', ['bench', '--json', '--steps', String(steps)], { CANDLE_NUM_THREADS: '1' }));

console.error('wasm (node)…');
// The developer build (cargo make wasm-bench): the page's wasm has no benchmark.
const bindings = await import(path.join(root, 'target/pkg-bench/evrsnas.js'));
const benchmark = bindings.benchmark ?? bindings.default.benchmark;
const wasm = { probe_train_step_ms: {}, nb201_candidate_ms: {}, reference_train_step_ms: {} };
// The wasm side answers in camelCase (probeTrainStepMs); the native CLI's JSON in snake_case.
const camel = (key) => key.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
for (const k of ['stock', 'fast']) {
  const r = benchmark(k, reps, candidateReps, steps);
  for (const key of Object.keys(wasm)) wasm[key][k] = r[camel(key)];
}

let torch = null;
try {
  console.error('PyTorch…');
  const threads = native.reference_train_step_threaded_ms?.threads ?? 1;
  torch = JSON.parse(run('python3', ['bench/torch_twin.py', String(steps), String(reps), String(threads)], { OMP_NUM_THREADS: '1' }));
} catch {
  console.error('PyTorch not installed: no PyTorch column (pip install torch)');
}

const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [, os.cpus()[0]?.model])[1];
const date = new Date().toISOString().slice(0, 10);
const f = (v) => (Number.isFinite(v) ? v.toFixed(1) : '–');
const r = (a, b) => (Number.isFinite(a) && Number.isFinite(b) ? `${(a / b).toFixed(2)}×` : '–');
// conv 3→8 at 32×32, 8→16 stride 2 at 16×16, 16→32 stride 2 at 8×8, batch 64.
const PROBE_MACS = 64 * (1024 * 8 * 27 + 256 * 16 * 72 + 64 * 32 * 144);
// ResNet-20 on 32×32 inputs: 40.55 M multiply-adds per image forward, batch 128.
const RESNET_MACS = 128 * 40.55e6;
const gflops = (ms, macs = PROBE_MACS) => ((6 * macs) / 1e9 / (ms / 1000)).toFixed(1);
const flags = fs.readFileSync('/proc/cpuinfo', 'utf8');
const ghz = Number(cpu.match(/([\d.]+)GHz/)?.[1] ?? 2.5);
const lanes = /avx512f/.test(flags) ? 16 : /avx2/.test(flags) ? 8 : 4;
const peak = (ghz * 2 * 2 * lanes).toFixed(0); // 2 FMA units × 2 flops per FMA × f32 lanes
const peakWhy = `${ghz} GHz × 2 FMA units × 2 flops × ${lanes} f32 lanes`;
const rows = [];
for (const [key, what] of [
  ['probe_train_step_ms', 'probe CNN train step (batch 64)'],
  ['nb201_candidate_ms', `NB201 candidate, K = ${steps} (batch 40, C = 8, N = 1)`],
  ['reference_train_step_ms', 'ResNet-20 train step (batch 128)'],
]) {
  const t = torch?.[key];
  rows.push(`| ${what} | ${f(native[key].stock)} | ${f(native[key].fast)} | ${f(wasm[key].stock)} | ${f(wasm[key].fast)} | ${f(t)} | ${r(native[key].stock, native[key].fast)} | ${r(wasm[key].fast, native[key].fast)} | ${r(native[key].fast, t)} |`);
}
// Training the reference: our convolutions split the batch over every core, PyTorch uses as many threads.
const threaded = native.reference_train_step_threaded_ms;
if (threaded) {
  const t = torch?.reference_train_step_threaded_ms;
  rows.push(`| ResNet-20 train step (batch 128), ${threaded.threads} threads | – | ${f(threaded.fast)} | – | – | ${f(t)} | – | – | ${r(threaded.fast, t)} |`);
}
const md = `# Benchmarks

Measured by \`cargo make bench\` (bench/run.mjs) in one run, all on one thread (CANDLE_NUM_THREADS=1,
torch.set_num_threads(1)) except the row that says how many; medians in milliseconds.

- Machine: ${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; ${os.platform()} ${os.release()}
- Date: ${date}; wasm under node ${process.version} (wasm32 + simd128); ${torch ? `PyTorch ${torch.torch}` : 'PyTorch not installed in this run'}

| workload | native stock | native fast | wasm stock | wasm fast | PyTorch | stock ÷ fast (native) | wasm fast ÷ native fast | native fast ÷ PyTorch |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

"fast" is our kernels (crate/src/kernels: im2col + gemm convolution with gemm's AVX-512 / simd128 micro-kernels,
fused batch norm, one-pass ReLU, separable 3×3 average pooling, row centring for CKA); "stock" is candle 0.11's own
ops. wasm has 128-bit SIMD without fused multiply-add, native x86 has AVX-512 with it: that, not the kernels, sets
the wasm ÷ native ratio of GEMM-bound work.${process.env.BENCH_NOTE ? `\n\nConditions: ${process.env.BENCH_NOTE}` : ''}

Achieved throughput of the probe step: its convolutions are ${PROBE_MACS / 1e6} M multiply-adds forward, about
3× that for forward + backward, i.e. ${(6 * PROBE_MACS / 1e9).toFixed(2)} GFLOP per step: native fast ${gflops(native.probe_train_step_ms.fast)} GFLOP/s,
wasm fast ${gflops(wasm.probe_train_step_ms.fast)} GFLOP/s. The ResNet-20 step (${(6 * RESNET_MACS / 1e9).toFixed(1)} GFLOP):
native fast ${gflops(native.reference_train_step_ms.fast, RESNET_MACS)} GFLOP/s, wasm fast ${gflops(wasm.reference_train_step_ms.fast, RESNET_MACS)} GFLOP/s${torch ? `, PyTorch ${gflops(torch.reference_train_step_ms, RESNET_MACS)} GFLOP/s` : ''}.
Single-core f32 FMA peak: about ${peak} GFLOP/s on this machine (${peakWhy}).
`;
// The page's section is bench/page.mjs's, the GPU's bench/gpu.mjs's, the A/B changes' written by
// hand: keep them.
const file = path.join(root, 'BENCHMARKS.md');
const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
const kept = ['changes', 'gpu', 'page'].map((s) => old.match(new RegExp(`<!-- ${s} -->[\\s\\S]*<!-- \\/${s} -->\\n?`))?.[0]).filter(Boolean);
fs.writeFileSync(file, [md, ...kept].join('\n'));
console.log(md);
