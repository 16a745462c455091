// The page: settings <-> URL, controls, and the live views. The search itself runs in workers
// through engine.js; this file only wires the DOM.
import { Explorer, loadLibrary } from './engine.js';
import { defaults, fromQuery, parseValue, properties, toQuery } from './state.js';
import { lines, scatter, truthFront } from './charts.js';
import { drawArch } from './arch-view.js';
import { hideInspection, renderInspection } from './inspector.js';

const $ = (id) => document.getElementById(id);
const app = $('app');
let library = null; // the schema and the library's parsers (engine.js loadLibrary)
let explorer = null;
let settings = null;
let lastProgress = null;
let assetsFailed = false; // a heavy asset failed to load or verify
let scatterHit = null; // the scatter's hit test: which candidate a click meant
let inspectStep = null; // the training step the panel shows (null: the last)
let lastInspection = null; // what the panel last drew, so that progress reports redraw it only on a change
const curves = new Map(); // training curves fetched for the panel, by candidate and search

// Settings the page cannot change during a search.
const FIXED_WHILE_RUNNING = ['space', 'mode', 'device', 'metric', 'population', 'generations', 'steps', 'schedule', 'batch', 'seed', 'compute'];
// Generations the Continue button adds.
const CONTINUE_BY = 2;
// Settings that re-rank a search at once (what-if), without training.
const RERANK = ['threshold', 'lambda', 'penalty'];

/** The controls, one per search setting of the library's schema. */
function buildControls() {
  const fields = library.schema.settings.map((s) => {
    const field = document.createElement('div');
    field.className = 'field';
    const label = Object.assign(document.createElement('label'), { htmlFor: s.name, textContent: s.label });
    field.append(label);
    if (s.kind === 'choice') {
      const select = Object.assign(document.createElement('select'), { id: s.name });
      select.append(...s.choices.map((c) => new Option(c.label, c.value)));
      field.append(select);
    } else {
      const input = Object.assign(document.createElement('input'), { id: s.name, type: 'number', min: s.min, max: s.max });
      input.step = s.kind === 'int' ? '1' : 'any';
      if (s.name === 'threshold') {
        // The budget: a slider over the device's range beside the number.
        field.classList.add('wide');
        label.append(' ', Object.assign(document.createElement('span'), { id: 'unit' }));
        const range = Object.assign(document.createElement('input'), { id: 'threshold-range', type: 'range', step: 'any' });
        range.setAttribute('aria-label', 'Budget slider');
        const pair = document.createElement('div');
        pair.className = 'pair';
        pair.append(range, input);
        field.append(pair, Object.assign(document.createElement('small'), { id: 'range-note' }));
      } else {
        field.append(input);
      }
    }
    return field;
  });
  const note = Object.assign(document.createElement('p'), { id: 'fidelity-note', className: 'field-note' });
  $('controls').replaceChildren(...fields, note);
}

/**
 * What trains the candidates, as the engine found it: WebGPU with the adapter's name, or the CPU
 * pool and, when a GPU was asked for, why it is not used.
 */
function showCompute(c) {
  const note = $('compute-note');
  note.className = c.fallback && c.choice !== 'cpu' ? 'fell-back' : '';
  if (c.running === 'gpu') {
    const a = c.adapter ?? {};
    note.textContent = `Compute: WebGPU on ${a.name || 'an unnamed adapter'}${a.software ? ' (a software adapter: correct, not fast)' : ''}.`;
  } else if (c.choice === 'cpu') {
    note.textContent = 'Compute: the CPU, in workers.';
  } else {
    note.textContent = `Compute: the CPU, in workers. No WebGPU: ${c.fallback ?? 'not available'}.`;
  }
}

/** "untrained screenings", or "screenings of 5 steps". */
function screeningWord(steps, plural = true) {
  const word = plural ? 'screenings' : 'screened';
  return steps ? (plural ? `${word} of ${steps} steps` : `${word} at ${steps} steps`) : (plural ? `untrained ${word}` : `${word} untrained`);
}

