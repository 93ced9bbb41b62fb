-- 0001_init: insurers, versioned person records, per-insurer audit log.
-- Every table is keyed by insurer_no first (partitioning key for PostgreSQL).

CREATE TABLE insurers (
    insurer_no  TEXT NOT NULL PRIMARY KEY CHECK (length(insurer_no) = 6),
    name        TEXT NOT NULL DEFAULT '',
    prefecture  TEXT NOT NULL DEFAULT '',
    registered_at TEXT NOT NULL,
    registered_by TEXT NOT NULL
) WITHOUT ROWID;

-- Who changed what, when and why (真正性): one row per import run or correction,
-- referenced by every version it wrote. Operational metadata shared by all insurers.
CREATE TABLE changes (
    id          INTEGER PRIMARY KEY,
    recorded_at TEXT NOT NULL,
    author      TEXT NOT NULL,
    reason      TEXT NOT NULL
);
CREATE TRIGGER changes_no_update BEFORE UPDATE ON changes
BEGIN SELECT RAISE(ABORT, 'changes is append-only'); END;
CREATE TRIGGER changes_no_delete BEFORE DELETE ON changes
BEGIN SELECT RAISE(ABORT, 'changes is append-only'); END;

-- All person records are versions: (insurer, person, kind, natural key, version).
-- kind: insured | certification | burden | limit | restriction | plan | facility.
-- rkey: the record's natural key within the person ('' for insured; the start date otherwise).
-- body: canonical JSON of the record content (written and read only by src/store).
CREATE TABLE record_versions (
    insurer_no  TEXT NOT NULL REFERENCES insurers(insurer_no),
    insured_no  TEXT NOT NULL CHECK (length(insured_no) = 10),
    kind        TEXT NOT NULL,
    rkey        TEXT NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 1),
    change_id   INTEGER NOT NULL REFERENCES changes(id),
    body        TEXT NOT NULL,
    PRIMARY KEY (insurer_no, insured_no, kind, rkey, version)
) WITHOUT ROWID;

-- 真正性: versions are never changed or removed.
CREATE TRIGGER record_versions_no_update BEFORE UPDATE ON record_versions
BEGIN SELECT RAISE(ABORT, 'record_versions is append-only'); END;
CREATE TRIGGER record_versions_no_delete BEFORE DELETE ON record_versions
BEGIN SELECT RAISE(ABORT, 'record_versions is append-only'); END;

-- One audit log per insurer. leaf = SHA-256(0x00 || canonical bytes of the columns);
-- chain = SHA-256(0x02 || previous chain || leaf).
CREATE TABLE audit_log (
    insurer_no  TEXT NOT NULL,
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    time_ms     INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    org         TEXT NOT NULL,
    role        TEXT NOT NULL,
    insured_no  TEXT NOT NULL,
    category    TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    basis       TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    request_id  TEXT NOT NULL,
    leaf_hash   BLOB NOT NULL CHECK (length(leaf_hash) = 32),
    chain_hash  BLOB NOT NULL CHECK (length(chain_hash) = 32),
    PRIMARY KEY (insurer_no, seq)
) WITHOUT ROWID;
-- No index by person here: a random-key index dirties one page per entry and
-- multiplies the bytes each group commit must sync (docs/benchmarks.md). The
-- person's access report (access issue) adds its own measured structure.

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Import runs, for the operator's record (file hash, counts); no personal data.
CREATE TABLE import_runs (
    change_id   INTEGER NOT NULL PRIMARY KEY REFERENCES changes(id),
    kind        TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    rows_total  INTEGER NOT NULL,
    rows_changed INTEGER NOT NULL
);
