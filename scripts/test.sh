#!/usr/bin/env bash
# Runs every test: formatting, generated files, clippy, Rust unit and
# integration tests (server in-process and on loopback sockets, CLI end to
# end, mDNS inside private network namespaces), the UI's unit tests, browser
# tests against a real server in Chromium, the desktop window end to end under
# Xvfb, and a benchmark smoke run. Every group runs; the closing line sums
# their real counts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# A fresh clone gains nothing from incremental builds; they only fill the disk.
export CARGO_INCREMENTAL=0
echo "disk free before the build: $(df -h --output=avail . | tail -1 | tr -d ' ')"

# A full run leaves about 6 GB in target/. On a disk with less than
# LEASEHOLD_DISK_NEED_GB (8) free, a fresh clone builds in memory
# (/dev/shm, removed at exit) when that has 12 GB free; otherwise the run stops
# here and says what to free, instead of failing mid-build with ENOSPC.
need_gb=${LEASEHOLD_DISK_NEED_GB:-8}
free_gb=$(($(df -k --output=avail . | tail -1) / 1024 / 1024))
if [ "$free_gb" -lt "$need_gb" ]; then
  shm_gb=$(($(df -k --output=avail /dev/shm 2>/dev/null | tail -1 || echo 0) / 1024 / 1024))
  if [ ! -e target ] && [ "$shm_gb" -ge 12 ]; then
    in_memory=$(mktemp -d /dev/shm/leasehold-target.XXXXXX)
    ln -s "$in_memory" target
    trap 'rm -rf "$in_memory" target' EXIT
    echo "only $free_gb GB free on disk (need $need_gb): building in $in_memory ($shm_gb GB free there), removed at exit"
  else
    echo "error: only $free_gb GB free on disk; the build and tests need about $need_gb GB." >&2
    echo "Free space (an old target/ is the usual culprit: cargo clean), then run again." >&2
    exit 1
  fi
fi

# Each group's time, printed as the next begins (and at the end), so the
# 15-minute budget can be kept with figures.
step_name=""
step_start=$SECONDS
step() {
  if [ -n "$step_name" ]; then
    echo "(took $((SECONDS - step_start)) s: $step_name)"
  fi
  step_name="$*"
  step_start=$SECONDS
  printf '\n==> %s\n' "$*"
}

# Every group's real count, summed for the closing line.
total_passed=0
total_failed=0
count() { # count GROUP PASSED FAILED
  echo "$1: $2 passed, $3 failed"
  total_passed=$((total_passed + $2))
  total_failed=$((total_failed + $3))
}

step "Formatting (cargo fmt --check with rustfmt.toml)"
if ! cargo fmt --all -- --check >/tmp/leasehold-fmt.log 2>&1; then
  head -40 /tmp/leasehold-fmt.log
  echo "not formatted: run 'cargo fmt --all'" >&2
  exit 1
fi

step "UI build (embedded into the server at /ui/)"
npm run build --silent

# Clippy lints every workspace crate as the one debug build compiles it
# (clippy-driver as the workspace's rustc, every warning an error): its
# verdict costs no second compile of the dependencies, and every later cargo
# call of this run sees the same settings, so it reuses that build.
export RUSTC_WORKSPACE_WRAPPER=clippy-driver
export RUSTFLAGS="-D warnings"

step "The debug build, linted (scripts/debug-build.sh: every crate, binary and test, once; clippy with the workspace lints, no warnings)"
bash scripts/debug-build.sh

step "Generated files are up to date: both OpenAPI documents and their TypeScript types"
target/debug/leasehold openapi > /tmp/leasehold-openapi.json
stale=()
cmp -s /tmp/leasehold-openapi.json ui/src/api/openapi.json ||
  stale+=("ui/src/api/openapi.json (target/debug/leasehold openapi > ui/src/api/openapi.json)")
# host-openapi.json is written from the desktop app's Rust types; a Rust test
# in src-tauri fails when it is stale.
for doc in openapi host-openapi; do
  schema="${doc%openapi}schema.d.ts"
  node_modules/.bin/openapi-typescript "ui/src/api/$doc.json" -o "/tmp/leasehold-$schema" >/dev/null
  cmp -s "/tmp/leasehold-$schema" "ui/src/api/$schema" || stale+=("ui/src/api/$schema (npm run gen:api)")
