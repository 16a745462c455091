// Export of a search's results as files: JSON (the library's ranked candidates, front and history,
// with the settings), and CSV, written by the library (engine.js csv()) as the CLI writes it.
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

/** The CSV the library writes, as the CLI's `pareto --csv` (the front) or `search --csv`. */
export function exportCsv() {
  const p = page.lastProgress;
  const csv = page.explorer?.csv();
  if (!p || csv == null) return;
  download(paretoRun(p) ? 'evrsnas-front.csv' : 'evrsnas-results.csv', csv, 'text/csv');
}
