#!/usr/bin/env bash
# bench/idle.sh - idle keep-alive connections: memory per connection and whether others still get
# in (issue #21). Loopback only; the server and the client stop by themselves.
#
#   CONNS=10000 ADDRESSES=40 bench/idle.sh      # or: make bench-idle
#
# ADDRESSES=1 puts every connection on one source address (a care office behind one NAT address,
# or one client holding connections open).
set -euo pipefail
cd "$(dirname "$0")/.."
CONNS=${CONNS:-10000}
ADDRESSES=${ADDRESSES:-40}
KAIGO=${KAIGO:-build/default/kaigo}
out=${OUT:-bench/out/idle}
mkdir -p "$out"
rm -f "$out"/k.db*
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
need=$((CONNS + 512))
[ "$(ulimit -n)" -ge "$need" ] || { echo "open files are limited to $(ulimit -n); $need needed" >&2; exit 2; }
"$KAIGO" serve --db "$out/k.db" --listen 127.0.0.1:0 --quiet ${SERVE_ARGS:-} > "$out/serve.out" 2> "$out/serve.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q listening "$out/serve.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*listening on http:\/\/[0-9.]*:\([0-9]*\).*/\1/p' "$out/serve.out")
curl -s "http://127.0.0.1:$port/healthz" > /dev/null # the worker's first request: its buffers exist
node bench/idle.mjs "$port" "$pid" "$CONNS" "$ADDRESSES"
grep -h "connections:" "$out/serve.err" || true
