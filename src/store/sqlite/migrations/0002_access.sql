-- 0002_access: organisations, accounts, sessions, API tokens, and the facts the
-- gate decides on (consents, withdrawals, care relationships, proxies,
-- break-glass grants, 主治医意見書作成依頼, 本人確認 one-time codes).
-- Person facts are keyed by insurer_no first (index), so an insurer's rows move
-- as a unit; PostgreSQL will key them (insurer_no, id) and partition by insurer.
-- Times are UTC milliseconds (*_ms); intervals are half-open [from, to), 0 = open.

CREATE TABLE orgs (
    org_id        TEXT NOT NULL PRIMARY KEY CHECK (length(org_id) BETWEEN 1 AND 31),
    kind          TEXT NOT NULL CHECK (kind IN ('insurer','kyotaku','provider','facility','medical','houkatsu')),
    name          TEXT NOT NULL,
    insurer_no    TEXT REFERENCES insurers(insurer_no), -- kind 'insurer': the insurer it is
    service_types TEXT NOT NULL DEFAULT '',             -- サービス種類コード, comma separated
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    CHECK ((kind = 'insurer') = (insurer_no IS NOT NULL))
) WITHOUT ROWID;

-- Staff accounts belong to one organisation; person accounts are a person
-- (insurer_no, insured_no) or a proxy-only account (both NULL) that acts for
-- others through proxies. Passwords: argon2id PHC strings only (P18).
CREATE TABLE accounts (
    account_id     INTEGER PRIMARY KEY,
    login          TEXT NOT NULL UNIQUE CHECK (length(login) BETWEEN 3 AND 64),
    kind           TEXT NOT NULL CHECK (kind IN ('staff','person')),
    org_id         TEXT REFERENCES orgs(org_id),
    insurer_no     TEXT,
    insured_no     TEXT,
    display_name   TEXT NOT NULL,
    password_hash  TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    totp_secret    BLOB NOT NULL CHECK (length(totp_secret) = 20),
    totp_last_step INTEGER NOT NULL DEFAULT 0,
    perms          TEXT NOT NULL DEFAULT '',  -- 'breakglass', 'review', comma separated
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    disabled_ms    INTEGER NOT NULL DEFAULT 0,
    CHECK ((kind = 'staff') = (org_id IS NOT NULL)),
    CHECK ((insurer_no IS NULL) = (insured_no IS NULL))
);

