/*
 * sqlite.c - the SQLite backend of struct store_ops.
 *
 * One struct sqlite_store per connection, with its prepared statements cached.
 * WAL mode (readers run beside the one writer), foreign keys on,
 * synchronous=FULL (a commit is durable when it returns: the audit log relies
 * on it), busy timeout 10 s. Migrations run at open, in order, each in its own
 * transaction, recorded in schema_migrations. All SQL binds its parameters;
 * sqlite3_exec runs only the fixed pragmas and migration texts below.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <sodium.h>

#include "util/text.h"
#include "domain/merkle.h"
#include "store/sqlite/migrations.h"
#include "store/auditlog.h"
#include "store/sqlite/auditsql.h"
#include "store/accessdb.h"
#include "store/records.h"
#include "store/db.h"
#include "store/sqlite/sqlite_int.h"
#include "store/store.h"
#include "util/hooks.h"
#include "store/sqlite/faultvfs.h"
#include "store/health.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

enum stmt_id {
    S_AUDIT_COUNT_PERSON,
    S_READ_BEGIN,
    S_READ_END,
    S_DATA_VERSION,
    S_IDX_EPOCH,
    S_IDX_UPTO,
    S_IDX_GET,
    S_NEXT_INSURER,
    S_IDX_CHECK,
    S_IDX_SCAN,
    S_AUDIT_LOCK,
    S_ACC_IDX_UPTO,
    S_IDX_EPOCH_SEQS,
    S_AUDIT_ROW,
    S_PERSON_ACCESS,
    S_SCOPE,
    S_COUNT
};

/* a proxy is named to the person it acted for (issue #14); staff are named by organisation */
#define ACTOR_NAME_JOIN                                                                             \
    " LEFT JOIN main.accounts a ON l.role = 'proxy' AND l.actor LIKE 'user:%'"                    \
    " AND a.account_id = CAST(substr(l.actor, 6) AS INTEGER)"

static const char *const sql_text[S_COUNT] = {
    [S_AUDIT_COUNT_PERSON] = "SELECT COUNT(*) FROM audit.audit_v WHERE insurer_no = ?1 AND insured_no = ?2",
    [S_READ_BEGIN] = "BEGIN",
    [S_DATA_VERSION] = "PRAGMA main.data_version",
    [S_IDX_EPOCH] = "INSERT INTO audidx.person_epoch (insurer_no, epoch, insured_no, seq)"
                    " SELECT insurer_no, (seq - 1) / ?3, insured_no, seq FROM audit.audit_v"
                    " WHERE insurer_no = ?1 AND seq > ?2 AND seq <= ?2 + ?3 ORDER BY insured_no, seq",
    [S_IDX_UPTO] = "INSERT INTO audidx.upto (insurer_no, seq) VALUES (?1, ?2)"
                   " ON CONFLICT (insurer_no) DO UPDATE SET seq = excluded.seq",
    [S_IDX_GET] = "SELECT seq FROM audidx.upto WHERE insurer_no = ?1",
    [S_NEXT_INSURER] = "SELECT insurer_no FROM audit.audit_log WHERE insurer_no > ?1 ORDER BY insurer_no LIMIT 1",
    [S_IDX_SCAN] = "SELECT insured_no, seq, epoch = (seq - 1) / ?2 FROM audidx.person_epoch WHERE insurer_no = ?1",
    /* takes the audit file's write lock only (see audit_write_begin) */
    [S_AUDIT_LOCK] = "UPDATE audit.meta SET file_id = file_id WHERE 0",
    [S_IDX_CHECK] = "SELECT (SELECT count(*) FROM audidx.person_epoch WHERE insurer_no = ?1),"
                    " (SELECT count(*) FROM audidx.person_epoch p JOIN audit.audit_v l ON l.insurer_no = p.insurer_no"
                    "   AND l.seq = p.seq AND l.insured_no = p.insured_no"
                    "   AND p.epoch = (p.seq - 1) / ?2 WHERE p.insurer_no = ?1),"
                    " ifnull((SELECT seq FROM audidx.upto WHERE insurer_no = ?1), 0),"
                    " (SELECT ifnull(max(seq), 0) FROM audit.audit_log WHERE insurer_no = ?1)",
    [S_READ_END] = "COMMIT",
    /* the person's report: the epoch index (one seek per epoch), then the unindexed tail */
    [S_ACC_IDX_UPTO] = "SELECT coalesce((SELECT seq FROM audidx.upto WHERE insurer_no = ?1), 0)",

    [S_IDX_EPOCH_SEQS] = "SELECT seq FROM audidx.person_epoch WHERE insurer_no = ?1 AND epoch = ?2"
                         " AND insured_no = ?3 ORDER BY seq",

    [S_AUDIT_ROW] = "SELECT l.seq, l.time_ms, l.actor, l.org, coalesce(o.name, ''), l.role, l.category,"
                    " l.purpose, l.basis, l.outcome, l.flags, coalesce(a.display_name, '') FROM audit.audit_v l"
                    " LEFT JOIN main.orgs o ON o.org_id = l.org" ACTOR_NAME_JOIN
                    " WHERE l.insurer_no = ?1 AND l.seq = ?2",

    [S_PERSON_ACCESS] = "SELECT l.seq, l.time_ms, l.actor, l.org, coalesce(o.name, ''), l.role, l.category,"
                        " l.purpose, l.basis, l.outcome, l.flags, coalesce(a.display_name, '') FROM audit.audit_v l"
                        " LEFT JOIN main.orgs o ON o.org_id = l.org" ACTOR_NAME_JOIN
                        " WHERE l.insurer_no = ?1 AND l.seq > ?3 AND l.insured_no = ?2 ORDER BY l.seq",

    [S_SCOPE] = "SELECT insurer_no, insured_no, category, sum(outcome = 'allowed'), sum(outcome <> 'allowed')"
                " FROM audit.audit_v WHERE (?1 = '' OR org = ?1) AND (?2 = '' OR actor = ?2)"
                " AND time_ms >= ?3 AND time_ms < ?4 GROUP BY insurer_no, insured_no, category"
                " ORDER BY insurer_no, insured_no, category",

};

/* access.h's statements (store/access.c) SQLite writes its own way: by the index named */
static const char *const sqlite_access_sql[A_COUNT] = {
    [A_ORG_PERSONS] = "SELECT insurer_no, insured_no, min(started_ms), max(last_actual_ym) FROM relationships"
                      " INDEXED BY relationships_org WHERE org_id = ?1 AND ended_ms = 0"
                      " GROUP BY insurer_no, insured_no ORDER BY insurer_no, insured_no LIMIT 10000",

    [A_ORG_REQS] = "SELECT q.insurer_no, q.insured_no, q.app_id, q.opened_ms, q.closed_ms, q.answered_ms, EXISTS (SELECT 1 FROM"
                   " ikensho_drafts d WHERE d.insurer_no = q.insurer_no AND d.insured_no = q.insured_no AND"
                   " d.app_id = q.app_id AND d.org_id = q.org_id) FROM ikensho_requests q INDEXED BY ikensho_requests_org"
                   " WHERE q.org_id = ?1 ORDER BY q.opened_ms DESC LIMIT 500",
};

/* The audit log's statements (store/auditlog.c) in SQLite's dialect. */
static const char *const sqlite_auditlog_sql[AL_COUNT] = {
    [AL_HEAD] = "SELECT seq FROM audit.audit_log WHERE insurer_no = ?1 ORDER BY seq DESC LIMIT 1",
    [AL_INSERT] = "INSERT INTO audit.audit_log (insurer_no, seq, entry, leaf_hash) VALUES (?1, ?2, ?3, ?4)",
    [AL_LEAVES_FROM] = "SELECT seq, leaf_hash FROM audit.audit_log WHERE insurer_no = ?1 AND seq > ?2 ORDER BY seq",
    [AL_ITER_FROM] = "SELECT seq, entry, leaf_hash FROM audit.audit_log"
                     " WHERE insurer_no = ?1 AND seq >= ?2 ORDER BY seq LIMIT ?3",
    [AL_BLOCK_INSERT] = "INSERT INTO audit.blocks (insurer_no, blk, root) VALUES (?1, ?2, ?3)",
    [AL_BLOCK_LIST] = "SELECT blk, root FROM audit.blocks WHERE insurer_no = ?1 ORDER BY blk",
    /* OR IGNORE: another process may have signed the same size already (same leaves, same root) */
    [AL_CKPT_INSERT] = "INSERT OR IGNORE INTO audit.checkpoints (insurer_no, tree_size, root, time_ms, signature,"
                       " frontier) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [AL_CKPT_LAST_TIME] = "SELECT time_ms FROM audit.checkpoints WHERE insurer_no = ?1 ORDER BY tree_size DESC LIMIT 1",
    [AL_CKPT_FRONTIER] = "SELECT tree_size, frontier FROM audit.checkpoints WHERE insurer_no = ?1 AND"
                         " tree_size <= ?2 ORDER BY tree_size DESC LIMIT 1",
    [AL_CKPT_LIST] = "SELECT tree_size, root, time_ms, signature FROM audit.checkpoints"
                     " WHERE insurer_no = ?1 ORDER BY tree_size",
};

