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
