#!/usr/bin/env bash
# A vendor's own build (LEASEHOLD_BUILTIN_TRUST=LHPK-… at compile time)
# trusts only its built-in key: another key given with --trust, added with
# `admin trust`, or signing a code is refused. Builds that binary once (the
# server and CLI crates are recompiled with the key; run last, as test.sh
# does) and plays the customer who brings a key of their own.
set -uo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

stock=target/debug/leasehold
passed=0
failed=0
check() { # check WHAT COMMAND… : passes when the command succeeds
  local what=$1
  shift
  if "$@" >"$tmp/out" 2>&1; then
    passed=$((passed + 1))
    echo "ok - $what"
  else
    failed=$((failed + 1))
    echo "not ok - $what"
    sed 's/^/    /' "$tmp/out"
  fi
}

bash scripts/debug-build.sh || { echo "builtin trust: 0 passed, 1 failed (stock build)"; exit 1; }
vendor_pub=$("$stock" vendor keygen --out "$tmp/vendor.key")
own_pub=$("$stock" vendor keygen --out "$tmp/own.key")
vendor_code=$("$stock" vendor issue --key "$tmp/vendor.key" --product cad --seats 2)
own_code=$("$stock" vendor issue --key "$tmp/own.key" --product cad --seats 100000)

# Only the crates that read the key are compiled again: the whole workspace
# with one small test target resolves the features of the debug build
# (scripts/debug-build.sh), whose artifacts serve the rest.
LEASEHOLD_BUILTIN_TRUST="$vendor_pub" cargo build -q --workspace --bin leasehold --test help ||
  { echo "builtin trust: 0 passed, 1 failed (vendor build)"; exit 1; }
cp target/debug/leasehold "$tmp/leasehold-vendor"
vendor_bin="$tmp/leasehold-vendor"

# The customer starts the vendor's server trusting a key of their own.
"$vendor_bin" serve --data-dir "$tmp/data" --listen 127.0.0.1:0 --no-mdns \
  --trust "$own_pub" >"$tmp/serve.out" 2>"$tmp/serve.err" &
server_pid=$!
for _ in $(seq 1 100); do
  [ -s "$tmp/data/listen-address" ] && break
  sleep 0.1
done
admin() { "$vendor_bin" admin --data-dir "$tmp/data" "$@"; }
expect_refusal() { # expect_refusal WHAT PATTERN COMMAND…: passes when COMMAND fails saying PATTERN
  local what=$1 pattern=$2
  shift 2
  if "$@" >"$tmp/out" 2>&1; then
    failed=$((failed + 1))
    echo "not ok - $what (it was accepted)"
  elif grep -q -- "$pattern" "$tmp/out"; then
    passed=$((passed + 1))
    echo "ok - $what"
  else
    failed=$((failed + 1))
    echo "not ok - $what (refused, but not saying \"$pattern\")"
    sed 's/^/    /' "$tmp/out"
  fi
}

check "the server starts" test -s "$tmp/data/listen-address"
expect_refusal "a code signed by the customer's own key is refused" "not trusted here" \
  admin license add "$own_code"
expect_refusal "adding the customer's key is refused" "built into it" admin trust "$own_pub"
check "the vendor's own code is accepted" admin license add "$vendor_code"
check "2 seats are licensed, not 100,002" bash -c \
  "$(printf '%q' "$vendor_bin") admin --data-dir $(printf '%q' "$tmp/data") license list --json | grep -Eq '\"seats\": 2,'"

echo "builtin trust: ${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
