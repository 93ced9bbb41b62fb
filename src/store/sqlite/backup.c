/* backup.c - online backup and restore checks of the SQLite store; see backup.h. */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "store/sqlite/backup.h"
#include "store/records.h"
#include "store/sqlite/sqlite_int.h"
#include "util/banned.h"

#define BACKUP_STEP_PAGES 256 /* pages a step: 1 MiB at 4 KiB pages, then progress */

static int fail(sqlite3 *db, const char *what, char *err, size_t cap)
{
    snprintf(err, cap, "%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
    return -1;
}

/* run - one fixed statement without rows */
static int run(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return -1;
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static int count(sqlite3 *db, const char *sql, long long *out)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return -1;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return rc == SQLITE_ROW ? 0 : -1;
}

static int counts_of(sqlite3 *db, struct backup_counts *c)
{
    return count(db, "SELECT count(*) FROM audit.audit_log", &c->audit_entries) ||
           count(db, "SELECT count(*) FROM audit.checkpoints", &c->checkpoints) ||
           count(db, "SELECT count(*) FROM main.changes", &c->changes) ||
           count(db, "SELECT count(*) FROM main.record_versions", &c->persons);
}

/* open_pair - db read-only with its audit log attached as "audit" */
static sqlite3 *open_pair(const char *path, char *err, size_t cap)
{
    sqlite3 *db = NULL;
    char apath[4200];
    if ((size_t)snprintf(apath, sizeof apath, "%s.audit", path) >= sizeof apath) {
        snprintf(err, cap, "path too long");
        return NULL;
    }
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fail(db, path, err, cap);
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 10000);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, "ATTACH DATABASE ?1 AS audit", -1, &q, NULL) != SQLITE_OK) {
        fail(db, "attach", err, cap);
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_bind_text(q, 1, apath, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        fail(db, apath, err, cap);
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

/* copy_schema - schema of src (inside its open read transaction) into a new file dest */
static int copy_schema(sqlite3 *src, const char *schema, const char *dest, const char *what,
                       backup_progress_fn *progress, void *ctx, char *err, size_t cap)
{
    sqlite3 *dst = NULL;
    if (sqlite3_open_v2(dest, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        NULL) != SQLITE_OK) {
        fail(dst, dest, err, cap);
        sqlite3_close(dst);
        return -1;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, schema);
    if (!b) {
        fail(dst, "backup", err, cap);
        sqlite3_close(dst);
        return -1;
    }
    int rc;
    do {
        rc = sqlite3_backup_step(b, BACKUP_STEP_PAGES);
        if (progress)
            progress(ctx, what, sqlite3_backup_pagecount(b) - sqlite3_backup_remaining(b),
                     sqlite3_backup_pagecount(b));
    } while (rc == SQLITE_OK);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        snprintf(err, cap, "%s: %s", what, sqlite3_errstr(rc));
        sqlite3_close(dst);
        return -1;
    }
    /* the caller fsyncs the file before anyone is told it exists */
    if (sqlite3_close(dst) != SQLITE_OK) {
        snprintf(err, cap, "%s: close failed", what);
        return -1;
    }
    return 0;
}

int store_backup_sqlite(const char *path, const char *dest_db, const char *dest_audit,
                        struct backup_counts *counts, backup_progress_fn *progress, void *ctx,
                        char *err, size_t cap)
{
    sqlite3 *db = open_pair(path, err, cap);
    if (!db)
        return -1;
    int rc = -1;
    /* One read transaction over both files: the snapshot of each is taken when it is first
     * read, here one right after the other; the copies below are made from these snapshots
     * while writers go on (WAL). */
    if (run(db, "BEGIN") || counts_of(db, counts)) {
        fail(db, "snapshot", err, cap);
        goto out;
    }
    if (copy_schema(db, "main", dest_db, "registry", progress, ctx, err, cap) ||
        copy_schema(db, "audit", dest_audit, "audit", progress, ctx, err, cap))
        goto out;
    rc = 0;
out:
    run(db, "COMMIT");
    sqlite3_close(db);
    return rc;
}

/* record_current as migration 0016 builds it from record_versions */
#define CURRENT_REBUILD                                                                                      \
    "SELECT insurer_no, insured_no, kind, rkey, max(version), body FROM main.record_versions"                \
    " WHERE kind IN " RECORDS_CURRENT_KINDS_SQL " GROUP BY insurer_no, insured_no, kind, rkey"

/* check_ok - a PRAGMA that answers "ok" (integrity_check) or nothing (foreign_key_check) */
static int check_ok(sqlite3 *db, const char *sql, bool want_ok, const char *what, char *err, size_t cap)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return fail(db, what, err, cap);
    int rc = sqlite3_step(q);
    bool good;
    if (want_ok)
        good = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(q, 0), "ok") == 0;
    else
        good = rc == SQLITE_DONE;
    if (!good)
        snprintf(err, cap, "%s: %s", what,
                 rc == SQLITE_ROW && sqlite3_column_text(q, 0) ? (const char *)sqlite3_column_text(q, 0)
                                                              : sqlite3_errmsg(db));
    sqlite3_finalize(q);
    return good ? 0 : -1;
}

