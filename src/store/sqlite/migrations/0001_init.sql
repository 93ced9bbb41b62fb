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

-- The audit log lives in its own database file, <db>.audit, attached as schema
-- "audit" (src/store/sqlite/sqlite.c): audit commits then never invalidate the readers'
-- page cache of this file. audit_link ties the two files together.
CREATE TABLE audit_link (
    file_id     TEXT NOT NULL PRIMARY KEY,
    created_at  TEXT NOT NULL
);

-- Import runs, for the operator's record (file hash, counts); no personal data.
CREATE TABLE import_runs (
    change_id   INTEGER NOT NULL PRIMARY KEY REFERENCES changes(id),
    kind        TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    rows_total  INTEGER NOT NULL,
    rows_changed INTEGER NOT NULL
);
