// What the study scripts read, written once: the bundled true accuracies and the studies' CSV files.
import fs from 'node:fs';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '..');

// static/truth/nb201_accuracy.bin: magic, then 15,625 f32 CIFAR-10 accuracies first (FORMATS.md).
const truth = fs.readFileSync(path.join(root, 'static/truth/nb201_accuracy.bin'));

/** NAS-Bench-201's CIFAR-10 test accuracy (%) of cell `i`. */
export const cifar10 = (i) => truth.readFloatLE(8 + 4 * i);

/** A CSV file of numbers with a header row, as objects by column name. */
export function readCsv(file) {
  const [head, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], Number(v)])));
}
