#!/usr/bin/env bash
# The OpenAPI document is the contract: Schemathesis drives every operation
# of a real server (loopback, its own data directory holding a licence code
# and a seat) from /openapi.json with the admin token, with every check and
# all four phases (examples, coverage, fuzzing, stateful), bounded in time.
# Any answer the document does not describe, any request it allows that the
# server refuses (or the other way round), and any server error fails it.
#
# Usage: scripts/api-contract.sh [MAX_SECS]   (default 120; needs
# target/debug/leasehold, built by scripts/debug-build.sh)
# Ends with `api contract: N passed, M failed` (operations).
set -euo pipefail
cd "$(dirname "$0")/.."
max_time=${1:-120}
bin=target/debug/leasehold
[ -x "$bin" ] || { echo "api contract: build first (bash scripts/debug-build.sh)" >&2; exit 1; }
command -v schemathesis >/dev/null || { echo "api contract: schemathesis is missing (scripts/setup.sh installs it)" >&2; exit 1; }

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A vendor key, a code under it that needs no activation, a server trusting it.
public_key=$("$bin" vendor keygen --out "$work/vendor.key" 2>/dev/null)
code=$("$bin" vendor issue --key "$work/vendor.key" --product cad --seats 5 --activation none 2>/dev/null)
mkdir "$work/data"
"$bin" serve --data-dir "$work/data" --listen 127.0.0.1:0 --no-mdns --trust "$public_key" \
  >"$work/server.out" 2>"$work/server.log" &
server=$!
# The first line says where it listens.
for _ in $(seq 100); do
  [ -s "$work/server.out" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done
address=$(head -1 "$work/server.out" | grep -oE '127\.0\.0\.1:[0-9]+' | head -1)
[ -n "$address" ] || { echo "api contract: the server did not say where it listens" >&2; cat "$work/server.out" "$work/server.log" >&2; exit 1; }
token=$(cat "$work/data/admin-token")
url="http://$address"

# Some data for the operations to find: the code, and a seat held.
"$bin" admin --server "$address" --token "$token" license add "$code" >/dev/null
curl -fsS -X POST "$url/v1/checkout" -H 'Content-Type: application/json' \
  -d '{"product":"cad","clientId":"contract-pc","user":"ann","host":"pc-1","appName":"CAD","appVersion":"1.0"}' >/dev/null

status=0
# From the temporary directory: Schemathesis keeps its example database in
# the working directory (.schemathesis/).
config=$PWD/scripts/api-contract.toml
(cd "$work" && schemathesis --config-file "$config" run "$url/openapi.json" \
  -H "Authorization: Bearer $token" \
  --checks all \
  `# POST /admin/v1/licenses with dryRun answers a licence it does not store;` \
  `# the stateful phase would take it for a creation and look it up.` \
  --exclude-checks ensure_resource_availability \
  --phases examples,coverage,fuzzing,stateful \
  --max-time "$max_time" \
  --request-timeout 5 \
  -w 1 \
  --seed "${LEASEHOLD_CONTRACT_SEED:-20261201}" \
  --report junit --report-junit-path "$work/junit.xml" \
  --output-sanitize false \
  --no-color) 2>&1 | tee "$work/schemathesis.log" || status=$?

passed=0; failed=0
if [ -f "$work/junit.xml" ]; then
  tests=$(grep -oE '<testsuite [^>]*' "$work/junit.xml" | grep -oE ' tests="[0-9]+"' | grep -oE '[0-9]+' | head -1 || true)
  failures=$(grep -oE '<testsuite [^>]*' "$work/junit.xml" | grep -oE ' (failures|errors)="[0-9]+"' | grep -oE '[0-9]+' | awk '{ n += $1 } END { print n + 0 }')
  failed=${failures:-0}
  passed=$(( ${tests:-0} - failed ))
fi
# A run that failed without saying which operations still failed.
if ((status != 0 && failed == 0)); then failed=1; fi
if ! kill -0 "$server" 2>/dev/null; then
  echo "api contract: the server died during the run" >&2
  tail -40 "$work/server.log" >&2
  failed=$((failed + 1))
fi
echo "api contract: $passed passed, $failed failed"
((failed == 0))
