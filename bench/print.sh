#!/usr/bin/env bash
# bench/print.sh - batch printing of 被保険者証 (kaigo print cards --insurer: gate + audit per chunk,
# issue records, signing, drawing on every core, joining) in pages/s, against the same batch drawn
# by one thread (KAIGO_PRINT_THREADS=1) and single-document printing (kaigo print card --person, one
# process per document) in the same run. Target: ≥ 200 pages/s.
#
#   PERSONS=2000 SINGLES=20 bench/print.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PERSONS=${PERSONS:-2000}
SINGLES=${SINGLES:-20}
KAIGO=${KAIGO:-build/default/kaigo}
out=${OUT:-bench/out/print}
[ -x "$KAIGO" ] || { echo "build first: make build" >&2; exit 2; }
rm -rf "$out"; mkdir -p "$out"
"$KAIGO" demo generate --insurers 1 --persons "$PERSONS" --seed 6 "$out/csv" >/dev/null
for k in insured certification burden; do "$KAIGO" import "$k" "$out/csv/$k.csv" --db "$out/k.db" --quiet >/dev/null; done
ins=$(sqlite3 "$out/k.db" "SELECT insurer_no FROM insurers LIMIT 1")
now() { date +%s.%N; }
t4=$(now)
KAIGO_PRINT_THREADS=1 "$KAIGO" print cards --insurer "$ins" "$out/one-core.pdf" --db "$out/k.db" > "$out/batch1.log" 2>/dev/null
t5=$(now)
t0=$(now)
"$KAIGO" print cards --insurer "$ins" "$out/cards.pdf" --db "$out/k.db" > "$out/batch.log" 2>/dev/null
t1=$(now)
pages=$(pdfinfo "$out/cards.pdf" | awk '/^Pages:/ {print $2}')
mapfile -t some < <(sqlite3 "$out/k.db" "SELECT DISTINCT insured_no FROM record_versions WHERE kind='insured' LIMIT $SINGLES")
t2=$(now)
for no in "${some[@]}"; do "$KAIGO" print card --person "$ins/$no" "$out/one.pdf" --db "$out/k.db" >/dev/null; done
t3=$(now)
b=$(echo "$pages / ($t1 - $t0)" | bc -l)
b1=$(echo "$pages / ($t5 - $t4)" | bc -l)
s=$(echo "${#some[@]} / ($t3 - $t2)" | bc -l)
echo "print: persons=$PERSONS pages=$pages, $(nproc) cores"
echo "  batch   kaigo print cards --insurer   $(printf '%.1f' "$b") pages/s  ($(printf '%.2f' "$(echo "$t1 - $t0" | bc -l)") s)"
echo "  1 draw  KAIGO_PRINT_THREADS=1            $(printf '%.1f' "$b1") pages/s  ($(printf '%.2f' "$(echo "$t5 - $t4" | bc -l)") s)"
echo "  single  kaigo print card --person      $(printf '%.1f' "$s") pages/s  (${#some[@]} documents)"
echo "  cores   batch / 1 draw = $(echo "$b / $b1" | bc -l | xargs printf '%.2f')"
echo "  ratio   batch / single = $(echo "$b / $s" | bc -l | xargs printf '%.1f')   (target: batch >= 200 pages/s)"
