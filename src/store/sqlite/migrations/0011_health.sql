-- 0011_health: the readiness probe's one row (issue 16). While writes have been failing (a full
-- disk), /healthz tries a real write here before it answers 200 again; nothing personal.
CREATE TABLE health_probe (
    node   TEXT PRIMARY KEY,
    at_ms  INTEGER NOT NULL
) WITHOUT ROWID;
