# tests/pg/lib.sh - shell functions the PostgreSQL benchmarks and the failover test share (sourced).
#
#   pg_give_access ADMIN_URL ORG [SAMPLE]
#       a blanket consent (包括同意, the municipality's) and a care relationship of ORG for every
#       insured person, or for one in SAMPLE (insured_no - 1000000000 ≡ 7 mod SAMPLE), by SQL as the
#       owner: the set-up of an audited card read without going through the API per person
#   pg_schema_install ADMIN_URL  kaigo's schema into the (empty) database of ADMIN_URL as its owner, the
#                               public schema closed to others and kaigo_rw granted to the application's role
#   kaigo_node NAME DB OUT      starts `kaigo serve` on a free loopback port, its files OUT/NAME.*;
#                               its URL in $url, its pid appended to the array pids (the caller's
#                               cleanup stops them); fails if it did not start within 10 s
pg_give_access() {
  local admin=$1 org=$2 sample=${3:-1} now ym
  now=$(($(date +%s) * 1000))
  ym=$(TZ=Asia/Tokyo date +%Y%m)
  psql -X -q -v ON_ERROR_STOP=1 "$admin" >/dev/null <<SQL
INSERT INTO consents (insurer_no, insured_no, kind, cats, valid_from_ms, valid_to_ms, grantee, collected_by, recorded_ms, recorded_by)
  SELECT insurer_no, insured_no, 'municipal', 1022, 0, 0, '', 'bench', $now - 1000, 'bench' FROM record_versions
  WHERE kind = 'insured' AND (CAST(insured_no AS bigint) - 1000000000) % $sample = 7 % $sample;
INSERT INTO relationships (insurer_no, insured_no, org_id, started_ms, last_actual_ym, established_by, created_by)
  SELECT insurer_no, insured_no, '$org', $now - 1000, $ym, 'bench', 'bench' FROM record_versions
  WHERE kind = 'insured' AND (CAST(insured_no AS bigint) - 1000000000) % $sample = 7 % $sample;
ANALYZE;
SQL
}

pg_schema_install() {
  PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 "$1" \
    -c 'REVOKE ALL ON SCHEMA public FROM PUBLIC' -c 'GRANT USAGE ON SCHEMA public TO kaigo_app' \
    -f src/store/pg/schema.sql -c 'GRANT kaigo_rw TO kaigo_app' >/dev/null
}

kaigo_node() {
  local name=$1 db=$2 out=$3
  "$KAIGO" serve --db "$db" --listen 127.0.0.1:0 --quiet --token-file "$out/$name.op" > "$out/$name.out" 2> "$out/$name.err" &
  pids+=($!)
  for _ in $(seq 100); do grep -q listening "$out/$name.out" 2>/dev/null && break; sleep 0.1; done
  url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$out/$name.out")
  [ -n "$url" ] || { cat "$out/$name.err" >&2; echo "node $name did not start" >&2; return 1; }
}
