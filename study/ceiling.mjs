// How close to the best feasible cell can a pick by RMI get at all? Two analyses of scores already
// measured, written into FIDELITY.md between its <!-- ceiling --> markers:
//
// 1. Search without a search: the fidelity study's 500 cells (k_sweep_scores.csv) stand in for
//    what a search could see. For each of the constrained-search study's 18 budgets, draw n of them
//    at random, pick the feasible one of best fitness (RMI − λ·|cost − T|/T, λ = 0.1, the default),
//    and measure its gap to the best feasible cell of the whole table; the mean over draws and
//    budgets, for n up to all 500. The same with the true accuracy in place of RMI is the gap that
//    seeing n cells allows.
// 2. The top end: the 60 best-scored of those cells re-scored (study/top_end.sh) from several
//    initialisations at K = 20, 60 and 150; Kendall τ-b with CIFAR-10 accuracy among them.
//
//   node study/ceiling.mjs
import fs from 'node:fs';
import path from 'node:path';
import { cifar10, readCsv, root } from './files.mjs';
import { kendallTau } from './stats.mjs';

const results = path.join(root, 'study/results');

// NB201's latency tables as the library decodes them (the page's wasm, built by `cargo make dist`):
// the edgegpu and edgetpu tables keep a model in place of their estimates (static/FORMATS.md).
async function latencies() {
  const wasm = await import(path.join(root, 'dist/pkg/evrsnas.js'));
  await wasm.default({ module_or_path: fs.readFileSync(path.join(root, 'dist/pkg/evrsnas_bg.wasm')) });
  const bytes = fs.readFileSync(path.join(root, 'static/costs/nb201.bin'));
  const landscape = (device) => wasm.landscape(bytes, new Uint8Array(), device, 'latency').costs;
  return new Map(wasm.costInfo(bytes).devices.map((d) => [d.device, landscape(d.device)]));
}

const cifar10Accuracy = () => Array.from({ length: 15625 }, (_, i) => cifar10(i));

// The percentile as `devtools::study` takes it: linear between the order statistics.
function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  const at = ((s.length - 1) * p) / 100;
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (s[hi] - s[lo]) * (at - lo);
}

// mulberry32: a small seeded generator, so that the draws are the same every run.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const costs = await latencies();
const accuracy = cifar10Accuracy();
const cells = readCsv(path.join(results, 'k_sweep_scores.csv'));
const LAMBDA = 0.1;
const DRAWS = 300;
const budgets = [...costs].flatMap(([device, cost]) =>
  [25, 50, 75].map((p) => {
    const threshold = percentile(cost, p);
    let best = -Infinity;
    for (let i = 0; i < cost.length; i++) if (cost[i] <= threshold) best = Math.max(best, accuracy[i]);
    return { device, p, threshold, cost, best };
  }),
);

// Mean gap of the pick by `score` among n random cells (every cell when n is all of them).
function meanGap(score, n) {
  const gaps = [];
  for (const b of budgets) {
    const next = rng(1 + budgets.indexOf(b));
    const draws = n >= cells.length ? 1 : DRAWS;
    let sum = 0;
    let counted = 0;
    for (let d = 0; d < draws; d++) {
      const order = cells.map((c, i) => [next(), i]).sort((x, y) => x[0] - y[0]).slice(0, n);
      let pick = null;
      let pickFitness = -Infinity;
      for (const [, i] of order) {
        const c = cells[i];
        const cost = b.cost[c.index];
        if (cost > b.threshold) continue;
        const fitness = score(c) - LAMBDA * Math.abs(cost - b.threshold) / b.threshold;
        if (fitness > pickFitness) [pick, pickFitness] = [c, fitness];
      }
      if (pick) {
        sum += b.best - accuracy[pick.index];
        counted++;
      }
    }
    if (counted) gaps.push(sum / counted);
  }
  return gaps.reduce((a, g) => a + g, 0) / gaps.length;
}

let md = `\n**How close a pick by RMI can get** (\`node study/ceiling.mjs\`). The fidelity study's ${cells.length} cells (K = 20, the 40-image batch; the default batch's searches land as close, above) stand in for what a search sees: for each of the 18 budgets above, n of them drawn at random (${DRAWS} draws), the feasible one of best fitness (λ = ${LAMBDA}, two-sided) picked. Mean gap to the best feasible cell of the whole table, in points of CIFAR-10 accuracy:\n\n`;
md += '| cells seen (n) | pick by RMI at K = 20 | pick by RMI at K = 10 | pick by true accuracy |\n|---|---|---|---|\n';
for (const n of [62, 124, 250, cells.length]) {
  md += `| ${n === cells.length ? `all ${n}` : n} | ${meanGap((c) => c.rmi_k20, n).toFixed(2)} | ${meanGap((c) => c.rmi_k10, n).toFixed(2)} | ${meanGap((c) => accuracy[c.index], n).toFixed(2)} |\n`;
}

