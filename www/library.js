// Loading the library: which build of the wasm this browser runs (wasmBuild), and the library's
// answers the page builds on (loadLibrary). One instance per page, on the main thread; each worker
// loads its own (worker.js).

let library = null;
let wasm = null; // the library's bindings (the build wasmBuild chose)
let instance = null; // the main thread's wasm instance

// The library comes in two builds of the same code: plain simd128, and simd128 with relaxed SIMD,
// whose GEMM kernels use one fused multiply-add instead of a multiply and an add (faster where the
// CPU has FMA; rounding differs slightly). The probe is a function using i8x16.relaxed_swizzle.
const RELAXED_SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 15, 1, 13, 0, 65, 1, 253, 15, 65, 2, 253, 15, 253, 128, 2, 11]);

/** The build to load: `choice` auto (relaxed where the browser validates it), simd128 or relaxed. */
export function wasmBuild(choice = 'auto') {
  const relaxed = choice === 'relaxed' || (choice === 'auto' && WebAssembly.validate(RELAXED_SIMD_PROBE));
  return relaxed
    ? { name: 'simd128 + relaxed SIMD', module: new URL('./pkg-relaxed/evrsnas.js', import.meta.url).href }
    : { name: 'simd128', module: new URL('./pkg/evrsnas.js', import.meta.url).href };
}

/**
 * The library's answers the page builds on, once its wasm is loaded (before any asset): `schema`
 * (every setting's default, bounds and choices; asset paths), `parseSetting(name, text)` (the
 * CLI's parsing and messages; throws) and `archLayout(space, arch)` (an architecture's genes for
 * its drawing). `simd` picks the build (see wasmBuild); the first call decides for the page.
 */
export async function loadLibrary({ simd = 'auto' } = {}) {
  if (!library) {
    const build = wasmBuild(simd);
    wasm = await import(build.module);
    // Compiled once here and posted to every worker (a WebAssembly.Module can be): each worker
    // instantiates it rather than fetching and compiling its own copy.
    build.compiled = await compile(new URL('./evrsnas_bg.wasm', build.module));
    instance = await wasm.default({ module_or_path: build.compiled });
    library = {
      build,
      schema: wasm.schema(),
      parseSetting: (name, text) => wasm.parseSetting(name, text),
      archLayout: (space, arch) => wasm.archLayout(space, arch),
    };
  }
  return library;
}

/** The module at `url`, compiled as it streams in where the server says it is wasm. */
async function compile(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`the library's wasm (${url}) could not be fetched: HTTP ${response.status}`);
  if (response.headers.get('Content-Type')?.startsWith('application/wasm')) return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}

/** The loaded library's bindings and the main thread's instance (after loadLibrary). */
export function bindings() {
  return { wasm, instance };
}
