/* db.h - the narrow driver under the store's shared logic (issue #22, docs/postgresql.md).
 *
 * Logic every backend needs (today: the audit log's append, checkpoints and readers,
 * store/auditlog.c) is written once over these calls, the way git's ref backends share
 * their logic; a backend (store/sqlite/sqlite.c now, PostgreSQL next) provides the calls and one
 * table of SQL text per module, indexed by that module's statement ids.
 *
 * Ownership: a statement belongs to its connection, is prepared once into the caller's slot
 * (db_cached) and lives until the connection closes. Text and blobs bound to a statement must
 * stay valid until it is stepped to its end or reset; what a column returns is valid until the
 * next step or reset of that statement.
 * SQL text: parameters are written ?1 … ?N in every dialect (a backend that numbers them
 * otherwise rewrites them when it prepares: PostgreSQL's $N). A parameter left unbound is NULL.
 *
 * Failure: calls that can fail return -1 (or DB_ERROR) after recording the backend's message,
 * which the store's errmsg then gives; no call prints or aborts. */
#ifndef KAIGO_STORE_DB_H
#define KAIGO_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/text.h"

struct db;      /* one connection of a backend */
struct db_stmt; /* a prepared statement of that connection */

enum { DB_DONE = 0, DB_ROW = 1, DB_ERROR = -1 };

struct db_driver {
    /* cached - the statement in *slot, prepared from sql on first use, reset and unbound; NULL
     * on failure */
    struct db_stmt *(*cached)(struct db *db, struct db_stmt **slot, const char *sql);
    void (*bind_text)(struct db_stmt *q, int i, const char *v);
    void (*bind_int64)(struct db_stmt *q, int i, int64_t v);
    void (*bind_blob)(struct db_stmt *q, int i, const void *v, size_t n);
    /* step - DB_ROW, DB_DONE or DB_ERROR (the message is not yet recorded: db_fail records it) */
    int (*step)(struct db_stmt *q);
    int64_t (*col_int64)(struct db_stmt *q, int i);
    const void *(*col_blob)(struct db_stmt *q, int i); /* NULL for SQL NULL or empty */
    size_t (*col_bytes)(struct db_stmt *q, int i);
    /* col_text - a text column, NUL-terminated; NULL for SQL NULL */
    const char *(*col_text)(struct db_stmt *q, int i);
    /* changes - the rows the statement's last step to DB_DONE inserted, updated or deleted */
    int64_t (*changes)(struct db_stmt *q);
    void (*reset)(struct db_stmt *q);
    /* record_failure - records "what: <the backend's message>"; returns -1 */
    int (*record_failure)(struct db *db, const char *what);
    /* set_error - records msg (a failure the shared logic found itself) */
    void (*set_error)(struct db *db, const char *msg);
    /* log_begin - a write transaction that holds the audit log's write lock, taken before its
     * head is read (SQLite: the audit file's lock only, not the registry's) */
    int (*log_begin)(struct db *db);
    int (*commit)(struct db *db);
    /* rollback - ends the transaction, keeping the recorded message; returns -1 */
    int (*rollback)(struct db *db);
    /* exec - one fixed statement without parameters or rows (SAVEPOINT, RELEASE, …) */
    int (*exec)(struct db *db, const char *sql);
    /* in_txn - a transaction is open on the connection */
    bool (*in_txn)(struct db *db);
};

struct db {
    const struct db_driver *drv;
};

static inline struct db_stmt *db_cached(struct db *db, struct db_stmt **slot, const char *sql)
{
    return db->drv->cached(db, slot, sql);
}
static inline void db_bind_text(struct db *db, struct db_stmt *q, int i, const char *v)
{
    db->drv->bind_text(q, i, v);
}
static inline void db_bind_int64(struct db *db, struct db_stmt *q, int i, int64_t v)
{
    db->drv->bind_int64(q, i, v);
}
static inline void db_bind_blob(struct db *db, struct db_stmt *q, int i, const void *v, size_t n)
{
    db->drv->bind_blob(q, i, v, n);
}
static inline int db_step(struct db *db, struct db_stmt *q)
{
    return db->drv->step(q);
}
static inline int64_t db_col_int64(struct db *db, struct db_stmt *q, int i)
{
    return db->drv->col_int64(q, i);
}
static inline const void *db_col_blob(struct db *db, struct db_stmt *q, int i)
{
    return db->drv->col_blob(q, i);
}
static inline size_t db_col_bytes(struct db *db, struct db_stmt *q, int i)
{
    return db->drv->col_bytes(q, i);
}
static inline const char *db_col_text(struct db *db, struct db_stmt *q, int i)
{
    return db->drv->col_text(q, i);
}
/* db_copy_text - a text column into out (cut to cap; "" for SQL NULL) */
static inline void db_copy_text(struct db *db, struct db_stmt *q, int i, char *out, size_t cap)
{
    const char *t = db->drv->col_text(q, i);
    str_cut(out, cap, t ? t : "");
}
static inline int64_t db_changes(struct db *db, struct db_stmt *q)
{
    return db->drv->changes(q);
}
static inline int db_exec(struct db *db, const char *sql)
{
    return db->drv->exec(db, sql);
}
static inline bool db_in_txn(struct db *db)
{
    return db->drv->in_txn(db);
}
static inline void db_reset(struct db *db, struct db_stmt *q)
{
    db->drv->reset(q);
}
static inline int db_fail(struct db *db, const char *what)
{
    return db->drv->record_failure(db, what);
}

#endif
