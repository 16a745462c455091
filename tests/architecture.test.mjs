// The house's rules, read from the source (`./dev test` runs this first, with no build):
// - the library's files (crate/src, without the CLI in bin/) import no file that imports them back
//   (no cycle, through any number of files), and a module imports only modules of a lower layer
//   than its own (LAYERS below; within one module its files may use each other, without a cycle);
// - no Rust file of ours over 500 lines, no page script over 400;
// - the page's scripts import one another without a cycle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { spawnSync } from 'node:child_process';

const root = path.resolve(import.meta.dirname, '..');
const lib = path.join(root, 'crate/src');

// Lowest first. A module may import the modules of the layers before its own, never its own layer's
// other modules or a later layer's.
export const LAYERS = [
  ['error'],
  ['names'],
  ['bounds', 'kernels'],
  ['nn', 'optim', 'space', 'data'],
  ['cost', 'cka', 'trial'],
  ['assets', 'proxy', 'reference'],
  ['images', 'rmi', 'fitness', 'compute', 'complexity'],
  ['gpu'],
  ['evolve'],
  ['schema', 'settings', 'export'],
  ['devtools'],
  ['wasm'],
];

const layerOf = new Map(LAYERS.flatMap((mods, i) => mods.map((m) => [m, i])));

function walk(dir, keep) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return walk(p, keep);
    return keep(p) ? [p] : [];
  });
}

const stripComments = (s) => s.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
// A file's unit tests may reach anywhere: they are not part of the house.
const stripTests = (s) => s.replace(/#\[cfg\(test\)\]\s*mod tests\s*\{[\s\S]*/, '');

// `a::{b, c::{d, e}}` → [[a, b], [a, c, d], [a, c, e]]
function expand(prefix, body) {
  const out = [];
  let depth = 0;
  let cur = '';
  for (const ch of body + ',') {
    if (ch === '{') depth++;
    if (ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      const item = cur.trim();
      cur = '';
      if (!item) continue;
      const m = item.match(/^([\w:]*?)::\{([\s\S]*)\}$/);
      if (m) out.push(...expand([...prefix, ...m[1].split('::').filter(Boolean)], m[2]));
      else out.push([...prefix, ...item.split(' as ')[0].split('::').filter(Boolean)]);
    } else cur += ch;
  }
  return out;
}

/** The library's files by module path (`evolve/config.rs` → ['evolve', 'config']). */
function libraryFiles() {
  const files = new Map();
  for (const p of walk(lib, (p) => p.endsWith('.rs') && !path.relative(lib, p).startsWith('bin'))) {
    const rel = path.relative(lib, p);
    let mod = rel.slice(0, -3).split(path.sep);
    if (mod.at(-1) === 'mod' || mod.at(-1) === 'lib') mod = mod.slice(0, -1);
    files.set(mod.join('::'), rel);
  }
  return files;
}

/** What each file of the library imports: file → set of files. */
export function importGraph() {
  const files = libraryFiles();
  const resolve = (segments) => {
    for (let n = segments.length; n >= 0; n--) {
      const f = files.get(segments.slice(0, n).join('::'));
      if (f !== undefined) return f;
    }
    return undefined;
  };
  // The crate root's re-exports (`pub use cost::{CostBook, …}`) and exported macros.
  const reexport = new Map();
  const root = stripComments(fs.readFileSync(path.join(lib, 'lib.rs'), 'utf8'));
  for (const m of root.matchAll(/pub use\s+([\w:]+?)(?:::\{([^;]*)\}|::(\w+))\s*;/g)) {
    const base = m[1].split('::').filter((x) => x && x !== 'crate' && x !== 'self');
    for (const item of m[2] ? expand([], m[2]) : [[m[3]]]) reexport.set(item.at(-1), [...base, ...item.slice(0, -1)]);
  }
  for (const [mod, rel] of files) {
    const src = fs.readFileSync(path.join(lib, rel), 'utf8');
    for (const m of src.matchAll(/#\[macro_export\]\s*macro_rules!\s*(\w+)/g)) reexport.set(m[1], mod.split('::'));
  }
  const edges = new Map();
  for (const [mod, rel] of files) {
    let src = stripTests(stripComments(fs.readFileSync(path.join(lib, rel), 'utf8')));
    // A folder's re-exports are its face, not a use.
    if (rel.endsWith('mod.rs')) src = src.replace(/\bpub(?:\([\w ]+\))?\s+use\s+[^;]*;/g, '');
    const here = mod ? mod.split('::') : [];
    const paths = [];
    for (const m of src.matchAll(/\buse\s+(crate|super|self)((?:::\w+)*)(?:::\{([\s\S]*?)\})?\s*;/g)) {
      const base = [m[1], ...m[2].split('::').filter(Boolean)];
      paths.push(...(m[3] ? expand(base, m[3]) : [base]));
    }
    const children = new Set([...src.matchAll(/\bmod\s+(\w+)\s*;/g)].map((m) => m[1]));
    for (const m of src.matchAll(/\buse\s+(\w+)((?:::\w+)*)(?:::\{([\s\S]*?)\})?\s*;/g)) {
      if (!children.has(m[1])) continue;
      const base = ['self', m[1], ...m[2].split('::').filter(Boolean)];
      paths.push(...(m[3] ? expand(base, m[3]) : [base]));
    }
    for (const m of src.matchAll(/\b(crate|super)((?:::\w+)+)/g)) paths.push([m[1], ...m[2].split('::').filter(Boolean)]);
    const targets = new Set();
    for (const p of paths) {
      let q;
      if (p[0] === 'crate') q = p.slice(1);
      else if (p[0] === 'super') q = [...here.slice(0, -1), ...p.slice(1)];
      else q = [...here, ...p.slice(1)];
      if (q.length && reexport.has(q[0]) && !files.has(q[0])) q = [...reexport.get(q[0]), ...q.slice(1)];
      const t = resolve(q);
      if (t !== undefined && t !== rel && t !== 'lib.rs') targets.add(t);
    }
    edges.set(rel, targets);
  }
  return edges;
}

/** Strongly connected components of more than one file (Tarjan). */
export function cycles(edges) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const found = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const c = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) found.push(c.sort());
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) visit(v);
  return found;
}