// The top end, re-scored.
const topDir = path.join(results, 'top_end');
const runs = fs.existsSync(topDir)
  ? fs.readdirSync(topDir).filter((f) => /^k\d+_seed\d+\.csv$/.test(f)).sort().map((f) => {
      const [, k, seed] = f.match(/^k(\d+)_seed(\d+)\.csv$/).map(Number);
      return { k, seed, rmi: new Map(readCsv(path.join(topDir, f)).map((r) => [r.index, r.rmi])) };
    })
  : [];
if (runs.length) {
  const top = [...runs[0].rmi.keys()];
  const truth = top.map((i) => accuracy[i]);
  const mean = (xs) => xs.reduce((a, x) => a + x, 0) / xs.length;
  md += `\n**The top end, re-scored** (\`study/top_end.sh\`): the ${top.length} best of those cells by their K = 20 score, trained again with the search's default 20-image batch from several initialisations (seeds). Kendall τ-b with CIFAR-10 accuracy among these ${top.length} (over all 500 cells K = 20 has τ 0.61); "seed against seed": τ between two initialisations' scores.\n\n`;
  md += '| K | initialisations | τ, one initialisation (mean over them) | τ, mean score of all | seed against seed |\n|---|---|---|---|---|\n';
  for (const k of [...new Set(runs.map((r) => r.k))].sort((a, b) => a - b)) {
    const mine = runs.filter((r) => r.k === k);
    const scores = mine.map((r) => top.map((i) => r.rmi.get(i)));
    const single = mean(scores.map((s) => kendallTau(s, truth)));
    const averaged = kendallTau(top.map((_, j) => mean(scores.map((s) => s[j]))), truth);
    const agreement = scores.length > 1 ? kendallTau(scores[0], scores[1]).toFixed(2) : '–';
    md += `| ${k} | ${mine.length} | ${single.toFixed(2)} | ${averaged.toFixed(2)} | ${agreement} |\n`;
  }
}

// The confirmation round replayed on the top end: per budget, the f feasible cells of best
// fitness by the first K = 20 initialisation are the finalists, and the pick is the finalist of best
// fitness by the mean score of a confirmation scheme.
if (runs.length) {
  const top = [...runs[0].rmi.keys()];
  const first = runs.find((r) => r.k === 20 && r.seed === 0);
  const scheme = (k, n) => runs.filter((r) => r.k === k).slice(0, n);
  const schemes = [
    ['none: the first K = 20 initialisation', [first]],
    ['K = 20, 3 initialisations (the default)', scheme(20, 3)],
    ['K = 20, 5 initialisations', scheme(20, 5)],
    ['K = 60, 1', scheme(60, 1)],
    ['K = 60, 3', scheme(60, 3)],
    ['K = 150, 1', scheme(150, 1)],
    ['K = 150, 2', scheme(150, 2)],
  ].filter(([, r]) => r.length && r.every(Boolean));
  const replay = (confirm, finalists) => {
    const gaps = [];
    for (const b of budgets) {
      const fitness = (i, score) => score - LAMBDA * Math.abs(b.cost[i] - b.threshold) / b.threshold;
      const feasible = top.filter((i) => b.cost[i] <= b.threshold);
      if (!feasible.length) continue;
      const mean = (i) => confirm.reduce((a, r) => a + r.rmi.get(i), 0) / confirm.length;
      const chosen = [...feasible].sort((x, y) => fitness(y, first.rmi.get(y)) - fitness(x, first.rmi.get(x))).slice(0, finalists);
      const pick = chosen.reduce((p, i) => (fitness(i, mean(i)) > fitness(p, mean(p)) ? i : p));
      gaps.push(b.best - accuracy[pick]);
    }
    return gaps.reduce((a, g) => a + g, 0) / gaps.length;
  };
  const counts = [2, 4, 8];
  md += `\n**The confirmation round replayed on them**: per budget, the f feasible ones of best fitness by the first K = 20 initialisation are the finalists, ranked by the mean score of each scheme. Mean gap over the 18 budgets (points; each budget's pool is only the feasible ones of these ${top.length} cells):\n\n`;
  md += `| confirmation | ${counts.map((f) => `f = ${f}`).join(' | ')} |\n|---|${counts.map(() => '---|').join('')}\n`;
  for (const [name, confirm] of schemes) md += `| ${name} | ${counts.map((f) => replay(confirm, f).toFixed(2)).join(' | ')} |\n`;
}

const file = path.join(root, 'FIDELITY.md');
const text = fs.readFileSync(file, 'utf8');
const [begin, end] = ['<!-- ceiling:begin -->', '<!-- ceiling:end -->'];
if (!text.includes(begin) || !text.includes(end)) throw new Error(`FIDELITY.md lacks the ${begin} … ${end} markers`);
fs.writeFileSync(file, text.slice(0, text.indexOf(begin) + begin.length) + '\n' + md + '\n' + text.slice(text.indexOf(end)));
console.log(md);
