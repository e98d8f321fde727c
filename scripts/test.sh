#!/usr/bin/env bash
# The one command to test Lost Device: installs what is missing, checks formatting and lints, runs
# the Rust tests, builds the release app (and a rehearsal build for the deploy test), then runs
# the browser tests in Debian's headless Chromium against the real server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
source scripts/env.sh

step() { printf '\n==> %s\n' "$*"; }

step "Formatting and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy -p app --features hydrate --target wasm32-unknown-unknown --locked -- -D warnings
# Known vulnerabilities in what Cargo.lock pulls in, from the RustSec snapshot beside the project
# (no network); an assessed one is ignored in .cargo/audit.toml with its reason.
cargo-audit audit --no-fetch --db ../shared/advisory-db
# Guidance must be in our own words: no run of ten words copied from the source pages.
python3 ../shared/tools/copied-sentences ../shared/guidance-source .

step "Rust tests"
cargo test --workspace --locked
# The next release's form (built into the deploy test's rehearsal) by its own rules.
cargo test -p incident-report --features next-form --lib --locked

step "Release builds"
# The rehearsal build is a deliberately changed app (text and markup) that the deploy test
# serves as "the next release". Built first and set aside, because cargo-leptos clears its output.
scripts/build.sh --features deploy-rehearsal
rm -rf target/rehearsal && mkdir -p target/rehearsal
cp -r target/site target/rehearsal/site
cp target/release/lost-device target/release/hash.txt target/rehearsal/
scripts/build.sh

step "Browser tests"
cd tests
node --test --test-concurrency=1 --test-reporter=spec
