#!/usr/bin/env bash
# tests/pg/cluster.sh - a throw-away PostgreSQL 15 cluster on loopback, for tests and benchmarks
# (issue #22). Never touches the machine's own clusters (no pg_ctlcluster, no /var/lib/postgresql).
#
#   tests/pg/cluster.sh start DIR   # prints the application's URL; DIR/url, DIR/admin-url
#   tests/pg/cluster.sh stop DIR    # stops it and removes DIR
#
# The server runs as an unprivileged user (initdb and postgres refuse root: as root it runs as
# `nobody`), listens on 127.0.0.1 only, on the first free port from a random start, with no Unix
# socket. Authentication is scram-sha-256 with random passwords. Two roles: the superuser
# `kaigo_admin` (migrations, test set-up) and the application's `kaigo_app`, which is not a
# superuser and owns nothing but its database's public schema.
#
# Fails (exit 1, the reason on stderr) if PostgreSQL 15 is not installed: scripts/deps.sh --test.
set -euo pipefail
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
bin=/usr/lib/postgresql/15/bin
[ -x "$bin/postgres" ] || { echo "cluster.sh: PostgreSQL 15 is not installed (scripts/deps.sh --test)" >&2; exit 1; }

as_user=()
[ "$(id -u)" -eq 0 ] && as_user=(runuser -u nobody --)

case "$cmd" in
start)
  [ -e "$dir" ] && { echo "cluster.sh: $dir exists" >&2; exit 1; }
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ "$(id -u)" -eq 0 ]; then
    chown nobody:nogroup "$dir" && chmod 0700 "$dir"
    runuser -u nobody -- test -x "$dir" ||
      { echo "cluster.sh: nobody cannot reach $dir (a parent directory is not searchable)" >&2; rm -rf "$dir"; exit 1; }
  fi
  pw_admin=$(head -c 18 /dev/urandom | base64 | tr '+/' 'AB')
  pw_app=$(head -c 18 /dev/urandom | base64 | tr '+/' 'AB')
  printf '%s\n' "$pw_admin" > "$dir/.pw"
  [ "$(id -u)" -eq 0 ] && chown nobody:nogroup "$dir/.pw"
  "${as_user[@]}" "$bin/initdb" -D "$dir/data" -U kaigo_admin --pwfile="$dir/.pw" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  rm -f "$dir/.pw"
  port=$((20000 + RANDOM % 20000))
  for _ in $(seq 50); do
    if ! ss -Htln "sport = :$port" | grep -q .; then
      if "${as_user[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start \
           -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=''" >/dev/null; then
        break
      fi
    fi
    port=$((port + 1))
  done
  "${as_user[@]}" "$bin/pg_ctl" -D "$dir/data" status >/dev/null ||
    { echo "cluster.sh: the server did not start:" >&2; tail -20 "$dir/server.log" >&2; exit 1; }
  admin="postgresql://kaigo_admin:$pw_admin@127.0.0.1:$port/postgres"
  PGCONNECT_TIMEOUT=10 psql -q -X -v ON_ERROR_STOP=1 "$admin" >/dev/null <<SQL
CREATE ROLE kaigo_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '$pw_app';
CREATE DATABASE kaigo OWNER kaigo_admin;
\c kaigo
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO kaigo_app;
SQL
  umask 077
  echo "postgresql://kaigo_admin:$pw_admin@127.0.0.1:$port/kaigo" > "$dir/admin-url"
  echo "postgresql://kaigo_app:$pw_app@127.0.0.1:$port/kaigo" > "$dir/url"
  cat "$dir/url"
  ;;
stop)
  [ -d "$dir/data" ] || { echo "cluster.sh: no cluster in $dir" >&2; exit 1; }
  "${as_user[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac
