#!/usr/bin/env bash
# Prints the app's figures (bytes of a first visit, offline cold start, a first visit over a weak
# link, Lighthouse) beside a plain
# static page of the same content, measured in the same run. Builds first. BENCH_BUILD=dir
# measures another build instead (a directory with `lost-device` and `site/`); BASELINE_BUILD=dir
# also measures one in the same runs, in turn with this one; RUNS=n sets the number of runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
scripts/build.sh
# Lighthouse only for the benchmarks: the tests do not need it.
if [ ! -d tests/bench/lighthouse/node_modules/lighthouse ] \
  || [ tests/bench/lighthouse/package-lock.json -nt tests/bench/lighthouse/node_modules/.package-lock.json ]; then
  (cd tests/bench/lighthouse && npm ci --no-audit --no-fund)
fi
cd tests
node bench/guidance_bench.mjs
node bench/first_visit_bench.mjs
node bench/lighthouse_bench.mjs
node bench/readme_figures.mjs
