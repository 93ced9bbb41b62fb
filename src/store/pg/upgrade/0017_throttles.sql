-- src/store/pg/upgrade/0017_throttles.sql - a PostgreSQL database made with schema.sql at version 16 brought to
-- 17 (SQLite's migration 0017): the failed-login and 本人確認 counters shared by every node. Run once by the
-- schema's owner, like schema.sql; kaigo opens a database only at the version it was built for.
--   psql "postgresql://kaigo_admin@db.example/kaigo" -v ON_ERROR_STOP=1 -1 -f /usr/share/kaigo/upgrade/0017_throttles.sql
DO $$ BEGIN
    IF (SELECT max(version) FROM schema_migrations) <> 16 THEN
        RAISE EXCEPTION 'this upgrade is from schema 16 (the database is at %)', (SELECT max(version) FROM schema_migrations);
    END IF;
END $$;
CREATE TABLE throttles (
    tkey       text NOT NULL PRIMARY KEY,
    expires_ms bigint NOT NULL,
    hits       bigint NOT NULL CHECK (hits >= 1)
);
CREATE INDEX throttles_expiry ON throttles (expires_ms);
GRANT SELECT, INSERT, UPDATE, DELETE ON throttles TO kaigo_rw;
INSERT INTO schema_migrations VALUES (17, 'pg upgrade 0017_throttles', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
