/* store.c - the PostgreSQL backend of struct store_ops (issue #22; docs/postgresql.md).
 *
 * One struct pg_store per connection, as SQLite's. The registry, access and audit log logic is
 * the shared code (store/records.c, store/access.c, store/auditlog.c) over the libpq driver
 * (pg/driver.c); this file adds what is PostgreSQL's own:
 *   - transactions: a write transaction is READ COMMITTED (the shared logic serialises what
 *     must be: the audit log by its insurer's row lock, versions by their primary key, which a
 *     concurrent writer of the same version fails on rather than overwrites); a read snapshot
 *     (read_begin) is REPEATABLE READ READ ONLY, so several reads see one state as on SQLite;
 *   - the access reports, read from the audit_v view (the person index of src/store/pg/schema.sql
 *     is not kept yet: audit_index_* answer "no index", as SQLite without its index file);
 *   - data_version: no cheap "has anyone committed" exists across nodes, so every call answers a
 *     new value and the caches keyed by it (tokens, insurers) read through.
 * The schema is installed by its owner, never by the application (schema.sql's header); an open
 * finds it or fails with the way to install it.
 *
 * Ownership: the store owns its connection and the shared logic's state; store_close frees them.
 * Failure: -1 with the message in store_errmsg; a connection lost is reported as such by the
 * statement that met it (libpq's message), and the next transaction makes it again (driver.c). */
#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/accessdb.h"
#include "store/auditlog.h"
#include "store/health.h"
#include "store/pg/pg.h"
#include "store/records.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/log.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define PG_SCHEMA_VERSION 17 /* schema.sql's row in schema_migrations: SQLite's migrations 0001-0017 */

enum pg_stmt {
    P_SCHEMA,
    P_HEALTH,
    P_INSURERS,
    P_COUNT_PERSON,
    P_PERSON_ACCESS,
    P_SCOPE,
    P_PERSONS_EXIST,
    P_COUNT
};

/* a proxy is named to the person it acted for (issue #14); staff are named by organisation */
/* (a CASE: PostgreSQL may evaluate a join's conditions in any order, and "cli:uid=0" is no number) */
#define PG_ACTOR_NAME_JOIN                                                                         \
    " LEFT JOIN accounts a ON a.account_id = CASE WHEN l.role = 'proxy' AND l.actor ~ '^user:[0-9]{1,18}$'" \
    " THEN CAST(substr(l.actor, 6) AS bigint) END"

static const char *const pg_sql[P_COUNT] = {
    [P_SCHEMA] = "SELECT coalesce(max(version), 0) FROM schema_migrations",
    [P_HEALTH] = "INSERT INTO health_probe (node, at_ms) VALUES ('kaigo', ?1)"
                 " ON CONFLICT (node) DO UPDATE SET at_ms = excluded.at_ms",
    [P_INSURERS] = "SELECT insurer_no FROM audit_heads ORDER BY insurer_no",
    [P_COUNT_PERSON] = "SELECT count(*) FROM audit_v WHERE insurer_no = ?1 AND insured_no = ?2",
    [P_PERSON_ACCESS] = "SELECT l.seq, l.time_ms, l.actor, l.org, coalesce(o.name, ''), l.role, l.category,"
                        " l.purpose, l.basis, l.outcome, l.flags, coalesce(a.display_name, '') FROM audit_v l"
                        " LEFT JOIN orgs o ON o.org_id = l.org" PG_ACTOR_NAME_JOIN
                        " WHERE l.insurer_no = ?1 AND l.insured_no = ?2 ORDER BY l.seq",
    [P_SCOPE] = "SELECT insurer_no, insured_no, category, count(*) FILTER (WHERE outcome = 'allowed'),"
                " count(*) FILTER (WHERE outcome <> 'allowed')"
                " FROM audit_v WHERE (?1 = '' OR org = ?1) AND (?2 = '' OR actor = ?2)"
                " AND time_ms >= ?3 AND time_ms < ?4 GROUP BY insurer_no, insured_no, category"
                " ORDER BY insurer_no, insured_no, category",
    [P_PERSONS_EXIST] = "SELECT u.o FROM unnest(CAST(?2 AS text[])) WITH ORDINALITY AS u (no, o) WHERE EXISTS (SELECT 1"
                        " FROM record_versions r WHERE r.insurer_no = ?1 AND r.insured_no = u.no AND r.kind = 'insured'"
                        " AND r.rkey = '')",
};

