/* driver.c - the narrow driver over libpq; see pg.h.
 *
 * A statement is prepared on the server once per connection (PQprepare, named k1, k2, …) the
 * first time its slot is used. Binding keeps the caller's pointers (text as text, int64 and
 * blobs in binary); the first step executes it (PQexecPrepared, binary results) and the rows
 * are then handed out one per step.
 *
 * A lost connection (the primary killed, a failover) is made again by the first BEGIN, or the
 * first statement outside a transaction, after it was lost: never inside a transaction, whose
 * statements keep failing until the caller ends it. The new connection is made from the URL
 * kept in memory (its hosts and options), so a URL naming the primary and its standbys with
 * target_session_attrs=read-write finds whichever is the primary now (docs/deploy.md), and the
 * session's SET is made on it before it replaces the old one. Each connection tries at most once
 * per PG_RECONNECT_MS; the statements are prepared again on the new connection when next used.
 *
 * pg_db_copy_stream leaves a COPY open across calls; every other call of the connection ends it
 * first (copy_end), so no statement ever meets a connection in COPY mode. */
#include <arpa/inet.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg.h"
#include "store/store.h"
#include "util/date.h"
#include "util/log.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define PG_MAX_PARAMS 32 /* the most any statement of ours binds (AL_INSERT_MANY: 4 × AL_MANY) */
#define PG_INT2OID 21
#define PG_INT4OID 23
#define PG_INT8OID 20
#define PG_BOOLOID 16
#define PG_TEXTOID 25
#define PG_SQL_MAX 8192 /* the longest statement text of ours, after ?N became $N */
#define PG_RECONNECT_MS 100 /* a lost connection is tried again at most this often */

struct pg_db {
    struct db base;
    PGconn *conn;
    unsigned gen;         /* the connection's generation: a reconnect drops every prepared statement */
    bool txn_open;        /* a BEGIN succeeded and no COMMIT or ROLLBACK was sent since */
    int64_t last_try_ms;  /* the last reconnect attempt */
    char session[128];    /* a SET the connection needs, made again after a reconnect */
    char *url;            /* to reconnect with (it may hold the password: never shown) */
    const char *copying;  /* the COPY left open by pg_db_copy_stream, or NULL */
    unsigned nstmts;
    struct pg_stmt *stmts; /* every statement of the connection, to free at close */
    char err[512];
};

struct pg_stmt {
    struct pg_db *db;
    struct pg_stmt *next;
    char name[16];
    char *text;                 /* the statement in PostgreSQL's numbering, to prepare again */
    Oid types[PG_MAX_PARAMS];
    unsigned gen;               /* the connection generation it is prepared on */
    int nparams;
    const char *values[PG_MAX_PARAMS];
    int lengths[PG_MAX_PARAMS];
    int formats[PG_MAX_PARAMS];
    char ints[PG_MAX_PARAMS][24]; /* integers, bound as decimal text: any integer column takes it */
    int64_t changes;              /* rows the command wrote (PQcmdTuples) */
    PGresult *res; /* after the first step, until reset */
    int row;       /* the current row, -1 before the first */
    bool failed;
};

static struct pg_db *P(struct db *d)
{
    return (struct pg_db *)(void *)d;
}
static struct pg_stmt *Q(struct db_stmt *q)
{
    return (struct pg_stmt *)(void *)q;
}

/* the message of the last failure: the statement's result's if any, else the connection's */
static void record(struct pg_db *p, const char *what, const PGresult *res)
{
    const char *m = res ? PQresultErrorMessage(res) : "";
    if (!m || !*m)
        m = PQerrorMessage(p->conn);
    char line[400];
    str_cut(line, sizeof line, m ? m : "");
    line[strcspn(line, "\n")] = '\0';
    snprintf(p->err, sizeof p->err, "%s: %s", what, line);
}

static void stmt_reset(struct pg_stmt *s)
{
    PQclear(s->res);
    s->res = NULL;
    s->row = -1;
    s->failed = false;
}

