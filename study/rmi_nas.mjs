// Issue 26's RMI-NAS preset (`--preset rmi-nas`: C = 16, N = 5, 150 steps, 32 of 512 cropped and
// flipped training images picked by the akamaster reference, the mixed loss as the score) on the
// first 100 cells of the score A/B, against the browser-sized variants' K = 20 scores on the same
// cells: Kendall τ with CIFAR-10 accuracy, with a bootstrap interval over cells.
//   node study/rmi_nas.mjs     (reads study/results/rmi_nas/preset_seed0.jsonl and score_ab/*_scores.csv)
import fs from 'node:fs';
import path from 'node:path';
import { cifar10, readCsv, root } from './files.mjs';
import { kendallTau } from './stats.mjs';

const preset = fs
  .readFileSync(path.join(root, 'study/results/rmi_nas/preset_seed0.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const cells = preset.map((r) => r.index);
const readScores = (variant) =>
  new Map(readCsv(path.join(root, `study/results/score_ab/${variant}_scores.csv`)).map((r) => [r.index, r.rmi_k20]));
// A deterministic bootstrap (xorshift) so the interval is the same on every run.
let state = 0x9e3779b9;
const random = () => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 2 ** 32;
};
function tauWithInterval(scores, truth) {
  const value = kendallTau(scores, truth);
  const draws = [];
  for (let b = 0; b < 1000; b++) {
    const pick = scores.map(() => Math.floor(random() * scores.length));
    draws.push(kendallTau(pick.map((i) => scores[i]), pick.map((i) => truth[i])));
  }
  draws.sort((a, b) => a - b);
  return `${value.toFixed(3)} [${draws[25].toFixed(3)}, ${draws[974].toFixed(3)}]`;
}
const truth = cells.map(cifar10);
const rows = [['rmi-nas preset (C = 16, N = 5, K = 150, mixed loss)', preset.map((r) => r.rmi)]];
for (const v of ['base', 'aka', 'aka-refpick', 'loss']) {
  const scores = readScores(v);
  rows.push([`${v} (K = 20)`, cells.map((i) => scores.get(i))]);
}
const diverged = preset.filter((r) => r.diverged).length;
console.log(`${cells.length} cells, ${diverged} diverged under the preset`);
// The mean true accuracy of each score's ten best-scored cells: what a pick from the top would get.
const topTen = (scores) => {
  const order = scores.map((s, i) => [s, truth[i]]).sort((a, b) => b[0] - a[0]).slice(0, 10);
  return (order.reduce((sum, [, t]) => sum + t, 0) / order.length).toFixed(2);
};
console.log('| score | τ with CIFAR-10 over the same cells [95 % bootstrap] | mean accuracy of its 10 best-scored |');
console.log('| --- | --- | --- |');
for (const [name, scores] of rows) console.log(`| ${name} | ${tauWithInterval(scores, truth)} | ${topTen(scores)} % |`);
const sorted = [...truth].sort((a, b) => b - a);
console.log(`the 10 most accurate of these cells: ${(sorted.slice(0, 10).reduce((a, b) => a + b, 0) / 10).toFixed(2)} %`);
// How the preset's best-scored cell compares with the best of the 100.
const best = preset.reduce((a, b) => (b.rmi > a.rmi ? b : a));
console.log(`preset's best-scored cell: ${best.index}, ${cifar10(best.index).toFixed(2)} % (best of these cells ${Math.max(...truth).toFixed(2)} %)`);
