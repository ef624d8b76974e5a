#!/usr/bin/env bash
# End-to-end test of the desktop window under Xvfb (tests/desktop/e2e.mjs).
# Builds what it needs; exits non-zero on any failure.
set -uo pipefail
source "$(dirname "$0")/desktop-common.sh"

if ! desktop_tools || ! desktop_build; then
  echo "desktop e2e: 0 passed, 1 failed (could not build or find the tools)"
  exit 1
fi
under_xvfb node tests/desktop/e2e.mjs
