// What the browser tests and benchmarks that need no injected faults share: dist/ served from
// 127.0.0.1 (a secure context, as WebGPU needs), and Debian's headless Chromium with a fresh
// profile. e2e.test.mjs has its own server, which injects faults.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml' };

/**
 * Serves `top` (dist/ by default; null: nothing) at the root, and each folder of `mounts` (URL
 * prefix → folder) beside it; a path ending in / serves its index.html. `requests`, when given,
 * collects every path asked for. Resolves to `{base, close}`.
 */
export async function serveDist({ mounts = {}, top = dist, requests = null } = {}) {
  const server = http.createServer((req, res) => {
    let rel = decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/+/, '');
    requests?.push(`/${rel}`);
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const mount = Object.keys(mounts).find((prefix) => rel.startsWith(prefix));
    const dir = mount ? mounts[mount] : top;
    const file = dir && path.join(dir, mount ? rel.slice(mount.length) : rel);
    if (!file || !file.startsWith(dir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) return res.writeHead(404).end('not found');
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(fs.readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

const QUIET = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/**
 * Headless Chromium with a fresh user-data-dir. `gpu`: false (`--disable-gpu`), 'swiftshader'
 * (WebGPU on SwiftShader only) or 'any' (a hardware adapter where Chromium finds one, SwiftShader
 * otherwise). CHROMIUM=path picks another binary.
 */
export function launch({ gpu = false } = {}) {
  const flags = {
    false: ['--disable-gpu'],
    swiftshader: ['--enable-unsafe-webgpu', '--enable-unsafe-swiftshader', '--use-webgpu-adapter=swiftshader'],
    any: ['--enable-unsafe-webgpu', '--enable-unsafe-swiftshader', '--enable-features=Vulkan'],
  }[String(gpu)];
  return chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'evrsnas-chromium-')), {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 1400 },
    args: ['--headless', '--no-sandbox', ...flags, ...QUIET],
  });
}

/**
 * A new page at `url`, collecting what went wrong in it: uncaught errors and console errors (a
 * failed request, a Content-Security-Policy violation). Resolves to `{page, problems}`.
 */
export async function openPage(browser, url) {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  await page.goto(url);
  return { page, problems };
}