/* dollar_params - sql with ?N written $N (outside quotes), as PostgreSQL numbers parameters;
 * used[N] says which appear. -1 if it does not fit or names a parameter past PG_MAX_PARAMS. */
static int dollar_params(const char *sql, char *out, size_t cap, bool used[PG_MAX_PARAMS + 1], int *nparams)
{
    size_t o = 0;
    char quote = 0;
    *nparams = 0;
    for (const char *c = sql; *c; c++) {
        char ch = *c;
        if (quote) {
            if (ch == quote)
                quote = 0;
        } else if (ch == '\'' || ch == '"')
            quote = ch;
        else if ((ch == '?' || ch == '$') && c[1] >= '0' && c[1] <= '9') {
            char *end;
            long n = strtol(c + 1, &end, 10);
            if (n < 1 || n > PG_MAX_PARAMS)
                return -1;
            used[n] = true;
            if (n > *nparams)
                *nparams = (int)n;
            ch = '$';
        }
        if (o + 1 >= cap)
            return -1;
        out[o++] = ch;
    }
    out[o] = '\0';
    return 0;
}

/* copy_end - ends the COPY pg_db_copy_stream left open (abort: refuses its rows); -1 recorded if
 * the server refused them */
static int copy_end(struct pg_db *p, bool abort)
{
    if (!p->copying)
        return 0;
    p->copying = NULL;
    int failed = PQputCopyEnd(p->conn, abort ? "kaigo: rolled back" : NULL) != 1;
    if (failed)
        record(p, "copy", NULL);
    PGresult *r;
    while ((r = PQgetResult(p->conn))) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && !failed && !abort) {
            record(p, "copy", r);
            failed = 1;
        }
        PQclear(r);
    }
    return failed && !abort ? -1 : 0;
}

/* connect_session - a new connection to url with the session's setting made; NULL with the
 * reason in err */
static PGconn *connect_session(const char *url, const char *session, char *err, size_t cap)
{
    PGconn *c = PQconnectdb(url);
    const char *m = NULL;
    PGresult *r = NULL;
    if (!c || PQstatus(c) != CONNECTION_OK)
        m = c ? PQerrorMessage(c) : "out of memory";
    else if (session[0]) {
        r = PQexec(c, session);
        if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
            m = r ? PQresultErrorMessage(r) : PQerrorMessage(c);
    }
    if (m) {
        char line[400];
        str_cut(line, sizeof line, m);
        line[strcspn(line, "\n")] = '\0';
        snprintf(err, cap, "%s", line);
        PQclear(r);
        PQfinish(c);
        return NULL;
    }
    PQclear(r);
    return c;
}

/* reconnect - the connection, made again if it was lost and no transaction is open on it (at
 * most once per PG_RECONNECT_MS, unless the loss was just found by a statement that may run
 * again: now_anyway); -1 (recorded) if it is lost inside a transaction or cannot be made now */
static int reconnect(struct pg_db *p, bool now_anyway)
{
    if (PQstatus(p->conn) == CONNECTION_OK)
        return 0;
    if (p->txn_open) {
        snprintf(p->err, sizeof p->err, "connection lost inside a transaction");
        return -1;
    }
    int64_t now = clock_now_ms();
    if (!now_anyway && p->last_try_ms && now - p->last_try_ms < PG_RECONNECT_MS) {
        snprintf(p->err, sizeof p->err, "connection lost; trying again shortly");
        return -1;
    }
    p->last_try_ms = now;
    char why[400];
    PGconn *c = connect_session(p->url, p->session, why, sizeof why);
    if (!c) {
        snprintf(p->err, sizeof p->err, "reconnect: %s", why);
        return -1;
    }
    PQfinish(p->conn);
    p->conn = c;
    p->gen++;
    p->last_try_ms = 0;
    warn("store: the PostgreSQL connection was lost and is made again");
    return 0;
}

static int ensure_conn(struct pg_db *p)
{
    return reconnect(p, false);
}

/* lost_now - the statement just sent found the connection lost, outside a transaction: it
 * changed nothing (a BEGIN, a PREPARE) and may be sent again on a new connection */
