// The teaching panel's controller: which candidate is open (in the link as `inspect`), and its
// training curve, trained again in a worker of its own; inspector.js draws it.
import { hideInspection, renderInspection } from './inspector.js';
import { $, deviceInfo, notice, page, updateUrl } from './page.js';

/** Opens the teaching panel on a candidate (a row, a point, or the link's `inspect`). */
export function select(arch) {
  page.settings.inspect = arch;
  page.inspectStep = null;
  updateUrl();
  showInspection();
  if (!$('inspect').hidden) $('inspect').focus();
}

export function closeInspection() {
  page.settings.inspect = null;
  updateUrl();
  hideInspection();
}

/** The panel for `settings.inspect`, once the search has scored it; its curve trains in a worker. */
export function showInspection() {
  const arch = page.settings.inspect;
  if (!arch || !page.explorer?.session) return hideInspection();
  let info;
  try {
    info = page.explorer.inspect(arch);
  } catch (e) {
    notice(`inspect=${arch}: ${e.message ?? e}`);
    page.settings.inspect = null;
    updateUrl();
    return hideInspection();
  }
  if (!info) return hideInspection(); // not trained (yet) in this search
  for (const tr of $('top').tBodies[0].rows) tr.classList.toggle('selected', tr.dataset.arch === arch);
  const key = `${arch}|${page.explorer.poolKey}`;
  const curve = page.curves.get(key);
  const steps = page.lastProgress?.settings.steps ?? page.settings.steps;
  const unit = deviceInfo()?.unit ?? '';
  const step = page.inspectStep ?? (curve ? curve.length - 1 : steps);
  // Progress reports come every 100 ms: redraw the panel only when what it shows has changed.
  const shown = JSON.stringify([info, key, Boolean(curve), step, unit]);
  if (shown !== page.lastInspection || $('inspect').hidden) {
    page.lastInspection = shown;
    renderInspection({ info, curve, step, steps, space: page.settings.space, unit, layout: page.library.archLayout(page.settings.space, arch), metric: page.settings.metric });
  }
  if (!curve && !page.curves.has(`${key}|pending`)) {
    page.curves.set(`${key}|pending`, true);
    page.explorer.curve(arch, 0).then((c) => {
      page.curves.set(key, c);
      if (page.settings.inspect === arch) showInspection();
    }, (e) => notice(`could not train ${arch} again: ${e.message ?? e}`)).finally(() => page.curves.delete(`${key}|pending`));
  }
}
