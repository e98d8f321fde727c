#!/usr/bin/env bash
# Prints the intake server's throughput and latency on loopback, in one bounded run (REQUESTS
# per run, default 4000): new reports, repeats of the same ids, and GET /healthz as the baseline,
# first with the embedded SQLite database, then with PostgreSQL (a throwaway server started
# here). Both forward every new report to the default Maildir as they go, and check every report
# against rate limits set too high to refuse any (their cost is measured, not their refusals).
# BASELINE=path/to/an/earlier/lost-device adds that build, on SQLite, to the same run.
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

# Starts the server binary $1 with the flags that follow; prints its URL.
start() {
  local data binary=$1
  shift
  data=$(mktemp -d "$work/data.XXXX")
  "$binary" --port 0 --data-dir "$data" --site-root target/site "$@" > "$data/server.log" 2>&1 &
  echo $! >> "$work/pids"
  for _ in $(seq 100); do grep -q "running at" "$data/server.log" && break; sleep 0.1; done
  sed -n 's/.*running at \(http:[^ ]*\)/\1/p' "$data/server.log"
}

# Loads the server at $1, then stops it (the most recent started), so that its forwarder, still
# writing the run's emails, does not slow down the next server measured.
load() {
  target/release/intake-load "$1" "${REQUESTS:-4000}" "${CONNECTIONS:-16}"
  kill -9 "$(tail -1 "$work/pids")" 2>/dev/null || true
  sleep 2
}

# Rate limits set too high to refuse anything: their checks run, their refusals do not.
unlimited=(--rate-limit-per-client 1000000000 --rate-limit-global 1000000000)

# BASELINE names an earlier build's server binary (with target/release/hash.txt beside it), run
# first in the same run for a side-by-side comparison.
if [ -n "${BASELINE:-}" ]; then
  echo "== SQLite, baseline build: $BASELINE"
  load "$(start "$BASELINE" "${unlimited[@]}")"
  echo
fi
echo "== SQLite (embedded, the default)"
load "$(start target/release/lost-device "${unlimited[@]}")"
echo
echo "== PostgreSQL 15 (one server on loopback)"
load "$(start target/release/lost-device "${unlimited[@]}" --database "$postgres")"
