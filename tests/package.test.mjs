// The npm package (target/package, `cargo make package`) as a docs site would use it: packed with
// `npm pack`, installed from the tarball into an empty folder with npm offline, its exports
// resolved by node and its declarations by TypeScript, and a docs page served from the installed
// folder whose figure runs to done in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, openPage, root, serveDist } from './site.mjs';

const packaged = path.join(root, 'target', 'package');
const shots = path.join(root, 'target', 'screenshots');
let scratch;
let installed;
let manifest;

before(() => {
  assert.ok(fs.existsSync(path.join(packaged, 'package.json')), 'target/package is built (cargo make package)');
  fs.mkdirSync(shots, { recursive: true });
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'evrsnas-package-'));
  const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', scratch, packaged], root))[0];
  manifest = packed;
  const site = path.join(scratch, 'site');
  fs.mkdirSync(site);
  fs.writeFileSync(path.join(site, 'package.json'), JSON.stringify({ name: 'a-docs-site', private: true, type: 'module' }));
  npm(['install', '--offline', '--no-audit', '--no-fund', path.join(scratch, packed.filename)], site);
  installed = path.join(site, 'node_modules', 'evrsnas');
});

after(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

test('the tarball holds the element, the API, both wasm builds, the workers, the assets, the declarations and the licences', () => {
  const files = new Set(manifest.files.map((f) => f.path));
  for (const f of ['package.json', 'README.md', 'LICENSE', 'evrsnas-explorer.js', 'evrsnas-explorer.d.ts', 'engine.js', 'engine.d.ts', 'worker.js',
    'pkg/evrsnas_bg.wasm', 'pkg-relaxed/evrsnas_bg.wasm', 'static/MANIFEST.json', 'static/PROVENANCE.md', 'static/batch/LICENSE-foolbox.txt', 'index.html', 'lesson.html']) {
    assert.ok(files.has(f), `the tarball has ${f}`);
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
  assert.equal(pkg.name, 'evrsnas');
  assert.equal(pkg.type, 'module');
  assert.equal(pkg.license, 'MIT');
  assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
  // Every file the page's modules import is in the package (none left behind in www/).
  for (const f of fs.readdirSync(path.join(root, 'www')).filter((f) => f.endsWith('.js'))) assert.ok(files.has(f), `the tarball has ${f}`);
});

test("node resolves the package's exports from the installed folder", () => {
  const resolve = (spec) => execFileSync(process.execPath, ['--input-type=module', '-e', `console.log(import.meta.resolve(${JSON.stringify(spec)}))`], { cwd: path.dirname(path.dirname(installed)), encoding: 'utf8' }).trim();
  assert.match(resolve('evrsnas'), /node_modules\/evrsnas\/engine\.js$/);
  assert.match(resolve('evrsnas/element'), /node_modules\/evrsnas\/evrsnas-explorer\.js$/);
  assert.match(resolve('evrsnas/pkg/evrsnas_bg.wasm'), /node_modules\/evrsnas\/pkg\/evrsnas_bg\.wasm$/);
});

test("TypeScript checks a docs site's code against the installed declarations, and rejects a wrong use", () => {
  const site = path.dirname(path.dirname(installed));
  const tsc = path.join(root, 'tests', 'node_modules', 'typescript', 'bin', 'tsc');
  const check = (source) => {
    fs.writeFileSync(path.join(site, 'figure.ts'), source);
    try {
      execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', '--lib', 'es2022,dom', 'figure.ts'], { cwd: site, encoding: 'utf8' });
      return '';
    } catch (e) {
      return e.stdout || String(e);
    }
  };
  const good = `import { Explorer } from 'evrsnas';
import 'evrsnas/element';
const figure = document.createElement('evrsnas-explorer');
figure.setAttribute('device', 'pixel3');
figure.addEventListener('done', (e) => console.log(e.detail.best?.arch.length));
figure.addEventListener('error', (e) => console.log(e.detail.message.toUpperCase()));
const state: 'idle' | 'running' | 'paused' | 'done' | 'error' = figure.state;
figure.moveBudget(5);
export async function run(): Promise<void> {
  const explorer = await Explorer.load({ base: '/vendor/evrsnas/static' });
  await explorer.start({ space: 'nb201', device: 'pixel3', steps: 20, batch: 'cifar10', seed: 0 });
  console.log(state, explorer.results()?.best?.rmi.toFixed(3));
  explorer.dispose();
}
`;
  assert.equal(check(good), '');
  assert.match(check(`${good}\ndocument.createElement('evrsnas-explorer').moveBudget('five');\n`), /error TS2345/);
});

test('a docs page served from the installed package runs its figure to done', async () => {
  const docs = path.join(scratch, 'docs');
  fs.mkdirSync(docs);
  fs.writeFileSync(path.join(docs, 'index.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; img-src 'self' data:">
<title>installed</title><link rel="icon" href="data:,"><script type="module" src="/vendor/evrsnas/evrsnas-explorer.js"></script></head>
<body><h1>From node_modules</h1><evrsnas-explorer id="f" population="4" generations="2" steps="2" seed="1" autorun></evrsnas-explorer></body></html>`);
  const site = await serveDist({ top: null, mounts: { 'vendor/evrsnas/': installed, 'docs/': docs } });
  const browser = await launch();
  try {
    const { page, problems } = await openPage(browser, `${site.base}docs/`);
    await page.setViewportSize({ width: 860, height: 700 });
    await page.waitForSelector('#f[data-state="done"]', { timeout: 120_000 });
    const answer = await page.evaluate(() => document.getElementById('f').shadowRoot.querySelector('.answer code').textContent);
    assert.match(answer, /^\|[a-z_0-9]+~0\|/);
    await page.screenshot({ path: path.join(shots, 'package-docs-page.png') });
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    site.close();
  }
});
