#!/usr/bin/env bash
# tests/pg/ha.sh - a throw-away PostgreSQL 15 primary with a synchronous streaming standby and
# automatic failover by pg_auto_failover (Debian's postgresql-15-auto-failover), all on loopback,
# for the failover test and benchmark (issue #22 §2; docs/deploy.md shows the same on machines).
#
#   tests/pg/ha.sh start DIR         # a monitor and two nodes; prints the application's URL
#   tests/pg/ha.sh state DIR         # pg_autoctl show state
#   tests/pg/ha.sh primary DIR       # the node that is primary now: node1 or node2
#   tests/pg/ha.sh kill DIR NODE     # the machine of NODE lost: its keeper and its server, kill -9
#   tests/pg/ha.sh wait DIR STATE... # until the nodes report these states, in node order (60 s)
#   tests/pg/ha.sh stop DIR          # stops everything and removes DIR
#
# DIR/url: the application's URL, naming both nodes with target_session_attrs=read-write, so that
# libpq connects to whichever is primary (kaigo's driver reconnects with it after a loss);
# DIR/admin-url: the superuser's, on the same terms; DIR/read-url: the application's for read-only
# work that tolerates lag (audit verify, statistics): a standby while there is one.
# The servers run as `nobody` when started as root (with the group postgres, so that they may make
# their Unix sockets in /var/run/postgresql, the directory Debian builds PostgreSQL to use), listen
# on 127.0.0.1 only, on free ports from a random start. Authentication is `trust` on loopback:
# this is a test rig, never a deployment (docs/deploy.md uses scram-sha-256 and TLS). The monitor's
# health checks are shortened (1 s period, a node unhealthy after 3 s) and, to keep the fencing
# order, a primary cut off demotes itself after 3 s and the monitor waits 5 s for that before it
# promotes (defaults 20 s and 30 s), so that a failover takes seconds, not ~35 s; the replication is synchronous (pg_auto_failover's default
# replication quorum: synchronous_standby_names = 'ANY 1 (…)', synchronous_commit = on).
set -euo pipefail
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|state|primary|kill|wait|stop DIR [...]" >&2; exit 2; }
bin=/usr/lib/postgresql/15/bin
command -v pg_autoctl >/dev/null ||
  { echo "ha.sh: pg_autoctl is not installed (scripts/deps.sh --test: postgresql-15-auto-failover)" >&2; exit 1; }

as_user=()
[ "$(id -u)" -eq 0 ] && as_user=(runuser -u nobody -g postgres --)
autoctl() {
  (cd /tmp && "${as_user[@]}" env HOME="$dir" XDG_CONFIG_HOME="$dir/cfg" XDG_DATA_HOME="$dir/share" \
    XDG_RUNTIME_DIR="$dir/run" PATH="$bin:/usr/bin:/bin" pg_autoctl "$@")
}
free_port() { # the first of three free consecutive ports from a random start
  local p=$((20000 + RANDOM % 20000))
  while ss -Htln "sport >= :$p and sport <= :$((p + 2))" | grep -q .; do p=$((p + 3)); done
  echo "$p"
}
# states - the nodes' reported states, in node order, one line
states() { psql -X -At "$(cat "$dir/monitor-url")" -c \
  "SELECT string_agg(reportedstate::text, ' ' ORDER BY nodeid) FROM pgautofailover.node" 2>/dev/null || true; }
wait_states() {
  local want=$1 t=${2:-60}
  for _ in $(seq $((t * 5))); do [ "$(states)" = "$want" ] && return 0; sleep 0.2; done
  echo "ha.sh: the nodes report '$(states)', not '$want', after ${t}s" >&2
  return 1
}
# tree PID - PID and every process below it
tree() { echo "$1"; for c in $(pgrep -P "$1" || true); do tree "$c"; done; }
# pids_of NODE - the node's keeper (pg_autoctl and the services it supervises, its server among
# them) and the server's processes, from the pid its start recorded
pids_of() {
  local pm
  [ -f "$dir/$1.pid" ] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null && tree "$(cat "$dir/$1.pid")"
  pm=$(head -1 "$dir/$1/postmaster.pid" 2>/dev/null || true)
  if [ -n "$pm" ] && kill -0 "$pm" 2>/dev/null; then tree "$pm"; fi
}

