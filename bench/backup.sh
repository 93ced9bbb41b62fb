#!/usr/bin/env bash
# bench/backup.sh - kaigo backup and kaigo restore of a PERSONS-person registry (issue #20) against sqlite3's own
# `.backup` of the same two files (the registry and its audit log) in the same run: the price of the snapshot
# transaction, the hashes, the fsyncs and the MANIFEST; and of the restore's checks (integrity, counts, audit verify).
#
#   PERSONS=100000 bench/backup.sh        (make bench-backup)
#
# Median of RUNS (default 5) wall-clock runs each; stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
PERSONS=${PERSONS:-100000}
RUNS=${RUNS:-5}
KAIGO=${KAIGO:-build/default/kaigo}
out=${OUT:-bench/out/backup}
rm -rf "$out"; mkdir -p "$out"
db="$out/k.db"
scripts/demo-db.sh "$KAIGO" "$db" 1 "$PERSONS" >/dev/null
ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
median() { sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }
base=$(for i in $(seq "$RUNS"); do
  rm -f "$out/s.db" "$out/s.db.audit"
  ms sh -c "sqlite3 '$db' \".backup '$out/s.db'\" && sqlite3 '$db.audit' \".backup '$out/s.db.audit'\""
done | median)
bk=$(for i in $(seq "$RUNS"); do rm -rf "$out/b"; ms "$KAIGO" backup --db "$db" "$out/b"; done | median)
rs=$(for i in $(seq "$RUNS"); do rm -rf "$out/r"; mkdir "$out/r"; ms "$KAIGO" restore --db "$out/r/k.db" "$out/b"; done | median)
rm -rf "$out/r"; mkdir "$out/r"; "$KAIGO" restore --db "$out/r/k.db" "$out/b" >/dev/null   # must succeed
size=$(du -cb "$db" "$db.audit" | tail -1 | awk '{ printf "%.1f", $1 / 1048576 }')
entries=$(sed -n 's/^audit-entries //p' "$out/b/MANIFEST")
echo "backup of $PERSONS persons (registry + audit log $size MiB, $entries audit entries), median of $RUNS:"
printf '  sqlite3 .backup of both files (baseline) : %6d ms\n' "$base"
printf '  kaigo backup                             : %6d ms   ratio %.2f\n' "$bk" "$(echo "$bk / $base" | bc -l)"
printf '  kaigo restore (all checks, audit verify) : %6d ms   ratio %.2f\n' "$rs" "$(echo "$rs / $base" | bc -l)"
