#!/usr/bin/env bash
# run-banner.sh DB LISTEN - print how to use the demo server started by `make run`.
set -euo pipefail
db=$1 listen=$2
tokfile="$db.operator-token"
if [ ! -f "$tokfile" ]; then
  ( umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$tokfile" ); echo >> "$tokfile"
fi
tok=$(head -c 64 "$tokfile")
person=$(sqlite3 "$db" "SELECT insurer_no || '/insured/' || insured_no FROM record_versions WHERE kind='certification' LIMIT 1")
cat <<MSG

  kaigo デモサーバ / demo server:  http://$listen
  運用者トークン (operator token):  $tok   (file: $tokfile)

  試す (try):
    curl http://$listen/healthz
    curl -H 'Authorization: Bearer $tok' http://$listen/api/v1/insurers
    curl -H 'Authorization: Bearer $tok' 'http://$listen/api/v1/insurers/$person/card?date=R8.11.1'
    build/default/kaigo card show --db $db ${person/\/insured\// }
    build/default/kaigo audit verify --db $db
  停止は Ctrl-C (stop with Ctrl-C)

MSG
