/* migrate.c - store_migrate: a SQLite store copied into an empty PostgreSQL database (migrate.h).
 *
 * The two backends' schemas name every copied column alike (src/store/sqlite/migrations/ and
 * src/store/pg/schema.sql); the columns are PostgreSQL's (its catalog, less generated ones such as
 * audit_log.insured_no, which PostgreSQL computes from the entry), selected by the same names from
 * SQLite. Rows travel in COPY's text format: NULL as \N, bytea as \\x<hex>, text with backslash, tab,
 * newline and carriage return escaped. That line is also each row's canonical form for the
 * comparison: the table is read back from PostgreSQL inside the transaction, each row formed the
 * same way, and the two sides' counts and sums of BLAKE2b digests of the lines must be equal (an
 * order-free digest: the audit log's own integrity is proved by `kaigo audit verify`, this says
 * nothing was lost, added or changed in between).
 *
 * SQL here is assembled from identifiers only: the table names of MIGRATE_TABLES and the column
 * names PostgreSQL's catalog gives, each checked to be [a-z0-9_] before use; no value is ever put
 * into SQL text.
 *
 * Ownership: everything opened here is closed here. Failure: -1 with err; `to` rolled back. */
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/migrate.h"
#include "store/sqlite/migrations.h"
#include "store/pg/pg.h"
#include "util/buf.h"
#include "util/text.h"
#include "util/banned.h"

/* the tables copied, parents before children (PostgreSQL's foreign keys and record_versions'
 * trigger on insurers and changes); src: SQLite's name, in the audit file when audit */
static const struct mtable {
    const char *pg, *src;
    bool audit;
} tables[] = {
    {"insurers", "insurers", false},
    {"changes", "changes", false},
    {"orgs", "orgs", false},
    {"accounts", "accounts", false},
    {"api_tokens", "api_tokens", false},
    {"sessions", "sessions", false},
    {"breakglass", "breakglass", false},
    {"proxies", "proxies", false},
    {"proxy_invites", "proxy_invites", false},
    {"record_versions", "record_versions", false},
    {"record_current", "record_current", false},
    {"import_runs", "import_runs", false},
    {"chiiki_grades", "chiiki_grades", false},
    {"consents", "consents", false},
    {"consent_withdrawals", "consent_withdrawals", false},
    {"relationships", "relationships", false},
    {"verify_codes", "verify_codes", false},
    {"paper_documents", "paper_documents", false},
    {"exchange_deliveries", "exchange_deliveries", false},
    {"ikensho_requests", "ikensho_requests", false},
    {"ikensho_drafts", "ikensho_drafts", false},
    {"monitoring_visits", "monitoring_visits", false},
    {"plan_months", "plan_months", false},
    {"insurer_population", "insurer_population", false},
    {"security_events", "security_events", false},
    {"audit_log", "audit_log", true},
    {"audit_checkpoints", "checkpoints", true},
    {"audit_blocks", "blocks", true},
};
#define NTABLES (sizeof tables / sizeof *tables)

/* left out on purpose: schema bookkeeping (each side has its own), the readiness probe's scratch
 * row, SQLite's link between its two files; the failed-login counters (they start afresh); PostgreSQL's audit heads (made from the copied log:
 * store_migrate) and its person-index tables (not kept on PostgreSQL: store/pg/store.c) */
static const char *const left_out[] = {"schema_migrations", "health_probe", "audit_link", "meta", "audit_meta",
                                       "audit_heads", "audit_idx_meta", "audit_idx_person_epoch", "audit_idx_upto",
                                       "throttles"};

#define COPY_FLUSH ((size_t)1 << 20) /* bytes of COPY text sent at a time */
#define LINE_MAX_BYTES ((size_t)256 << 20) /* one row's COPY line, past which the migration fails */
#define MAX_COLS 32

struct col {
    char name[64];
    bool bytea, identity;
};

struct mig {
    sqlite3 *src, *aud; /* aud NULL: the store has no audit log yet */
    struct db *pg;
    char *err;
    size_t cap;
    bool refused; /* the failure is a refusal (store_migrate returns 1) */
};

