// Fetches bundled assets and verifies each against MANIFEST.json (size and SHA-256, checked in
// wasm). A failure names the file. The whole bundle loads once per base and page (loadBundle).

export class AssetError extends Error {}

export async function loadManifest(base, path) {
  const res = await fetch(`${base}/${path}`);
  if (!res.ok) throw new AssetError(`asset ${path} failed to load (HTTP ${res.status})`);
  return new Uint8Array(await res.arrayBuffer());
}

export async function loadAsset(wasm, base, manifest, path) {
  let res;
  try {
    res = await fetch(`${base}/${path}`);
  } catch (e) {
    throw new AssetError(`asset ${path} failed to load: ${e.message}`);
  }
  if (!res.ok) throw new AssetError(`asset ${path} failed to load (HTTP ${res.status})`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  try {
    wasm.verifyAsset(manifest, path, bytes);
  } catch (e) {
    throw new AssetError(e.message);
  }
  return bytes;
}

/** The fidelity figures, refused by name unless they have the shape the page reads. */
export function checkFidelity(bytes, path) {
  let f;
  try {
    f = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new AssetError(`asset ${path} is not JSON: ${e.message}`);
  }
  const row = (r) => Number.isFinite(r?.steps) && ['kendall_tau', 'low', 'high'].every((k) => Number.isFinite(r[k]));
  const batch = (b) => Array.isArray(b?.k_sweep) && b.k_sweep.length > 0 && b.k_sweep.every(row) &&
    Number.isFinite(b.samples) && typeof b.reference?.sha256 === 'string' && Number.isFinite(b.reference?.depth);
  if (typeof f?.batches !== 'object' || f.batches === null || !Object.values(f.batches).every(batch) || !(f.default_batch in f.batches)) {
    throw new AssetError(`asset ${path} does not have the structure the page reads (batches → k_sweep rows)`);
  }
  return f;
}

const bundles = new Map(); // base → the bundle's promise

/**
 * Every bundled asset under `base` (schema `paths`), loaded once per page: `{manifest, costs,
 * fidelity, heavy}`. The cost tables and the fidelity figures come first (the controls need
 * them); `heavy` resolves to `{targetsFor, bundledReference, batchFile, referenceWeights, truth}`
 * while the user looks. The bundled reference's targets on a bundled batch (`targetsFor(batch)`)
 * stand in for its weights (1 MB gzipped), which `referenceWeights()` fetches only for a batch of
 * your own images; a batch file comes with `batchFile(path)`, when a search first trains on it.
 * `defaultBatch`'s targets come with `heavy`: their header names the bundled reference.
 * A failed load is forgotten, so that the next explorer tries again.
 */
export function loadBundle(wasm, base, paths, defaultBatch) {
  if (!bundles.has(base)) {
    const bundle = loadBundleOnce(wasm, base, paths, defaultBatch);
    bundles.set(base, bundle);
    bundle.catch(() => bundles.delete(base));
  }
  return bundles.get(base);
}

async function loadBundleOnce(wasm, base, paths, defaultBatch) {
  const manifest = await loadManifest(base, paths.manifest);
  const costs = {};
  for (const [space, path] of Object.entries(paths.costs)) {
    const bytes = await loadAsset(wasm, base, manifest, path);
    costs[space] = { bytes, info: wasm.costInfo(bytes) };
  }
  // The fidelity study's figures (FIDELITY.md), for the note under "Steps K", and whether they
  // were measured with the reference model bundled now.
  const fidelity = checkFidelity(await loadAsset(wasm, base, manifest, paths.fidelity), paths.fidelity);
  const files = JSON.parse(new TextDecoder().decode(manifest)).files;
  fidelity.bundledReference = files.find((f) => f.path === paths.reference)?.sha256;
  // Each fetched once per page, when first asked for.
  const fetched = new Map();
  const once = (path) => {
    if (!fetched.has(path)) {
      const p = loadAsset(wasm, base, manifest, path);
      fetched.set(path, p);
      p.catch(() => fetched.delete(path));
    }
    return fetched.get(path);
  };
  const heavy = Promise.all([
    once(paths.targets[defaultBatch]),
    loadAsset(wasm, base, manifest, paths.truth),
  ]).then(([targets, truth]) => ({
    targetsFor: (batch) => once(paths.targets[batch]),
    // What the page says of the bundled reference, {depth, classes}: from its stored targets'
    // header (the weights' own check runs a forward pass, a pause the page need not make).
    bundledReference: wasm.referenceSummary(targets),
    referenceWeights: () => once(paths.reference),
    batchFile: (path) => once(path),
    truth,
  }));
  // A failure surfaces where it is awaited (Explorer's `heavy`), not as an unhandled rejection.
  heavy.catch(() => {});
  return { manifest, costs, fidelity, heavy };
}
