// The search's dispatch: hands the pending trials of the current generation to idle workers
// (a screened candidate's full training to the worker that screened it, which continues its
// paused training), records their scores, and advances the generation once all are in. Explorer's
// method (engine.js mixes it in), called whenever a worker frees up.

export const dispatchMethods = {
  pump(run) {
    if (run !== this.run || this.state !== 'running') return;
    const s = this.session;
    if (s.isDone()) return this.finish();
    // A trial is one initialisation of one architecture; finalists are trained more than once.
    const key = (t) => `${t.arch}#${t.replicate}` + (t.steps == null ? '' : `@${t.steps}`);
    const pending = s.pending().filter((t) => !this.inflight.has(key(t)));
    if (pending.length === 0 && this.inflight.size === 0) {
      let stats;
      try {
        stats = s.advance();
      } catch (e) {
        return this.fail(String(e.message ?? e));
      }
      // A generation's screens are continued within it: the next one screens its own.
      for (const slot of this.pool) slot.worker?.screened?.clear();
      this.emit('generation', { stats });
      this.emitProgress();
      if (s.isDone()) return this.finish();
      if (this.stepping) {
        this.stepping = false;
        return this.setState('paused');
      }
      return this.pump(run);
    }
    // A worker keeps the trainings its screens paused, so a kept candidate's full training goes
    // to the worker that screened it where it can (it continues there instead of starting over;
    // the score is the same either way); failing that, one no other worker has screened.
    const screener = (t) => this.pool.find((p) => p.worker?.screened?.has(`${t.arch}#${t.replicate}`));
    for (const slot of this.pool) {
      if (slot.busy || slot.down || pending.length === 0) continue;
      const own = pending.findIndex((t) => t.steps == null && screener(t) === slot);
      const free = pending.findIndex((t) => !screener(t) || screener(t).down);
      const [trial] = pending.splice(own >= 0 ? own : free >= 0 ? free : 0, 1);
      const id = key(trial);
      slot.busy = true;
      this.inflight.add(id);
      // A worker that dies silently (terminated, killed by the browser) never answers: after far
      // longer than any training has taken here, its trial goes to a fresh worker.
      const floor = this.trialTimeoutMs ?? 120_000 + 2_000 * this.settings.steps;
      const patience = Math.max(floor, 20 * (this.measured?.msPerTraining ?? 0));
      clearTimeout(slot.watchdog);
      slot.watchdog = setTimeout(() => this.replaceWorker(slot, id, run), patience);
      slot.worker.onmessage = ({ data }) => {
        // A worker answers in order; an answer for another trial belongs to a stopped run.
        if (data.id !== id) return;
        clearTimeout(slot.watchdog);
        slot.busy = false;
        if (run !== this.run) return this.pump(this.run);
        this.inflight.delete(id);
        if (data.type === 'error') {
          // The worker's wasm may be left unusable by a trap: the next search starts fresh ones.
          this.retirePool();
          return this.fail(`scoring ${trial.arch} failed: ${data.message}`);
        }
        try {
          s.record(trial.arch, trial.replicate, data.rmi, trial.steps);
        } catch (e) {
          return this.fail(String(e.message ?? e));
        }
        // The time per training is a fresh one's; a continued training says how far it skipped.
        if (trial.steps == null && data.resumed == null) this.measure(data.ms);
        if (trial.steps != null) (slot.worker.screened ??= new Set()).add(`${trial.arch}#${trial.replicate}`);
        if (data.compute) this.fellBack(slot, data.compute, run);
        this.scheduleProgress();
        // Paused mid-generation: in-flight results are kept, nothing new is dispatched.
        this.pump(run);
      };
      slot.worker.onerror = () => this.replaceWorker(slot, id, run);
      slot.worker.postMessage({ type: 'score', id, space: this.settings.space, arch: trial.arch, replicate: trial.replicate, steps: trial.steps });
    }
  },
};