/* The registry's statements (store/records.c) SQLite writes its own way: the newest version
 * of each key as a bare column beside max(version) (SQLite returns the row of the maximum), by
 * the partial indexes named. */
static const char *const sqlite_records_sql[R_COUNT] = {
    [R_RECORD_LIST_KIND] = "SELECT kind, rkey, body, max(version) FROM record_versions WHERE insurer_no = ?1"
                           " AND insured_no = ?2 AND kind = ?3 GROUP BY rkey ORDER BY rkey",
    /* one kind across the insurer's persons (the worklist: 'application', by a partial index) */
    [R_RECORD_SCAN_KIND] = "SELECT insured_no, rkey, body, max(version) FROM record_versions"
                           " INDEXED BY record_applications WHERE insurer_no = ?1 AND kind = ?2"
                           " AND kind = 'application' GROUP BY insured_no, rkey ORDER BY insured_no, rkey",
    /* the month's 第6表 across the insurer's persons (the caseload, by a partial index: 0007) */
    [R_RECORD_SCAN_PLANS] = "SELECT insured_no, rkey, body, max(version) FROM record_versions"
                            " INDEXED BY record_plans_month WHERE insurer_no = ?1 AND kind = 'cp.UPPLAN'"
                            " AND rkey = ?2 GROUP BY insured_no ORDER BY insured_no",
    /* every current record of the statistics' kinds across the insurer's persons, in key order (the
     * primary key's order: one pass, grouped per person) */
    [R_RECORD_SCAN_INSURER] = "SELECT insured_no, kind, rkey, body, max(version) FROM record_versions"
                              " WHERE insurer_no = ?1 AND kind IN ('certification', 'insured', 'ledger', 'life')"
                              " GROUP BY insured_no, kind, rkey ORDER BY insured_no, kind, rkey",
    /* the next serial of the insurer, or ?9 when the print chose it */
    [R_PAPER_INSERT] = "INSERT INTO paper_documents (insurer_no, serial, insured_no, kind, issued, valid_from,"
                       " valid_to, content_hash, change_id) SELECT ?1, CASE WHEN ?9 > 0 THEN ?9 ELSE"
                       " coalesce(max(serial), 0) + 1 END, ?2, ?3, ?4, ?5, ?6, ?7, ?8 FROM paper_documents"
                       " WHERE insurer_no = ?1 RETURNING serial",
};

#define AUDIT_WAL_RESTART 2048 /* frames (8 MiB) of audit WAL before a RESTART checkpoint */

_Static_assert(S_COUNT <= SQ_MAIN_STMTS, "raise SQ_MAIN_STMTS");

static struct sqlite_store *S(struct store *st)
{
    return (struct sqlite_store *)st;
}

/* a failure the storage itself caused: readiness shows it (store/health.h) */
static void note_storage(struct sqlite_store *s)
{
    int ec = sqlite3_errcode(s->db);
    if (ec == SQLITE_FULL || ec == SQLITE_IOERR || ec == SQLITE_CANTOPEN || ec == SQLITE_NOMEM)
        store_health_note(false);
}

int sq_fail(struct sqlite_store *s, const char *what)
{
    snprintf(s->err, sizeof s->err, "%s: %s", what, sqlite3_errmsg(s->db));
    note_storage(s);
    return -1;
}

sqlite3_stmt *sq_cached(struct sqlite_store *s, sqlite3_stmt **slot, const char *sql)
{
    sq_unpark(s);
    if (!*slot &&
        sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL) != SQLITE_OK) {
        sq_fail(s, "prepare");
        return NULL;
    }
    sqlite3_reset(*slot);
    sqlite3_clear_bindings(*slot);
    return *slot;
}

/* sq_prepare - a one-off statement on the store's connection (the caller finalizes it); like
 * sq_cached and sq_exec it ends a parked read first, so no statement joins one. */
static int sq_prepare(struct sqlite_store *s, const char *sql, sqlite3_stmt **q)
{
    sq_unpark(s);
    return sqlite3_prepare_v2(s->db, sql, -1, q, NULL);
}

static sqlite3_stmt *sq_stmt(struct sqlite_store *s, enum stmt_id id)
{
    return sq_cached(s, &s->stmt[id], sql_text[id]);
}

void sq_bind_text(sqlite3_stmt *q, int i, const char *v)
{
    sqlite3_bind_text(q, i, v, -1, SQLITE_STATIC);
}

void sq_copy_col(sqlite3_stmt *q, int col, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(q, col);
    size_t n = t ? (size_t)sqlite3_column_bytes(q, col) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(out, t, n);
    out[n] = '\0';
}

/* ---- connection ---------------------------------------------------------- */

static void reaper_drop(struct sqlite_store *s);

static void s_close(struct store *st)
{
    struct sqlite_store *s = S(st);
    if (s->reuse) {
        reaper_drop(s);
        sq_unpark(s);
        s->shm = NULL; /* SQLite's own mapping: it unmaps it when the connection closes */
        pthread_mutex_destroy(&s->park_mu);
    }
    auditlog_free(s->base.log); /* zeroes the signing key */
    records_free(s->base.rec);
    access_db_free(s->base.adb);
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(s->stmt[i]);
    /* and the statements the shared logic prepared through the driver (store/db.h) */
    for (sqlite3_stmt *q; (q = sqlite3_next_stmt(s->db, NULL));)
        sqlite3_finalize(q);
    sqlite3_close(s->db);
    free(s);
}

static const char *s_errmsg(struct store *st)
{
    return S(st)->err;
}

/* sq_exec_wal - sq_exec of a "PRAGMA … journal_mode = WAL" statement, tried again while another
 * connection holds the file: a new file's first switch to WAL takes its exclusive lock, and SQLite
 * answers "database is locked" at once rather than calling the busy handler (several processes creating
 * one new database: u-store t_concurrent_create). Up to the busy timeout's 10 s. */
static int sq_exec_wal(struct sqlite_store *s, const char *sql)
{
    for (int i = 0;; i++) {
        int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            return 0;
        if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || i == 1000)
            return sq_exec(s, sql); /* once more, to record its message as every failure is */
        sqlite3_sleep(10);
    }
}

int sq_exec(struct sqlite_store *s, const char *sql)
{
    char *msg = NULL;
    sq_unpark(s);
    /* A transaction a failed ROLLBACK left open (out of memory while rolling back) would hold
     * its lock and refuse every later BEGIN ("within a transaction"): end it first. Found by
     * tests/unit/u-faults.c (out of memory at each allocation). */
    if (strncmp(sql, "BEGIN", 5) == 0 && !sqlite3_get_autocommit(s->db) && s->read_depth == 0) {
        warn("store: a transaction left open by a failed rollback is rolled back");
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        str_cut(s->err, sizeof s->err, msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        note_storage(s);
        return -1;
    }
    return 0;
}

/* step_fixed - runs a cached statement that takes no parameters and returns no rows. */
static int step_fixed(struct sqlite_store *s, enum stmt_id id, const char *what)
{
    sqlite3_stmt *q = sq_stmt(s, id);
    if (!q || sqlite3_step(q) != SQLITE_DONE)
        return sq_fail(s, what);
    return 0;
}

/* ---- parked reads (issue #21) -------------------------------------------------
 *
 * A read transaction costs the WAL read lock (two fcntl and an fstat) and a BEGIN/COMMIT each
 * time. With read_reuse, the outermost read_end parks the transaction instead of ending it,
 * and the next read_begin reuses it when the WAL-index header of main (the first 48 bytes of
 * <db>-shm, twice; https://www.sqlite.org/walformat.html) is byte for byte what it was before
 * that transaction's BEGIN: every commit, by any connection of any process, rewrites it before
 * the commit returns, so an unchanged header means nothing was committed since the snapshot
 * began - it is as fresh as a new one. A header caught mid-update (the two copies differ) or
 * any change ends it and begins anew; so does age (READ_PARK_MAX_US: the reaper thread ends a
 * snapshot an idle worker left parked, so that no reader holds the WAL back). Only reads of
 * main are parked: a transaction that read an attached database (the audit log) ends as before.
 * Every other use of the connection - a write, a statement outside a read transaction, settle,
 * close - calls sq_unpark first; a statement that starts on a parked connection without it is a
 * bug and aborts (park_trace), rather than joining a snapshot it did not ask for. */

static atomic_ullong reads_reused;
static _Thread_local bool park_ending; /* this thread is ending a parked transaction */

unsigned long long store_reads_reused(void)
{
    return atomic_load(&reads_reused);
}

/* park_max_us - READ_PARK_MAX_US, or the unit tests' own (util/hooks.h) */
static int64_t park_max_us(void)
{
    return test_hooks && test_hooks->read_park_us ? test_hooks->read_park_us : READ_PARK_MAX_US;
}

static int64_t mono_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* wal_hdr - main's WAL-index header now; false when the two copies differ (a commit is
 * writing it: treat as changed) */
