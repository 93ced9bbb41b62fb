#!/usr/bin/env bash
# tests/pg/cluster.test.sh - the throw-away cluster the PostgreSQL tests run on (cluster.sh):
# loopback only, the application's role is no superuser and can work in its schema, the
# passwords are needed, and stop leaves nothing behind (ctest: pg-cluster).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/kaigo-pg.XXXXXX)
rmdir "$dir"
trap '"$here/cluster.sh" stop "$dir" >/dev/null 2>&1 || true' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
url=$("$here/cluster.sh" start "$dir")
[ "$url" = "$(cat "$dir/url")" ] || fail "printed URL differs from $dir/url"
port=$(echo "$url" | sed -n 's/.*@127\.0\.0\.1:\([0-9]*\)\/.*/\1/p')
[ -n "$port" ] || fail "no loopback port in the URL"
# listening on 127.0.0.1 only, no Unix socket in the directory
ss -Htln "sport = :$port" | grep -q '127.0.0.1' || fail "not listening on 127.0.0.1:$port"
ss -Htln "sport = :$port" | grep -vq '127.0.0.1' && fail "listening beyond loopback"
ls "$dir"/.s.PGSQL.* >/dev/null 2>&1 && fail "a Unix socket was made"
# the application's role: logs in, works in public, is no superuser and cannot make roles
out=$(psql -X -At -q "$url" -v ON_ERROR_STOP=1 -c "CREATE TABLE t (a int); INSERT INTO t VALUES (1);
  SELECT current_user, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user")
[ "$out" = "kaigo_app|f|f" ] || fail "application role: $out"
psql -X -At "$url" -c "CREATE ROLE x" >/dev/null 2>&1 && fail "the application role made a role"
# a wrong password is refused (scram-sha-256, not trust)
bad=$(echo "$url" | sed 's/kaigo_app:[^@]*@/kaigo_app:wrong@/')
psql -X -At "$bad" -c "SELECT 1" >/dev/null 2>&1 && fail "a wrong password was accepted"
# the administrator's URL is a superuser's
[ "$(psql -X -At "$(cat "$dir/admin-url")" -c 'SELECT rolsuper FROM pg_roles WHERE rolname = current_user')" = t ] ||
  fail "admin-url is not a superuser"
"$here/cluster.sh" stop "$dir"
[ ! -e "$dir" ] || fail "$dir left behind"
ss -Htln "sport = :$port" | grep -q . && fail "port $port still open after stop"
trap - EXIT
echo "pg-cluster: ok (port $port)"