static int failf(struct mig *m, const char *what, const char *detail)
{
    snprintf(m->err, m->cap, "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
    return -1;
}

/* refusef - failf for what the operator must decide on: the source or target is not fit, the copy differs */
static int refusef(struct mig *m, const char *what, const char *detail)
{
    m->refused = true;
    return failf(m, what, detail);
}

static bool is_ident(const char *s)
{
    if (!*s || strlen(s) >= 64)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

enum side { SQLITE_MAIN, SQLITE_AUDIT, PG_SIDE };

/* listed - name, a table of that side, is copied or left out on purpose */
static bool listed(const char *name, enum side side)
{
    if (side != PG_SIDE && !strncmp(name, "sqlite_", 7))
        return true; /* SQLite's own (sqlite_sequence, sqlite_stat1) */
    for (size_t i = 0; i < sizeof left_out / sizeof *left_out; i++)
        if (!strcmp(name, left_out[i]))
            return true;
    for (size_t i = 0; i < NTABLES; i++) {
        if (side == PG_SIDE && !strcmp(name, tables[i].pg))
            return true;
        if (side != PG_SIDE && tables[i].audit == (side == SQLITE_AUDIT) && !strcmp(name, tables[i].src))
            return true;
    }
    return false;
}

/* ---- the schemas agree with the list ----------------------------------------------------------------- */

static int check_sqlite_tables(struct mig *m, sqlite3 *s, enum side side)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", -1, &q, NULL))
        return failf(m, "移行元の表の一覧を読めません", sqlite3_errmsg(s));
    int rc, bad = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        if (name && !listed(name, side)) {
            refusef(m, "移行元に kaigo migrate の知らない表があります (src/store/migrate.c の一覧に加えてください)", name);
            bad = 1;
            break;
        }
    }
    if (!bad && rc != SQLITE_DONE)
        failf(m, "移行元の表の一覧を読めません", sqlite3_errmsg(s));
    sqlite3_finalize(q);
    return bad || rc != SQLITE_DONE ? -1 : 0;
}

static struct db_stmt *pg_q(struct mig *m, struct db_stmt **slot, const char *sql)
{
    struct db_stmt *q = db_cached(m->pg, slot, sql);
    if (!q)
        failf(m, "移行先", pg_db_errmsg(m->pg));
    return q;
}

static int check_pg_tables(struct mig *m)
{
    struct db_stmt *slot = NULL,
                   *q = pg_q(m, &slot,
                             "SELECT c.relname FROM pg_class c WHERE c.relnamespace = CAST('public' AS regnamespace)"
                             " AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1");
    if (!q)
        return -1;
    int rc;
    while ((rc = db_step(m->pg, q)) == DB_ROW) {
        const char *name = db_col_text(m->pg, q, 0);
        if (name && !listed(name, PG_SIDE)) {
            refusef(m, "移行先に kaigo migrate の知らない表があります (src/store/migrate.c の一覧に加えてください)", name);
            db_reset(m->pg, q);
            return -1;
        }
    }
    if (rc != DB_DONE) {
        m->pg->drv->record_failure(m->pg, "tables");
        return failf(m, "移行先の表の一覧を読めません", pg_db_errmsg(m->pg));
    }
    /* every copied table must be empty: a municipality moves into a database of its own (ids of
     * accounts, changes and consents are kept as they are, which a shared database would clash on) */
    for (size_t i = 0; i < NTABLES; i++) {
        struct buf b;
        buf_init(&b, 256);
        buf_adds(&b, "SELECT 1 FROM ");
        buf_adds(&b, tables[i].pg);
        buf_adds(&b, " LIMIT 1");
        struct db_stmt *s = NULL, *e = buf_failed(&b) ? NULL : pg_q(m, &s, b.ptr);
        buf_release(&b);
        if (!e)
            return -1;
        rc = db_step(m->pg, e);
        db_reset(m->pg, e);
        if (rc == DB_ROW)
            return refusef(m, "移行先のデータベースが空ではありません (空のデータベースに schema.sql を入れてから移行します)",
                         tables[i].pg);
        if (rc != DB_DONE) {
            m->pg->drv->record_failure(m->pg, tables[i].pg);
            return failf(m, "移行先", pg_db_errmsg(m->pg));
        }
    }
    return 0;
}

