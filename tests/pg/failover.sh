#!/usr/bin/env bash
# tests/pg/failover.sh - the primary lost under card-read load (issue #22 §2): two kaigo nodes on
# a primary with a synchronous standby (tests/pg/ha.sh: pg_auto_failover on loopback), audited
# card reads from both (tests/pg/load.mjs), the primary's machine killed (kill -9 of its keeper
# and server) KILL_AT seconds in; pg_auto_failover promotes the standby and the nodes reconnect by
# themselves (the driver makes a lost connection again with the URL's hosts and
# target_session_attrs=read-write).
#
#   tests/pg/failover.sh                                # the ctest pg-failover (≈ 1 min)
#   PERSONS=20000 CONNS=32 DURATION=40 KILL_AT=10 bench/pg-failover.sh   # the figures
#
# Fails (exit 1, saying which) unless:
#   - every read answered 200 has its audit entry on the new primary (per person: entries ≥ 200s),
#     i.e. no acknowledged entry was lost with the primary;
#   - the standby became the primary, and each node answered 200 again after the last failure;
#   - every other answer was 503 (with Retry-After: try again) or no connection, never a 500;
#   - `kaigo audit verify` passes on the standby under the load (read-only work that tolerates lag,
#     through DIR/read-url: target_session_attrs=prefer-standby) and on the new primary after
#     (the chain, Merkle roots and signatures).
# Prints the figures: requests, 200s, failures, the longest time without a 200, seconds from the
# kill to the first 200 after the gap, entries lost.
set -euo pipefail
cd "$(dirname "$0")/../.."
PERSONS=${PERSONS:-2000}
CONNS=${CONNS:-16}
DURATION=${DURATION:-30}
KILL_AT=${KILL_AT:-8}
KAIGO=${KAIGO:-$PWD/build/default/kaigo}
NODE_BIN=${NODE_BIN:-node}
out=${OUT:-}
[ -n "$out" ] || out=$(mktemp -d /tmp/kaigo-failover.XXXXXX)
rm -rf "$out"
mkdir -p "$out"
chmod 711 "$out"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  tests/pg/ha.sh stop "$out/ha" >/dev/null 2>&1 || true
  [ -n "${KEEP:-}" ] || rm -rf "$out"
}
trap cleanup EXIT
fail() { echo "failover: FAIL: $*" >&2; exit 1; }
. tests/pg/lib.sh

tests/pg/ha.sh start "$out/ha" >/dev/null
app=$(cat "$out/ha/url") admin=$(cat "$out/ha/admin-url")
PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 "$admin" -f src/store/pg/schema.sql \
  -c 'GRANT kaigo_rw TO kaigo_app' >/dev/null
mkdir -p "$out/state"
export KAIGO_STATE="$out/state"
"$KAIGO" demo generate --insurers 1 --persons "$PERSONS" --seed 3 "$out/csv" >/dev/null
for k in insured certification burden limit; do
  "$KAIGO" import "$k" "$out/csv/$k.csv" --db "$app" --quiet >/dev/null
done
"$KAIGO" org add --db "$app" --id bench-kyotaku --kind kyotaku --name ベンチ居宅 >/dev/null
"$KAIGO" token issue --db "$app" --org bench-kyotaku --name failover 2>/dev/null > "$out/token"
insurer=$(psql -X -At "$admin" -c "SELECT insurer_no FROM insurers LIMIT 1")
# every person: a blanket consent (包括同意) and a care relationship of the 居宅, as bench/pg-http.sh
pg_give_access "$admin" bench-kyotaku
kaigo_node a "$app" "$out" || fail "node a did not start"; url_a=$url
kaigo_node b "$app" "$out" || fail "node b did not start"; url_b=$url

old=$(tests/pg/ha.sh primary "$out/ha")
"$NODE_BIN" tests/pg/load.mjs "$url_a,$url_b" "$(cat "$out/token")" "$insurer" "$PERSONS" "$CONNS" "$DURATION" \
  "$out/load.json" > "$out/load.out" &
