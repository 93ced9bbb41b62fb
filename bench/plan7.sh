#!/usr/bin/env bash
# bench/plan7.sh - the 第7表 recomputed on the plan page (issue #18 §1: "recompute ≤ 50 ms for 30 lines"): the
# demo person's month with a 第6表 of LINES lines (three offices, three service codes of the demo's master), its
# 補足 and the care manager's sent 第7表; GET /me/plan decodes the stored sets, computes the 第7表 with the
# service-code master (sheet7_from_plan + sheet7_compute), compares it with the sent one and renders it, after the
# gate and the durable audit entry - against GET /me/card (the gate, the entry, the card) in the same run.
#
# And the care manager's 第6表 editor (issue #18 §1): POST /office/plan/…/sheet7 with the same LINES lines as a form
# (what kaigo.js posts on each change) - two disclosures (資格, 計画), the form parsed (p6_form), the records made and
# the 第7表 computed (p6_compute) and rendered with the price fields.
#
#   LINES=30 DURATION=10 CONNS=4 bench/plan7.sh        (make bench-plan7)
#
# wrk on loopback only, keep-alive; stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
LINES=${LINES:-30}
DURATION=${DURATION:-10}
CONNS=${CONNS:-4}
KAIGO=${KAIGO:-build/default/kaigo}
out=${OUT:-bench/out/plan7}
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 2; }
rm -rf "$out"; mkdir -p "$out/unit"
db="$out/k.db"
scripts/demo-db.sh "$KAIGO" "$db" 1 200 >/dev/null
read -r ins no _ < "$db.demo-person"
ym=$(TZ=Asia/Tokyo date +%Y%m)
KYO=1270100017 P1=1370100016 P2=1370100024 P3=1370100032 V=202407
# LINES 第6表 lines: the demo's 151111 (658 units) at three offices, a day each
awk -v n="$LINES" -v ins="$ins" -v no="$no" -v ym="$ym" -v kyo="$KYO" -v v="$V" 'BEGIN {
  split("'"$P1 $P2 $P3"'", off, " ")
  for (i = 0; i < n; i++) printf "%s,%s,%s,%s01,%s,%s,\"ケア　太郎\",658,,%s%02d,,0930,1600,1,151111,,,\"\",,%s,\"通所%d\",,0,%s,\r\n",
    v, ins, no, ym, ym, kyo, ym, 1 + i % 28, off[1 + i % 3], 1 + i % 3, kyo }' |
  iconv -f UTF-8 -t CP932 > "$out/unit/UPPLAN_${ym}_${KYO}_43_${P1}_15_${ym}01130000.CSV"
# the care manager's 第7表 for the same lines (written by kaigo itself), sent with it
counts=$(awk -v n="$LINES" 'BEGIN { for (i = 0; i < n; i++) c[1 + i % 3]++; print c[1], c[2], c[3] }')
read -r c1 c2 c3 <<<"$counts"
cat > "$out/case.json" <<JSON
{"month":"$ym","care_level":"23","benefit_rate":90,"insurer_no":"$ins","insured_no":"$no","created":"${ym}01",
 "plan_office":"$KYO","offices":[
  {"office_no":"$P1","name":"通所1","service_type":"15","unit_price":"10.00","lines":[{"service_code":"151111","units":658,"count":$c1}]},
  {"office_no":"$P2","name":"通所2","service_type":"15","unit_price":"10.00","lines":[{"service_code":"151111","units":658,"count":$c2}]},
  {"office_no":"$P3","name":"通所3","service_type":"15","unit_price":"10.00","lines":[{"service_code":"151111","units":658,"count":$c3}]}]}
JSON
"$KAIGO" sheet7 "$out/case.json" --codes "$db.codes.csv" --upsikyu "$out/unit" --to "$P1:15" --stamp "${ym}01130000" \
  >/dev/null 2>"$out/sheet7.err"
blank=$(printf ',%.0s' $(seq 32))
printf '%s\r\n' "$V,$ins,$no,00000000,\"カナ\",\"氏名\",1,19400101,000-0000,\"\",\"\",,,,,2,,23,27048,15,0,0,0$blank,0,,,23,$KYO,$KYO,,$ym" |
  iconv -f UTF-8 -t CP932 > "$out/unit/UPHOSOKU_${ym}_${KYO}_43_${P1}_15_${ym}01130000.CSV"