/* The registry's statements PostgreSQL writes its own way: the newest version of each key by
 * DISTINCT ON (SQLite's bare column beside max() is not SQL PostgreSQL reads), the paper serial's
 * parameters typed where they stand in a SELECT list. */
static const char *const pg_records_sql[R_COUNT] = {
    [R_RECORD_LIST_KIND] = "SELECT DISTINCT ON (rkey) kind, rkey, body FROM record_versions WHERE insurer_no = ?1"
                           " AND insured_no = ?2 AND kind = ?3 ORDER BY rkey, version DESC",
    [R_RECORD_SCAN_KIND] = "SELECT DISTINCT ON (insured_no, rkey) insured_no, rkey, body FROM record_versions"
                           " WHERE insurer_no = ?1 AND kind = ?2 AND kind = 'application'"
                           " ORDER BY insured_no, rkey, version DESC",
    [R_RECORD_SCAN_PLANS] = "SELECT DISTINCT ON (insured_no) insured_no, rkey, body FROM record_versions"
                            " WHERE insurer_no = ?1 AND kind = 'cp.UPPLAN' AND rkey = ?2"
                            " ORDER BY insured_no, version DESC",
    [R_RECORD_SCAN_INSURER] = "SELECT DISTINCT ON (insured_no, kind, rkey) insured_no, kind, rkey, body"
                              " FROM record_versions WHERE insurer_no = ?1"
                              " AND kind IN ('certification', 'insured', 'ledger', 'life')"
                              " ORDER BY insured_no, kind, rkey, version DESC",
    [R_PAPER_INSERT] = "INSERT INTO paper_documents (insurer_no, serial, insured_no, kind, issued, valid_from,"
                       " valid_to, content_hash, change_id) SELECT ?1::text, CASE WHEN ?9::bigint > 0 THEN ?9::bigint"
                       " ELSE coalesce(max(serial), 0) + 1 END, ?2::text, ?3::integer, ?4::text, ?5::text, ?6::text,"
                       " ?7::text, ?8::bigint FROM paper_documents WHERE insurer_no = ?1::text RETURNING serial",
};

/* access.h's statements PostgreSQL writes its own way (SQLite's name its index) */
static const char *const pg_access_sql[A_COUNT] = {
    [A_ORG_PERSONS] = "SELECT insurer_no, insured_no, min(started_ms), max(last_actual_ym) FROM relationships"
                      " WHERE org_id = ?1 AND ended_ms = 0"
                      " GROUP BY insurer_no, insured_no ORDER BY insurer_no, insured_no LIMIT 10000",
    [A_ORG_REQS] = "SELECT q.insurer_no, q.insured_no, q.app_id, q.opened_ms, q.closed_ms, q.answered_ms, EXISTS (SELECT 1"
                   " FROM ikensho_drafts d WHERE d.insurer_no = q.insurer_no AND d.insured_no = q.insured_no AND"
                   " d.app_id = q.app_id AND d.org_id = q.org_id) FROM ikensho_requests q"
                   " WHERE q.org_id = ?1 ORDER BY q.opened_ms DESC LIMIT 500",
};

struct pg_store {
    struct store base;
    struct db *db;
    struct db_stmt *stmt[P_COUNT];
    int read_depth;   /* read_begin nesting: only the outermost begins and ends */
    bool in_read;     /* the outermost read_begin opened a transaction of its own */
};

static struct pg_store *P(struct store *st)
{
    return (struct pg_store *)(void *)st;
}

static struct db_stmt *stmt(struct pg_store *p, enum pg_stmt id)
{
    return db_cached(p->db, &p->stmt[id], pg_sql[id]);
}

/* ---- connection and transactions -------------------------------------------------------------- */

static void g_close(struct store *st)
{
    struct pg_store *p = P(st);
    auditlog_free(p->base.log);
    records_free(p->base.rec);
    access_db_free(p->base.adb);
    pg_db_close(p->db);
    free(p);
}

static const char *g_errmsg(struct store *st)
{
    return pg_db_errmsg(P(st)->db);
}

static int g_begin(struct store *st)
{
    return db_exec(P(st)->db, "BEGIN");
}

static int g_commit(struct store *st)
{
    int rc = db_exec(P(st)->db, "COMMIT");
    store_health_note(rc == 0);
    return rc;
}