static bool wal_hdr(const struct sqlite_store *s, unsigned char out[48])
{
    atomic_thread_fence(memory_order_acquire);
    memcpy(out, s->shm, 48);
    atomic_thread_fence(memory_order_acquire);
    return memcmp(out, s->shm + 48, 48) == 0;
}

/* park_end - ends the parked transaction; park_mu held, parked true */
static void park_end(struct sqlite_store *s)
{
    park_ending = true;
    s->snap_dv_valid = false;
    sqlite3_stmt *q = s->stmt[S_READ_END]; /* prepared by s_read_reuse */
    sqlite3_reset(q);
    if (sqlite3_step(q) != SQLITE_DONE)
        warn("store: ending a parked read: %s", sqlite3_errmsg(s->db));
    sqlite3_reset(q);
    park_ending = false;
    atomic_store(&s->parked, false); /* after the work: the owner's load sees it done */
}

void sq_unpark(struct sqlite_store *s)
{
    if (!atomic_load(&s->parked))
        return;
    pthread_mutex_lock(&s->park_mu);
    if (atomic_load(&s->parked))
        park_end(s);
    pthread_mutex_unlock(&s->park_mu);
}

static int park_trace(unsigned type, void *ctx, void *p, void *x)
{
    (void)x;
    struct sqlite_store *s = ctx;
    if (type == SQLITE_TRACE_STMT && atomic_load(&s->parked) && !park_ending)
        BUG("a statement started on a parked read without sq_unpark: %s", sqlite3_sql(p));
    return 0;
}

/* The reaper: one thread for the process, woken when a snapshot is parked; every
 * READ_PARK_MAX_US while any stays parked it ends those parked that long. It never waits for a
 * connection in use (trylock): the owner ends or reuses its own. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct sqlite_store **v;
    size_t n, cap;
    bool started, pending;
} reaper = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void *reaper_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&reaper.mu);
    for (;;) {
        while (!reaper.pending)
            pthread_cond_wait(&reaper.cv, &reaper.mu);
        reaper.pending = false;
        int64_t wait = READ_PARK_MAX_US; /* the shortest lifetime of those registered */
        for (size_t i = 0; i < reaper.n; i++)
            if (reaper.v[i]->park_us < wait)
                wait = reaper.v[i]->park_us;
        pthread_mutex_unlock(&reaper.mu);
        struct timespec d = {(time_t)(wait / 1000000), (long)(wait % 1000000) * 1000L};
        nanosleep(&d, NULL);
        pthread_mutex_lock(&reaper.mu);
        int64_t now = mono_us();
        for (size_t i = 0; i < reaper.n; i++) {
            struct sqlite_store *s = reaper.v[i];
            if (!atomic_load(&s->parked))
                continue;
            if (pthread_mutex_trylock(&s->park_mu)) { /* its owner is at it: look again later */
                reaper.pending = true;
                continue;
            }
            if (atomic_load(&s->parked)) {
                if (now - s->parked_us >= s->park_us)
                    park_end(s);
                else
                    reaper.pending = true;
            }
            pthread_mutex_unlock(&s->park_mu);
        }
    }
    return NULL;
}

static void reaper_add(struct sqlite_store *s)
{
    pthread_mutex_lock(&reaper.mu);
    if (!reaper.started) {
        pthread_t t;
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &a, reaper_main, NULL) != 0)
            die("store: cannot start the read reaper thread");
        pthread_attr_destroy(&a);
        reaper.started = true;
    }
    if (reaper.n == reaper.cap) {
        reaper.cap = reaper.cap ? 2 * reaper.cap : 16;
        reaper.v = xrealloc(reaper.v, reaper.cap * sizeof *reaper.v);
    }
    reaper.v[reaper.n++] = s;
    pthread_mutex_unlock(&reaper.mu);
}

static void reaper_drop(struct sqlite_store *s)
{
    pthread_mutex_lock(&reaper.mu);
    for (size_t i = 0; i < reaper.n; i++)
        if (reaper.v[i] == s) {
            reaper.v[i] = reaper.v[--reaper.n];
            break;
        }
    pthread_mutex_unlock(&reaper.mu);
}

static void reaper_wake(void)
{
    pthread_mutex_lock(&reaper.mu);
    if (!reaper.pending) {
        reaper.pending = true;
        pthread_cond_signal(&reaper.cv);
    }
    pthread_mutex_unlock(&reaper.mu);
}

static void s_read_reuse(struct store *st)
{
    struct sqlite_store *s = S(st);
    if (s->reuse)
        return;
    /* The WAL-index header is read through SQLite's own mapping of <db>-shm (the VFS's xShmMap
     * of region 0, which this connection has open since its first read), never through a file
     * descriptor of our own: closing any descriptor of a file drops every POSIX lock the process
     * holds on it, and so dropped SQLite's locks on the -shm - its dead-man switch and the read
     * marks of every open transaction. Another process then took itself for the first opener
     * and truncated the -shm under our mapping: the server died of SIGBUS in the browser tests
     * (tests/unit/u-store.c t_read_reuse now checks the locks from another process). */
    sqlite3_file *f = NULL;
    if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK || !f || !f->pMethods ||
        f->pMethods->iVersion < 2 || !f->pMethods->xShmMap)
        return;
    volatile void *m = NULL;
    if (f->pMethods->xShmMap(f, 0, WAL_INDEX_REGION, 0, &m) != SQLITE_OK || !m)
        return; /* not in WAL mode, or the index not open: every read ends as before */
    if (!sq_stmt(s, S_READ_END)) /* park_end steps it without preparing */
        return;
    s->shm = (const unsigned char *)(uintptr_t)m;
    s->park_us = park_max_us();
    pthread_mutex_init(&s->park_mu, NULL);
    sqlite3_trace_v2(s->db, SQLITE_TRACE_STMT, park_trace, s);
    s->reuse = true;
    reaper_add(s);
}

/* only_main_read - the open transaction has read no database but main (and temp) */
static bool only_main_read(struct sqlite_store *s)
{
    const char *name;
    for (int i = 2; (name = sqlite3_db_name(s->db, i)) != NULL; i++)
        if (sqlite3_txn_state(s->db, name) != SQLITE_TXN_NONE)
            return false;
    return sqlite3_txn_state(s->db, "main") != SQLITE_TXN_WRITE;
}

/* Read transactions nest: a caller may hold one around several readers that
 * each take their own (the server authenticates a token and runs the gate in
 * one snapshot, so the locks are taken once per request). */
static int s_read_begin(struct store *st)
{
    struct sqlite_store *s = S(st);
    if (s->read_depth++ > 0)
        return 0;
    if (s->reuse && atomic_load(&s->parked)) {
        pthread_mutex_lock(&s->park_mu);
        if (atomic_load(&s->parked)) {
            unsigned char now[48];
            if (wal_hdr(s, now) && memcmp(now, s->park_hdr, 48) == 0 &&
                mono_us() - s->parked_us < s->park_us) {
                atomic_store(&s->parked, false); /* the snapshot is ours again, still the newest */
                pthread_mutex_unlock(&s->park_mu);
                atomic_fetch_add(&reads_reused, 1);
                return 0;
            }
            park_end(s);
        }
        pthread_mutex_unlock(&s->park_mu);
    }
    s->snap_dv_valid = false;
    /* the header before BEGIN: the snapshot the first read takes is at least this new */
    if (s->reuse && !wal_hdr(s, s->park_hdr))
        memset(s->park_hdr, 0xff, sizeof s->park_hdr); /* mid-update: never equal, never reused */
    if (step_fixed(s, S_READ_BEGIN, "read_begin")) {
        s->read_depth = 0;
        return -1;
    }
    return 0;
}

