-- 0008_paper: every printed document with a signed QR token (issue #6), so that an online check can say
-- whether a document is current, superseded by a reissue, or revoked. Serials are per insurer, in issue
-- order; a new document of the same kind for the same person supersedes the earlier ones. What the token
-- asserts is kept (not the printed names: only their hash).
CREATE TABLE paper_documents (
    insurer_no   TEXT NOT NULL REFERENCES insurers(insurer_no),
    serial       INTEGER NOT NULL CHECK (serial >= 1),
    insured_no   TEXT NOT NULL CHECK (length(insured_no) = 10),
    kind         INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 5),
    issued       TEXT NOT NULL,
    valid_from   TEXT,
    valid_to     TEXT,
    content_hash TEXT NOT NULL,          -- hex, 16 bytes
    change_id    INTEGER NOT NULL REFERENCES changes(id),
    revoked_by   INTEGER REFERENCES changes(id),  -- the change that revoked it (kaigo paper revoke), or NULL
    PRIMARY KEY (insurer_no, serial)
) WITHOUT ROWID;
CREATE INDEX paper_documents_person ON paper_documents (insurer_no, insured_no, kind, serial);
