// Issue 26's complexity prior (FIDELITY.md, "A complexity prior"): how RMI + w·complexity ranks the
// fidelity study's cells for several w, on seed 0's 500 cells (score_ab's base scores) and on seed
// 1's other 500 (a sample the weight was not chosen on), with the mean of two initialisations on
// seed 0's; then the constrained-search study with the prior against without, run by run.
//   node study/prior.mjs [--fidelity]   (--fidelity: into FIDELITY.md's <!-- prior --> markers)
// The complexity files: `evrsnas score --space nb201 --archs-file CELLS --steps 0 --json`, each
// line's index and complexity.
import fs from 'node:fs';
import path from 'node:path';
import { cifar10, readCsv, root } from './files.mjs';
import { kendallTau } from './stats.mjs';

const dir = path.join(root, 'study/results/prior');
const complexityOf = (file) => new Map(readCsv(path.join(dir, file)).map((r) => [r.index, r.complexity]));
const samples = [
  { name: 'seed 0', scores: readCsv(path.join(root, 'study/results/score_ab/base_scores.csv')), complexity: complexityOf('complexity_seed0.csv') },
  { name: 'seed 1', scores: readCsv(path.join(dir, 'base_seed1_scores.csv')), complexity: complexityOf('complexity_seed1.csv') },
];
const second = new Map(fs.readFileSync(path.join(dir, 'base_cells500_seed1.jsonl'), 'utf8').trim().split('\n')
  .map((l) => JSON.parse(l)).map((r) => [r.index, r.rmi]));