int store_restore_check(const char *path, const struct backup_counts *want, char *err, size_t cap)
{
    sqlite3 *db = open_pair(path, err, cap);
    if (!db)
        return -1;
    int rc = -1;
    struct backup_counts got;
    long long linked = 0;
    if (check_ok(db, "PRAGMA main.integrity_check", true, "登録データの整合性", err, cap) ||
        check_ok(db, "PRAGMA audit.integrity_check", true, "監査ログの整合性", err, cap) ||
        check_ok(db, "PRAGMA main.foreign_key_check", false, "登録データの参照", err, cap))
        goto out;
    if (count(db, "SELECT count(*) FROM main.audit_link l JOIN audit.meta m ON m.file_id = l.file_id",
              &linked) ||
        linked != 1) {
        snprintf(err, cap, "監査ログが登録データと対になっていません(file id)");
        goto out;
    }
    /* record_current is derived (migration 0016): it must be what record_versions rebuilds */
    long long off = 0;
    if (count(db,
              "SELECT (SELECT count(*) FROM (SELECT insurer_no, insured_no, kind, rkey, version, body"
              "  FROM main.record_current EXCEPT " CURRENT_REBUILD "))"
              " + (SELECT count(*) FROM (" CURRENT_REBUILD " EXCEPT SELECT insurer_no, insured_no, kind, rkey,"
              "  version, body FROM main.record_current))",
              &off) ||
        off != 0) {
        snprintf(err, cap, "現在の記録の索引(record_current)が記録の履歴と一致しません(%lld 件)", off);
        goto out;
    }
    if (counts_of(db, &got)) {
        fail(db, "counts", err, cap);
        goto out;
    }
    if (got.audit_entries != want->audit_entries || got.checkpoints != want->checkpoints ||
        got.changes != want->changes || got.persons != want->persons) {
        snprintf(err, cap,
                 "件数が目録と違います: 監査 %lld/%lld, チェックポイント %lld/%lld, 変更 %lld/%lld, 記録 %lld/%lld",
                 got.audit_entries, want->audit_entries, got.checkpoints, want->checkpoints, got.changes,
                 want->changes, got.persons, want->persons);
        goto out;
    }
    rc = 0;
out:
    sqlite3_close(db);
    return rc;
}

int store_settle_sqlite(const char *path, char *err, size_t cap)
{
    sqlite3 *db = NULL;
    char apath[4200];
    snprintf(apath, sizeof apath, "%s.audit", path);
    const char *files[] = {path, apath};
    for (int i = 0; i < 2; i++) {
        if (sqlite3_open_v2(files[i], &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
            run(db, "PRAGMA wal_checkpoint(TRUNCATE)")) {
            fail(db, files[i], err, cap);
            sqlite3_close(db);
            return -1;
        }
        sqlite3_close(db);
        db = NULL;
    }
    return 0;
}
