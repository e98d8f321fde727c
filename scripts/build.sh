#!/usr/bin/env bash
# Builds the release: the offline worker's WebAssembly, then the site (app WebAssembly, JS, CSS,
# assets, all precompressed) and the server, with cargo-leptos. Extra arguments go to cargo-leptos.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

# cargo-leptos downloads any tool it cannot find on PATH, from a host these machines cannot reach.
# Make sure it never has to: every tool it uses must already be here (scripts/setup.sh).
for tool in cargo-leptos wasm-bindgen wasm-opt node_modules/.bin/sass; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: run scripts/setup.sh first" >&2; exit 1; }
done

# The worker's Rust code goes into public/sw/ (not committed), which cargo-leptos then copies
# into the site and precompresses with everything else.
cargo build -p service-worker --lib --target wasm32-unknown-unknown --profile wasm-release --locked
mkdir -p public/sw
wasm-bindgen --target no-modules --no-typescript --out-dir public/sw --out-name lost-device-sw \
  target/wasm32-unknown-unknown/wasm-release/service_worker.wasm
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  public/sw/lost-device-sw_bg.wasm -o public/sw/lost-device-sw_bg.wasm

# The stylesheet: GOV.UK Frontend's Sass with the app's own rules (npm's sass, from
# scripts/setup.sh), minified here (cargo-leptos passes a plain .css file on as it is, then
# hashes and precompresses it with the rest).
mkdir -p target/style
node_modules/.bin/sass --load-path=node_modules --no-source-map --quiet-deps --style=compressed \
  app/style/main.scss target/style/main.css

cargo leptos build --release --precompress "$@"
