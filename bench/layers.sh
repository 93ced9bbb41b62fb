#!/usr/bin/env bash
# bench/layers.sh - four HTTP layers side by side on this machine (issue #21): libmicrohttpd as
# kaigo uses it, libevent's evhttp, H2O's libh2o-evloop and a bare epoll loop (the floor), each
# serving the same three routes (bench/layers/layer.h): /healthz, /inline (the 773-byte card body
# at once) and /card (handed to a committer thread that fdatasyncs per batch, answered when the
# batch comes back - the hand-off of kaigo's audited read without the gate, reads or audit row).
#
#   DURATION=6 ROUNDS=2 bench/layers.sh        # or: make bench-layers
#
# Server pinned to CPU 0, wrk to CPU 1, 64 keep-alive connections, requests carry a Bearer
# header like provider software's. Prints req/s, p99 and the server's CPU per request (all its
# threads, /proc/PID/stat), and each figure's ratio to libmicrohttpd's in the same round (the
# baseline). Loopback only; every server is killed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-6}
ROUNDS=${ROUNDS:-2}
CONNS=${CONNS:-64}
out=bench/out/layers
mkdir -p "$out"
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 2; }
for h in h2o.h event2/http.h microhttpd.h; do
  [ -f "/usr/include/$h" ] || { echo "missing /usr/include/$h: apt-get install libh2o-evloop-dev libevent-dev libmicrohttpd-dev" >&2; exit 2; }
done
CFLAGS=(-std=c17 -O2 -Wall -Wextra -Werror)
cc "${CFLAGS[@]}" -o "$out/mhd" bench/layers/mhd.c -lmicrohttpd -lpthread
cc "${CFLAGS[@]}" -o "$out/evhttp" bench/layers/evhttp.c -levent -lpthread
cc "${CFLAGS[@]}" -DH2O_USE_LIBUV=0 -o "$out/h2o" bench/layers/h2o.c -lh2o-evloop -lssl -lcrypto -lz -lpthread
cc "${CFLAGS[@]}" -o "$out/raw" bench/layers/raw.c -lpthread
cat > "$out/result.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.3f %d %d\n", summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.requests))
end
LUA
hz=$(getconf CLK_TCK)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null || true' EXIT
declare -A cpu rps p99
printf 'layers: %d connections, %ss a route, server on CPU 0, wrk on CPU 1, %d rounds\n' "$CONNS" "$DURATION" "$ROUNDS"
for round in $(seq "$ROUNDS"); do
  for layer in mhd evhttp h2o raw; do
    taskset -c 0 "$out/$layer" 0 "$out" > "$out/$layer.out" &
    pid=$!
    for _ in $(seq 50); do grep -q port "$out/$layer.out" 2>/dev/null && break; sleep 0.1; done
    port=$(awk '/port/ {print $2}' "$out/$layer.out")
    for route in healthz inline card; do
      t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
      r=$(taskset -c 1 wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -H 'Authorization: Bearer kt_0123456789abcdef0123456789abcdef' \
          -s "$out/result.lua" "http://127.0.0.1:$port/$route" | grep RESULT)
      t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
      read -r _ rr rp re rn <<<"$r"
      [ "$re" = 0 ] || { echo "$layer /$route: $re errors" >&2; exit 1; }
      cpu[$layer.$route]=$(echo "($t1 - $t0) * 1000000 / $hz / $rn" | bc -l)
      rps[$layer.$route]=$rr p99[$layer.$route]=$rp
    done
    kill $pid; wait $pid 2>/dev/null || true; pid=
  done
  printf '\nround %d                    req/s    p99 ms   CPU µs/req  (CPU ratio to libmicrohttpd, same route)\n' "$round"
  for route in healthz inline card; do
    for layer in mhd evhttp h2o raw; do
      printf '  %-8s /%-8s %9.0f %8.2f %10.1f   (%.2f)\n' "$layer" "$route" "${rps[$layer.$route]}" "${p99[$layer.$route]}" \
        "${cpu[$layer.$route]}" "$(echo "${cpu[$layer.$route]} / ${cpu[mhd.$route]}" | bc -l)"
    done
  done
  printf '  hand-off (/card - /inline), CPU µs:'
  for layer in mhd evhttp h2o raw; do
    printf ' %s %.1f' "$layer" "$(echo "${cpu[$layer.card]} - ${cpu[$layer.inline]}" | bc -l)"
  done
  printf '\n'
done
