#!/usr/bin/env bash
# bench/pg-import.sh - bulk import into PostgreSQL (issue #22 §3): `kaigo import insured` of
# PERSONS persons against psql's `\copy` of the same CSV rows into a bare table (no validation, no
# keys, no versions), in the same run, on a throw-away cluster (tests/pg/cluster.sh) on loopback.
#
#   PERSONS=1000000 RUNS=1 bench/pg-import.sh
#
# Each run imports into a fresh database made from a template with the schema; each timed step
# starts from a CHECKPOINT. Prints rows/s for
# both (median of RUNS), the ratio (target >= 0.5), the database's size after the import and the
# projected time for the 35.9M 第1号被保険者. Stops by itself and removes the cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
PERSONS=${PERSONS:-1000000}
RUNS=${RUNS:-1}
KAIGO=${KAIGO:-$PWD/build/default/kaigo}
out=${OUT:-/tmp/kaigo-bench-pg-import}
[ -x "$KAIGO" ] || { echo "build first: make build" >&2; exit 2; }
mkdir -p "$out"
chmod 711 "$out"
csv="$out/csv/insured.csv"
if [ ! -f "$csv" ] || [ "$(($(wc -l < "$csv") - 1))" -ne "$PERSONS" ]; then
  rm -rf "$out/csv"
  "$KAIGO" demo generate --insurers 10 --persons "$PERSONS" --seed 42 "$out/csv" >/dev/null
fi
rows=$(($(wc -l < "$csv") - 1))
rm -rf "$out/pg" "$out/state"
tests/pg/cluster.sh start "$out/pg" >/dev/null
trap 'tests/pg/cluster.sh stop "$out/pg" >/dev/null 2>&1 || true' EXIT
admin=$(cat "$out/pg/admin-url") app=$(cat "$out/pg/url")
base=${admin%/*}
psql -X -q -v ON_ERROR_STOP=1 "$base/postgres" -c 'CREATE DATABASE kaigo_tmpl' >/dev/null
. tests/pg/lib.sh
pg_schema_install "$base/kaigo_tmpl"
mkdir -p "$out/state"
export KAIGO_STATE="$out/state"
cols=$(head -1 "$csv" | tr -d '\r' | awk -F, '{for (i = 1; i <= NF; i++) printf "%sc%d text", (i > 1 ? ", " : ""), i}')
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
k_times=() r_times=()
for i in $(seq "$RUNS"); do
  psql -X -q -v ON_ERROR_STOP=1 "$base/postgres" -c "DROP DATABASE IF EXISTS k$i" -c "CREATE DATABASE k$i TEMPLATE kaigo_tmpl" \
    -c "DROP DATABASE IF EXISTS r$i" -c "CREATE DATABASE r$i OWNER kaigo_app" >/dev/null
  # each timed step starts from a checkpoint: neither pays for the other's dirty pages
  psql -X -q "$base/postgres" -c CHECKPOINT
  t0=$(now)
  "$KAIGO" import insured "$csv" --db "${app%/*}/k$i" --quiet >/dev/null
  t1=$(now)
  psql -X -q "$base/postgres" -c CHECKPOINT
  t2=$(now)
  psql -X -q -v ON_ERROR_STOP=1 "${app%/*}/r$i" -c "CREATE TABLE bare ($cols)" \
    -c "\\copy bare FROM '$csv' WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')" >/dev/null
  t3=$(now)
  k_times+=("$(echo "$t1 - $t0" | bc -l)")
  r_times+=("$(echo "$t3 - $t2" | bc -l)")
  n=$(psql -X -At "${app%/*}/r$i" -c "SELECT count(*) FROM bare")
  [ "$n" -eq "$rows" ] || { echo "baseline copied $n of $rows rows" >&2; exit 1; }
  n=$(psql -X -At "${admin%/*}/k$i" -c "SELECT count(*) FROM record_versions WHERE kind = 'insured'")
  [ "$n" -eq "$rows" ] || { echo "kaigo imported $n of $rows rows" >&2; exit 1; }
done
size=$(psql -X -At "${admin%/*}/k$RUNS" -c "SELECT pg_size_pretty(pg_database_size(current_database()))")
kt=$(printf '%s\n' "${k_times[@]}" | median)
rt=$(printf '%s\n' "${r_times[@]}" | median)
krate=$(echo "$rows / $kt" | bc -l)
rrate=$(echo "$rows / $rt" | bc -l)
printf 'PostgreSQL import: %d rows, median of %d runs\n' "$rows" "$RUNS"
printf '  kaigo import insured : %8.2f s  %10.0f rows/s  (database %s)\n' "$kt" "$krate" "$size"
printf '  psql \\copy (raw)     : %8.2f s  %10.0f rows/s\n' "$rt" "$rrate"
printf '  ratio kaigo/raw      : %8.2f   (target >= 0.5)\n' "$(echo "$krate / $rrate" | bc -l)"
printf '  35.9M 第1号 at this rate: %.1f min\n' "$(echo "35900000 / $krate / 60" | bc -l)"
