#!/usr/bin/env bash
# bench/exchange.sh - ingest of one send unit for PERSONS persons × LINES 第6表 lines
# (UPPLAN + UPSIKYU + UPHOSOKU, MS932) by `kaigo exchange import` (decode, check every field,
# group per person and key, store versions in one transaction), against iconv + plain CSV
# splitting of the same bytes (bench_csvparse) in the same run. Target: ≤ 10 s for 50,000 × 30.
#
#   PERSONS=50000 LINES=30 RUNS=3 bench/exchange.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PERSONS=${PERSONS:-50000}
LINES=${LINES:-30}
RUNS=${RUNS:-3}
KAIGO=${KAIGO:-build/default/kaigo}
out=${OUT:-bench/out/exchange}
mkdir -p "$out"
[ -x "$KAIGO" ] || { echo "build first: make build" >&2; exit 2; }
command -v iconv >/dev/null || { echo "iconv missing" >&2; exit 2; }

if [ ! -f "$out/persons.$PERSONS" ]; then
  rm -rf "$out"/csv "$out"/*.CSV "$out"/persons.* "$out"/base.db*
  "$KAIGO" demo generate --insurers 1 --persons "$PERSONS" --seed 5 "$out/csv" >/dev/null
  "$KAIGO" import insured "$out/csv/insured.csv" --db "$out/base.db" --quiet >/dev/null
  tail -n +2 "$out/csv/insured.csv" | cut -d, -f1,2 > "$out/persons.$PERSONS"
  stamp=20260325120000 from=1270100017 to=1370100018
  gen() { awk -F, -v lines="$LINES" -v kind="$1" -f /dev/stdin "$out/persons.$PERSONS"; }
  # 第6表: LINES lines per person over April, each line another service code than the one
  # before (basic service, 入浴介助加算, a 処遇改善 line) and the start time alternating, so that
  # consecutive lines differ in more than the day; 第7表: one service line and the total; 補足: one row
  gen plan <<'AWK' | iconv -f UTF-8 -t CP932 > "$out/UPPLAN_202604_1270100017_43_1370100018_15_20260325120000.CSV"
{ for (i = 0; i < lines; i++) printf "202407,%s,%s,20260325,202604,1270100017,\"ケア　太郎\",658,,202604%02d,,%s,%s,1,%s,,,\"\",,1370100018,\"デイサービスさくら\",,0,1270100017,\r\n", $1, $2, 1 + int(i * 30 / lines), start[1 + i % 2], end[1 + i % 2], code[1 + i % 3] }
BEGIN { split("151111 155051 156100", code, " "); split("0930 1000", start, " "); split("1600 1545", end, " ") }
AWK
  gen sikyu <<'AWK' | iconv -f UTF-8 -t CP932 > "$out/UPSIKYU_202604_1270100017_43_1370100018_15_20260325120000.CSV"
{ printf "202407,%s,%s,20260325,202604,\"デイサービスさくら\",1370100018,,151111,,,\"\",658,,,%d,%d,%d,,,0,%d,10.90,%d,90,%d,,%d,0,,,,0,1270100017,9999999999,1270100017,\r\n", $1, $2, lines, 658*lines, 658*lines, 658*lines, int(658*lines*10.9), int(int(658*lines*10.9)*0.9), int(658*lines*10.9)-int(int(658*lines*10.9)*0.9)
  printf "202407,%s,%s,20260325,202604,\"\",9999999999,,999999,,,\"\",0,,,0,,,,,0,%d,,%d,,%d,,%d,0,,,,,1270100017,9999999999,1270100017,\r\n", $1, $2, 658*lines, int(658*lines*10.9), int(int(658*lines*10.9)*0.9), int(658*lines*10.9)-int(int(658*lines*10.9)*0.9) }
AWK
  gen hosoku <<'AWK' | iconv -f UTF-8 -t CP932 > "$out/UPHOSOKU_202604_1270100017_43_1370100018_15_20260325120000.CSV"
{ printf "202407,%s,%s,00000000,\"カイゴ　タロウ\",\"介護　太郎\",1,19400101,290-0001,\"千葉県市原市五井1-1\",\"\",0436-00-0000,20240305,20240401,20280331,2,,22,19705,15,0,0,0", $1, $2
  for (i = 0; i < 32; i++) printf ","; printf ",0,,,22,1270100017,1270100017,,202604\r\n" }
AWK
  touch "$out/persons.$PERSONS"
fi
files=("$out"/UPPLAN_*.CSV "$out"/UPSIKYU_*.CSV "$out"/UPHOSOKU_*.CSV)
bytes=$(cat "${files[@]}" | wc -c)
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
k_times=() b_times=()
for i in $(seq "$RUNS"); do
  rm -f "$out"/k.db*
  cp "$out/base.db" "$out/k.db"
  [ -f "$out/base.db.audit" ] && cp "$out/base.db.audit" "$out/k.db.audit"
  [ -f "$out/base.db.audit-key" ] && cp "$out/base.db.audit-key" "$out/k.db.audit-key" && cp "$out/base.db.audit-key.pub" "$out/k.db.audit-key.pub"
  t0=$(now)
  "$KAIGO" exchange import "${files[@]}" --db "$out/k.db" > "$out/import.log"
  t1=$(now)
  build/default/bench_csvparse "${files[@]}" > "$out/baseline.log"
  t2=$(now)
  k_times+=("$(echo "$t1 - $t0" | bc -l)")
  b_times+=("$(echo "$t2 - $t1" | bc -l)")
done
k=$(printf '%s\n' "${k_times[@]}" | median)
b=$(printf '%s\n' "${b_times[@]}" | median)
echo "exchange ingest: persons=$PERSONS lines/person=$LINES files=3 bytes=$bytes runs=$RUNS"
echo "  $(cat "$out/import.log")"
echo "  baseline  iconv + CSV split (bench_csvparse)  $(printf '%.2f' "$b") s   ($(cat "$out/baseline.log"))"
echo "  kaigo     exchange import                      $(printf '%.2f' "$k") s"
echo "  ratio     baseline / kaigo = $(echo "$b / $k" | bc -l | xargs printf '%.2f')   (target: kaigo <= 10 s for 50,000 x 30)"
