#!/usr/bin/env bash
# The Pareto study (FIDELITY.md, "Pareto mode"): run from the repository root after
# `cargo build --release`. Writes study/results/pareto_*.json; the scores are kept in
# target/study-memo-*.json so that each cell is trained once across the variants.
set -euo pipefail
bin=${BIN:-target/release/evrsnas}
out=study/results
part=${1:-all}
if [[ $part == all || $part == pareto ]]; then
  memo=target/study-memo-pareto.json
  # The default (12 × 6, cost niches) with random cells beside it, then the other ways of
  # covering the cost axis, then twice the trainings.
  $bin study-pareto --memo $memo --strategies pareto,random > $out/pareto_p12g6-budgets.json
  $bin study-pareto --memo $memo --strategies pareto --coverage niches > $out/pareto_p12g6-niches.json
  $bin study-pareto --memo $memo --strategies pareto --coverage diversity > $out/pareto_p12g6-diversity.json
  $bin study-pareto --memo $memo --strategies pareto --population 16 --generations 8 > $out/pareto_p16g8-budgets.json
  $bin study-pareto --memo $memo --strategies pareto --coverage none > $out/pareto_p12g6-none.json
fi
if [[ $part == all || $part == constrained ]]; then
  for seed in ${SEEDS:-0 1 2}; do
    $bin study-pareto --memo target/study-memo-constrained.json --strategies constrained --seeds $seed \
      > $out/pareto_constrained_seed$seed.json
  done
fi
