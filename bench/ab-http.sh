#!/usr/bin/env bash
# bench/ab-http.sh - two builds of kaigo alternated through bench/http.sh (server on one core),
# so that a change is compared with its base in one session; this VM's neighbours move req/s by
# ±20 % between minutes.
#
#   BASE=/tmp/base/build/default/kaigo ROUNDS=3 bench/ab-http.sh
#
# (the base built from another commit, e.g. git worktree add /tmp/base REV && cd /tmp/base &&
# cmake --preset default && cmake --build --preset default --target kaigo)
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BASE:?BASE=the path of a base build of kaigo}"
NEW=${NEW:-build/default/kaigo}
for _ in $(seq "${ROUNDS:-3}"); do
  for b in "$BASE" "$NEW"; do
    r=$(KAIGO=$b PIN=1 THREADS=1 DURATION=${DURATION:-6} bench/http.sh 2>&1 || true)
    card=$(echo "$r" | grep 'card (' | sed -n 's/.*: *\([0-9]*\) req\/s *p99 *\([0-9.]*\) ms.*/\1 req\/s p99 \2 ms/p')
    cpu=$(echo "$r" | grep 'CPU per' | cut -d: -f2)
    commits=$(echo "$r" | grep 'group commits' | cut -d: -f2)
    printf '%s: %s |%s |%s\n' "$b" "$card" "$cpu" "$commits"
  done
done
