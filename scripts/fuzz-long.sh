#!/usr/bin/env bash
# fuzz-long.sh BUILDDIR [RUNS] [TARGET...] - the long fuzz run of docs/security.md: each libFuzzer
# target for RUNS executions (default 10,000,000) from its seeds, one after another, outside CI
# (hours in all). Prints one line a target: executions, seconds, executions a second, coverage,
# and whether it found anything (crash-*/timeout-*/oom-* files in BUILDDIR/long/).
set -uo pipefail
bdir=$1 runs=${2:-10000000}
shift 2 2>/dev/null || shift $#
src=$(cd "$(dirname "$0")/.." && pwd)
out="$bdir/long"
mkdir -p "$out"
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=($(cd "$bdir" && ls fuzz_* | grep -v '\.'))
for name in "${targets[@]}"; do
  corpus="$out/corpus-$name"
  mkdir -p "$corpus"
  t0=$(date +%s)
  ASAN_OPTIONS=detect_leaks=1 "$bdir/$name" -runs="$runs" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$out/$name-" "$corpus" "$src/tests/fuzz/seeds/$name" \
    >"$out/$name.log" 2>&1
  rc=$?
  t1=$(date +%s)
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$out/$name.log" | awk '{print $2}')
  cov=$(grep -oE 'cov: [0-9]+' "$out/$name.log" | tail -1 | awk '{print $2}')
  found=$(ls "$out/$name-"* 2>/dev/null | wc -l)
  printf '%-18s %12s execs %6ss %8s/s cov %-6s exit %s found %s\n' "$name" "${execs:-?}" $((t1 - t0)) \
    $(( ${execs:-0} / ( (t1 - t0) > 0 ? (t1 - t0) : 1 ) )) "${cov:-?}" $rc "$found"
done
