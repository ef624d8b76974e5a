#!/usr/bin/env bash
# Runs Leasehold: the desktop app where a display is available, otherwise the
# headless server with its admin URL printed (open it in a browser).
# Data lives in $LEASEHOLD_DATA_DIR (default: the platform's data directory).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run build --silent
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${LEASEHOLD_HEADLESS:-}" ]; then
  cargo build --release -p leasehold-desktop
  exec target/release/leasehold-desktop
fi
cargo build --release -p leasehold-cli
echo "No display found: starting the headless server. Open the 'admin UI' URL below in a browser."
exec target/release/leasehold serve "$@"
