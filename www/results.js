// The live views of a search: the scatter (with the whole space and the front), the true-accuracy
// view of the Pareto mode, fitness per generation, the best architecture and the top table.
import { drawArch } from './arch-view.js';
import { lines, scatter, truthFront } from './charts.js';
import { $, deviceInfo, fmt, notice, page, row } from './page.js';
import { select, showInspection } from './inspection.js';
import { screeningWord } from './notes.js';

/** Whether the search `p` reports on ran in the Pareto mode (the settings may have moved on). */
export function paretoRun(p) {
  return p.settings.mode === 'pareto';
}

/**
 * The charts before any search: axes over the device's cost range and the budget line, so that
 * the budget means something before Run (and the first draw, which costs the most, is not paid
 * during a search).
 */
export function drawIdleViews() {
  const d = deviceInfo();
  if (!d) return;
  scatter($('scatter'), { points: [], threshold: page.settings.threshold, best: null, unit: d.unit, range: [d.min, d.max], landscape: landscape() });
  lines($('history'), []);
  $('truth-figure').hidden = true;
}

/** The whole space on the chosen device, for the scatter (null when toggled off). */
export function landscape() {
  if (!$('show-landscape').checked) return null;
  try {
    return page.explorer.landscape(page.settings.space, page.settings.device, page.settings.metric);
  } catch (e) {
    notice(String(e.message ?? e));
    return null;
  }
}

/** The Pareto mode's second view: the found front's cells by their true accuracy (NB201). */
export function drawTruthFront(p, best, unit, d) {
  const show = paretoRun(p) && p.trueFront != null;
  $('truth-figure').hidden = !show;
  if (!show) return;
  const found = p.front.filter((m) => m.truth).map((m) => ({ cost: m.cost, accuracy: m.truth[0] }));
  const table = $('show-true-front').checked ? p.trueFront.map((c) => ({ cost: c.cost, accuracy: c.cifar10 })) : null;
  const pick = best?.truth ? { cost: best.cost, accuracy: best.truth[0] } : null;
  truthFront($('truth-front'), { found, table, threshold: page.settings.threshold, pick, unit, range: d ? [d.min, d.max] : null });
}

export function render(p) {
  page.lastProgress = p;
  const unit = deviceInfo()?.unit ?? '';
  $('progress').value = p.fraction;
  const rate = p.perSecond > 0 ? `${p.perSecond.toFixed(2)} trainings/s` : '';
  const left = page.explorer.state === 'running' && p.secondsLeft > 0 ? `, about ${Math.ceil(p.secondsLeft)} s left` : '';
  const phase = p.confirming
    ? (paretoRun(p) ? 'confirming the front' : 'confirming the finalists')
    : `generation ${Math.min(p.generation + (page.explorer.state === 'done' ? 0 : 1), p.generations)}/${p.generations}`;
  const extra = (p.trials > p.evaluations ? ` (${p.trials} trainings)` : '') + (p.screenings ? ` · ${p.screenings} ${screeningWord(p.screenSteps, false)}` : '');
  const workers = p.compute?.running === 'gpu'
    ? ' · on WebGPU'
    : ` · ${p.workers} worker${p.workers === 1 ? '' : 's'}` + (p.restarts ? ` (${p.restarts} restarted)` : '');
  $('progress-text').textContent = `${phase} · ${p.evaluations} architectures trained${extra} · ${rate}${left}${workers}`;
  const front = paretoRun(p) ? p.front : null;
  // In the Pareto mode the answer for the budget: the library's first candidate within it.
  const best = front ? p.ranked.find((c) => c.feasible) ?? p.ranked[0] : p.ranked[0];
  const d = deviceInfo();
  page.scatterHit = scatter($('scatter'), { points: p.ranked, threshold: page.settings.threshold, best, unit, range: d ? [d.min, d.max] : null, front, landscape: landscape() });
  drawTruthFront(p, best?.feasible ? best : null, unit, d);
  lines($('history'), p.history);
  $('best-arch').textContent = best ? best.arch : '';
  drawArch($('best-view'), page.settings.space, best?.arch, best && page.library.archLayout(page.settings.space, best.arch));
  const picked = front ? (best?.feasible ? `The answer for ${page.settings.threshold} ${unit}${front.some((m) => m.arch === best.arch) ? ', on the front' : ''} · ` : `Nothing trained is within ${page.settings.threshold} ${unit} · `) : '';
  $('best-facts').textContent = best
    ? picked + `RMI ${fmt(best.rmi)}${best.replicates > 1 ? ` (mean of ${best.replicates} initialisations)` : ''} · ${page.settings.metric} ${fmt(best.cost)} ${unit} (${best.measured ? 'measured' : 'estimated'}) · fitness ${fmt(best.fitness)} · ${best.feasible ? 'within budget' : 'over budget'}` +
      (best.truth ? ` · true accuracy CIFAR-10 ${fmt(best.truth[0], 2)}%` : '')
    : '';
  renderTable(p, unit);
  showInspection();
}

export function renderTable(p, unit) {
  const nb = page.settings.space === 'nb201';
  const onFront = paretoRun(p) ? new Set(p.front.map((m) => m.arch)) : null;
  const head = ['#', 'architecture', `${page.settings.metric} (${unit})`, `RMI (K = ${p.settings.steps})`, onFront ? 'on the front' : 'fitness'].concat(nb ? ['CIFAR-10', 'CIFAR-100', 'ImageNet16-120'] : []);
  $('top').tHead.replaceChildren(row(head.map((h) => Object.assign(document.createElement('th'), { textContent: h }))));
  const rows = p.ranked.slice(0, 10).map((c, i) => {
    const rmi = c.replicates > 1 ? `${fmt(c.rmi)} ×${c.replicates}` : fmt(c.rmi);
    const cells = [String(i + 1), c.arch, `${fmt(c.cost)}${c.measured ? '' : ' (est.)'}`, rmi, onFront ? (onFront.has(c.arch) ? '✓' : '') : fmt(c.fitness)];
    if (nb) cells.push(...(c.truth ?? []).map((a) => `${fmt(a, 2)}%`));
    const tr = row(cells.map((t, j) => Object.assign(document.createElement('td'), { textContent: t, className: j === 1 ? 'arch' : j === 2 && !c.measured ? 'est' : '' })));
    if (!c.feasible) tr.className = 'over';
    // A row opens the candidate in the teaching panel, by mouse or keyboard.
    tr.dataset.arch = c.arch;
    tr.tabIndex = 0;
    tr.setAttribute('aria-label', `inspect candidate ${i + 1}`);
    tr.addEventListener('click', () => select(c.arch));
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        select(c.arch);
      }
    });
    return tr;
  });
  $('top').tBodies[0].replaceChildren(...rows);
  const bf = p.bestFeasible;
  $('truth-note').textContent = nb && bf
    ? `Best true CIFAR-10 accuracy of any NAS-Bench-201 cell within ${page.settings.threshold} ${unit} on ${page.settings.device}: ${fmt(bf.cifar10, 2)}% (index ${bf.index}).`
    : nb ? '' : 'FBNet has no ground-truth accuracies here.';
}
