#!/usr/bin/env bash
# The GPU path's benchmark table (BENCHMARKS.md's GPU section): run it on a machine with a GPU.
# Builds the CLI and the page, then times one NB201 candidate and one training step through wgpu
# natively and through WebGPU in headless Chromium, each beside the CPU path in the same run.
# Needs what ./dev test installs (Rust, cargo-make, Chromium, tests/node_modules); CHROMIUM=path
# picks another Chromium (a Chrome with your GPU's drivers).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin evrsnas
cargo make dist
(cd tests && npm install --no-audit --no-fund --silent)
node bench/gpu.mjs
