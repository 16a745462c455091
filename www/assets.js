// Fetches bundled assets and verifies each against MANIFEST.json (size and SHA-256, checked in
// wasm). A failure names the file.

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
