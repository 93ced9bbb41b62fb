#!/usr/bin/env bash
# bench/pg-national.sh - the national load (issue #22 §3): PERSONS synthetic persons over INSURERS
# insurers (default 35.9M over 1,571: the seed list's 69, then synthetic numbers) generated,
# imported into one PostgreSQL 15 primary through `kaigo import` (the insured file and, unless
# INSURED_ONLY=1, the certification, burden, limit and plan files), then audited card reads at
# CONNS connections for DURATION seconds, spread over every insurer and over one person in SAMPLE
# (default 100: a uniform 1 % of the whole set, the persons the reading 居宅 is given a consent and a
# care relationship for; SAMPLE=1: everyone, which costs ≈ 35 µs a person of SQL set-up).
#
#   bench/pg-national.sh                                    # 35.9M: ≈ 7 GB of CSV, ≈ 12+ GB of database
#   PERSONS=2000000 INSURERS=1571 bench/pg-national.sh     # a rehearsal
#
# Prints, per step, the time and rows/s, the database's size, then req/s and p99 of the card reads.
# The cluster (tests/pg/cluster.sh, loopback, fsync on) and the CSV live under OUT, removed at the
# end unless KEEP=1. Needs ≈ 3× the CSV's size free. Stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
PERSONS=${PERSONS:-35900000}
INSURERS=${INSURERS:-1571}
DURATION=${DURATION:-20}
CONNS=${CONNS:-64}
INSURED_ONLY=${INSURED_ONLY:-0}
SAMPLE=${SAMPLE:-100}
KAIGO=${KAIGO:-$PWD/build/default/kaigo}
out=${OUT:-/tmp/kaigo-bench-pg-national}
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out"
chmod 711 "$out"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  tests/pg/cluster.sh stop "$out/pg" >/dev/null 2>&1 || true
  [ -n "${KEEP:-}" ] || rm -rf "$out"
}
trap cleanup EXIT
. tests/pg/lib.sh
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc -l; }

t=$(now)
"$KAIGO" demo generate --insurers "$INSURERS" --persons "$PERSONS" --seed 7 "$out/csv" >/dev/null
printf 'generate %d persons over %d insurers: %.0f s, CSV %s\n' "$PERSONS" "$INSURERS" "$(since "$t")" \
  "$(du -sh "$out/csv" | cut -f1)"

tests/pg/cluster.sh start "$out/pg" >/dev/null
admin=$(cat "$out/pg/admin-url") app=$(cat "$out/pg/url")
# a server sized for the load (the machine's RAM / 4 as shared_buffers, WAL room for bulk loads);
# durability as in production: fsync and synchronous_commit on
mem_mb=$(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo)
psql -X -q -v ON_ERROR_STOP=1 "$admin" >/dev/null <<SQL
ALTER SYSTEM SET shared_buffers = '$((mem_mb / 4))MB';
ALTER SYSTEM SET max_wal_size = '16GB';
ALTER SYSTEM SET checkpoint_timeout = '15min';
ALTER SYSTEM SET effective_cache_size = '$((mem_mb / 2))MB';
SQL
bin=/usr/lib/postgresql/15/bin
as=()
[ "$(id -u)" -eq 0 ] && as=(runuser -u nobody --)
"${as[@]}" "$bin/pg_ctl" -D "$out/pg/data" -w -t 60 restart >/dev/null
PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 "$admin" -f src/store/pg/schema.sql \
  -c 'GRANT kaigo_rw TO kaigo_app' >/dev/null
mkdir -p "$out/state"
export KAIGO_STATE="$out/state"

kinds=(insured)
[ "$INSURED_ONLY" = 1 ] || kinds+=(certification burden limit plan)
for k in "${kinds[@]}"; do
  rows=$(($(wc -l < "$out/csv/$k.csv") - 1))
  t=$(now)
  "$KAIGO" import "$k" "$out/csv/$k.csv" --db "$app" --quiet >/dev/null
  s=$(since "$t")
  printf 'import %-13s %10d rows: %7.1f s  %8.0f rows/s\n' "$k" "$rows" "$s" "$(echo "$rows / $s" | bc -l)"
