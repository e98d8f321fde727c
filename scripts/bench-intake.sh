#!/usr/bin/env bash
# Prints the intake server's throughput and latency on loopback: new reports, repeats of the same
# ids, and GET /healthz as the baseline, in one bounded run (REQUESTS per run, default 4000).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
source scripts/env.sh
cargo build --release --locked -p intake-load
data=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$data"' EXIT
target/release/lost-device --port 0 --data-dir "$data" > "$data/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q "running at" "$data/server.log" && break; sleep 0.1; done
url=$(sed -n 's/.*running at \(http:[^ ]*\)/\1/p' "$data/server.log")
target/release/intake-load "$url" "${REQUESTS:-4000}" "${CONNECTIONS:-16}"
