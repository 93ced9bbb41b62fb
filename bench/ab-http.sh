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
: "${BASE:?BASE=path of the base build's kaigo}"
NEW=${NEW:-build/default/kaigo}
for _ in $(seq "${ROUNDS:-3}"); do
  for b in "$BASE" "$NEW"; do
    r=$(KAIGO=$b PIN=1 THREADS=1 DURATION=${DURATION:-6} bench/http.sh 2>&1)
    printf '%s: %s |%s |%s\n' "$b" \
      "$(echo "$r" | sed -n 's/.*card (.*: *\([0-9]*\) req\/s *p99 *\([0-9.]*\) ms.*/\1 req\/s p99 \2 ms/p')" \
      "$(echo "$r" | grep 'CPU per' | cut -d: -f2)" "$(echo "$r" | grep 'group commits' | cut -d: -f2)"
  done
done
