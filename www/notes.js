// The page's prose about a search, as pure functions of plain values (no DOM): tested under node
// (tests/notes.test.mjs).

/** "untrained screenings", or "screenings of 5 steps". */
export function screeningWord(steps, plural = true) {
  const word = plural ? 'screenings' : 'screened';
  return steps ? (plural ? `${word} of ${steps} steps` : `${word} at ${steps} steps`) : (plural ? `untrained ${word}` : `${word} untrained`);
}

/**
 * The note under the settings: what the fidelity study measured for the chosen K (NB201 only:
 * FBNet has no ground truth here) and what the `schedule` in force (the library's, from the plan)
 * does, with `screenSteps` its screens' steps.
 */
export function fidelityNote({ fidelity: f, settings, schedule, screenSteps, userReference, userBatch }) {
  if (settings.space !== 'nb201') return 'Proxy fidelity: not measured for FBNet (no ground-truth accuracies bundled).';
  if (userReference) return 'Proxy fidelity: not measured with your reference (FIDELITY.md measured it with the bundled one).';
  if (userBatch) {
    return "Proxy fidelity: not measured on your images (FIDELITY.md measured it on the bundled batches). The true accuracies in the table are NAS-Bench-201's, on CIFAR.";
  }
  const measured = f.batches[settings.batch];
  if (!measured) return 'Proxy fidelity: not measured with this batch.';
  const rows = [...measured.k_sweep].sort((a, b) => a.steps - b.steps);
  const tau = (r) => `Kendall τ ${r.kendall_tau.toFixed(2)} [${r.low.toFixed(2)}, ${r.high.toFixed(2)}]`;
  // The fitness ranks by RMI + w·complexity: the figure for the chosen w where it was measured.
  const ranked = (r) => {
    const w = settings.prior ?? 0;
    if (w === 0) return `${tau(r)} for RMI alone (no complexity prior, as published)`;
    if (r.with_prior?.prior === w) return `${tau(r.with_prior)} for RMI + ${w} × complexity (RMI alone ${r.kendall_tau.toFixed(2)})`;
    return `${tau(r)} for RMI alone (not measured with the complexity prior at w = ${w})`;
  };
  const exact = rows.find((r) => r.steps === settings.steps);
  const sameReference = measured.reference.sha256 === f.bundledReference;
  const where = `vs CIFAR-10 accuracy over ${measured.samples} NAS-Bench-201 cells (FIDELITY.md` +
    (sameReference ? ')' : `; measured with an earlier reference model, ResNet-${measured.reference.depth})`);
  // What the schedule does with those figures: a screen ranks by its own (fewer) steps' score first.
  const untrained = rows.find((r) => r.steps === 0);
  const halvingSteps = schedule === 'halving' ? screenSteps : null;
  const halving = rows.find((r) => r.steps === halvingSteps);
  const scheduleNote = settings.mode === 'pareto'
    ? ' Pareto mode: every candidate is trained for K steps; the first generation is spread over the cost axis, parents are chosen from all of them by NSGA-II over (RMI, cost), and the front\'s members are trained twice more (“×3”). The budget then picks, without training, the best candidate within it (confirmed ones first, by fitness).'
    : schedule === 'screened'
    ? ` Schedule: each generation scores its new candidates untrained${untrained ? ` (K = 0: ${tau(untrained)})` : ''} and trains the better half for K steps; the rest stay out of the table.`
    : schedule === 'halving' && halvingSteps === 0
    ? ` Schedule: at this K a quarter of K is no step, so each generation scores its new candidates untrained${halving ? ` (K = 0: ${tau(halving)})` : ''} and trains the better half for K steps; the rest stay out of the table.`
    : schedule === 'halving'
    ? ` Schedule: each generation trains its new candidates ${halvingSteps} step${halvingSteps === 1 ? '' : 's'}${halving ? ` (K = ${halvingSteps}: ${tau(halving)})` : ''}, then continues the better half's training to K steps; the rest stay out of the table.`
    : ' Schedule: every candidate is trained for K steps.';
  if (exact) return `Proxy fidelity at K = ${exact.steps}: ${ranked(exact)} ${where}.${scheduleNote}`;
  const below = rows.filter((r) => r.steps < settings.steps).pop();
  const above = rows.find((r) => r.steps > settings.steps);
  const near = [below, above].filter(Boolean).map((r) => `K = ${r.steps}: ${ranked(r)}`).join('; ');
  return `Proxy fidelity not measured at K = ${settings.steps} (${near}) ${where}.${scheduleNote}`;
}

