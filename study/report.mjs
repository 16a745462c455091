// Turns the fidelity study's results (study/results/*.json, written by `cargo make study`) into the
// tables of FIDELITY.md (between its <!-- tables --> markers) and the plot study/fidelity.svg.
import fs from 'node:fs';
import path from 'node:path';
import { kendallTau } from './stats.mjs';

const root = path.resolve(import.meta.dirname, '..');
const dir = path.join(root, 'study/results');
// Results measured with an earlier reference model are kept in a subfolder named after it; a sweep
// missing from results/ is taken from there, and is compared with that folder's default run.
const archives = fs.existsSync(dir)
  ? fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name)).sort()
  : [];
const loadFrom = (folder, name) => {
  const file = path.join(folder, name);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null;
};
const load = (name) => loadFrom(dir, name);
const locate = (name) => [dir, ...archives].find((folder) => fs.existsSync(path.join(folder, name))) ?? null;

// Rank-correlation sweeps: one file per configuration, one row per K. k_sweep.json is the default
// configuration; each label is made from what its file says it measured.
const batchText = (d) =>
  ({ 'cifar10-and-100': '40 foolbox images (20 CIFAR-10 + 20 CIFAR-100)', cifar10: '20 foolbox CIFAR-10 images' })[d.batch] ??
  `${d.batch} (RMI-NAS style, comparison only)`;
const describe = (d, what = '') =>
  `C = ${d.proxy.nb201.channels}, N = ${d.proxy.nb201.cells}, ${batchText(d)}${d.beta === 0.8 ? '' : `, β = ${d.beta}${d.beta === 1 ? ' (CKA only)' : ''}`}${what}`;
const sweeps = [
  ['k_sweep.json', ' (default)'],
  ['k_sweep_long.json', ', long K'],
  ['width_c16.json'],
  ['depth_n2.json'],
  ['batch_cifar10.json'],
  ['batch_cifar10_and_100.json'],
  ['batch_train32.json'],
  ['beta_1.0.json'],
  ['beta_0.5.json'],
].map(([file, what]) => ({ file, what, folder: locate(file) }))
  .filter((s) => s.folder)
  .map((s) => {
    const data = loadFrom(s.folder, s.file);
    return { ...s, data, label: describe(data, s.what) };
  });
// Sweeps taken from an archive are listed after that archive's own default run, their baseline.
for (const folder of archives) {
  const at = sweeps.findIndex((s) => s.folder === folder);
  const main = loadFrom(folder, 'k_sweep.json');
  if (at >= 0 && main) {
    const label = describe(main, ` (default), with the earlier reference (${path.basename(folder)})`);
    sweeps.splice(at, 0, { file: 'k_sweep.json', label, folder, data: main });
  }
}

// The default configuration's per-cell scores (k_sweep_scores.csv, in sampling order) and the true
// CIFAR-10 accuracies, so that a sweep over fewer cells can be compared with the default on the
// same cells (a paired comparison).
const truthFile = path.join(root, '../shared/data/nb201_accuracies_nats_bench.csv');
const pairedTau = (folder, k, n) => {
  const scoresFile = path.join(folder, 'k_sweep_scores.csv');
  if (!fs.existsSync(scoresFile) || !fs.existsSync(truthFile)) return null;
  const [head, ...lines] = fs.readFileSync(scoresFile, 'utf8').trim().split('\n');
  const cols = head.split(',');
  const rows = lines.map((l) => l.split(',').map(Number));
  const acc = fs.readFileSync(truthFile, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[0]));
  const c = cols.indexOf(`rmi_k${k}`);
  if (c < 0 || n > rows.length) return null;
  const sample = rows.slice(0, n);
  return kendallTau(sample.map((r) => r[c]), sample.map((r) => acc[r[0]]));
};

