// <evrsnas-explorer>: a live hardware-aware search as a figure for any page.
//
//   <script type="module" src="/vendor/evrsnas/evrsnas-explorer.js"></script>
//   <evrsnas-explorer device="pixel3" threshold="5" autorun view="scatter"></evrsnas-explorer>
//
// Attributes: the explorer page's URL settings by the same names, checked by the same schema with
// the same messages (a bad one is reported inside the figure and its default used), plus `view`
// (scatter, front, inspect, table or full) and `autorun`. The element loads its wasm, workers and
// assets relative to this file's URL, and nothing until it is scrolled into view. All figures of a
// page share one worker pool: one search trains at a time, the others queue. Property `state` and
// attribute `data-state`: idle | running | paused | done | error. Events on the element, as
// Explorer's: `progress` (the report), `done` {best}, `error` {message}.
import { SharedPool } from './shared-pool.js';
import { FIGURE_CSS } from './figure-style.js';
import { buildFigure, render, setBudget, statusText, VIEWS } from './figure-view.js';

const TAG = 'evrsnas-explorer';
const BASE = new URL('./static', import.meta.url).href;
// Attributes every element may carry that are not settings.
const GLOBAL = /^(class|id|style|title|lang|dir|hidden|tabindex|slot|part|role|is|inert|translate|draggable|autofocus|nonce|accesskey|contenteditable|spellcheck|popover|enterkeyhint|inputmode|data-.*|aria-.*)$/;

const pool = new SharedPool();
const figures = new Set();
let loading = null; // the engine and the page's settings table, imported on the first figure in view
let sheet = null;
let ids = 0;

function modules() {
  loading ??= Promise.all([import('./engine.js'), import('./state.js')]).then(([engine, state]) => ({ engine, state }));
  return loading;
}

function styles() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(FIGURE_CSS);
  }
  return sheet;
}

