// The worker pool: one wasm instance per worker, each with a Scorer for the search's (steps, seed,
// batch, compute); a worker that dies is replaced and its training re-queued, one that falls
// silent past a watchdog too; with WebGPU one worker trains alone and the CPU pool takes over if
// its device is lost; the teaching view's curves train in a worker of their own (`curve`). These are Explorer's methods (engine.js mixes them in): the pool is the
// explorer's, and the search's dispatch (engine.js `pump`) hands it trials.

export const poolMethods = {
  /**
   * Workers with a Scorer for (steps, seed, batch, compute); rebuilt only when those change. With
   * compute 'gpu' or 'auto' one worker first tries WebGPU: it trains alone when it got a GPU (it
   * batches a candidate's whole training into one submit), and the CPU pool fills up otherwise.
   */
  async ensurePool(settings) {
    const { steps, seed, batch: batchName } = settings;
    const compute = settings.compute ?? 'cpu';
    await this.heavy;
    // Your own images replace the named batch until cleared (they stay in this page).
    const user = this.userBatch;
    const reference = this.userReference;
    const batch = user ? [user.bytes] : await Promise.all(this.batches[batchName].map((f) => this.batchFile(f)));
    // Your reference, else the bundled one: its stored targets on a bundled batch, its weights
    // (fetched now, once) on your own images.
    const bundled = reference ? null : user ? await this.referenceWeights() : await this.targetsFor(batchName);
    // The settings the workers' Scorer is built from (the schema's `scorer` flag), and your files.
    const scorerSettings = this.schema.settings.filter((s) => s.scorer).map((s) => `${s.name}=${settings[s.name] ?? 'cpu'}`);
    const key = [...scorerSettings, user ? `user:${user.sha256}` : '', reference?.sha256 ?? 'bundled'].join('/');
    if (this.pool.length && this.poolKey === key) {
      // A shared pool can come back short (a figure removed mid-search took its busy workers).
      if (this.compute?.running === 'cpu') await this.fillPool();
      return;
    }
    this.retirePool();
    this.workerInit = { reference: reference?.bytes ?? bundled, batch, options: { steps, seed } };
    // Every worker started, so that a pool that fails half-way leaves none behind.
    const started = [];
    try {
      this.pool = [];
      if (compute !== 'cpu') {
        const first = await this.spawnWorker(started, compute);
        this.pool.push(first);
        this.setCompute({ choice: compute, ...first.compute });
      } else {
        this.setCompute({ choice: 'cpu', running: 'cpu' });
      }
      if (this.compute.running === 'cpu') await this.fillPool(started);
    } catch (e) {
      started.forEach((w) => w.terminate());
      this.pool = [];
      throw e;
    }
    this.poolKey = key;
  },

  /**
   * With a page's shared pool (`Explorer.load({shared})`): waits for it, then uses its workers as
   * this explorer's own. Resolves to false when another start or stop overtook the wait.
   */
  async takePool(run) {
    if (!this.shared) return true;
    if (this.shared.holder !== this) {
      if (this.shared.holder) this.emit('queued', { queued: true });
      await this.shared.acquire(this);
      if (run !== this.run) return false;
      this.pool = this.shared.slots;
      this.poolKey = this.shared.key;
      this.workerInit = this.shared.workerInit;
      for (const slot of this.pool) slot.worker.screened?.clear();
      this.emit('queued', { queued: false });
    }
    return true;
  },

  /** Hands a shared pool's workers back for the next figure's search (no-op without one). */
  givePool() {
    if (!this.shared) return;
    for (const slot of this.pool) clearTimeout(slot.watchdog);
    this.shared.release(this, this.pool, this.poolKey, this.workerInit);
    this.pool = [];
    this.poolKey = null;
  },

  /**
   * Ends this explorer for good (a figure removed from its page): trainings in flight stop with
   * their workers, idle workers go back to the shared pool (or end, without one), and the
   * session's memory is freed.
   */
  dispose() {
    this.run++;
    clearTimeout(this.progressTimer);
    this.progressTimer = null;
    const busy = this.pool.filter((slot) => slot.busy || slot.down);
    for (const slot of busy) {
      clearTimeout(slot.watchdog);
      slot.worker.terminate();
    }
    this.pool = this.pool.filter((slot) => !busy.includes(slot));
    this.inflight?.clear();
    this.session?.free();
    this.session = null;
    if (this.shared) this.givePool();
    else this.retirePool();
    this.state = 'idle';
  },

  /** CPU workers up to the pool's size. */
  async fillPool(started = []) {
    const more = Math.max(0, this.poolSize - this.pool.length);
    this.pool.push(...(await Promise.all(Array.from({ length: more }, () => this.spawnWorker(started)))));
  },

  /** What trains the candidates ({choice, running: 'gpu'|'cpu', adapter?, fallback?}), as an event. */
  setCompute(compute) {
    this.compute = compute;
    this.emit('compute', compute);
  },

  /** Ends every worker; the next search starts a fresh pool. */
  retirePool() {
    this.pool.forEach((slot) => {
      clearTimeout(slot.watchdog);
      slot.worker.terminate();
    });
    this.pool = [];
    this.poolKey = null;
    this.inspector?.then((w) => w.worker.terminate(), () => {});
    this.inspector = null;
  },

  /** A worker with a Scorer for the pool's settings: resolves to a free slot once it is ready. */
  spawnWorker(started = [], compute = 'cpu') {
    return new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
      started.push(worker);
      worker.onmessage = ({ data }) => {
        if (data.type === 'ready') resolve({ worker, busy: false, compute: data.compute, gpu: data.compute?.running === 'gpu' });
        else reject(new Error(data.message));
      };
      worker.onerror = (e) => reject(new Error(e.message || 'a worker failed to start'));
      worker.postMessage({ type: 'init', module: this.build.module, compiled: this.build.compiled, ...this.workerInit, compute });
    });
  },

  /**
   * A worker died with a trial in flight (a crash, out of memory, a killed thread): the trial goes
   * back to the queue (nothing was recorded for it), a fresh worker takes the slot, and the search
   * goes on. A worker that cannot be restarted ends the search with an error.
   */
  async replaceWorker(slot, id, run) {
    clearTimeout(slot.watchdog);
    if (slot.down) return; // already being replaced
    slot.worker.onmessage = null;
    slot.worker.onerror = null;
    slot.worker.terminate();
    this.inflight?.delete(id);
    slot.down = true; // out of service until its replacement is ready
    this.restarts = (this.restarts ?? 0) + 1;
    try {
      const fresh = await this.spawnWorker([], slot.gpu ? this.compute.choice : 'cpu');
      slot.worker = fresh.worker;
      slot.busy = false;
      slot.down = false;
    } catch (e) {
      if (run === this.run) this.fail(`a worker died and could not be restarted: ${e.message ?? e}`);
      return;
    }
    this.pump(this.run);
  },

  /**
   * The GPU worker failed mid-search and scored its trial again on the CPU (so no score is lost):
   * it stays on as a CPU worker, and the rest of the CPU pool starts.
   */
  fellBack(slot, compute, run) {
    slot.gpu = false;
    this.setCompute({ choice: this.compute.choice, ...compute });
    this.fillPool().then(() => this.pump(run), (e) => this.fail(`the CPU pool did not start: ${e.message ?? e}`));
  },

  /**
   * One initialisation of a candidate trained again step by step, as the last search trained it
   * (`[{step, loss, cka: [3], rmi}]`), in a worker of its own so that a running search is not
   * held up.
   */
  async curve(arch, replicate = 0) {
    if (!this.workerInit || !this.settings) throw new Error('no search has trained candidates yet');
    // On the compute the search trains on (a GPU of its own), so that the curve ends at its score.
    const compute = this.compute?.running === 'gpu' ? this.compute.choice : 'cpu';
    const key = `${this.poolKey}/${compute}`;
    if (!this.inspector || this.inspectorKey !== key) {
      this.inspector?.then((w) => w.worker.terminate(), () => {});
      this.inspectorKey = key;
      this.inspector = this.spawnWorker([], compute).then((slot) => {
        slot.waiting = new Map();
        slot.worker.onmessage = ({ data }) => {
          const done = slot.waiting.get(data.id);
          slot.waiting.delete(data.id);
          if (data.type === 'curve') done?.resolve(data.curve);
          else done?.reject(new Error(data.message));
        };
        return slot;
      });
    }
    const slot = await this.inspector;
    const id = (this.curveId = (this.curveId ?? 0) + 1);
    return new Promise((resolve, reject) => {
      slot.waiting.set(id, { resolve, reject });
      slot.worker.postMessage({ type: 'curve', id, space: this.settings.space, arch, replicate });
    });
  },
};
