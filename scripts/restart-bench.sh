#!/usr/bin/env bash
# How long `leasehold serve` takes to start on a store holding N leases, and
# its RSS once settled. Makes the store once (a server's first start, then N
# rows written with Python's sqlite3), then starts a copy of it RUNS times.
#
#   scripts/restart-bench.sh [BIN] [N] [RUNS]
#     BIN   the leasehold binary (default target/release/leasehold)
#     N     leases in the store (default 1000000)
#     RUNS  starts to time (default 2)
#
# Loopback only (127.0.0.1:0, no mDNS); every server it starts it stops by id.
set -euo pipefail
bin="${1:-target/release/leasehold}"
n="${2:-1000000}"
runs="${3:-2}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

start() { # DIR: starts a server on it; its pid in $pid
  rm -f "$work/out"
  "$bin" serve --data-dir "$1" --listen 127.0.0.1:0 --no-mdns >"$work/out" 2>"$work/err" &
  pid=$!
}

mkdir "$work/seed"
start "$work/seed"
until [ -s "$work/out" ]; do sleep 0.05; done
kill "$pid"; wait "$pid" || true
python3 - "$work/seed/leasehold.db" "$n" <<'PY'
import sqlite3, sys, time, uuid
db, n = sys.argv[1], int(sys.argv[2])
now = int(time.time() * 1000)
con = sqlite3.connect(db)
con.executemany(
    "INSERT INTO leases VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
    ((str(uuid.uuid4()), "cad", f"bench-scale-{i:08}", f"user{i % 5000}", f"ws-scale-{i}.lan",
      "Designer", "4.2", f"127.0.0.1:{10000 + i % 50000}", now, now, now + 86_400_000, 600)
     for i in range(n)))
con.commit()
PY

for run in $(seq "$runs"); do
  rm -rf "$work/run"; cp -r "$work/seed" "$work/run"
  t0=$(date +%s.%N)
  start "$work/run"
  until [ -s "$work/out" ]; do sleep 0.02; done
  t1=$(date +%s.%N)
  sleep 5
  rss=$(awk '/VmRSS/ { print $2 / 1024 " MB" }' "/proc/$pid/status")
  kill "$pid"; wait "$pid" || true
  echo "run $run: $n leases, spawn → address line $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s, RSS 5 s later $rss"
done
