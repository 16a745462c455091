// End-to-end tests of the explorer in headless Chromium (Debian's), driven by playwright-core.
// A small static server serves dist/ on 127.0.0.1; it can corrupt one asset to test integrity.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { openPage } from './site.mjs';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');
// The page's own wasm, loaded here too: the tests take choices and defaults from the library's
// schema rather than copying them.
const wasm = await import(path.join(dist, 'pkg/evrsnas.js'));
await wasm.default({ module_or_path: fs.readFileSync(path.join(dist, 'pkg/evrsnas_bg.wasm')) });
const schema = wasm.schema();
const setting = (name) => schema.settings.find((s) => s.name === name);
const shots = path.join(root, 'target', 'screenshots');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml' };
const NB201 = /^\|[a-z_0-9]+~0\|\+\|[a-z_0-9]+~0\|[a-z_0-9]+~1\|\+\|[a-z_0-9]+~0\|[a-z_0-9]+~1\|[a-z_0-9]+~2\|$/;
const TINY = 'population=4&generations=2&steps=2&seed=1';
// The same small search for the module API (engine.js), passed into the page.
const API = { space: 'nb201', device: 'raspi4', metric: 'latency', threshold: 20, lambda: 0.1, penalty: 'two-sided',
  population: 4, generations: 2, steps: 2, batch: 'cifar10', seed: 1 };

let server;
let base;
let browser;
let corrupt = null; // path under dist/ to serve altered
// Faults the server injects, by path under dist/: 'missing' (404), 'truncate' (half the bytes), or
// 'reshape' (a JSON file served with another structure, and MANIFEST.json patched to match it, so
// that only the page's structure check can catch it).
let faults = {};
const RESHAPED = Buffer.from(JSON.stringify({ batches: { 'cifar10-and-100': { rows: [] } }, default_batch: 'cifar10-and-100' }));

