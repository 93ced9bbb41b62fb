#!/usr/bin/env bash
# bench/people.sh - the care manager's 利用者一覧 for a full caseload (issue #18 §4): /office/people with
# PEOPLE people (49: the staffing standard with 連携 + 事務職員), each decided and audited for 資格 and 計画
# (2 × PEOPLE audit entries, group-committed) and its card built, against one person's card page of the
# same server and session kind in the same run (one decision, one entry).
#
#   PEOPLE=49 DURATION=10 CONNS=4 bench/people.sh        (make bench-people)
#
# wrk on loopback only, keep-alive; stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
PEOPLE=${PEOPLE:-49}
DURATION=${DURATION:-10}
CONNS=${CONNS:-4}
KAIGO=${KAIGO:-build/default/kaigo}
out=${OUT:-bench/out/people}
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 2; }
rm -rf "$out"; mkdir -p "$out"
db="$out/k.db"
scripts/demo-db.sh "$KAIGO" "$db" 1 400 >/dev/null
read -r ins no _ < "$db.demo-person"
# the demo office is 担当 of 12; register it for PEOPLE in all (本人確認 with a code, consent), as an office does
have=$(sqlite3 "$db" "SELECT COUNT(DISTINCT insured_no) FROM relationships WHERE org_id = 'demo-kyotaku' AND ended_ms = 0")
sqlite3 -separator ' ' "$db" "SELECT insurer_no, insured_no, json_extract(body, '$.birth') FROM record_versions r
  WHERE kind = 'insured' AND insurer_no = '$ins' AND insured_no != '$no' AND NOT EXISTS (SELECT 1 FROM relationships x
  WHERE x.org_id = 'demo-kyotaku' AND x.insured_no = r.insured_no) ORDER BY insured_no LIMIT $((PEOPLE - have))" |
while read -r pins pno pbirth; do
  code=$("$KAIGO" relationship code --db "$db" "$pins" "$pno" 2>/dev/null)
  "$KAIGO" relationship add --db "$db" --org demo-kyotaku "$pins" "$pno" --birth "$pbirth" --code "$code" >/dev/null
  "$KAIGO" consent add "$pins" "$pno" --db "$db" --kind municipal --cats all --collected-by "insurer-$pins" >/dev/null
done
n=$(sqlite3 "$db" "SELECT COUNT(DISTINCT insured_no) FROM relationships WHERE org_id = 'demo-kyotaku' AND ended_ms = 0")
serve_start "$db" "$out"
cookie=$(login_cookie demo-cm demo-Password-2026 DEMOCAREMGRDEMOCAREMGRDEMOCAREM2)
one=$(sqlite3 -separator / "$db" "SELECT insurer_no, insured_no FROM relationships WHERE org_id = 'demo-kyotaku' ORDER BY insured_no LIMIT 1")
cat > "$out/res.lua" <<LUA
wrk.headers["Cookie"] = "$cookie"
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.2f %.2f %d %d\n", summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status, summary.requests))
end
LUA
c=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s "$out/res.lua" "$url/p/$one/card" | grep RESULT)
p=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s "$out/res.lua" "$url/office/people" | grep RESULT)
read -r _ cr c50 c99 cs _ <<<"$c"
read -r _ pr p50 p99 ps _ <<<"$p"
rows=$(curl -s -H "Cookie: $cookie" "$url/office/people" | grep -o '<tr><th scope="row">' | wc -l)
printf 'people: %d people listed (%d rows), %d connections, %ss each, %s cores\n' "$n" "$rows" "$CONNS" "$DURATION" "$(nproc)"
printf '  GET /p/…/card   (1 person)     : %8.1f req/s  p50 %7.2f ms  p99 %7.2f ms  (non-2xx %d)\n' "$cr" "$c50" "$c99" "$cs"
printf '  GET /office/people (%d people) : %8.1f req/s  p50 %7.2f ms  p99 %7.2f ms  (non-2xx %d)\n' "$n" "$pr" "$p50" "$p99" "$ps"
printf '  ratio list/card                 : %8.3f  (per person: %.2f of a card page)\n' "$(echo "$pr / $cr" | bc -l)" \
  "$(echo "$pr * $n / $cr" | bc -l)"
kill $pid; wait $pid 2>/dev/null || true; trap - EXIT
"$KAIGO" audit verify --db "$db" | tail -1
