-- 0016_record_current: the newest version of each of a person's card records, written with the version itself
-- (sqlite.c insert_version, one transaction), so that a card read is one seek and a short range instead of one seek
-- per kind and a GROUP BY over every version (issue #21, docs/benchmarks.md). record_versions stays the record: this
-- table is derived from it and can be rebuilt from it at any time by the INSERT below.
-- The kinds are the card's but insured (CURRENT_KINDS in sqlite.c): the insured record is one reverse seek in
-- record_versions, and a municipality's bulk import would pay a second write for each of its million rows.
-- Documents and care plans keep their own queries.
CREATE TABLE record_current (
    insurer_no  TEXT NOT NULL,
    insured_no  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    rkey        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    body        TEXT NOT NULL,
    PRIMARY KEY (insurer_no, insured_no, kind, rkey)
) WITHOUT ROWID;
-- SQLite takes the bare column body from the row holding max(version)
INSERT INTO record_current (insurer_no, insured_no, kind, rkey, version, body)
    SELECT insurer_no, insured_no, kind, rkey, max(version), body FROM record_versions
    WHERE kind IN ('application', 'burden', 'certification', 'facility', 'limit', 'plan', 'restriction')
    GROUP BY insurer_no, insured_no, kind, rkey;