const ci = (e) => `${e.value.toFixed(3)} [${e.low.toFixed(2)}, ${e.high.toFixed(2)}]`;
let md = '';
for (const s of sweeps) {
  const d = s.data;
  md += `\n**${s.label}** — ${d.samples} cells (seed ${d.seed}), β = ${d.beta}, batch ${d.batch_size}, reference ResNet-${d.reference.depth} (weights ${d.reference.sha256.slice(0, 12)})\n\n`;
  md += '| K | s / candidate | τ CIFAR-10 | τ CIFAR-100 | τ ImageNet16-120 | ρ CIFAR-10 | τ CIFAR-10 of the default, same cells |\n|---|---|---|---|---|---|---|\n';
  for (const r of d.results) {
    const paired = s.file === 'k_sweep.json' ? null : pairedTau(s.folder, r.steps, d.samples);
    md += `| ${r.steps} | ${r.seconds_per_candidate.toFixed(2)} | ${ci(r.cifar10.kendall_tau)} | ${ci(r.cifar100.kendall_tau)} | ${ci(r.imagenet16.kendall_tau)} | ${ci(r.cifar10.spearman_rho)} | ${paired == null ? '–' : paired.toFixed(3)} |\n`;
  }
}

// Constrained search: one file per evolution seed (search_seed<N>.json), merged here; from an
// archive when results/ has none yet.
const seedFilesIn = (folder) => fs.readdirSync(folder).filter((f) => /^search_seed\d+\.json$/.test(f)).sort();
const searchFolder = fs.existsSync(dir) ? [dir, ...archives].find((f) => seedFilesIn(f).length) : undefined;
const parts = searchFolder ? seedFilesIn(searchFolder).map((f) => loadFrom(searchFolder, f)) : [];
if (parts.length) {
  const details = parts.flatMap((p) => p.details);
  const mean = (v) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
  const acc = (r, who) => r[who]?.accuracy ?? null;
  const gaps = (who) => details.filter((r) => acc(r, who) != null).map((r) => r.best_feasible.accuracy - acc(r, who));
  const [evo, rnd] = [gaps('evolution'), gaps('random')];
  const [evoSingle, rndSingle] = [gaps('evolution_single'), gaps('random_single')];
  const ahead = details.filter((r) => (acc(r, 'evolution') ?? -Infinity) > (acc(r, 'random') ?? -Infinity)).length;
  const level = details.filter((r) => acc(r, 'evolution') === acc(r, 'random')).length;
  const p0 = parts[0];
  const trained = parts.reduce((a, p) => a + (p.trainings ?? p.cells_trained), 0);
  const minutes = parts.reduce((a, p) => a + p.seconds, 0) / 60;
  const earlier = searchFolder === dir ? '' : `, with the earlier reference (${path.basename(searchFolder)})`;
  md += `\n**Constrained search${earlier}** — population ${p0.population} × ${p0.generations} generations, K = ${p0.steps}, ` +
    `${p0.finalists ?? 0} finalists × ${p0.replicates ?? 1} initialisations, ` +
    `seeds ${parts.flatMap((p) => p.seeds).join(', ')}, reference ResNet-${p0.reference.depth} (weights ${p0.reference.sha256.slice(0, 12)}); ` +
    `${trained} trainings in ${minutes.toFixed(0)} min. "Single" columns: the same run's pick by the first initialisation's scores alone (no confirmation round).\n\n`;
  md += '| device | percentile | threshold (ms) | best feasible (%) | evolution (%) | evolution latency (ms) | evolution, single (%) | random (%) | random latency (ms) | random, single (%) | trainings |\n|---|---|---|---|---|---|---|---|---|---|---|\n';
  const groups = new Map();
  for (const r of details) {
    const key = `${r.device} ${r.percentile}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r);
  }
  for (const rows of groups.values()) {
    const r0 = rows[0];
    const col = (who) => {
      const v = rows.map((r) => acc(r, who)).filter((a) => a != null);
      const none = rows.length - v.length;
      return (v.length ? mean(v).toFixed(2) : '–') + (none ? ` (${none} of ${rows.length} found nothing feasible)` : '');
    };
    // The found cells' latency (mean over the seeds), to read against the threshold.
    const cost = (who) => {
      const v = rows.map((r) => r[who]?.cost).filter((c) => c != null);
      return v.length ? mean(v).toFixed(3) : '–';
    };
    md += `| ${r0.device} | ${r0.percentile} | ${r0.threshold.toFixed(3)} | ${mean(rows.map((r) => r.best_feasible.accuracy)).toFixed(2)} | ` +
      `${col('evolution')} | ${cost('evolution')} | ${col('evolution_single')} | ${col('random')} | ${cost('random')} | ${col('random_single')} | ${mean(rows.map((r) => r.trials ?? r.evaluations)).toFixed(0)} |\n`;
  }
  md += `\nMean gap to the best feasible cell (CIFAR-10 test accuracy, points): evolution **${mean(evo).toFixed(2)}** ` +
    `(${evo.length} of ${details.length} runs found a feasible cell), random search **${mean(rnd).toFixed(2)}** ` +
    `(${rnd.length} of ${details.length}); evolution ahead of random in ${ahead} of ${details.length} runs, level in ${level}. ` +
    `Without the confirmation round: evolution ${mean(evoSingle).toFixed(2)}, random ${mean(rndSingle).toFixed(2)}.\n`;
}

// The mean of runs' gaps with a seeded bootstrap interval (95 %, percentile, resampling runs).
const meanOf = (v) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
const intervalOf = (v) => {
  let seed = 1;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const means = Array.from({ length: 2000 }, () => meanOf(v.map(() => v[Math.floor(random() * v.length)]))).sort((a, b) => a - b);
  return [means[50], means[1949]];
};
const meanCi = (v) => {
  if (!v.length) return '–';
  const [lo, hi] = intervalOf(v);
  return `${meanOf(v).toFixed(2)} [${lo.toFixed(2)}, ${hi.toFixed(2)}]`;
};

// Constrained search by configuration: search_<config>_seed<N>.json (or _seed<N>-<M> for several
// seeds in one file), each configuration run on the
// same devices, budgets and seeds, so their picks compare run by run (a paired comparison).
const configFiles = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /^search_.+_seed[\d-]+\.json$/.test(f)).sort() : [];
const configs = new Map();
for (const f of configFiles) {
  const name = f.match(/^search_(.+)_seed[\d-]+\.json$/)[1];
  if (!configs.has(name)) configs.set(name, []);
  configs.get(name).push(loadFrom(dir, f));
}
if (configs.size) {
  const [mean, ci] = [meanOf, meanCi];
  const key = (r) => `${r.device} ${r.percentile} ${r.seed}`;
  const acc = (r, who) => r[who]?.accuracy ?? null;
  // Runs where a strategy found nothing feasible are left out of its gaps (and of the pairs that
  // need it), and counted.
  const gap = (r, who) => (acc(r, who) == null ? null : r.best_feasible.accuracy - acc(r, who));
  const pairs = (xs, ys) => xs.map((x, i) => (x == null || ys[i] == null ? null : x - ys[i])).filter((d) => d != null);
  const found = (v) => v.filter((g) => g != null);
  const describeConfig = (p) => `${p.population} × ${p.generations}, K = ${p.steps}, batch ${p.batch}, ${p.finalists} finalists × ${p.replicates}` +
    (p.screen ? `, screen K = ${p.screen.steps} keeping ${p.screen.keep}` : '');
  md += '\n**Constrained search by configuration** (same devices, budgets and seeds for each; gaps in points of CIFAR-10 accuracy below the best feasible cell, mean with a paired 95 % bootstrap interval over runs)\n\n';
  md += '| configuration | runs | evolution gap | random gap | evolution − random (negative: evolution closer) | nothing feasible (evolution / random) | trainings per run | minutes |\n|---|---|---|---|---|---|---|---|\n';
  const runsOf = (parts) => new Map(parts.flatMap((p) => p.details).map((r) => [key(r), r]));
  for (const [name, parts] of configs) {
    const runs = [...runsOf(parts).values()];
    const evo = runs.map((r) => gap(r, 'evolution'));
    const rnd = runs.map((r) => gap(r, 'random'));
    const minutes = parts.reduce((a, p) => a + p.seconds, 0) / 60;
    md += `| ${name}: ${describeConfig(parts[0])} | ${runs.length} | ${ci(found(evo))} | ${ci(found(rnd))} | ${ci(pairs(evo, rnd))} | ` +
      `${runs.length - found(evo).length} / ${runs.length - found(rnd).length} | ${mean(runs.map((r) => r.trials)).toFixed(0)} | ${minutes.toFixed(0)} |\n`;
  }
  // Every pair of configurations over the runs both have: is one closer to the best cell?
  const names = [...configs.keys()];
  for (const [i, a] of names.entries()) {
    for (const b of names.slice(i + 1)) {
      const [ra, rb] = [runsOf(configs.get(a)), runsOf(configs.get(b))];
      const shared = [...ra.keys()].filter((k) => rb.has(k));
      const diff = pairs(shared.map((k) => gap(ra.get(k), 'evolution')), shared.map((k) => gap(rb.get(k), 'evolution')));
      if (diff.length) md += `\n${a} − ${b}, evolution's gap, paired over ${diff.length} runs: ${ci(diff)} points (negative: ${a} closer to the best cell).\n`;
    }
  }
}

