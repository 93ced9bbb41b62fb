#!/usr/bin/env bash
# bench/http.sh - card reads over HTTP as provider software (API token of a 居宅介護支援事業所;
# consent and care relationship checked by the gate; one durable group-committed audit entry
# per read) against /healthz of the same server, in the same run.
#
#   PERSONS=100000 DURATION=10 CONNS=64 THREADS=2 bench/http.sh
#
# wrk on loopback only, keep-alive, CONNS connections; each request reads a
# different person (Lua script). Prints req/s and p99 for both and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
PERSONS=${PERSONS:-100000}
DURATION=${DURATION:-10}
CONNS=${CONNS:-64}
WRK_THREADS=${WRK_THREADS:-2}
# PIN=1: server on CPU 0, wrk on CPU 1 (taskset), so neither steals the other's core
PIN=${PIN:-0}
srv_pin=() wrk_pin=()
if [ "$PIN" = 1 ]; then srv_pin=(taskset -c 0); wrk_pin=(taskset -c 1); fi
SERVER_THREADS=${THREADS:-0}
KAIGO=${KAIGO:-build/default/kaigo}
out=${OUT:-bench/out/http}
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 2; }
mkdir -p "$out"
db="$out/k.db"
version=4 # audit log format 3 with block roots
if [ ! -f "$db" ] || [ "$(cat "$db.bench-version" 2>/dev/null)" != "$version" ]; then
  rm -f "$db" "$db"-wal "$db"-shm "$db".audit* "$db".operator-token "$db".bench-*
  "$KAIGO" demo generate --insurers 1 --persons "$PERSONS" --seed 3 "$out/csv" >/dev/null
  for k in insured certification burden limit plan; do
    "$KAIGO" import "$k" "$out/csv/$k.csv" --db "$db" --quiet >/dev/null
  done
  insurer=$(sqlite3 "$db" "SELECT insurer_no FROM insurers LIMIT 1")
  "$KAIGO" org add --db "$db" --id bench-kyotaku --kind kyotaku --name ベンチ居宅 >/dev/null
  "$KAIGO" token issue --db "$db" --org bench-kyotaku --name bench 2>/dev/null > "$db.bench-token"
  # Every person: a blanket consent (包括同意) and a care relationship of the 居宅, as the
  # 本人確認 flow would leave them (bulk SQL: 100k HTTP registrations would be the benchmark).
  now=$(($(date +%s) * 1000))
  sqlite3 "$db" "BEGIN;
    INSERT INTO consents (insurer_no, insured_no, kind, cats, valid_from_ms, valid_to_ms, grantee, collected_by, recorded_ms, recorded_by)
      SELECT insurer_no, insured_no, 'municipal', 1022, 0, 0, '', 'bench', $now - 1000, 'bench' FROM record_versions WHERE kind = 'insured';
    INSERT INTO relationships (insurer_no, insured_no, org_id, started_ms, last_actual_ym, established_by, created_by)
      SELECT insurer_no, insured_no, 'bench-kyotaku', $now - 1000, strftime('%Y%m', 'now', '+9 hours'), 'bench', 'bench'
      FROM record_versions WHERE kind = 'insured';
    COMMIT;"
  echo "$version" > "$db.bench-version"
fi
insurer=$(sqlite3 "$db" "SELECT insurer_no FROM insurers LIMIT 1")
apitoken=$(cat "$db.bench-token")
"${srv_pin[@]}" "$KAIGO" serve --db "$db" --listen 127.0.0.1:0 --quiet --threads "$SERVER_THREADS" > "$out/serve.out" 2> "$out/serve.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$out/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$out/serve.out")
cat > "$out/card.lua" <<LUA
local n = 0
request = function()
  n = n + 1
  local no = string.format("%010d", 1000000000 + (n * 7919) % $PERSONS + 1)
  return wrk.format("GET", "/api/v1/insurers/$insurer/insured/" .. no .. "/card", {["Authorization"] = "Bearer $apitoken"})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.3f %d %d\n", summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000, summary.errors.status, summary.requests))
end
LUA
cat > "$out/health.lua" <<LUA
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.3f %d %d\n", summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000, summary.errors.status, summary.requests))
end
LUA
before=$(sqlite3 "$db.audit" "SELECT COUNT(*) FROM audit_log")
# CPU time of the server (all its threads), in clock ticks: µs of CPU per request is steadier
# than req/s on a shared VM (where a neighbour's load moves req/s by ±20 %)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
t0=$(cpu)
h=$("${wrk_pin[@]}" wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" --latency -s "$out/health.lua" "$url/healthz" | grep RESULT)
metric() { curl -s -H "Authorization: Bearer $(cat "$db.operator-token")" "$url/metrics" | awk -v k="$1" '$1 == k {print $2}'; }
m0_b=$(metric kaigo_audit_group_commits_total) m0_s=$(metric kaigo_audit_commit_seconds_sum) m0_r=$(metric kaigo_store_reads_reused_total)
t1=$(cpu)
c=$("${wrk_pin[@]}" wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" --latency -s "$out/card.lua" "$url/api/v1/" | grep RESULT)
t2=$(cpu)
m1_b=$(metric kaigo_audit_group_commits_total) m1_s=$(metric kaigo_audit_commit_seconds_sum) m1_r=$(metric kaigo_store_reads_reused_total)
kill $pid; wait $pid 2>/dev/null || true; trap - EXIT
after=$(sqlite3 "$db.audit" "SELECT COUNT(*) FROM audit_log")
read -r _ hr hp hs hn <<<"$h"
read -r _ cr cp cs cn <<<"$c"
printf 'http: %d connections, %ss each, server threads %s (0 = one per core), %s cores, pinned %s\n' "$CONNS" "$DURATION" "$SERVER_THREADS" "$(nproc)" "$PIN"
printf '  /healthz                                : %9.0f req/s  p99 %7.2f ms  (non-2xx %d)\n' "$hr" "$hp" "$hs"
printf '  card (token+consent+relationship+audit): %9.0f req/s  p99 %7.2f ms  (non-2xx %d)\n' "$cr" "$cp" "$cs"
printf '  server CPU per request                  : /healthz %.1f µs, card %.1f µs\n' \
  "$(echo "($t1 - $t0) * 1000000 / $hz / $hn" | bc -l)" "$(echo "($t2 - $t1) * 1000000 / $hz / $cn" | bc -l)"
printf '  ratio card/healthz                      : %9.2f        (target >= 0.3)\n' "$(echo "$cr / $hr" | bc -l)"
printf '  audit entries added                     : %d for %d card requests\n' "$((after - before))" "$cn"
ab=$((m1_b - m0_b))
[ "$ab" -gt 0 ] && printf '  group commits                           : %d (%.1f entries per fsync, %.2f ms per commit)\n' \
  "$ab" "$(echo "($after - $before) / $ab" | bc -l)" "$(echo "($m1_s - $m0_s) * 1000 / $ab" | bc -l)"
[ -n "$m1_r" ] && printf '  read snapshots reused (parked reads)    : %d of %d card requests\n' "$((m1_r - m0_r))" "$cn"
denied=$(sqlite3 -cmd ".load $(dirname "$KAIGO")/kaigo_audit" "$db.audit" "SELECT COUNT(*) FROM audit_v WHERE outcome <> 'allowed'")
printf '  audit entries not allowed (must be 0)   : %d\n' "$denied"
"$KAIGO" audit verify --db "$db" | tail -1
