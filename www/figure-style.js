// The <evrsnas-explorer> figure's styles, in its shadow root (a constructed sheet, so that a host's
// style-src policy does not apply and the host's CSS cannot reach in). Themable through the
// custom properties on :host; dark under prefers-color-scheme: dark.

export const FIGURE_CSS = `
:host {
  all: initial;
  display: block;
  contain: content;
  --evrsnas-fg: #1d2b33;
  --evrsnas-muted: #5c6b73;
  --evrsnas-bg: #fff;
  --evrsnas-plot: #fff;
  --evrsnas-accent: #264653;
  --evrsnas-warn: #b23a48;
  --evrsnas-border: #d5dadd;
  --evrsnas-font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
  --evrsnas-radius: 8px;
  font: var(--evrsnas-font);
  color: var(--evrsnas-fg);
}
@media (prefers-color-scheme: dark) {
  :host {
    --evrsnas-fg: #e6ecef;
    --evrsnas-muted: #a5b3ba;
    --evrsnas-bg: #1b2226;
    --evrsnas-plot: #f3f5f6;
    --evrsnas-accent: #7fc8bb;
    --evrsnas-warn: #ff8a8a;
    --evrsnas-border: #3a464c;
  }
}
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
.figure { container-type: inline-size; background: var(--evrsnas-bg); border: 1px solid var(--evrsnas-border); border-radius: var(--evrsnas-radius); padding: 10px; max-width: 100%; min-width: 0; }
.bar { display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: center; }
button { font: inherit; padding: 4px 12px; border-radius: 5px; border: 1px solid var(--evrsnas-border); background: var(--evrsnas-bg); color: var(--evrsnas-fg); cursor: pointer; }
button.run { background: var(--evrsnas-accent); color: var(--evrsnas-bg); border-color: var(--evrsnas-accent); font-weight: 600; }
button:disabled { opacity: .45; cursor: default; }
button:focus-visible, input:focus-visible, tr:focus-visible { outline: 3px solid #e9c46a; outline-offset: 1px; }
.budget { display: flex; gap: 6px; align-items: center; flex: 1 1 200px; min-width: 0; font-size: 13px; color: var(--evrsnas-muted); }
.budget input { flex: 1; min-width: 60px; accent-color: var(--evrsnas-accent); }
.budget output { font-variant-numeric: tabular-nums; color: var(--evrsnas-fg); min-width: 5.5em; }
.status { font-size: 12px; color: var(--evrsnas-muted); font-variant-numeric: tabular-nums; flex: 1 1 100%; }
progress { width: 100%; height: 6px; display: block; margin: 6px 0; accent-color: var(--evrsnas-accent); }
.message:empty { display: none; }
.message { margin: 6px 0; padding: 6px 10px; border-radius: 6px; font-size: 13px; color: var(--evrsnas-warn); border: 1px solid var(--evrsnas-warn); }
.views { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 10px; align-items: start; }
.plot { margin: 0; min-width: 0; }
.plot figcaption { font-size: 12px; color: var(--evrsnas-muted); margin-bottom: 4px; }
canvas { display: block; width: 100%; height: 250px; background: var(--evrsnas-plot); border-radius: 6px; }
.answer { min-width: 0; font-size: 13px; }
.answer h3 { font-size: 13px; margin: 0 0 4px; color: var(--evrsnas-muted); font-weight: 600; }
.answer code { display: block; font: 11px/1.3 ui-monospace, monospace; word-break: break-all; color: var(--evrsnas-accent); margin: 4px 0; }
.answer .facts, .explain { margin: 4px 0; }
.drawing { background: var(--evrsnas-plot); border-radius: 6px; min-height: 40px; }
.drawing svg { display: block; width: 100%; height: auto; }
.node { fill: #fff; stroke: #264653; stroke-width: 2; }
.node-label { font-size: 12px; font-weight: 600; fill: #264653; }
.edge-label { font-size: 11px; fill: #1d2b33; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.fbnet-strip { display: flex; align-items: flex-end; gap: 2px; overflow-x: auto; padding: 4px; }
.fbnet-strip .block { min-width: 22px; font-size: 7px; text-align: center; color: #fff; border-radius: 3px; padding: 1px; display: flex; align-items: flex-end; justify-content: center; overflow: hidden; }
.fbnet-strip .k3 { background: #2a9d8f; }
.fbnet-strip .k5 { background: #264653; }
.fbnet-strip .skip { background: #bbb; color: #333; }
.table { grid-column: 1 / -1; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 12px; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid var(--evrsnas-border); }
td.arch { font: 10px/1.3 ui-monospace, monospace; word-break: break-all; }
tr.over td { color: var(--evrsnas-warn); }
tr.selected td { background: #e9c46a44; }
tbody tr { cursor: pointer; }
.explain { grid-column: 1 / -1; font-size: 13px; }
.credit { display: block; text-align: right; font-size: 11px; color: var(--evrsnas-muted); margin-top: 4px; }
.credit a { color: inherit; }
[hidden] { display: none !important; }
@container (max-width: 560px) { .views { grid-template-columns: minmax(0, 1fr); } }
`;
