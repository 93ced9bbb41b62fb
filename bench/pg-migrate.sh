#!/usr/bin/env bash
# bench/pg-migrate.sh - a municipality moved from SQLite to PostgreSQL (`kaigo migrate`, issue #22): a
# SQLite store of PERSONS persons (insured, certification, burden, plan) with READS audited card reads,
# migrated into an empty database, against the baseline of the same files imported straight into
# PostgreSQL by `kaigo import` (COPY) in the same run, on a throw-away cluster on loopback.
#
#   PERSONS=100000 READS=20000 bench/pg-migrate.sh
#
# Prints the rows and seconds of each, the ratio (migrate / import: how much the copy, the read-back
# comparison and both verifies cost against loading the files afresh, which would lose the audit log),
# and the database's size. Stops by itself and removes the cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
PERSONS=${PERSONS:-100000}
READS=${READS:-20000}
KAIGO=${KAIGO:-$PWD/build/default/kaigo}
out=${OUT:-/tmp/kaigo-bench-pg-migrate}
[ -x "$KAIGO" ] || { echo "build first: make build" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out"
chmod 711 "$out"
trap 'tests/pg/cluster.sh stop "$out/pg" >/dev/null 2>&1 || true' EXIT
"$KAIGO" demo generate --insurers 1 --persons "$PERSONS" --seed 42 "$out/csv" >/dev/null
kinds="insured certification burden plan"
for k in $kinds; do "$KAIGO" import "$k" "$out/csv/$k.csv" --db "$out/k.db" --quiet >/dev/null; done
# an audited history: the CLI's card reads go through the same gate and audit writer as the server's
ins=$(sed -n 2p "$out/csv/insured.csv" | cut -d, -f1)
cut -d, -f2 "$out/csv/certification.csv" | sed 1d | head -"$READS" > "$out/people"
n=0
while read -r no; do
  "$KAIGO" card show --db "$out/k.db" "$ins" "$no" >/dev/null
  n=$((n + 1))
  [ "$n" -ge 100 ] && break # each read is a process; the log is then grown in bulk below
done < "$out/people"
if [ "$READS" -gt 100 ]; then
  "$PWD/build/default/bench_auditgen" "$out/k.db" "$((READS - 100))" 500 >/dev/null 2>&1 ||
    { echo "bench_auditgen failed" >&2; exit 1; }
fi
tests/pg/cluster.sh start "$out/pg" >/dev/null
admin=$(cat "$out/pg/admin-url") app=$(cat "$out/pg/url")
base=${admin%/*}
psql -X -q -v ON_ERROR_STOP=1 "$base/postgres" -c 'CREATE DATABASE kaigo_tmpl' >/dev/null
. tests/pg/lib.sh
pg_schema_install "$base/kaigo_tmpl"
psql -X -q -v ON_ERROR_STOP=1 "$base/postgres" -c 'CREATE DATABASE m TEMPLATE kaigo_tmpl' \
  -c 'CREATE DATABASE i TEMPLATE kaigo_tmpl' >/dev/null
mkdir -p "$out/state-m" "$out/state-i"
now() { date +%s.%N; }
t0=$(now)
KAIGO_STATE="$out/state-m" "$KAIGO" migrate --from "$out/k.db" --to "$base/m" --quiet > "$out/migrate.out"
t1=$(now)
for k in $kinds; do KAIGO_STATE="$out/state-i" "$KAIGO" import "$k" "$out/csv/$k.csv" --db "${app%/*}/i" --quiet >/dev/null; done
t2=$(now)
rows=$(grep -o '[0-9]* 行。' "$out/migrate.out" | grep -o '[0-9]*')
entries=$(psql -X -At "$base/m" -c "SELECT count(*) FROM audit_log")
records=$(psql -X -At "$base/i" -c "SELECT count(*) FROM record_versions")
mt=$(echo "$t1 - $t0" | bc -l) it=$(echo "$t2 - $t1" | bc -l)
size=$(psql -X -At "$base/m" -c "SELECT pg_size_pretty(pg_database_size(current_database()))")
printf 'persons %d, audit entries %d\n' "$PERSONS" "$entries"
printf 'kaigo migrate (verify, copy, compare, verify): %d rows in %.2f s (%.0f rows/s), database %s\n' \
  "$rows" "$mt" "$(echo "$rows / $mt" | bc -l)" "$size"
printf 'baseline kaigo import of the same files into PostgreSQL: %d records in %.2f s\n' "$records" "$it"
printf 'ratio migrate / import: %.2f\n' "$(echo "$mt / $it" | bc -l)"
