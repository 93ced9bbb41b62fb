#!/usr/bin/env bash
# tests/pg/directory.test.sh - the insurer → cluster directory with two clusters on loopback (ctest
# pg-directory; issue #22 §2, docs/deploy.md "More than one cluster"). Three insurers' files imported
# through `--db directory:FILE` land each insurer on its own cluster only (an exact line before its
# prefecture's), each cluster in a transaction of its own; a card is read from its cluster; `kaigo
# audit verify` over the directory verifies both and finds an insurer put on the wrong cluster; a
# second import changes nothing; an insurer no line covers is refused with nothing written anywhere;
# commands that need one store refuse a directory; a bad directory line is named FILE:LINE.
set -euo pipefail
cd "$(dirname "$0")/../.."
KAIGO=${KAIGO:-$PWD/build/default/kaigo}
out=$(mktemp -d /tmp/kaigo-directory.XXXXXX)
chmod 711 "$out"
cleanup() {
  for c in c1 c2; do tests/pg/cluster.sh stop "$out/$c" >/dev/null 2>&1 || true; done
  [ -n "${KEEP:-}" ] || rm -rf "$out"
}
trap cleanup EXIT
fail() { echo "directory: FAIL: $*" >&2; exit 1; }
export PGOPTIONS='-c client_min_messages=warning'
. tests/pg/lib.sh

for c in c1 c2; do
  tests/pg/cluster.sh start "$out/$c" >/dev/null
  pg_schema_install "$(cat "$out/$c/admin-url")"
done
c1=$(cat "$out/c1/url") c2=$(cat "$out/c2/url")
q() { psql -X -At "$(cat "$out/$1/admin-url")" -c "$2"; }
mkdir -p "$out/state"
export KAIGO_STATE="$out/state"

# three insurers of 北海道 (01): 012039 by its own line on c2, the other two by their prefecture's on c1
"$KAIGO" demo generate --insurers 3 --persons 300 --seed 3 "$out/csv" >/dev/null
[ "$(cut -d, -f1 "$out/csv/insured.csv" | sed 1d | sort -u | tr '\n' ' ')" = "012021 012039 012047 " ] ||
  fail "the demo's insurers changed: $(cut -d, -f1 "$out/csv/insured.csv" | sed 1d | sort -u | tr '\n' ' ')"
cat > "$out/clusters.tsv" <<EOF
# 保険者番号 or 都道府県番号 or *	cluster
012039	$c2
01	$c1
EOF
D=directory:$out/clusters.tsv
"$KAIGO" directory check "$out/clusters.tsv" | grep -q '検査成功: 2 行, クラスタ 2 個' || fail "directory check"
[ "$("$KAIGO" directory lookup "$out/clusters.tsv" 012021 012039 | cut -f2 | sed 's/@127.0.0.1:\([0-9]*\).*/:\1/' | tr '\n' ' ')" = \
  "postgresql://kaigo_app:***:$(sed 's/.*@127.0.0.1:\([0-9]*\).*/\1/' "$out/c1/url") postgresql://kaigo_app:***:$(sed 's/.*@127.0.0.1:\([0-9]*\).*/\1/' "$out/c2/url") " ] ||
  fail "directory lookup: $("$KAIGO" directory lookup "$out/clusters.tsv" 012021 012039)"
for k in insured certification burden; do
  "$KAIGO" import "$k" "$out/csv/$k.csv" --db "$D" > "$out/import-$k.out" 2>> "$out/import.err" || fail "import $k through the directory: $(cat "$out/import.err")"
done
grep -q 'クラスタ postgresql://kaigo_app:\*\*\*@' "$out/import-insured.out" || fail "no per-cluster counts (or a password shown): $(cat "$out/import-insured.out")"
[ "$(q c1 "SELECT string_agg(DISTINCT insurer_no, ' ') FROM record_versions")" = "012021 012047" ] || fail "c1 holds other insurers"
[ "$(q c2 "SELECT string_agg(DISTINCT insurer_no, ' ') FROM record_versions")" = "012039" ] || fail "c2 holds other insurers"
[ "$(q c1 "SELECT string_agg(insurer_no, ' ' ORDER BY 1) FROM insurers")" = "012021 012047" ] || fail "c1's insurers"
[ "$(q c2 "SELECT string_agg(insurer_no, ' ' ORDER BY 1) FROM insurers")" = "012039" ] || fail "c2's insurers"
rows=$(( $(wc -l < "$out/csv/insured.csv") - 1 ))
total=$(( $(q c1 "SELECT count(*) FROM record_versions WHERE kind = 'insured'") + $(q c2 "SELECT count(*) FROM record_versions WHERE kind = 'insured'") ))
[ "$total" = "$rows" ] || fail "insured rows: $total on the clusters, $rows in the file"
# each cluster's import is its own change, recorded with its own counts
[ "$(q c2 "SELECT rows_total FROM import_runs r JOIN changes c ON c.id = r.change_id WHERE r.kind = 'insured'")" = \
  "$(q c2 "SELECT count(*) FROM record_versions WHERE kind = 'insured'")" ] || fail "c2's import run counts another cluster's rows"