static int s_read_end(struct store *st)
{
    struct sqlite_store *s = S(st);
    if (s->read_depth <= 0) {
        snprintf(s->err, sizeof s->err, "read_end without read_begin");
        return -1;
    }
    if (--s->read_depth > 0)
        return 0;
    if (s->reuse && only_main_read(s)) {
        pthread_mutex_lock(&s->park_mu);
        s->parked_us = mono_us();
        atomic_store(&s->parked, true);
        pthread_mutex_unlock(&s->park_mu);
        reaper_wake();
        return 0;
    }
    s->snap_dv_valid = false;
    return step_fixed(s, S_READ_END, "read_end");
}

static int s_begin(struct store *st)
{
    return sq_exec(S(st), "BEGIN IMMEDIATE");
}

static int s_commit(struct store *st)
{
    int rc = sq_exec(S(st), "COMMIT");
    store_health_note(rc == 0);
    return rc;
}

static void s_settle(struct store *st)
{
    struct sqlite_store *s = S(st);
    if (s->read_depth)
        return;
    sq_unpark(s);
    /* a statement a failure left running holds its lock even outside a transaction */
    for (sqlite3_stmt *q = sqlite3_next_stmt(s->db, NULL); q; q = sqlite3_next_stmt(s->db, q))
        if (sqlite3_stmt_busy(q)) {
            warn("store: a statement left running by a failure is reset");
            sqlite3_reset(q);
        }
    if (!sqlite3_get_autocommit(s->db)) {
        warn("store: a transaction left open by a failed rollback is rolled back");
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
}

/* s_health_probe - one small durable write (migration 0011): can the store write again? */
static int s_health_probe(struct store *st)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    /* a deferred transaction: the INSERT takes the registry's write lock only (IMMEDIATE would
     * take the attached audit log's too, and stall the audit writer behind a probe) */
    if (sq_exec(s, "BEGIN"))
        return -1;
    if (sq_prepare(s, "INSERT OR REPLACE INTO main.health_probe (node, at_ms) VALUES ('kaigo', ?1)", &q) !=
        SQLITE_OK) {
        sq_fail(s, "health probe");
        sq_rollback_keep(s);
        return -1;
    }
    sqlite3_bind_int64(q, 1, clock_now_ms());
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        sq_fail(s, "health probe");
        sq_rollback_keep(s);
        return -1;
    }
    if (s_commit(st)) {
        sq_rollback_keep(s);
        return -1;
    }
    return 0;
}

static int s_rollback(struct store *st)
{
    return sq_exec(S(st), "ROLLBACK");
}

/* rollback_keep - rolls back after a failure, keeping the failure's message
 * (not the rollback's) in s->err. Returns -1. */
int sq_rollback_keep(struct sqlite_store *s)
{
    char keep[sizeof s->err];
    memcpy(keep, s->err, sizeof keep);
    sq_exec(s, "ROLLBACK");
    memcpy(s->err, keep, sizeof keep);
    return -1;
}

/* ---- audit --------------------------------------------------------------- */

static int audit_head(struct sqlite_store *s, const char *insurer, int64_t *seq)
{
    return auditlog_head(s->base.log, insurer, seq);
}

static int idx_upto(struct sqlite_store *s, const char *insurer, int64_t *upto)
{
    sqlite3_stmt *q = sq_stmt(s, S_IDX_GET);
    if (!q)
        return -1;
    sq_bind_text(q, 1, insurer);
    int rc = sqlite3_step(q);
    *upto = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    sqlite3_reset(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_fail(s, "index upto");
}

/* audit_write_begin - a write transaction that locks the audit file only.
 * BEGIN IMMEDIATE would take the write lock of every attached file (the
 * registry and the person index too), so audit commits would queue behind
 * index epochs and block registry writers. A no-op UPDATE of audit.meta takes
 * the audit file's write lock at once, before the log's head is read. */
static int audit_write_begin(struct sqlite_store *s)
{
    if (sq_exec(s, "BEGIN"))
        return -1;
    /* a cached statement: parsing this UPDATE (with its triggers) for every
     * batch was 2 % of a loaded server's profile */
    sqlite3_stmt *q = sq_stmt(s, S_AUDIT_LOCK);
    int rc = q ? sqlite3_step(q) : SQLITE_ERROR;
    if (q)
        sqlite3_reset(q);
    if (rc != SQLITE_DONE) {
        if (q)
            sq_fail(s, "audit lock");
        return sq_rollback_keep(s);
    }
    return 0;
}

/* ---- the narrow driver (store/db.h) ---------------------------------------------------------- */

#define SQ_OF(d) ((struct sqlite_store *)(void *)((char *)(d) - offsetof(struct sqlite_store, db_)))
#define SQ_Q(q) ((sqlite3_stmt *)(void *)(q))

static struct db_stmt *dq_cached(struct db *d, struct db_stmt **slot, const char *sql)
{
    sqlite3_stmt *q = SQ_Q(*slot);
    sqlite3_stmt *r = sq_cached(SQ_OF(d), &q, sql);
    *slot = (struct db_stmt *)(void *)q;
    return (struct db_stmt *)(void *)r;
}
static void dq_bind_text(struct db_stmt *q, int i, const char *v)
{
    sqlite3_bind_text(SQ_Q(q), i, v, -1, SQLITE_STATIC);
}
static void dq_bind_int64(struct db_stmt *q, int i, int64_t v)
{
    sqlite3_bind_int64(SQ_Q(q), i, v);
}
static void dq_bind_blob(struct db_stmt *q, int i, const void *v, size_t n)
{
    sqlite3_bind_blob(SQ_Q(q), i, v, (int)n, SQLITE_STATIC);
}
static int dq_step(struct db_stmt *q)
{
    int rc = sqlite3_step(SQ_Q(q));
    return rc == SQLITE_ROW ? DB_ROW : rc == SQLITE_DONE ? DB_DONE : DB_ERROR;
}
static int64_t dq_col_int64(struct db_stmt *q, int i)
{
    return sqlite3_column_int64(SQ_Q(q), i);
}
static const void *dq_col_blob(struct db_stmt *q, int i)
{
    return sqlite3_column_blob(SQ_Q(q), i);
}
static size_t dq_col_bytes(struct db_stmt *q, int i)
{
    return (size_t)sqlite3_column_bytes(SQ_Q(q), i);
}
static const char *dq_col_text(struct db_stmt *q, int i)
{
    return (const char *)sqlite3_column_text(SQ_Q(q), i);
}
static int64_t dq_changes(struct db_stmt *q)
{
    return sqlite3_changes64(sqlite3_db_handle(SQ_Q(q)));
}
static void dq_reset(struct db_stmt *q)
{
    sqlite3_reset(SQ_Q(q));
}
static int dq_fail(struct db *d, const char *what)
{
    return sq_fail(SQ_OF(d), what);
}
static void dq_set_error(struct db *d, const char *msg)
{
    str_cut(SQ_OF(d)->err, sizeof SQ_OF(d)->err, msg);
}
static int dq_log_begin(struct db *d)
{
    return audit_write_begin(SQ_OF(d));
}
static int dq_commit(struct db *d)
{
    return sq_exec(SQ_OF(d), "COMMIT");
}
static int dq_rollback(struct db *d)
{
    return sq_rollback_keep(SQ_OF(d));
}
static int dq_exec(struct db *d, const char *sql)
{
    return sq_exec(SQ_OF(d), sql);
}
static bool dq_in_txn(struct db *d)
{
    struct sqlite_store *s = SQ_OF(d);
    sq_unpark(s); /* a parked read is no transaction of the caller's */
    return !sqlite3_get_autocommit(s->db);
}

static const struct db_driver sqlite_driver = {
    .cached = dq_cached,
    .bind_text = dq_bind_text,
    .bind_int64 = dq_bind_int64,
    .bind_blob = dq_bind_blob,
    .step = dq_step,
    .col_int64 = dq_col_int64,
    .col_blob = dq_col_blob,
    .col_bytes = dq_col_bytes,
    .col_text = dq_col_text,
    .changes = dq_changes,
    .reset = dq_reset,
    .record_failure = dq_fail,
    .set_error = dq_set_error,
    .log_begin = dq_log_begin,
    .commit = dq_commit,
    .rollback = dq_rollback,
    .exec = dq_exec,
    .in_txn = dq_in_txn,
};

/* index_insurer - indexes every complete epoch of the insurer's log not yet
 * indexed, one transaction per epoch. */
static int index_insurer(struct sqlite_store *s, const char *insurer)
{
    int64_t head, upto;
    if (audit_head(s, insurer, &head) || idx_upto(s, insurer, &upto))
        return -1;
    while (head - upto >= s->epoch) {
        if (sq_exec(s, "BEGIN"))
            return -1;
        sqlite3_stmt *q = sq_stmt(s, S_IDX_EPOCH);
        if (!q)
            return sq_rollback_keep(s);
        sq_bind_text(q, 1, insurer);
        sqlite3_bind_int64(q, 2, upto);
        sqlite3_bind_int64(q, 3, s->epoch);
        int rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc != SQLITE_DONE || !(q = sq_stmt(s, S_IDX_UPTO))) {
            sq_fail(s, "person index");
            return sq_rollback_keep(s);
        }
        sq_bind_text(q, 1, insurer);
        sqlite3_bind_int64(q, 2, upto + s->epoch);
        rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc != SQLITE_DONE) {
            sq_fail(s, "person index");
            return sq_rollback_keep(s);
        }
        if (sq_exec(s, "COMMIT"))
            return sq_rollback_keep(s);
        upto += s->epoch;
    }
    return 0;
}

