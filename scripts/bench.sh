#!/usr/bin/env bash
# Prints the app's figures (bytes of a first visit, offline cold start) beside a plain static
# page of the same content, measured in the same run. Builds first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
scripts/build.sh
cd tests && node bench/guidance_bench.mjs