static bool lost_now(struct pg_db *p)
{
    return PQstatus(p->conn) == CONNECTION_BAD && !p->txn_open && reconnect(p, true) == 0;
}

static int prepare(struct pg_stmt *s)
{
    struct pg_db *p = s->db;
    PGresult *r = PQprepare(p->conn, s->name, s->text, s->nparams, s->types);
    if ((!r || PQresultStatus(r) != PGRES_COMMAND_OK) && lost_now(p)) {
        PQclear(r);
        r = PQprepare(p->conn, s->name, s->text, s->nparams, s->types);
    }
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
        record(p, "prepare", r);
        PQclear(r);
        return -1;
    }
    PQclear(r);
    s->gen = p->gen;
    return 0;
}

static struct db_stmt *pq_cached(struct db *d, struct db_stmt **slot, const char *sql)
{
    struct pg_db *p = P(d);
    struct pg_stmt *s = Q(*slot);
    if (copy_end(p, false))
        return NULL;
    if (!s) {
        char text[PG_SQL_MAX];
        bool used[PG_MAX_PARAMS + 1] = {false};
        int n = 0;
        if (dollar_params(sql, text, sizeof text, used, &n)) {
            snprintf(p->err, sizeof p->err, "prepare: statement too long or parameter past $%d", PG_MAX_PARAMS);
            return NULL;
        }
        if (!p->txn_open && ensure_conn(p))
            return NULL;
        s = xcalloc(1, sizeof *s);
        s->db = p;
        s->nparams = n;
        s->text = xstrdup(text);
        /* a parameter the text does not read (bound alike for several statements) is typed text;
         * PostgreSQL infers the others from where they stand */
        for (int i = 1; i <= n; i++)
            if (!used[i])
                s->types[i - 1] = PG_TEXTOID;
        snprintf(s->name, sizeof s->name, "k%u", ++p->nstmts);
        if (prepare(s)) {
            free(s->text);
            free(s);
            return NULL;
        }
        s->next = p->stmts;
        p->stmts = s;
        *slot = (struct db_stmt *)(void *)s;
    }
    stmt_reset(s);
    memset(s->values, 0, sizeof s->values);
    memset(s->lengths, 0, sizeof s->lengths);
    memset(s->formats, 0, sizeof s->formats);
    return (struct db_stmt *)(void *)s;
}

static void pq_bind_text(struct db_stmt *q, int i, const char *v)
{
    struct pg_stmt *s = Q(q);
    if (i < 1 || i > s->nparams)
        return;
    s->values[i - 1] = v;
    s->formats[i - 1] = 0;
}

static void pq_bind_int64(struct db_stmt *q, int i, int64_t v)
{
    struct pg_stmt *s = Q(q);
    if (i < 1 || i > s->nparams)
        return;
    snprintf(s->ints[i - 1], sizeof s->ints[i - 1], "%lld", (long long)v);
    s->values[i - 1] = s->ints[i - 1];
    s->formats[i - 1] = 0;
}

static void pq_bind_blob(struct db_stmt *q, int i, const void *v, size_t n)
{
    struct pg_stmt *s = Q(q);
    if (i < 1 || i > s->nparams)
        return;
    static const char empty[1];
    s->values[i - 1] = n ? v : empty;
    s->lengths[i - 1] = (int)n;
    s->formats[i - 1] = 1;
}

static int pq_step(struct db_stmt *q)
{
    struct pg_stmt *s = Q(q);
    if (s->failed)
        return DB_ERROR;
    if (!s->res) {
        struct pg_db *p = s->db;
        if (copy_end(p, false) || (!p->txn_open && ensure_conn(p)) || (s->gen != p->gen && prepare(s))) {
            s->failed = true;
            return DB_ERROR;
        }
        s->res = PQexecPrepared(s->db->conn, s->name, s->nparams, s->values, s->lengths, s->formats, 1);
        ExecStatusType st = s->res ? PQresultStatus(s->res) : PGRES_FATAL_ERROR;
        if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
            s->failed = true;
            record(s->db, "statement", s->res);
            return DB_ERROR;
        }
        const char *t = PQcmdTuples(s->res);
        s->changes = t && *t ? strtoll(t, NULL, 10) : 0;
    }
    if (s->row + 1 < PQntuples(s->res)) {
        s->row++;
        return DB_ROW;
    }
    return DB_DONE;
}

