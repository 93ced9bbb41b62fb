#!/usr/bin/env bash
# bench/stats.sh - the 集計 page over a PERSONS-person insurer (issue #19 §3): GET /city/stats (the clerk's session;
# every current 認定 and 資格 record of the insurer read, the table counted, suppressed and rendered) against a plain
# SQL count over the same rows (the current versions of the same kinds, sqlite3's own timer, median of 5) in the same
# run, and `kaigo stats nintei --csv` as a process.
#
#   PERSONS=100000 DURATION=10 bench/stats.sh        (make bench-stats)
#
# wrk on loopback only, one connection (a clerk); stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
PERSONS=${PERSONS:-100000}
DURATION=${DURATION:-10}
KAIGO=${KAIGO:-build/default/kaigo}
out=${OUT:-bench/out/stats}
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 2; }
rm -rf "$out"; mkdir -p "$out"
db="$out/k.db"
scripts/demo-db.sh "$KAIGO" "$db" 1 "$PERSONS" >/dev/null
read -r ins _ < "$db.demo-person"
ym=$(TZ=Asia/Tokyo date +%Y-%m)
rows=$(sqlite3 "$db" "SELECT count(*) FROM (SELECT 1 FROM record_versions WHERE insurer_no = '$ins' AND kind IN
  ('certification', 'insured', 'ledger', 'life') GROUP BY insured_no, kind, rkey)")
# the baseline: the same rows counted by SQLite itself (milliseconds, median of 5)
sql_ms=$(for _ in 1 2 3 4 5; do
  printf '.timer on\nSELECT count(*) FROM (SELECT insured_no, kind, rkey, max(version) FROM record_versions WHERE
    insurer_no = '"'$ins'"' AND kind IN ('"'certification', 'insured', 'ledger', 'life'"') GROUP BY insured_no, kind, rkey);\n' |
    sqlite3 "$db" |
    sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p'
done | sort -n | sed -n 3p | awk '{ printf "%.2f", $1 * 1000 }')
cli_ms=$( { /usr/bin/time -f '%e' "$KAIGO" stats nintei --insurer "$ins" --month "$ym" --csv --db "$db" > "$out/cli.csv"; } 2>&1 |
  tail -1 | awk '{ printf "%.1f", $1 * 1000 }')
serve_start "$db" "$out"
cookie=$(login_cookie demo-staff demo-Password-2026 DEMOSTAFFDEMOSTAFFDEMOSTAFFDEMO2)
page=$(curl -s -H "Cookie: $cookie" "$url/city/stats?table=nintei&month=$ym")
grep -q 'id="stats"' <<<"$page" || { echo "the statistics page did not open" >&2; exit 1; }
cat > "$out/res.lua" <<LUA
wrk.headers["Cookie"] = "$cookie"
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.2f %.2f %d\n", summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status))
end
LUA
p=$(wrk -t1 -c1 -d"${DURATION}s" --latency -s "$out/res.lua" "$url/city/stats?table=nintei&month=$ym" | grep RESULT)
read -r _ pr p50 p99 ps <<<"$p"
printf 'stats: one insurer of %d persons (%d current records of the counted kinds), 1 connection, %ss, %s cores\n' \
  "$PERSONS" "$rows" "$DURATION" "$(nproc)"
printf '  SQL count over the same rows     : %8.2f ms (median of 5)\n' "$sql_ms"
printf '  GET /city/stats (nintei)         : %8.1f req/s  p50 %7.2f ms  p99 %7.2f ms  (non-2xx %d)\n' "$pr" "$p50" "$p99" "$ps"
printf '  kaigo stats nintei --csv         : %8.1f ms (a process: open, migrate check, count, suppress)\n' "$cli_ms"
printf '  ratio page p50 / SQL count       : %8.2f\n' "$(echo "$p50 / $sql_ms" | bc -l)"
kill $pid; wait $pid 2>/dev/null || true; trap - EXIT
