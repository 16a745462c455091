// Writes target/package/: the npm package `evrsnas`, from dist/ (`cargo make package` builds dist
// first). The package is the built site as it is, so that every file the element and engine.js
// load relative to their own URL is where they look for it, plus package.json (its `exports`),
// the package's README, the licences and the TypeScript declarations.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');
const out = path.join(root, 'target', 'package');

if (!fs.existsSync(path.join(dist, 'evrsnas-explorer.js'))) {
  console.error('pack: dist/ is not built (cargo make dist)');
  process.exit(1);
}
const cargo = fs.readFileSync(path.join(root, 'crate', 'Cargo.toml'), 'utf8');
const field = (name) => cargo.match(new RegExp(`^${name} = "([^"]*)"`, 'm'))?.[1];
const version = field('version');
if (!version) {
  console.error('pack: no version in crate/Cargo.toml');
  process.exit(1);
}

fs.rmSync(out, { recursive: true, force: true });
fs.cpSync(dist, out, { recursive: true });
fs.copyFileSync(path.join(root, 'LICENSE'), path.join(out, 'LICENSE'));
fs.copyFileSync(path.join(root, 'tools', 'PACKAGE-README.md'), path.join(out, 'README.md'));

const manifest = {
  name: 'evrsnas',
  version,
  description: field('description'),
  license: field('license'),
  type: 'module',
  keywords: ['neural-architecture-search', 'hardware-aware', 'webassembly', 'web-component', 'nas-bench-201'],
  // The element registers itself on import; the rest is free of side effects.
  sideEffects: ['./evrsnas-explorer.js'],
  types: './engine.d.ts',
  exports: {
    '.': { types: './engine.d.ts', default: './engine.js' },
    './element': { types: './evrsnas-explorer.d.ts', default: './evrsnas-explorer.js' },
    './evrsnas-explorer.js': { types: './evrsnas-explorer.d.ts', default: './evrsnas-explorer.js' },
    './engine.js': { types: './engine.d.ts', default: './engine.js' },
    // The files a site copies or serves as they are: wasm, workers, assets, the pages.
    './*': './*',
  },
  files: fs.readdirSync(out).filter((f) => f !== 'package.json'),
};
fs.writeFileSync(path.join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
const bytes = (dir) => fs.readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? bytes(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size), 0);
console.log(`pack: target/package (evrsnas ${version}, ${(bytes(out) / 1e6).toFixed(2)} MB)`);
