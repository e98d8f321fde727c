#!/usr/bin/env bash
# Builds the release: the site (app WebAssembly, JS, CSS,
# assets, all precompressed) and the server, with cargo-leptos. Extra arguments go to cargo-leptos.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

# cargo-leptos downloads any tool it cannot find on PATH, from a host these machines cannot reach.
# Make sure it never has to: every tool it uses must already be here (scripts/setup.sh).
for tool in cargo-leptos wasm-bindgen wasm-opt node_modules/.bin/sass; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: run scripts/setup.sh first" >&2; exit 1; }
done

# The stylesheet: GOV.UK Frontend's Sass with the app's own rules (npm's sass, from
# scripts/setup.sh), minified here (cargo-leptos passes a plain .css file on as it is, then
# hashes and precompresses it with the rest).
mkdir -p target/style
node_modules/.bin/sass --load-path=node_modules --no-source-map --quiet-deps --style=compressed \
  app/style/main.scss target/style/main.css

cargo leptos build --release --precompress "$@"