static int64_t pq_col_int64(struct db_stmt *q, int i)
{
    struct pg_stmt *s = Q(q);
    if (!s->res || s->row < 0 || PQgetisnull(s->res, s->row, i))
        return 0;
    const unsigned char *b = (const unsigned char *)PQgetvalue(s->res, s->row, i);
    int n = PQgetlength(s->res, s->row, i);
    Oid t = PQftype(s->res, i);
    if (t == PG_BOOLOID && n == 1)
        return b[0] != 0;
    if (!((t == PG_INT8OID && n == 8) || (t == PG_INT4OID && n == 4) || (t == PG_INT2OID && n == 2)))
        return 0;
    uint64_t u = (b[0] & 0x80) ? UINT64_MAX : 0; /* sign-extended big-endian */
    for (int k = 0; k < n; k++)
        u = (u << 8) | b[k];
    return (int64_t)u;
}

static const void *pq_col_blob(struct db_stmt *q, int i)
{
    struct pg_stmt *s = Q(q);
    if (!s->res || s->row < 0 || PQgetisnull(s->res, s->row, i) || PQgetlength(s->res, s->row, i) == 0)
        return NULL;
    return PQgetvalue(s->res, s->row, i);
}

static size_t pq_col_bytes(struct db_stmt *q, int i)
{
    struct pg_stmt *s = Q(q);
    if (!s->res || s->row < 0 || PQgetisnull(s->res, s->row, i))
        return 0;
    return (size_t)PQgetlength(s->res, s->row, i);
}

/* text columns come in binary format as their bytes, which libpq ends with a NUL */
static const char *pq_col_text(struct db_stmt *q, int i)
{
    struct pg_stmt *s = Q(q);
    if (!s->res || s->row < 0 || PQgetisnull(s->res, s->row, i))
        return NULL;
    return PQgetvalue(s->res, s->row, i);
}

static int64_t pq_changes(struct db_stmt *q)
{
    return Q(q)->changes;
}

static void pq_reset(struct db_stmt *q)
{
    stmt_reset(Q(q));
}

static int pq_fail(struct db *d, const char *what)
{
    struct pg_db *p = P(d);
    char keep[400];
    str_cut(keep, sizeof keep, p->err); /* the step's message, recorded when it failed */
    snprintf(p->err, sizeof p->err, "%s: %s", what, keep[0] ? keep : PQerrorMessage(p->conn));
    return -1;
}

static void pq_set_error(struct db *d, const char *msg)
{
    str_cut(P(d)->err, sizeof P(d)->err, msg);
}

/* exec_simple - one statement without parameters; BEGIN makes a lost connection again first,
 * and BEGIN, COMMIT and ROLLBACK keep txn_open (the transaction ends with COMMIT or ROLLBACK
 * whatever the server answers: a failed COMMIT on a lost connection ended it too) */
static int exec_simple(struct pg_db *p, const char *sql)
{
    bool begin = strncmp(sql, "BEGIN", 5) == 0;
    if (copy_end(p, strncmp(sql, "ROLLBACK", 8) == 0)) { /* the server refused the COPY's rows */
        if (strcmp(sql, "COMMIT") == 0) { /* which failed the transaction: it ends here */
            char keep[sizeof p->err];
            memcpy(keep, p->err, sizeof keep);
            PQclear(PQexec(p->conn, "ROLLBACK"));
            p->txn_open = false;
            memcpy(p->err, keep, sizeof keep);
        }
        return -1;
    }
    if (begin && ensure_conn(p))
        return -1;
    if (strcmp(sql, "COMMIT") == 0 || strcmp(sql, "ROLLBACK") == 0)
        p->txn_open = false;
    PGresult *r = PQexec(p->conn, sql);
    int ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok && begin && lost_now(p)) {
        PQclear(r);
        r = PQexec(p->conn, sql);
        ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    }
    if (!ok)
        record(p, sql, r);
    else if (begin)
        p->txn_open = true;
    PQclear(r);
    return ok ? 0 : -1;
}