/** The planned trainings and their time on this machine, before Run; a refused search says why. */
function showPlan() {
  if (!explorer) return true;
  try {
    const p = explorer.plan(searchSettings());
    const onGpu = settings.compute !== 'cpu' && explorer.compute?.running === 'gpu' && explorer.compute?.choice === settings.compute;
    const workers = onGpu ? 'WebGPU' : `${p.workers} worker${p.workers === 1 ? '' : 's'}`;
    const screens = p.screens ? ` and ${p.screens} ${screeningWord(p.screenSteps)}` : '';
    $('plan').textContent = `Planned: ${p.trainings} trainings (at most ${library.schema.max_trainings})${screens} on ${workers} (wasm ${p.build})` +
      (p.seconds == null ? '; the time is estimated once the first candidates are trained here.' : `, about ${Math.ceil(p.seconds)} s at the speed measured on this machine.`);
    $('plan').className = '';
    return true;
  } catch (e) {
    $('plan').textContent = `This search cannot run: ${e.message ?? e}`;
    $('plan').className = 'refused';
    return false;
  }
}

function setState(state) {
  app.dataset.state = state;
  const has = explorer?.session != null;
  const runnable = state === 'running' || showPlan();
  $('run').disabled = !explorer || assetsFailed || state === 'running' || !runnable;
  $('pause').disabled = state !== 'running';
  $('resume').disabled = state !== 'paused';
  $('step').disabled = assetsFailed || !(state === 'paused' || (state === 'idle' && explorer));
  $('stop').disabled = !(state === 'running' || state === 'paused');
  $('continue').disabled = state !== 'done' || !has;
  $('reset').disabled = state === 'idle';
  for (const id of ['export-json', 'export-csv']) $(id).disabled = !has;
  for (const id of FIXED_WHILE_RUNNING) $(id).disabled = state === 'running' || state === 'paused';
  // The schedule shapes a one-budget search only.
  if (pareto()) $('schedule').disabled = true;
  $('schedule').title = pareto() ? 'The Pareto mode trains every candidate for K steps.' : '';
  $('images').disabled = state === 'running' || state === 'paused';
  $('reference-file').disabled = state === 'running' || state === 'paused';
}

function showError(message) {
  $('error').textContent = message;
}

function notice(message) {
  $('notice').textContent = message;
}

function schemaDefault(name) {
  return defaults(library.schema)[name];
}

function deviceInfo() {
  const info = explorer.costs[settings.space].info;
  return info.devices.find((d) => d.device === settings.device && d.metric === settings.metric);
}

/** Fills the device list for the space and brings device, metric and threshold into range. */
function syncDevices(messages) {
  const info = explorer.costs[settings.space].info;
  const select = $('device');
  const names = [...new Set(info.devices.map((d) => d.device))];
  select.replaceChildren(...names.map((n) => {
    const d = info.devices.find((x) => x.device === n);
    const o = new Option(`${n} — ${d.description}`, n);
    return o;
  }));
  if (!names.includes(settings.device)) {
    const fallback = names.includes(schemaDefault('device')) ? schemaDefault('device') : names[0];
    if (messages) messages.push(`device ${settings.device} has no figures for ${settings.space} (${info.unavailable}); using ${fallback}`);
    settings.device = fallback;
  }
  if (!deviceInfo()) {
    if (messages) messages.push(`no ${settings.metric} figures for ${settings.device}: ${info.unavailable}`);
    settings.metric = schemaDefault('metric');
  }
  const d = deviceInfo();
  if (settings.threshold === null) settings.threshold = d.suggested;
  const range = $('threshold-range');
  range.min = d.min;
  range.max = d.max;
  range.step = (d.max - d.min) / 500;
  $('unit').textContent = `(${d.unit})`;
  $('range-note').textContent = `${d.device}: ${d.min.toFixed(2)}–${d.max.toFixed(2)} ${d.unit} over the space` +
    (d.estimated ? ` (${d.measured} cells measured, the rest estimated)` : '') + `. ${info.unavailable}`;
}

