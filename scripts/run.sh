#!/usr/bin/env bash
# The one command to build and run Lost Device: installs what is missing, builds, then serves the
# app at http://127.0.0.1:3000 (set LOST_DEVICE_PORT to change it). Data goes to ./data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
exec target/release/lost-device "$@"
