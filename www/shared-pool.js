// One set of workers for several explorers on a page (the <evrsnas-explorer> figures): one search
// trains at a time and the others queue in the order they asked, so that a page of figures never
// runs more workers than the machine has cores. An explorer holding the pool uses its workers as
// its own (pool.js); releasing hands them back with the scorer they were built for, so that the
// next search with the same scorer settings starts without rebuilding them.

export class SharedPool {
  constructor() {
    this.slots = [];
    this.key = null;
    this.workerInit = null;
    this.holder = null;
    this.queue = []; // [{explorer, resolve}]
  }

  /** Resolves once `explorer` holds the pool (at once when it is free or already its). */
  acquire(explorer) {
    if (!this.holder || this.holder === explorer) {
      this.holder = explorer;
      return Promise.resolve();
    }
    if (this.queue.some((q) => q.explorer === explorer)) return this.queue.find((q) => q.explorer === explorer).promise;
    let resolve;
    const promise = new Promise((r) => (resolve = r));
    this.queue.push({ explorer, resolve, promise });
    return promise;
  }

  /** Whether `explorer` waits for the pool. */
  waiting(explorer) {
    return this.queue.some((q) => q.explorer === explorer);
  }

  /**
   * `explorer` is done with the pool, its workers `slots` built for `key` and `workerInit` (none
   * when it never held it): the next in the queue gets them. A queued explorer leaves the queue.
   */
  release(explorer, slots = [], key = null, workerInit = null) {
    this.queue = this.queue.filter((q) => q.explorer !== explorer);
    if (this.holder !== explorer) return;
    this.slots = slots;
    this.key = key;
    this.workerInit = workerInit;
    this.holder = null;
    const next = this.queue.shift();
    if (next) {
      this.holder = next.explorer;
      next.resolve();
    }
  }

  /** Ends every idle worker (no figure is left on the page). */
  close() {
    if (this.holder) return;
    for (const slot of this.slots) {
      clearTimeout(slot.watchdog);
      slot.worker.terminate();
    }
    this.slots = [];
    this.key = null;
    this.workerInit = null;
  }
}
