// Export of a search's results as JSON and CSV files.
import { page } from './page.js';
import { paretoRun } from './results.js';

export function download(name, text, type) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.click();
  URL.revokeObjectURL(a.href);
}

export function exportJson() {
  const p = page.lastProgress;
  if (!p) return;
  const front = paretoRun(p) ? { front: p.front } : {};
  download('evrsnas-results.json', JSON.stringify({ settings: page.settings, best: p.ranked[0] ?? null, evaluations: p.evaluations, ...front, history: p.history, candidates: p.ranked }, null, 2), 'application/json');
}

/** The Pareto mode's CSV: the front, cheapest first, in the CLI's columns plus the truth. */
export function frontCsv(front) {
  const head = 'arch,index,rmi,replicates,cost,measured,cifar10,cifar100,imagenet16';
  const body = front.map((m) => [`"${m.arch}"`, m.index ?? '', m.rmi, m.replicates, m.cost, m.measured, ...(m.truth ?? ['', '', ''])].join(','));
  return [head, ...body].join('\n') + '\n';
}

export function exportCsv() {
  const p = page.lastProgress;
  if (!p) return;
  if (paretoRun(p)) return download('evrsnas-front.csv', frontCsv(p.front), 'text/csv');
  const head = 'rank,arch,index,cost,measured,rmi,replicates,fitness,feasible,cifar10,cifar100,imagenet16';
  const body = p.ranked.map((c, i) => [i + 1, `"${c.arch}"`, c.index ?? '', c.cost, c.measured, c.rmi, c.replicates, c.fitness, c.feasible, ...(c.truth ?? ['', '', ''])].join(','));
  download('evrsnas-results.csv', [head, ...body].join('\n') + '\n', 'text/csv');
}
