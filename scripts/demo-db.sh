#!/usr/bin/env bash
# demo-db.sh KAIGO DB INSURERS PERSONS - create the demo database once (synthetic people),
# with demo organisations, accounts and an API token so that `make run` can show the access
# rules. Everything here is synthetic; the demo passwords and TOTP secrets are public.
# DB is a SQLite file (made here) or a postgresql:// URL of an empty database with kaigo's schema, its
# side files in $KAIGO_STATE (scripts/db-lib.sh; the end-to-end tests on PostgreSQL, issue #22).
set -euo pipefail
kaigo=$1 db=$2 insurers=$3 persons=$4
. "$(dirname "$0")/db-lib.sh"
version=11 # bump when the schema of a pre-release database changes incompatibly
if { [ $db_pg = 1 ] || [ -f "$db" ]; } && [ "$(cat "$(side .demo-version)" 2>/dev/null)" = "$version" ]; then exit 0; fi
if [ $db_pg = 1 ] && [ "$(q "SELECT count(*) FROM insurers")" != 0 ]; then
  echo "$0: the PostgreSQL database is not empty: the demo is made in an empty one" >&2
  exit 2
fi
[ $db_pg = 1 ] || rm -f "$db" "$db"-wal "$db"-shm "$db".audit "$db".audit-wal "$db".audit-shm
rm -f "$(side .audit-key)" "$(side .audit-key.pub)" "$(side .demo-token)" "$(side .demo-insurer-token)" "$(side .demo-version)" "$(side .codes.csv)"
[ $db_pg = 1 ] || mkdir -p "$(dirname "$db")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$kaigo" demo generate --insurers "$insurers" --persons "$persons" --seed 1 "$tmp/csv"
into=$db
[ $db_pg = 1 ] || into=$db.tmp # a SQLite file appears whole (a PostgreSQL import is one transaction a file)
for k in insured certification burden limit plan restriction facility; do
  "$kaigo" import "$k" "$tmp/csv/$k.csv" --db "$into" --quiet
done
if [ $db_pg = 0 ]; then
  # the database and its audit log (<db>.audit) belong together: move both
  mv "$db.tmp.audit" "$db.audit"
  mv "$db.tmp" "$db"
  rm -f "$db.tmp-wal" "$db.tmp-shm" "$db.tmp.audit-wal" "$db.tmp.audit-shm" "$db.tmp.audit-idx" # the index is rebuilt for the new name
fi