/* columns - PostgreSQL's columns of t that are written (generated ones are computed there) */
static int columns(struct mig *m, const char *t, struct col *cols, size_t *n)
{
    struct db_stmt *slot = NULL,
                   *q = pg_q(m, &slot,
                             "SELECT a.attname, format_type(a.atttypid, a.atttypmod) = 'bytea', a.attidentity <> ''"
                             " FROM pg_attribute a WHERE a.attrelid = CAST(?1 AS regclass) AND a.attnum > 0"
                             " AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum");
    if (!q)
        return -1;
    db_bind_text(m->pg, q, 1, t);
    int rc;
    *n = 0;
    while ((rc = db_step(m->pg, q)) == DB_ROW) {
        const char *name = db_col_text(m->pg, q, 0);
        if (*n == MAX_COLS || !name || !is_ident(name)) {
            db_reset(m->pg, q);
            return failf(m, "移行先の列を扱えません", t);
        }
        str_cut(cols[*n].name, sizeof cols[*n].name, name);
        cols[*n].bytea = db_col_int64(m->pg, q, 1) != 0; /* booleans, as the driver reads them */
        cols[*n].identity = db_col_int64(m->pg, q, 2) != 0;
        (*n)++;
    }
    if (rc != DB_DONE) {
        m->pg->drv->record_failure(m->pg, t);
        return failf(m, "移行先の列を読めません", pg_db_errmsg(m->pg));
    }
    return *n ? 0 : failf(m, "移行先に表がありません", t);
}

/* ---- one row as a COPY line ---------------------------------------------------------------------- */

static void add_hex(struct buf *b, const unsigned char *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    buf_adds(b, "\\\\x");
    for (size_t i = 0; i < n; i++) {
        buf_addc(b, hex[p[i] >> 4]);
        buf_addc(b, hex[p[i] & 15]);
    }
}

/* digest - the order-free sum of the rows' line digests, and their count */
struct digest {
    uint64_t sum[2];
    long long rows;
};

static void digest_add(struct digest *d, const char *line, size_t n)
{
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)line, n, NULL, 0);
    for (int k = 0; k < 2; k++) {
        uint64_t v = 0;
        for (int i = 0; i < 8; i++)
            v = v << 8 | h[k * 8 + i];
        d->sum[k] += v;
    }
    d->rows++;
}

/* ---- one table ------------------------------------------------------------------------------------- */

