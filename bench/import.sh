#!/usr/bin/env bash
# bench/import.sh - municipal bulk import throughput, as a ratio to sqlite3's own
# `.import` of the same rows into a bare table, measured in the same run.
#
#   PERSONS=1000000 RUNS=3 bench/import.sh
#
# Prints rows/s for both (median of RUNS), the ratio, and the projected time for
# the 35.9M 第1号被保険者 nationally. Loopback/local only; stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
PERSONS=${PERSONS:-1000000}
RUNS=${RUNS:-3}
KAIGO=${KAIGO:-build/default/kaigo}
out=${OUT:-bench/out/import}
mkdir -p "$out"
[ -x "$KAIGO" ] || { echo "build first: make build" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "sqlite3 CLI missing" >&2; exit 2; }

csv="$out/csv/insured.csv"
if [ ! -f "$csv" ] || [ "$(($(wc -l < "$csv") - 1))" -ne "$PERSONS" ]; then
  rm -rf "$out/csv"
  "$KAIGO" demo generate --insurers 10 --persons "$PERSONS" --seed 42 "$out/csv" >/dev/null
fi
rows=$(($(wc -l < "$csv") - 1))

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

k_times=() r_times=()
for i in $(seq "$RUNS"); do
  rm -f "$out"/k.db* "$out"/raw.db*
  t0=$(now)
  "$KAIGO" import insured "$csv" --db "$out/k.db" --quiet >/dev/null
  t1=$(now)
  # Baseline: the same rows into a bare table (no validation, no keys, no versions).
  sqlite3 "$out/raw.db" -cmd "PRAGMA journal_mode=WAL" -cmd "PRAGMA synchronous=FULL" \
    -cmd "CREATE TABLE bare(a,b,c,d,e,f,g,h,i,j,k)" ".import --csv --skip 1 $csv bare" >/dev/null
  t2=$(now)
  k_times+=("$(echo "$t1 - $t0" | bc -l)")
  r_times+=("$(echo "$t2 - $t1" | bc -l)")
  n=$(sqlite3 "$out/raw.db" "SELECT COUNT(*) FROM bare")
  [ "$n" -eq "$rows" ] || { echo "baseline imported $n of $rows rows" >&2; exit 1; }
done
kt=$(printf '%s\n' "${k_times[@]}" | median)
rt=$(printf '%s\n' "${r_times[@]}" | median)
krate=$(echo "$rows / $kt" | bc -l)
rrate=$(echo "$rows / $rt" | bc -l)
ratio=$(echo "$krate / $rrate" | bc -l)
national=$(echo "35900000 / $krate / 60" | bc -l)
printf 'import: %d rows, median of %d runs\n' "$rows" "$RUNS"
printf '  kaigo import insured : %8.2f s  %10.0f rows/s\n' "$kt" "$krate"
printf '  sqlite3 .import (raw): %8.2f s  %10.0f rows/s\n' "$rt" "$rrate"
printf '  ratio kaigo/raw      : %8.2f   (target >= 0.5)\n' "$ratio"
printf '  35.9M 第1号 at this rate: %.1f min\n' "$national"
