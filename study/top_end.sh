#!/usr/bin/env bash
# The top end of the K = 20 ranking, re-scored: the 60 best-scored of the fidelity study's 500
# cells (study/results/k_sweep_scores.csv, rmi_k20) trained again with the search's default batch
# at K = 20 (5 initialisations), K = 60 (3) and K = 150 (2). Writes study/results/top_end/k<K>_seed<S>.csv
# (index, rmi); study/ceiling.mjs reads them. About 15 minutes on one core.
set -euo pipefail
cd "$(dirname "$0")/.."
out=study/results/top_end
mkdir -p "$out"
cells=$(mktemp)
tail -n +2 study/results/k_sweep_scores.csv | sort -t, -k6 -g -r | head -60 | cut -d, -f1 > "$cells"
run() {
  local k=$1 seed=$2
  echo "top end: K = $k, seed $seed" >&2
  target/release/evrsnas score --space nb201 --archs-file "$cells" --json --steps "$k" --seed "$seed" |
    node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const rows = s.trim().split("\n").map((l) => JSON.parse(l));
      process.stdout.write("index,rmi\n" + rows.map((r) => `${r.index},${r.rmi}`).join("\n") + "\n"); });' > "$out/k${k}_seed${seed}.csv"
}
for seed in 0 1 2 3 4; do run 20 $seed; done
for seed in 0 1 2; do run 60 $seed; done
for seed in 0 1; do run 150 $seed; done
rm -f "$cells"
