// What every part of the page shares: its state (the library, the explorer, the settings, the last
// progress report), the element lookup, the message lines, and the few helpers that read the state.
import { settingsDuringSearch, toQuery } from './state.js';

export const $ = (id) => document.getElementById(id);

export const page = {
  library: null, // the schema and the library's parsers (engine.js loadLibrary)
  explorer: null,
  settings: null,
  lastProgress: null,
  assetsFailed: false, // a heavy asset failed to load or verify
  scatterHit: null, // the scatter's hit test: which candidate a click meant
  inspectStep: null, // the training step the panel shows (null: the last)
  lastInspection: null, // what the panel last drew, so that progress reports redraw it only on a change
  curves: new Map(), // training curves fetched for the panel, by candidate and search
};

// Settings the page cannot change during a search.
export const fixedWhileRunning = () => settingsDuringSearch(page.library.schema, 'fixed');
// Generations the Continue button adds.
export const CONTINUE_BY = 2;
// Settings that re-rank a search at once (what-if), without training.
export const reranking = () => settingsDuringSearch(page.library.schema, 'rerank');


export function showError(message) {
  $('error').textContent = message;
}

export function notice(message) {
  $('notice').textContent = message;
}

export function deviceInfo() {
  const info = page.explorer.costs[page.settings.space].info;
  return info.devices.find((d) => d.device === page.settings.device && d.metric === page.settings.metric);
}

export function updateUrl() {
  const q = toQuery(page.settings, page.library.schema);
  history.replaceState(null, '', q ? `?${q}` : location.pathname);
}

export function fmt(v, digits = 3) {
  return Number.isFinite(v) ? v.toFixed(digits) : '–';
}

export function row(cells) {
  const tr = document.createElement('tr');
  tr.append(...cells);
  return tr;
}

/** Whether the next search is in the Pareto mode. */
export function pareto() {
  return page.settings.mode === 'pareto';
}
