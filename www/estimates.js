// How long a search takes: one formula for its work, counted in passes over the batch (a K-step
// training is K + 1: K updates, then the forward pass that scores it), for the plan before Run,
// the progress bar and time left during it, and the embed's autorun limit. Pure: no DOM, no
// library (tests/estimates.test.mjs runs it under node).

/** Where the measured time per training outlives the page. */
export const MEASURED_KEY = 'evrsnas.measured';

/**
 * Passes over the batch of `trainings` K-step trainings and `screens` screens of `screenSteps`
 * steps (0: one untrained forward pass), of which `continued` trainings continue a screen's and
 * do not repeat its steps.
 */
export function passes({ trainings, screens = 0, screenSteps = null, continued = 0 }, steps) {
  const screen = screenSteps ?? 0;
  return trainings * (steps + 1) + screens * (screen + 1) - continued * screen;
}

/** Seconds for `work` passes on `workers` workers at `measured`'s time per training; null unmeasured. */
export function seconds(work, measured, workers) {
  if (!(measured?.msPerTraining > 0)) return null;
  const perPass = measured.msPerTraining / (measured.steps + 1);
  return (work * perPass) / workers / 1000;
}

/** `measured` with one more training of `ms` at K = `steps` (a new record when K changed). */
export function addTraining(measured, steps, ms) {
  const m = measured?.steps === steps ? { ...measured } : { steps, trainings: 0, totalMs: 0 };
  m.trainings += 1;
  m.totalMs += ms;
  m.msPerTraining = m.totalMs / m.trainings;
  return m;
}

/**
 * A search's progress: `done` and `planned` as {trainings, screens}, at K = `steps` with screens
 * of `screenSteps`, `elapsed` seconds in. Returns the fraction done and the seconds left at the
 * rate so far.
 */
export function progress({ done, planned, steps, screenSteps, elapsed, finished }) {
  const doneWork = passes({ ...done, screenSteps }, steps);
  const plannedWork = Math.max(passes({ ...planned, screenSteps }, steps), doneWork);
  const rate = doneWork / Math.max(elapsed, 1e-3);
  return {
    fraction: finished ? 1 : Math.min(1, doneWork / Math.max(plannedWork, 1e-9)),
    secondsLeft: Math.max(0, (plannedWork - doneWork) / Math.max(rate, 1e-9)),
  };
}
