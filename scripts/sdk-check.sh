#!/usr/bin/env bash
# The SDK archive holds what it says, and works from itself alone: lists its
# contents, builds the C example against its header and library, and
# imports the wheel (its bundled library) in a fresh virtual environment.
set -euo pipefail
cd "$(dirname "$0")/.."
archive=$(bash scripts/sdk.sh --debug | tail -1)
passed=0; failed=0
check() { # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@" >/tmp/leasehold-sdk-check.log 2>&1; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "sdk check failed: $what"; cat /tmp/leasehold-sdk-check.log; fi
}
listing=$(tar -tzf "$archive")
for entry in lib/libleasehold.so lib/libleasehold.a include/leasehold.h include/leasehold.hpp \
  csharp/Leasehold.cs csharp/Example.cs examples/c/checkout.c examples/cpp/checkout.cpp \
  docs/PROTOCOL.md README.txt; do
  check "the archive holds $entry" grep -q "/$entry\$" <<<"$listing"
done
check "the archive holds a linux_x86_64 wheel" grep -qE '/python/leasehold-[0-9.]+-py3-none-linux_x86_64\.whl$' <<<"$listing"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$archive" -C "$work"
sdk=$(echo "$work"/leasehold-sdk-*)
check "the C example builds against the archive" \
  gcc -Wall -Werror "$sdk/examples/c/checkout.c" -I "$sdk/include" -L "$sdk/lib" -lleasehold -o "$work/checkout"
check "the built example runs with the archive's library (no server: exit 1 with a code)" \
  bash -c "LD_LIBRARY_PATH='$sdk/lib' LEASEHOLD_SERVER=127.0.0.1:9 LEASEHOLD_CLIENT_CONFIG='$work/client.toml' LEASEHOLD_VENDOR_KEY=x '$work/checkout' cad; test \$? -eq 1"
check "the wheel installs and loads its own library" bash -c "
  python3 -m venv --system-site-packages '$work/venv' &&
  '$work/venv/bin/python' -m pip install --quiet --no-deps --no-index '$sdk'/python/*.whl &&
  cd '$work' && env -u LEASEHOLD_LIBRARY '$work/venv/bin/python' -c 'import leasehold; assert leasehold.version()'"
echo "sdk archive: $passed passed, $failed failed"
