#!/usr/bin/env bash
# Issue 26's A/B of browser-sized scores: each variant scores the fidelity study's 500 NB201 cells
# (seed 0's sample, K = 20, also after 5 and 10 steps), then its own 60 best-scored cells again from
# a second initialisation (seed 1), so that study/score_ab.mjs can give the 500-cell τ, the top-60
# τ and the two initialisations' agreement at the top for every variant on the same cells.
#   study/score_ab.sh [BIN] VARIANT...   (variants below; about 17 minutes each on one core)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BIN:-target/release/evrsnas}
out=study/results/score_ab
mkdir -p "$out"
aka=../shared/data/resnet20_akamaster/resnet20_cifar10_akamaster.safetensors
flags() {
  case "$1" in
    base) echo "" ;;
    debiased) echo "--cka debiased" ;;
    aka) echo "--reference $aka" ;;
    aka-debiased) echo "--reference $aka --cka debiased" ;;
    b40-debiased) echo "--batch cifar10-and-100 --cka debiased" ;;
    aka-b40-debiased) echo "--reference $aka --batch cifar10-and-100 --cka debiased" ;;
    c16-debiased) echo "--nb201-channels 16 --cka debiased" ;;
    loss) echo "--score loss" ;;
    refpick) echo "--train-batch ../shared/data/cifar10_train --train-images 512 --keep-best 20" ;;
    aka-refpick) echo "--reference $aka --train-batch ../shared/data/cifar10_train --train-images 512 --keep-best 20" ;;
    c16) echo "--nb201-channels 16" ;;
    *) echo "unknown variant $1" >&2; exit 2 ;;
  esac
}
for v in "$@"; do
  f=$(flags "$v")
  echo "score_ab: $v ($f)" >&2
  # A variant already scored keeps its 500 scores (a rerun only adds what is missing).
  if [ ! -s "$out/$v.json" ]; then
    # shellcheck disable=SC2086
    "$bin" study --samples 500 --steps 20 --at 5,10 --scores "$out/${v}_scores.csv" $f > "$out/$v.json.part"
    mv "$out/$v.json.part" "$out/$v.json"
  fi
  cells=$(mktemp)
  # Sorted into a file first: head closing the pipe early would fail sort under pipefail.
  tail -n +2 "$out/${v}_scores.csv" | sort -t, -k4 -g -r > "$cells.sorted"
  head -60 "$cells.sorted" | cut -d, -f1 > "$cells"
  rm -f "$cells.sorted"
  # shellcheck disable=SC2086
  "$bin" score --space nb201 --archs-file "$cells" --json --seed 1 $f |
    node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const rows = s.trim().split("\n").map((l) => JSON.parse(l));
      process.stdout.write("index,rmi\n" + rows.map((r) => `${r.index},${r.rmi}`).join("\n") + "\n"); });' > "$out/${v}_top60_seed1.csv"
  rm -f "$cells"
done