static int s_audit_index_upto(struct store *st, const char *insurer, long long *upto)
{
    struct sqlite_store *s = S(st);
    *upto = 0;
    if (!s->have_idx)
        return STORE_NOTFOUND;
    int64_t u;
    if (idx_upto(s, insurer, &u))
        return -1;
    *upto = u;
    return 0;
}

static int s_audit_index_scan(struct store *st, const char *insurer,
                              int (*fn)(void *ctx, const char *insured_no, size_t n, long long seq,
                                        bool epoch_ok),
                              void *ctx)
{
    struct sqlite_store *s = S(st);
    if (!s->have_idx)
        return STORE_NOTFOUND;
    sqlite3_stmt *q = sq_stmt(s, S_IDX_SCAN);
    if (!q)
        return -1;
    sq_bind_text(q, 1, insurer);
    sqlite3_bind_int64(q, 2, s->epoch);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *no = (const char *)sqlite3_column_text(q, 0);
        size_t n = no ? (size_t)sqlite3_column_bytes(q, 0) : 0;
        if (fn(ctx, no ? no : "", n, sqlite3_column_int64(q, 1), sqlite3_column_int(q, 2) != 0))
            break;
    }
    sqlite3_reset(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_fail(s, "index scan");
}

/* each_insurer - fn for every insurer number that has a log, one seek each
 * (SELECT DISTINCT scanned the whole log: 0.12 s per million entries). fn
 * returns 0 to go on, 1 to stop, -1 on an error (returned). */
static int each_insurer(struct sqlite_store *s, int (*fn)(struct sqlite_store *s, void *ctx, const char *no),
                        void *ctx)
{
    char no[INSURER_NO_LEN + 8] = "";
    for (;;) {
        sqlite3_stmt *q = sq_stmt(s, S_NEXT_INSURER);
        if (!q)
            return -1;
        sq_bind_text(q, 1, no);
        int rc = sqlite3_step(q);
        if (rc == SQLITE_ROW)
            sq_copy_col(q, 0, no, sizeof no);
        sqlite3_reset(q);
        if (rc == SQLITE_DONE)
            return 0;
        if (rc != SQLITE_ROW)
            return sq_fail(s, "audit insurers");
        int r = fn(s, ctx, no);
        if (r)
            return r < 0 ? -1 : 0;
    }
}

static int index_one(struct sqlite_store *s, void *ctx, const char *no)
{
    (void)ctx;
    return index_insurer(s, no) ? -1 : 0;
}

static int s_audit_index(struct store *st)
{
    struct sqlite_store *s = S(st);
    return s->have_idx ? each_insurer(s, index_one, NULL) : 0;
}

static int s_audit_index_check(struct store *st, const char *insurer, long long *indexed,
                               long long *log_head, bool *ok)
{
    struct sqlite_store *s = S(st);
    *ok = false;
    *indexed = *log_head = 0;
    if (!s->have_idx)
        return STORE_NOTFOUND;
    sqlite3_stmt *q = sq_stmt(s, S_IDX_CHECK);
    if (!q)
        return -1;
    sq_bind_text(q, 1, insurer);
    sqlite3_bind_int64(q, 2, s->epoch);
    if (sqlite3_step(q) != SQLITE_ROW) {
        sqlite3_reset(q);
        return sq_fail(s, "index check");
    }
    long long rows = sqlite3_column_int64(q, 0), matching = sqlite3_column_int64(q, 1);
    *indexed = sqlite3_column_int64(q, 2);
    *log_head = sqlite3_column_int64(q, 3);
    sqlite3_reset(q);
    /* every entry 1..upto indexed once under its own person, nothing else */
    *ok = rows == matching && rows == *indexed && *indexed <= *log_head;
    return 0;
}

static int s_audit_count_person(struct store *st, const struct person_key *k, long long *n)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = sq_stmt(s, S_AUDIT_COUNT_PERSON);
    if (!q)
        return -1;
    sq_bind_text(q, 1, k->insurer_no);
    sq_bind_text(q, 2, k->insured_no);
    if (sqlite3_step(q) != SQLITE_ROW)
        return sq_fail(s, "audit_count_person");
    *n = sqlite3_column_int64(q, 0);
    sqlite3_reset(q);
    return 0;
}

struct insurers_cb {
    int (*fn)(void *ctx, const char *insurer_no);
    void *ctx;
};

static int insurer_one(struct sqlite_store *s, void *ctx, const char *no)
{
    (void)s;
    struct insurers_cb *c = ctx;
    return c->fn(c->ctx, no) ? 1 : 0;
}

static int s_audit_insurers(struct store *st, int (*fn)(void *ctx, const char *insurer_no),
                            void *ctx)
{
    struct insurers_cb c = {fn, ctx};
    return each_insurer(S(st), insurer_one, &c);
}

/* Under sustained appends a passive checkpoint never catches the writer, so the
 * WAL is never reset and grows without bound (measured: 11 MB/s at 7k card
 * reads/s, every frame a newly allocated page). Past AUDIT_WAL_RESTART frames the
 * appender itself does a RESTART between two batches: no append then holds the
 * write lock it needs (a low-priority checkpointer waiting for it was starved by a
 * writer that never paused), the busy handler waits out the readers still on old
 * frames, and the next commit starts the WAL from its beginning. */
static int s_audit_checkpoint(struct store *st, bool bound)
{
    struct sqlite_store *s = S(st);
    int log = 0, done = 0;
    if (bound && s->audit_frames <= AUDIT_WAL_RESTART)
        return 0;
    int mode = bound ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE;
    int rc = sqlite3_wal_checkpoint_v2(s->db, "audit", mode, &log, &done);
    /* BUSY: another checkpoint is under way (SQLite calls no busy handler for that);
     * the appender tries again after its next batch */
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        return sq_fail(s, bound ? "audit checkpoint (restart)" : "audit checkpoint");
    if (bound && rc == SQLITE_OK) {
        s->audit_frames = 0;
        return 1;
    }
    return 0;
}

/* audit_frames_hook - after each commit: the audit WAL's size in frames. */
static int audit_frames_hook(void *ctx, sqlite3 *db, const char *name, int frames)
{
    (void)db;
    struct sqlite_store *s = ctx;
    if (strcmp(name, "audit") == 0)
        s->audit_frames = frames;
    return SQLITE_OK;
}

static int s_audit_appender(struct store *st)
{
    struct sqlite_store *s = S(st);
    /* the hook replaces the connection's automatic checkpoints (they are a WAL hook too) */
    sqlite3_wal_hook(s->db, audit_frames_hook, s);
    return 0;
}

static int s_data_version(struct store *st, long long *v)
{
    struct sqlite_store *s = S(st);
    /* Inside a read snapshot the file cannot change under us: the first answer holds until
     * read_end (the token cache and the insurer cache both ask on a card read). */
    long long own = sqlite3_total_changes64(s->db);
    if (s->read_depth > 0 && s->snap_dv_valid && s->snap_changes == own) {
        *v = s->snap_dv;
        return 0;
    }
    sqlite3_stmt *q = sq_stmt(s, S_DATA_VERSION);
    if (!q || sqlite3_step(q) != SQLITE_ROW)
        return sq_fail(s, "data_version");
    /* data_version does not move for this connection's own commits: add the
     * connection's own change count, so that its writes invalidate too. */
    *v = (long long)(((unsigned long long)sqlite3_column_int64(q, 0) << 32) +
                     ((unsigned long long)own & 0xffffffffu));
    sqlite3_reset(q);
    if (s->read_depth > 0) {
        s->snap_dv = *v;
        s->snap_changes = own;
        s->snap_dv_valid = true;
    }
    return 0;
}