const moduleOf = (rel) => rel.split(path.sep)[0].replace(/\.rs$/, '');

test('the library has no import cycle between files', () => {
  assert.deepEqual(cycles(importGraph()), []);
});

test('every library module imports only modules of lower layers', () => {
  const edges = importGraph();
  const against = [];
  for (const [from, targets] of edges) {
    const a = moduleOf(from);
    if (a === 'lib') continue;
    assert.ok(layerOf.has(a), `${from}: module ${a} has no layer in tests/architecture.test.mjs`);
    for (const to of targets) {
      const b = moduleOf(to);
      if (b === a) continue;
      assert.ok(layerOf.has(b), `${to}: module ${b} has no layer`);
      if (layerOf.get(b) >= layerOf.get(a)) against.push(`${from} imports ${to} (layer ${layerOf.get(a)} → ${layerOf.get(b)})`);
    }
  }
  assert.deepEqual(against, []);
});

test('the checker sees a cycle and an upward import when there is one', () => {
  // The rules above pass only if the graph they read is real: it must hold the imports we know of.
  const edges = importGraph();
  assert.ok(edges.get('rmi/mod.rs').has('cka.rs'), 'rmi/mod.rs imports cka.rs');
  assert.ok(edges.get('evolve/mod.rs').has('evolve/config.rs'), 'evolve/mod.rs imports its config');
  const looped = new Map([...edges, ['cka.rs', new Set([...edges.get('cka.rs'), 'rmi/mod.rs'])]]);
  assert.ok(cycles(looped).some((c) => c.includes('cka.rs') && c.includes('rmi/mod.rs')));
});

test('no Rust file over 500 lines, no page script over 400', () => {
  const lines = (p) => fs.readFileSync(p, 'utf8').split('\n').length - 1;
  const crates = walk(path.join(root, 'crate'), (p) => p.endsWith('.rs') && !p.includes(`${path.sep}vendor${path.sep}`));
  const long = crates.filter((p) => lines(p) > 500).map((p) => `${path.relative(root, p)} (${lines(p)})`);
  const scripts = walk(path.join(root, 'www'), (p) => p.endsWith('.js') && !p.includes(`${path.sep}pkg${path.sep}`));
  const longJs = scripts.filter((p) => lines(p) > 400).map((p) => `${path.relative(root, p)} (${lines(p)})`);
  assert.deepEqual([...long, ...longJs], []);
});

test("the page's scripts import one another without a cycle", () => {
  const www = path.join(root, 'www');
  const edges = new Map();
  for (const p of walk(www, (p) => p.endsWith('.js') && !p.includes(`${path.sep}pkg${path.sep}`))) {
    const src = fs.readFileSync(p, 'utf8');
    const targets = new Set();
    for (const m of src.matchAll(/(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
      const t = path.resolve(path.dirname(p), m[1] ?? m[2]);
      if (t.startsWith(www) && !t.includes(`${path.sep}pkg`)) targets.add(path.relative(www, t));
    }
    edges.set(path.relative(www, p), targets);
  }
  assert.ok(edges.size > 5, 'the page has its scripts');
  assert.deepEqual(cycles(edges), []);
});

test("every page script parses as a module and imports only names its sibling exports", () => {
  // A duplicate import or a name that moved breaks the whole page at load, before any test of it
  // can say why: this says which file and which name, without a build or a browser.
  const www = path.join(root, 'www');
  const scripts = walk(www, (p) => p.endsWith('.js') && !p.includes(`${path.sep}pkg${path.sep}`));
  const exportsOf = (p) => {
    const src = fs.readFileSync(p, 'utf8');
    const names = new Set([...src.matchAll(/export\s+(?:async\s+)?(?:function\*?|const|let|class)\s+([\w$]+)/g)].map((m) => m[1]));
    for (const m of src.matchAll(/export\s*\{([^}]*)\}/g)) for (const n of m[1].split(',')) names.add(n.trim().split(/\s+as\s+/).pop());
    return names;
  };
  const problems = [];
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'evrsnas-check-'));
  for (const p of scripts) {
    const rel = path.relative(www, p);
    const copy = path.join(scratch, `${path.basename(p, '.js')}.mjs`);
    fs.copyFileSync(p, copy);
    const checked = spawnSync(process.execPath, ['--check', copy], { encoding: 'utf8' });
    if (checked.status !== 0) problems.push(`${rel}: ${checked.stderr.split('\n').find((l) => /Error/.test(l))}`);
    const src = fs.readFileSync(p, 'utf8');
    for (const m of src.matchAll(/import\s*\{([^}]*)\}\s*from\s+['"](\.[^'"]+)['"]/g)) {
      const target = path.resolve(path.dirname(p), m[2]);
      if (target.includes(`${path.sep}pkg`) || !fs.existsSync(target)) continue;
      const have = exportsOf(target);
      for (const n of m[1].split(',').map((s) => s.trim().split(/\s+as\s+/)[0]).filter(Boolean)) {
        if (!have.has(n)) problems.push(`${rel} imports ${n} from ${m[2]}, which does not export it`);
      }
    }
  }
  fs.rmSync(scratch, { recursive: true, force: true });
  assert.ok(scripts.length > 5);
  assert.deepEqual(problems, []);
});
