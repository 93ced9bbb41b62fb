/*
 * sqlite_int.h - internals of the SQLite backend (sqlite.c: the connection, the driver under
 * the shared logic of records.c, access.c and auditlog.c, the audit file and its person index;
 * backup.c). Not for use outside the backend.
 */
#ifndef KAIGO_STORE_SQLITE_INT_H
#define KAIGO_STORE_SQLITE_INT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/merkle.h"
#include "store/db.h"
#include "store/store.h"

/* person index: entries per epoch (sqlite.c, idx_schema). Fixed per index file
 * (audidx.meta); $KAIGO_AUDIT_EPOCH sets it for a new file (tests use small ones). */
#define AUDIT_EPOCH_DEFAULT 2048

/* Parked reads (sqlite.c): how long a read snapshot may stay open for reuse, and how much of
 * <db>-shm is mapped to read the WAL-index header (two 48-byte copies at its start). */
#define READ_PARK_MAX_US 2000
#define WAL_INDEX_REGION 32768 /* SQLite's wal-index region size (walformat: 32 KiB) */

#define SQ_MAIN_STMTS 56


struct auditlog;

struct sqlite_store {
    struct store base;
    sqlite3 *db;
    sqlite3_stmt *stmt[SQ_MAIN_STMTS];
    char err[256];
    bool have_idx; /* <db>.audit-idx attached as audidx */
    int read_depth; /* read_begin nesting: only the outermost begins and ends */
    /* data_version as first read inside the current snapshot (s_data_version) */
    bool snap_dv_valid;
    long long snap_dv, snap_changes;
    /* A parked read (sqlite.c "parked reads", s_read_reuse): the outermost read_end leaves the
     * read transaction open, and the next read_begin reuses it while the WAL-index header of
     * main has not changed since before its BEGIN (no commit by anyone since: exactly as fresh
     * as a new one). Any other use of the connection ends it first (sq_unpark); the reaper
     * thread ends one left parked READ_PARK_MAX_US. park_mu orders the owner and the reaper;
     * parked is read without it. */
    atomic_bool parked;
    bool reuse;                  /* s_read_reuse was called and the -shm is mapped */
    const unsigned char *shm;    /* <db>-shm's region 0 as SQLite maps it (xShmMap): its headers */
    unsigned char park_hdr[48];  /* main's WAL-index header, read before the parked BEGIN */
    int64_t parked_us;           /* monotonic µs when parked */
    int64_t park_us;             /* its lifetime: READ_PARK_MAX_US (tests: util/hooks.h) */
    pthread_mutex_t park_mu;
    int audit_frames;    /* the audit WAL's frames after the last commit (s_audit_appender) */
    int64_t epoch; /* its epoch size */
    struct db db_;          /* the narrow driver's view of this connection (store/db.h) */
};


/* sq_cached - the statement in *slot, prepared on first use, reset and unbound. */
sqlite3_stmt *sq_cached(struct sqlite_store *s, sqlite3_stmt **slot, const char *sql);
int sq_fail(struct sqlite_store *s, const char *what); /* records the message, returns -1 */
void sq_bind_text(sqlite3_stmt *q, int i, const char *v);
void sq_copy_col(sqlite3_stmt *q, int col, char *out, size_t cap);
int sq_exec(struct sqlite_store *s, const char *sql);
/* sq_unpark - ends a parked read transaction, if any, before the connection is used for
 * anything but a read inside read_begin/read_end. sq_cached, sq_exec and sq_prepare (sqlite.c)
 * call it, so every statement does. */
void sq_unpark(struct sqlite_store *s);
int sq_rollback_keep(struct sqlite_store *s);

#endif