"$KAIGO" exchange import --db "$db" "$out"/unit/*.CSV >/dev/null
"$KAIGO" sheet7 --person "$ins/$no" --month "$ym" --db "$db" --codes "$db.codes.csv" >/dev/null 2>"$out/person.err" ||
  { cat "$out/person.err" >&2; exit 1; }
serve_start "$db" "$out" --codes "$db.codes.csv"
cookie=$(login_cookie demo-person demo-Password-2026 DEMOPERSONDEMOPERSONDEMOPERSON22)
page=$(curl -s -H "Cookie: $cookie" "$url/me/plan")
grep -q '届いた第7表と一致します' <<<"$page" || { echo "the plan page did not compute the 第7表" >&2; exit 1; }
cat > "$out/res.lua" <<LUA
wrk.headers["Cookie"] = "$cookie"
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.2f %.2f %d\n", summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status))
end
LUA
# the editor: demo-kyotaku becomes 担当 of the demo person (本人確認 with a code and the birth date)
read -r _ _ birth _ < "$db.demo-person"
code=$("$KAIGO" relationship code --db "$db" "$ins" "$no" 2>/dev/null)
"$KAIGO" relationship add --db "$db" --org demo-kyotaku "$ins" "$no" --birth "$birth" --code "$code" >/dev/null
cm=$(login_cookie demo-cm demo-Password-2026 DEMOCAREMGRDEMOCAREMGRDEMOCAREM2)
csrf=$(curl -s -H "Cookie: $cm" "$url/office/plan/$ins/$no" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
[ -n "$csrf" ] || { echo "the editor did not open" >&2; exit 1; }
form=$(awk -v n="$LINES" -v ym="$ym" -v csrf="$csrf" 'BEGIN {
  split("'"$P1 $P2 $P3"'", off, " ")
  printf "csrf=%s&ym=%s&p%s=10.00&p%s=10.00&p%s=10.00", csrf, ym, off[1], off[2], off[3]
  for (i = 0; i < n; i++) printf "&o%d=%s&c%d=151111&s%d=09%%3A30&e%d=16%%3A00&k%d=1&d%d=%d", i, off[1 + i % 3], i, i, i, i, i, 1 + i % 28 }')
live=$(curl -s -H "Cookie: $cm" -H "Origin: $url" --data "$form" "$url/office/plan/$ins/$no/sheet7")
grep -q '区分支給限度基準額' <<<"$live" || { echo "the editor did not compute the 第7表: $live" >&2; exit 1; }
cat > "$out/edit.lua" <<LUA
wrk.method = "POST"
wrk.body = "$form"
wrk.headers["Cookie"] = "$cm"
wrk.headers["Origin"] = "$url"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.2f %.2f %d\n", summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status))
end
LUA
c=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s "$out/res.lua" "$url/me/card" | grep RESULT)
p=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s "$out/res.lua" "$url/me/plan" | grep RESULT)
e=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s "$out/edit.lua" "$url/office/plan/$ins/$no/sheet7" | grep RESULT)
read -r _ er e50 e99 es <<<"$e"
read -r _ cr c50 c99 cs <<<"$c"
read -r _ pr p50 p99 ps <<<"$p"
printf 'plan7: a %d-line 第6表 (3 offices), its 補足 and sent 第7表; %d connections, %ss each, %s cores\n' "$LINES" "$CONNS" "$DURATION" "$(nproc)"
printf '  GET /me/card                     : %8.1f req/s  p50 %6.2f ms  p99 %6.2f ms  (non-2xx %d)\n' "$cr" "$c50" "$c99" "$cs"
printf '  GET /me/plan (with the 第7表)    : %8.1f req/s  p50 %6.2f ms  p99 %6.2f ms  (non-2xx %d)\n' "$pr" "$p50" "$p99" "$ps"
printf '  POST …/sheet7 (editor recompute) : %8.1f req/s  p50 %6.2f ms  p99 %6.2f ms  (non-2xx %d)\n' "$er" "$e50" "$e99" "$es"
printf '  ratio plan/card                  : %8.3f  (target: the page with the 第7表 in <= 50 ms)\n' "$(echo "$pr / $cr" | bc -l)"
printf '  ratio recompute/card             : %8.3f  (target: the editor recompute in <= 50 ms)\n' "$(echo "$er / $cr" | bc -l)"
kill $pid; wait $pid 2>/dev/null || true; trap - EXIT
