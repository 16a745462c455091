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
