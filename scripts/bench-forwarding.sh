#!/usr/bin/env bash
# Prints how long a new report takes from the server's 201 answer to the incident mailbox (a real
# SMTP server on loopback, and the default Maildir), beside the 201 itself, in the same run.
# Builds first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
scripts/build.sh
cd tests && node bench/forwarding_bench.mjs