# a person of each cluster's insurer read from that cluster, audited there
for pair in "c1 012021" "c2 012039"; do
  set -- $pair
  no=$(q "$1" "SELECT min(insured_no) FROM record_versions WHERE insurer_no = '$2' AND kind = 'insured'")
  "$KAIGO" card show --db "$(cat "$out/$1/url")" "$2" "$no" > /dev/null || fail "card of $2 from $1"
  [ "$(q "$1" "SELECT count(*) FROM audit_log WHERE insurer_no = '$2'")" = 1 ] || fail "the read of $2 is not in $1's log"
done
"$KAIGO" audit verify --db "$D" > "$out/verify.out" || fail "verify over the directory: $(cat "$out/verify.out")"
grep -q '検証成功: クラスタ 2 個すべて' "$out/verify.out" || fail "$(cat "$out/verify.out")"
"$KAIGO" audit prove --db "$D" 012039 1 > "$out/prove.out" || fail "prove through the directory: $(cat "$out/prove.out")"
"$KAIGO" audit verify --db "$D" --insurer 012021 | grep -q 'クラスタ 1 個すべて' || fail "verify of one insurer's cluster"

# the same files again: nothing changes, on either cluster
"$KAIGO" import insured "$out/csv/insured.csv" --db "$D" | grep -q "新規・変更 0 行" || fail "a second import changed rows"

# an insurer no line covers: every row of it refused, nothing written on any cluster
before="$(q c1 "SELECT count(*) FROM record_versions")/$(q c2 "SELECT count(*) FROM record_versions")"
cat > "$out/strict.tsv" <<EOF
012039	$c2
012021	$c1
EOF
set +e
"$KAIGO" import burden "$out/csv/burden.csv" --db "directory:$out/strict.tsv" > /dev/null 2> "$out/strict.err"
rc=$?
set -e
[ $rc = 1 ] || fail "an insurer without a cluster: exit $rc"
grep -q 'この保険者のクラスタがクラスタの一覧 (directory) にありません' "$out/strict.err" || fail "$(cat "$out/strict.err")"
[ "$before" = "$(q c1 "SELECT count(*) FROM record_versions")/$(q c2 "SELECT count(*) FROM record_versions")" ] ||
  fail "rows were written although the import was refused"

# an insurer's data on a cluster the directory does not give it: verify over the directory says so
head -2 "$out/csv/insured.csv" | sed 's/^012021,/012039,/' > "$out/stray.csv"
"$KAIGO" import insured "$out/stray.csv" --db "$c1" --quiet > /dev/null
set +e
"$KAIGO" audit verify --db "$D" > "$out/stray.out"
rc=$?
set -e
[ $rc = 1 ] || fail "a misplaced insurer was not found (exit $rc)"
grep -q '検証失敗: 保険者 012039 の登録データがクラスタ postgresql://kaigo_app:\*\*\*@' "$out/stray.out" || fail "$(cat "$out/stray.out")"

# one store only: a directory is refused, and a bad line is named
set +e
"$KAIGO" card show --db "$D" 012021 1000000001 > /dev/null 2> "$out/card.err"; rc=$?
[ $rc != 0 ] && grep -q '保存先の一覧 (directory:) はこのコマンドでは使えません' "$out/card.err" || fail "card show took a directory: $rc $(cat "$out/card.err")"
printf '012021\t%s\n012022\t%s\n' "$c1" "$c2" > "$out/bad.tsv"
"$KAIGO" import insured "$out/csv/insured.csv" --db "directory:$out/bad.tsv" > /dev/null 2> "$out/bad.err"; rc=$?
[ $rc = 2 ] && grep -q "bad.tsv:2: 保険者番号" "$out/bad.err" || fail "a bad directory line: $rc $(cat "$out/bad.err")"
"$KAIGO" directory check "$out/bad.tsv" > /dev/null 2> "$out/bad2.err"; rc=$?
[ $rc = 1 ] && grep -q "bad.tsv:2:" "$out/bad2.err" || fail "directory check of a bad file: $rc"
look=$("$KAIGO" directory lookup "$out/strict.tsv" 012047); rc=$?
[ $rc = 1 ] && [ "$look" = "$(printf '012047\t(クラスタなし)')" ] || fail "lookup of an insurer without a cluster: $rc $look"
printf '*\t%s\n' "$c1" > "$out/nostate.tsv"
env -u KAIGO_STATE "$KAIGO" import insured "$out/csv/insured.csv" --db "directory:$out/nostate.tsv" > /dev/null 2>&1; rc=$?
[ $rc = 2 ] || fail "a directory without KAIGO_STATE: exit $rc"
set -e
echo "directory: ok (3 insurers over 2 clusters, verify and placement checked)"
