#!/usr/bin/env bash
# Installs what building (and, with --tests, testing) needs, pinned, from the package registries
# only. Safe to run again: each step is skipped when the right version is already there.
#
#   scripts/setup.sh          toolchain, cargo-leptos, wasm-bindgen-cli, npm build tools
#   scripts/setup.sh --tests  the same, plus test packages and Debian's Chromium
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.11
RUST_VERSION=$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)
# wasm-bindgen-cli must be exactly the wasm-bindgen the app links, or the build fails late.
WASM_BINDGEN_VERSION=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')

say() { printf '\n==> %s\n' "$*"; }

# Installing tools with a quicker profile than their own (fat LTO, one codegen unit) saves
# ~15 minutes on 2 cores; the tools run for seconds, so their speed does not matter here.
quick_install() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 cargo install "$@"
}

if ! command -v rustup >/dev/null; then
  echo "rustup is needed (https://rustup.rs); this machine's image ships it." >&2
  exit 1
fi
if ! rustup run "$RUST_VERSION" rustc --version >/dev/null 2>&1 \
  || ! rustup target list --installed --toolchain "$RUST_VERSION" | grep -q wasm32-unknown-unknown; then
  say "Rust $RUST_VERSION with the wasm32 target"
  rustup toolchain install "$RUST_VERSION" --profile minimal --target wasm32-unknown-unknown \
    --component clippy --component rustfmt
fi

export PATH="$HOME/.cargo/bin:$PATH"
if [ "$(cargo leptos --version 2>/dev/null)" != "cargo-leptos $CARGO_LEPTOS_VERSION" ]; then
  say "cargo-leptos $CARGO_LEPTOS_VERSION (about 9 minutes, once per machine)"
  quick_install --locked --force cargo-leptos --version "$CARGO_LEPTOS_VERSION"
fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes, once per machine)"
  # Not --locked: its lock file wants a crate version the registry does not serve.
  quick_install --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# wasm-opt comes from npm (binaryen): cargo-leptos would otherwise try to download it. Sass and
# GOV.UK Frontend build the stylesheet.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/sass ] \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm build tools (wasm-opt, sass, govuk-frontend)"
  npm ci --no-audit --no-fund
fi

if [ "${1:-}" = "--tests" ]; then
  # cargo-audit checks Cargo.lock against the RustSec advisories: a prebuilt, hash-pinned wheel
  # from PyPI (seconds; building it with cargo install takes about ten minutes on 2 cores).
  source scripts/env.sh
  if [ "$(cargo-audit --version 2>/dev/null)" != "cargo-audit 0.22.2" ]; then
    say "cargo-audit 0.22.2"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --require-hashes \
      --target "$LOST_DEVICE_TOOLS" --upgrade -r scripts/tool-requirements.txt
  fi
  if [ ! -d tests/node_modules/playwright-core ] || [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; then
    say "npm test packages (playwright-core)"
    (cd tests && npm ci --no-audit --no-fund)
  fi
  # sqlite3: the browser tests count the reports in the server's database with it.
  # python3-aiosmtpd: a real SMTP server for the forwarding tests (run with Debian's python3).
  # postgresql: the store's tests run against a real PostgreSQL server too.
  if ! command -v chromium >/dev/null || ! command -v sqlite3 >/dev/null \
    || ! /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null \
    || [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
    say "Chromium, sqlite3, python3-aiosmtpd and postgresql from Debian's packages"
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      chromium sqlite3 python3-aiosmtpd postgresql-15 >/dev/null
  fi
fi
