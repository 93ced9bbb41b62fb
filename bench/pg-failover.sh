#!/usr/bin/env bash
# bench/pg-failover.sh - the failover figures (issue #22 §3): tests/pg/failover.sh with a larger
# load. Two kaigo nodes on a pg_auto_failover primary with a synchronous standby on loopback;
# the primary's machine killed KILL_AT seconds into DURATION seconds of audited card reads.
# Prints requests, 200s, failures, the longest time without a 200, seconds from the kill to
# service again, audit entries lost (must be 0). Loopback only; stops by itself.
#
#   PERSONS=20000 CONNS=32 DURATION=40 KILL_AT=10 bench/pg-failover.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PERSONS=${PERSONS:-20000} CONNS=${CONNS:-32} DURATION=${DURATION:-40} KILL_AT=${KILL_AT:-10}
exec tests/pg/failover.sh