static int g_rollback(struct store *st)
{
    return db_exec(P(st)->db, "ROLLBACK");
}

/* Inside a write transaction a read snapshot is that transaction (it only counts), as SQLite's
 * reads inside BEGIN IMMEDIATE see the writer's own state. */
static int g_read_begin(struct store *st)
{
    struct pg_store *p = P(st);
    if (p->read_depth++ > 0)
        return 0;
    p->in_read = !db_in_txn(p->db);
    if (p->in_read && db_exec(p->db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")) {
        p->read_depth = 0;
        return -1;
    }
    return 0;
}

static int g_read_end(struct store *st)
{
    struct pg_store *p = P(st);
    if (p->read_depth == 0 || --p->read_depth > 0)
        return 0;
    if (!p->in_read)
        return 0;
    p->in_read = false;
    return db_exec(p->db, "COMMIT");
}

static void g_read_reuse(struct store *st)
{
    (void)st; /* nothing to park: a PostgreSQL snapshot costs a round trip either way */
}

static void g_settle(struct store *st)
{
    struct pg_store *p = P(st);
    if (p->read_depth)
        return;
    if (db_in_txn(p->db)) {
        warn("store: a transaction left open by a failure is rolled back");
        db_exec(p->db, "ROLLBACK");
    }
}

/* ---- bulk writes ---------------------------------------------------------------------------- */

void pg_copy_text(struct buf *b, const char *s, size_t n)
{
    for (const char *c = s, *e = s + n; c < e;) {
        const char *x = c;
        while (x < e && *x != '\\' && *x != '\t' && *x != '\n' && *x != '\r')
            x++;
        buf_add(b, c, (size_t)(x - c));
        if (x == e)
            break;
        buf_addc(b, '\\');
        buf_addc(b, *x == '\t' ? 't' : *x == '\n' ? 'n' : *x == '\r' ? 'r' : '\\');
        c = x + 1;
    }
}

/* COPY's binary format: big-endian integers, a field as its length then its bytes (PostgreSQL's
 * documentation, COPY, "Binary Format") */
static void put_be(struct buf *b, uint64_t v, int bytes)
{
    char o[8];
    for (int i = 0; i < bytes; i++)
        o[i] = (char)(v >> (8 * (bytes - 1 - i)));
    buf_add(b, o, (size_t)bytes);
}

void pg_copy_bin_header(struct buf *b)
{
    buf_add(b, "PGCOPY\n\377\r\n\0", 11); /* the signature */
    put_be(b, 0, 4);                        /* flags: no OIDs */
    put_be(b, 0, 4);                        /* no header extension */
}

void pg_copy_bin_row(struct buf *b, int fields)
{
    put_be(b, (uint16_t)fields, 2);
}

void pg_copy_bin_text(struct buf *b, const char *s)
{
    size_t n = strlen(s);
    if (n > INT32_MAX) {
        b->failed = true; /* never: a buffer holds at most PG_COPY_MAX bytes */
        return;
    }
    put_be(b, (uint32_t)n, 4);
    buf_add(b, s, n);
}

void pg_copy_bin_int4(struct buf *b, int32_t v)
{
    put_be(b, 4, 4);
    put_be(b, (uint32_t)v, 4);
}

void pg_copy_bin_int8(struct buf *b, int64_t v)
{
    put_be(b, 8, 4);
    put_be(b, (uint64_t)v, 8);
}

#define PG_COPY_MAX ((size_t)1 << 30) /* a batch's COPY data, past which the batch fails */

static const char copy_versions[] = "COPY record_versions (insurer_no, insured_no, kind, rkey, version, change_id, body)"
                                    " FROM STDIN (FORMAT binary)";
static const char copy_current[] = "COPY record_current (insurer_no, insured_no, kind, rkey, version, body)"
                                   " FROM STDIN (FORMAT binary)";

/* record_put_first_batch as two COPYs (record_versions, then record_current for the card's kinds)
 * instead of two INSERTs a row: the import of a new insurer's file (cli/cmd_import.c). Binary rows:
 * ≈ 10 % less of the server's time than the text format for the same 1M versions (benchmarks.md). */
static int g_put_first_batch(struct store *st, const struct record_row *rows, size_t n, long long change_id)
{
    struct pg_store *p = P(st);
    struct buf v, c;
    buf_init(&v, PG_COPY_MAX);
    buf_init(&c, PG_COPY_MAX);
    bool any_current = false;
    for (size_t i = 0; i < n && !any_current; i++)
        any_current = rec_current_kind(rows[i].kind);
    /* the versions' COPY stays open over the batches of a file without current kinds (the insured
     * file): its header only when it starts */
    if (any_current || !pg_db_copying(p->db, copy_versions))
        pg_copy_bin_header(&v);
    if (any_current)
        pg_copy_bin_header(&c);
    for (size_t i = 0; i < n; i++) {
        const struct record_row *r = &rows[i];
        bool cur = rec_current_kind(r->kind);
        for (int t = 0; t < (cur ? 2 : 1); t++) {
            struct buf *b = t ? &c : &v;
            pg_copy_bin_row(b, t ? 6 : 7);
            pg_copy_bin_text(b, r->key.insurer_no);
            pg_copy_bin_text(b, r->key.insured_no);
            pg_copy_bin_text(b, r->kind);
            pg_copy_bin_text(b, r->rkey);
            pg_copy_bin_int4(b, 1);
            if (!t)
                pg_copy_bin_int8(b, change_id);
            pg_copy_bin_text(b, r->body);
        }
    }
    int rc = -1;
    if (buf_failed(&v) || buf_failed(&c))
        p->db->drv->set_error(p->db, "record_put_first_batch: batch too large");
    else if (!any_current) /* one COPY, kept open over the batches that follow (the insured file) */
        rc = pg_db_copy_stream(p->db, copy_versions, v.ptr, v.len);
    else if (pg_db_copy(p->db, copy_versions, v.ptr, v.len) == 0 && pg_db_copy(p->db, copy_current, c.ptr, c.len) == 0)
        rc = 0;
    buf_release(&v);
    buf_release(&c);
    return rc;
}

/* persons_exist in one statement: the numbers as an array literal (each a number's digits and
 * letters only; anything else is not a person, which no row can match) */
static int g_persons_exist(struct store *st, const struct person_key *keys, size_t n, bool *out)
{
    struct pg_store *p = P(st);
    if (n == 0)
        return 0;
    struct buf a;
    buf_init(&a, PG_COPY_MAX);
    buf_addc(&a, '{');
    size_t *at = xcalloc(n, sizeof *at), m = 0; /* the array's m-th element is keys[at[m]] */
    for (size_t i = 0; i < n; i++) {
        out[i] = false;
        const char *no = keys[i].insured_no;
        bool plain = *no != '\0';
        for (const char *c = no; *c; c++)
            plain &= (*c >= '0' && *c <= '9') || (*c >= 'A' && *c <= 'Z');
        if (!plain)
            continue;
        if (m)
            buf_addc(&a, ',');
        buf_adds(&a, no);
        at[m++] = i;
    }
    buf_addc(&a, '}');
    struct db_stmt *q = stmt(p, P_PERSONS_EXIST);
    int rc = q ? 0 : -1;
    if (q) {
        db_bind_text(p->db, q, 1, keys[0].insurer_no);
        db_bind_text(p->db, q, 2, buf_failed(&a) ? "{}" : a.ptr);
        int r;
        while ((r = db_step(p->db, q)) == DB_ROW) {
            int64_t o = db_col_int64(p->db, q, 0); /* 1-based */
            if (o >= 1 && (size_t)o <= m)
                out[at[o - 1]] = true;
        }
        if (r == DB_ERROR)
            rc = db_fail(p->db, "persons_exist");
        db_reset(p->db, q);
    }
    if (buf_failed(&a))
        rc = -1;
    buf_release(&a);
    free(at);
    return rc;
}

static bool g_unavailable(struct store *st)
{
    return pg_db_lost(P(st)->db);
}

static int g_health_probe(struct store *st)
{
    struct pg_store *p = P(st);
    struct db *d = p->db;
    struct db_stmt *q = stmt(p, P_HEALTH);
    if (!q)
        return -1;
    db_bind_int64(d, q, 1, clock_now_ms());
    int rc = db_step(d, q);
    if (rc != DB_DONE)
        db_fail(d, "health probe");
    db_reset(d, q);
    store_health_note(rc == DB_DONE);
    return rc == DB_DONE ? 0 : -1;
}

static int g_data_version(struct store *st, long long *v)
{
    (void)st;
    static atomic_llong next;
    *v = atomic_fetch_add(&next, 1) + 1; /* never the same: the caches read through */
    return 0;
}

/* ---- the audit log ------------------------------------------------------------------------------ */

static int g_audit_insurers(struct store *st, int (*fn)(void *ctx, const char *insurer_no), void *ctx)
{
    struct pg_store *p = P(st);
    struct db *d = p->db;
    struct db_stmt *q = stmt(p, P_INSURERS);
    if (!q)
        return -1;
    int rc;
    while ((rc = db_step(d, q)) == DB_ROW) {
        const char *no = db_col_text(d, q, 0);
        if (no && fn(ctx, no))
            break;
    }
    if (rc == DB_ERROR)
        db_fail(d, "audit insurers");
    db_reset(d, q);
    return rc == DB_ERROR ? -1 : 0;
}

/* PostgreSQL checkpoints its own WAL: nothing for the appender to bound */
static int g_audit_checkpoint(struct store *st, bool bound)
{
    (void)st;
    (void)bound;
    return 0;
}

static int g_audit_appender(struct store *st)
{
    (void)st;
    return 0;
}

static int g_audit_count_person(struct store *st, const struct person_key *k, long long *n)
{
    struct pg_store *p = P(st);
    struct db *d = p->db;
    struct db_stmt *q = stmt(p, P_COUNT_PERSON);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, k->insurer_no);
    db_bind_text(d, q, 2, k->insured_no);
    int rc = db_step(d, q);
    if (rc == DB_ROW)
        *n = db_col_int64(d, q, 0);
    else
        db_fail(d, "audit_count_person");
    db_reset(d, q);
    return rc == DB_ROW ? 0 : -1;
}

