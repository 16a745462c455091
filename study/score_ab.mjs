// Issue 26's score A/B (study/score_ab.sh), per variant on the same 500 NB201 cells: Kendall τ with
// CIFAR-10 accuracy over all of them (from the study's JSON, with its bootstrap interval), τ among
// the variant's own 60 best-scored cells, and how well a second initialisation agrees there.
//   node study/score_ab.mjs [--fidelity] [VARIANT...]   (--fidelity: into FIDELITY.md's <!-- score_ab --> markers)
import fs from 'node:fs';
import path from 'node:path';
import { cifar10, readCsv, root } from './files.mjs';
import { kendallTau } from './stats.mjs';

const dir = path.join(root, 'study/results/score_ab');
const args = process.argv.slice(2);
const intoFidelity = args.includes('--fidelity');
const named = args.filter((a) => a !== '--fidelity');
// Every variant with its 500 scores; the top-60 columns where the second initialisation ran.
const variants = named.length ? named : fs.readdirSync(dir).filter((f) => f.endsWith('_scores.csv')).map((f) => f.replace('_scores.csv', ''));
const rows = [];
for (const v of variants) {
  const study = JSON.parse(fs.readFileSync(path.join(dir, `${v}.json`), 'utf8'));
  const k20 = study.results.find((r) => r.steps === 20).cifar10.kendall_tau;
  const scores = readCsv(path.join(dir, `${v}_scores.csv`));
  const top = [...scores].sort((a, b) => b.rmi_k20 - a.rmi_k20).slice(0, 60);
  const againFile = path.join(dir, `${v}_top60_seed1.csv`);
  const again = fs.existsSync(againFile) ? new Map(readCsv(againFile).map((r) => [r.index, r.rmi])) : null;
  const first = top.map((r) => r.rmi_k20);
  const second = again && top.map((r) => again.get(r.index));
  const acc = top.map((r) => cifar10(r.index));
  rows.push({
    variant: v,
    tau500: `${k20.value.toFixed(3)} [${k20.low.toFixed(3)}, ${k20.high.toFixed(3)}]`,
    top60: kendallTau(first, acc).toFixed(3),
    agreement: second ? kendallTau(first, second).toFixed(3) : 'not run',
    meanOfTwo: second ? kendallTau(first.map((x, i) => (x + second[i]) / 2), acc).toFixed(3) : 'not run',
    secondsPerCell: study.results.find((r) => r.steps === 20).seconds_per_candidate.toFixed(2),
  });
}
const table = [
  '| variant | 500-cell τ (K = 20) | top-60 τ | two initialisations at the top | top-60 τ of their mean | s per cell |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.variant} | ${r.tau500} | ${r.top60} | ${r.agreement} | ${r.meanOfTwo} | ${r.secondsPerCell} |`),
].join('\n');
console.log(table);
if (intoFidelity) {
  const file = path.join(root, 'FIDELITY.md');
  const text = fs.readFileSync(file, 'utf8');
  const updated = text.replace(/<!-- score_ab -->[\s\S]*?<!-- \/score_ab -->/, `<!-- score_ab -->\n${table}\n<!-- /score_ab -->`);
  if (updated === text && !text.includes(table)) throw new Error('FIDELITY.md has no <!-- score_ab --> markers');
  fs.writeFileSync(file, updated);
}
