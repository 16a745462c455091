// What the page brings besides the bundled assets: your own images as the RMI batch, your own
// reference, and the whole space on a device for the scatter (cached). Explorer's methods
// (engine.js mixes them in); the library decodes and checks everything.
import { bindings } from './library.js';

export const inputMethods = {
  /**
   * The space on a device before any training (wasm `landscape`): `{costs, accuracy, sampled}`,
   * with NB201's true accuracies once the heavy assets are in; cached.
   */
  landscape(space, device, metric) {
    const truth = space === 'nb201' && this.truth ? this.truth : new Uint8Array();
    const key = `${space}/${device}/${metric}/${truth.length}`;
    return this.cached('landscape', key, () => bindings().wasm.landscape(this.costs[space].bytes, truth, device, metric));
  },

  /**
   * Your own images as the RMI batch: `files` are `{name, bytes}` (PNG or JPEG, any size), decoded
   * and resized by the library as the CLI's `--images` does; throws the library's message, which
   * names a bad file. `null` goes back to the bundled batches. Nothing is sent anywhere: the bytes
   * go to this page's workers only. Returns `{names, sha256}`.
   */
  setUserImages(files) {
    if (!files) {
      this.userBatch = null;
      return null;
    }
    const batch = bindings().wasm.imageBatch(files.map((f) => f.name), files.map((f) => f.bytes));
    this.userBatch = batch;
    return { names: batch.names, sha256: batch.sha256 };
  },

  /**
   * A reference model of your own for the RMI targets (`{name, bytes}`: the project's safetensors
   * layout of a CIFAR ResNet, any depth), checked by the library before use; throws its message,
   * which names the file. `null` goes back to the bundled one. Returns `{depth, classes, sha256}`.
   */
  setUserReference(file) {
    if (!file) {
      this.userReference = null;
      return null;
    }
    const info = bindings().wasm.checkReference(file.name, file.bytes);
    this.userReference = { ...info, name: file.name, bytes: file.bytes };
    return info;
  },
};