/** What the fidelity study measured for the chosen K (NB201 only: FBNet has no ground truth here). */
function showFidelity() {
  const f = explorer?.fidelity;
  if (!f) return;
  if (settings.space !== 'nb201') {
    $('fidelity-note').textContent = 'Proxy fidelity: not measured for FBNet (no ground-truth accuracies bundled).';
    return;
  }
  if (explorer.userReference) {
    $('fidelity-note').textContent = 'Proxy fidelity: not measured with your reference (FIDELITY.md measured it with the bundled one).';
    return;
  }
  if (explorer.userBatch) {
    $('fidelity-note').textContent = `Proxy fidelity: not measured on your images (FIDELITY.md measured it on the bundled batches). ${settings.space === 'nb201' ? 'The true accuracies in the table are NAS-Bench-201\'s, on CIFAR.' : ''}`;
    return;
  }
  const measured = f.batches[settings.batch];
  if (!measured) {
    $('fidelity-note').textContent = 'Proxy fidelity: not measured with this batch.';
    return;
  }
  const rows = [...measured.k_sweep].sort((a, b) => a.steps - b.steps);
  const tau = (r) => `Kendall τ ${r.kendall_tau.toFixed(2)} [${r.low.toFixed(2)}, ${r.high.toFixed(2)}]`;
  const exact = rows.find((r) => r.steps === settings.steps);
  const sameReference = measured.reference.sha256 === f.bundledReference;
  const where = `vs CIFAR-10 accuracy over ${measured.samples} NAS-Bench-201 cells (FIDELITY.md` +
    (sameReference ? ')' : `; measured with an earlier reference model, ResNet-${measured.reference.depth})`);
  // What the schedule does with those figures: a screen ranks by the untrained (K = 0) score first.
  const untrained = rows.find((r) => r.steps === 0);
  // The halving schedule's first round: its steps are the library's.
  let halvingSteps = null;
  try {
    halvingSteps = settings.schedule === 'halving' ? explorer?.plan(settings).screenSteps : null;
  } catch {
    halvingSteps = null; // a refused search: the plan line says why
  }
  const halving = rows.find((r) => r.steps === halvingSteps);
  const schedule = pareto()
    ? ' Pareto mode: every candidate is trained for K steps; the first generation is spread over the cost axis, parents are chosen from all of them by NSGA-II over (RMI, cost), and the front\'s members are trained twice more (“×3”). The budget then picks, without training, the best candidate within it (confirmed ones first, by fitness).'
    : settings.schedule === 'screened'
    ? ` Schedule: each generation scores its new candidates untrained${untrained ? ` (K = 0: ${tau(untrained)})` : ''} and trains the better half for K steps; the rest stay out of the table.`
    : settings.schedule === 'halving' && halvingSteps === 0
    ? ` Schedule: at this K a quarter of K is no step, so each generation scores its new candidates untrained${halving ? ` (K = 0: ${tau(halving)})` : ''} and trains the better half for K steps; the rest stay out of the table.`
    : settings.schedule === 'halving'
    ? ` Schedule: each generation trains its new candidates ${halvingSteps} step${halvingSteps === 1 ? '' : 's'}${halving ? ` (K = ${halvingSteps}: ${tau(halving)})` : ''}, then continues the better half's training to K steps; the rest stay out of the table.`
    : ' Schedule: every candidate is trained for K steps.';
  if (exact) {
    $('fidelity-note').textContent = `Proxy fidelity at K = ${exact.steps}: ${tau(exact)} ${where}.${schedule}`;
    return;
  }
  const below = rows.filter((r) => r.steps < settings.steps).pop();
  const above = rows.find((r) => r.steps > settings.steps);
  const near = [below, above].filter(Boolean).map((r) => `K = ${r.steps}: ${tau(r)}`).join('; ');
  $('fidelity-note').textContent = `Proxy fidelity not measured at K = ${settings.steps} (${near}) ${where}.${schedule}`;
}

function writeControls() {
  for (const s of library.schema.settings) $(s.name).value = settings[s.name];
  $('threshold-range').value = settings.threshold;
  showFidelity();
}

/** A control's value through the library's parser; a bad one is marked and its message shown. */
function readSetting(id) {
  const el = $(id);
  const p = properties(library.schema).find((q) => q.name === id);
  try {
    const v = parseValue(p, el.value, library.parseSetting);
    el.setAttribute('aria-invalid', 'false');
    notice('');
    return v;
  } catch (e) {
    el.setAttribute('aria-invalid', 'true');
    notice(String(e.message ?? e));
    return null;
  }
}

function updateUrl() {
  const q = toQuery(settings, library.schema);
  history.replaceState(null, '', q ? `?${q}` : location.pathname);
}