case "$cmd" in
start)
  [ -e "$dir" ] && { echo "ha.sh: $dir exists" >&2; exit 1; }
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ "$(id -u)" -eq 0 ]; then
    chown nobody:postgres "$dir" && chmod 0700 "$dir"
    runuser -u nobody -- test -x "$dir" ||
      { echo "ha.sh: nobody cannot reach $dir (a parent directory is not searchable)" >&2; rm -rf "$dir"; exit 1; }
  fi
  port=$(free_port)
  autoctl create monitor --pgdata "$dir/monitor" --pgport "$port" --hostname 127.0.0.1 --listen 127.0.0.1 \
    --auth trust --no-ssl --run >"$dir/monitor.log" 2>&1 &
  echo $! > "$dir/monitor.pid"
  echo "postgres://autoctl_node@127.0.0.1:$port/pg_auto_failover?sslmode=disable" > "$dir/monitor-url"
  echo "postgresql://$([ "$(id -u)" -eq 0 ] && echo nobody || id -un)@127.0.0.1:$port/pg_auto_failover" \
    > "$dir/monitor-admin-url"
  for _ in $(seq 300); do psql -X -Atq "$(cat "$dir/monitor-url")" -c "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
  psql -X -q -v ON_ERROR_STOP=1 "$(cat "$dir/monitor-admin-url")" >/dev/null <<'SQL' ||
ALTER SYSTEM SET pgautofailover.health_check_period = 1000;
ALTER SYSTEM SET pgautofailover.health_check_timeout = 1000;
ALTER SYSTEM SET pgautofailover.health_check_max_retries = 1;
ALTER SYSTEM SET pgautofailover.health_check_retry_delay = 500;
ALTER SYSTEM SET pgautofailover.node_considered_unhealthy_timeout = 3000;
ALTER SYSTEM SET pgautofailover.primary_demote_timeout = 5000;
SELECT pg_reload_conf();
SQL
    { echo "ha.sh: the monitor did not start:" >&2; tail -20 "$dir/monitor.log" >&2; exit 1; }
  for n in 1 2; do
    autoctl create postgres --pgdata "$dir/node$n" --pgport $((port + n)) --hostname 127.0.0.1 --listen 127.0.0.1 \
      --auth trust --no-ssl --monitor "$(cat "$dir/monitor-url")" --name "node$n" --run >"$dir/node$n.log" 2>&1 &
    echo $! > "$dir/node$n.pid"
    # the second node is made from the first by pg_basebackup: register them one at a time
    wait_states "$([ "$n" = 1 ] && echo single || echo "primary secondary")" 120 ||
      { tail -20 "$dir/node$n.log" >&2; exit 1; }
    autoctl config set --pgdata "$dir/node$n" timeout.network_partition_timeout 3 >/dev/null 2>&1
    autoctl reload --pgdata "$dir/node$n" >/dev/null 2>&1
  done
  user=$([ "$(id -u)" -eq 0 ] && echo nobody || id -un)
  hosts="127.0.0.1:$((port + 1)),127.0.0.1:$((port + 2))"
  opts="target_session_attrs=read-write&connect_timeout=2"
  admin="postgresql://$user@$hosts/kaigo?$opts"
  psql -X -q -v ON_ERROR_STOP=1 "postgresql://$user@$hosts/postgres?$opts" >/dev/null <<SQL
CREATE ROLE kaigo_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE DATABASE kaigo;
\c kaigo
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO kaigo_app;
SQL
  umask 077
  echo "$admin" > "$dir/admin-url"
  echo "postgresql://kaigo_app@$hosts/kaigo?$opts" > "$dir/url"
  echo "postgresql://kaigo_app@$hosts/kaigo?target_session_attrs=prefer-standby&connect_timeout=2" > "$dir/read-url"
  cat "$dir/url"
  ;;
state)
  autoctl show state --pgdata "$dir/monitor"
  ;;
primary)
  psql -X -At "$(cat "$dir/monitor-url")" -c \
    "SELECT nodename FROM pgautofailover.node WHERE reportedstate IN ('primary', 'wait_primary', 'single')"
  ;;
kill)
  node=${3:?node}
  pids=$(pids_of "$node")
  [ -n "$pids" ] || { echo "ha.sh: no process of $node" >&2; exit 1; }
  kill -9 $pids 2>/dev/null || true
  ;;
wait)
  shift 2
  wait_states "$*"
  ;;
stop)
  [ -d "$dir/monitor" ] || { echo "ha.sh: no rig in $dir" >&2; exit 1; }
  for n in node2 node1 monitor; do
    p=$(pids_of "$n")
    [ -n "$p" ] && kill -9 $p 2>/dev/null || true
  done
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|state|primary|kill|wait|stop DIR [...]" >&2
  exit 2
  ;;
esac
