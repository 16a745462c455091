// The TypeScript declarations against what the modules really export: engine.d.ts (written) against
// engine.js and Explorer's methods, the wasm-bindgen declarations (generated into dist/pkg) against
// the page's wasm module and every binding the page's scripts call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const declared = (text, re) => [...text.matchAll(re)].map((m) => m[1]);

test("engine.d.ts declares engine.js's exports and Explorer's methods, no more and no fewer exports", async () => {
  const dts = fs.readFileSync(path.join(root, 'www/engine.d.ts'), 'utf8');
  const engine = await import('../www/engine.js');
  const exported = declared(dts, /^export (?:function|class|async function) (\w+)/gm).sort();
  assert.deepEqual(exported, Object.keys(engine).sort());
  const body = dts.slice(dts.indexOf('export class Explorer'));
  const methods = declared(body, /^  (?:static )?(\w+)\(/gm);
  assert.ok(methods.length >= 15, methods.join());
  for (const m of methods) {
    const own = m === 'load' ? engine.Explorer[m] : engine.Explorer.prototype[m];
    assert.equal(typeof own, 'function', `Explorer.${m} is declared but not defined`);
  }
});

test("the wasm declarations match the page's module, and declare every binding the page calls", async () => {
  const pkg = path.join(root, 'dist/pkg');
  const dts = fs.readFileSync(path.join(pkg, 'evrsnas.d.ts'), 'utf8');
  const module = await import(path.join(pkg, 'evrsnas.js'));
  const functions = declared(dts, /^export function (\w+)\(/gm).filter((f) => f !== 'initSync');
  const classes = declared(dts, /^export class (\w+)/gm);
  const real = Object.keys(module).filter((k) => k !== 'default' && k !== 'initSync');
  assert.deepEqual([...functions, ...classes].sort(), real.sort());
  const used = new Set();
  for (const f of fs.readdirSync(path.join(root, 'www')).filter((f) => f.endsWith('.js'))) {
    const src = fs.readFileSync(path.join(root, 'www', f), 'utf8');
    for (const m of src.matchAll(/\bwasm\.(\w+)/g)) used.add(m[1]);
  }
  used.delete('default');
  assert.ok(used.size >= 8, [...used].join());
  for (const name of used) assert.ok(real.includes(name), `the page calls wasm.${name}, which the module does not export`);
});

test("evrsnas-explorer.d.ts declares what the element's class has, and the tag", () => {
  // The element needs a DOM to load, so its class is read from the source: every declared member
  // is a method, a getter or a field the class sets.
  const dts = fs.readFileSync(path.join(root, 'www/evrsnas-explorer.d.ts'), 'utf8');
  const src = fs.readFileSync(path.join(root, 'www/evrsnas-explorer.js'), 'utf8');
  const body = src.slice(src.indexOf('export class EvrsnasExplorer'));
  const declaredClass = dts.slice(dts.indexOf('export declare class EvrsnasExplorer'), dts.indexOf('declare global'));
  const members = [...new Set(declared(declaredClass, /^  (?:readonly )?(\w+)[(:<]/gm))].filter((m) => m !== 'addEventListener');
  assert.ok(members.length >= 8, members.join());
  for (const m of members) {
    const defined = new RegExp(`^  (?:get |async )?${m}\\(|this\\.${m} = `, 'm').test(body);
    assert.ok(defined, `EvrsnasExplorer.${m} is declared but not defined`);
  }
  assert.match(src, /const TAG = 'evrsnas-explorer'/);
  assert.match(dts, /'evrsnas-explorer': EvrsnasExplorer/);
  // The views the declaration names are the figure's.
  const views = fs.readFileSync(path.join(root, 'www/figure-view.js'), 'utf8').match(/export const VIEWS = \[([^\]]*)\]/)[1];
  assert.deepEqual(dts.match(/FigureView = ([^;]*);/)[1].split('|').map((v) => v.trim()), views.split(',').map((v) => v.trim()));
});