static int copy_table(struct mig *m, const struct mtable *t, migrate_progress_fn *fn, void *ctx, struct migrate_table *res)
{
    struct col cols[MAX_COLS];
    size_t n;
    if (columns(m, t->pg, cols, &n))
        return -1;
    res->name = t->pg;
    res->rows = 0;
    res->equal = false;
    struct buf sel, copy, back, line, out;
    buf_init(&sel, 4096);
    buf_init(&copy, 4096);
    buf_init(&back, 4096);
    buf_init(&line, LINE_MAX_BYTES);
    buf_init(&out, COPY_FLUSH + LINE_MAX_BYTES);
    buf_adds(&sel, "SELECT ");
    buf_adds(&copy, "COPY ");
    buf_adds(&copy, t->pg);
    buf_adds(&copy, " (");
    buf_adds(&back, "SELECT ");
    for (size_t i = 0; i < n; i++) {
        const char *sep = i ? ", " : "";
        buf_adds(&sel, sep);
        buf_adds(&sel, cols[i].name);
        buf_adds(&copy, sep);
        buf_adds(&copy, cols[i].name);
        buf_adds(&back, sep); /* every column as its text (the driver reads results in binary) */
        buf_adds(&back, cols[i].bytea ? "encode(" : "CAST(");
        buf_adds(&back, cols[i].name);
        buf_adds(&back, cols[i].bytea ? ", 'hex')" : " AS text)");
    }
    buf_adds(&sel, " FROM ");
    buf_adds(&sel, t->src);
    buf_adds(&copy, ") FROM STDIN");
    buf_adds(&back, " FROM ");
    buf_adds(&back, t->pg);
    int rc = -1;
    struct digest from = {{0, 0}, 0}, to = {{0, 0}, 0};
    sqlite3 *s = t->audit ? m->aud : m->src;
    sqlite3_stmt *q = NULL;
    if (buf_failed(&sel) || buf_failed(&copy) || buf_failed(&back)) {
        failf(m, "移行の文を作れません", t->pg);
        goto out;
    }
    if (s && sqlite3_prepare_v2(s, sel.ptr, -1, &q, NULL)) {
        failf(m, "移行元の表を読めません", sqlite3_errmsg(s)); /* a column PostgreSQL has and SQLite lacks */
        goto out;
    }
    int step = SQLITE_DONE;
    while (q && (step = sqlite3_step(q)) == SQLITE_ROW) {
        buf_reset(&line);
        for (size_t i = 0; i < n; i++) {
            if (i)
                buf_addc(&line, '\t');
            if (sqlite3_column_type(q, (int)i) == SQLITE_NULL)
                buf_adds(&line, "\\N");
            else if (cols[i].bytea)
                add_hex(&line, sqlite3_column_blob(q, (int)i), (size_t)sqlite3_column_bytes(q, (int)i));
            else {
                const char *v = (const char *)sqlite3_column_text(q, (int)i);
                pg_copy_text(&line, v ? v : "", (size_t)sqlite3_column_bytes(q, (int)i));
            }
        }
        buf_addc(&line, '\n');
        if (buf_failed(&line)) {
            failf(m, "行が大きすぎます", t->pg);
            goto out;
        }
        digest_add(&from, line.ptr, line.len);
        buf_add(&out, line.ptr, line.len);
        if (out.len >= COPY_FLUSH) {
            if (pg_db_copy_stream(m->pg, copy.ptr, out.ptr, out.len)) {
                failf(m, "移行先への COPY が拒まれました", pg_db_errmsg(m->pg));
                goto out;
            }
            buf_reset(&out);
        }
        if (fn && ++res->rows % MIGRATE_PROGRESS_ROWS == 0)
            fn(ctx, res, false);
    }
    res->rows = from.rows;
    if (q && step != SQLITE_DONE) {
        failf(m, "移行元の表を読めません", sqlite3_errmsg(s));
        goto out;
    }
    if (out.len && pg_db_copy_stream(m->pg, copy.ptr, out.ptr, out.len)) {
        failf(m, "移行先への COPY が拒まれました", pg_db_errmsg(m->pg));
        goto out;
    }
    /* read back (the statement ends the COPY first, and fails with its message if it was refused) */
    struct db_stmt *slot = NULL, *b = pg_q(m, &slot, back.ptr);
    if (!b)
        goto out;
    while ((step = db_step(m->pg, b)) == DB_ROW) {
        buf_reset(&line);
        for (size_t i = 0; i < n; i++) {
            if (i)
                buf_addc(&line, '\t');
            const char *v = db_col_text(m->pg, b, (int)i);
            if (!v)
                buf_adds(&line, "\\N");
            else if (cols[i].bytea) {
                buf_adds(&line, "\\\\x");
                buf_adds(&line, v);
            } else
                pg_copy_text(&line, v, strlen(v));
        }
        buf_addc(&line, '\n');
        if (buf_failed(&line)) {
            db_reset(m->pg, b);
            failf(m, "行が大きすぎます", t->pg);
            goto out;
        }
        digest_add(&to, line.ptr, line.len);
    }
    if (step != DB_DONE) {
        m->pg->drv->record_failure(m->pg, t->pg);
        failf(m, "移行先への COPY が拒まれました", pg_db_errmsg(m->pg));
        goto out;
    }
    res->equal = from.rows == to.rows && from.sum[0] == to.sum[0] && from.sum[1] == to.sum[1];
    if (!res->equal) {
        refusef(m, "移行先の内容が移行元と一致しません", t->pg);
        goto out;
    }
    /* an identity column continues after the copied ids (setval needs the sequence's owner) */
    for (size_t i = 0; i < n; i++) {
        if (!cols[i].identity || !from.rows)
            continue;
        struct buf sv;
        buf_init(&sv, 512);
        buf_adds(&sv, "SELECT setval(pg_get_serial_sequence(?1, ?2), (SELECT max(");
        buf_adds(&sv, cols[i].name);
        buf_adds(&sv, ") FROM ");
        buf_adds(&sv, t->pg);
        buf_adds(&sv, "))");
        struct db_stmt *sl = NULL, *v = buf_failed(&sv) ? NULL : pg_q(m, &sl, sv.ptr);
        buf_release(&sv);
        if (!v)
            goto out;
        db_bind_text(m->pg, v, 1, t->pg);
        db_bind_text(m->pg, v, 2, cols[i].name);
        step = db_step(m->pg, v);
        db_reset(m->pg, v);
        if (step != DB_ROW) {
            m->pg->drv->record_failure(m->pg, "setval");
            failf(m, "連番を進められません (--to には schema.sql を入れた所有者のロールの URL を指定します)",
                  pg_db_errmsg(m->pg));
            goto out;
        }
    }
    if (fn)
        fn(ctx, res, true);
    rc = 0;
out:
    sqlite3_finalize(q);
    buf_release(&sel);
    buf_release(&copy);
    buf_release(&back);
    buf_release(&line);
    buf_release(&out);
    return rc;
}

