#!/usr/bin/env bash
# Builds the release binaries and runs the Leasehold benchmarks on loopback.
#
#   scripts/bench.sh            the whole set (a few minutes; 1,000,000 leases)
#   scripts/bench.sh --quick    a ~10 s smoke run (CI: checks it runs and prints figures)
#
# Any other arguments go to leasehold-bench (see `leasehold-bench --help`),
# e.g. `--out results.md`, `--conns 256`, `--scale-leases 200000`, `--no-scale`.
# Set LEASEHOLD_BIN to benchmark another `leasehold` binary.
set -euo pipefail
cd "$(dirname "$0")/.."

# CI's smoke run uses the debug build it already has (LEASEHOLD_BENCH_PROFILE=debug):
# it checks that the harness runs and prints figures, not how fast they are.
profile="${LEASEHOLD_BENCH_PROFILE:-release}"
if [ "$profile" = debug ]; then
  bash scripts/debug-build.sh
  export LEASEHOLD_BIN="${LEASEHOLD_BIN:-$PWD/target/debug/leasehold}"
else
  cargo build --release --quiet -p leasehold-cli -p leasehold-bench -p leasehold-ffi
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(free -m | awk '/^Mem:/ {print $2 " MiB RAM"}')" >&2
exec "target/$profile/leasehold-bench" "$@"
