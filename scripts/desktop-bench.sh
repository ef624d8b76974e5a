#!/usr/bin/env bash
# Time from starting the desktop app to its UI showing data (tests/desktop/bench.mjs),
# and the Computers tab with 10,000 leases (tests/desktop/bench-computers.mjs; LEASES=N).
# Prints figures, asserts nothing. RUNS=N for more starts; RELEASE=1 to time
# the release binary (target/release/leasehold-desktop, built if missing).
set -euo pipefail
source "$(dirname "$0")/desktop-common.sh"

desktop_tools
desktop_build
if [ "${RELEASE:-0}" = 1 ]; then
  [ -x target/release/leasehold-desktop ] || cargo build --release -p leasehold-desktop --features tauri/custom-protocol
  export LEASEHOLD_DESKTOP_BIN="$PWD/target/release/leasehold-desktop"
fi
under_xvfb node tests/desktop/bench.mjs
under_xvfb node tests/desktop/bench-computers.mjs
