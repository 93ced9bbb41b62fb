# db-lib.sh - sourced by scripts/demo-db.sh and scripts/run-banner.sh: the store named by $db is a SQLite
# file or a postgresql:// URL (issue #22), as kaigo's --db. Set db before sourcing.
#   side SUFFIX  - a file kept beside the store, as kaigo's store_side_path: <db>SUFFIX, or
#                  $KAIGO_STATE/kaigoSUFFIX for PostgreSQL (KAIGO_STATE must name a directory)
#   q SQL        - rows of a read-only query, fields separated by one space; SQL is written once for both
#                  dialects with jx COLUMN KEY for a JSON member (json_extract / ->>)
#   jx COL KEY   - the dialect's expression for the text of COL's JSON member KEY
case $db in postgres://* | postgresql://*) db_pg=1 ;; *) db_pg=0 ;; esac
if [ $db_pg = 1 ] && [ ! -d "${KAIGO_STATE:-}" ]; then
  echo "$0: PostgreSQL の保存先には KAIGO_STATE (鍵などを置くディレクトリ) が要ります" >&2
  exit 2
fi
side() { if [ $db_pg = 1 ]; then echo "$KAIGO_STATE/kaigo$1"; else echo "$db$1"; fi; }
jx() { if [ $db_pg = 1 ]; then echo "($1::json ->> '$2')"; else echo "json_extract($1, '\$.$2')"; fi; }
q() {
  if [ $db_pg = 1 ]; then
    psql -X -q -A -t -F ' ' -v ON_ERROR_STOP=1 "$db" -c "$1"
  else
    sqlite3 -separator ' ' "$db" "$1"
  fi
}