export class EvrsnasExplorer extends HTMLElement {
  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = [styles()];
    this.parts = buildFigure(root, `evrsnas-${++ids}`);
    this._state = 'idle';
    this.progressReport = null;
    this.parts.run.addEventListener('click', () => this.run());
    this.parts.pause.addEventListener('click', () => (this._state === 'paused' ? this.explorer?.resume() : this.explorer?.pause()));
    this.parts.reset.addEventListener('click', () => this.reset());
    this.parts.budget.addEventListener('input', () => this.moveBudget(Number(this.parts.budget.value)));
  }

  /** idle | running | paused | done | error. */
  get state() {
    return this._state;
  }

  /** The settings the next search runs with, once loaded (a copy). */
  get settings() {
    return this._settings ? { ...this._settings } : null;
  }

  /** The search's results as the library writes them (`Explorer.results()`), or null. */
  results() {
    return this.explorer?.results() ?? null;
  }

  connectedCallback() {
    figures.add(this);
    this.setState(this._state);
    this.observer = new MutationObserver(() => this.readAttributes());
    this.observer.observe(this, { attributes: true });
    // Nothing loads or starts until the figure is (nearly) in view.
    this.visibility = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      this.visibility.disconnect();
      this.activate();
    }, { rootMargin: '200px' });
    this.visibility.observe(this);
  }

  disconnectedCallback() {
    figures.delete(this);
    this.observer?.disconnect();
    this.visibility?.disconnect();
    // Its trainings stop and its workers go back to the page's pool (or end with the last figure).
    this.explorer?.dispose();
    this.explorer = null;
    this.activation = null;
    this._state = 'idle';
    if (figures.size === 0) pool.close();
  }

  activate() {
    this.activation ??= this.load().catch((e) => this.showFailure(e));
    return this.activation;
  }

  async load() {
    this.parts.status.textContent = 'loading…';
    const { engine, state } = await modules();
    this.table = state;
    this.library = await engine.loadLibrary();
    const explorer = await engine.Explorer.load({ base: BASE, shared: pool });
    if (!this.isConnected) return explorer.dispose();
    this.explorer = explorer;
    explorer.addEventListener('state', (e) => this.setState(e.detail.state));
    explorer.addEventListener('queued', (e) => e.detail.queued && (this.parts.status.textContent = 'waiting for another figure\'s search to finish…'));
    explorer.addEventListener('progress', (e) => {
      this.progressReport = e.detail;
      this.draw();
      this.dispatchEvent(new CustomEvent('progress', { detail: e.detail }));
    });
    explorer.addEventListener('done', (e) => this.dispatchEvent(new CustomEvent('done', { detail: e.detail })));
    explorer.addEventListener('error', (e) => {
      this.parts.message.textContent = e.detail.message;
      this.dispatchEvent(new CustomEvent('error', { detail: e.detail }));
    });
    explorer.heavy.then(() => this.draw(), (e) => this.showFailure(e));
    this.readAttributes();
    this.setState('idle');
    if (this.hasAttribute('autorun') && this._settings) {
      await explorer.heavy.catch(() => {});
      if (this.explorer === explorer && this.autorunAllowed()) this.run();
    }
  }

  /** Settings from the attributes, through the page's table: same names, checks and messages. */
  readAttributes() {
    if (!this.explorer) return;
    const { defaults, fromQuery, properties, settingsDuringSearch, settleDevice, toQuery } = this.table;
    const schema = this.library.schema;
    const known = new Set(properties(schema).map((p) => p.name));
    const params = new URLSearchParams();
    const messages = [];
    for (const { name, value } of this.attributes) {
      if (name === 'view' || GLOBAL.test(name)) continue;
      if (!known.has(name)) messages.push(`unknown attribute "${name}" ignored`);
      // A bare boolean attribute (`autorun`) means on.
      else params.set(name, value === '' && properties(schema).find((p) => p.name === name).kind === 'bool' ? '1' : value);
    }
    const { state: settings, errors } = fromQuery(params.toString(), schema, this.library.parseSetting);
    messages.push(...errors.map((m) => m.replace(/^unknown parameter/, 'unknown attribute')));
    const view = this.getAttribute('view') ?? 'scatter';
    this.view = VIEWS.includes(view) ? view : 'scatter';
    if (!VIEWS.includes(view)) messages.push(`view=${view}: unknown view '${view}' (expected ${VIEWS.join(', ')}; using scatter)`);
    const info = this.explorer.costs[settings.space].info;
    const settled = settleDevice(settings, info, defaults(schema));
    messages.push(...settled.messages);
    const previous = this._settings;
    this._settings = settings;
    this.device = settled.device;
    this.explorer.setPoolSize(settings.workers);
    this.parts.message.textContent = messages.join('; ');
    this.parts.open.href = new URL(`./index.html?${toQuery(settings, schema)}`, import.meta.url).href;
    setBudget(this.parts, this.device, settings.threshold);
    // The settings the library marks as re-ranking (budget, λ, penalty, prior) apply to a search at
    // once; the rest to the next Run.
    const rerank = settingsDuringSearch(schema, 'rerank').some((k) => previous && previous[k] !== settings[k]);
    if (rerank && this.explorer.session) this.explorer.setFitness(settings.threshold, settings.lambda, settings.penalty, settings.prior);
    this.draw();
  }

  /** A documentation page cannot make a visitor's machine train more than the default search. */
  autorunAllowed() {
    const { defaults } = this.table;
    const work = (s) => {
      try {
        return this.explorer.plan(s).work;
      } catch {
        return Infinity;
      }
    };
    if (work(this._settings) <= work(defaults(this.library.schema))) return true;
    this.parts.status.textContent = 'this search is larger than the default one: press Run to start it';
    return false;
  }

  run() {
    if (!this.explorer) return this.activate();
    this.parts.message.textContent = '';
    this.progressReport = null;
    this.explorer.start({ ...this._settings, continued: null });
  }

  reset() {
    this.explorer?.reset();
    this.progressReport = null;
    this.parts.progress.value = 0;
    this.draw();
  }

  /** What-if: the budget re-ranks every scored candidate; nothing is retrained. */
  moveBudget(threshold) {
    if (!this._settings || !Number.isFinite(threshold)) return;
    this._settings.threshold = threshold;
    setBudget(this.parts, this.device, threshold);
    if (this.explorer?.session) this.explorer.setFitness(threshold, this._settings.lambda, this._settings.penalty, this._settings.prior);
    else this.draw();
  }

  setState(state) {
    this._state = state;
    this.dataset.state = state;
    const p = this.parts;
    const loaded = Boolean(this.explorer);
    p.run.disabled = !loaded || state === 'running' || state === 'paused';
    p.pause.disabled = !(state === 'running' || state === 'paused');
    p.pause.textContent = state === 'paused' ? 'Resume' : 'Pause';
    p.reset.disabled = !loaded || state === 'running' || !this.explorer?.session;
    p.budget.disabled = !loaded;
    p.run.textContent = state === 'done' ? 'Run again' : 'Run';
    if (loaded) p.status.textContent = this.progressReport ? statusText(this.progressReport, state) : state === 'running' ? 'starting the workers…' : 'ready';
  }

  draw() {
    if (!this.explorer || !this._settings) return;
    const progress = this.explorer.session ? this.progressReport : null;
    this.parts.progress.value = progress?.fraction ?? 0;
    if (progress) this.parts.status.textContent = statusText(progress, this._state);
    let landscape = null;
    try {
      landscape = this.explorer.landscape(this._settings.space, this._settings.device, this._settings.metric);
    } catch {
      landscape = null;
    }
    render(this.parts, {
      progress,
      settings: this._settings,
      device: this.device,
      landscape,
      layout: (arch) => this.library.archLayout(this._settings.space, arch),
      inspect: (arch) => this.explorer.inspect(arch),
      view: this.view,
    });
  }

  showFailure(e) {
    this.parts.message.textContent = `the explorer could not start: ${e?.message ?? e}`;
    this.setState('error');
    this.dispatchEvent(new CustomEvent('error', { detail: { message: this.parts.message.textContent } }));
  }
}

if (!customElements.get(TAG)) customElements.define(TAG, EvrsnasExplorer);
