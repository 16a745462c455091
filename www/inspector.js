// The teaching panel: one candidate from the inside. What it scored and why — its RMI as the sum
// of three stage CKAs, the penalty and the fitness, its cost against the budget, its true accuracy —
// with the numbers of the selected candidate, and its training step by step. The numbers are the
// library's (SearchSession.inspect, Scorer.curve); this file only lays them out.
import { curveChart } from './charts.js';
import { drawArch } from './arch-view.js';

const $ = (id) => document.getElementById(id);
const fmt = (v, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const STAGES = ['stage 1', 'stage 2', 'stage 3'];

/** The three CKA bars of one training step. */
function bars(cka) {
  $('inspect-bars').replaceChildren(...cka.map((c, i) => {
    const row = document.createElement('div');
    row.className = 'bar';
    const track = document.createElement('div');
    track.className = 'track';
    const fill = document.createElement('div');
    fill.className = 'fill';
    fill.style.width = `${Math.max(0, Math.min(1, c)) * 100}%`;
    track.append(fill);
    row.append(Object.assign(document.createElement('span'), { textContent: `CKA ${STAGES[i]}` }), track,
      Object.assign(document.createElement('span'), { textContent: fmt(c) }));
    return row;
  }));
}

/**
 * Fills the panel for `info` (SearchSession.inspect) with `curve` (Scorer.curve, or null while it
 * trains) at training step `step`; `steps` is the search's K, `unit` the cost's.
 */
export function renderInspection({ info, curve, step, steps, space, unit, layout, metric }) {
  $('inspect').hidden = false;
  $('inspect-arch').textContent = info.arch;
  drawArch($('inspect-view'), space, info.arch, layout);
  const slider = $('inspect-step');
  slider.max = String(curve ? curve.length - 1 : steps);
  slider.disabled = !curve;
  const at = curve ? curve[Math.min(step, curve.length - 1)] : null;
  $('inspect-step-text').textContent = curve ? `${at.step} of ${curve.length - 1}` : 'training it again to draw its curve…';
  bars(at ? at.cka : [0, 0, 0]);
  curveChart($('inspect-curve'), curve ?? [], at?.step ?? -1);
  // The explanation, with this candidate's numbers.
  const sum = at ? `after ${at.step} step${at.step === 1 ? '' : 's'}: RMI = CKA₁ + CKA₂ + CKA₃ = ${at.cka.map((c) => fmt(c)).join(' + ')} = ${fmt(at.rmi)}` : '';
  const replicas = info.scores.length > 1
    ? ` The search's RMI, ${fmt(info.rmi)}, is the mean of ${info.scores.length} initialisations (${info.scores.map((r) => fmt(r)).join(', ')}); the bars show the first.`
    : '';
  const shape = info.penaltyShape === 'hinge' ? 'max(0, cost − T)/T' : '|cost − T|/T';
  const share = info.cost / info.threshold;
  $('inspect-explain').textContent =
    `CKA (linear centred kernel alignment) says how alike two representations of the same images are, 1 meaning the same up to rotation and scale: here, each stage of this freshly initialised candidate against the same stage of the trained reference, ` +
    `trained ${steps} steps to match them. ${sum ? `${sum.charAt(0).toUpperCase()}${sum.slice(1)}.` : ''}${replicas} ` +
    `Penalty: λ·${shape} = ${fmt(info.lambda, 2)} × ${shape.replace('cost', fmt(info.cost)).replaceAll('T', fmt(info.threshold))} = ${fmt(info.penalty)}. ` +
    `${priorSentence(info)} ` +
    `Fitness = RMI${info.prior > 0 ? ' + prior' : ''} − penalty = ${fitnessSum(info)}. ` +
    `${metric.charAt(0).toUpperCase()}${metric.slice(1)} ${fmt(info.cost)} ${unit} (${info.measured ? 'measured' : 'estimated'}) is ${Math.round(share * 100)} % of the ${info.threshold} ${unit} budget: ${info.feasible ? 'within' : 'over'} it` +
    (info.onFront ? '; on the front of RMI against cost.' : '.');
  $('inspect-truth').textContent = info.truth
    ? `True accuracy (NAS-Bench-201): CIFAR-10 ${fmt(info.truth[0], 2)} %, CIFAR-100 ${fmt(info.truth[1], 2)} %, ImageNet16-120 ${fmt(info.truth[2], 2)} %; ` +
      `rank ${info.rank.toLocaleString('en')} of ${info.cells.toLocaleString('en')} cells by CIFAR-10.`
    : space === 'nb201' ? '' : 'FBNet has no ground-truth accuracies here.';
}

/** The fitness's sum with this candidate's numbers: `RMI [+ prior] − penalty = fitness`. */
export function fitnessSum(info) {
  const prior = info.prior > 0 ? ` + ${fmt(info.priorTerm)}` : '';
  return `${fmt(info.rmi)}${prior} − ${fmt(info.penalty)} = ${fmt(info.fitness)}`;
}

/** The complexity prior's part of a candidate's fitness, in words (SearchSession.inspect's numbers). */
export function priorSentence(info) {
  const more = `its full-size network has more multiply-accumulates than ${Math.round(info.complexity * 100)} % of the space's`;
  return info.prior > 0
    ? `Complexity prior: w × complexity = ${fmt(info.prior, 2)} × ${fmt(info.complexity, 2)} = ${fmt(info.priorTerm)} (${more}: a few steps on one batch cannot show what size buys in full training).`
    : `No complexity prior (w = 0, RMI alone as published; ${more}).`;
}

export function hideInspection() {
  $('inspect').hidden = true;
}
