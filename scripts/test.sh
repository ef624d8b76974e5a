#!/usr/bin/env bash
# Runs every test: Rust unit and integration tests (server in-process and on
# loopback sockets, CLI end to end, mDNS inside private network namespaces),
# the UI's unit tests, browser tests against a real server in Chromium, the
# desktop window end to end under Xvfb, and a benchmark smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# A fresh clone gains nothing from incremental builds; they only fill the disk.
export CARGO_INCREMENTAL=0
echo "disk free before the build: $(df -h --output=avail . | tail -1 | tr -d ' ')"

step() { printf '\n==> %s\n' "$*"; }

step "UI build (embedded into the server at /ui/)"
npm run build --silent

step "OpenAPI document is up to date with the server"
cargo build -q -p leasehold-cli
target/debug/leasehold openapi > /tmp/leasehold-openapi.json
if ! cmp -s /tmp/leasehold-openapi.json ui/src/api/openapi.json; then
  echo "ui/src/api/openapi.json is stale: run 'target/debug/leasehold openapi > ui/src/api/openapi.json && npm run gen:api'" >&2
  exit 1
fi

step "Host types are up to date with host-openapi.json (the Rust test checks that file)"
node_modules/.bin/openapi-typescript ui/src/api/host-openapi.json -o /tmp/leasehold-host-schema.d.ts >/dev/null
if ! cmp -s /tmp/leasehold-host-schema.d.ts ui/src/api/host-schema.d.ts; then
  echo "ui/src/api/host-schema.d.ts is stale: run 'npm run gen:api'" >&2
  exit 1
fi

step "clippy"
cargo clippy -q --workspace --all-targets -- -D warnings

step "Rust tests"
cargo test -q --workspace 2>&1 | tee /tmp/leasehold-cargo-test.log | grep -E '^(test result|running|error|failures:|---- )' || true
if grep -qE '^test result: FAILED|^error' /tmp/leasehold-cargo-test.log || ! grep -q '^test result: ok' /tmp/leasehold-cargo-test.log; then
  cat /tmp/leasehold-cargo-test.log | tail -60
  exit 1
fi

step "UI unit tests"
npm test --silent

step "UI in Chromium against a real server"
LEASEHOLD_BIN=target/debug/leasehold node --test --test-concurrency=1 tests/ui/

if [ -x scripts/desktop-e2e.sh ]; then
  step "Desktop window end to end (Xvfb + tauri-driver)"
  bash scripts/desktop-e2e.sh
fi

if [ -x scripts/bench.sh ]; then
  step "Benchmark smoke run (prints figures, asserts nothing about speed)"
  LEASEHOLD_BENCH_PROFILE=debug bash scripts/bench.sh --quick
fi

passed=$(awk '/^test result: ok/ { for (i = 1; i <= NF; i++) if ($(i+1) ~ /^passed/) n += $i } END { print n + 0 }' /tmp/leasehold-cargo-test.log)
echo
echo "Rust: ${passed} passed, 0 failed"
echo "target/ after the run: $(du -sh target 2>/dev/null | cut -f1)"
