/*
 * sqlite_int.h - internals shared by the SQLite backend's files (sqlite.c:
 * connection, registry, audit log; sqlite_access.c: accounts and the gate's
 * facts). Not for use outside src/store/sqlite*.c.
 */
#ifndef KAIGO_STORE_SQLITE_INT_H
#define KAIGO_STORE_SQLITE_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/merkle.h"
#include "store/store.h"

/* person index: entries per epoch (sqlite.c, idx_schema). Fixed per index file
 * (audidx.meta); $KAIGO_AUDIT_EPOCH sets it for a new file (tests use small ones). */
#define AUDIT_EPOCH_DEFAULT 2048

#define SQ_MAIN_STMTS 56
/* The card kinds kept in record_current (sqlite.c CURRENT_KINDS, migration 0016), as SQL. */
#define SQ_CURRENT_KINDS_SQL "('application', 'burden', 'certification', 'facility', 'limit', 'plan', 'restriction')"
#define SQ_ACC_STMTS 80

/* The right edge of each insurer's Merkle tree, kept by the audit writer's
 * connection; caught up from the log when another process appended. */
struct tree_state {
    char insurer_no[INSURER_NO_LEN + 1];
    struct merkle_frontier f;
    int64_t ckpt_size; /* entries covered by the last checkpoint written here */
    int64_t ckpt_ms;
    /* the block being filled: entries blk_base+1 .. blk_base+blk.size */
    int64_t blk_base;
    struct merkle_frontier blk;
};

struct sqlite_store {
    struct store base;
    sqlite3 *db;
    sqlite3_stmt *stmt[SQ_MAIN_STMTS];
    sqlite3_stmt *astmt[SQ_ACC_STMTS]; /* sqlite_access.c */
    char err[256];
    bool can_sign;
    bool have_idx; /* <db>.audit-idx attached as audidx */
    int read_depth; /* read_begin nesting: only the outermost begins and ends */
    /* data_version as first read inside the current snapshot (s_data_version) */
    bool snap_dv_valid;
    long long snap_dv, snap_changes;
    int64_t last_now_ms; /* the audit writer's previous clock reading (P12: steps back) */
    int64_t epoch; /* its epoch size */
    unsigned char sk[AUDIT_SK_BYTES];
    struct tree_state *trees;
    size_t ntrees;
};

extern const struct store_access_ops sqlite_access_ops;

/* sq_cached - the statement in *slot, prepared on first use, reset and unbound. */
sqlite3_stmt *sq_cached(struct sqlite_store *s, sqlite3_stmt **slot, const char *sql);
int sq_fail(struct sqlite_store *s, const char *what); /* records the message, returns -1 */
void sq_bind_text(sqlite3_stmt *q, int i, const char *v);
void sq_now_iso(char out[64]);
void sq_copy_col(sqlite3_stmt *q, int col, char *out, size_t cap);
int sq_exec(struct sqlite_store *s, const char *sql);
int sq_rollback_keep(struct sqlite_store *s);

#endif
