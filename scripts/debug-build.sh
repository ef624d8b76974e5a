#!/usr/bin/env bash
# The one debug build: every workspace library (the C ABI's libleasehold.so
# too), binary, test and example, with the features `cargo test --workspace`
# resolves. The test suite, the benchmark smoke run, the SDK archive check
# and the desktop end to end all use it, so one set of artifacts serves them
# (a `cargo build -p …` of a few packages resolves other features and
# compiles a hundred crates again).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --workspace --lib --bins --tests --examples "$@"
