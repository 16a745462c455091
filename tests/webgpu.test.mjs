// The page on WebGPU in headless Chromium: SwiftShader, a software adapter (a CPU emulation of a
// GPU), so these tests check correctness and the choice of compute, not speed.
// Needs `cargo make dist` first; Chromium without --disable-gpu, with unsafe WebGPU allowed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launch, openPage, root, serveDist } from './site.mjs';

const shots = path.join(root, 'target', 'screenshots');
const NB201 = /^\|[a-z_0-9]+~0\|\+\|[a-z_0-9]+~0\|[a-z_0-9]+~1\|\+\|[a-z_0-9]+~0\|[a-z_0-9]+~1\|[a-z_0-9]+~2\|$/;
// Small: every training on SwiftShader is an emulated GPU's.
// Every candidate trained (the plain schedule): a device lost after the first score still leaves
// trainings to come, for the CPU pool to take over.
const API = { space: 'nb201', device: 'raspi4', metric: 'latency', threshold: 20, lambda: 0.1, penalty: 'two-sided',
  population: 3, generations: 1, steps: 1, batch: 'cifar10', seed: 1, schedule: 'plain' };

let site;
let base;
let browser;

before(async () => {
  // The developer wasm (cargo make wasm-bench) for the kernel check; the page never loads it.
  site = await serveDist({ mounts: { 'dev-pkg/': path.join(root, 'target', 'pkg-dev-web') } });
  base = site.base;
  browser = await launch({ gpu: 'swiftshader' });
});

after(async () => {
  await browser?.close();
  site?.close();
});

async function open(query) {
  const { page, problems } = await openPage(browser, `${base}index.html?${query}`);
  await page.waitForFunction(() => document.getElementById('progress-text').textContent === 'ready');
  return { page, problems };
}

/** Runs `settings` through the module API; returns what the engine said and scored. */
function search(page, settings, { loseDeviceAfterFirst = false } = {}) {
  return page.evaluate(async ({ settings, loseDeviceAfterFirst }) => {
    const { Explorer } = await import('./engine.js');
    const ex = await Explorer.load({ base: 'static', workers: 2 });
    const computes = [];
    const errors = [];
    ex.addEventListener('compute', (e) => computes.push(e.detail));
    ex.addEventListener('error', (e) => errors.push(e.detail.message));
    if (loseDeviceAfterFirst) {
      ex.addEventListener('progress', () => ex.pool.find((s) => s.gpu)?.worker.postMessage({ type: 'lose-device' }), { once: true });
    }
    const end = ex.settled();
    ex.start(settings);
    const state = await end;
    const scores = ex.session ? ex.ranked().map((c) => ({ arch: c.arch, rmi: c.rmi })) : [];
    // A small search can end before the CPU pool that took over has started all its workers.
    for (const deadline = Date.now() + 30_000; loseDeviceAfterFirst && ex.pool.length < 2 && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 50));
    }
    return { state, computes, errors, scores, trials: ex.session?.trials(), planned: ex.session?.plannedTrials(), pool: ex.pool.length };
  }, { settings, loseDeviceAfterFirst });
}

