// `cargo make bench-page`: the default NB201 search (seed 0) in the page, in headless Chromium, with
// the pool at hardwareConcurrency − 1 and at hardwareConcurrency workers, and the same search run
// by the native CLI in the same run as the peer. Reports wall time from Run to done, trainings/s,
// the workers' time per training, and the main thread's busy time; writes BENCHMARKS.md's page
// section (between the <!-- page --> markers; the rest of the file is bench/run.mjs's).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, serveDist } from '../tests/site.mjs';

const root = path.resolve(import.meta.dirname, '..');
const site = await serveDist();
const base = site.base;
const browser = await launch();

/** One default search in the page with `workers` workers (and `extra` URL settings). */
async function pageRun(workers, extra = '') {
  const page = await browser.newPage();
  await page.goto(`${base}index.html?workers=${workers}${extra}`);
  await page.waitForFunction(() => document.getElementById('progress-text').textContent === 'ready', null, { timeout: 120_000 });
  const threshold = await page.inputValue('#threshold');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const busy = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
  const busy0 = await busy();
  const t0 = Date.now();
  await page.click('#run');
  await page.waitForSelector('#app[data-state="done"]', { timeout: 1_800_000 });
  const seconds = (Date.now() - t0) / 1000;
  const mainBusy = (await busy()) - busy0;
  const text = await page.textContent('#progress-text');
  const trainings = Number(text.match(/\((\d+) trainings\)/)?.[1] ?? text.match(/(\d+) architectures trained/)[1]);
  const measured = JSON.parse(await page.evaluate(() => localStorage.getItem('evrsnas.measured')));
  const best = await page.textContent('#best-arch');
  const actual = Number(text.match(/· (\d+) workers?/)[1]);
  const build = (await page.textContent('#plan')).match(/\(wasm ([^)]*)\)/)?.[1] ?? '?';
  await page.close();
  return { workers: actual, extra, build, threshold, seconds, trainings, msPerTraining: measured.msPerTraining, mainBusy, best };
}

const cores = os.cpus().length;
const sizes = [...new Set([Math.max(1, cores - 1), cores])];
const runs = [];
for (const workers of sizes) {
  console.error(`page, ${workers} worker(s)…`);
  runs.push(await pageRun(workers));
}
// The same search on the plain simd128 build, and with the screened schedule, on every core.
console.error('page, simd128…');
runs.push(await pageRun(cores, '&simd=simd128'));
console.error('page, screened…');
runs.push(await pageRun(cores, '&schedule=screened'));
await browser.close();
site.close();

console.error('native CLI…');
const t0 = Date.now();
const cli = JSON.parse(execFileSync(path.join(root, 'target/release/evrsnas'),
  ['search', '--space', 'nb201', '--device', 'pixel3', '--threshold', runs[0].threshold, '--seed', '0', '--json'],
  { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
const cliSeconds = (Date.now() - t0) / 1000;

const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [, os.cpus()[0]?.model])[1];
const chromiumVersion = execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).trim();
const f = (v, d = 1) => v.toFixed(d);
const rows = runs.map((r) =>
  `| page, ${r.workers} worker${r.workers === 1 ? '' : 's'}, ${r.build}${r.extra.includes('screened') ? ', screened schedule' : ''} | ${f(r.seconds)} | ${r.trainings} | ${f(r.trainings / r.seconds, 2)} | ${f(r.msPerTraining, 0)} | ${f(r.mainBusy, 2)} | ${f(r.seconds / cliSeconds, 2)}× |`);
rows.push(`| native CLI, 1 thread | ${f(cliSeconds)} | ${cli.trials} | ${f(cli.trials / cliSeconds, 2)} | ${f((1000 * cli.seconds) / cli.trials, 0)} | – | 1.00× |`);
const section = `<!-- page -->
## The page: the default NB201 search, Run to done

Measured by \`cargo make bench-page\` (bench/page.mjs) in one run: the default search (NAS-Bench-201,
pixel3, budget ${runs[0].threshold} ms, seed 0, population 12 × 6 generations, K = 20, the default RMI batch and
schedule) in headless ${chromiumVersion} with each pool size, on the plain simd128 build, and with the
screened schedule; the same default search by the native CLI (one thread) is the peer.

- Machine: ${cpu}, ${cores} cores; ${os.platform()} ${os.release()}; date ${new Date().toISOString().slice(0, 10)}${process.env.BENCH_NOTE ? `\n- Conditions: ${process.env.BENCH_NOTE}` : ''}

| run | wall s | trainings | trainings/s | ms per training (worker) | main thread busy s | ÷ CLI wall |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

Picks: ${runs.map((r) => `page (${r.workers} w${r.extra}) \`${r.best}\``).join('; ')}; CLI \`${cli.best.arch}\` (the page and the
CLI round differently: README, "Same seed, same result").
<!-- /page -->
`;
const file = path.join(root, 'BENCHMARKS.md');
const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
const kept = old.replace(/<!-- page -->[\s\S]*<!-- \/page -->\n?/, '').trimEnd();
fs.writeFileSync(file, `${kept}\n\n${section}`);
console.log(section);