function onSettingChange(id) {
  // The link describes the next search: continuations belonged to the last one.
  if (FIXED_WHILE_RUNNING.includes(id)) settings.continued = null;
  const kind = library.schema.settings.find((s) => s.name === id)?.kind;
  if (kind === 'choice') settings[id] = $(id).value;
  if (id === 'space' || id === 'device' || id === 'metric') {
    if (id !== 'metric') settings.threshold = null;
    const messages = [];
    syncDevices(messages);
    notice(messages.join('; '));
    writeControls();
  }
  // Numbers through the library's parser; the budget, with its slider twin, below.
  if ((kind === 'int' || kind === 'number') && id !== 'threshold') {
    const v = readSetting(id);
    if (v !== null) settings[id] = v;
  }
  if (['steps', 'batch', 'schedule', 'mode'].includes(id)) showFidelity();
  // The plan, and whether Run may start it, follow the settings.
  if (explorer) setState(explorer.state);
  if (id === 'threshold' || id === 'threshold-range') {
    $(id === 'threshold' ? 'threshold-range' : 'threshold').value = $(id).value;
    const v = readSetting('threshold');
    if (v !== null) settings.threshold = v;
  }
  if (!explorer?.session && ['space', 'device', 'metric', 'threshold', 'threshold-range'].includes(id)) drawIdleViews();
  if ([...RERANK, 'threshold-range'].includes(id) && explorer?.session) {
    // What-if: re-rank from cached scores at once.
    explorer.setFitness(settings.threshold, settings.lambda, settings.penalty);
  }
  updateUrl();
}

/** Whether the next search is in the Pareto mode. */
function pareto() {
  return settings.mode === 'pareto';
}

/**
 * The settings a search starts with: the Pareto mode trains every candidate, so it leaves the
 * schedule (a one-budget setting, kept for when the mode changes back) to the library's default.
 */
function searchSettings() {
  return pareto() ? { ...settings, schedule: undefined } : settings;
}

/** Whether the search `p` reports on ran in the Pareto mode (the settings may have moved on). */
function paretoRun(p) {
  return p.settings.mode === 'pareto';
}

function fmt(v, digits = 3) {
  return Number.isFinite(v) ? v.toFixed(digits) : '–';
}

/**
 * The charts before any search: axes over the device's cost range and the budget line, so that
 * the budget means something before Run (and the first draw, which costs the most, is not paid
 * during a search).
 */
function drawIdleViews() {
  const d = deviceInfo();
  if (!d) return;
  scatter($('scatter'), { points: [], threshold: settings.threshold, best: null, unit: d.unit, range: [d.min, d.max], landscape: landscape() });
  lines($('history'), []);
  $('truth-figure').hidden = true;
}

/** The whole space on the chosen device, for the scatter (null when toggled off). */
function landscape() {
  if (!$('show-landscape').checked) return null;
  try {
    return explorer.landscape(settings.space, settings.device, settings.metric);
  } catch (e) {
    notice(String(e.message ?? e));
    return null;
  }
}

/** The Pareto mode's second view: the found front's cells by their true accuracy (NB201). */
function drawTruthFront(p, best, unit, d) {
  const show = paretoRun(p) && p.trueFront != null;
  $('truth-figure').hidden = !show;
  if (!show) return;
  const found = p.front.filter((m) => m.truth).map((m) => ({ cost: m.cost, accuracy: m.truth[0] }));
  const table = $('show-true-front').checked ? p.trueFront.map((c) => ({ cost: c.cost, accuracy: c.cifar10 })) : null;
  const pick = best?.truth ? { cost: best.cost, accuracy: best.truth[0] } : null;
  truthFront($('truth-front'), { found, table, threshold: settings.threshold, pick, unit, range: d ? [d.min, d.max] : null });
}