-- Server-side sessions; the cookie carries 32 random bytes, the table their SHA-256.
CREATE TABLE sessions (
    id_hash      BLOB NOT NULL PRIMARY KEY CHECK (length(id_hash) = 32),
    account_id   INTEGER NOT NULL REFERENCES accounts(account_id),
    created_ms   INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    ended_ms     INTEGER NOT NULL DEFAULT 0,
    breakglass   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- System-to-system tokens ("kgt_<id>_<secret>"); only the secret's SHA-256 is kept.
CREATE TABLE api_tokens (
    token_id     INTEGER PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES orgs(org_id),
    name         TEXT NOT NULL,
    secret_hash  BLOB NOT NULL CHECK (length(secret_hash) = 32),
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    revoked_ms   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE consents (
    consent_id   INTEGER PRIMARY KEY,
    insurer_no   TEXT NOT NULL REFERENCES insurers(insurer_no),
    insured_no   TEXT NOT NULL CHECK (length(insured_no) = 10),
    kind         TEXT NOT NULL CHECK (kind IN ('municipal','on_behalf','personal')),
    cats         INTEGER NOT NULL CHECK (cats > 0),
    valid_from_ms INTEGER NOT NULL,
    valid_to_ms  INTEGER NOT NULL DEFAULT 0,
    grantee      TEXT NOT NULL DEFAULT '',  -- '' = every 担当事業所
    collected_by TEXT NOT NULL,             -- org id or 'self'
    recorded_ms  INTEGER NOT NULL,
    recorded_by  TEXT NOT NULL
);
CREATE INDEX consents_person ON consents (insurer_no, insured_no);

CREATE TABLE consent_withdrawals (
    withdrawal_id INTEGER PRIMARY KEY,
    insurer_no   TEXT NOT NULL,
    insured_no   TEXT NOT NULL,
    cats         INTEGER NOT NULL CHECK (cats > 0),
    grantee      TEXT NOT NULL DEFAULT '',
    at_ms        INTEGER NOT NULL,
    by_actor     TEXT NOT NULL
);
CREATE INDEX withdrawals_person ON consent_withdrawals (insurer_no, insured_no);

-- 担当事業所: established by 本人確認; kept alive by 実績; ended explicitly.
CREATE TABLE relationships (
    relationship_id INTEGER PRIMARY KEY,
    insurer_no     TEXT NOT NULL,
    insured_no     TEXT NOT NULL,
    org_id         TEXT NOT NULL REFERENCES orgs(org_id),
    started_ms     INTEGER NOT NULL,
    ended_ms       INTEGER NOT NULL DEFAULT 0,
    last_actual_ym INTEGER NOT NULL DEFAULT 0,
    established_by TEXT NOT NULL,  -- 'code' (本人確認 with a one-time code)
    created_by     TEXT NOT NULL
);
CREATE INDEX relationships_person ON relationships (insurer_no, insured_no);
CREATE INDEX relationships_org ON relationships (org_id);

CREATE TABLE proxies (
    proxy_id      INTEGER PRIMARY KEY,
    insurer_no    TEXT NOT NULL,
    insured_no    TEXT NOT NULL,
    account_id    INTEGER NOT NULL REFERENCES accounts(account_id),
    kind          TEXT NOT NULL CHECK (kind IN ('family','guardian','voluntary')),
    basis         TEXT NOT NULL,   -- e.g. 後見登記番号, 委任状
    cats          INTEGER NOT NULL CHECK (cats > 0),
    valid_from_ms INTEGER NOT NULL,
    valid_to_ms   INTEGER NOT NULL DEFAULT 0,
    registered_ms INTEGER NOT NULL,
    registered_by TEXT NOT NULL,
    revoked_ms    INTEGER NOT NULL DEFAULT 0,
    revoked_by    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX proxies_person ON proxies (insurer_no, insured_no);
CREATE INDEX proxies_account ON proxies (account_id);

-- Break-glass grants; each is a review item until the municipality closes it.
CREATE TABLE breakglass (
    breakglass_id INTEGER PRIMARY KEY,
    insurer_no    TEXT NOT NULL,
    insured_no    TEXT NOT NULL,
    account_id    INTEGER NOT NULL REFERENCES accounts(account_id),
    org_id        TEXT NOT NULL,
    reason        TEXT NOT NULL CHECK (length(reason) > 0),
    started_ms    INTEGER NOT NULL,
    expires_ms    INTEGER NOT NULL,
    reviewed_ms   INTEGER NOT NULL DEFAULT 0,
    reviewed_by   TEXT NOT NULL DEFAULT '',
    review_note   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX breakglass_person ON breakglass (insurer_no, insured_no);
CREATE INDEX breakglass_review ON breakglass (insurer_no, reviewed_ms);

CREATE TABLE ikensho_requests (
    request_id  INTEGER PRIMARY KEY,
    insurer_no  TEXT NOT NULL,
    insured_no  TEXT NOT NULL,
    org_id      TEXT NOT NULL REFERENCES orgs(org_id),
    opened_ms   INTEGER NOT NULL,
    closed_ms   INTEGER NOT NULL DEFAULT 0,
    opened_by   TEXT NOT NULL
);
CREATE INDEX ikensho_requests_person ON ikensho_requests (insurer_no, insured_no);

-- 本人確認 one-time codes: read by the person from their account, or printed by
-- the municipality. Only the code's SHA-256 is kept; one use; short validity.
CREATE TABLE verify_codes (
    insurer_no  TEXT NOT NULL,
    insured_no  TEXT NOT NULL,
    code_hash   BLOB NOT NULL CHECK (length(code_hash) = 32),
    created_ms  INTEGER NOT NULL,
    expires_ms  INTEGER NOT NULL,
    used_ms     INTEGER NOT NULL DEFAULT 0,
    issued_via  TEXT NOT NULL CHECK (issued_via IN ('self','paper')),
    PRIMARY KEY (insurer_no, insured_no, code_hash)
) WITHOUT ROWID;

-- Security events (login failures, throttling, session ends, clock steps): no
-- personal data in clear (login names are stored as a keyed hash prefix).
CREATE TABLE security_events (
    event_id  INTEGER PRIMARY KEY,
    time_ms   INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    subject   TEXT NOT NULL,
    address   TEXT NOT NULL,
    detail    TEXT NOT NULL
);
CREATE TRIGGER security_events_no_update BEFORE UPDATE ON security_events
BEGIN SELECT RAISE(ABORT, 'security_events is append-only'); END;
CREATE TRIGGER security_events_no_delete BEFORE DELETE ON security_events
BEGIN SELECT RAISE(ABORT, 'security_events is append-only'); END;

-- Grants and consents are never deleted; only their end/revocation columns move.
CREATE TRIGGER consents_no_update BEFORE UPDATE ON consents
BEGIN SELECT RAISE(ABORT, 'consents are append-only (withdraw instead)'); END;
CREATE TRIGGER consents_no_delete BEFORE DELETE ON consents
BEGIN SELECT RAISE(ABORT, 'consents are append-only (withdraw instead)'); END;
CREATE TRIGGER withdrawals_no_update BEFORE UPDATE ON consent_withdrawals
BEGIN SELECT RAISE(ABORT, 'withdrawals are append-only'); END;
CREATE TRIGGER withdrawals_no_delete BEFORE DELETE ON consent_withdrawals
BEGIN SELECT RAISE(ABORT, 'withdrawals are append-only'); END;
CREATE TRIGGER proxies_no_delete BEFORE DELETE ON proxies
BEGIN SELECT RAISE(ABORT, 'proxies are never deleted (revoke instead)'); END;
CREATE TRIGGER relationships_no_delete BEFORE DELETE ON relationships
BEGIN SELECT RAISE(ABORT, 'relationships are never deleted (end instead)'); END;
CREATE TRIGGER breakglass_no_delete BEFORE DELETE ON breakglass
BEGIN SELECT RAISE(ABORT, 'break-glass grants are never deleted'); END;
