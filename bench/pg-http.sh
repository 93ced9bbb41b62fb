#!/usr/bin/env bash
# bench/pg-http.sh - audited card reads over HTTP with the store on PostgreSQL against the same
# server on SQLite, in the same run (issue #22 §3): the same persons, consents and care
# relationships in both, the same wrk load (bench/http.sh's: an API token of a 居宅, the gate's
# checks, one durable audit entry per read), one after the other.
#
#   PERSONS=20000 DURATION=10 CONNS=64 NODES=1 bench/pg-http.sh
#
# NODES=2 also runs two kaigo nodes on the one PostgreSQL (each with half the connections, two
# wrk at once) and checks afterwards that the log has an entry for every 2xx answered. The
# PostgreSQL 15 cluster is a throw-away one (tests/pg/cluster.sh) on loopback, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
PERSONS=${PERSONS:-20000}
DURATION=${DURATION:-10}
CONNS=${CONNS:-64}
NODES=${NODES:-1}
KAIGO=${KAIGO:-$PWD/build/default/kaigo}
out=${OUT:-/tmp/kaigo-bench-pg-http}
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out"
chmod 711 "$out"
tests/pg/cluster.sh start "$out/pg" >/dev/null
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  tests/pg/cluster.sh stop "$out/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT
admin=$(cat "$out/pg/admin-url") app=$(cat "$out/pg/url")
PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 "$admin" -f src/store/pg/schema.sql \
  -c 'GRANT kaigo_rw TO kaigo_app' >/dev/null
mkdir -p "$out/state"
export KAIGO_STATE="$out/state"
db="$out/k.db"
"$KAIGO" demo generate --insurers 1 --persons "$PERSONS" --seed 3 "$out/csv" >/dev/null
for where in "$db" "$app"; do
  s=$(date +%s.%N)
  for k in insured certification burden limit plan; do
    "$KAIGO" import "$k" "$out/csv/$k.csv" --db "$where" --quiet >/dev/null
  done
  printf 'import of %d persons (5 files) into %-10s: %.1f s\n' "$PERSONS" \
    "$([ "$where" = "$db" ] && echo SQLite || echo PostgreSQL)" "$(echo "$(date +%s.%N) - $s" | bc -l)"
  "$KAIGO" org add --db "$where" --id bench-kyotaku --kind kyotaku --name ベンチ居宅 >/dev/null
done
"$KAIGO" token issue --db "$db" --org bench-kyotaku --name bench 2>/dev/null > "$out/sqlite-token"
"$KAIGO" token issue --db "$app" --org bench-kyotaku --name bench 2>/dev/null > "$out/pg-token"
insurer=$(sqlite3 "$db" "SELECT insurer_no FROM insurers LIMIT 1")
now=$(($(date +%s) * 1000))
ym=$(TZ=Asia/Tokyo date +%Y%m)
# every person: a blanket consent (包括同意) and a care relationship of the 居宅 (bulk SQL, as bench/http.sh)
sqlite3 "$db" "BEGIN;
  INSERT INTO consents (insurer_no, insured_no, kind, cats, valid_from_ms, valid_to_ms, grantee, collected_by, recorded_ms, recorded_by)
    SELECT insurer_no, insured_no, 'municipal', 1022, 0, 0, '', 'bench', $now - 1000, 'bench' FROM record_versions WHERE kind = 'insured';
  INSERT INTO relationships (insurer_no, insured_no, org_id, started_ms, last_actual_ym, established_by, created_by)
    SELECT insurer_no, insured_no, 'bench-kyotaku', $now - 1000, $ym, 'bench', 'bench' FROM record_versions WHERE kind = 'insured';
  COMMIT;"
psql -X -q -v ON_ERROR_STOP=1 "$admin" >/dev/null <<SQL
INSERT INTO consents (insurer_no, insured_no, kind, cats, valid_from_ms, valid_to_ms, grantee, collected_by, recorded_ms, recorded_by)
  SELECT insurer_no, insured_no, 'municipal', 1022, 0, 0, '', 'bench', $now - 1000, 'bench' FROM record_versions WHERE kind = 'insured';
