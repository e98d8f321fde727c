#!/usr/bin/env bash
# Prints how long a report queued offline takes to show its reference once back online, beside
# a plain fetch of the same report, measured in the same run. Builds first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
scripts/build.sh
cd tests && node bench/report_bench.mjs