/* ---- the access reports (access.h person_access, audit_scope) -------------------------------------------------------------- */

static void read_access_row(sqlite3_stmt *q, struct access_row *r)
{
    memset(r, 0, sizeof *r);
    r->seq = sqlite3_column_int64(q, 0);
    r->time_ms = sqlite3_column_int64(q, 1);
    sq_copy_col(q, 2, r->actor, sizeof r->actor);
    sq_copy_col(q, 3, r->org, sizeof r->org);
    sq_copy_col(q, 4, r->org_name, sizeof r->org_name);
    sq_copy_col(q, 5, r->role, sizeof r->role);
    sq_copy_col(q, 6, r->category, sizeof r->category);
    sq_copy_col(q, 7, r->purpose, sizeof r->purpose);
    sq_copy_col(q, 8, r->basis, sizeof r->basis);
    sq_copy_col(q, 9, r->outcome, sizeof r->outcome);
    sq_copy_col(q, 11, r->actor_name, sizeof r->actor_name);
    r->flags = (unsigned)sqlite3_column_int64(q, 10);
}

/* s_person_access - every audit row of the person, in order: the indexed epochs
 * [1, upto] by one seek each, then a scan of the log after upto. Exact whatever
 * the index's progress; entries in the index but not yet visible in this
 * snapshot of the log are skipped (they are after the snapshot). */
#define GROW(arr, n)                                                                               \
    do {                                                                                           \
        if (((n) & ((n)-1)) == 0)                                                                  \
            (arr) = xrealloc((arr), size_mul((n) ? 2 * (n) : 1, sizeof *(arr)));                  \
    } while (0)

static int s_person_access(struct store *st, const struct person_key *k, access_row_fn *fn,
                           void *ctx)
{
    struct sqlite_store *s = S(st);
    int64_t upto = 0;
    int rc;
    sqlite3_stmt *q;
    if (s->have_idx) {
        if (!(q = sq_stmt(s, S_ACC_IDX_UPTO)))
            return -1;
        sq_bind_text(q, 1, k->insurer_no);
        rc = sqlite3_step(q);
        if (rc == SQLITE_ROW)
            upto = sqlite3_column_int64(q, 0);
        sqlite3_reset(q);
        if (rc != SQLITE_ROW)
            return sq_fail(s, "person_access");
    }
    int64_t *seqs = NULL;
    size_t n = 0;
    for (int64_t e = 0; s->have_idx && e < upto / s->epoch; e++) {
        if (!(q = sq_stmt(s, S_IDX_EPOCH_SEQS)))
            goto fail;
        sq_bind_text(q, 1, k->insurer_no);
        sqlite3_bind_int64(q, 2, e);
        sq_bind_text(q, 3, k->insured_no);
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            GROW(seqs, n);
            seqs[n++] = sqlite3_column_int64(q, 0);
        }
        sqlite3_reset(q);
        if (rc != SQLITE_DONE)
            goto fail_db;
    }
    for (size_t i = 0; i < n; i++) {
        if (!(q = sq_stmt(s, S_AUDIT_ROW)))
            goto fail;
        sq_bind_text(q, 1, k->insurer_no);
        sqlite3_bind_int64(q, 2, seqs[i]);
        rc = sqlite3_step(q);
        struct access_row r;
        if (rc == SQLITE_ROW)
            read_access_row(q, &r);
        sqlite3_reset(q);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            goto fail_db;
        if (rc == SQLITE_ROW && fn(ctx, &r)) {
            free(seqs);
            return 0;
        }
    }
    free(seqs);
    if (!(q = sq_stmt(s, S_PERSON_ACCESS)))
        return -1;
    sq_bind_text(q, 1, k->insurer_no);
    sq_bind_text(q, 2, k->insured_no);
    sqlite3_bind_int64(q, 3, upto);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct access_row r;
        read_access_row(q, &r);
        if (fn(ctx, &r))
            break;
    }
    sqlite3_reset(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_fail(s, "person_access");
fail_db:
    sq_fail(s, "person_access");
fail:
    free(seqs);
    return -1;
}

static int s_audit_scope(struct store *st, const char *org, const char *actor, int64_t from,
                         int64_t to, scope_row_fn *fn, void *ctx)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = sq_stmt(s, S_SCOPE);
    if (!q)
        return -1;
    sq_bind_text(q, 1, org ? org : "");
    sq_bind_text(q, 2, actor ? actor : "");
    sqlite3_bind_int64(q, 3, from);
    sqlite3_bind_int64(q, 4, to);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct scope_row r;
        memset(&r, 0, sizeof r);
        sq_copy_col(q, 0, r.person.insurer_no, sizeof r.person.insurer_no);
        sq_copy_col(q, 1, r.person.insured_no, sizeof r.person.insured_no);
        sq_copy_col(q, 2, r.category, sizeof r.category);
        r.allowed = sqlite3_column_int64(q, 3);
        r.denied = sqlite3_column_int64(q, 4);
        if (fn(ctx, &r))
            break;
    }
    sqlite3_reset(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_fail(s, "audit_scope");
}


static const struct store_ops sqlite_ops = {
    AUDITLOG_OPS,
    .person_access = s_person_access,
    .audit_scope = s_audit_scope,
    RECORDS_OPS,
    .record_put_first_batch = rec_record_put_first_batch,
    .persons_exist = rec_persons_exist,
    .data_version = s_data_version,
    .audit_index_check = s_audit_index_check,
    .audit_index = s_audit_index,
    .audit_index_upto = s_audit_index_upto,
    .audit_index_scan = s_audit_index_scan,
    .audit_checkpoint = s_audit_checkpoint,
    .audit_appender = s_audit_appender,
    .audit_insurers = s_audit_insurers,
    .close = s_close,
    .errmsg = s_errmsg,
    .begin = s_begin,
    .read_begin = s_read_begin,
    .read_end = s_read_end,
    .read_reuse = s_read_reuse,
    .commit = s_commit,
    .rollback = s_rollback,
    .health_probe = s_health_probe,
    .settle = s_settle,
    .audit_count_person = s_audit_count_person,
};

/* ---- open and migrate ---------------------------------------------------- */

/* applied - migration version is recorded: 1, 0, or -1 after sq_fail */
static int applied(struct sqlite_store *s, int version)
{
    sqlite3_stmt *q;
    if (sq_prepare(s, "SELECT 1 FROM schema_migrations WHERE version = ?1", &q) != SQLITE_OK)
        return sq_fail(s, "migrate");
    sqlite3_bind_int(q, 1, version);
    int have = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    return have;
}

static int migrate(struct sqlite_store *s)
{
    if (sq_exec(s, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                " name TEXT NOT NULL, applied_at TEXT NOT NULL)"))
        return -1;
    for (unsigned i = 0; i < migrations_len; i++) {
        const struct migration *m = &migrations[i];
        sqlite3_stmt *q;
        int have = applied(s, m->version);
        if (have < 0)
            return -1;
        if (have)
            continue;
        if (sq_exec(s, "BEGIN IMMEDIATE"))
            return -1;
        /* again under the write lock: another connection (a second process creating the same new
         * database) may have applied it while this one waited for the lock */
        if ((have = applied(s, m->version))) {
            if (have < 0) {
                sq_rollback_keep(s);
                return -1;
            }
            if (sq_exec(s, "COMMIT"))
                return -1;
            continue;
        }
        if (sq_exec(s, (const char *)m->sql)) {
            sq_rollback_keep(s);
            char why[sizeof s->err];
            memcpy(why, s->err, sizeof why);
            snprintf(s->err, sizeof s->err, "migration %.40s: %.200s", m->name, why);
            return -1;
        }
        char now[64];
        store_now_iso(now);
        if (sq_prepare(s, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)", &q) !=
            SQLITE_OK)
            return sq_fail(s, "migrate");
        sqlite3_bind_int(q, 1, m->version);
        sq_bind_text(q, 2, m->name);
        sq_bind_text(q, 3, now);
        int ok = sqlite3_step(q) == SQLITE_DONE;
        sqlite3_finalize(q);
        if (!ok || sq_exec(s, "COMMIT")) {
            sq_exec(s, "ROLLBACK");
            return sq_fail(s, "migrate");
        }
    }
    return 0;
}