/* The per-insurer row lock (AL_LOCK) does the serialising; the transaction itself is plain. */
static int pq_log_begin(struct db *d)
{
    P(d)->err[0] = '\0';
    return exec_simple(P(d), "BEGIN");
}

static int pq_commit(struct db *d)
{
    return exec_simple(P(d), "COMMIT");
}

static int pq_rollback(struct db *d)
{
    struct pg_db *p = P(d);
    char keep[sizeof p->err];
    memcpy(keep, p->err, sizeof keep);
    p->txn_open = false;
    copy_end(p, true);
    PGresult *r = PQexec(p->conn, "ROLLBACK");
    PQclear(r);
    memcpy(p->err, keep, sizeof keep);
    return -1;
}

static int pq_exec(struct db *d, const char *sql)
{
    return exec_simple(P(d), sql);
}

static bool pq_in_txn(struct db *d)
{
    struct pg_db *p = P(d);
    if (PQstatus(p->conn) != CONNECTION_OK)
        return p->txn_open;
    return PQtransactionStatus(p->conn) != PQTRANS_IDLE;
}

static const struct db_driver pg_driver = {
    .cached = pq_cached,
    .bind_text = pq_bind_text,
    .bind_int64 = pq_bind_int64,
    .bind_blob = pq_bind_blob,
    .step = pq_step,
    .col_int64 = pq_col_int64,
    .col_blob = pq_col_blob,
    .col_bytes = pq_col_bytes,
    .col_text = pq_col_text,
    .changes = pq_changes,
    .reset = pq_reset,
    .record_failure = pq_fail,
    .set_error = pq_set_error,
    .log_begin = pq_log_begin,
    .commit = pq_commit,
    .rollback = pq_rollback,
    .exec = pq_exec,
    .in_txn = pq_in_txn,
};

struct db *pg_db_open(const char *url, char *err, size_t cap)
{
    return pg_db_open_session(url, "", err, cap);
}

struct db *pg_db_open_session(const char *url, const char *session, char *err, size_t cap)
{
    char why[400];
    if (strlen(session) >= sizeof((struct pg_db *)0)->session) {
        snprintf(err, cap, "session setting too long");
        return NULL;
    }
    PGconn *c = connect_session(url, session, why, sizeof why);
    if (!c) {
        char shown[512];
        store_where_redact(url, shown, sizeof shown);
        snprintf(err, cap, "%s: %s", shown, why);
        return NULL;
    }
    struct pg_db *p = xcalloc(1, sizeof *p);
    p->base.drv = &pg_driver;
    p->conn = c;
    p->url = xstrdup(url);
    str_cut(p->session, sizeof p->session, session);
    return &p->base;
}

void pg_db_close(struct db *d)
{
    if (!d)
        return;
    struct pg_db *p = P(d);
    copy_end(p, true);
    for (struct pg_stmt *s = p->stmts, *n; s; s = n) {
        n = s->next;
        PQclear(s->res);
        free(s->text);
        free(s);
    }
    PQfinish(p->conn);
    if (p->url)
        sodium_memzero(p->url, strlen(p->url));
    free(p->url);
    free(p);
}