done
if ((${#stale[@]})); then
  printf 'stale: %s\n' "${stale[@]}" >&2
  exit 1
fi

step "Rust tests"
cargo test -q --workspace 2>&1 | tee /tmp/leasehold-cargo-test.log | grep -E '^(test result|running|error|failures:|---- )' || true
if grep -qE '^test result: FAILED|^error' /tmp/leasehold-cargo-test.log || ! grep -q '^test result: ok' /tmp/leasehold-cargo-test.log; then
  tail -60 /tmp/leasehold-cargo-test.log
  exit 1
fi
rust_passed=$(awk '/^test result: ok/ { for (i = 1; i <= NF; i++) if ($(i+1) ~ /^passed/) n += $i } END { print n + 0 }' /tmp/leasehold-cargo-test.log)

step "Python binding (pytest against a real server)"
python3 -m pytest -q -p no:cacheprovider bindings/python/tests 2>&1 | tee /tmp/leasehold-pytest.log
python_passed=$(grep -oE '[0-9]+ passed' /tmp/leasehold-pytest.log | tail -1 | grep -oE '[0-9]+' || true)
python_failed=$({ grep -oE '[0-9]+ (failed|errors?)' /tmp/leasehold-pytest.log || true; } | awk '{ n += $1 } END { print n + 0 }')

step "The vendor SDK archive (scripts/sdk.sh): contents, the C example and the wheel from it alone"
bash scripts/sdk-check.sh 2>&1 | tee /tmp/leasehold-sdk.log
sdk=$(grep -E '^sdk archive: [0-9]+ passed, [0-9]+ failed' /tmp/leasehold-sdk.log | tail -1)
sdk_passed=$(echo "$sdk" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || true)
sdk_failed=$(echo "$sdk" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || true)

step "The OpenAPI document is the contract (Schemathesis against a real server, 60 s)"
bash scripts/api-contract.sh 60 2>&1 | tee /tmp/leasehold-contract.log | grep -E '^(api contract|[=_]{3,}|- ST|Seed)' || true
contract=$(grep -E '^api contract: [0-9]+ passed, [0-9]+ failed' /tmp/leasehold-contract.log | tail -1 || true)
contract_passed=$(echo "$contract" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || true)
contract_failed=$(echo "$contract" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || true)

step "UI unit tests"
npm test --silent 2>&1 | tee /tmp/leasehold-vitest.log
ui_passed=$(sed 's/\x1b\[[0-9;]*m//g' /tmp/leasehold-vitest.log | grep -E '^ *Tests ' | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || true)

step "UI in Chromium against a real server"
# Two files at a time: each starts its own server and browser, and most of
# a browser test is waiting (95 s instead of 156 s on 2 cores).
LEASEHOLD_BIN=target/debug/leasehold node --test --test-concurrency=2 tests/ui/ 2>&1 | tee /tmp/leasehold-browser.log
browser_passed=$(awk '/^# pass / { print $3 }' /tmp/leasehold-browser.log)
browser_failed=$(awk '/^# fail / { print $3 }' /tmp/leasehold-browser.log)

step "Desktop window end to end (Xvfb + tauri-driver)"
bash scripts/desktop-e2e.sh 2>&1 | tee /tmp/leasehold-desktop.log
desktop=$(grep -E '^desktop e2e: [0-9]+ passed, [0-9]+ failed' /tmp/leasehold-desktop.log | tail -1)
desktop_passed=$(echo "$desktop" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || true)
desktop_failed=$(echo "$desktop" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || true)

step "Benchmark smoke run (fails on an oversell or a wrong count; asserts nothing about speed)"
LEASEHOLD_BENCH_PROFILE=debug bash scripts/bench.sh --quick

# Last: it recompiles the server and CLI with a built-in key.
step "A vendor's build with a built-in key trusts only that key"
bash scripts/builtin-trust-check.sh 2>&1 | tee /tmp/leasehold-builtin.log
builtin=$(grep -E '^builtin trust: [0-9]+ passed, [0-9]+ failed' /tmp/leasehold-builtin.log | tail -1)
builtin_passed=$(echo "$builtin" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || true)
builtin_failed=$(echo "$builtin" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || true)
echo "(took $((SECONDS - step_start)) s: $step_name)"
echo "the whole run: $((SECONDS / 60)) min $((SECONDS % 60)) s"

echo
count "Rust" "$rust_passed" 0
count "Python binding" "${python_passed:-0}" "${python_failed:-0}"
count "SDK archive" "${sdk_passed:-0}" "${sdk_failed:-0}"
count "API contract" "${contract_passed:-0}" "${contract_failed:-0}"
count "UI unit tests" "${ui_passed:-0}" 0
count "browser tests" "${browser_passed:-0}" "${browser_failed:-0}"
count "desktop e2e" "${desktop_passed:-0}" "${desktop_failed:-0}"
count "bench smoke run" 1 0
count "built-in trust" "${builtin_passed:-0}" "${builtin_failed:-0}"
echo "target/ after the run: $(du -sh target 2>/dev/null | cut -f1)"
echo
echo "${total_passed} passed, ${total_failed} failed"
# A group that reports nothing ran nothing: that is a failure too.
if ((total_failed > 0 || rust_passed == 0 || ${python_passed:-0} == 0 || ${sdk_passed:-0} == 0 || ${contract_passed:-0} == 0 || ${ui_passed:-0} == 0 || ${browser_passed:-0} == 0 || ${desktop_passed:-0} == 0 || ${builtin_passed:-0} == 0)); then
  exit 1
fi
