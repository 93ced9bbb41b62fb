#!/usr/bin/env bash
# bench/verify.sh - `kaigo audit verify` entries/s on an N-entry audit log, as a
# ratio to reading the same log's stored bytes with sqlite3 (no hashing, no
# checks) in the same run; and the time of an inclusion proof.
#
#   ENTRIES=1000000 RUNS=5 bench/verify.sh        # or: make bench-verify
#
# The log is written once by bench_auditgen through the real audit writer (group
# commit, signed checkpoints, the person index) and reused while ENTRIES and the
# log format stay the same. Medians of RUNS. Local files only; stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
ENTRIES=${ENTRIES:-1000000}
RUNS=${RUNS:-5}
KAIGO=${KAIGO:-build/default/kaigo}
GEN=${GEN:-build/default/bench_auditgen}
out=${OUT:-bench/out/verify}
[ -x "$KAIGO" ] && [ -x "$GEN" ] || { echo "build first: make build" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "sqlite3 CLI missing" >&2; exit 2; }
mkdir -p "$out"
db="$out/k.db"
version="3b:$ENTRIES" # audit log format 3 with block roots
if [ "$(cat "$db.bench-version" 2>/dev/null)" != "$version" ]; then
  rm -f "$db" "$db"-* "$db".audit* "$db".bench-*
  "$GEN" "$db" "$ENTRIES"
  echo "$version" > "$db.bench-version"
fi

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

v_times=() r_times=() p_times=()
for i in $(seq "$RUNS"); do
  t0=$(now)
  "$KAIGO" audit verify --db "$db" > "$out/verify.txt"
  t1=$(now)
  # Baseline: every stored byte of the log read once (the entries and their leaf hashes).
  sqlite3 "$db.audit" "SELECT count(*), sum(length(entry)), sum(length(leaf_hash)) FROM audit_log" > /dev/null
  t2=$(now)
  "$KAIGO" audit prove --db "$db" 012021 $((ENTRIES / 2)) > "$out/prove.txt"
  t3=$(now)
  v_times+=("$(echo "$t1 - $t0" | bc -l)")
  r_times+=("$(echo "$t2 - $t1" | bc -l)")
  p_times+=("$(echo "$t3 - $t2" | bc -l)")
done
grep -q '^検証成功' "$out/verify.txt" || { cat "$out/verify.txt"; exit 1; }
grep -q '検証: OK' "$out/prove.txt" || { cat "$out/prove.txt"; exit 1; }
v=$(printf '%s\n' "${v_times[@]}" | median)
r=$(printf '%s\n' "${r_times[@]}" | median)
p=$(printf '%s\n' "${p_times[@]}" | median)
printf 'verify: %d entries, median of %d runs, %d cores\n' "$ENTRIES" "$RUNS" "$(nproc)"
printf '  kaigo audit verify      : %6.3f s  %9.0f entries/s  (target >= 1000000)\n' "$v" "$(echo "$ENTRIES / $v" | bc -l)"
printf '  sqlite3 read (baseline) : %6.3f s  %9.0f entries/s\n' "$r" "$(echo "$ENTRIES / $r" | bc -l)"
printf '  ratio verify/read       : %6.2f\n' "$(echo "$r / $v" | bc -l)"
printf '  inclusion proof (seq %d): %6.3f s\n' $((ENTRIES / 2)) "$p"
tail -1 "$out/verify.txt"
