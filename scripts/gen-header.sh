#!/usr/bin/env bash
# Regenerates include/leasehold.h from crates/leasehold-ffi (cbindgen, as a
# library in the crate's header test); commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
LEASEHOLD_WRITE_HEADER=1 cargo test -q -p leasehold-ffi --test header
echo "wrote include/leasehold.h"