/* the person index is not kept on PostgreSQL yet: as SQLite without its index file */
static int g_audit_index_check(struct store *st, const char *insurer, long long *indexed, long long *log_head,
                               bool *ok)
{
    (void)st;
    (void)insurer;
    *indexed = *log_head = 0;
    *ok = false;
    return STORE_NOTFOUND;
}

static int g_audit_index(struct store *st)
{
    (void)st;
    return 0;
}

static int g_audit_index_upto(struct store *st, const char *insurer, long long *upto)
{
    (void)st;
    (void)insurer;
    *upto = 0;
    return STORE_NOTFOUND;
}

static int g_audit_index_scan(struct store *st, const char *insurer,
                              int (*fn)(void *ctx, const char *insured_no, size_t n, long long seq, bool epoch_ok),
                              void *ctx)
{
    (void)st;
    (void)insurer;
    (void)fn;
    (void)ctx;
    return 0;
}

/* ---- the access reports ------------------------------------------------------------------------- */

static void read_access_row(struct db *d, struct db_stmt *q, struct access_row *r)
{
    memset(r, 0, sizeof *r);
    r->seq = db_col_int64(d, q, 0);
    r->time_ms = db_col_int64(d, q, 1);
    db_copy_text(d, q, 2, r->actor, sizeof r->actor);
    db_copy_text(d, q, 3, r->org, sizeof r->org);
    db_copy_text(d, q, 4, r->org_name, sizeof r->org_name);
    db_copy_text(d, q, 5, r->role, sizeof r->role);
    db_copy_text(d, q, 6, r->category, sizeof r->category);
    db_copy_text(d, q, 7, r->purpose, sizeof r->purpose);
    db_copy_text(d, q, 8, r->basis, sizeof r->basis);
    db_copy_text(d, q, 9, r->outcome, sizeof r->outcome);
    r->flags = (unsigned)db_col_int64(d, q, 10);
    db_copy_text(d, q, 11, r->actor_name, sizeof r->actor_name);
}