# --- access demo: one insurer, one 居宅, one person with consent and a care relationship
read -r ins no birth < <(q \
  "SELECT r.insurer_no, r.insured_no, $(jx r.body birth) FROM record_versions r
   WHERE r.kind = 'insured' AND EXISTS (SELECT 1 FROM record_versions c WHERE c.kind = 'certification'
   AND c.insurer_no = r.insurer_no AND c.insured_no = r.insured_no) ORDER BY 1, 2 LIMIT 1")
k() { "$kaigo" "$@" --db "$db" >/dev/null; }
# the municipality under its own name (the person's access report names it), and a 居宅 with its
# 事業所番号 so that the ケアプラン連携 inbox and relay can be tried from the banner
insname=$(q "SELECT name FROM insurers WHERE insurer_no = '$ins'")
k org add --id "insurer-$ins" --kind insurer --name "${insname:-保険者 $ins}" --insurer "$ins"
k org add --id demo-kyotaku --kind kyotaku --name "デモ居宅介護支援事業所" --office-no 1270100017
k org add --id demo-hospital --kind medical --name "デモ病院"
# the 通所介護 the demo plans send their 提供票 to (issue #18: the provider's inbox and 実績)
k org add --id demo-tsusho --kind provider --name "デモ通所介護" --office-no 1370100016 --service-types 15
"$kaigo" token issue --db "$db" --org demo-kyotaku --name demo 2>/dev/null > "$(side .demo-token)"
"$kaigo" token issue --db "$db" --org "insurer-$ins" --name demo 2>/dev/null > "$(side .demo-insurer-token)"
chmod 600 "$(side .demo-token)" "$(side .demo-insurer-token)"
pw=demo-Password-2026
KAIGO_PASSWORD=$pw k user add --login demo-person --name "デモ 本人" --person "$ins/$no" \
  --totp-secret DEMOPERSONDEMOPERSONDEMOPERSON22
KAIGO_PASSWORD=$pw k user add --login demo-staff --name "デモ 市町村職員" --org "insurer-$ins" \
  --perms review --totp-secret DEMOSTAFFDEMOSTAFFDEMOSTAFFDEMO2
KAIGO_PASSWORD=$pw k user add --login demo-doctor --name "デモ 医師" --org demo-hospital \
  --perms breakglass --totp-secret DEMODOCTORDEMODOCTORDEMODOCTOR22
# the web pages (docs/ui.md): a care office clerk, and a family member (a proxy-only account) who is
# registered as the person's proxy; a second person's family member has no proxy for this person
KAIGO_PASSWORD=$pw k user add --login demo-clerk --name "デモ 事業所事務" --org demo-kyotaku \
  --totp-secret DEMOCLERKDEMOCLERKDEMOCLERKDEMO2
KAIGO_PASSWORD=$pw k user add --login demo-family --name "デモ 家族" --proxy-only \
  --totp-secret DEMOFAMILYDEMOFAMILYDEMOFAMILY22
k proxy add "$ins" "$no" --login demo-family --kind family --basis "デモの委任状" --cats all
# this month's 第6表 from the demo 居宅 (ケアプラン連携 v4.1, MS932): the person's 今月のケアプラン page,
# the office's caseload and the relay have something to show (synthetic, like everything here)
ym=$(TZ=Asia/Tokyo date +%Y%m)
V=202407 KYO=1270100017 PROV=1370100016
blank=$(printf ',%.0s' $(seq 32))
hosoku="$V,$ins,$no,00000000,\"デモ　ホンニン\",\"デモ　本人\",1,${birth//-/},000-0000,\"\",\"\",,,,,2,,21,16765,15,0,0,0$blank,0,,,21,$KYO,$KYO,,$ym"
plan() { printf '%s\r\n' "$V,$ins,$no,${ym}01,$ym,$KYO,\"デモ　ケアマネ\",658,,$ym$1,,0930,1600,1,151111,,,\"\",,$PROV,\"デモ通所介護\",,0,$KYO,"; }
printf '%s\r\n' "$hosoku" | iconv -f UTF-8 -t CP932 > "$tmp/UPHOSOKU_${ym}_${KYO}_43_${PROV}_15_${ym}01120000.CSV"
{ plan 01; plan 08; plan 15; plan 22; } | iconv -f UTF-8 -t CP932 > "$tmp/UPPLAN_${ym}_${KYO}_43_${PROV}_15_${ym}01120000.CSV"
# the 居宅サービス計画書 第1表・第2表 and the 週間サービス計画表 第3表 of the same plan (synthetic text)
P1="$V,$ins,$no,${ym}01,,\"\",\"\",\"デモ　ケアマネ\",\"デモ居宅介護支援事業所\",,\"\",\"\",$KYO,${ym}01,${ym}01,11,2,,,,21"
P1="$P1,\"本人:自宅で暮らし続けたい。家族:日中の見守りがほしい\",\"特になし\",\"通所介護で入浴と機能訓練を行い、在宅生活を続ける\",,\"\",$KYO,"
printf '%s\r\n' "$P1" | iconv -f UTF-8 -t CP932 > "$tmp/UP1KYO_${KYO}_43_${PROV}_15_${ym}01120000.CSV"
kyo2() { printf '%s\r\n' "$V,$ins,$no,${ym}01,${ym}01,$1,\"$2\",$3,\"$4\",\"$5\",\"6か月\",\"3か月\",$6,\"$7\",Y,\"通所介護\",$PROV,\"デモ通所介護\",\"$8\",\"3か月\",$KYO,"; }
{ kyo2 1 "一人で入浴するのが不安" 1 "安全に入浴できる" "見守りのもとで入浴する" 1 "入浴介助" "週1回"
  kyo2 1 "一人で入浴するのが不安" 1 "安全に入浴できる" "見守りのもとで入浴する" 2 "機能訓練" "週1回"; } |
  iconv -f UTF-8 -t CP932 > "$tmp/UP2KYO_${KYO}_43_${PROV}_15_${ym}01120000.CSV"
kyo3() { printf '%s\r\n' "$V,$ins,$no,${ym}01,${ym}01,\"$1\",$2,$3,$4,\"$5\",$6,$7,\"$8\""; }
{ kyo3 "通所介護" 2 0930 1600 "起床" 0700 0730 "福祉用具貸与(手すり)"
  kyo3 "" "" "" "" "昼食" 1200 1300 ""
  kyo3 "" "" "" "" "就寝" 2100 2130 ""; } | iconv -f UTF-8 -t CP932 > "$tmp/UP3KYO_${KYO}_43_${PROV}_15_${ym}01120000.CSV"
"$kaigo" exchange import --db "$db" "$tmp"/UP*.CSV >/dev/null
k consent add "$ins" "$no" --kind municipal --cats all --collected-by "insurer-$ins"
# the care manager's 利用者一覧 (issue #18): the demo 居宅 is 担当事業所 of twelve other people with a 認定 (本人確認
# with a one-time code and the birth date, as an office does it), each with the municipality's consent; six of them
# (every other one) have this month's 第6表 from the office. The demo person is not among them: the banner's first step registers it.
# A care manager account of the office.
KAIGO_PASSWORD=$pw k user add --login demo-cm --name "デモ ケアマネ" --org demo-kyotaku \
  --totp-secret DEMOCAREMGRDEMOCAREMGRDEMOCAREM2
# a clerk of the 通所介護, which serves the same people (its own 本人確認), to receive 提供票 and send 実績
KAIGO_PASSWORD=$pw k user add --login demo-provider --name "デモ 通所介護職員" --org demo-tsusho \
  --totp-secret DEMOPROVIDERDEMOPROVIDERDEMOPR22
i=0
while read -r pins pno pbirth; do
  pcode=$("$kaigo" relationship code --db "$db" "$pins" "$pno" 2>/dev/null)
  k relationship add --org demo-kyotaku "$pins" "$pno" --birth "$pbirth" --code "$pcode"
  pcode=$("$kaigo" relationship code --db "$db" "$pins" "$pno" 2>/dev/null)
  k relationship add --org demo-tsusho "$pins" "$pno" --birth "$pbirth" --code "$pcode"
  k consent add "$pins" "$pno" --kind municipal --cats all --collected-by "insurer-$pins"
  if [ $((i % 2)) -eq 0 ]; then # the 第6表 and its 補足 with the person's level (the caseload page counts them)
    plevel=$(q "SELECT $(jx body level) FROM record_versions WHERE kind = 'certification'
      AND insurer_no = '$pins' AND insured_no = '$pno' ORDER BY rkey DESC, version DESC LIMIT 1")
    u="$tmp/unit$i"
    mkdir -p "$u"
    { plan 01 | sed "s/,$ins,$no,/,$pins,$pno,/"; } | iconv -f UTF-8 -t CP932 > "$u/UPPLAN_${ym}_${KYO}_43_${PROV}_15_${ym}011200$(printf %02d $i).CSV"
    printf '%s\r\n' "$hosoku" | sed "s/,$ins,$no,/,$pins,$pno,/; s/,21,16765,/,$plevel,,/; s/,21,$KYO,/,$plevel,$KYO,/" |
      iconv -f UTF-8 -t CP932 > "$u/UPHOSOKU_${ym}_${KYO}_43_${PROV}_15_${ym}011200$(printf %02d $i).CSV"
    "$kaigo" exchange import --db "$db" "$u"/UP*.CSV >/dev/null
  fi
  i=$((i + 1))
  lins=$pins lno=$pno
done < <(q \
  "SELECT r.insurer_no, r.insured_no, $(jx r.body birth) FROM record_versions r
   WHERE r.kind = 'insured' AND r.insurer_no = '$ins' AND r.insured_no != '$no' AND EXISTS (SELECT 1 FROM record_versions c
   WHERE c.kind = 'certification' AND c.insurer_no = r.insurer_no AND c.insured_no = r.insured_no)
   ORDER BY 1, 2 LIMIT 12")
# the doctor's 意見書作成依頼 (issue #18 §3): the last of those people applies for a 区分変更 at the counter and the
# municipality asks the demo hospital for the 主治医意見書 (demo-doctor sees it under 意見書作成依頼)
app=$("$kaigo" cert apply --db "$db" --person "$lins/$lno" --kind 区分変更 2>/dev/null)
"$kaigo" cert opinion-request --db "$db" --person "$lins/$lno" --app "$app" --org demo-hospital >/dev/null 2>&1
code=$("$kaigo" relationship code --db "$db" "$ins" "$no" 2>/dev/null)
# the service-code master the demo server computes the 第7表 with (kaigo serve --codes): the shipped part of the
# national table and one SYNTHETIC row for the demo's 151111 (the demo's 第6表 gives its units: 658), marked as such
src=$(cd "$(dirname "$0")/.." && pwd)
{ cat "$src/data/service-codes.csv"; echo "000000,15,1111,202404,999999,デモ通所介護(合成データ),658,01,,,3,,,,,,,,20261203"; } > "$(side .codes.csv)"
# the care manager's 第7表 for the demo person's month, sent with the 第6表 (prices and 給付率 come from it)
cat > "$tmp/case7.json" <<JSON
{"month":"$ym","care_level":"21","benefit_rate":90,"insurer_no":"$ins","insured_no":"$no","created":"${ym}01",
 "plan_office":"$KYO","offices":[{"office_no":"$PROV","name":"デモ通所介護","service_type":"15","unit_price":"10.00",
 "lines":[{"service_code":"151111","units":658,"count":4}]}]}
JSON
mkdir -p "$tmp/s7"
"$kaigo" sheet7 "$tmp/case7.json" --codes "$(side .codes.csv)" --upsikyu "$tmp/s7" --to "$PROV:15" --stamp "${ym}01120000" \
  >/dev/null 2>"$tmp/s7.err" || { cat "$tmp/s7.err" >&2; exit 1; }
"$kaigo" exchange import --db "$db" "$tmp"/s7/UPSIKYU_*.CSV >/dev/null
# the population of each insurer's area (issue #19 §2: the statistics' suppression depends on it): SYNTHETIC figures
# chosen to show each rule - the first 30,000 (cells under 10 hidden), the second 12,000 (under 20), the third
# 1,500 (nothing shown at all)
p=0
for i in $(q "SELECT insurer_no FROM insurers ORDER BY 1"); do
  case $p in 0) n=30000 ;; 1) n=12000 ;; *) n=1500 ;; esac
  "$kaigo" stats population --db "$db" --insurer "$i" --date 2020-01-01 --population "$n" >/dev/null
  p=$((p + 1))
done
echo "$ins $no $birth $code" > "$(side .demo-person)"
echo "$version" > "$(side .demo-version)"