const f3 = (x) => x.toFixed(3);
const topTau = (score, acc, n = 60) => {
  const top = [...score.keys()].sort((i, j) => score[j] - score[i]).slice(0, n);
  return { tau: kendallTau(top.map((i) => score[i]), top.map((i) => acc[i])), mean10: top.slice(0, 10).reduce((s, i) => s + acc[i], 0) / 10 };
};
const lines = [
  '| w | seed 0: 500-cell τ | top-60 τ | mean of its 10 best | seed 1: 500-cell τ | top-60 τ | mean of its 10 best | seed 0, mean of two initialisations: 500-cell τ | top-60 τ |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];
const alone = samples.map((s) => f3(kendallTau(s.scores.map((r) => s.complexity.get(r.index)), s.scores.map((r) => cifar10(r.index)))));
for (const w of [0, 0.1, 0.2, 0.3, 0.5, 1]) {
  const cells = [];
  for (const s of samples) {
    const acc = s.scores.map((r) => cifar10(r.index));
    const score = s.scores.map((r) => r.rmi_k20 + w * s.complexity.get(r.index));
    const t = topTau(score, acc);
    cells.push(f3(kendallTau(score, acc)), f3(t.tau), `${t.mean10.toFixed(2)} %`);
  }
  const s0 = samples[0];
  const acc = s0.scores.map((r) => cifar10(r.index));
  const mean = s0.scores.map((r) => (r.rmi_k20 + second.get(r.index)) / 2 + w * s0.complexity.get(r.index));
  cells.push(f3(kendallTau(mean, acc)), f3(topTau(mean, acc).tau));
  lines.push(`| ${w}${w === 0.2 ? ' (default)' : ''} | ${cells.join(' | ')} |`);
}
lines.push(`| complexity alone | ${alone[0]} | | | ${alone[1]} | | | | |`);

// The constrained-search study, with the prior (the default) and without, on the same build.
const search = (w) => {
  const file = path.join(dir, `search_prior${w}.json`);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null;
};
const [withPrior, without] = [search('0.2'), search('0')];
if (withPrior && without) {
  const gap = (r, who) => r.best_feasible.accuracy - r[who].accuracy;
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const paired = withPrior.details.map((r, i) => gap(without.details[i], 'evolution') - gap(r, 'evolution'));
  const vsRandom = withPrior.details.map((r) => gap(r, 'random') - gap(r, 'evolution'));
  // Bootstrap of the mean paired difference (seeded, as stats.mjs's callers do).
  let seed = 1;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const interval = (xs) => {
    seed = 1; // each interval from the same stream, whatever was computed before it
    const means = Array.from({ length: 2000 }, () => mean(Array.from(xs, () => xs[Math.floor(rand() * xs.length)]))).sort((a, b) => a - b);
    return `[${means[50].toFixed(2)}, ${means[1949].toFixed(2)}]`;
  };
  lines.push('', '| constrained-search study (54 runs) | evolution\'s mean gap | random search\'s (same trainings) | evolution closer than random by | within 1.0 point |',
    '| --- | --- | --- | --- | --- |');
  const others = ['0.3', '0.5'].map((w) => [`w = ${w}`, search(w)]).filter(([, d]) => d);
  for (const [label, d] of [['w = 0 (RMI alone)', without], ['w = 0.2 (the prior, default)', withPrior], ...others]) {
    const ev = d.details.map((r) => gap(r, 'evolution'));
    const rd = d.details.map((r) => gap(r, 'random'));
    const closer = d.details.map((r) => gap(r, 'random') - gap(r, 'evolution'));
    lines.push(`| ${label} | ${mean(ev).toFixed(2)} | ${mean(rd).toFixed(2)} | ${mean(closer).toFixed(2)} ${interval(closer)} | ${ev.filter((g) => g <= 1).length} of ${ev.length} |`);
  }
  lines.push('', `The prior brings evolution's pick closer to the best feasible cell by ${mean(paired).toFixed(2)} points ${interval(paired)} (paired over the runs; ahead of random search by ${mean(vsRandom).toFixed(2)}).`);
}
// One Pareto run per device and seed (12 × 6, plain NSGA-II), its nine budgets answered by the
// fitness: with the prior against the committed run without it (pareto_p12g6-none.json).
const paretoFile = path.join(dir, 'pareto_p12g6-none_prior0.2.json');
if (fs.existsSync(paretoFile)) {
  const gaps = (d) => d.details.flatMap((r) => r.budgets.map((b) => b.best_feasible.accuracy - b.pareto_fitness.accuracy));
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const withPrior = gaps(JSON.parse(fs.readFileSync(paretoFile, 'utf8')));
  const without = gaps(JSON.parse(fs.readFileSync(path.join(root, 'study/results/pareto_p12g6-none.json'), 'utf8')));
  lines.push('', `Pareto mode (18 runs × 9 budgets, 12 × 6, each budget answered by the fitness): ${mean(withPrior).toFixed(2)} points below the best feasible cell with the prior in the answers only, ${mean(without).toFixed(2)} without (the committed run); within 1.5 points in ${withPrior.filter((g) => g <= 1.5).length} of ${withPrior.length} answers against ${without.filter((g) => g <= 1.5).length}.`);
  const rankedFile = path.join(dir, 'pareto_p12g6-none_prior0.2_ranked.json');
  if (fs.existsSync(rankedFile)) {
    const ranked = gaps(JSON.parse(fs.readFileSync(rankedFile, 'utf8')));
    lines.push('', `With NSGA-II also ranking by RMI + 0.2·complexity (the default since): ${mean(ranked).toFixed(2)} points, within 1.5 in ${ranked.filter((g) => g <= 1.5).length} of ${ranked.length}.`);
  }
}
// NASWOT (Mellor et al.) on the untrained proxy, `study --steps 0 --zero-cost FILE` on each sample
// and batch: alone, and added by its rank within the sample (0..1) to RMI + 0.2·complexity.
const rankShare = (xs) => {
  const order = xs.map((x, i) => [x, i]).sort((p, q) => p[0] - q[0]);
  const r = new Array(xs.length);
  order.forEach(([, i], k) => (r[i] = k / (xs.length - 1)));
  return r;
};
const naswotRows = [];
for (const [k, s] of samples.entries()) {
  for (const batch of ['cifar10', 'cifar10-and-100']) {
    const file = path.join(dir, `naswot_${batch}_seed${k}.csv`);
    if (!fs.existsSync(file)) continue;
    const nw = new Map(readCsv(file).map((r) => [r.index, r.naswot]));
    const acc = s.scores.map((r) => cifar10(r.index));
    const n = s.scores.map((r) => nw.get(r.index));
    const base = s.scores.map((r) => r.rmi_k20 + 0.2 * s.complexity.get(r.index));
    const rn = rankShare(n);
    const cells = [f3(kendallTau(n, acc)), `${f3(kendallTau(base, acc))} / ${f3(topTau(base, acc).tau)}`];
    for (const v of [0.05, 0.1, 0.2]) {
      const score = base.map((x, i) => x + v * rn[i]);
      cells.push(`${f3(kendallTau(score, acc))} / ${f3(topTau(score, acc).tau)}`);
    }
    naswotRows.push(`| ${s.name}, ${batch} | ${cells.join(' | ')} |`);
  }
}
if (naswotRows.length) {
  lines.push('', '| NASWOT on the proxy | NASWOT alone: 500-cell τ | RMI + 0.2·complexity: τ / top-60 τ | + 0.05·rank(NASWOT) | + 0.1·rank | + 0.2·rank |',
    '| --- | --- | --- | --- | --- | --- |', ...naswotRows);
}
const table = lines.join('\n');
console.log(table);
if (process.argv.includes('--fidelity')) {
  const file = path.join(root, 'FIDELITY.md');
  const text = fs.readFileSync(file, 'utf8');
  const updated = text.replace(/<!-- prior -->[\s\S]*?<!-- \/prior -->/, `<!-- prior -->\n${table}\n<!-- /prior -->`);
  if (updated === text && !text.includes(table)) throw new Error('FIDELITY.md has no <!-- prior --> markers');
  fs.writeFileSync(file, updated);
}