// The Pareto study: pareto_<variant>.json (one Pareto search per device and seed, its answers at
// nine budgets, random cells beside it) and pareto_constrained_seed<N>.json (one constrained search
// per budget). Runs pair by device, seed and budget.
const paretoFiles = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /^pareto_.+\.json$/.test(f) && fs.statSync(path.join(dir, f)).size > 0).sort() : [];
if (paretoFiles.length) {
  const [mean, ci] = [meanOf, meanCi];
  // Every (device, seed, budget) answer of one strategy in a file: key → gap in points.
  const gaps = (file, who) => new Map(file.details.flatMap((r) => r.budgets
    .filter((b) => b[who])
    .map((b) => [`${r.device} ${r.seed} ${b.percentile}`, b.best_feasible.accuracy - b[who].accuracy])));
  const paired = (a, b) => [...a.keys()].filter((k) => b.has(k)).map((k) => a.get(k) - b.get(k));
  const files = new Map(paretoFiles.map((f) => [f.replace(/^pareto_|\.json$/g, ''), loadFrom(dir, f)]));
  const constrainedParts = [...files].filter(([n]) => n.startsWith('constrained_seed')).map(([, d]) => d);
  const constrained = new Map(constrainedParts.flatMap((d) => [...gaps(d, 'constrained')]));
  const constrainedTrials = mean(constrainedParts.flatMap((d) => d.details.flatMap((r) => r.budgets.map((b) => b.constrained_trials))));
  md += '\n**Pareto mode** (NB201, six devices; answers at the 10th…90th percentile of each device\'s costs; gaps in points of CIFAR-10 accuracy below the best feasible cell, mean over device × seed × budget with a 95 % bootstrap interval)\n\n';
  md += '| variant | runs | trainings per run | hypervolume / true front\'s | gap: the answer (confirmed first, by fitness) | gap: the front\'s best by RMI | answer − random cells (paired) | answer − constrained per budget (paired) |\n|---|---|---|---|---|---|---|---|\n';
  const randomOf = [...files.values()].find((d) => d.strategies.includes('random'));
  const random = randomOf ? gaps(randomOf, 'random_fitness') : new Map();
  for (const [name, d] of files) {
    if (!d.strategies.includes('pareto')) continue;
    const answer = gaps(d, 'pareto_fitness');
    const c = d.pareto;
    // The coverage: as the report states it (the configuration leaves out its default, which
    // changed once), else as the file is named.
    const cover = d.coverage ?? c.coverage ?? name.split('-')[1];
    md += `| ${name}: ${c.population} × ${c.generations}, coverage ${cover} | ${d.details.length} | ${mean(d.details.map((r) => r.pareto_trials)).toFixed(0)} | ` +
      `${ci(d.details.map((r) => r.hypervolume_fraction))} | ${ci([...answer.values()])} | ${ci([...gaps(d, 'pareto').values()])} | ${ci(paired(answer, random))} | ${ci(paired(answer, constrained))} |\n`;
  }
  // Pairs of variants over the answers (and runs) both have.
  const variants = [...files].filter(([, d]) => d.strategies.includes('pareto'));
  const runKey = (r) => `${r.device} ${r.seed}`;
  for (const [i, [a, da]] of variants.entries()) {
    for (const [b, db] of variants.slice(i + 1)) {
      const diff = paired(gaps(da, 'pareto_fitness'), gaps(db, 'pareto_fitness'));
      const hv = new Map(db.details.map((r) => [runKey(r), r.hypervolume_fraction]));
      const hvDiff = da.details.filter((r) => hv.has(runKey(r))).map((r) => r.hypervolume_fraction - hv.get(runKey(r)));
      if (diff.length) md += `\n${a} − ${b}, paired: answer gap ${ci(diff)} points over ${diff.length} budgets (negative: ${a} closer), hypervolume fraction ${ci(hvDiff)} over ${hvDiff.length} runs.\n`;
    }
  }
  if (randomOf) {
    md += `\nRandom cells (${randomOf.details[0].random_cells} per run, one constrained search's planned trainings, each trained once), answered the same way: gap ${ci([...random.values()])}; by the best RMI on their own front: ${ci([...gaps(randomOf, 'random').values()])}.\n`;
  }
  if (constrained.size) {
    md += `\nOne constrained search per budget (the defaults, ${constrainedTrials.toFixed(0)} trainings each, nine per device and seed: ${(9 * constrainedTrials).toFixed(0)} trainings for the nine answers): gap ${ci([...constrained.values()])} over ${constrained.size} budgets.\n`;
  }
}