int pg_db_copy_stream(struct db *d, const char *copy_sql, const char *data, size_t len)
{
    struct pg_db *p = P(d);
    if (p->copying != copy_sql) {
        if (copy_end(p, false))
            return -1;
        if (PQstatus(p->conn) != CONNECTION_OK) {
            snprintf(p->err, sizeof p->err, "copy: connection lost");
            return -1;
        }
        PGresult *r = PQexec(p->conn, copy_sql);
        if (!r || PQresultStatus(r) != PGRES_COPY_IN) {
            record(p, "copy", r);
            PQclear(r);
            return -1;
        }
        PQclear(r);
        p->copying = copy_sql;
    }
    for (size_t off = 0; off < len;) { /* in pieces below libpq's int length */
        size_t n = len - off > (1u << 20) ? (1u << 20) : len - off;
        if (PQputCopyData(p->conn, data + off, (int)n) != 1) {
            record(p, "copy", NULL);
            copy_end(p, true);
            return -1;
        }
        off += n;
    }
    return 0;
}

int pg_db_copy(struct db *d, const char *copy_sql, const char *data, size_t len)
{
    struct pg_db *p = P(d);
    if (copy_end(p, false)) /* never appended to a COPY left open, even of the same text */
        return -1;
    if (pg_db_copy_stream(d, copy_sql, data, len))
        return -1;
    return copy_end(p, false);
}

bool pg_db_copying(struct db *d, const char *copy_sql)
{
    return P(d)->copying == copy_sql;
}

bool pg_db_lost(struct db *d)
{
    return PQstatus(P(d)->conn) != CONNECTION_OK;
}

const char *pg_db_errmsg(struct db *d)
{
    return P(d)->err;
}

/* The audit log's statements (store/auditlog.c) against src/store/pg/schema.sql. */
const char *const pg_auditlog_sql[AL_COUNT] = {
    /* the row lock that orders appenders of one insurer across connections and nodes: taken
     * before the head is read, by a statement of its own, so that the head's read (a new
     * snapshot under READ COMMITTED) sees what the previous holder committed */
    [AL_LOCK] = "INSERT INTO audit_heads (insurer_no, seq) VALUES ($1, 0)"
                " ON CONFLICT (insurer_no) DO UPDATE SET seq = audit_heads.seq",
    [AL_HEAD] = "SELECT seq FROM audit_log WHERE insurer_no = $1 ORDER BY seq DESC LIMIT 1",
    [AL_INSERT] = "INSERT INTO audit_log (insurer_no, seq, entry, leaf_hash) VALUES ($1, $2, $3, $4)",
    [AL_INSERT_MANY] = "INSERT INTO audit_log (insurer_no, seq, entry, leaf_hash) VALUES ($1, $2, $3, $4),"
                       " ($5, $6, $7, $8), ($9, $10, $11, $12), ($13, $14, $15, $16), ($17, $18, $19, $20),"
                       " ($21, $22, $23, $24), ($25, $26, $27, $28), ($29, $30, $31, $32)",
    [AL_LEAVES_FROM] = "SELECT seq, leaf_hash FROM audit_log WHERE insurer_no = $1 AND seq > $2 ORDER BY seq",
    [AL_ITER_FROM] = "SELECT seq, entry, leaf_hash FROM audit_log WHERE insurer_no = $1 AND seq >= $2"
                     " ORDER BY seq LIMIT $3",
    [AL_BLOCK_INSERT] = "INSERT INTO audit_blocks (insurer_no, blk, root) VALUES ($1, $2, $3)",
    [AL_BLOCK_LIST] = "SELECT blk, root FROM audit_blocks WHERE insurer_no = $1 ORDER BY blk",
    [AL_CKPT_INSERT] = "INSERT INTO audit_checkpoints (insurer_no, tree_size, root, time_ms, signature, frontier)"
                       " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    [AL_CKPT_LAST_TIME] = "SELECT time_ms FROM audit_checkpoints WHERE insurer_no = $1 ORDER BY tree_size DESC LIMIT 1",
    [AL_CKPT_FRONTIER] = "SELECT tree_size, frontier FROM audit_checkpoints WHERE insurer_no = $1 AND tree_size <= $2"
                         " ORDER BY tree_size DESC LIMIT 1",
    [AL_CKPT_LIST] = "SELECT tree_size, root, time_ms, signature FROM audit_checkpoints WHERE insurer_no = $1"
                     " ORDER BY tree_size",
};