test('on SwiftShader every GPU kernel matches candle\'s values and gradients within 1e-4, one operation at a time', async () => {
  const { page, problems } = await open('');
  const checked = await page.evaluate(async () => {
    const dev = await import('./dev-pkg/evrsnas.js');
    await dev.default();
    try {
      return await dev.gpuKernelCheck(4);
    } catch (e) {
      return { error: String(e?.message ?? e) };
    }
  });
  assert.equal(checked.error, undefined, checked.error);
  assert.equal(checked.adapter.software, true);
  assert.ok(checked.worst < 1e-4, JSON.stringify(checked));
  console.log(`worst relative error on SwiftShader over 4 random proxies: ${checked.worst.toExponential(2)}`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('compute=webgpu trains on WebGPU end to end, says which adapter, and scores as the CPU does', async () => {
  const { page, problems } = await open('');
  const onGpu = await search(page, { ...API, compute: 'gpu' });
  assert.equal(onGpu.state, 'done', JSON.stringify(onGpu));
  const compute = onGpu.computes.at(-1);
  assert.equal(compute.running, 'gpu', JSON.stringify(onGpu.computes));
  assert.equal(compute.adapter.software, true, 'SwiftShader is a fallback adapter');
  assert.equal(onGpu.pool, 1, 'one worker drives the GPU');
  assert.match(onGpu.scores[0].arch, NB201);
  const onCpu = await search(page, { ...API, compute: 'cpu' });
  assert.equal(onCpu.state, 'done');
  // The same candidates (the scores agree closely enough to rank alike at this size), each
  // within 1e-4 of the CPU's score after K = 1.
  assert.deepEqual(onGpu.scores.map((s) => s.arch).sort(), onCpu.scores.map((s) => s.arch).sort());
  for (const s of onGpu.scores) {
    const cpu = onCpu.scores.find((c) => c.arch === s.arch);
    assert.ok(Math.abs(s.rmi - cpu.rmi) < 1e-4, `${s.arch}: ${s.rmi} on WebGPU, ${cpu.rmi} on the CPU`);
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test('compute=auto refuses a fallback adapter and says why the CPU runs; the page shows it', async () => {
  const { page, problems } = await open('population=3&generations=1&steps=1&batch=cifar10&compute=auto');
  await page.click('#run');
  await page.waitForSelector('#app[data-state="done"]', { timeout: 240_000 });
  const note = await page.textContent('#compute-note');
  assert.match(note, /Compute: the CPU, in workers\. No WebGPU: the only GPU adapter is .*a CPU emulation/);
  assert.match(await page.textContent('#progress-text'), /2 workers/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the page runs compute=webgpu from its link and shows the adapter', async () => {
  const { page, problems } = await open('population=3&generations=1&steps=1&batch=cifar10&compute=webgpu');
  assert.equal(await page.inputValue('#compute'), 'gpu');
  await page.click('#run');
  await page.waitForSelector('#app[data-state="done"]', { timeout: 240_000 });
  assert.match(await page.textContent('#compute-note'), /Compute: WebGPU on .*\(a software adapter: correct, not fast\)/);
  assert.match(await page.textContent('#progress-text'), /on WebGPU/);
  assert.match(await page.textContent('#best-arch'), NB201);
  await page.screenshot({ path: path.join(shots, 'webgpu-done.png'), fullPage: false });
  // The candidate panel trains its curve on WebGPU too: it ends at the search's score.
  const first = await page.$eval('#top tbody tr:first-child', (tr) => [...tr.cells].map((c) => c.textContent));
  await page.click('#top tbody tr:first-child');
  await page.waitForFunction(() => /^\d+ of 1$/.test(document.getElementById('inspect-step-text').textContent), null, { timeout: 120_000 });
  const explain = await page.textContent('#inspect-explain');
  const last = explain.match(/After 1 steps?: RMI = CKA₁ \+ CKA₂ \+ CKA₃ = [\d.]+ \+ [\d.]+ \+ [\d.]+ = (\d+\.\d+)/);
  assert.ok(last, explain);
  const replicas = explain.match(/is the mean of 3 initialisations \(([\d.]+), ([\d.]+), ([\d.]+)\)/);
  assert.equal(last[1], replicas ? replicas[1] : first[3]);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a device lost mid-search hands over to the CPU without losing a score', async () => {
  const { page, problems } = await open('');
  const run = await search(page, { ...API, compute: 'gpu' }, { loseDeviceAfterFirst: true });
  assert.equal(run.state, 'done', JSON.stringify(run));
  assert.deepEqual(run.errors, []);
  const last = run.computes.at(-1);
  assert.equal(last.running, 'cpu', JSON.stringify(run.computes));
  assert.match(last.fallback, /^the GPU failed mid-search/);
  // The search ran its course with every candidate scored: the training the device was lost on
  // was scored again on the CPU, not dropped (a dropped one would leave the search waiting).
  assert.ok(run.trials > 0 && run.trials <= run.planned, JSON.stringify(run));
  assert.ok(run.scores.length > 0 && run.scores.every((c) => Number.isFinite(c.rmi)), JSON.stringify(run.scores));
  assert.equal(run.pool, 2, 'the CPU pool took over');
  assert.deepEqual(problems, []);
  await page.close();
});