// The page's note under "Steps K": for each RMI batch the page offers, the τ of the default proxy
// measured with it at each K (the default batch's 500-cell table, the other's batch sweep).
const main = load('k_sweep.json');
if (main) {
  const measured = (d) => ({
    samples: d.samples,
    reference: d.reference,
    k_sweep: d.results.map((r) => ({
      steps: r.steps,
      kendall_tau: r.cifar10.kendall_tau.value,
      low: r.cifar10.kendall_tau.low,
      high: r.cifar10.kendall_tau.high,
      seconds_per_candidate_native: r.seconds_per_candidate,
      // RMI + w·complexity, the fitness's ranking before the penalty (studies since issue 26).
      ...(r.with_prior ? { with_prior: {
        prior: r.with_prior.prior,
        kendall_tau: r.with_prior.cifar10.kendall_tau.value,
        low: r.with_prior.cifar10.kendall_tau.low,
        high: r.with_prior.cifar10.kendall_tau.high,
      } } : {}),
    })),
  });
  const batches = { [main.batch]: measured(main) };
  for (const s of sweeps) {
    const d = s.data;
    const sameProxy = ['channels', 'cells'].every((k) => d.proxy.nb201[k] === main.proxy.nb201[k]) && d.beta === main.beta;
    if (['cifar10', 'cifar10-and-100'].includes(d.batch) && !(d.batch in batches) && sameProxy) batches[d.batch] = measured(d);
  }
  const fidelity = {
    source: 'evrsnas study (cargo make study); see FIDELITY.md',
    proxy: main.proxy.nb201,
    beta: main.beta,
    default_batch: main.batch,
    batches,
  };
  fs.writeFileSync(path.join(root, 'static/fidelity.json'), JSON.stringify(fidelity, null, 1) + '\n');
}