before(async () => {
  fs.mkdirSync(shots, { recursive: true });
  server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.join(dist, rel);
    if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end('not found');
      return;
    }
    let body = fs.readFileSync(file);
    const fault = faults[rel];
    if (fault === 'missing') {
      res.writeHead(404).end('not found');
      return;
    }
    if (fault === 'truncate') body = body.subarray(0, Math.floor(body.length / 2));
    if (fault === 'reshape') body = RESHAPED;
    if (rel === 'static/MANIFEST.json') {
      const manifest = JSON.parse(body);
      for (const [p, f] of Object.entries(faults)) {
        const entry = manifest.files.find((e) => `static/${e.path}` === p);
        if (f === 'reshape' && entry) Object.assign(entry, { bytes: RESHAPED.length, sha256: crypto.createHash('sha256').update(RESHAPED).digest('hex') });
      }
      body = Buffer.from(JSON.stringify(manifest));
    }
    if (corrupt && rel === corrupt) {
      body = Buffer.from(body);
      body[body.length - 1] ^= 0xff;
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}/`;
  // A fresh user-data-dir each run (playwright passes it as --user-data-dir).
  browser = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'evrsnas-chromium-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 1400 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

function open(query) {
  return openPage(browser, `${base}index.html?${query}`);
}

/** Opens the page and waits until it is ready to run. */
async function openReady(query) {
  const opened = await open(query);
  await opened.page.waitForFunction(() => document.getElementById('progress-text').textContent === 'ready');
  return opened;
}

const state = (page) => page.getAttribute('#app', 'data-state');
const waitState = (page, s, timeout = 240_000) => page.waitForSelector(`#app[data-state="${s}"]`, { timeout });
const evaluations = async (page) => Number((await page.textContent('#progress-text')).match(/(\d+) architectures trained/)?.[1] ?? -1);

test('a small search from URL parameters runs to done with a valid best architecture', async () => {
  const { page, problems } = await openReady(`${TINY}&device=raspi4&threshold=20`);
  // The page must stay responsive while the search runs: watch for long main-thread tasks.
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
  });
  await page.click('#run');
  await waitState(page, 'done');
  const best = await page.textContent('#best-arch');
  assert.match(best, NB201);
  // The default screened schedule trains the better half of each generation's new candidates.
  assert.ok((await evaluations(page)) >= 3);
  assert.ok((await page.locator('#top tbody tr').count()) >= 1);
  // The finalists were re-trained: the leader's RMI is the mean of three initialisations.
  assert.match(await page.textContent('#top tbody tr:first-child td:nth-child(4)'), /×3$/);
  assert.match(await page.textContent('#progress-text'), /\(\d+ trainings\)/);
  assert.equal(await page.textContent('#error'), '');
  // Read before the screenshot: capturing the full page is the browser's work, not the search's.
  const longest = Math.max(0, ...(await page.evaluate(() => window.__longTasks)));
  await page.screenshot({ path: path.join(shots, 'search-done.png'), fullPage: true });
  console.log(`longest main-thread task during the search: ${longest.toFixed(0)} ms`);
  assert.ok(longest <= 50, `a main-thread task took ${longest} ms`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('an FBNet search draws its 22 layers and has no ground truth', async () => {
  // With the RMI batch that is not the default, so that both batches are trained on in these tests.
  const otherBatch = setting('batch').choices.map((c) => c.value).find((b) => b !== setting('batch').default);
  const { page, problems } = await open(`${TINY}&space=fbnet&device=pixel3&threshold=15&batch=${otherBatch}&autorun=1`);
  await waitState(page, 'done');
  const best = await page.textContent('#best-arch');
  assert.equal(best.split('-').length, 22);
  assert.equal(await page.locator('#best-view .fbnet-strip .block').count(), 22);
  assert.match(await page.textContent('#truth-note'), /no ground-truth/);
  await page.screenshot({ path: path.join(shots, 'fbnet-done.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('settings round-trip through the URL', async () => {
  const { page } = await open('space=fbnet&device=fpga&threshold=12.5&population=7&generations=3&seed=42&steps=4&lambda=2&penalty=hinge');
  await page.waitForSelector('#app[data-state="idle"]');
  await page.waitForFunction(() => document.getElementById('progress-text').textContent === 'ready');
  assert.equal(await page.inputValue('#space'), 'fbnet');
  assert.equal(await page.inputValue('#device'), 'fpga');
  assert.equal(await page.inputValue('#threshold'), '12.5');
  assert.equal(await page.inputValue('#population'), '7');
  assert.equal(await page.inputValue('#seed'), '42');
  assert.equal(await page.inputValue('#penalty'), 'hinge');
  await page.fill('#seed', '43');
  const query = new URLSearchParams(await page.evaluate(() => location.search));
  assert.equal(query.get('seed'), '43');
  assert.equal(query.get('device'), 'fpga');
  assert.equal(query.get('threshold'), '12.5');
  assert.equal(query.get('penalty'), 'hinge');
  // FBNet offers only the devices it has figures for.
  const devices = await page.$$eval('#device option', (os) => os.map((o) => o.value));
  assert.deepEqual(devices.sort(), ['eyeriss', 'fpga', 'pixel3', 'raspi4']);
  await page.close();
});

test('pause keeps the search still and resume finishes it', async () => {
  const { page } = await open(`${TINY}&generations=3&autorun=1`);
  await page.waitForFunction(() => /\b[1-9]\d* architectures trained/.test(document.getElementById('progress-text').textContent), null, { timeout: 240_000 });
  await page.click('#pause');
  await waitState(page, 'paused');
  await page.waitForTimeout(2500); // an in-flight candidate may still land
  const frozen = await evaluations(page);
  await page.waitForTimeout(2500);
  assert.equal(await evaluations(page), frozen);
  await page.click('#resume');
  await waitState(page, 'done');
  assert.match(await page.textContent('#best-arch'), NB201);
  await page.close();
});

test('step runs exactly one generation', async () => {
  const { page } = await openReady(TINY);
  await page.click('#step');
  await waitState(page, 'paused');
  await page.waitForFunction(() => /generation 2\/2/.test(document.getElementById('progress-text').textContent));
  const n = await evaluations(page);
  assert.ok(n >= 1 && n <= 4, `one generation of 4 trained ${n}`);
  await page.close();
});

test('a threshold change re-ranks without new evaluations', async () => {
  const { page } = await open(`${TINY}&autorun=1`);
  await waitState(page, 'done');
  const before = await evaluations(page);
  const rowsBefore = await page.$$eval('#top tbody tr', (rs) => rs.map((r) => r.textContent));
  // A budget below every cell: the ranking must now favour the cheapest architectures.
  await page.fill('#threshold', '0.5');
  await page.waitForTimeout(300);
  assert.equal(await evaluations(page), before);
  const costs = await page.$$eval('#top tbody tr td:nth-child(3)', (cs) => cs.map((c) => parseFloat(c.textContent)));
  assert.equal(costs[0], Math.min(...costs));
  assert.equal((await page.$$eval('#top tbody tr', (rs) => rs.length)), rowsBefore.length);
  assert.equal(new URLSearchParams(await page.evaluate(() => location.search)).get('threshold'), '0.5');
  await page.screenshot({ path: path.join(shots, 'rerank.png'), fullPage: true });
  await page.close();
});

test('the fidelity note states the measured Kendall τ for the chosen K', async () => {
  const fidelity = JSON.parse(fs.readFileSync(path.join(dist, 'static/fidelity.json'), 'utf8'));
  const batch = setting('batch').default;
  const sweep = fidelity.batches[batch];
  const measured = sweep.k_sweep[sweep.k_sweep.length - 1];
  const { page, problems } = await open(`steps=${measured.steps}`);
  await page.waitForFunction(() => (document.getElementById('fidelity-note')?.textContent ?? '') !== '');
  const note = () => page.textContent('#fidelity-note');
  assert.equal(await page.inputValue('#batch'), batch);
  // The fitness ranks by RMI + w·complexity: the default w's measured τ, beside RMI alone's.
  const prior = setting('prior').default;
  assert.equal(measured.with_prior?.prior, prior, 'the study measured the default prior at the default K');
  const tau = (r) => r.kendall_tau.toFixed(2).replace('.', '\\.');
  assert.match(await note(), new RegExp(`K = ${measured.steps}: Kendall τ ${tau(measured.with_prior)} .* for RMI \\+ ${prior} × complexity \\(RMI alone ${tau(measured)}\\) .* over ${sweep.samples} `));
  // Without the prior, RMI alone as published.
  await page.fill('#prior', '0');
  await page.dispatchEvent('#prior', 'input');
  assert.match(await note(), new RegExp(`K = ${measured.steps}: Kendall τ ${tau(measured)} \\[.*\\] for RMI alone \\(no complexity prior, as published\\)`));
  assert.equal(new URLSearchParams(await page.evaluate(() => location.search)).get('prior'), '0');
  // The other batch has its own figures.
  const other = Object.keys(fidelity.batches).find((b) => b !== batch);
  assert.ok(other, 'fidelity.json measures both RMI batches');
  const otherRow = fidelity.batches[other].k_sweep.find((r) => r.steps === measured.steps);
  await page.selectOption('#batch', other);
  assert.match(await note(), new RegExp(`Kendall τ ${tau(otherRow)} .* over ${fidelity.batches[other].samples} `));
  assert.equal(new URLSearchParams(await page.evaluate(() => location.search)).get('batch'), other);
  await page.selectOption('#batch', batch);
  // A K the study did not measure is called so, with its measured neighbours.
  await page.fill('#steps', '7');
  await page.dispatchEvent('#steps', 'input');
  assert.match(await note(), /not measured at K = 7 \(K = 5: Kendall τ [\d.]+ .*K = 10: Kendall τ/);
  await page.selectOption('#space', 'fbnet');
  assert.match(await note(), /not measured for FBNet/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a bad URL parameter gets the CLI\'s message and falls back to the default', async () => {
  const { page } = await openReady('population=abc&seed=1e20&threshold=1e-310&device=pixel3');
  const error = await page.textContent('#error');
  // The same messages as `evrsnas search --population abc` etc. (crate/tests/cli.rs).
  assert.match(error, /population=abc: population must be an integer in 3\.\.=500, got 'abc' \(using the default\)/);
  assert.match(error, /seed must be an integer in 0\.\.=9007199254740991, got '1e20'/);
  assert.match(error, /threshold must be a number in \[0\.001, 1000000\], got 1e-310/);
  assert.equal(await page.inputValue('#population'), String(setting('population').default));
  assert.equal(await state(page), 'idle');
  await page.close();
});

test('the controls and their bounds are the library\'s schema', async () => {
  const { page, problems } = await openReady('');
  for (const s of schema.settings) {
    if (s.kind === 'choice') {
      if (s.name === 'device') continue; // filtered to the devices the space has figures for
      // A choice whose default depends on other settings (the schedule) offers "unset" first.
      const unset = s.default === null ? [''] : [];
      assert.deepEqual(await page.$$eval(`#${s.name} option`, (os) => os.map((o) => o.value)), [...unset, ...s.choices.map((c) => c.value)], s.name);
    } else {
      assert.equal(await page.getAttribute(`#${s.name}`, 'min'), String(s.min), `${s.name} min`);
      assert.equal(await page.getAttribute(`#${s.name}`, 'max'), String(s.max), `${s.name} max`);
    }
    if (s.default !== null) assert.equal(await page.inputValue(`#${s.name}`), String(s.default), `${s.name} default`);
  }
  // A bad value typed in a control is refused with the same message, and not used.
  await page.fill('#population', '2');
  assert.match(await page.textContent('#notice'), /population must be an integer in 3\.\.=500, got 2/);
  assert.equal(await page.getAttribute('#population', 'aria-invalid'), 'true');
  assert.equal(new URLSearchParams(await page.evaluate(() => location.search)).get('population'), null);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the module API survives a failed start, a worker that dies, and continue during a run', async () => {
  const { page, problems } = await openReady('');
  const log = await page.evaluate(async (settings) => {
    const { Explorer } = await import('./engine.js');
    const ex = await Explorer.load({ base: 'static', workers: 2 });
    const errors = [];
    ex.addEventListener('error', (e) => errors.push(e.detail.message));
    const ended = () => ex.settled();
    const firstScore = () => new Promise((resolve) => ex.addEventListener('progress', resolve, { once: true }));
    const out = {};
    // A pool that fails to start (every worker refuses a seed JavaScript cannot hold exactly) ...
    let end = ended();
    ex.start({ ...settings, seed: 1e20 });
    out.failed = await end;
    out.failedMessage = errors.at(-1);
    out.poolAfterFailure = ex.pool.length;
    // ... then a good run on a fresh pool.
    end = ended();
    ex.start(settings);
    out.good = await end;
    out.goodBest = ex.ranked()[0]?.arch;
    // A worker dies with a trial in flight: the trial goes to a fresh worker, nothing is lost.
    end = ended();
    const scored = firstScore();
    ex.start({ ...settings, seed: 2 });
    await scored;
    const victim = ex.pool.find((slot) => slot.busy) ?? ex.pool[0];
    victim.worker.terminate();
    victim.worker.dispatchEvent(new ErrorEvent('error', { message: 'injected fault' }));
    out.afterDeath = await end;
    out.restarts = ex.restarts;
    out.trials = ex.session.trials();
    out.planned = ex.session.plannedTrials();
    // Continue while trials are in flight: the dropped trials are scored again, the run ends.
    end = ended();
    const again = firstScore();
    ex.start({ ...settings, seed: 3 });
    await again;
    ex.continueFor(1);
    out.continued = await end;
    out.generations = ex.session.history().length;
    out.errors = errors;
    return out;
  }, API);
  assert.equal(log.failed, 'error');
  assert.match(log.failedMessage, /seed must be an integer in 0\.\.=9007199254740991/);
  assert.equal(log.poolAfterFailure, 0, 'the failed pool\'s workers are gone');
  assert.equal(log.good, 'done');
  assert.match(log.goodBest, NB201);
  assert.equal(log.afterDeath, 'done', JSON.stringify(log));
  assert.equal(log.restarts, 1);
  // Every planned training ran once: the lost trial was re-queued, not counted twice or dropped.
  assert.ok(log.trials > 0 && log.trials <= log.planned, JSON.stringify(log));
  assert.equal(log.continued, 'done', JSON.stringify(log));
  assert.equal(log.generations, 3);
  assert.equal(log.errors.length, 1, JSON.stringify(log.errors));
  assert.deepEqual(problems, []);
  await page.close();
});

test('an embedded page is the figure: it does not autorun more than the default search, nor start more workers than cores', async () => {
  const { page, problems } = await open('embed=1&autorun=1&population=50&generations=20&workers=64');
  await page.setViewportSize({ width: 860, height: 600 });
  const figure = page.locator('evrsnas-explorer');
  // The form is hidden; the figure (its own element, in a shadow root) shows its bar and status.
  assert.equal(await page.isHidden('#app'), true);
  await page.waitForFunction(() => /press Run/.test(document.querySelector('evrsnas-explorer')?.shadowRoot?.querySelector('.status')?.textContent ?? ''), null, { timeout: 60_000 });
  assert.equal(await figure.getAttribute('data-state'), 'idle');
  assert.equal(await figure.getAttribute('population'), '50');
  const { cores, poolSize, workers } = await page.evaluate(() => {
    const f = document.querySelector('evrsnas-explorer');
    return { cores: navigator.hardwareConcurrency, poolSize: f.explorer.poolSize, workers: f.explorer.pool.length };
  });
  assert.ok(poolSize >= 1 && poolSize <= cores, `${poolSize} workers asked on ${cores} cores`);
  assert.equal(workers, 0, 'no worker started for a search that did not run');
  // Only this site's scripts, workers and fetches.
  const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.deepEqual(problems, []);
  await page.screenshot({ path: path.join(shots, 'embed-860x600.png') });
  await page.close();
});

test('after a worker fails a training, the search reports it and the next one starts on fresh workers', async () => {
  const { page, problems } = await openReady('');
  const log = await page.evaluate(async (settings) => {
    const { Explorer } = await import('./engine.js');
    const ex = await Explorer.load({ base: 'static', workers: 1 });
    const ended = () => ex.settled();
    const errors = [];
    ex.addEventListener('error', (e) => errors.push(e.detail.message));
    // The first training fails inside the worker (as a trap would): its request names no valid cell.
    await ex.ensurePool(settings);
    const first = ex.pool[0].worker;
    const post = first.postMessage.bind(first);
    first.postMessage = (m) => post(m.type === 'score' ? { ...m, arch: 'not a cell' } : m);
    let end = ended();
    ex.start(settings);
    const failed = await end;
    const poolAfter = ex.pool.length;
    end = ended();
    ex.start(settings);
    return { failed, poolAfter, errors, again: await end, freshWorker: ex.pool[0]?.worker !== first };
  }, { ...API, seed: 6 });
  assert.equal(log.failed, 'error');
  assert.match(log.errors[0], /scoring .* failed: malformed NAS-Bench-201 cell 'not a cell'/);
  assert.equal(log.poolAfter, 0, 'the failed worker is retired');
  assert.equal(log.again, 'done');
  assert.ok(log.freshWorker);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the page\'s wasm holds no developer tools', () => {
  const exports = WebAssembly.Module.exports(new WebAssembly.Module(fs.readFileSync(path.join(dist, 'pkg/evrsnas_bg.wasm'))));
  const names = exports.map((e) => e.name);
  assert.ok(names.includes('schema') && names.includes('parseSetting') && names.includes('archLayout'), names.join(', '));
  assert.ok(!names.includes('benchmark'), 'the benchmark export belongs to the developer build');
  const size = fs.statSync(path.join(dist, 'pkg/evrsnas_bg.wasm')).size;
  console.log(`page wasm: ${size} bytes`);
});

test('an asset that fails verification is named', async () => {
  corrupt = 'static/costs/fbnet.bin';
  try {
    const { page } = await open('');
    await waitState(page, 'error', 30_000);
    assert.match(await page.textContent('#error'), /costs\/fbnet\.bin/);
    await page.screenshot({ path: path.join(shots, 'asset-error.png') });
    await page.close();
  } finally {
    corrupt = null;
  }
});

for (const [fault, file, message] of [
  ['missing', 'static/targets/cifar10.bin', /targets\/cifar10\.bin failed to load \(HTTP 404\)/],
  ['truncate', 'static/truth/nb201_accuracy.bin', /truth\/nb201_accuracy\.bin' has \d+ bytes, expected \d+/],
  ['reshape', 'static/fidelity.json', /fidelity\.json does not have the structure the page reads/],
]) {
  test(`a ${fault} ${path.basename(file)} is named, and Run stays off`, async () => {
    faults = { [file]: fault };
    try {
      const { page } = await open('autorun=1');
      await waitState(page, 'error', 60_000);
      assert.match(await page.textContent('#error'), message);
      assert.equal(await page.isDisabled('#run'), true);
      assert.equal(await page.isDisabled('#step'), true);
      await page.waitForTimeout(300);
      assert.equal(await state(page), 'error');
      await page.close();
    } finally {
      faults = {};
    }
  });
}

test('a batch file is fetched when a search first trains on it: a bad one fails that search, named, and Run tries again', async () => {
  faults = { 'static/batch/cifar100_20.bin': 'truncate' };
  try {
    const { page } = await open(`${TINY}&batch=cifar10-and-100&autorun=1`);
    await waitState(page, 'error', 60_000);
    assert.match(await page.textContent('#error'), /batch\/cifar100_20\.bin' has \d+ bytes, expected \d+/);
    assert.equal(await page.isDisabled('#run'), false, 'the other assets are in: Run may try again');
    faults = {};
    await page.click('#run');
    await waitState(page, 'done', 120_000);
    await page.close();
  } finally {
    faults = {};
  }
});

test('buttons pressed in any order during searches never leave the page stuck', async () => {
  const { page, problems } = await openReady(`${TINY}&generations=3`);
  const buttons = ['run', 'pause', 'resume', 'step', 'stop', 'continue', 'reset'];
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pressed = [];
  for (let i = 0; i < 40; i++) {
    // Choose among the enabled buttons and press in one step inside the page: a search can end
    // (and disable a button) between a check from here and a click.
    const b = await page.evaluate(([ids, r]) => {
      const enabled = ids.filter((id) => !document.getElementById(id).disabled);
      const id = enabled[Math.floor(r * enabled.length)];
      document.getElementById(id)?.click();
      return id ?? null;
    }, [buttons, random()]);
    if (b) pressed.push(b);
    await page.waitForTimeout(Math.floor(random() * 400));
  }
  // However it was left, a search can still be finished: stop or run it to the end.
  if (!(await page.isDisabled('#stop'))) await page.click('#stop');
  if (['idle', 'done'].includes(await state(page))) {
    await page.click('#run');
    await waitState(page, 'done');
  }
  assert.ok(['idle', 'done', 'error'].includes(await state(page)), pressed.join(' '));
  assert.equal(await page.textContent('#error'), '', pressed.join(' '));
  assert.deepEqual(problems, []);
  await page.close();
});

test('a search beyond the cap on trainings is refused before Run, with the reason', async () => {
  const { page } = await openReady('population=500&generations=500&schedule=plain');
  assert.match(await page.textContent('#plan'), /cannot run: this search would train up to 250008 candidates .* one search trains at most 5000/);
  assert.equal(await page.isDisabled('#run'), true);
  await page.fill('#generations', '2');
  assert.match(await page.textContent('#plan'), /Planned: 1008 trainings/);
  assert.equal(await page.isDisabled('#run'), false);
  await page.close();
});

test('a 1,000-candidate search keeps every main-thread task short', async () => {
  const { page, problems } = await openReady('population=100&generations=10&steps=0&batch=cifar10&schedule=plain&seed=2&device=raspi4&threshold=20');
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
  });
  await page.click('#run');
  await waitState(page, 'done', 600_000);
  const n = await evaluations(page);
  const longest = Math.max(0, ...(await page.evaluate(() => window.__longTasks)));
  console.log(`1,000-candidate search: ${n} architectures, longest main-thread task ${longest.toFixed(0)} ms`);
  assert.ok(n >= 900, `${n} architectures`);
  assert.ok(longest < 50, `a main-thread task took ${longest} ms`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('ten searches in a row keep the page\'s and the workers\' memory flat', async () => {
  const { page, problems } = await openReady('');
  const cdp = await page.context().newCDPSession(page);
  const samples = [];
  await page.evaluate(async () => {
    const { Explorer } = await import('./engine.js');
    window.__ex = await Explorer.load({ base: 'static', workers: 1 });
  });
  for (let i = 0; i < 10; i++) {
    await page.evaluate((settings) => {
      const end = window.__ex.settled();
      window.__ex.start(settings);
      return end;
    }, API);
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = (await cdp.send('Runtime.getHeapUsage')).usedSize;
    const wasmMemory = await page.evaluate(() => window.__ex.memory());
    samples.push({ heap, ...wasmMemory });
  }
  console.log(`memory over ten searches: ${JSON.stringify(samples.map((s) => [s.heap, s.main, ...s.workers]))}`);
  assert.equal(await page.evaluate(() => window.__ex.state), 'done');
  const [third, last] = [samples[2], samples[9]];
  // Margins: the JS heap within 20 % (plus 1 MB of collector slack), wasm memory within 10 %.
  assert.ok(last.heap <= third.heap * 1.2 + 1e6, `JS heap ${third.heap} → ${last.heap}`);
  assert.ok(last.main <= third.main * 1.1, `page wasm ${third.main} → ${last.main}`);
  third.workers.forEach((w, i) => assert.ok(last.workers[i] <= w * 1.1, `worker ${i} wasm ${w} → ${last.workers[i]}`));
  assert.deepEqual(problems, []);
  await page.close();
});

test('the same seed twice gives the same best, table and history, with any number of workers', async () => {
  const { page, problems } = await openReady('');
  // eyeriss: almost every cell shares its cost with another, so ties are common.
  const runs = await page.evaluate(async (settings) => {
    const { Explorer } = await import('./engine.js');
    const out = [];
    for (const workers of [1, 2, 2]) {
      const ex = await Explorer.load({ base: 'static', workers });
      await new Promise((resolve) => {
        ex.addEventListener('done', resolve, { once: true });
        ex.start(settings);
      });
      out.push({ ranked: ex.ranked().map((c) => [c.arch, c.rmi, c.replicates]), history: ex.session.history() });
      ex.retirePool();
    }
    return out;
  }, { ...API, device: 'eyeriss', threshold: 0.2, population: 6, steps: 1, seed: 5 });
  assert.ok(runs[0].ranked.length >= 3, JSON.stringify(runs[0]));
  assert.deepEqual(runs[1], runs[0], 'two workers rank as one does');
  assert.deepEqual(runs[2], runs[1], 'the same seed again');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a link copied after Continue reproduces the continued search', async () => {
  const { page } = await open(`${TINY}&device=raspi4&threshold=20&autorun=1`);
  await waitState(page, 'done');
  await page.click('#continue');
  await waitState(page, 'running', 10_000).catch(() => {});
  await waitState(page, 'done');
  const query = new URLSearchParams(await page.evaluate(() => location.search));
  assert.equal(query.get('continued'), '2');
  assert.equal(query.get('generations'), '2');
  const rows = await page.$$eval('#top tbody tr', (rs) => rs.map((r) => r.textContent));
  const { page: again } = await open(`${query}&autorun=1`);
  await waitState(again, 'done');
  assert.match(await again.textContent('#progress-text'), /generation 4\/4/);
  assert.deepEqual(await again.$$eval('#top tbody tr', (rs) => rs.map((r) => r.textContent)), rows);
  await page.close();
  await again.close();
});

test('a worker that dies silently is replaced and its trial scored once', async () => {
  const { page, problems } = await openReady('');
  const log = await page.evaluate(async (settings) => {
    const { Explorer } = await import('./engine.js');
    const ex = await Explorer.load({ base: 'static', workers: 1, trialTimeoutMs: 2000 });
    const end = ex.settled();
    const first = new Promise((resolve) => ex.addEventListener('progress', resolve, { once: true }));
    ex.start(settings);
    await first;
    // No error event, no answer: as when the browser kills a worker's thread.
    await new Promise((resolve) => setTimeout(resolve, 0));
    ex.pool[0].worker.terminate();
    const state = await end;
    return { state, restarts: ex.restarts, trials: ex.session.trials(), planned: ex.session.plannedTrials() };
  }, { ...API, seed: 4 });
  assert.equal(log.state, 'done', JSON.stringify(log));
  assert.equal(log.restarts, 1);
  assert.ok(log.trials > 0 && log.trials <= log.planned);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the screened schedule says what it trained how far', async () => {
  const { page, problems } = await openReady(`${TINY}&device=raspi4&threshold=20&schedule=screened`);
  assert.match(await page.textContent('#plan'), /Planned: \d+ trainings .* and \d+ untrained screenings/);
  assert.match(await page.textContent('#fidelity-note'), /Schedule: each generation scores its new candidates untrained \(K = 0: Kendall τ/);
  await page.click('#run');
  await waitState(page, 'done');
  const text = await page.textContent('#progress-text');
  const screened = Number(text.match(/(\d+) screened untrained/)[1]);
  const trained = await evaluations(page);
  assert.ok(screened > trained, `${screened} screened, ${trained} trained`);
  // Only trained candidates are ranked.
  assert.ok((await page.locator('#top tbody tr').count()) <= trained);
  await page.selectOption('#schedule', 'plain');
  assert.match(await page.textContent('#fidelity-note'), /Schedule: every candidate is trained for K steps/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the halving schedule trains every candidate a quarter of K first, and says so', async () => {
  // The default schedule at the default K: the note quotes the K = 5 figure.
  const { page: defaults } = await openReady('');
  // Unset: the mode's own, halving for one budget (the note says so below).
  assert.equal(await defaults.inputValue('#schedule'), '');
  assert.match(await defaults.textContent('#fidelity-note'), /Schedule: each generation trains its new candidates 5 steps \(K = 5: Kendall τ [\d.]+/);
  assert.match(await defaults.textContent('#plan'), /Planned: \d+ trainings .* and \d+ screenings of 5 steps/);
  // Below K = 4 a quarter of K is no step: the note says the screen is untrained.
  await defaults.fill('#steps', '3');
  await defaults.dispatchEvent('#steps', 'input');
  await defaults.waitForFunction(() => /a quarter of K is no step/.test(document.getElementById('fidelity-note').textContent));
  assert.match(await defaults.textContent('#fidelity-note'), /scores its new candidates untrained \(K = 0: Kendall τ [\d.]+/);
  await defaults.close();
  // A kept candidate's training continues its screen's on the worker that screened it, or starts
  // over elsewhere: the same scores either way, with one worker (every one continued) or two.
  const query = 'population=4&generations=2&steps=8&seed=1&device=raspi4&threshold=20';
  const tables = [];
  for (const workers of [2, 1]) {
    const { page, problems } = await openReady(`${query}&workers=${workers}`);
    assert.match(await page.textContent('#plan'), /Planned: \d+ trainings .* and \d+ screenings of 2 steps/);
    await page.click('#run');
    await waitState(page, 'done');
    const text = await page.textContent('#progress-text');
    const screened = Number(text.match(/(\d+) screened at 2 steps/)?.[1]);
    const trained = await evaluations(page);
    assert.ok(screened > trained, `${text}: ${screened} screened, ${trained} trained`);
    assert.ok((await page.locator('#top tbody tr').count()) <= trained);
    tables.push(await page.$$eval('#top tbody tr', (rows) => rows.map((r) => r.textContent)));
    assert.deepEqual(problems, []);
    await page.close();
  }
  assert.deepEqual(tables[1], tables[0]);
});

test('the page runs the relaxed-SIMD build where the browser has it, and plain simd128 on request', async () => {
  const { page, problems } = await openReady('');
  assert.match(await page.textContent('#plan'), /\(wasm simd128 \+ relaxed SIMD\)/);
  await page.close();
  const { page: plain } = await open(`${TINY}&simd=simd128&autorun=1`);
  await waitState(plain, 'done');
  assert.match(await plain.textContent('#plan'), /\(wasm simd128\)/);
  assert.match(await plain.textContent('#best-arch'), NB201);
  await plain.close();
  const { page: bad } = await openReady('simd=avx');
  assert.match(await bad.textContent('#error'), /simd=avx: unknown simd 'avx' \(expected auto, simd128, relaxed\)/);
  await bad.close();
  assert.deepEqual(problems, []);
});

test('the Pareto mode draws the front, answers the budget slider without training, exports the front and keeps it in the link', async () => {
  const { page, problems } = await openReady(`${TINY}&mode=pareto&device=pixel3&threshold=8`);
  assert.equal(await page.inputValue('#mode'), 'pareto');
  assert.match(await page.textContent('#fidelity-note'), /Pareto mode: every candidate is trained for K steps; the first generation is spread over the cost axis, parents are chosen from all of them by NSGA-II over \(RMI, cost\)/);
  await page.click('#run');
  await waitState(page, 'done');
  assert.equal(await page.isHidden('#truth-figure'), false, 'the true-accuracy view is shown for NB201');
  assert.match(await page.textContent('#progress-text'), /architectures trained/);
  const rows = async () => page.$$eval('#top tbody tr', (rs) => rs.map((r) => [...r.cells].map((c) => c.textContent)));
  assert.equal(await page.textContent('#top thead th:nth-child(5)'), 'on the front');
  const table = await rows();
  const front = table.filter((r) => r[4] === '✓');
  assert.ok(front.length >= 1, JSON.stringify(table));
  assert.ok(table.length <= 10, 'a tiny search: every candidate is in the table');
  // The answer: the library's first candidate within the budget, re-ranked at each budget.
  const check = async (t) => {
    const expected = (await rows()).find((r) => parseFloat(r[2]) <= t);
    const facts = await page.textContent('#best-facts');
    if (expected) {
      assert.match(facts, new RegExp(`^The answer for ${t} ms`));
      assert.equal(await page.textContent('#best-arch'), expected[1]);
    } else {
      assert.match(facts, new RegExp(`^Nothing trained is within ${t} ms`));
    }
  };
  await check(8);
  const before = await evaluations(page);
  for (const t of [4, 20, 2.5, 0.5]) {
    await page.fill('#threshold', String(t));
    await page.waitForTimeout(200);
    await check(t);
  }
  assert.equal(await evaluations(page), before, 'the slider trained nothing');
  await page.uncheck('#show-true-front');
  await page.screenshot({ path: path.join(shots, 'pareto-no-true-front.png'), fullPage: true });
  await page.check('#show-true-front');
  await page.fill('#threshold', '20');
  await page.waitForTimeout(200);
  await page.screenshot({ path: path.join(shots, 'pareto-done.png'), fullPage: true });
  // Export: the front in the CLI's columns plus the true accuracies.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const csv = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'arch,index,rmi,replicates,cost,measured,cifar10,cifar100,imagenet16');
  assert.equal(csv.length - 1, front.length);
  // The link keeps the mode and the budget.
  const query = new URLSearchParams(await page.evaluate(() => location.search));
  assert.equal(query.get('mode'), 'pareto');
  assert.equal(query.get('threshold'), '20');
  const again = await openReady(query.toString());
  assert.equal(await again.page.inputValue('#mode'), 'pareto');
  assert.equal(await again.page.inputValue('#threshold'), '20');
  await again.page.close();
  // The schedule shapes a one-budget search: the Pareto mode trains every candidate, and says so.
  assert.equal(await page.isDisabled('#schedule'), true);
  assert.match(await page.getAttribute('#schedule', 'title'), /Pareto mode trains every candidate/);
  await page.selectOption('#mode', 'constrained');
  assert.equal(await page.isDisabled('#schedule'), false);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a shared Pareto link with autorun runs to done; a screening schedule given with it is refused by name', async () => {
  const { page, problems } = await open(`${TINY}&mode=pareto&device=pixel3&autorun=1`);
  await waitState(page, 'done');
  assert.equal(await page.textContent('#error'), '');
  assert.match(await page.textContent('#progress-text'), /architectures trained/);
  assert.deepEqual(problems, []);
  await page.close();
  const refused = await openReady(`${TINY}&mode=pareto&device=pixel3&schedule=halving`);
  assert.match(await refused.page.textContent('#plan'), /^This search cannot run: schedule halving ranks a generation's screens by fitness at one budget; the Pareto mode trains every candidate/);
  assert.equal(await refused.page.isDisabled('#run'), true);
  assert.equal(await refused.page.isDisabled('#schedule'), false, 'the schedule can be changed back');
  await refused.page.close();
});

test('a candidate opens from the table, the scatter or the link, and its panel shows the library\'s numbers', async () => {
  const { page, problems } = await open(`${TINY}&device=raspi4&threshold=20&autorun=1`);
  await waitState(page, 'done');
  assert.equal(await page.isHidden('#inspect'), true);
  const first = await page.$eval('#top tbody tr:first-child', (tr) => [...tr.cells].map((c) => c.textContent));
  await page.click('#top tbody tr:first-child');
  assert.equal(await page.isHidden('#inspect'), false);
  assert.equal(await page.textContent('#inspect-arch'), first[1]);
  assert.equal(new URLSearchParams(await page.evaluate(() => location.search)).get('inspect'), first[1]);
  // The curve is trained again in a worker of its own: K = 2 steps.
  await page.waitForFunction(() => /^\d+ of 2$/.test(document.getElementById('inspect-step-text').textContent));
  assert.equal(await page.textContent('#inspect-step-text'), '2 of 2');
  const explain = await page.textContent('#inspect-explain');
  // The last step's RMI is the search's score of that initialisation, bit for bit (shown to 3
  // places): the first replicate's where the finalists were confirmed, else the table's RMI.
  const num = '(\\d+\\.\\d+)';
  const last = explain.match(new RegExp(`After 2 steps: RMI = CKA₁ \\+ CKA₂ \\+ CKA₃ = ${num} \\+ ${num} \\+ ${num} = ${num}`));
  assert.ok(last, explain);
  const replicas = explain.match(/is the mean of 3 initialisations \(([\d.]+), ([\d.]+), ([\d.]+)\)/);
  assert.equal(last[4], replicas ? replicas[1] : first[3]);
  assert.ok(Math.abs(Number(last[1]) + Number(last[2]) + Number(last[3]) - Number(last[4])) <= 0.002);
  if (replicas) assert.equal(first[3], `${((Number(replicas[1]) + Number(replicas[2]) + Number(replicas[3])) / 3).toFixed(3)} ×3`);
  // The fitness decomposed: RMI + w × complexity − penalty, each term the library's.
  const prior = explain.match(/Complexity prior: w × complexity = ([\d.]+) × ([\d.]+) = ([\d.]+) \(its full-size network has more multiply-accumulates than (\d+) % of the space's/);
  assert.ok(prior, explain);
  assert.equal(Number(prior[1]), setting('prior').default);
  assert.ok(Math.abs(Number(prior[1]) * Number(prior[2]) - Number(prior[3])) <= 0.002);
  const fitness = explain.match(/Fitness = RMI \+ prior − penalty = ([\d.]+) \+ ([\d.]+) − ([\d.]+) = (-?\d+\.\d+)/);
  assert.ok(fitness, explain);
  assert.equal(fitness[2], prior[3]);
  assert.ok(Math.abs(Number(fitness[1]) + Number(fitness[2]) - Number(fitness[3]) - Number(fitness[4])) <= 0.002);
  assert.equal(fitness[4], first[4], 'the fitness is the table\'s');
  const truth = await page.textContent('#inspect-truth');
  assert.ok(truth.includes(`CIFAR-10 ${first[5].replace('%', ' %')}`), truth);
  assert.match(truth, /rank [\d,]+ of 15,625 cells by CIFAR-10/);
  // Watch it train: step 0 shows the untrained network's CKAs.
  const barsAt = () => page.$$eval('#inspect-bars .bar span:last-child', (s) => s.map((x) => x.textContent));
  const trained = await barsAt();
  await page.fill('#inspect-step', '0');
  assert.equal(await page.textContent('#inspect-step-text'), '0 of 2');
  assert.notDeepEqual(await barsAt(), trained);
  await page.screenshot({ path: path.join(shots, 'inspect.png'), fullPage: true });
  // The keyboard: a row takes the focus and Enter opens it; Escape closes the panel.
  await page.focus('#top tbody tr:nth-child(2)');
  await page.keyboard.press('Enter');
  const second = await page.$eval('#top tbody tr:nth-child(2) td:nth-child(2)', (td) => td.textContent);
  assert.equal(await page.textContent('#inspect-arch'), second);
  await page.keyboard.press('Escape');
  assert.equal(await page.isHidden('#inspect'), true);
  assert.equal(new URLSearchParams(await page.evaluate(() => location.search)).get('inspect'), null);
  // The scatter: a click on a drawn point opens that candidate.
  const spot = await page.evaluate(() => {
    const c = document.getElementById('scatter');
    const ctx = c.getContext('2d');
    const { data, width, height } = ctx.getImageData(0, 0, c.width, c.height);
    const ratio = c.width / c.getBoundingClientRect().width;
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
      const i = 4 * (y * width + x);
      // A candidate's dot (#264653), not the axes' grey.
      if (Math.abs(data[i] - 0x26) < 12 && Math.abs(data[i + 1] - 0x46) < 12 && Math.abs(data[i + 2] - 0x53) < 12 && data[i + 3] > 200) return { x: x / ratio, y: y / ratio };
    }
    return null;
  });
  assert.ok(spot, 'a candidate is drawn on the scatter');
  await page.click('#scatter', { position: { x: spot.x + 2, y: spot.y + 2 } });
  assert.equal(await page.isHidden('#inspect'), false);
  const fromScatter = await page.textContent('#inspect-arch');
  assert.match(fromScatter, NB201);
  // The link: a fresh page with it reopens the same candidate once the search has trained it.
  const query = await page.evaluate(() => location.search);
  assert.equal(new URLSearchParams(query).get('inspect'), fromScatter);
  const again = await open(`${query.slice(1)}&autorun=1`);
  await waitState(again.page, 'done');
  await again.page.waitForSelector('#inspect:not([hidden])');
  assert.equal(await again.page.textContent('#inspect-arch'), fromScatter);
  assert.deepEqual(again.problems, []);
  await again.page.close();
  // A link to something that is no architecture gets the library's message.
  const bad = await open(`${TINY}&inspect=nonsense&autorun=1`);
  await waitState(bad.page, 'done');
  assert.match(await bad.page.textContent('#notice'), /inspect=nonsense: /);
  assert.equal(await bad.page.isHidden('#inspect'), true);
  await bad.page.close();
  assert.deepEqual(problems, []);
  await page.close();
});

test('before Run the scatter shows the whole space on the device, and the toggle hides it', async () => {
  const inked = (page) => page.evaluate(() => {
    const c = document.getElementById('scatter');
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 3; i < data.length; i += 4) n += data[i] > 0;
    return n;
  });
  const { page, problems } = await openReady('device=pixel3');
  // NB201: every cell's true accuracy against its cost, once the heavy assets are in.
  await page.waitForFunction(() => document.getElementById('run').disabled === false);
  await page.waitForTimeout(300);
  const withCloud = await inked(page);
  await page.uncheck('#show-landscape');
  const without = await inked(page);
  assert.ok(withCloud > without + 2000, `${withCloud} inked pixels with the landscape, ${without} without`);
  await page.check('#show-landscape');
  await page.screenshot({ path: path.join(shots, 'landscape-nb201.png'), fullPage: true });
  // FBNet: no accuracies, the distribution of costs instead.
  await page.selectOption('#space', 'fbnet');
  await page.waitForTimeout(300);
  const histogram = await inked(page);
  await page.uncheck('#show-landscape');
  assert.ok(histogram > (await inked(page)) + 500);
  assert.deepEqual(problems, []);
  await page.close();
});

test('your own images become the RMI batch, as the CLI decodes them, and never leave the browser', async () => {
  const { page, problems } = await openReady(`${TINY}&device=raspi4&threshold=20`);
  // Images of odd sizes, PNG and JPEG, made by the browser's own encoders.
  const made = await page.evaluate(async () => {
    const make = async (w, h, type, paint) => {
      const c = new OffscreenCanvas(w, h);
      paint(c.getContext('2d'), w, h);
      return [...new Uint8Array(await (await c.convertToBlob({ type, quality: 0.92 })).arrayBuffer())];
    };
    return {
      'sky.png': await make(50, 70, 'image/png', (g, w, h) => {
        const gradient = g.createLinearGradient(0, 0, w, h);
        gradient.addColorStop(0, '#3366cc');
        gradient.addColorStop(1, '#ffcc00');
        g.fillStyle = gradient;
        g.fillRect(0, 0, w, h);
      }),
      'stripes.jpg': await make(90, 60, 'image/jpeg', (g, w, h) => {
        for (let x = 0; x < w; x += 10) {
          g.fillStyle = x % 20 ? '#222222' : '#eeeeee';
          g.fillRect(x, 0, 10, h);
        }
      }),
      'flat.jpeg': await make(40, 40, 'image/jpeg', (g, w, h) => {
        g.fillStyle = '#3366cc';
        g.fillRect(0, 0, w, h);
      }),
    };
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evrsnas-own-'));
  const files = Object.entries(made).map(([name, bytes]) => {
    fs.writeFileSync(path.join(dir, name), Buffer.from(bytes));
    return { name, mimeType: name.endsWith('.png') ? 'image/png' : 'image/jpeg', buffer: Buffer.from(bytes) };
  });
  const requests = [];
  page.on('request', (r) => requests.push({ url: r.url(), method: r.method(), body: r.postData() }));
  await page.setInputFiles('#images', files);
  await page.waitForFunction(() => document.getElementById('images-note').textContent.includes('your 3 images'));
  assert.match(await page.textContent('#fidelity-note'), /not measured on your images/);
  const shown = (await page.textContent('#images-note')).match(/checksum ([0-9a-f]{12})/)[1];
  // The CLI's --images on the same files: the same pixels.
  const cli = JSON.parse(execFileSync(path.join(root, 'target/release/evrsnas'),
    ['score', '--space', 'nb201', '--arch', '0', '--steps', '0', '--nb201-channels', '4', '--images', dir, '--json'], { encoding: 'utf8' }));
  assert.equal(cli.images_sha256.slice(0, 12), shown);
  // A flat JPEG decodes to its colour (JPEG is lossy: within a few levels).
  // (In name order, whatever the order given: flat.jpeg first.)
  const batch = wasm.imageBatch(['sky.png', 'flat.jpeg'], [Uint8Array.from(made['sky.png']), Uint8Array.from(made['flat.jpeg'])]);
  const pixels = batch.bytes.subarray(batch.bytes.length - 2 * 3072, batch.bytes.length - 3072);
  for (const [c, v] of [[0, 0x33], [1, 0x66], [2, 0xcc]]) {
    const plane = pixels.subarray(c * 1024, (c + 1) * 1024);
    assert.ok(plane.every((p) => Math.abs(p - v) <= 4), `channel ${c}: ${plane.slice(0, 4)} vs ${v}`);
  }
  await page.click('#run');
  await waitState(page, 'done');
  assert.match(await page.textContent('#best-arch'), NB201);
  // Nothing carried the images: every request was a GET of the site's own files, without a body.
  for (const r of requests) {
    assert.equal(r.method, 'GET', r.url);
    assert.equal(r.body, null, r.url);
    assert.ok(r.url.startsWith(base), r.url);
    assert.ok(!/sky|stripes|flat/.test(r.url), r.url);
  }
  // A file that is no image is named, and the batch in use stays.
  await page.setInputFiles('#images', [{ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('hello') }, files[0]]);
  await page.waitForFunction(() => document.getElementById('notice').textContent.includes('notes.png'));
  assert.match(await page.textContent('#notice'), /your images: notes\.png: not a PNG or JPEG image/);
  assert.ok((await page.textContent('#images-note')).includes(shown));
  await page.click('#images-clear');
  assert.equal(await page.textContent('#images-note'), '');
  assert.match(await page.textContent('#fidelity-note'), /Proxy fidelity/);
  fs.rmSync(dir, { recursive: true });
  assert.deepEqual(problems, []);
  await page.close();
});

/** A safetensors file with only the tensors `keep` accepts (the format: header length, JSON, data). */
function safetensorsSubset(bytes, keep) {
  const length = Number(Buffer.from(bytes).readBigUInt64LE(0));
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + length)).toString('utf8'));
  const data = bytes.subarray(8 + length);
  const out = {};
  const parts = [];
  let offset = 0;
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__' || !keep(name)) continue;
    const part = data.subarray(t.data_offsets[0], t.data_offsets[1]);
    out[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + part.length] };
    parts.push(part);
    offset += part.length;
  }
  const json = Buffer.from(JSON.stringify(out));
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([size, json, ...parts]);
}

test('your own reference is checked, used for the RMI targets, and said to be in use', async () => {
  const { page, problems } = await openReady(`${TINY}&device=raspi4&threshold=20`);
  await page.waitForFunction(() => document.getElementById('reference-note').textContent.includes('bundled reference, a ResNet-20 for 10 classes'));
  // A ResNet-8 from the bundled ResNet-20: the first block of each stage.
  const bundled = fs.readFileSync(path.join(dist, 'static', schema.assets.reference));
  const resnet8 = safetensorsSubset(bundled, (name) => !/^layer\d\.[12]\./.test(name));
  await page.setInputFiles('#reference-file', { name: 'resnet8.safetensors', mimeType: 'application/octet-stream', buffer: resnet8 });
  await page.waitForFunction(() => document.getElementById('reference-note').textContent.includes('your resnet8.safetensors'));
  assert.match(await page.textContent('#reference-note'), /a ResNet-8 for 10 classes/);
  assert.match(await page.textContent('#fidelity-note'), /not measured with your reference/);
  await page.click('#run');
  await waitState(page, 'done');
  const withOwn = await page.$$eval('#top tbody tr td:nth-child(4)', (cs) => cs.map((c) => c.textContent));
  // The same search with the bundled reference scores differently: the targets changed.
  await page.click('#reference-clear');
  await page.click('#run');
  await waitState(page, 'done');
  const withBundled = await page.$$eval('#top tbody tr td:nth-child(4)', (cs) => cs.map((c) => c.textContent));
  assert.notDeepEqual(withOwn, withBundled);
  // Anything else is refused by name, and nothing changes.
  for (const [name, buffer, why] of [
    ['photo.safetensors', Buffer.from('not weights at all'), /photo\.safetensors is not a reference in the project's layout/],
    ['headless.safetensors', safetensorsSubset(bundled, (n) => !n.startsWith('linear.')), /lack tensor 'linear\.weight'/],
    ['broken.safetensors', safetensorsSubset(bundled, (n) => n !== 'layer2.0.conv1.weight'), /broken\.safetensors is not a reference/],
  ]) {
    await page.setInputFiles('#reference-file', { name, mimeType: 'application/octet-stream', buffer });
    await page.waitForFunction((n) => document.getElementById('notice').textContent.includes(n), name);
    assert.match(await page.textContent('#notice'), why);
    assert.match(await page.textContent('#reference-note'), /the bundled reference/);
  }
  assert.deepEqual(problems, []);
  await page.close();
});