load=$!
# read-only work that tolerates lag runs on the standby: audit verify there, under the load
sleep $((KILL_AT / 2))
[ "$(psql -X -At "$(cat "$out/ha/read-url")" -c "SELECT pg_is_in_recovery()")" = t ] || fail "read-url is no standby"
"$KAIGO" audit verify --db "$(cat "$out/ha/read-url")" > "$out/verify-standby.txt" 2>&1 ||
  { cat "$out/verify-standby.txt" >&2; fail "audit verify on the standby"; }
echo "on the standby: $(tail -1 "$out/verify-standby.txt")"
sleep $((KILL_AT - KILL_AT / 2))
kill_ms=$(date +%s%3N)
tests/pg/ha.sh kill "$out/ha" "$old"
wait "$load" || fail "the load client failed"
cat "$out/load.out"
new=$(tests/pg/ha.sh primary "$out/ha" | grep -v "^$old\$" || true)
[ -n "$new" ] || { tests/pg/ha.sh state "$out/ha" >&2 || true; fail "no standby became the primary"; }

# the audit entries per person, on the new primary
psql -X -At -F ' ' "$admin" -c "SELECT insured_no, count(*) FROM audit_v WHERE insurer_no = '$insurer'
  AND insured_no <> '' GROUP BY insured_no" > "$out/entries.txt"
"$NODE_BIN" - "$out/load.json" "$out/entries.txt" "$kill_ms" > "$out/figures.txt" <<'JS'
const fs = require("fs");
const [load, entriesFile, killArg] = process.argv.slice(2);
const r = JSON.parse(fs.readFileSync(load, "utf8"));
const entries = new Map(fs.readFileSync(entriesFile, "utf8").trim().split("\n").filter(Boolean)
  .map((l) => l.split(" ")).map(([k, v]) => [k, Number(v)]));
let lost = 0, persons = 0;
for (const [no, ok] of Object.entries(r.okByPerson)) {
  persons++;
  lost += Math.max(0, ok - (entries.get(no) || 0));
}
const killSlot = Math.floor((Number(killArg) - r.t0) / 100);
// the longest run of 100 ms slots without a 200, and the first 200 after the kill's gap
let run = 0, longest = 0, firstBack = -1, lastFail = -1;
r.slots.forEach(([ok, failed], k) => {
  run = ok ? 0 : run + 1;
  longest = Math.max(longest, run);
  if (failed) lastFail = k;
});
for (let k = killSlot; k < r.slots.length; k++)
  if (r.slots[k][1] === 0 && r.slots[k][0] > 0 && (k > lastFail)) { firstBack = k; break; }
const other = r.nodes.reduce((a, n) => a + Object.entries(n.statuses)
  .filter(([s]) => !["200", "503", "0"].includes(s)).reduce((x, [, c]) => x + c, 0), 0);
const nodesBack = r.nodes.map((n) => n.slots.some(([ok], k) => k > lastFail && ok > 0));
console.log(`requests ${r.total} ok ${r.ok} failed ${r.failed} seconds ${r.seconds.toFixed(1)}`);
console.log(`longest_without_200_s ${(longest / 10).toFixed(1)}`);
console.log(`kill_to_service_s ${firstBack < 0 ? "never" : ((firstBack - killSlot) / 10).toFixed(1)}`);
console.log(`persons_read ${persons} entries_lost ${lost}`);
console.log(`other_statuses ${other}`);
console.log(`nodes_back ${nodesBack.every(Boolean) ? "all" : nodesBack.join(",")}`);
r.nodes.forEach((n, i) => console.log(`node${i} ok ${n.ok} failed ${n.failed} statuses ${JSON.stringify(n.statuses)}`));
JS
cat "$out/figures.txt"
grep -q "^persons_read [1-9][0-9]* entries_lost 0$" "$out/figures.txt" || fail "a read answered 200 has no audit entry"
grep -q "^other_statuses 0$" "$out/figures.txt" || fail "an answer during the failover was neither 200 nor 503"
grep -q "^nodes_back all$" "$out/figures.txt" || fail "a node did not answer again after the failover"
grep -q "^kill_to_service_s [0-9]" "$out/figures.txt" || fail "no service after the kill"
"$KAIGO" audit verify --db "$app" > "$out/verify.txt" 2>&1 || { cat "$out/verify.txt" >&2; fail "audit verify"; }
tail -1 "$out/verify.txt"
echo "failover: primary $old lost, $new promoted; OK"