const file = path.join(root, 'FIDELITY.md');
const doc = fs.readFileSync(file, 'utf8');
const [begin, end] = ['<!-- tables:begin -->', '<!-- tables:end -->'];
if (!doc.includes(begin) || !doc.includes(end)) throw new Error('FIDELITY.md lacks the tables markers');
fs.writeFileSync(file, doc.slice(0, doc.indexOf(begin) + begin.length) + '\n' + md + '\n' + doc.slice(doc.indexOf(end)));

// Plot: Kendall τ on CIFAR-10 against seconds per candidate (log scale), one line per sweep.
const W = 720, H = 420, L = 60, R = 250, T = 20, B = 50;
const pts = sweeps.flatMap((s) => s.data.results.map((r) => r.seconds_per_candidate));
const xmin = Math.log10(Math.max(0.01, Math.min(...pts) * 0.8)), xmax = Math.log10(Math.max(...pts) * 1.2);
const taus = sweeps.flatMap((s) => s.data.results.flatMap((r) => [r.cifar10.kendall_tau.low, r.cifar10.kendall_tau.high]));
const ymin = Math.min(0, ...taus), ymax = Math.max(0.8, ...taus);
const X = (t) => L + ((Math.log10(Math.max(t, 0.01)) - xmin) / (xmax - xmin)) * (W - L - R);
const Y = (v) => T + (1 - (v - ymin) / (ymax - ymin)) * (H - T - B);
const colors = ['#2563eb', '#9333ea', '#dc2626', '#ea580c', '#16a34a', '#0891b2', '#a16207', '#db2777'];
let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">\n`;
svg += `<rect width="${W}" height="${H}" fill="white"/>\n`;
for (let v = Math.ceil(ymin * 10) / 10; v <= ymax + 1e-9; v += 0.1) {
  svg += `<line x1="${L}" x2="${W - R}" y1="${Y(v)}" y2="${Y(v)}" stroke="#e5e7eb"/><text x="${L - 6}" y="${Y(v) + 4}" text-anchor="end">${v.toFixed(1)}</text>\n`;
}
for (let e = Math.floor(xmin); e <= Math.ceil(xmax); e++) {
  for (const m of [1, 2, 5]) {
    const t = m * 10 ** e;
    if (Math.log10(t) < xmin || Math.log10(t) > xmax) continue;
    svg += `<line x1="${X(t)}" x2="${X(t)}" y1="${T}" y2="${H - B}" stroke="#f3f4f6"/><text x="${X(t)}" y="${H - B + 16}" text-anchor="middle">${t}</text>\n`;
  }
}
svg += `<text x="${(L + W - R) / 2}" y="${H - 10}" text-anchor="middle">seconds per candidate (native, one thread, log scale)</text>\n`;
svg += `<text transform="translate(16 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">Kendall τ vs CIFAR-10 accuracy</text>\n`;
sweeps.forEach((s, i) => {
  const c = colors[i % colors.length];
  const rs = s.data.results;
  svg += `<polyline fill="none" stroke="${c}" stroke-width="2" points="${rs.map((r) => `${X(r.seconds_per_candidate)},${Y(r.cifar10.kendall_tau.value)}`).join(' ')}"/>\n`;
  for (const r of rs) {
    const x = X(r.seconds_per_candidate);
    svg += `<line x1="${x}" x2="${x}" y1="${Y(r.cifar10.kendall_tau.low)}" y2="${Y(r.cifar10.kendall_tau.high)}" stroke="${c}" opacity="0.5"/>`;
    svg += `<circle cx="${x}" cy="${Y(r.cifar10.kendall_tau.value)}" r="3.5" fill="${c}"/><text x="${x + 5}" y="${Y(r.cifar10.kendall_tau.value) - 5}" font-size="10" fill="${c}">K=${r.steps}</text>\n`;
  }
  svg += `<rect x="${W - R + 12}" y="${T + 6 + i * 34}" width="12" height="12" fill="${c}"/>`;
  const words = s.label.split(', ');
  svg += `<text x="${W - R + 30}" y="${T + 16 + i * 34}" font-size="11">${words.slice(0, 2).join(', ')}</text>`;
  svg += `<text x="${W - R + 30}" y="${T + 29 + i * 34}" font-size="11">${words.slice(2).join(', ')}</text>\n`;
});
svg += '</svg>\n';
fs.writeFileSync(path.join(root, 'study/fidelity.svg'), svg);
console.error('wrote FIDELITY.md tables and study/fidelity.svg');
