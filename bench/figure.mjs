// `node bench/figure.mjs [BEFORE_DIST]`: the first <evrsnas-explorer> figure on a docs page, from a
// cold browser (a fresh profile each run), in headless Chromium: the bytes its files weigh (raw and
// gzipped, each file once, as a server with gzip would send them), the time from navigation to the
// figure ready (library, tables, batch, reference loaded) and to a small search done. With
// BEFORE_DIST (another build of dist/, e.g. an earlier commit's), both builds are measured in the
// same run, alternating, as the peer. Prints a Markdown table for BENCHMARKS.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { launch, root, serveDist } from '../tests/site.mjs';

const RUNS = 3;
const SMALL = 'population="8" generations="2" seed="0"';
const builds = [['this build', path.join(root, 'dist')]];
if (process.argv[2]) builds.unshift(['before', path.resolve(process.argv[2])]);

const docs = fs.mkdtempSync(path.join(os.tmpdir(), 'evrsnas-bench-docs-'));
fs.writeFileSync(path.join(docs, 'index.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="/vendor/evrsnas/evrsnas-explorer.js"></script></head>
<body><evrsnas-explorer id="f" ${SMALL} autorun></evrsnas-explorer></body></html>`);

async function once(dist) {
  const requests = [];
  const site = await serveDist({ top: null, mounts: { 'vendor/evrsnas/': dist, 'docs/': docs }, requests });
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const t0 = Date.now();
    await page.goto(`${site.base}docs/`);
    await page.waitForFunction(() => /ready|starting|trained|running/.test(document.getElementById('f').shadowRoot.querySelector('.status').textContent), null, { timeout: 120_000 });
    const ready = (Date.now() - t0) / 1000;
    await page.waitForSelector('#f[data-state="done"]', { timeout: 300_000 });
    const done = (Date.now() - t0) / 1000;
    const files = [...new Set(requests.filter((r) => r.startsWith('/vendor/evrsnas/')))].map((r) => path.join(dist, r.slice('/vendor/evrsnas/'.length)));
    const raw = files.reduce((n, f) => n + fs.statSync(f).size, 0);
    const gz = files.reduce((n, f) => n + zlib.gzipSync(fs.readFileSync(f), { level: 6 }).length, 0);
    const wasmFetches = requests.filter((r) => r.endsWith('.wasm')).length;
    const each = files.map((f) => [path.relative(dist, f), zlib.gzipSync(fs.readFileSync(f), { level: 6 }).length]);
    return { ready, done, raw, gz, files: files.length, wasmFetches, each };
  } finally {
    await browser.close();
    site.close();
  }
}

const results = Object.fromEntries(builds.map(([name]) => [name, []]));
for (let i = 0; i < RUNS; i++) {
  for (const [name, dist] of builds) results[name].push(await once(dist));
}
fs.rmSync(docs, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`| build | files | raw MB | gzipped MB | wasm fetches | to ready (s) | to done (s) |`);
console.log(`| --- | ---: | ---: | ---: | ---: | ---: | ---: |`);
for (const [name, runs] of Object.entries(results)) {
  const r = runs[0];
  console.log(`| ${name} | ${r.files} | ${(r.raw / 1e6).toFixed(2)} | ${(r.gz / 1e6).toFixed(2)} | ${r.wasmFetches} | ${median(runs.map((x) => x.ready)).toFixed(2)} | ${median(runs.map((x) => x.done)).toFixed(2)} |`);
}
for (const [name, runs] of Object.entries(results)) {
  const big = runs[0].each.filter(([, n]) => n >= 10_000).sort((a, b) => b[1] - a[1]);
  console.log(`\n${name}, files of 10 kB or more gzipped: ${big.map(([f, n]) => `${f} ${(n / 1e6).toFixed(3)}`).join(', ')}`);
}
console.log(`\nmedians of ${RUNS} cold runs each, alternating; the small search: ${SMALL} (K = the default), on ${os.cpus().length} cores, ${os.cpus()[0].model}`);
