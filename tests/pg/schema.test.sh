#!/usr/bin/env bash
# tests/pg/schema.test.sh - src/store/pg/schema.sql on a throw-away cluster (ctest: pg-schema):
#  - it applies as the schema's owner, and the application's role can write a person's record;
#  - the record, the consents and the audit log are append-only for the application (no privilege)
#    and for the owner (triggers: UPDATE, DELETE, TRUNCATE refused);
#  - the insurer and change a record version names cannot be deleted;
#  - the large tables are HASH-partitioned into 16 and a row lands in one partition;
#  - kaigo_audit_field (PL/pgSQL) reads entries as the C parser does: a differential against
#    kaigo_audit_field of the SQLite extension (src/store/sqlite/auditsql.c over audit_fields_parse) on
#    entries kaigo wrote and on damaged copies of them.
# Needs KAIGO_BIN (kaigo) and KAIGO_EXT (the kaigo_audit SQLite extension's file).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
: "${KAIGO_BIN:?}" "${KAIGO_EXT:?}"
work=$(mktemp -d /tmp/kaigo-pgschema.XXXXXX)
chmod 0711 "$work" # the cluster's server runs as nobody (cluster.sh)
dir="$work/pg"
trap '"$here/cluster.sh" stop "$dir" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
app=$("$here/cluster.sh" start "$dir")
admin=$(cat "$dir/admin-url")
psql_admin() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -At -v ON_ERROR_STOP=1 "$admin" "$@"; }
psql_app() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -At -v ON_ERROR_STOP=1 "$app" "$@"; }
refused() { # $1 = admin|app, $2 = SQL: must fail
  if "psql_$1" -c "$2" >/dev/null 2>&1; then fail "$1 was allowed: $2"; fi
}

psql_admin -f "$src/src/store/pg/schema.sql"
psql_admin -c "GRANT kaigo_rw TO kaigo_app"

# the application writes a person's record and reads it back
psql_app -c "INSERT INTO insurers (insurer_no, registered_at, registered_by) VALUES ('122192', 'now', 'test');
  INSERT INTO changes (recorded_at, author, reason) VALUES ('now', 'test', 'test');
  INSERT INTO record_versions VALUES ('122192', '1000000001', 'insured', '', 1, 1, '{}');
  INSERT INTO record_current VALUES ('122192', '1000000001', 'insured', '', 1, '{}');
  UPDATE record_current SET version = 2 WHERE insurer_no = '122192';
  INSERT INTO audit_log VALUES ('122192', 1, '\x00', sha256('\x00'::bytea));
  INSERT INTO orgs (org_id, kind, name, created_at, created_by) VALUES ('k1', 'kyotaku', 'k', 'now', 'test');
  INSERT INTO relationships (insurer_no, insured_no, org_id, started_ms, established_by, created_by)
    VALUES ('122192', '1000000001', 'k1', 1, 'code', 'test');
  UPDATE relationships SET ended_ms = 2;"
[ "$(psql_app -c "SELECT count(*) FROM record_versions WHERE insurer_no = '122192'")" = 1 ] || fail "record not read back"

# append-only: the application has no privilege, the owner meets the triggers
for t in record_versions consents consent_withdrawals changes security_events audit_log audit_checkpoints audit_blocks; do
  refused app "UPDATE $t SET insurer_no = insurer_no" 2>/dev/null || true
  refused app "DELETE FROM $t"
  refused app "TRUNCATE $t"
done
refused app "UPDATE record_versions SET body = 'x'"
refused app "UPDATE changes SET reason = 'x'"
refused admin "UPDATE record_versions SET body = 'x'"
refused admin "DELETE FROM record_versions"
refused admin "TRUNCATE record_versions"
refused admin "DELETE FROM audit_log"
refused admin "UPDATE audit_log SET entry = '\x01'"
refused admin "TRUNCATE audit_log"
refused app "DELETE FROM proxies"
# a version's insurer and change cannot go: no DELETE of insurers, no UPDATE of insurer_no (that a version
# names registered ones is not checked row by row, schema.sql says why: audit verify counts any that does
# not, e2e gate "names no registered change or insurer")
refused app "DELETE FROM insurers"
refused app "UPDATE insurers SET insurer_no = '131016'"
psql_app -c "UPDATE insurers SET name = '市原市' WHERE insurer_no = '122192'" >/dev/null
refused admin "DELETE FROM relationships"
# the application cannot change the schema or the grants
refused app "DROP TRIGGER record_versions_append_only ON record_versions"
refused app "ALTER TABLE audit_log DISABLE TRIGGER ALL"
psql_app -c "GRANT UPDATE ON record_versions TO kaigo_app" >/dev/null 2>&1 || true # a warning, nothing granted
[ "$(psql_admin -c "SELECT has_table_privilege('kaigo_app', 'record_versions', 'UPDATE')")" = f ] ||
  fail "the application granted itself UPDATE on the record"

# HASH into 16, one partition holds the row
for t in record_versions record_current exchange_deliveries audit_log audit_idx_person_epoch; do
  n=$(psql_admin -c "SELECT count(*) FROM pg_inherits WHERE inhparent = '$t'::regclass")
  [ "$n" = 16 ] || fail "$t has $n partitions"
