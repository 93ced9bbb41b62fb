-- 0015_paper_postpone: printed documents may be 要介護認定の延期通知 (kind 6, issue #19 §1: printed from the clerk's
-- worklist, signed and verifiable like the other documents). SQLite cannot change a CHECK in place: the table is
-- rebuilt with every row, its key and its index (no other table references it; it has no triggers).
CREATE TABLE paper_documents_new (
    insurer_no   TEXT NOT NULL REFERENCES insurers(insurer_no),
    serial       INTEGER NOT NULL CHECK (serial >= 1),
    insured_no   TEXT NOT NULL CHECK (length(insured_no) = 10),
    kind         INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 6),
    issued       TEXT NOT NULL,
    valid_from   TEXT,
    valid_to     TEXT,
    content_hash TEXT NOT NULL,          -- hex, 16 bytes
    change_id    INTEGER NOT NULL REFERENCES changes(id),
    revoked_by   INTEGER REFERENCES changes(id),  -- the change that revoked it (kaigo paper revoke), or NULL
    PRIMARY KEY (insurer_no, serial)
) WITHOUT ROWID;
INSERT INTO paper_documents_new (insurer_no, serial, insured_no, kind, issued, valid_from, valid_to, content_hash,
                                 change_id, revoked_by)
    SELECT insurer_no, serial, insured_no, kind, issued, valid_from, valid_to, content_hash, change_id, revoked_by
    FROM paper_documents;
DROP TABLE paper_documents;
ALTER TABLE paper_documents_new RENAME TO paper_documents;
CREATE INDEX paper_documents_person ON paper_documents (insurer_no, insured_no, kind, serial);
