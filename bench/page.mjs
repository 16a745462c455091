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
  const screenings = Number(text.match(/· (\d+) screened/)?.[1] ?? 0);
  const measured = JSON.parse(await page.evaluate(() => localStorage.getItem('evrsnas.measured')));
  const best = await page.textContent('#best-arch');
  const actual = Number(text.match(/· (\d+) workers?/)[1]);
  const build = (await page.textContent('#plan')).match(/\(wasm ([^)]*)\)/)?.[1] ?? '?';
  await page.close();
  return { workers: actual, extra, build, threshold, seconds, trainings, screenings, msPerTraining: measured.msPerTraining, mainBusy, best };
}

const cores = os.cpus().length;
const sizes = [...new Set([Math.max(1, cores - 1), cores])];
const runs = [];
for (const workers of sizes) {
  console.error(`page, ${workers} worker(s)…`);
  runs.push(await pageRun(workers));
}
// The same search on the plain simd128 build, and with the other schedules, on every core.
console.error('page, simd128…');
runs.push(await pageRun(cores, '&simd=simd128'));
for (const schedule of ['plain', 'screened']) {
  console.error(`page, ${schedule}…`);
  runs.push(await pageRun(cores, `&schedule=${schedule}`));
}
await browser.close();
site.close();

// The peers: the same searches by the native CLI, one per schedule.
const scheduleOf = (extra) => extra.match(/schedule=(\w+)/)?.[1] ?? 'default';
const cli = new Map();
for (const schedule of ['default', 'plain', 'screened']) {
  console.error(`native CLI, ${schedule} schedule…`);
  const t0 = Date.now();
  const out = JSON.parse(execFileSync(path.join(root, 'target/release/evrsnas'),
    ['search', '--space', 'nb201', '--device', 'pixel3', '--threshold', runs[0].threshold, '--seed', '0', '--json',
      ...(schedule === 'default' ? [] : ['--schedule', schedule])],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  cli.set(schedule, { ...out, wall: (Date.now() - t0) / 1000 });
}
const defaultSchedule = cli.get('default').config.evolution.screen
  ? `${cli.get('default').config.evolution.screen.steps === 0 ? 'screened' : 'halving'}`
  : 'plain';

const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [, os.cpus()[0]?.model])[1];
const chromiumVersion = execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).trim();
const f = (v, d = 1) => v.toFixed(d);
const scheduleText = (extra) => (scheduleOf(extra) === 'default' ? '' : `, ${scheduleOf(extra)} schedule`);
const rows = runs.map((r) => {
  const peer = cli.get(scheduleOf(r.extra));
  return `| page, ${r.workers} worker${r.workers === 1 ? '' : 's'}, ${r.build}${scheduleText(r.extra)} | ${f(r.seconds)} | ${r.trainings} | ${r.screenings} | ${f(r.trainings / r.seconds, 2)} | ${f(r.msPerTraining, 0)} | ${f(r.mainBusy, 2)} | ${f(r.seconds / peer.wall, 2)}× |`;
});
for (const [schedule, c] of cli) {
  // With a screen the CLI's seconds mix screenings, continued trainings and fresh ones: only the
  // plain schedule's give the time per training.
  const perTraining = c.screenings ? '–' : f((1000 * c.seconds) / c.trials, 0);
  rows.push(`| native CLI, 1 thread${schedule === 'default' ? '' : `, ${schedule} schedule`} | ${f(c.wall)} | ${c.trials} | ${c.screenings ?? 0} | ${f(c.trials / c.wall, 2)} | ${perTraining} | – | 1.00× |`);
}
const section = `<!-- page -->
## The page: the default NB201 search, Run to done

Measured by \`cargo make bench-page\` (bench/page.mjs) in one run: the default search (NAS-Bench-201,
pixel3, budget ${runs[0].threshold} ms, seed 0, population 12 × 6 generations, K = 20, the default RMI batch and
schedule, ${defaultSchedule}) in headless ${chromiumVersion} with each pool size, on the plain simd128 build, and with the
other schedules; the same searches by the native CLI (one thread) are the peers. "Trainings" are K-step ones; a
screening trains the schedule's first round (halving: K/4 steps, which the kept half's training then continues;
screened: none, one forward pass). The page's time per training is a fresh training's, in its workers.

- Machine: ${cpu}, ${cores} cores; ${os.platform()} ${os.release()}; date ${new Date().toISOString().slice(0, 10)}${process.env.BENCH_NOTE ? `\n- Conditions: ${process.env.BENCH_NOTE}` : ''}

| run | wall s | trainings | screenings | trainings/s | ms per training (worker) | main thread busy s | ÷ CLI wall (same schedule) |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

Picks: ${runs.map((r) => `page (${r.workers} w${r.extra}) \`${r.best}\``).join('; ')}; ${[...cli].map(([s, c]) => `CLI (${s}) \`${c.best.arch}\``).join('; ')} (the page and the
CLI round differently: README, "Same seed, same result").
<!-- /page -->
`;
const file = path.join(root, 'BENCHMARKS.md');
const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
const kept = old.replace(/<!-- page -->[\s\S]*<!-- \/page -->\n?/, '').trimEnd();
fs.writeFileSync(file, `${kept}\n\n${section}`);
console.log(section);
