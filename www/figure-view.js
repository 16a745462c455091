// What an <evrsnas-explorer> figure shows, inside its shadow root: a bar (Run, Pause, the budget,
// the status), the chosen view (`scatter`, `front`, `inspect`, `table` or `full`) and the answer's
// architecture with its drawing. Everything is drawn from the explorer's progress reports by the
// page's own charts; nothing here knows of the search.
import { drawArch } from './arch-view.js';
import { scatter, truthFront } from './charts.js';
import { fitnessSum, priorSentence } from './inspector.js';

export const VIEWS = ['scatter', 'front', 'inspect', 'table', 'full'];

const fmt = (v, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '–');

function el(tag, props = {}, ...children) {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

/** The figure's skeleton in `root`; returns its parts by name. */
export function buildFigure(root, id) {
  const p = {};
  p.run = el('button', { className: 'run', textContent: 'Run', disabled: true });
  p.pause = el('button', { className: 'pause', textContent: 'Pause', disabled: true });
  p.reset = el('button', { className: 'reset', textContent: 'Reset', disabled: true });
  p.budget = el('input', { type: 'range', id: `${id}-budget`, disabled: true });
  p.budgetOut = el('output', { htmlFor: `${id}-budget` });
  const budgetLabel = el('label', { className: 'budget', htmlFor: `${id}-budget` }, 'Budget', p.budget, p.budgetOut);
  p.status = el('span', { className: 'status', textContent: 'scroll here to load the explorer' });
  p.status.setAttribute('aria-live', 'polite');
  p.progress = el('progress', { max: 1, value: 0 });
  p.progress.setAttribute('aria-label', 'search progress');
  p.message = el('p', { className: 'message' });
  p.message.setAttribute('role', 'alert');
  p.scatter = el('canvas', { className: 'scatter' });
  p.scatter.setAttribute('role', 'img');
  p.scatter.setAttribute('aria-label', 'every trained candidate: cost against RMI, with the budget line and the answer ringed');
  p.scatterFigure = el('figure', { className: 'plot scatter-plot' }, el('figcaption', { textContent: 'Every candidate: cost against RMI (shaded: within budget; ring: the answer)' }), p.scatter);
  p.front = el('canvas', { className: 'front' });
  p.front.setAttribute('role', 'img');
  p.front.setAttribute('aria-label', 'true CIFAR-10 accuracy against cost: the found front and the table\'s front');
  p.frontFigure = el('figure', { className: 'plot front-plot' }, el('figcaption', { textContent: 'The found front by true accuracy (line: the whole table\'s front; ring: the answer)' }), p.front);
  p.drawing = el('div', { className: 'drawing' });
  p.arch = el('code');
  p.facts = el('p', { className: 'facts' });
  p.answer = el('div', { className: 'answer' }, el('h3', { textContent: 'The answer' }), p.drawing, p.arch, p.facts);
  p.answer.setAttribute('aria-live', 'polite');
  p.explain = el('p', { className: 'explain' });
  p.table = el('table');
  p.tableBox = el('div', { className: 'table' }, p.table);
  p.views = el('div', { className: 'views' }, p.scatterFigure, p.frontFigure, p.answer, p.explain, p.tableBox);
  // The same search in the full explorer (the element sets the link from its settings).
  p.open = el('a', { textContent: 'open in the explorer', target: '_blank', rel: 'noopener' });
  const credit = el('span', { className: 'credit' }, 'evrsnas · HW-EvRSNAS in your browser · ', p.open);
  p.figure = el('div', { className: 'figure' }, el('div', { className: 'bar' }, p.run, p.pause, p.reset, budgetLabel, p.status), p.progress, p.message, p.views, credit);
  p.figure.setAttribute('role', 'group');
  p.figure.setAttribute('aria-label', 'hardware-aware architecture search');
  root.append(p.figure);
  return p;
}

/** Shows the parts of `view`; the Pareto front plot only where there is a true front to show. */
export function setView(p, view, hasFront) {
  const show = {
    scatter: view === 'scatter' || view === 'full' || (view === 'front' && !hasFront),
    front: (view === 'front' || view === 'full') && hasFront,
    explain: view === 'inspect' || view === 'full',
    table: view === 'table' || view === 'full',
  };
  p.scatterFigure.hidden = !show.scatter;
  p.frontFigure.hidden = !show.front;
  p.explain.hidden = !show.explain;
  p.tableBox.hidden = !show.table;
  p.figure.dataset.view = view;
}

/** The budget slider over the device's range. */
export function setBudget(p, device, threshold) {
  p.budget.min = device.min;
  p.budget.max = device.max;
  p.budget.step = (device.max - device.min) / 500;
  p.budget.value = threshold;
  p.budgetOut.value = `${fmt(threshold, 2)} ${device.unit}`;
  p.budget.setAttribute('aria-valuetext', `${fmt(threshold, 2)} ${device.unit} on ${device.device}`);
}

/** The answer: in the Pareto mode the library's first candidate within the budget. */
function answerOf(progress) {
  const front = progress.settings.mode === 'pareto' ? progress.front : null;
  return front ? progress.ranked.find((c) => c.feasible) ?? progress.ranked[0] : progress.ranked[0];
}

/**
 * Draws `progress` (Explorer's report; null before a search: the axes and the budget alone) for
 * `settings` on `device` (the cost table's figures); `landscape` is the whole space on it.
 */
export function render(p, { progress, settings, device, landscape, layout, inspect, view }) {
  const hasFront = Boolean(progress?.trueFront) && settings.mode === 'pareto';
  setView(p, view, hasFront);
  const unit = device.unit;
  const range = [device.min, device.max];
  const best = progress ? answerOf(progress) : null;
  const front = progress && settings.mode === 'pareto' ? progress.front : null;
  if (!p.scatterFigure.hidden) {
    p.hit = scatter(p.scatter, { points: progress?.ranked ?? [], threshold: settings.threshold, best, unit, range, front, landscape });
  }
  if (!p.frontFigure.hidden) {
    const found = front.filter((m) => m.truth).map((m) => ({ cost: m.cost, accuracy: m.truth[0] }));
    const table = progress.trueFront.map((c) => ({ cost: c.cost, accuracy: c.cifar10 }));
    const pick = best?.feasible && best.truth ? { cost: best.cost, accuracy: best.truth[0] } : null;
    truthFront(p.front, { found, table, threshold: settings.threshold, pick, unit, range });
  }
  drawArch(p.drawing, settings.space, best?.arch, best && layout(best.arch));
  p.arch.textContent = best?.arch ?? '';
  p.facts.textContent = best ? facts(best, progress, settings, unit) : 'Press Run: the answer appears here.';
  if (!p.explain.hidden) p.explain.textContent = best && inspect ? explanation(inspect(best.arch), settings, unit) : '';
  if (!p.tableBox.hidden) renderTable(p, progress, settings, unit);
}

function facts(best, progress, settings, unit) {
  const bf = progress.bestFeasible;
  const within = best.feasible ? 'within' : 'over';
  return `RMI ${fmt(best.rmi)}${best.replicates > 1 ? ` (mean of ${best.replicates} initialisations)` : ''} · ` +
    `${settings.metric} ${fmt(best.cost, 2)} ${unit}, ${within} the ${fmt(settings.threshold, 2)} ${unit} budget on ${settings.device}` +
    (best.truth ? ` · true CIFAR-10 accuracy ${fmt(best.truth[0], 2)} %` : '') +
    (best.truth && bf ? ` (best cell within the budget: ${fmt(bf.cifar10, 2)} %)` : '');
}

/** The teaching decomposition of the answer's score (SearchSession.inspect's numbers). */
function explanation(info, settings, unit) {
  if (!info) return '';
  const shape = info.penaltyShape === 'hinge' ? 'max(0, cost − T)/T' : '|cost − T|/T';
  const replicas = info.scores.length > 1 ? `the mean of ${info.scores.length} initialisations (${info.scores.map((r) => fmt(r)).join(', ')})` : 'one initialisation';
  return `Each candidate is a fresh network trained ${settings.steps} SGD steps on one batch of images so that its three stages ` +
    `represent them as the trained reference model's do; its RMI is the sum of the three stages' CKA (0 to 3), here ${fmt(info.rmi)}, ${replicas}. ` +
    `${priorSentence(info)} ` +
    `The penalty for its cost is λ·${shape} = ${fmt(info.lambda, 2)} × ${shape.replace('cost', fmt(info.cost)).replaceAll('T', fmt(info.threshold))} = ${fmt(info.penalty)}, ` +
    `so its fitness is ${fitnessSum(info)}. ` +
    `Its ${settings.metric}, ${fmt(info.cost, 2)} ${unit}, is ` +
    `${Math.round((info.cost / info.threshold) * 100)} % of the budget` +
    (info.truth ? `; trained in full it reaches ${fmt(info.truth[0], 2)} % on CIFAR-10, rank ${info.rank.toLocaleString('en')} of ${info.cells.toLocaleString('en')} cells.` : '.');
}

function renderTable(p, progress, settings, unit) {
  const nb = settings.space === 'nb201';
  const head = ['#', 'architecture', `cost (${unit})`, 'RMI', 'fitness'].concat(nb ? ['CIFAR-10'] : []);
  const rows = (progress?.ranked ?? []).slice(0, 8).map((c, i) => {
    const cells = [String(i + 1), c.arch, fmt(c.cost, 2), c.replicates > 1 ? `${fmt(c.rmi)} ×${c.replicates}` : fmt(c.rmi), fmt(c.fitness)];
    if (nb) cells.push(c.truth ? `${fmt(c.truth[0], 2)} %` : '–');
    const tr = el('tr', {}, ...cells.map((t, j) => el('td', { textContent: t, className: j === 1 ? 'arch' : '' })));
    if (!c.feasible) tr.className = 'over';
    return tr;
  });
  p.table.replaceChildren(el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { textContent: h })))), el('tbody', {}, ...rows));
}

/** The status line for a report. */
export function statusText(progress, state) {
  if (!progress) return state;
  const phase = progress.confirming
    ? 'confirming the answer'
    : `generation ${Math.min(progress.generation + (state === 'done' ? 0 : 1), progress.generations)}/${progress.generations}`;
  const left = state === 'running' && progress.secondsLeft > 0 ? ` · about ${Math.ceil(progress.secondsLeft)} s left` : '';
  return state === 'done' ? `done · ${progress.evaluations} architectures trained` : `${phase} · ${progress.evaluations} architectures trained${left}`;
}
