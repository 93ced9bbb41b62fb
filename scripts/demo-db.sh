#!/usr/bin/env bash
# demo-db.sh KAIGO DB INSURERS PERSONS - create the demo database once (synthetic people).
set -euo pipefail
kaigo=$1 db=$2 insurers=$3 persons=$4
[ -f "$db" ] && exit 0
dir=$(dirname "$db")
mkdir -p "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$kaigo" demo generate --insurers "$insurers" --persons "$persons" --seed 1 "$tmp/csv"
for k in insured certification burden limit plan restriction facility; do
  "$kaigo" import "$k" "$tmp/csv/$k.csv" --db "$db.tmp" --quiet
done
# the database and its audit log (<db>.audit) belong together: move both
mv "$db.tmp.audit" "$db.audit"
mv "$db.tmp" "$db"
rm -f "$db.tmp-wal" "$db.tmp-shm" "$db.tmp.audit-wal" "$db.tmp.audit-shm"
