#!/usr/bin/env bash
# Prints the intake server's throughput and latency on loopback, in one bounded run (REQUESTS
# per run, default 4000): new reports, repeats of the same ids, and GET /healthz as the baseline,
# first with the embedded SQLite database, then with PostgreSQL (a throwaway server started
# here). Both forward every new report to the default Maildir as they go, and check every report
# against rate limits set too high to refuse any (their cost is measured, not their refusals).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
scripts/build.sh
source scripts/env.sh
cargo build --release --locked -p intake-load
work=$(mktemp -d)
# start runs in a subshell ($(…)), so it records each server's process id in a file.
trap 'xargs -r kill -9 < "$work/pids" 2>/dev/null || true; rm -rf "$work"' EXIT
postgres=$(scripts/postgres-for-tests.sh $$)/postgres

# Starts the server with the extra flags given; prints its URL.
start() {
  local data
  data=$(mktemp -d "$work/data.XXXX")
  target/release/lost-device --port 0 --data-dir "$data" \
    --rate-limit-per-client 1000000000 --rate-limit-global 1000000000 "$@" > "$data/server.log" 2>&1 &
  echo $! >> "$work/pids"
  for _ in $(seq 100); do grep -q "running at" "$data/server.log" && break; sleep 0.1; done
  sed -n 's/.*running at \(http:[^ ]*\)/\1/p' "$data/server.log"
}

echo "== SQLite (embedded, the default)"
target/release/intake-load "$(start)" "${REQUESTS:-4000}" "${CONNECTIONS:-16}"
echo
echo "== PostgreSQL 15 (one server on loopback)"
target/release/intake-load "$(start --database "$postgres")" "${REQUESTS:-4000}" "${CONNECTIONS:-16}"
