-- 0010_web: what the web pages add (issue #14).
-- A person registers a family member as proxy with a one-time code handed to them: the invitation
-- holds the scope the person chose, the code only as its SHA-256, and is used once before it expires.
CREATE TABLE proxy_invites (
    invite_id   INTEGER PRIMARY KEY,
    insurer_no  TEXT NOT NULL,
    insured_no  TEXT NOT NULL,
    code_hash   BLOB NOT NULL UNIQUE CHECK (length(code_hash) = 32),
    kind        TEXT NOT NULL CHECK (kind IN ('family','guardian','voluntary')),
    cats        INTEGER NOT NULL CHECK (cats > 0),
    label       TEXT NOT NULL,            -- how the proxy's pages name the person (chosen by the person)
    created_ms  INTEGER NOT NULL,
    expires_ms  INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    used_ms     INTEGER NOT NULL DEFAULT 0,
    used_by     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX proxy_invites_person ON proxy_invites (insurer_no, insured_no);
-- the name the proxy's pages show for the person they act for
ALTER TABLE proxies ADD COLUMN label TEXT NOT NULL DEFAULT '';
