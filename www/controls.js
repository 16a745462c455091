// The settings controls: built from the library's schema, kept in step with the URL, the plan line
// and the fidelity note under them, and your own images and reference.
import { defaults, parseValue, properties, settleDevice } from './state.js';
import { $, fixedWhileRunning, notice, page, pareto, reranking, updateUrl } from './page.js';
import { fidelityNote, screeningWord } from './notes.js';
import { drawIdleViews } from './results.js';

/** The controls, one per search setting of the library's schema. */
export function buildControls() {
  const fields = page.library.schema.settings.map((s) => {
    const field = document.createElement('div');
    field.className = 'field';
    const label = Object.assign(document.createElement('label'), { htmlFor: s.name, textContent: s.label });
    field.append(label);
    if (s.kind === 'choice') {
      const select = Object.assign(document.createElement('select'), { id: s.name });
      // A setting whose default depends on others (the schedule: the mode's own) offers "unset".
      if (s.default === null) select.append(new Option(s.unset, ''));
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
export function showCompute(c) {
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

/** The planned trainings and their time on this machine, before Run; a refused search says why. */
export function showPlan() {
  if (!page.explorer) return true;
  try {
    const p = page.explorer.plan(page.settings);
    const onGpu = page.settings.compute !== 'cpu' && page.explorer.compute?.running === 'gpu' && page.explorer.compute?.choice === page.settings.compute;
    const workers = onGpu ? 'WebGPU' : `${p.workers} worker${p.workers === 1 ? '' : 's'}`;
    const screens = p.screens ? ` and ${p.screens} ${screeningWord(p.screenSteps)}` : '';
    $('plan').textContent = `Planned: ${p.trainings} trainings (at most ${page.library.schema.maxTrainings})${screens} on ${workers} (wasm ${p.build})` +
      (p.seconds == null ? '; the time is estimated once the first candidates are trained here.' : `, about ${Math.ceil(p.seconds)} s at the speed measured on this machine.`);
    $('plan').className = '';
    return true;
  } catch (e) {
    $('plan').textContent = `This search cannot run: ${e.message ?? e}`;
    $('plan').className = 'refused';
    return false;
  }
}

export function setState(state) {
  app.dataset.state = state;
  const has = page.explorer?.session != null;
  const runnable = state === 'running' || showPlan();
  $('run').disabled = !page.explorer || page.assetsFailed || state === 'running' || !runnable;
  $('pause').disabled = state !== 'running';
  $('resume').disabled = state !== 'paused';
  $('step').disabled = page.assetsFailed || !(state === 'paused' || (state === 'idle' && page.explorer));
  $('stop').disabled = !(state === 'running' || state === 'paused');
  $('continue').disabled = state !== 'done' || !has;
  $('reset').disabled = state === 'idle';
  for (const id of ['export-json', 'export-csv']) $(id).disabled = !has;
  for (const id of fixedWhileRunning()) $(id).disabled = state === 'running' || state === 'paused';
  // The schedule shapes a one-budget search: unset, the Pareto mode's own is plain (a schedule set
  // by hand stays open to change, the plan line giving the library's refusal).
  if (pareto() && page.settings.schedule == null) $('schedule').disabled = true;
  $('schedule').title = pareto() ? 'The Pareto mode trains every candidate for K steps.' : '';
  $('images').disabled = state === 'running' || state === 'paused';
  $('reference-file').disabled = state === 'running' || state === 'paused';
}

/** Fills the device list for the space and brings device, metric and threshold into range. */
export function syncDevices(messages) {
  const info = page.explorer.costs[page.settings.space].info;
  const settled = settleDevice(page.settings, info, defaults(page.library.schema));
  if (messages) messages.push(...settled.messages);
  $('device').replaceChildren(...settled.names.map((n) => {
    const d = info.devices.find((x) => x.device === n);
    return new Option(`${n} — ${d.description}`, n);
  }));
  const d = settled.device;
  const range = $('threshold-range');
  range.min = d.min;
  range.max = d.max;
  range.step = (d.max - d.min) / 500;
  $('unit').textContent = `(${d.unit})`;
  $('range-note').textContent = `${d.device}: ${d.min.toFixed(2)}–${d.max.toFixed(2)} ${d.unit} over the space` +
    (d.estimated ? ` (${d.measured} cells measured, the rest estimated)` : '') + `. ${info.unavailable}`;
}

/** What the fidelity study measured for the chosen K, and what the schedule does (notes.js). */
export function showFidelity() {
  const f = page.explorer?.fidelity;
  if (!f) return;
  let plan = null;
  try {
    plan = page.explorer.plan(page.settings);
  } catch {
    plan = null; // a refused search: the plan line says why
  }
  $('fidelity-note').textContent = fidelityNote({
    fidelity: f,
    settings: page.settings,
    schedule: plan?.schedule ?? page.settings.schedule,
    screenSteps: plan?.screenSteps ?? null,
    userReference: Boolean(page.explorer.userReference),
    userBatch: Boolean(page.explorer.userBatch),
  });
}

export function writeControls() {
  for (const s of page.library.schema.settings) $(s.name).value = page.settings[s.name] ?? '';
  $('threshold-range').value = page.settings.threshold;
  showFidelity();
}

/** A control's value through the library's parser; a bad one is marked and its message shown. */
export function readSetting(id) {
  const el = $(id);
  const p = properties(page.library.schema).find((q) => q.name === id);
  try {
    const v = parseValue(p, el.value, page.library.parseSetting);
    el.setAttribute('aria-invalid', 'false');
    notice('');
    return v;
  } catch (e) {
    el.setAttribute('aria-invalid', 'true');
    notice(String(e.message ?? e));
    return null;
  }
}

export function onSettingChange(id) {
  // The link describes the next search: continuations belonged to the last one.
  if (fixedWhileRunning().includes(id)) page.settings.continued = null;
  const kind = page.library.schema.settings.find((s) => s.name === id)?.kind;
  if (kind === 'choice') page.settings[id] = $(id).value || null;
  if (id === 'space' || id === 'device' || id === 'metric') {
    if (id !== 'metric') page.settings.threshold = null;
    const messages = [];
    syncDevices(messages);
    notice(messages.join('; '));
    writeControls();
  }
  // Numbers through the library's parser; the budget, with its slider twin, below.
  if ((kind === 'int' || kind === 'number') && id !== 'threshold') {
    const v = readSetting(id);
    if (v !== null) page.settings[id] = v;
  }
  if (['steps', 'batch', 'schedule', 'mode', 'prior'].includes(id)) showFidelity();
  // The plan, and whether Run may start it, follow the settings.
  if (page.explorer) setState(page.explorer.state);
  if (id === 'threshold' || id === 'threshold-range') {
    $(id === 'threshold' ? 'threshold-range' : 'threshold').value = $(id).value;
    const v = readSetting('threshold');
    if (v !== null) page.settings.threshold = v;
  }
  if (!page.explorer?.session && ['space', 'device', 'metric', 'threshold', 'threshold-range'].includes(id)) drawIdleViews();
  if ([...reranking(), 'threshold-range'].includes(id) && page.explorer?.session) {
    // What-if: re-rank from cached scores at once.
    page.explorer.setFitness(page.settings.threshold, page.settings.lambda, page.settings.penalty, page.settings.prior);
  }
  updateUrl();
}

/** The files picked become the RMI batch of the next Run; a bad one is named and nothing changes. */
export async function useOwnImages() {
  const picked = [...$('images').files];
  if (!picked.length) return;
  try {
    const files = await Promise.all(picked.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
    const batch = page.explorer.setUserImages(files);
    $('images-note').textContent = `The next Run trains on your ${batch.names.length} images (the reference's predictions label them; not in the link). Pixels checksum ${batch.sha256.slice(0, 12)}.`;
    $('images-clear').disabled = false;
    notice('');
  } catch (e) {
    notice(`your images: ${e.message ?? e}`);
  }
  showFidelity();
}

/** The file picked becomes the reference of the next Run, once the library has checked it. */
export async function useOwnReference() {
  const [file] = $('reference-file').files;
  if (!file) return;
  try {
    page.explorer.setUserReference({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
    $('reference-clear').disabled = false;
    notice('');
  } catch (e) {
    notice(`your reference: ${e.message ?? e}`);
  }
  showReference();
  showFidelity();
}

/** Which reference the next Run trains candidates towards. */
export function showReference() {
  const r = page.explorer.userReference;
  $('reference-note').textContent = r
    ? `In use: your ${r.name}, a ResNet-${r.depth} for ${r.classes} classes (weights ${r.sha256.slice(0, 12)}); the fidelity figures were measured with the bundled reference.`
    : page.explorer.bundledReference
      ? `In use: the bundled reference, a ResNet-${page.explorer.bundledReference.depth} for ${page.explorer.bundledReference.classes} classes.`
      : '';
}
