// The <evrsnas-explorer> element on a documentation site, in headless Chromium: the built files
// served under /vendor/evrsnas/ (nothing of ours at the root), a docs page on its own path with a
// strict Content-Security-Policy and hostile CSS, several figures sharing one worker pool, one
// off-screen, one with a bad attribute, and figures added and removed mid-search.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, openPage, root, serveDist } from './site.mjs';

const dist = path.join(root, 'dist');
const shots = path.join(root, 'target', 'screenshots');
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' blob: data:; object-src 'none'; base-uri 'none'";
const TINY = 'population="4" generations="2" steps="2"';
// A host stylesheet that would break a figure it could reach: every element it styles is one the
// figure also uses, and the inherited properties cross into any shadow root that does not reset them.
const HOSTILE = `
html { font: 31px/3 serif; color: #f0f; letter-spacing: 4px; text-transform: uppercase; }
* { box-sizing: content-box; }
div, p, span, figure, canvas, table, td, th, button, input, label, code, h3 { display: none !important; margin: 80px !important; color: red !important; background: yellow !important; }
canvas { width: 5px !important; height: 5px !important; }
.spacer { height: 4000px; }
`;

let site;
let browser;
let docs;
const requests = [];

/** A docs page under /docs/<name>/ that loads the element from /vendor/evrsnas/. */
function docsPage(name, body) {
  const dir = path.join(docs, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.html'), `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>${name}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/hostile.css">
<script type="module" src="/vendor/evrsnas/evrsnas-explorer.js"></script>
</head><body><h1>${name}</h1>
${body}
</body></html>`);
  return `${site.base}docs/${name}/`;
}

before(async () => {
  fs.mkdirSync(shots, { recursive: true });
  docs = fs.mkdtempSync(path.join(os.tmpdir(), 'evrsnas-docs-'));
  fs.writeFileSync(path.join(docs, 'hostile.css'), HOSTILE);
  site = await serveDist({ top: null, mounts: { 'vendor/evrsnas/': dist, 'docs/': docs }, requests });
  browser = await launch();
  // Live workers, as the browser counts them: a page of figures never runs more than the cores.
  browser.on('page', (page) => {
    page.liveWorkers = 0;
    page.peakWorkers = 0;
    page.on('worker', (worker) => {
      page.peakWorkers = Math.max(page.peakWorkers, ++page.liveWorkers);
      worker.on('close', () => page.liveWorkers--);
    });
  });
});

after(async () => {
  await browser?.close();
  site?.close();
  fs.rmSync(docs, { recursive: true, force: true });
});

const shadowText = (page, id, selector) =>
  page.evaluate(([i, s]) => document.getElementById(i).shadowRoot.querySelector(s)?.textContent ?? '', [id, selector]);
const waitFigure = (page, id, state, timeout = 120_000) => page.waitForSelector(`#${id}[data-state="${state}"]`, { timeout });

test('several figures on a docs page with a strict CSP and hostile CSS share one pool and queue; an off-screen one loads nothing; a bad attribute is named inside its figure', async () => {
  const url = docsPage('guide', `
<p>Two live figures, then a bad one, then one far below.</p>
<evrsnas-explorer id="first" ${TINY} seed="1" device="raspi4" threshold="20" autorun></evrsnas-explorer>
<evrsnas-explorer id="second" ${TINY} seed="2" autorun view="table"></evrsnas-explorer>
<evrsnas-explorer id="bad" threshold="banana" bogus="1" view="sideways"></evrsnas-explorer>
<section class="spacer"></section>
<evrsnas-explorer id="far" ${TINY} autorun></evrsnas-explorer>`);
  const before = requests.length;
  const { page, problems } = await openPage(browser, url);
  await page.setViewportSize({ width: 860, height: 900 });
  for (const id of ['first', 'second']) {
    await waitFigure(page, id, 'done');
    assert.match(await shadowText(page, id, '.answer code'), /^\|[a-z_0-9]+~0\|/, `${id} has an answer`);
  }
  // One search at a time: both ran, never more workers than cores alive at once.
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  assert.ok(page.peakWorkers >= 1 && page.peakWorkers <= cores, `${page.peakWorkers} workers on ${cores} cores`);
  // The answer's architecture and drawing are in the figure, and the figure is compact.
  const box = await page.locator('#first').boundingBox();
  assert.ok(box.height <= 640, `the figure is ${box.height} px tall`);
  assert.match(await shadowText(page, 'first', '.answer code'), /^\|/);
  assert.ok(await page.evaluate(() => document.getElementById('first').shadowRoot.querySelector('.drawing svg, .drawing canvas') !== null));
  // The host's CSS did not reach in: the buttons show, at the figure's own size.
  const run = await page.evaluate(() => {
    const b = document.getElementById('first').shadowRoot.querySelector('button.run');
    const s = getComputedStyle(b);
    return { display: s.display, font: parseFloat(s.fontSize), transform: s.textTransform, width: b.getBoundingClientRect().width };
  });
  assert.notEqual(run.display, 'none');
  assert.ok(run.font < 20 && run.width > 20, JSON.stringify(run));
  assert.equal(run.transform, 'none');
  // The bad attribute: the library's message naming the value, inside the figure; the rest ran.
  await page.waitForFunction(() => /banana/.test(document.getElementById('bad').shadowRoot.querySelector('.message').textContent));
  const message = await shadowText(page, 'bad', '.message');
  assert.match(message, /threshold/);
  assert.match(message, /bogus/);
  assert.match(message, /sideways/);
  assert.equal(await page.getAttribute('#bad', 'data-state'), 'idle');
  // Off-screen: never loaded, never started.
  assert.equal(await page.getAttribute('#far', 'data-state'), 'idle');
  assert.equal(await page.evaluate(() => document.getElementById('far').explorer ?? null), null);
  assert.match(await shadowText(page, 'far', '.status'), /scroll/);
  // Everything the figures fetched came from /vendor/evrsnas/ (relative to the module's URL).
  const fetched = requests.slice(before).filter((r) => !r.startsWith('/docs/'));
  assert.ok(fetched.some((r) => r.endsWith('.wasm')), 'the wasm was fetched');
  assert.deepEqual(fetched.filter((r) => !r.startsWith('/vendor/evrsnas/')), []);
  await page.screenshot({ path: path.join(shots, 'element-docs-page.png') });
  // Scrolled into view, the far figure loads and, with autorun, runs.
  await page.locator('#far').scrollIntoViewIfNeeded();
  await waitFigure(page, 'far', 'done');
  assert.ok(page.peakWorkers <= cores);
  await page.screenshot({ path: path.join(shots, 'element-far-done.png') });
  // No globals: the page's own names against a page without the element.
  const leaked = await page.evaluate(async () => {
    const frame = document.createElement('iframe');
    document.body.append(frame);
    const bare = new Set(Object.getOwnPropertyNames(frame.contentWindow));
    frame.remove();
    return Object.getOwnPropertyNames(window).filter((n) => !bare.has(n) && !['first', 'second', 'bad', 'far'].includes(n));
  });
  assert.deepEqual(leaked, []);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a page with only an off-screen figure fetches no wasm and starts no worker until it is scrolled to', async () => {
  const url = docsPage('below', `<section class="spacer"></section><evrsnas-explorer id="low" ${TINY} autorun></evrsnas-explorer>`);
  const before = requests.length;
  const { page, problems } = await openPage(browser, url);
  await page.waitForTimeout(1500);
  const early = requests.slice(before);
  assert.ok(early.includes('/vendor/evrsnas/evrsnas-explorer.js'));
  assert.deepEqual(early.filter((r) => r.endsWith('.wasm') || r.includes('/static/')), [], 'nothing heavy before the figure is in view');
  assert.equal(page.peakWorkers, 0);
  await page.locator('#low').scrollIntoViewIfNeeded();
  await waitFigure(page, 'low', 'done');
  assert.ok(requests.slice(before).some((r) => r.endsWith('.wasm')));
  assert.deepEqual(problems, []);
  await page.close();
});

test('figures removed mid-search stop their trainings and leave no workers or memory behind, over repeated cycles', async () => {
  const url = docsPage('cycles', '<section id="host"></section>');
  const { page, problems } = await openPage(browser, url);
  const cycle = () => page.evaluate(async (attrs) => {
    const f = document.createElement('evrsnas-explorer');
    for (const [k, v] of Object.entries(attrs)) f.setAttribute(k, v);
    document.getElementById('host').append(f);
    // Removed once its search trains (or fails, which the test then reports).
    const since = performance.now();
    await new Promise((resolve, reject) => {
      const check = () => {
        if (f.state === 'running' && f.progressReport) return resolve();
        const status = f.shadowRoot.querySelector('.status').textContent;
        if (performance.now() - since > 60_000) return reject(new Error(`the figure never trained: ${f.state}, "${status}"`));
        if (f.state === 'error') return reject(new Error(f.shadowRoot.querySelector('.message').textContent));
        setTimeout(check, 20);
      };
      check();
    });
    f.remove();
  }, { population: '8', generations: '4', steps: '4', autorun: '' });
  const memory = async () => page.evaluate(async () => {
    const { bindings } = await import('/vendor/evrsnas/library.js');
    return bindings().instance.memory.buffer.byteLength;
  });
  const settle = async () => {
    for (let i = 0; i < 100 && page.liveWorkers > 0; i++) await page.waitForTimeout(50);
    return page.liveWorkers;
  };
  await cycle();
  assert.equal(await settle(), 0, 'the last figure gone, no worker is left');
  const first = await memory();
  for (let i = 0; i < 4; i++) {
    await cycle();
    assert.equal(await settle(), 0, `cycle ${i + 2}: no worker is left`);
  }
  const last = await memory();
  console.log(`main-thread wasm memory after one cycle ${first} bytes, after five ${last}; peak workers ${page.peakWorkers}`);
  // wasm memory never shrinks; what matters is that it does not grow with every cycle.
  assert.ok(last <= first + 4 * 1024 * 1024, `main-thread wasm memory ${first} → ${last} bytes over four more cycles`);
  // A figure that stays keeps working after others were removed mid-search beside it.
  await page.evaluate(() => {
    const f = document.createElement('evrsnas-explorer');
    f.id = 'stays';
    for (const [k, v] of Object.entries({ population: '4', generations: '2', steps: '2', autorun: '' })) f.setAttribute(k, v);
    document.getElementById('host').append(f);
  });
  await waitFigure(page, 'stays', 'done');
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  assert.ok(page.peakWorkers <= cores, `${page.peakWorkers} workers on ${cores} cores`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a figure is usable at 320 px, in the dark, and by keyboard', async () => {
  const url = docsPage('narrow', `<evrsnas-explorer id="small" ${TINY} seed="3"></evrsnas-explorer>`);
  const { page, problems } = await openPage(browser, url);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width: 320, height: 700 });
  await page.waitForFunction(() => document.getElementById('small').shadowRoot.querySelector('.status').textContent === 'ready');
  // Tab reaches Run, a labelled control; Enter starts the search.
  let focused = '';
  for (let i = 0; i < 10 && focused !== 'Run'; i++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.getElementById('small').shadowRoot.activeElement?.textContent ?? '');
  }
  assert.equal(focused, 'Run');
  await page.keyboard.press('Enter');
  await waitFigure(page, 'small', 'done');
  const fits = await page.evaluate(() => {
    const f = document.getElementById('small');
    const wide = [...f.shadowRoot.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1);
    return { width: f.getBoundingClientRect().width, wide: wide.map((e) => e.className || e.tagName), bg: getComputedStyle(f.shadowRoot.querySelector('.figure')).backgroundColor };
  });
  assert.deepEqual(fits.wide, [], 'nothing wider than the 320 px screen');
  // Dark: the figure's background is dark.
  const [r, g, b] = fits.bg.match(/\d+/g).map(Number);
  assert.ok(r + g + b < 200, `background ${fits.bg}`);
  const label = await page.evaluate(() => document.getElementById('small').shadowRoot.querySelector('input[type=range]').labels[0]?.textContent ?? '');
  assert.match(label, /Budget/);
  await page.screenshot({ path: path.join(shots, 'element-320-dark.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});