done
[ "$(psql_admin -c "SELECT count(DISTINCT tableoid) FROM record_versions")" = 1 ] || fail "row in no single partition"

# kaigo_audit_field: PL/pgSQL against the C parser, on real entries and damaged ones
db="$work/k.db"
"$KAIGO_BIN" demo generate --insurers 1 --persons 3 --seed 1 "$work/csv" >/dev/null
"$KAIGO_BIN" import insured "$work/csv/insured.csv" --db "$db" --quiet >/dev/null
for p in $(sqlite3 "$db" "SELECT insurer_no || '/' || insured_no FROM record_versions WHERE kind = 'insured'"); do
  "$KAIGO_BIN" card show --db "$db" "${p%/*}" "${p#*/}" >/dev/null
done
"$KAIGO_BIN" card show --db "$db" 012021 9999999999 >/dev/null 2>&1 || true # a refused read is logged too
sq() { sqlite3 -cmd ".load $KAIGO_EXT" "$db.audit" "$@"; }
# every entry as written, and damaged copies: one byte cut, one byte added, a length byte changed, the tag changed
cases=$(sq "SELECT hex(entry) FROM audit_log UNION ALL SELECT hex(substr(entry, 1, length(entry) - 1)) FROM audit_log
  UNION ALL SELECT hex(entry || x'00') FROM audit_log
  UNION ALL SELECT hex(x'0e' || substr(entry, 2)) FROM audit_log
  UNION ALL SELECT hex(x'0d6b6169676f2d61756469742d33' || substr(entry, 15)) FROM audit_log")
[ "$(echo "$cases" | wc -l)" -ge 15 ] || fail "too few audit entries to compare"
# all fields of all cases on each side in one query, compared line by line
fields_sql="SELECT c.k || '|' || i.n || '|' || coalesce(kaigo_audit_field(c.e, i.n), '<null>') FROM c,
  (SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5
   UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9 UNION ALL SELECT 10
   UNION ALL SELECT 11 UNION ALL SELECT 12 UNION ALL SELECT 13) i ORDER BY c.k, i.n"
k=0 sq_rows="" pg_rows=""
for h in $cases; do
  k=$((k + 1))
  sq_rows="$sq_rows${sq_rows:+ UNION ALL }SELECT $k, x'$h'"
  pg_rows="$pg_rows${pg_rows:+, }($k, '\\x$h'::bytea)"
done
want=$(sq "WITH c(k, e) AS ($sq_rows) $fields_sql")
got=$(psql_admin -c "WITH c(k, e) AS (VALUES $pg_rows) $fields_sql")
[ "$(echo "$want" | wc -l)" = $((k * 14)) ] || fail "the C parser gave $(echo "$want" | wc -l) fields"
if [ "$want" != "$got" ]; then
  diff <(echo "$want") <(echo "$got") | head -10 >&2
  fail "kaigo_audit_field differs between the C parser and PL/pgSQL"
fi
compared=$((k * 14))
nulls=$(for h in $cases; do sq "SELECT kaigo_audit_field(x'$h', 0) IS NULL"; done | grep -c 1 || true)
[ "$nulls" -ge 4 ] || fail "the damaged copies were not all refused ($nulls)"
# the upgrade from schema 16 (src/store/pg/upgrade/): a database as schema.sql made it at 16, brought to 17,
# opens in kaigo and the application writes the new table; run again, the upgrade refuses
base=${admin%/*}
psql_admin -c "CREATE DATABASE up16"
up="$base/up16" upapp="${app%/*}/up16"
PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 "$up" -f "$src/src/store/pg/schema.sql" \
  -c "DROP TABLE throttles" -c "DELETE FROM schema_migrations" \
  -c "INSERT INTO schema_migrations VALUES (16, 'pg_schema (SQLite migrations 0001-0016)', 'then')" >/dev/null
export KAIGO_STATE="$work/state16" && mkdir -p "$KAIGO_STATE"
if "$KAIGO_BIN" audit verify --db "$upapp" >/dev/null 2>&1; then fail "kaigo opened a schema-16 database"; fi
PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -1 "$up" -f "$src/src/store/pg/upgrade/0017_throttles.sql" >/dev/null
"$KAIGO_BIN" audit verify --db "$upapp" >/dev/null || fail "kaigo did not open the upgraded database"
PGOPTIONS='-c client_min_messages=warning' psql -X -q -At -v ON_ERROR_STOP=1 "$upapp" -c "INSERT INTO throttles VALUES ('a:x', 1, 1)
  ON CONFLICT (tkey) DO UPDATE SET hits = throttles.hits + 1" -c "DELETE FROM throttles WHERE expires_ms <= 1" >/dev/null ||
  fail "the application cannot use the upgraded table"
if PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -1 "$up" -f "$src/src/store/pg/upgrade/0017_throttles.sql" >/dev/null 2>&1; then
  fail "the upgrade ran twice"
fi
echo "pg-schema: ok ($compared fields compared with the C parser; the upgrade 16 -> 17)"
