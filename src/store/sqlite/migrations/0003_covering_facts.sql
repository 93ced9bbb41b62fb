-- The gate's facts for one person, read on every disclosure, straight from
-- covering indexes: no second seek into the table per row. Same leading key
-- (insurer, person), so every other query keeps its plan. Measured with
-- bench_disclose on one core: 53.5 → 50.3 µs per audited card read
-- (docs/benchmarks.md).
DROP INDEX consents_person;
CREATE INDEX consents_person ON consents (insurer_no, insured_no, consent_id, kind, cats,
    valid_from_ms, valid_to_ms, recorded_ms, grantee, collected_by);
DROP INDEX withdrawals_person;
CREATE INDEX withdrawals_person ON consent_withdrawals (insurer_no, insured_no, withdrawal_id,
    cats, at_ms, grantee, by_actor);
DROP INDEX relationships_person;
CREATE INDEX relationships_person ON relationships (insurer_no, insured_no, org_id,
    relationship_id, started_ms, ended_ms, last_actual_ym);
