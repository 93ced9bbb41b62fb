#!/usr/bin/env bash
# bench/pg-audit.sh - the shared audit log's append on SQLite and on PostgreSQL in one run
# (bench/auditlog.c; issue #22): N entries in batches of B from CLIENTS connections.
#
#   N=200000 B=64 CLIENTS=4 bench/pg-audit.sh
#
# A throw-away cluster on loopback (tests/pg/cluster.sh) as the application's role, with
# src/store/pg/schema.sql; a fresh SQLite file beside it. Both removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-200000}
B=${B:-64}
CLIENTS=${CLIENTS:-4}
bin=${BENCH:-build/default/bench_auditlog}
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 2; }
work=$(mktemp -d /tmp/kaigo-pgaudit-bench.XXXXXX)
chmod 0711 "$work"
trap 'tests/pg/cluster.sh stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
url=$(tests/pg/cluster.sh start "$work/pg")
PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 "$(cat "$work/pg/admin-url")" \
  -f src/store/pg/schema.sql -c 'GRANT kaigo_rw TO kaigo_app' >/dev/null
"$bin" "$work/k.db" "$url" "$N" "$B" "$CLIENTS"