/* The audit schema, in its own file. One log per insurer: leaf = SHA-256(0x00 ||
 * canonical bytes of the columns); chain = SHA-256(0x02 || previous chain || leaf).
 * Append-only by triggers. meta.file_id must equal main.audit_link.file_id. */
static const char audit_schema[] =
    "CREATE TABLE IF NOT EXISTS audit.meta (file_id TEXT NOT NULL PRIMARY KEY, created_at TEXT NOT NULL);"
    /* each entry as its canonical bytes (domain/audit.h): what is hashed is what
     * is stored, so verification reads one column and no field can differ from
     * the hashed bytes; audit_v names the fields (kaigo_audit_field, auditsql.h) */
    "CREATE TABLE IF NOT EXISTS audit.audit_log ("
    " insurer_no TEXT NOT NULL, seq INTEGER NOT NULL CHECK (seq >= 1),"
    " entry BLOB NOT NULL,"
    " leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32),"
    " PRIMARY KEY (insurer_no, seq)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS audit.checkpoints ("
    " insurer_no TEXT NOT NULL, tree_size INTEGER NOT NULL CHECK (tree_size >= 1),"
    " root BLOB NOT NULL CHECK (length(root) = 32), time_ms INTEGER NOT NULL,"
    " signature BLOB NOT NULL CHECK (length(signature) = 64),"
    " frontier BLOB NOT NULL," /* the tree's right edge, so a restart need not reread the log */
    " PRIMARY KEY (insurer_no, tree_size)) WITHOUT ROWID;"
    /* the Merkle root of entries blk·1024+1 .. (blk+1)·1024, written with the
     * entry that completes the block (AUDIT_BLOCK_BITS); checked by verify */
    "CREATE TABLE IF NOT EXISTS audit.blocks ("
    " insurer_no TEXT NOT NULL, blk INTEGER NOT NULL CHECK (blk >= 0),"
    " root BLOB NOT NULL CHECK (length(root) = 32),"
    " PRIMARY KEY (insurer_no, blk)) WITHOUT ROWID;";

/* After the format check: the view, and the triggers that make the log append-only. */
static const char audit_schema2[] =
    "CREATE VIEW IF NOT EXISTS audit.audit_v AS SELECT insurer_no, seq,"
    " kaigo_audit_field(entry, 2) AS time_ms, kaigo_audit_field(entry, 3) AS actor,"
    " kaigo_audit_field(entry, 4) AS org, kaigo_audit_field(entry, 5) AS role,"
    " kaigo_audit_field(entry, 6) AS insured_no, kaigo_audit_field(entry, 7) AS category,"
    " kaigo_audit_field(entry, 8) AS purpose, kaigo_audit_field(entry, 9) AS basis,"
    " kaigo_audit_field(entry, 10) AS outcome, kaigo_audit_field(entry, 11) AS request_id,"
    " kaigo_audit_field(entry, 12) AS flags, kaigo_audit_field(entry, 13) AS basis_ref,"
    " leaf_hash, entry FROM audit_log;"
    "CREATE TRIGGER IF NOT EXISTS audit.audit_log_no_update BEFORE UPDATE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS audit.audit_log_no_delete BEFORE DELETE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS audit.checkpoints_no_update BEFORE UPDATE ON checkpoints"
    " BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS audit.checkpoints_no_delete BEFORE DELETE ON checkpoints"
    " BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS audit.blocks_no_update BEFORE UPDATE ON blocks"
    " BEGIN SELECT RAISE(ABORT, 'blocks are append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS audit.blocks_no_delete BEFORE DELETE ON blocks"
    " BEGIN SELECT RAISE(ABORT, 'blocks are append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS audit.meta_no_update BEFORE UPDATE ON meta"
    " BEGIN SELECT RAISE(ABORT, 'meta is append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS audit.meta_no_delete BEFORE DELETE ON meta"
    " BEGIN SELECT RAISE(ABORT, 'meta is append-only'); END;";

/* one_text - the first column of a one-row query as text, "" if no row. */
static int one_text(struct sqlite_store *s, const char *sql, char *out, size_t cap)
{
    sqlite3_stmt *q;
    out[0] = '\0';
    if (sq_prepare(s, sql, &q) != SQLITE_OK)
        return sq_fail(s, "prepare");
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        sq_copy_col(q, 0, out, cap);
    sqlite3_finalize(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_fail(s, "query");
}

/* LINK_SQL - the database linked to its log, unless a process opening the same new pair at the same
 * moment linked it first: between this one naming the log and linking it (two transactions, above)
 * another may take the lock, find the named, empty log and link it (the crash-window branch); it can
 * only be this log (the name is written once), and a mismatch is still refused at every open */
#define LINK_SQL "INSERT INTO main.audit_link (file_id, created_at) SELECT ?1, ?2 WHERE NOT EXISTS (SELECT 1 FROM main.audit_link)"

static int insert_link(struct sqlite_store *s, const char *sql, const char *id)
{
    sqlite3_stmt *q;
    char now[64];
    store_now_iso(now);
    if (sq_prepare(s, sql, &q) != SQLITE_OK)
        return sq_fail(s, "prepare");
    sq_bind_text(q, 1, id);
    sq_bind_text(q, 2, now);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? 0 : sq_fail(s, "audit link");
}

/* attach_audit - attaches <path>.audit as schema "audit", creates its tables,
 * and checks that it is the log that belongs to this database. */
/* The person index (<db>.audit-idx), derived from the log. It is built in
 * epochs (audidx.meta.epoch entries, AUDIT_EPOCH_DEFAULT) by the checkpointer thread, off the commit path:
 * once an epoch of an insurer's log is complete, its (person, seq) pairs are
 * inserted sorted under the key (insurer, epoch, person, seq), so each epoch is
 * written once, sequentially (a per-entry index dirtied one random page per
 * entry in every group commit and cost a third of the card route). The person's
 * report seeks once per epoch and scans the unindexed tail (< 2 epochs), so it is
 * exact at any moment. The file is not fsynced per transaction (WAL,
 * synchronous=NORMAL: never corrupt, may lose its last epochs at a power loss,
 * which are then rebuilt); `kaigo audit verify` checks it against the log. */
static const char idx_schema[] =
    "CREATE TABLE IF NOT EXISTS audidx.person_epoch (insurer_no TEXT NOT NULL, epoch INTEGER NOT NULL,"
    " insured_no TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (insurer_no, epoch, insured_no, seq))"
    " WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS audidx.upto (insurer_no TEXT NOT NULL PRIMARY KEY, seq INTEGER NOT NULL)"
    " WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS audidx.meta (epoch INTEGER NOT NULL CHECK (epoch >= 1));";

static int attach_idx(struct sqlite_store *s, const char *path, bool readonly)
{
    char ipath[4096];
    if ((size_t)snprintf(ipath, sizeof ipath, "%s.audit-idx", path) >= sizeof ipath) {
        snprintf(s->err, sizeof s->err, "path too long");
        return -1;
    }
    if (readonly && access(ipath, F_OK) != 0)
        return 0; /* no index yet: verify says so; nothing else reads it read-only */
    sqlite3_stmt *q;
    if (sq_prepare(s, "ATTACH DATABASE ?1 AS audidx", &q) != SQLITE_OK)
        return sq_fail(s, "attach");
    sq_bind_text(q, 1, ipath);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return sq_fail(s, "attach audit index");
    s->have_idx = true;
    /* cache_size is per schema: without this an attached file gets the 2 MiB default */
    if (sq_exec(s, "PRAGMA audidx.cache_size = -65536;"))
        return -1;
    if (readonly && sq_exec(s, "PRAGMA audidx.mmap_size = 2147418112;")) /* as the log: verify */
        return -1;
    if (!readonly) {
        if (sq_exec_wal(s, "PRAGMA audidx.journal_mode = WAL; PRAGMA audidx.synchronous = NORMAL;") ||
            sq_exec(s, idx_schema))
            return -1;
        long long want = test_hooks && test_hooks->audit_epoch ? test_hooks->audit_epoch
                                                               : AUDIT_EPOCH_DEFAULT;
        if (want < 1 || want > 1000000)
            want = AUDIT_EPOCH_DEFAULT;
        if (sq_prepare(s, "INSERT INTO audidx.meta (epoch) SELECT ?1 WHERE NOT EXISTS (SELECT 1 FROM audidx.meta)",
                       &q) != SQLITE_OK)
            return sq_fail(s, "audit index meta");
        sqlite3_bind_int64(q, 1, want);
        rc = sqlite3_step(q);
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE)
            return sq_fail(s, "audit index meta");
    }
    char ep[24];
    if (one_text(s, "SELECT count(*) FROM audidx.sqlite_master WHERE name = 'meta'", ep, sizeof ep))
        return -1;
    if (strcmp(ep, "1") != 0) { /* read-only look at an index file that was never set up */
        s->have_idx = false;
        return 0;
    }
    if (one_text(s, "SELECT epoch FROM audidx.meta", ep, sizeof ep))
        return -1;
    s->epoch = strtoll(ep, NULL, 10);
    if (s->epoch < 1) /* a read-only look at an index file never written: nothing indexed */
        s->have_idx = false;
    return 0;
}

