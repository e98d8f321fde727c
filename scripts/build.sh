#!/usr/bin/env bash
# Builds the site (WebAssembly, JS, CSS, assets, precompressed) and the server, in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
cargo leptos build --release --precompress "$@"
