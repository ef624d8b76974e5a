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

cargo build --release --quiet -p leasehold-cli -p leasehold-bench

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(free -m | awk '/^Mem:/ {print $2 " MiB RAM"}')" >&2
exec target/release/leasehold-bench "$@"