_Thread_local bool store_audit_missing, store_audit_absent;

static int attach_audit(struct sqlite_store *s, const char *path, bool readonly)
{
    char apath[4096];
    if ((size_t)snprintf(apath, sizeof apath, "%s.audit", path) >= sizeof apath) {
        snprintf(s->err, sizeof s->err, "path too long");
        return -1;
    }
    /* No log file: a database that was linked to one has lost it (refused, and no empty file is
     * made in its place); one never linked is new, or was killed before its log was made -
     * opened for writing it gets its log now, and read (verify) it has an empty one, so open
     * and verify agree on that state (issue 16: verify exited 3, "attach audit log"). */
    if (access(apath, F_OK) != 0 && errno == ENOENT) {
        char linked[80] = "", has[8];
        if (one_text(s, "SELECT COUNT(*) FROM main.sqlite_master WHERE name = 'audit_link'", has,
                     sizeof has) ||
            (strcmp(has, "1") == 0 &&
             one_text(s, "SELECT COALESCE((SELECT file_id FROM main.audit_link LIMIT 1), '')",
                      linked, sizeof linked)))
            return -1;
        if (linked[0]) {
            store_audit_missing = true;
            snprintf(s->err, sizeof s->err,
                     "監査ログ(%.120s)が失われています (audit log missing)", apath);
            return -1;
        }
        if (readonly) { /* a reader cannot make one: it says there is none yet */
            store_audit_absent = true;
            snprintf(s->err, sizeof s->err, "監査ログはまだありません (no audit log yet)");
            return -1;
        }
    }
    sqlite3_stmt *q;
    if (sq_prepare(s, "ATTACH DATABASE ?1 AS audit", &q) != SQLITE_OK)
        return sq_fail(s, "attach");
    sq_bind_text(q, 1, apath);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return sq_fail(s, "attach audit log");
    if (sq_exec(s, "PRAGMA audit.cache_size = -65536;"))
        return -1;
    if (readonly)
        /* readers of the whole log (verify, prove, scope) read it mapped: no
         * copy per page (measured 15 % of verify); SQLite's cap is 2 GiB, past
         * which it reads as usual */
        return sq_exec(s, "PRAGMA audit.mmap_size = 2147418112;");
    if (sq_exec_wal(s, "PRAGMA audit.journal_mode = WAL; PRAGMA audit.synchronous = FULL;") ||
        sq_exec(s, "BEGIN IMMEDIATE"))
        return -1;
    char main_id[80], audit_id[80];
    if (sq_exec(s, audit_schema) || one_text(s, "SELECT file_id FROM main.audit_link", main_id, sizeof main_id) ||
        one_text(s, "SELECT file_id FROM audit.meta", audit_id, sizeof audit_id))
        goto fail;
    char has_entry[8];
    if (one_text(s, "SELECT COUNT(*) FROM pragma_table_info('audit_log', 'audit') WHERE name = 'entry'",
                 has_entry, sizeof has_entry))
        goto fail;
    if (strcmp(has_entry, "1") != 0) {
        /* format 1 (no flags) and 2 (one column per field) were development formats */
        sq_exec(s, "ROLLBACK");
        snprintf(s->err, sizeof s->err,
                 "監査ログ(%.60s)は旧い形式です。作り直してください (audit log format < 3)", apath);
        return -1;
    }
    if (sq_exec(s, audit_schema2))
        goto fail;
    /* Linking a new pair: the two files commit one after the other (a transaction over
     * attached WAL databases is atomic per file only), so the log is named first and the
     * database second. A crash between leaves a named, empty log and an unlinked
     * database, which the next open links; the other order left a linked database whose
     * log was never written, refused for ever as "missing" (seen: e2e kill -9 test). */
    char empty[8] = "";
    if (!main_id[0] && audit_id[0] &&
        one_text(s, "SELECT (SELECT COUNT(*) FROM audit.audit_log) + (SELECT COUNT(*) FROM audit.checkpoints) = 0",
                 empty, sizeof empty))
        goto fail;
    if (!main_id[0] && !audit_id[0]) {
        unsigned char rnd[16];
        sqlite3_randomness(sizeof rnd, rnd);
        for (int i = 0; i < 16; i++)
            snprintf(audit_id + 2 * i, 3, "%02x", rnd[i]);
        if (insert_link(s, "INSERT INTO audit.meta (file_id, created_at) VALUES (?1, ?2)", audit_id) ||
            sq_exec(s, "COMMIT") || sq_exec(s, "BEGIN IMMEDIATE") ||
            insert_link(s, LINK_SQL, audit_id))
            goto fail;
    } else if (!main_id[0] && strcmp(empty, "1") == 0) { /* the crash window above: link the empty log */
        if (insert_link(s, LINK_SQL, audit_id))
            goto fail;
    } else if (strcmp(main_id, audit_id) != 0) {
        sq_exec(s, "ROLLBACK");
        snprintf(s->err, sizeof s->err,
                 "監査ログ(%.120s)がこのデータベースのものではないか、失われています"
                 " (audit log missing or replaced)",
                 apath);
        return -1;
    }
    return sq_exec(s, "COMMIT");
fail:
    sq_rollback_keep(s);
    return -1;
}

struct store *store_open_sqlite(const char *path, bool readonly)
{
    store_audit_missing = store_audit_absent = false;
    if (test_hooks && test_hooks->disk_full_file) { /* kaigo-test only (util/hooks.h) */
        faultvfs_register();
        faultvfs_flag_file(test_hooks->disk_full_file);
    }
    struct sqlite_store *s = xcalloc(1, sizeof *s);
    s->base.ops = &sqlite_ops;
    s->base.acc = &store_access_shared;
    s->db_.drv = &sqlite_driver;
    s->base.log = auditlog_new(&s->db_, sqlite_auditlog_sql);
    s->base.rec = records_new(&s->db_, sqlite_records_sql);
    s->base.adb = access_db_new(&s->db_, sqlite_access_sql);
    int flags = readonly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    flags |= SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK ||
        auditsql_register(s->db) != SQLITE_OK) {
        error("database %s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
        sqlite3_close(s->db);
        free(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, 10000);
    /* Plans must not depend on bound values: a parameter compared with kind could
     * select the partial index record_applications (0004), and SQLite then
     * prepares the statement again for every new value — each record_put paid a
     * full compile. The index is used only by queries naming 'application'. */
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_QPSG, 1, (int *)NULL);
    /* 8 KiB pages for a new database (an existing one keeps its size): record_versions
     * is WITHOUT ROWID, whose rows keep at most ≈ 1/4 page (1,002 bytes at 4 KiB) in
     * the B-tree and send the rest to a whole overflow page; a month's 第6表 set
     * (≈ 1.2 KB packed) then cost two pages. docs/benchmarks.md: 300 → 134 MB, 9.2 →
     * 7.3 s for the exchange ingest benchmark. */
    /* mmap_size: pages of the database file are read from the kernel's page cache in place, not
     * copied into each connection's cache with a pread (issue #21: 0.83 → 0.15 pread and 0.78 →
     * 0.12 mprotect per card read, a cold connection's cache refilled by malloc; card CPU −5 %,
     * docs/benchmarks.md). Pages still in the WAL are read as before. */
    if ((!readonly && sq_exec(s, "PRAGMA page_size = 8192;")) ||
        sq_exec(s, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA cache_size = -65536;"
                " PRAGMA temp_store = MEMORY; PRAGMA mmap_size = 1073741824;") ||
        (!readonly && sq_exec_wal(s, "PRAGMA journal_mode = WAL;")) || (!readonly && migrate(s)) ||
        attach_audit(s, path, readonly) || attach_idx(s, path, readonly)) {
        if (!store_audit_absent)
            error("database %s: %s", path, s->err);
        s_close(&s->base);
        return NULL;
    }
    return &s->base;
}
