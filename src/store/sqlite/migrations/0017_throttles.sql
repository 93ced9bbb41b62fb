-- 0017_throttles: failed-login and 本人確認 counters kept in the store (RULE-AUTH-004), so that every kaigo node on
-- one database counts the same failures (issue #22 §2: throttles shared through the database). A key is a kind and
-- a hash of the login, the address or the organisation (store/access.c), never the value in clear; a row is a
-- counter for its window, not a record: it is rewritten when a window ends and deleted once it has passed.
CREATE TABLE throttles (
    tkey       TEXT NOT NULL PRIMARY KEY,
    expires_ms INTEGER NOT NULL,
    hits       INTEGER NOT NULL CHECK (hits >= 1)
) WITHOUT ROWID;
CREATE INDEX throttles_expiry ON throttles (expires_ms);