function render(p) {
  lastProgress = p;
  const unit = deviceInfo()?.unit ?? '';
  $('progress').value = p.fraction;
  const rate = p.perSecond > 0 ? `${p.perSecond.toFixed(2)} trainings/s` : '';
  const left = explorer.state === 'running' && p.secondsLeft > 0 ? `, about ${Math.ceil(p.secondsLeft)} s left` : '';
  const phase = p.confirming
    ? (paretoRun(p) ? 'confirming the front' : 'confirming the finalists')
    : `generation ${Math.min(p.generation + (explorer.state === 'done' ? 0 : 1), p.generations)}/${p.generations}`;
  const extra = (p.trials > p.evaluations ? ` (${p.trials} trainings)` : '') + (p.screenings ? ` · ${p.screenings} ${screeningWord(p.screenSteps, false)}` : '');
  const workers = p.compute?.running === 'gpu'
    ? ' · on WebGPU'
    : ` · ${p.workers} worker${p.workers === 1 ? '' : 's'}` + (p.restarts ? ` (${p.restarts} restarted)` : '');
  $('progress-text').textContent = `${phase} · ${p.evaluations} architectures trained${extra} · ${rate}${left}${workers}`;
  const front = paretoRun(p) ? p.front : null;
  // In the Pareto mode the answer for the budget: the library's first candidate within it.
  const best = front ? p.ranked.find((c) => c.feasible) ?? p.ranked[0] : p.ranked[0];
  const d = deviceInfo();
  scatterHit = scatter($('scatter'), { points: p.ranked, threshold: settings.threshold, best, unit, range: d ? [d.min, d.max] : null, front, landscape: landscape() });
  drawTruthFront(p, best?.feasible ? best : null, unit, d);
  lines($('history'), p.history);
  $('best-arch').textContent = best ? best.arch : '';
  drawArch($('best-view'), settings.space, best?.arch, best && library.archLayout(settings.space, best.arch));
  const picked = front ? (best?.feasible ? `The answer for ${settings.threshold} ${unit}${front.some((m) => m.arch === best.arch) ? ', on the front' : ''} · ` : `Nothing trained is within ${settings.threshold} ${unit} · `) : '';
  $('best-facts').textContent = best
    ? picked + `RMI ${fmt(best.rmi)}${best.replicates > 1 ? ` (mean of ${best.replicates} initialisations)` : ''} · ${settings.metric} ${fmt(best.cost)} ${unit} (${best.measured ? 'measured' : 'estimated'}) · fitness ${fmt(best.fitness)} · ${best.feasible ? 'within budget' : 'over budget'}` +
      (best.truth ? ` · true accuracy CIFAR-10 ${fmt(best.truth[0], 2)}%` : '')
    : '';
  renderTable(p, unit);
  showInspection();
}