done
psql -X -q "$admin" -c 'ANALYZE' >/dev/null
printf 'database after import: %s (record_versions %s, record_current %s)\n' \
  "$(psql -X -At "$admin" -c "SELECT pg_size_pretty(pg_database_size(current_database()))")" \
  "$(psql -X -At "$admin" -c "SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits WHERE inhparent = 'record_versions'::regclass")" \
  "$(psql -X -At "$admin" -c "SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits WHERE inhparent = 'record_current'::regclass")"

# card reads over the whole set: a 居宅 with a token, a blanket consent and a care relationship for
# one person in SAMPLE (as bench/pg-http.sh), each request a random insurer and one of those persons
"$KAIGO" org add --db "$app" --id bench-kyotaku --kind kyotaku --name ベンチ居宅 >/dev/null
"$KAIGO" token issue --db "$app" --org bench-kyotaku --name national 2>/dev/null > "$out/token"
t=$(now)
pg_give_access "$admin" bench-kyotaku "$SAMPLE"
printf 'consents and relationships for %d persons (one in %d; SQL): %.0f s\n' \
  "$(psql -X -At "$admin" -c "SELECT count(*) FROM relationships")" "$SAMPLE" "$(since "$t")"
psql -X -At -F ' ' "$admin" -c "SELECT insurer_no, count(*) FROM record_versions WHERE kind = 'insured'
  GROUP BY insurer_no ORDER BY insurer_no" > "$out/insurers.txt"
{
  echo "ins = {"
  awk '{printf "{\"%s\", %d},\n", $1, $2}' "$out/insurers.txt"
  echo "}"
} > "$out/insurers.lua"
cat > "$out/card.lua" <<'LUA'
dofile(os.getenv("BENCH_INSURERS"))
local token = os.getenv("BENCH_TOKEN")
local n = #ins
local S = tonumber(os.getenv("BENCH_SAMPLE"))
local base = (7 % S == 0) and S or 7 % S -- the persons 1000000000 + base + S * j
init = function(args) math.randomseed(os.time() + math.floor(os.clock() * 1e6)) end
request = function()
  local i = ins[math.random(n)]
  local no = string.format("%010d", 1000000000 + base + S * math.random(0, math.floor((i[2] - base) / S)))
  return wrk.format("GET", "/api/v1/insurers/" .. i[1] .. "/insured/" .. no .. "/card", {["Authorization"] = "Bearer " .. token})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.3f %d %d\n", summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000, summary.errors.status, summary.requests))
end
LUA
kaigo_node serve "$app" "$out"
read -r _ r p99 non2xx total <<<"$(BENCH_SAMPLE=$SAMPLE BENCH_INSURERS="$out/insurers.lua" BENCH_TOKEN=$(cat "$out/token") \
  wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s "$out/card.lua" "$url/api/v1/" | grep RESULT)"
printf 'card reads over one in %d of %d persons of %d insurers, %d connections, %ss: %.0f req/s, p99 %.2f ms, non-2xx %d of %d\n' \
  "$SAMPLE" "$PERSONS" "$(wc -l < "$out/insurers.txt")" "$CONNS" "$DURATION" "$r" "$p99" "$non2xx" "$total"
printf 'audit entries %s over %s insurers; checkpoints %s\n' "$(psql -X -At "$admin" -c "SELECT count(*) FROM audit_log")" \
  "$(psql -X -At "$admin" -c "SELECT count(DISTINCT insurer_no) FROM audit_log")" \
  "$(psql -X -At "$admin" -c "SELECT count(*) FROM audit_checkpoints")"
printf 'database after the reads: %s\n' "$(psql -X -At "$admin" -c "SELECT pg_size_pretty(pg_database_size(current_database()))")"
