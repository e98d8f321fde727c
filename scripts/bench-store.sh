#!/usr/bin/env bash
# Compares the store's intake with an older revision's, in one run: the same driver
# (report-store/examples/intake_bench.rs as it is now) built on this tree's store and on the
# older one's, run in turn on SQLite (without and with the high-water mark) and on a throwaway
# PostgreSQL server.
#
#   scripts/bench-store.sh BASELINE_REV [REPORTS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
source scripts/env.sh
baseline=$1
reports=${2:-4000}
rounds=${3:-3}
work=target/bench-store
rm -rf "$work/baseline"
mkdir -p "$work/baseline"
git archive "$baseline" | tar -x -C "$work/baseline"
cp -r report-store/examples/intake_bench.rs report-store/examples/common "$work/baseline/report-store/examples/"
cargo build --quiet --release -p report-store --example intake_bench
CARGO_TARGET_DIR=$work/target cargo build --quiet --release \
  --manifest-path "$work/baseline/Cargo.toml" -p report-store --example intake_bench
postgres=$(scripts/postgres-for-tests.sh $$)
echo "this tree against $baseline ($(git rev-parse --short "$baseline")), $rounds rounds in turn"
for round in $(seq "$rounds"); do
  echo "round $round, this tree:"
  target/release/examples/intake_bench "$reports" 1 "$postgres" | tail -n 1
  echo "round $round, $baseline:"
  "$work/target/release/examples/intake_bench" "$reports" 1 "$postgres" | tail -n 1
done
