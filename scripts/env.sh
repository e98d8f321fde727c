# Sourced by the other scripts: the tools installed by setup.sh, first on PATH.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Tools from PyPI (cargo-audit) live outside the checkout, so `cargo clean` keeps them.
export LOST_DEVICE_TOOLS="$HOME/.local/lib/lost-device-tools"
export PATH="$root/node_modules/.bin:$HOME/.cargo/bin:$LOST_DEVICE_TOOLS/bin:$PATH"
