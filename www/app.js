// The page: starts the library and the explorer, restores the settings from the URL, and wires
// the buttons to the search. The parts are files of their own: js (shared state), controls.js,
// notes.js, results.js, inspection.js, export.js; the search runs in workers through engine.js.
import { fromQuery } from './state.js';
import { Explorer, loadLibrary } from './engine.js';
import { $, CONTINUE_BY, notice, page, showError, updateUrl } from './page.js';
import { buildControls, onSettingChange, setState, showCompute, showFidelity, showReference, syncDevices, useOwnImages, useOwnReference, writeControls } from './controls.js';
import { exportCsv, exportJson } from './export.js';
import { closeInspection, select, showInspection } from './inspection.js';
import { drawIdleViews, landscape, render } from './results.js';

/**
 * `embed=1`: the page as a compact figure for an iframe, the <evrsnas-explorer> element with the
 * link's settings as its attributes (results in view, not the form).
 */
async function embedFigure(params) {
  await import('./evrsnas-explorer.js');
  const figure = document.createElement('evrsnas-explorer');
  for (const [name, value] of params) if (name !== 'embed') figure.setAttribute(name, value === '1' && name === 'autorun' ? '' : value);
  $('app').hidden = true;
  document.body.classList.add('embed');
  document.body.append(figure);
}

async function main() {
  const params = new URLSearchParams(location.search);
  if (params.get('embed') === '1') return embedFigure(params);
  $('progress-text').textContent = 'loading…';
  try {
    // The build is chosen before the settings can be parsed (that takes the library); a bad value
    // is reported by fromQuery below, and auto used.
    const simd = new URLSearchParams(location.search).get('simd');
    page.library = await loadLibrary({ simd: ['simd128', 'relaxed'].includes(simd) ? simd : 'auto' });
  } catch (e) {
    showError(`the page.explorer could not start: ${e.message ?? e}`);
    app.dataset.state = 'error';
    return;
  }
  buildControls();
  const { state, errors } = fromQuery(location.search, page.library.schema, page.library.parseSetting);
  page.settings = state;
  setState('idle');
  $('run').disabled = true;
  try {
    page.explorer = await Explorer.load({ base: 'static', workers: page.settings.workers ?? undefined });
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
  page.explorer.addEventListener('state', (e) => setState(e.detail.state));
  page.explorer.addEventListener('progress', (e) => render(e.detail));
  page.explorer.addEventListener('compute', (e) => showCompute(e.detail));
  page.explorer.addEventListener('error', (e) => showError(e.detail.message));
  page.explorer.heavy.catch((e) => {
    // Without the reference's targets or the true accuracies nothing can be scored: Run stays off until a reload.
    page.assetsFailed = true;
    showError(`${e.message ?? e}. Reload the page to try again.`);
    setState('error');
  });
  for (const s of page.library.schema.settings) $(s.name).addEventListener(s.kind === 'choice' ? 'change' : 'input', () => onSettingChange(s.name));
  $('threshold-range').addEventListener('input', () => onSettingChange('threshold-range'));
  $('run').addEventListener('click', () => {
    showError('');
    // Run starts a new search: continuations belong to the one they continued.
    page.settings.continued = null;
    updateUrl();
    page.explorer.start(page.settings);
  });
  $('pause').addEventListener('click', () => page.explorer.pause());
  $('resume').addEventListener('click', () => page.explorer.resume());
  $('step').addEventListener('click', async () => {
    if (!page.explorer.session) {
      await page.explorer.start(page.settings);
      page.explorer.pause();
    }
    page.explorer.step();
  });
  $('stop').addEventListener('click', () => page.explorer.stop());
  $('continue').addEventListener('click', () => {
    // Recorded apart from the generations: a search of N generations continued by 2 is not a
    // search of N + 2 (the finalists were confirmed in between), and the link must say which.
    page.settings.continued = [...(page.settings.continued ?? []), CONTINUE_BY];
    updateUrl();
    page.explorer.continueFor(CONTINUE_BY);
  });
  $('reset').addEventListener('click', () => {
    page.explorer.reset();
    page.lastProgress = null;
    for (const id of ['best-arch', 'best-facts', 'progress-text', 'truth-note']) $(id).textContent = '';
    $('best-view').replaceChildren();
    $('top').tBodies[0].replaceChildren();
    $('progress').value = 0;
    drawIdleViews();
    closeInspection();
  });
  $('scatter').addEventListener('click', (e) => {
    const hit = page.scatterHit?.(e.offsetX, e.offsetY);
    if (hit) select(hit.arch);
  });
  $('inspect-close').addEventListener('click', closeInspection);
  $('inspect').addEventListener('keydown', (e) => e.key === 'Escape' && closeInspection());
  $('inspect-step').addEventListener('input', () => {
    page.inspectStep = Number($('inspect-step').value);
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
  $('show-true-front').addEventListener('change', () => page.lastProgress && render(page.lastProgress));
  $('show-landscape').addEventListener('change', () => (page.explorer.session && page.lastProgress ? render(page.lastProgress) : drawIdleViews()));
  // NB201's true accuracies arrive with the heavy assets: the landscape gains its cloud then.
  // (In a task of its own: the assets' verification has just taken the main thread.)
  page.explorer.heavy.then(() => setTimeout(() => {
    if (!page.explorer.session) drawIdleViews();
    showReference();
  }), () => {});
  $('images').addEventListener('change', useOwnImages);
  $('reference-file').addEventListener('change', useOwnReference);
  $('reference-clear').addEventListener('click', () => {
    page.explorer.setUserReference(null);
    $('reference-file').value = '';
    $('reference-clear').disabled = true;
    showReference();
    showFidelity();
  });
  $('images-clear').addEventListener('click', () => {
    page.explorer.setUserImages(null);
    $('images').value = '';
    $('images-clear').disabled = true;
    $('images-note').textContent = '';
    showFidelity();
  });
  $('export-json').addEventListener('click', exportJson);
  $('export-csv').addEventListener('click', exportCsv);
  setState('idle');
  $('progress-text').textContent = 'ready';
  if (page.settings.autorun) page.explorer.start(page.settings);
}

main();