/* ---- the source -------------------------------------------------------------------------------------- */

static int open_source(struct mig *m, const char *from)
{
    struct stat sb;
    if (stat(from, &sb) || !S_ISREG(sb.st_mode))
        return failf(m, "移行元の SQLite ファイルがありません", NULL);
    if (sqlite3_open_v2(from, &m->src, SQLITE_OPEN_READONLY, NULL))
        return failf(m, "移行元を開けません", sqlite3_errmsg(m->src));
    char aud[4096];
    int len = snprintf(aud, sizeof aud, "%s.audit", from);
    if (len < 0 || (size_t)len >= sizeof aud)
        return failf(m, "移行元のパスが長すぎます", NULL);
    if (stat(aud, &sb) == 0 && sqlite3_open_v2(aud, &m->aud, SQLITE_OPEN_READONLY, NULL))
        return failf(m, "移行元の監査ログを開けません", sqlite3_errmsg(m->aud));
    /* one read snapshot of each file for the whole copy */
    sqlite3_stmt *q;
    for (int k = 0; k < 2; k++) {
        sqlite3 *s = k ? m->aud : m->src;
        if (!s)
            continue;
        if (sqlite3_prepare_v2(s, "BEGIN", -1, &q, NULL) || sqlite3_step(q) != SQLITE_DONE) {
            sqlite3_finalize(q);
            return failf(m, "移行元を読めません", sqlite3_errmsg(s));
        }
        sqlite3_finalize(q);
    }
    /* the source must be at this binary's schema (an older one: open it with kaigo once first) */
    if (sqlite3_prepare_v2(m->src, "SELECT max(version) FROM schema_migrations", -1, &q, NULL) ||
        sqlite3_step(q) != SQLITE_ROW) {
        sqlite3_finalize(q);
        return refusef(m, "移行元は kaigo のデータベースではありません", sqlite3_errmsg(m->src));
    }
    int v = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (v != migrations[migrations_len - 1].version)
        return refusef(m, "移行元のスキーマの版がこの kaigo と違います (この kaigo で一度開いてから移行します)", NULL);
    if (check_sqlite_tables(m, m->src, SQLITE_MAIN) || (m->aud && check_sqlite_tables(m, m->aud, SQLITE_AUDIT)))
        return -1;
    return 0;
}

int store_migrate(const char *from, const char *to, migrate_progress_fn *fn, void *ctx, char *err, size_t cap)
{
    struct mig m = {NULL, NULL, NULL, err, cap, false};
    char perr[512];
    int rc = -1;
    if (open_source(&m, from))
        goto out;
    if (!(m.pg = pg_db_open(to, perr, sizeof perr))) {
        failf(&m, "移行先に接続できません", perr);
        goto out;
    }
    if (check_pg_tables(&m))
        goto out;
    if (m.pg->drv->exec(m.pg, "BEGIN")) {
        failf(&m, "移行先", pg_db_errmsg(m.pg));
        goto out;
    }
    struct migrate_table res;
    for (size_t i = 0; i < NTABLES; i++)
        if (copy_table(&m, &tables[i], fn, ctx, &res)) {
            m.pg->drv->rollback(m.pg);
            goto out;
        }
    /* each insurer with a log has its row in audit_heads, as its first append makes it (the row
     * its appenders lock, and the list `kaigo audit verify` walks: pg_auditlog_sql AL_LOCK) */
    if (m.pg->drv->exec(m.pg, "INSERT INTO audit_heads (insurer_no, seq) SELECT DISTINCT insurer_no, 0 FROM audit_log")) {
        failf(&m, "移行先の監査ログの先頭を作れません", pg_db_errmsg(m.pg));
        m.pg->drv->rollback(m.pg);
        goto out;
    }
    if (m.pg->drv->commit(m.pg)) {
        failf(&m, "移行先の COMMIT が失敗しました", pg_db_errmsg(m.pg));
        goto out;
    }
    rc = 0;
out:
    if (rc && m.refused)
        rc = 1;
    if (m.pg)
        pg_db_close(m.pg);
    sqlite3_close(m.aud);
    sqlite3_close(m.src);
    return rc;
}