INSERT INTO relationships (insurer_no, insured_no, org_id, started_ms, last_actual_ym, established_by, created_by)
  SELECT insurer_no, insured_no, 'bench-kyotaku', $now - 1000, $ym, 'bench', 'bench' FROM record_versions WHERE kind = 'insured';
ANALYZE;
SQL

cat > "$out/card.lua" <<LUA
local n = 0
local token = os.getenv("BENCH_TOKEN")
init = function(args) n = tonumber(args[1] or "0") end
request = function()
  n = n + 1
  local no = string.format("%010d", 1000000000 + (n * 7919) % $PERSONS + 1)
  return wrk.format("GET", "/api/v1/insurers/$insurer/insured/" .. no .. "/card", {["Authorization"] = "Bearer " .. token})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.3f %d %d\n", summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000, summary.errors.status, summary.requests))
end
LUA

# serve WHERE NAME - starts a node; its URL in $url
serve() {
  "$KAIGO" serve --db "$1" --listen 127.0.0.1:0 --quiet --token-file "$out/$2.op" > "$out/$2.out" 2> "$out/$2.err" &
  pids+=($!)
  for _ in $(seq 100); do grep -q listening "$out/$2.out" 2>/dev/null && break; sleep 0.1; done
  url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$out/$2.out")
  [ -n "$url" ] || { echo "$2 did not start:" >&2; cat "$out/$2.err" >&2; exit 1; }
}
stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  pids=()
}
# load URL CONNS TOKEN - prints RESULT req/s p99 non2xx requests
load() { BENCH_TOKEN=$3 wrk -t2 -c"$2" -d"${DURATION}s" --latency -s "$out/card.lua" "$1/api/v1/" | grep RESULT; }

serve "$db" sqlite
read -r _ sr sp ss sn <<<"$(load "$url" "$CONNS" "$(cat "$out/sqlite-token")")"
stop_all
serve "$app" pg
read -r _ pr pp ps pn <<<"$(load "$url" "$CONNS" "$(cat "$out/pg-token")")"
stop_all
printf 'card reads, %d persons, %d connections, %ss each, %s cores:\n' "$PERSONS" "$CONNS" "$DURATION" "$(nproc)"
printf '  SQLite     1 node : %8.0f req/s  p99 %7.2f ms  (non-2xx %d)\n' "$sr" "$sp" "$ss"
printf '  PostgreSQL 1 node : %8.0f req/s  p99 %7.2f ms  (non-2xx %d)\n' "$pr" "$pp" "$ps"
printf '  ratio PostgreSQL/SQLite: %.2f\n' "$(echo "$pr / $sr" | bc -l)"
if [ "$NODES" = 2 ]; then
  before=$(psql -XAt "$admin" -c "SELECT count(*) FROM audit_log")
  serve "$app" pg-a; url_a=$url
  serve "$app" pg-b; url_b=$url
  half=$((CONNS / 2))
  load "$url_a" "$half" "$(cat "$out/pg-token")" > "$out/a.res" &
  wa=$!
  load "$url_b" "$half" "$(cat "$out/pg-token")" > "$out/b.res"
  wait "$wa"
  stop_all
  read -r _ ar ap as an < "$out/a.res"
  read -r _ br bp bs bn < "$out/b.res"
  after=$(psql -XAt "$admin" -c "SELECT count(*) FROM audit_log")
  printf '  PostgreSQL 2 nodes: %8.0f req/s  p99 %7.2f / %.2f ms  (non-2xx %d)\n' "$((ar + br))" "$ap" "$bp" "$((as + bs))"
  printf '  audit entries added by the two nodes: %d for %d requests (every 2xx must have one)\n' \
    "$((after - before))" "$((an + bn))"
fi
"$KAIGO" audit verify --db "$app" | tail -1
