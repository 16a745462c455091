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
  # 12 × 6 (the default size) with random cells beside it, each way of covering the cost axis (the
  # default: none, plain NSGA-II), then about twice the trainings.
  $bin study-pareto --memo $memo --strategies pareto,random --coverage budgets > $out/pareto_p12g6-budgets.json
  for coverage in niches diversity none; do
    $bin study-pareto --memo $memo --strategies pareto --coverage $coverage > $out/pareto_p12g6-$coverage.json
  done
  for coverage in budgets none; do
    $bin study-pareto --memo $memo --strategies pareto --coverage $coverage --population 16 --generations 8 \
      > $out/pareto_p16g8-$coverage.json
  done
fi
if [[ $part == all || $part == constrained ]]; then
  for seed in ${SEEDS:-0 1 2}; do
    $bin study-pareto --memo target/study-memo-constrained.json --strategies constrained --seeds $seed \
      > $out/pareto_constrained_seed$seed.json
  done
fi