static int g_person_access(struct store *st, const struct person_key *k, access_row_fn *fn, void *ctx)
{
    struct pg_store *p = P(st);
    struct db *d = p->db;
    struct db_stmt *q = stmt(p, P_PERSON_ACCESS);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, k->insurer_no);
    db_bind_text(d, q, 2, k->insured_no);
    int rc;
    while ((rc = db_step(d, q)) == DB_ROW) {
        struct access_row r;
        read_access_row(d, q, &r);
        if (fn(ctx, &r))
            break;
    }
    if (rc == DB_ERROR)
        db_fail(d, "person_access");
    db_reset(d, q);
    return rc == DB_ERROR ? -1 : 0;
}

static int g_audit_scope(struct store *st, const char *org, const char *actor, int64_t from, int64_t to,
                         scope_row_fn *fn, void *ctx)
{
    struct pg_store *p = P(st);
    struct db *d = p->db;
    struct db_stmt *q = stmt(p, P_SCOPE);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, org ? org : "");
    db_bind_text(d, q, 2, actor ? actor : "");
    db_bind_int64(d, q, 3, from);
    db_bind_int64(d, q, 4, to);
    int rc;
    while ((rc = db_step(d, q)) == DB_ROW) {
        struct scope_row r;
        memset(&r, 0, sizeof r);
        db_copy_text(d, q, 0, r.person.insurer_no, sizeof r.person.insurer_no);
        db_copy_text(d, q, 1, r.person.insured_no, sizeof r.person.insured_no);
        db_copy_text(d, q, 2, r.category, sizeof r.category);
        r.allowed = db_col_int64(d, q, 3);
        r.denied = db_col_int64(d, q, 4);
        if (fn(ctx, &r))
            break;
    }
    if (rc == DB_ERROR)
        db_fail(d, "audit_scope");
    db_reset(d, q);
    return rc == DB_ERROR ? -1 : 0;
}

