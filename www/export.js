// Export of a search's results as files, both written by the library as the CLI writes them
// (engine.js results() and csv()): JSON with the settings beside it, and CSV.
import { page } from './page.js';
import { paretoRun } from './results.js';

export function download(name, text, type) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.click();
  URL.revokeObjectURL(a.href);
}

/** The library's results (as the CLI's `search --json` writes them, with every candidate), and the settings. */
export function exportJson() {
  const results = page.explorer?.results();
  if (!page.lastProgress || !results) return;
  download('evrsnas-results.json', JSON.stringify({ settings: page.settings, ...results }, null, 2), 'application/json');
}

/** The CSV the library writes, as the CLI's `pareto --csv` (the front) or `search --csv`. */
export function exportCsv() {
  const p = page.lastProgress;
  const csv = page.explorer?.csv();
  if (!p || csv == null) return;
  download(paretoRun(p) ? 'evrsnas-front.csv' : 'evrsnas-results.csv', csv, 'text/csv');
}
