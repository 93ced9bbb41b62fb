#!/usr/bin/env bash
# bench/pages.sh - the web pages (issue #14 §5): the person's card page (HTML, session, gate,
# durable audit) against the JSON card endpoint of the same server and session, in one run;
# then bytes over the wire and time to paint in Debian's chromium (bench/pages.mjs).
#
#   DURATION=10 CONNS=16 bench/pages.sh        (make bench-pages)
#
# wrk on loopback only, keep-alive; both endpoints read the same person's card, each read
# audited (group commit) before the answer. Stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
CONNS=${CONNS:-16}
KAIGO=${KAIGO:-build/default/kaigo}
out=${OUT:-bench/out/pages}
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 2; }
rm -rf "$out"; mkdir -p "$out"
db="$out/k.db"
scripts/demo-db.sh "$KAIGO" "$db" 1 200 >/dev/null
read -r ins no _ < "$db.demo-person"
printf 'bench-Password-2026\n' | "$KAIGO" user add --db "$db" --login bench-person --name ベンチ本人 --person "$ins/$no" \
  --totp-secret BENCHPERSONBENCHPERSONBENCHPERS2 --password-stdin >/dev/null
"$KAIGO" serve --db "$db" --listen 127.0.0.1:0 --quiet > "$out/serve.out" 2> "$out/serve.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$out/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$out/serve.out")
totp=$("$KAIGO" totp BENCHPERSONBENCHPERSONBENCHPERS2)
cookie=$(curl -s -D - -o /dev/null -d "{\"login\":\"bench-person\",\"password\":\"bench-Password-2026\",\"totp\":\"$totp\"}" \
  "$url/api/v1/login" | sed -n 's/^Set-Cookie: \(kaigo_session=[0-9a-f]*\).*/\1/p')
[ -n "$cookie" ] || { echo "login failed" >&2; exit 1; }
cat > "$out/res.lua" <<LUA
wrk.headers["Cookie"] = "$cookie"
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.3f %d %d\n", summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000, summary.errors.status, summary.requests))
end
LUA
j=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s "$out/res.lua" "$url/api/v1/me/card" | grep RESULT)
p=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s "$out/res.lua" "$url/me/card" | grep RESULT)
read -r _ jr jp js jn <<<"$j"
read -r _ pr pp ps pn <<<"$p"
printf 'pages: %d connections, %ss each, %s cores, one person'"'"'s session\n' "$CONNS" "$DURATION" "$(nproc)"
printf '  GET /api/v1/me/card (JSON)  : %8.0f req/s  p99 %7.2f ms  (non-2xx %d)  %6d B\n' "$jr" "$jp" "$js" \
  "$(curl -s -o /dev/null -w '%{size_download}' -H "Cookie: $cookie" "$url/api/v1/me/card")"
printf '  GET /me/card (HTML page)    : %8.0f req/s  p99 %7.2f ms  (non-2xx %d)  %6d B\n' "$pr" "$pp" "$ps" \
  "$(curl -s -o /dev/null -w '%{size_download}' -H "Cookie: $cookie" "$url/me/card")"
printf '  ratio page/JSON             : %8.2f        (target >= 0.5)\n' "$(echo "$pr / $jr" | bc -l)"
kill $pid; wait $pid 2>/dev/null || true
# the browser half on a fresh server (wrk's sessions and reads do not matter to it)
"$KAIGO" serve --db "$db" --listen 127.0.0.1:0 --quiet > "$out/serve.out" 2> "$out/serve.err" &
pid=$!
for _ in $(seq 50); do grep -q listening "$out/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$out/serve.out")
sleep 30 # a new TOTP step: the code used above cannot be replayed
node bench/pages.mjs "$url" "$KAIGO"
kill $pid; wait $pid 2>/dev/null || true; trap - EXIT
"$KAIGO" audit verify --db "$db" | tail -1