static const struct store_ops pg_ops = {
    RECORDS_OPS,
    .record_put_first_batch = g_put_first_batch,
    .persons_exist = g_persons_exist,
    AUDITLOG_OPS,
    .close = g_close,
    .errmsg = g_errmsg,
    .begin = g_begin,
    .read_begin = g_read_begin,
    .read_end = g_read_end,
    .read_reuse = g_read_reuse,
    .commit = g_commit,
    .rollback = g_rollback,
    .settle = g_settle,
    .health_probe = g_health_probe,
    .unavailable = g_unavailable,
    .audit_insurers = g_audit_insurers,
    .audit_checkpoint = g_audit_checkpoint,
    .audit_appender = g_audit_appender,
    .audit_count_person = g_audit_count_person,
    .audit_index_check = g_audit_index_check,
    .audit_index = g_audit_index,
    .audit_index_upto = g_audit_index_upto,
    .audit_index_scan = g_audit_index_scan,
    .person_access = g_person_access,
    .audit_scope = g_audit_scope,
    .data_version = g_data_version,
};

/* schema_version - schema_migrations' newest version, 0 if none; -1 if the table is missing */
static int schema_version(struct pg_store *p, long long *v)
{
    struct db *d = p->db;
    struct db_stmt *q = stmt(p, P_SCHEMA);
    if (!q)
        return -1;
    int rc = db_step(d, q);
    if (rc == DB_ROW)
        *v = db_col_int64(d, q, 0);
    else
        db_fail(d, "schema version");
    db_reset(d, q);
    return rc == DB_ROW ? 0 : -1;
}

struct store *store_open_pg(const char *url, bool readonly)
{
    char err[600], shown[512];
    struct db *db = pg_db_open_session(url, readonly ? "SET default_transaction_read_only = on" : "", err, sizeof err);
    if (!db) {
        fprintf(stderr, "kaigo: データベースに接続できません: %s\n", err);
        return NULL;
    }
    struct pg_store *p = xcalloc(1, sizeof *p);
    p->db = db;
    p->base.ops = &pg_ops;
    p->base.acc = &store_access_shared;
    p->base.rec = records_new(db, pg_records_sql);
    p->base.adb = access_db_new(db, pg_access_sql);
    p->base.log = auditlog_new(db, pg_auditlog_sql);
    long long v = 0;
    store_where_redact(url, shown, sizeof shown);
    if (schema_version(p, &v)) {
        fprintf(stderr, "kaigo: %s: %s\n  kaigo のスキーマが入っていますか (docs/postgresql.md「スキーマの導入」)\n", shown,
                pg_db_errmsg(db));
        g_close(&p->base);
        return NULL;
    }
    if (v != PG_SCHEMA_VERSION) {
        fprintf(stderr, "kaigo: %s: スキーマの版が %lld です。この kaigo には %d が要ります\n", shown, v,
                PG_SCHEMA_VERSION);
        g_close(&p->base);
        return NULL;
    }
    return &p->base;
}
