// The page's pure parts under node: the estimates' one formula and the fidelity note's prose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addTraining, passes, progress, seconds } from '../www/estimates.js';
import { fidelityNote, screeningWord } from '../www/notes.js';

test('work counts passes over the batch: K + 1 per training, a screen its own, a continued training less its screen', () => {
  assert.equal(passes({ trainings: 10 }, 20), 210);
  // 62 screens of 5 steps, 39 trainings to K = 20 of which 31 continue a screen.
  assert.equal(passes({ trainings: 39, screens: 62, screenSteps: 5, continued: 31 }, 20), 39 * 21 + 62 * 6 - 31 * 5);
  // Untrained screens are one forward pass each.
  assert.equal(passes({ trainings: 1, screens: 4, screenSteps: 0, continued: 1 }, 2), 3 + 4);
});

test('seconds follow the measured time per training, shared by the workers; unmeasured is null', () => {
  assert.equal(seconds(210, null, 2), null);
  const m = addTraining(addTraining(null, 20, 2100), 20, 2100);
  assert.equal(m.trainings, 2);
  assert.equal(seconds(210, m, 2), 10 * 2.1 / 2);
  // A new K starts a new record.
  assert.equal(addTraining(m, 10, 500).trainings, 1);
});

test('progress counts screens for their share of the work', () => {
  const p = progress({ done: { trainings: 1, screens: 4 }, planned: { trainings: 2, screens: 4 }, steps: 3, screenSteps: 0, elapsed: 8 });
  assert.equal(p.fraction, (4 + 4) / (8 + 4));
  assert.ok(Math.abs(p.secondsLeft - 4) < 1e-9);
  assert.equal(progress({ done: { trainings: 1 }, planned: { trainings: 2 }, steps: 3, elapsed: 1, finished: true }).fraction, 1);
});

const fidelity = {
  bundledReference: 'abc',
  batches: {
    cifar10: {
      samples: 500,
      reference: { sha256: 'abc', depth: 20 },
      k_sweep: [{ steps: 0, kendall_tau: 0.48, low: 0.44, high: 0.52 }, { steps: 5, kendall_tau: 0.53, low: 0.49, high: 0.57 }, { steps: 20, kendall_tau: 0.61, low: 0.57, high: 0.65, with_prior: { prior: 0.2, kendall_tau: 0.76, low: 0.73, high: 0.79 } }],
    },
  },
};
const settings = { space: 'nb201', batch: 'cifar10', steps: 20, mode: 'constrained', prior: 0 };

test('the fidelity note quotes the measured τ and what the schedule in force does', () => {
  const halving = fidelityNote({ fidelity, settings, schedule: 'halving', screenSteps: 5 });
  assert.match(halving, /^Proxy fidelity at K = 20: Kendall τ 0\.61 \[0\.57, 0\.65\] for RMI alone \(no complexity prior, as published\) vs CIFAR-10 accuracy over 500 NAS-Bench-201 cells \(FIDELITY\.md\)\./);
  // The fitness's ranking with the complexity prior, where the study measured that weight.
  const prior = fidelityNote({ fidelity, settings: { ...settings, prior: 0.2 }, schedule: 'halving', screenSteps: 5 });
  assert.match(prior, /^Proxy fidelity at K = 20: Kendall τ 0\.76 \[0\.73, 0\.79\] for RMI \+ 0\.2 × complexity \(RMI alone 0\.61\)/);
  assert.match(fidelityNote({ fidelity, settings: { ...settings, prior: 0.5 }, schedule: 'plain' }), /not measured with the complexity prior at w = 0\.5/);
  assert.match(halving, /trains its new candidates 5 steps \(K = 5: Kendall τ 0\.53/);
  assert.match(fidelityNote({ fidelity, settings: { ...settings, steps: 10 }, schedule: 'plain' }), /not measured at K = 10 \(K = 5: .*; K = 20: /);
  assert.match(fidelityNote({ fidelity, settings: { ...settings, mode: 'pareto' }, schedule: 'plain' }), /Pareto mode: every candidate is trained for K steps/);
  assert.match(fidelityNote({ fidelity, settings: { ...settings, steps: 3 }, schedule: 'halving', screenSteps: 0 }), /a quarter of K is no step/);
  assert.match(fidelityNote({ fidelity, settings, schedule: 'plain', userReference: true }), /not measured with your reference/);
  assert.match(fidelityNote({ fidelity, settings: { ...settings, space: 'fbnet' } }), /not measured for FBNet/);
  assert.equal(screeningWord(5), 'screenings of 5 steps');
  assert.equal(screeningWord(0, false), 'screened untrained');
});
