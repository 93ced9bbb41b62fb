#!/usr/bin/env bash
# fuzz-smoke.sh BUILDDIR SECONDS - run every libFuzzer target for SECONDS from its seeds.
# New inputs go to a scratch corpus; crashes fail the run (and leave crash-* files in build/fuzz/).
set -euo pipefail
bdir=$1 secs=$2
src=$(cd "$(dirname "$0")/.." && pwd)
fail=0
for f in "$bdir"/fuzz_*; do
  [ -x "$f" ] || continue
  name=$(basename "$f")
  corpus="$bdir/corpus/$name"
  mkdir -p "$corpus"
  echo "fuzz: $name for ${secs}s"
  if ! ASAN_OPTIONS=detect_leaks=1 "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$bdir/" "$corpus" "$src/tests/fuzz/seeds/$name" >"$bdir/$name.log" 2>&1; then
    echo "fuzz: $name FAILED (see $bdir/$name.log)"; tail -30 "$bdir/$name.log"; fail=1
  else
    grep -E '^Done|stat::number_of_executed_units' "$bdir/$name.log" | tail -1 || true
  fi
done
exit $fail
