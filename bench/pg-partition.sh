#!/usr/bin/env bash
# bench/pg-partition.sh - how to partition the large tables by insurer on PostgreSQL 15 (issue #22):
# one table (the baseline), LIST with one partition per insurer, HASH on the insurer into HASH_N.
# For each: the load (INSERT … SELECT of every person's record), a new insurer's partition made,
# and a card-shaped point read (the newest version of one person's record) through pgbench with
# prepared statements — the plan the server caches — and with a plan made for each execution.
#
#   INSURERS=1571 PER=200 HASH_N=64 DURATION=10 CLIENTS=4 bench/pg-partition.sh
#   SCHEMES="none hash" HASH_N=16 bench/pg-partition.sh     # the baseline and one other
#
# A throw-away cluster on loopback (tests/pg/cluster.sh), removed at the end. Prints each
# figure and its ratio to the one-table baseline of the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
INSURERS=${INSURERS:-1571}
PER=${PER:-200}
HASH_N=${HASH_N:-64}
DURATION=${DURATION:-10}
CLIENTS=${CLIENTS:-4}
SCHEMES=${SCHEMES:-none list hash}
out=${OUT:-bench/out/pg-partition}
mkdir -p "$out"
dir=$(mktemp -d /tmp/kaigo-pgbench.XXXXXX)
rmdir "$dir"
trap 'tests/pg/cluster.sh stop "$dir" >/dev/null 2>&1 || true' EXIT
tests/pg/cluster.sh start "$dir" >/dev/null
admin=$(cat "$dir/admin-url")
sql() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -At -v ON_ERROR_STOP=1 "$admin" "$@"; }
ms() { echo $(($(date +%s%N) / 1000000)); }

# insurer numbers: six digits, as 保険者番号 (the check digit does not matter here)
sql -c "CREATE TABLE insurers AS SELECT lpad((100000 + i * 7)::text, 6, '0') AS insurer_no, i
        FROM generate_series(1, $INSURERS) i"

make_table() { # $1 = none | list | hash
  sql -c "DROP TABLE IF EXISTS record_versions"
  local cols="insurer_no text NOT NULL, insured_no text NOT NULL, kind text NOT NULL, rkey text NOT NULL,
    version integer NOT NULL, change_id bigint NOT NULL, body text NOT NULL,
    PRIMARY KEY (insurer_no, insured_no, kind, rkey, version)"
  case "$1" in
  none) sql -c "CREATE TABLE record_versions ($cols)" ;;
  list)
    sql -c "CREATE TABLE record_versions ($cols) PARTITION BY LIST (insurer_no)"
    sql -c "SELECT format('CREATE TABLE rv_%s PARTITION OF record_versions FOR VALUES IN (%L);', insurer_no, insurer_no)
            FROM insurers" | sql >/dev/null ;;
  hash)
    sql -c "CREATE TABLE record_versions ($cols) PARTITION BY HASH (insurer_no)"
    sql -c "SELECT format('CREATE TABLE rv_h%s PARTITION OF record_versions FOR VALUES WITH (MODULUS $HASH_N, REMAINDER %s);', r, r)
            FROM generate_series(0, $HASH_N - 1) r" | sql >/dev/null ;;
  esac
}

cat > "$out/read.sql" <<SQL
\\set i random(1, $INSURERS)
\\set p random(1, $PER)
SELECT body FROM record_versions
 WHERE insurer_no = lpad((100000 + :i * 7)::text, 6, '0') AND insured_no = lpad((1000000000 + :p)::text, 10, '0')
   AND kind = 'insured' AND rkey = '' ORDER BY version DESC LIMIT 1;
SQL

printf 'pg-partition: %d insurers × %d persons = %d rows, hash into %d, %d clients, %ss a read run, PostgreSQL %s\n' \
  "$INSURERS" "$PER" "$((INSURERS * PER))" "$HASH_N" "$CLIENTS" "$DURATION" "$(sql -c 'SHOW server_version')"
declare -A load newp prep cust
for scheme in $SCHEMES; do
  t0=$(ms); make_table "$scheme"; t1=$(ms)
  sql -c "INSERT INTO record_versions
          SELECT insurer_no, lpad((1000000000 + p)::text, 10, '0'), 'insured', '', 1, 1,
                 repeat('x', 280) FROM insurers, generate_series(1, $PER) p"
  sql -c "VACUUM ANALYZE record_versions"
  t2=$(ms)
  load[$scheme]=$((t2 - t1))
  # a new insurer's partition (LIST only makes one; the others have nothing to do)
  t3=$(ms)
  [ "$scheme" = list ] && sql -c "CREATE TABLE rv_999999 PARTITION OF record_versions FOR VALUES IN ('999999')"
  newp[$scheme]=$(($(ms) - t3))
  r=$(pgbench -n -M prepared -c "$CLIENTS" -j "$CLIENTS" -T "$DURATION" -f "$out/read.sql" "$admin" 2>&1 |
      sed -n 's/^tps = \([0-9.]*\) .*/\1/p')
  prep[$scheme]=${r%.*}
  r=$(PGOPTIONS='-c plan_cache_mode=force_custom_plan' pgbench -n -M prepared -c "$CLIENTS" -j "$CLIENTS" \
      -T "$DURATION" -f "$out/read.sql" "$admin" 2>&1 | sed -n 's/^tps = \([0-9.]*\) .*/\1/p')
  cust[$scheme]=${r%.*}
  size=$(sql -c "SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) FROM pg_class c
                 WHERE c.relname LIKE 'rv_%' OR c.relname = 'record_versions'")
  np="${newp[$scheme]} ms"
  [ "$scheme" = list ] || np="(none made)"
  printf '  %-5s table(s) made %6d ms, load %7d ms, %s; new insurer %s; reads/s prepared %7d, planned each time %7d\n' \
    "$scheme" "$((t1 - t0))" "${load[$scheme]}" "$size" "$np" "${prep[$scheme]}" "${cust[$scheme]}"
done
for scheme in $SCHEMES; do
  [ "$scheme" = none ] && continue
  printf '  ratio %s/none: load %.2f, reads prepared %.2f, reads planned each time %.2f\n' "$scheme" \
    "$(echo "${load[$scheme]} / ${load[none]}" | bc -l)" "$(echo "${prep[$scheme]} / ${prep[none]}" | bc -l)" \
    "$(echo "${cust[$scheme]} / ${cust[none]}" | bc -l)"
done