/** The files picked become the RMI batch of the next Run; a bad one is named and nothing changes. */
async function useOwnImages() {
  const picked = [...$('images').files];
  if (!picked.length) return;
  try {
    const files = await Promise.all(picked.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
    const batch = explorer.setUserImages(files);
    $('images-note').textContent = `The next Run trains on your ${batch.names.length} images (the reference's predictions label them; not in the link). Pixels checksum ${batch.sha256.slice(0, 12)}.`;
    $('images-clear').disabled = false;
    notice('');
  } catch (e) {
    notice(`your images: ${e.message ?? e}`);
  }
  showFidelity();
}

/** The file picked becomes the reference of the next Run, once the library has checked it. */
async function useOwnReference() {
  const [file] = $('reference-file').files;
  if (!file) return;
  try {
    explorer.setUserReference({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
    $('reference-clear').disabled = false;
    notice('');
  } catch (e) {
    notice(`your reference: ${e.message ?? e}`);
  }
  showReference();
  showFidelity();
}

/** Which reference the next Run trains candidates towards. */
function showReference() {
  const r = explorer.userReference;
  $('reference-note').textContent = r
    ? `In use: your ${r.name}, a ResNet-${r.depth} for ${r.classes} classes (weights ${r.sha256.slice(0, 12)}); the fidelity figures were measured with the bundled reference.`
    : explorer.bundledReference
      ? `In use: the bundled reference, a ResNet-${explorer.bundledReference.depth} for ${explorer.bundledReference.classes} classes.`
      : '';
}

/** Opens the teaching panel on a candidate (a row, a point, or the link's `inspect`). */
function select(arch) {
  settings.inspect = arch;
  inspectStep = null;
  updateUrl();
  showInspection();
  if (!$('inspect').hidden) $('inspect').focus();
}

function closeInspection() {
  settings.inspect = null;
  updateUrl();
  hideInspection();
}

/** The panel for `settings.inspect`, once the search has scored it; its curve trains in a worker. */
function showInspection() {
  const arch = settings.inspect;
  if (!arch || !explorer?.session) return hideInspection();
  let info;
  try {
    info = explorer.inspect(arch);
  } catch (e) {
    notice(`inspect=${arch}: ${e.message ?? e}`);
    settings.inspect = null;
    updateUrl();
    return hideInspection();
  }
  if (!info) return hideInspection(); // not trained (yet) in this search
  for (const tr of $('top').tBodies[0].rows) tr.classList.toggle('selected', tr.dataset.arch === arch);
  const key = `${arch}|${explorer.poolKey}`;
  const curve = curves.get(key);
  const steps = lastProgress?.settings.steps ?? settings.steps;
  const unit = deviceInfo()?.unit ?? '';
  const step = inspectStep ?? (curve ? curve.length - 1 : steps);
  // Progress reports come every 100 ms: redraw the panel only when what it shows has changed.
  const shown = JSON.stringify([info, key, Boolean(curve), step, unit]);
  if (shown !== lastInspection || $('inspect').hidden) {
    lastInspection = shown;
    renderInspection({ info, curve, step, steps, space: settings.space, unit, layout: library.archLayout(settings.space, arch), metric: settings.metric });
  }
  if (!curve && !curves.has(`${key}|pending`)) {
    curves.set(`${key}|pending`, true);
    explorer.curve(arch, 0).then((c) => {
      curves.set(key, c);
      if (settings.inspect === arch) showInspection();
    }, (e) => notice(`could not train ${arch} again: ${e.message ?? e}`)).finally(() => curves.delete(`${key}|pending`));
  }
}

function renderTable(p, unit) {
  const nb = settings.space === 'nb201';
  const onFront = paretoRun(p) ? new Set(p.front.map((m) => m.arch)) : null;
  const head = ['#', 'architecture', `${settings.metric} (${unit})`, `RMI (K = ${p.settings.steps})`, onFront ? 'on the front' : 'fitness'].concat(nb ? ['CIFAR-10', 'CIFAR-100', 'ImageNet16-120'] : []);
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
    ? `Best true CIFAR-10 accuracy of any NAS-Bench-201 cell within ${settings.threshold} ${unit} on ${settings.device}: ${fmt(bf.cifar10, 2)}% (index ${bf.index}).`
    : nb ? '' : 'FBNet has no ground-truth accuracies here.';
}

function row(cells) {
  const tr = document.createElement('tr');
  tr.append(...cells);
  return tr;
}

function download(name, text, type) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.click();
  URL.revokeObjectURL(a.href);
}

function exportJson() {
  const p = lastProgress;
  if (!p) return;
  const front = paretoRun(p) ? { front: p.front } : {};
  download('evrsnas-results.json', JSON.stringify({ settings, best: p.ranked[0] ?? null, evaluations: p.evaluations, ...front, history: p.history, candidates: p.ranked }, null, 2), 'application/json');
}

/** The Pareto mode's CSV: the front, cheapest first, in the CLI's columns plus the truth. */
function frontCsv(front) {
  const head = 'arch,index,rmi,replicates,cost,measured,cifar10,cifar100,imagenet16';
  const body = front.map((m) => [`"${m.arch}"`, m.index ?? '', m.rmi, m.replicates, m.cost, m.measured, ...(m.truth ?? ['', '', ''])].join(','));
  return [head, ...body].join('\n') + '\n';
}

function exportCsv() {
  const p = lastProgress;
  if (!p) return;
  if (paretoRun(p)) return download('evrsnas-front.csv', frontCsv(p.front), 'text/csv');
  const head = 'rank,arch,index,cost,measured,rmi,replicates,fitness,feasible,cifar10,cifar100,imagenet16';
  const body = p.ranked.map((c, i) => [i + 1, `"${c.arch}"`, c.index ?? '', c.cost, c.measured, c.rmi, c.replicates, c.fitness, c.feasible, ...(c.truth ?? ['', '', ''])].join(','));
  download('evrsnas-results.csv', [head, ...body].join('\n') + '\n', 'text/csv');
}

async function main() {
  $('progress-text').textContent = 'loading…';
  try {
    // The build is chosen before the settings can be parsed (that takes the library); a bad value
    // is reported by fromQuery below, and auto used.
    const simd = new URLSearchParams(location.search).get('simd');
    library = await loadLibrary({ simd: ['simd128', 'relaxed'].includes(simd) ? simd : 'auto' });
  } catch (e) {
    showError(`the explorer could not start: ${e.message ?? e}`);
    app.dataset.state = 'error';
    return;
  }
  buildControls();
  const { state, errors } = fromQuery(location.search, library.schema, library.parseSetting);
  settings = state;
  if (settings.embed) document.body.classList.add('embed');
  setState('idle');
  $('run').disabled = true;
  try {
    explorer = await Explorer.load({ base: 'static', workers: settings.workers ?? undefined });
  } catch (e) {
    showError(String(e.message ?? e));
    $('progress-text').textContent = 'could not load the bundled assets';
    setState('error');
    return;
  }
  const messages = [...errors];
  syncDevices(messages);
  writeControls();
  drawIdleViews();
  updateUrl();
  if (messages.length) showError(messages.join('; '));
  explorer.addEventListener('state', (e) => setState(e.detail.state));
  explorer.addEventListener('progress', (e) => render(e.detail));
  explorer.addEventListener('compute', (e) => showCompute(e.detail));
  explorer.addEventListener('error', (e) => showError(e.detail.message));
  explorer.heavy.catch((e) => {
    // Without the reference or the batches nothing can be scored: Run stays off until a reload.
    assetsFailed = true;
    showError(`${e.message ?? e}. Reload the page to try again.`);
    setState('error');
  });
  for (const s of library.schema.settings) $(s.name).addEventListener(s.kind === 'choice' ? 'change' : 'input', () => onSettingChange(s.name));
  $('threshold-range').addEventListener('input', () => onSettingChange('threshold-range'));
  $('run').addEventListener('click', () => {
    showError('');
    // Run starts a new search: continuations belong to the one they continued.
    settings.continued = null;
    updateUrl();
    explorer.start(searchSettings());
  });
  $('pause').addEventListener('click', () => explorer.pause());
  $('resume').addEventListener('click', () => explorer.resume());
  $('step').addEventListener('click', async () => {
    if (!explorer.session) {
      await explorer.start(searchSettings());
      explorer.pause();
    }
    explorer.step();
  });
  $('stop').addEventListener('click', () => explorer.stop());
  $('continue').addEventListener('click', () => {
    // Recorded apart from the generations: a search of N generations continued by 2 is not a
    // search of N + 2 (the finalists were confirmed in between), and the link must say which.
    settings.continued = [...(settings.continued ?? []), CONTINUE_BY];
    updateUrl();
    explorer.continueFor(CONTINUE_BY);
  });
  $('reset').addEventListener('click', () => {
    explorer.reset();
    lastProgress = null;
    for (const id of ['best-arch', 'best-facts', 'progress-text', 'truth-note']) $(id).textContent = '';
    $('best-view').replaceChildren();
    $('top').tBodies[0].replaceChildren();
    $('progress').value = 0;
    drawIdleViews();
    closeInspection();
  });
  $('scatter').addEventListener('click', (e) => {
    const hit = scatterHit?.(e.offsetX, e.offsetY);
    if (hit) select(hit.arch);
  });
  $('inspect-close').addEventListener('click', closeInspection);
  $('inspect').addEventListener('keydown', (e) => e.key === 'Escape' && closeInspection());
  $('inspect-step').addEventListener('input', () => {
    inspectStep = Number($('inspect-step').value);
    showInspection();
  });
  $('copy-link').addEventListener('click', async () => {
    const url = location.href;
    try {
      await navigator.clipboard.writeText(url);
      notice('link copied');
    } catch {
      notice(url);
    }
  });
  $('show-true-front').addEventListener('change', () => lastProgress && render(lastProgress));
  $('show-landscape').addEventListener('change', () => (explorer.session && lastProgress ? render(lastProgress) : drawIdleViews()));
  // NB201's true accuracies arrive with the heavy assets: the landscape gains its cloud then.
  // (In a task of its own: the assets' verification has just taken the main thread.)
  explorer.heavy.then(() => setTimeout(() => {
    if (!explorer.session) drawIdleViews();
    showReference();
  }), () => {});
  $('images').addEventListener('change', useOwnImages);
  $('reference-file').addEventListener('change', useOwnReference);
  $('reference-clear').addEventListener('click', () => {
    explorer.setUserReference(null);
    $('reference-file').value = '';
    $('reference-clear').disabled = true;
    showReference();
    showFidelity();
  });
  $('images-clear').addEventListener('click', () => {
    explorer.setUserImages(null);
    $('images').value = '';
    $('images-clear').disabled = true;
    $('images-note').textContent = '';
    showFidelity();
  });
  $('export-json').addEventListener('click', exportJson);
  $('export-csv').addEventListener('click', exportCsv);
  setState('idle');
  $('progress-text').textContent = 'ready';
  if (settings.autorun) {
    // An embedding page cannot make a visitor's machine train more than the default search
    // without a click.
    const work = (x) => x.population * x.generations * Math.max(1, x.steps);
    if (settings.embed && work(settings) > work(defaults(library.schema))) {
      notice('This embedded search is larger than the default one: press Run to start it.');
    } else {
      explorer.start(settings);
    }
  }
}

main();
