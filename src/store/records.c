/* records.c - the registry's operations over the narrow driver; see records.h. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/records.h"
#include "util/log.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* The statements in SQL both dialects read alike. NULL: the dialect must give its own (an id
 * that is written for one engine's planner: SQLite's bare column beside max(), INDEXED BY). */
static const char *const records_sql_common[R_COUNT] = {
    [R_INSURER_GET] = "SELECT insurer_no, name, prefecture, card_issue, platform_start FROM insurers"
                      " WHERE insurer_no = ?1",
    [R_INSURER_ADD] = "INSERT INTO insurers (insurer_no, name, prefecture, registered_at, registered_by)"
                      " VALUES (?1, ?2, ?3, ?4, ?5)",
    [R_INSURER_SET_NAME] = "UPDATE insurers SET name = ?2 WHERE insurer_no = ?1",
    [R_INSURER_SET_POLICY] = "UPDATE insurers SET card_issue = ?2, platform_start = ?3 WHERE insurer_no = ?1",
    [R_INSURER_LIST] = "SELECT i.insurer_no, i.name, i.prefecture,"
                       " (SELECT COUNT(DISTINCT insured_no) FROM record_versions r"
                       "   WHERE r.insurer_no = i.insurer_no AND r.kind = 'insured'),"
                       " i.card_issue, i.platform_start"
                       " FROM insurers i ORDER BY i.insurer_no",
    [R_RECORD_CURRENT] = "SELECT version, body FROM record_versions WHERE insurer_no = ?1 AND"
                         " insured_no = ?2 AND kind = ?3 AND rkey = ?4 ORDER BY version DESC LIMIT 1",
    [R_RECORD_INSERT] = "INSERT INTO record_versions (insurer_no, insured_no, kind, rkey, version,"
                        " change_id, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [R_CHANGE_INSERT] = "INSERT INTO changes (recorded_at, author, reason) VALUES (?1, ?2, ?3) RETURNING id",
    /* the card's kinds but insured (CURRENT_KINDS) keep their newest version in record_current too (0016) */
    [R_CURRENT_PUT] = "INSERT INTO record_current (insurer_no, insured_no, kind, rkey, version, body)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (insurer_no, insured_no, kind, rkey)"
                      " DO UPDATE SET version = excluded.version, body = excluded.body"
                      " WHERE excluded.version > record_current.version",
    [R_PERSON_EXISTS] = "SELECT 1 FROM record_versions WHERE insurer_no = ?1 AND insured_no = ?2"
                        " AND kind = 'insured' AND rkey = '' LIMIT 1",
    /* the newest version of each (kind, rkey) of the card's kinds but insured, in key order: one
     * seek and a short range of record_current (it was one seek per kind and a GROUP BY over
     * every version of record_versions: ≈ 14 % of a card read's worker time, issue #21); the
     * insured record is one reverse seek in record_versions (R_RECORD_CURRENT) */
    [R_RECORD_LIST] = "SELECT kind, rkey, body FROM record_current WHERE insurer_no = ?1 AND"
                      " insured_no = ?2 ORDER BY kind, rkey",
    [R_PAPER_NEXT] = "SELECT coalesce(max(serial), 0) + 1 FROM paper_documents WHERE insurer_no = ?1",
    /* ?3 = 1: only persons with a 認定 or an application (an insurer issuing the 被保険者証 at 申請) */
    [R_PERSONS_ALL] = "SELECT DISTINCT insured_no FROM record_versions r WHERE insurer_no = ?1 AND kind = 'insured'"
                      " AND (?3 = 0 OR EXISTS (SELECT 1 FROM record_versions a WHERE a.insurer_no = r.insurer_no"
                      "  AND a.insured_no = r.insured_no AND a.kind IN ('certification', 'application')))"
                      " ORDER BY insured_no",
    [R_PERSONS_SINCE] = "SELECT DISTINCT r.insured_no FROM record_versions r JOIN changes c ON c.id = r.change_id"
                        " WHERE r.insurer_no = ?1 AND c.recorded_at >= ?2"
                        " AND (?3 = 0 OR EXISTS (SELECT 1 FROM record_versions a WHERE a.insurer_no = r.insurer_no"
                        "  AND a.insured_no = r.insured_no AND a.kind IN ('certification', 'application')))"
                        " ORDER BY r.insured_no",
    [R_PAPER_GET] = "SELECT d.insured_no, d.kind, d.content_hash, d.revoked_by IS NOT NULL,"
                    " (SELECT max(serial) FROM paper_documents x WHERE x.insurer_no = d.insurer_no"
                    " AND x.insured_no = d.insured_no AND x.kind = d.kind)"
                    " FROM paper_documents d WHERE d.insurer_no = ?1 AND d.serial = ?2",
    [R_PAPER_REVOKE] = "UPDATE paper_documents SET revoked_by = ?3 WHERE insurer_no = ?1 AND serial = ?2"
                       " AND revoked_by IS NULL",
    /* a period of the same municipality and start replaces the one stored */
    [R_CHIIKI_PUT] = "INSERT INTO chiiki_grades (lg_code, name, grade, valid_from, valid_to, change_id)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (lg_code, valid_from) DO UPDATE SET"
                     " name = excluded.name, grade = excluded.grade, valid_to = excluded.valid_to,"
                     " change_id = excluded.change_id",
    [R_CHIIKI_GET] = "SELECT grade FROM chiiki_grades WHERE lg_code = ?1 AND valid_from <= ?2 AND valid_to >= ?2"
                     " ORDER BY valid_from DESC LIMIT 1",
    /* every version of a person's registry records with its change (who, when, why): the 真正性 page */
    [R_RECORD_HISTORY] = "SELECT r.kind, r.rkey, r.version, r.body, c.recorded_at, c.author, c.reason"
                         " FROM record_versions r JOIN changes c ON c.id = r.change_id"
                         " WHERE r.insurer_no = ?1 AND r.insured_no = ?2 AND r.kind IN ('burden', 'certification',"
                         " 'facility', 'insured', 'limit', 'plan', 'restriction')"
                         " ORDER BY r.kind, r.rkey, r.version DESC",
    [R_POPULATION_PUT] = "INSERT INTO insurer_population (insurer_no, as_of, population, recorded_ms, recorded_by)"
                         " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (insurer_no, as_of) DO UPDATE SET"
                         " population = excluded.population, recorded_ms = excluded.recorded_ms,"
                         " recorded_by = excluded.recorded_by",
    [R_POPULATION_GET] = "SELECT population, as_of FROM insurer_population WHERE insurer_no = ?1 AND as_of <= ?2"
                         " ORDER BY as_of DESC LIMIT 1",
    [R_KIND_EMPTY] = "SELECT 1 FROM record_versions WHERE insurer_no = ?1 AND kind = ?2 LIMIT 1",
    [R_UNATTRIBUTED] = "SELECT count(*) FROM record_versions v WHERE (?1 = '' OR v.insurer_no = ?1)"
                       " AND (NOT EXISTS (SELECT 1 FROM changes c WHERE c.id = v.change_id)"
                       " OR NOT EXISTS (SELECT 1 FROM insurers i WHERE i.insurer_no = v.insurer_no))",
    [R_IMPORT_RUN] = "INSERT INTO import_runs (change_id, kind, file_sha256, rows_total, rows_changed)"
                     " VALUES (?1, ?2, ?3, ?4, ?5)",
};

struct records {
    struct db *db;
    const char *sql[R_COUNT];
    struct db_stmt *stmt[R_COUNT];
};

struct records *records_new(struct db *db, const char *const dialect[R_COUNT])
{
    struct records *R = xcalloc(1, sizeof *R);
    R->db = db;
    for (int i = 0; i < R_COUNT; i++) {
        R->sql[i] = dialect && dialect[i] ? dialect[i] : records_sql_common[i];
        if (!R->sql[i])
            die("records: statement %d has no SQL in this dialect", i); /* a programming error */
    }
    return R;
}

void records_free(struct records *R)
{
    free(R); /* the statements belong to the connection, which finalizes them */
}

void store_now_iso(char out[64])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

static struct db_stmt *stmt(struct store *st, enum records_stmt id)
{
    struct records *R = st->rec;
    return db_cached(R->db, &R->stmt[id], R->sql[id]);
}

/* finish - steps a statement that returns no rows to its end; 0, or -1 with what failed */
static int finish(struct db *d, struct db_stmt *q, const char *what)
{
    if (db_step(d, q) != DB_DONE) {
        db_fail(d, what); /* before the reset, which may forget the message */
        db_reset(d, q);
        return -1;
    }
    return 0;
}

/* ---- insurers ------------------------------------------------------------ */

/* the policy columns of migration 0012 (card_issue, platform_start) from column col on */
static void insurer_policy_cols(struct db *d, struct db_stmt *q, int col, struct insurer *out)
{
    const char *ci = db_col_text(d, q, col);
    const char *ps = db_col_text(d, q, col + 1);
    const char *why;
    if (!ci || card_issue_parse(ci, &out->card_issue))
        out->card_issue = CARD_ISSUE_AGE65;
    if (!ps || !*ps || date_parse_iso(ps, strlen(ps), &out->platform_start, &why))
        out->platform_start = DATE_NONE;
}

int rec_insurer_get(struct store *st, const char *no, struct insurer *out)
{
    struct db *d = st->rec->db;
    struct db_stmt *q = stmt(st, R_INSURER_GET);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, no);
    int rc = db_step(d, q);
    if (rc == DB_DONE)
        return STORE_NOTFOUND;
    if (rc != DB_ROW)
        return db_fail(d, "insurer_get");
    db_copy_text(d, q, 0, out->insurer_no, sizeof out->insurer_no);
    db_copy_text(d, q, 1, out->name, sizeof out->name);
    db_copy_text(d, q, 2, out->prefecture, sizeof out->prefecture);
    insurer_policy_cols(d, q, 3, out);
    db_reset(d, q);
    return 0;
}

int rec_insurer_add(struct store *st, const struct insurer *in, const char *by)
{
    struct db *d = st->rec->db;
    char now[64];
    struct db_stmt *q = stmt(st, R_INSURER_ADD);
    if (!q)
        return -1;
    store_now_iso(now);
    db_bind_text(d, q, 1, in->insurer_no);
    db_bind_text(d, q, 2, in->name);
    db_bind_text(d, q, 3, in->prefecture);
    db_bind_text(d, q, 4, now);
    db_bind_text(d, q, 5, by);
    return finish(d, q, "insurer_add");
}

/* updated - steps an UPDATE of one keyed row: 0, STORE_NOTFOUND if no row had the key, or -1 */
static int updated(struct db *d, struct db_stmt *q, const char *what)
{
    if (finish(d, q, what))
        return -1;
    return db_changes(d, q) ? 0 : STORE_NOTFOUND;
}

int rec_insurer_set_name(struct store *st, const char *no, const char *name)
{
    struct db *d = st->rec->db;
    struct db_stmt *q = stmt(st, R_INSURER_SET_NAME);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, no);
    db_bind_text(d, q, 2, name);
    return updated(d, q, "insurer_set_name");
}

int rec_insurer_set_policy(struct store *st, const char *no, enum card_issue card_issue, struct date platform_start)
{
    struct db *d = st->rec->db;
    struct db_stmt *q = stmt(st, R_INSURER_SET_POLICY);
    if (!q)
        return -1;
    char iso[DATE_ISO_LEN + 1] = "";
    if (!date_is_none(platform_start))
        date_iso(platform_start, iso);
    db_bind_text(d, q, 1, no);
    db_bind_text(d, q, 2, card_issue_code(card_issue));
    db_bind_text(d, q, 3, iso);
    return updated(d, q, "insurer_set_policy");
}

int rec_insurer_list(struct store *st, store_insurer_fn *fn, void *ctx)
{
    struct db *d = st->rec->db;
    struct db_stmt *q = stmt(st, R_INSURER_LIST);
    if (!q)
        return -1;
    int rc;
    while ((rc = db_step(d, q)) == DB_ROW) {
        struct insurer ins;
        db_copy_text(d, q, 0, ins.insurer_no, sizeof ins.insurer_no);
        db_copy_text(d, q, 1, ins.name, sizeof ins.name);
        db_copy_text(d, q, 2, ins.prefecture, sizeof ins.prefecture);
        insurer_policy_cols(d, q, 4, &ins);
        if (fn(ctx, &ins, db_col_int64(d, q, 3))) {
            db_reset(d, q);
            return 0;
        }
    }
    db_reset(d, q);
    return rc == DB_DONE ? 0 : db_fail(d, "insurer_list");
}

/* ---- changes and records ------------------------------------------------- */

int rec_change_begin(struct store *st, const char *author, const char *reason, long long *id)
{
    struct db *d = st->rec->db;
    char now[64];
    struct db_stmt *q = stmt(st, R_CHANGE_INSERT);
    if (!q)
        return -1;
    store_now_iso(now);
    db_bind_text(d, q, 1, now);
    db_bind_text(d, q, 2, author);
    db_bind_text(d, q, 3, reason);
    if (db_step(d, q) != DB_ROW) {
        db_fail(d, "change_begin");
        db_reset(d, q);
        return -1;
    }
    *id = db_col_int64(d, q, 0);
    db_reset(d, q);
    return 0;
}

/* The kinds a card is made of (record_list_current) but insured, kept current in record_current;
 * migration 0016 and RECORDS_CURRENT_KINDS_SQL name the same list. The insured record (one a
 * person, rkey '') is left out: its newest version is one reverse seek in record_versions
 * already, and the bulk import of a municipality's 被保険者 - a million rows - would pay a second
 * write for each (bench/import.sh: ratio 0.53 → 0.47 with it). */
static const char *const CURRENT_KINDS[] = {"application", "burden", "certification", "facility",
                                            "limit",       "plan",   "restriction"};

bool rec_current_kind(const char *kind)
{
    for (size_t i = 0; i < sizeof CURRENT_KINDS / sizeof CURRENT_KINDS[0]; i++)
        if (strcmp(kind, CURRENT_KINDS[i]) == 0)
            return true;
    return false;
}

/* step_version - R_RECORD_INSERT (with the change) or R_CURRENT_PUT (without it). */
static int step_version(struct store *st, enum records_stmt id, const struct person_key *k, const char *kind,
                        const char *rkey, long long version, long long change_id, const char *body)
{
    struct db *d = st->rec->db;
    struct db_stmt *q = stmt(st, id);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, k->insurer_no);
    db_bind_text(d, q, 2, k->insured_no);
    db_bind_text(d, q, 3, kind);
    db_bind_text(d, q, 4, rkey);
    db_bind_int64(d, q, 5, version);
    if (id == R_RECORD_INSERT) {
        db_bind_int64(d, q, 6, change_id);
        db_bind_text(d, q, 7, body);
    } else
        db_bind_text(d, q, 6, body);
    return finish(d, q, id == R_RECORD_INSERT ? "record_put (insert)" : "record_put (current)");
}

/* insert_version - a new version of (k, kind, rkey); for a card kind, record_current follows in
 * the same transaction - the caller's, or a savepoint of its own when there is none - so a
 * failure of either leaves neither. */
static int insert_version(struct store *st, const struct person_key *k, const char *kind, const char *rkey,
                          long long version, const char *body, long long change_id)
{
    struct db *d = st->rec->db;
    bool current = rec_current_kind(kind);
    bool own = current && !db_in_txn(d);
    if (own && db_exec(d, "SAVEPOINT record_version"))
        return -1;
    if (step_version(st, R_RECORD_INSERT, k, kind, rkey, version, change_id, body) ||
        (current && step_version(st, R_CURRENT_PUT, k, kind, rkey, version, change_id, body)))
        goto fail;
    if (own && db_exec(d, "RELEASE record_version"))
        goto fail;
    return 0;
fail:
    if (own && db_exec(d, "ROLLBACK TO record_version") == 0) /* the first error's message is kept */
        db_exec(d, "RELEASE record_version");
    return -1;
}

int rec_record_put(struct store *st, const struct person_key *k, const char *kind, const char *rkey,
                   const char *body, long long change_id, int *changed)
{
    struct db *d = st->rec->db;
    struct db_stmt *q = stmt(st, R_RECORD_CURRENT);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, k->insurer_no);
    db_bind_text(d, q, 2, k->insured_no);
    db_bind_text(d, q, 3, kind);
    db_bind_text(d, q, 4, rkey);
    long long version = 0;
    int rc = db_step(d, q);
    if (rc == DB_ROW) {
        version = db_col_int64(d, q, 0);
        const char *cur = db_col_text(d, q, 1);
        if (cur && strcmp(cur, body) == 0) {
            db_reset(d, q);
            *changed = 0;
            return 0;
        }
    } else if (rc != DB_DONE) {
        db_fail(d, "record_put (read)");
        db_reset(d, q);
        return -1;
    }
    db_reset(d, q);
    if (insert_version(st, k, kind, rkey, version + 1, body, change_id))
        return -1;
    *changed = 1;
    return 0;
}

int rec_record_put_first(struct store *st, const struct person_key *k, const char *kind, const char *rkey,
                         const char *body, long long change_id)
{
    return insert_version(st, k, kind, rkey, 1, body, change_id);
}

int rec_record_put_first_batch(struct store *st, const struct record_row *rows, size_t n, long long change_id)
{
    for (size_t i = 0; i < n; i++)
        if (rec_record_put_first(st, &rows[i].key, rows[i].kind, rows[i].rkey, rows[i].body, change_id))
            return -1;
    return 0;
}

/* exists - 1 if the statement returns a row, 0 if none, -1 */
static int exists(struct db *d, struct db_stmt *q, const char *what)
{
    int rc = db_step(d, q);
    if (rc == DB_ERROR)
        db_fail(d, what);
    db_reset(d, q);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

int rec_kind_empty(struct store *st, const char *insurer_no, const char *kind)
{
    struct db *d = st->rec->db;
    struct db_stmt *q = stmt(st, R_KIND_EMPTY);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, insurer_no);
    db_bind_text(d, q, 2, kind);
    int rc = exists(d, q, "kind_empty");
    return rc < 0 ? -1 : !rc;
}

/* One statement for both dialects: SQLite refuses such a version by its FOREIGN KEYs (unless a file
 * was written with them off); PostgreSQL has no check per row on its bulk path (pg/schema.sql) */
int rec_unattributed(struct store *st, const char *insurer_no, long long *n)
{
    struct db *d = st->rec->db;
    struct db_stmt *q = stmt(st, R_UNATTRIBUTED);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, insurer_no ? insurer_no : "");
    int rc = db_step(d, q);
    if (rc == DB_ROW)
        *n = db_col_int64(d, q, 0);
    else
        db_fail(d, "unattributed");
    db_reset(d, q);
    return rc == DB_ROW ? 0 : -1;
}

int rec_person_exists(struct store *st, const struct person_key *k)
{
    struct db *d = st->rec->db;
    struct db_stmt *q = stmt(st, R_PERSON_EXISTS);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, k->insurer_no);
    db_bind_text(d, q, 2, k->insured_no);
    return exists(d, q, "person_exists");
}

int rec_persons_exist(struct store *st, const struct person_key *keys, size_t n, bool *out)
{
    for (size_t i = 0; i < n; i++) {
        int ex = rec_person_exists(st, &keys[i]);
        if (ex < 0)
            return -1;
        out[i] = ex == 1;
    }
    return 0;
}

int rec_record_get_current(struct store *st, const struct person_key *k, const char *kind, const char *rkey,
                           char **body)
{
    struct db *d = st->rec->db;
    struct db_stmt *q = stmt(st, R_RECORD_CURRENT);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, k->insurer_no);
    db_bind_text(d, q, 2, k->insured_no);
    db_bind_text(d, q, 3, kind);
    db_bind_text(d, q, 4, rkey);
    int rc = db_step(d, q);
    if (rc == DB_DONE) {
        db_reset(d, q);
        return STORE_NOTFOUND;
    }
    if (rc != DB_ROW) {
        db_fail(d, "record_get_current");
        db_reset(d, q);
        return -1;
    }
    const char *b = db_col_text(d, q, 1);
    *body = xstrdup(b ? b : "");
    db_reset(d, q);
    return 0;
}

int rec_record_list_current(struct store *st, const struct person_key *k,
                            int (*fn)(void *, const char *, const char *, const char *), void *ctx)
{
    struct db *d = st->rec->db;
    /* the insured record first, read into a copy: the statement is reused below */
    char *insured = NULL;
    int irc = rec_record_get_current(st, k, "insured", "", &insured);
    if (irc < 0)
        return -1;
    bool insured_due = irc == 0;
    struct db_stmt *q = stmt(st, R_RECORD_LIST);
    if (!q) {
        free(insured);
        return -1;
    }
    db_bind_text(d, q, 1, k->insurer_no);
    db_bind_text(d, q, 2, k->insured_no);
    int rc = DB_DONE, bad = 0;
    while (!bad && (rc = db_step(d, q)) == DB_ROW) {
        const char *kind = db_col_text(d, q, 0);
        const char *rkey = db_col_text(d, q, 1);
        const char *body = db_col_text(d, q, 2);
        if (!kind || !rkey || !body)
            continue;
        if (insured_due && strcmp(kind, "insured") > 0) { /* in key order among the others */
            insured_due = false;
            bad = fn(ctx, "insured", "", insured);
        }
        if (!bad)
            bad = fn(ctx, kind, rkey, body);
    }
    if (!bad && rc == DB_ERROR)
        db_fail(d, "record_list_current");
    db_reset(d, q);
    if (!bad && insured_due)
        bad = fn(ctx, "insured", "", insured);
    if (insured) {
        sodium_memzero(insured, strlen(insured));
        free(insured);
    }
    return bad || rc != DB_DONE ? -1 : 0;
}

/* each_row - calls take(q) for each row of q; a non-zero take stops with -1 */
static int each_row(struct db *d, struct db_stmt *q, const char *what, int (*take)(struct db *, struct db_stmt *, void *),
                    void *arg)
{
    int rc;
    while ((rc = db_step(d, q)) == DB_ROW)
        if (take(d, q, arg)) {
            db_reset(d, q);
            return -1;
        }
    if (rc != DB_DONE)
        db_fail(d, what);
    db_reset(d, q);
    return rc == DB_DONE ? 0 : -1;
}

struct kind_rows {
    const char *kind;
    int (*fn)(void *, const char *, const char *, const char *);
    void *ctx;
};

/* columns: (person or kind), rkey, body */
static int take_kind(struct db *d, struct db_stmt *q, void *arg)
{
    struct kind_rows *c = arg;
    const char *a = db_col_text(d, q, 0), *rkey = db_col_text(d, q, 1), *body = db_col_text(d, q, 2);
    if (!a || !rkey || !body)
        return 0;
    return c->fn(c->ctx, c->kind ? c->kind : a, rkey, body);
}

int rec_record_list_kind(struct store *st, const struct person_key *k, const char *kind,
                         int (*fn)(void *, const char *, const char *, const char *), void *ctx)
{
    struct db *d = st->rec->db;
    struct db_stmt *q = stmt(st, R_RECORD_LIST_KIND);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, k->insurer_no);
    db_bind_text(d, q, 2, k->insured_no);
    db_bind_text(d, q, 3, kind);
    struct kind_rows c = {kind, fn, ctx};
    return each_row(d, q, "record_list_kind", take_kind, &c);
}

int rec_record_scan_kind(struct store *st, const char *insurer, const char *kind, const char *rkey,
                         int (*fn)(void *, const char *, const char *, const char *), void *ctx)
{
    struct db *d = st->rec->db;
    bool plans = strcmp(kind, "cp.UPPLAN") == 0 && rkey;
    if (strcmp(kind, "application") != 0 && !plans) { /* the kinds with an index */
        char why[96];
        snprintf(why, sizeof why, "record_scan_kind: kind %s has no index", kind);
        d->drv->set_error(d, why);
        return -1;
    }
    struct db_stmt *q = stmt(st, plans ? R_RECORD_SCAN_PLANS : R_RECORD_SCAN_KIND);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, insurer);
    db_bind_text(d, q, 2, plans ? rkey : kind);
    struct kind_rows c = {NULL, fn, ctx};
    return each_row(d, q, "record_scan_kind", take_kind, &c);
}

struct insurer_rows {
    int (*fn)(void *, const char *, const char *, const char *, const char *);
    void *ctx;
};

static int take_insurer(struct db *d, struct db_stmt *q, void *arg)
{
    struct insurer_rows *c = arg;
    const char *no = db_col_text(d, q, 0), *kind = db_col_text(d, q, 1);
    const char *rk = db_col_text(d, q, 2), *body = db_col_text(d, q, 3);
    if (!no || !kind || !rk || !body)
        return 0;
    return c->fn(c->ctx, no, kind, rk, body);
}

int rec_record_scan_insurer(struct store *st, const char *insurer,
                            int (*fn)(void *, const char *, const char *, const char *, const char *), void *ctx)
{
    struct db *d = st->rec->db;
    struct db_stmt *q = stmt(st, R_RECORD_SCAN_INSURER);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, insurer);
    struct insurer_rows c = {fn, ctx};
    return each_row(d, q, "record_scan_insurer", take_insurer, &c);
}

struct history_rows {
    store_history_fn *fn;
    void *ctx;
};

static int take_version(struct db *d, struct db_stmt *q, void *arg)
{
    struct history_rows *c = arg;
    struct store_version v = {
        db_col_text(d, q, 0), db_col_text(d, q, 1), db_col_int64(d, q, 2), db_col_text(d, q, 3),
        db_col_text(d, q, 4), db_col_text(d, q, 5), db_col_text(d, q, 6),
    };
    if (!v.kind || !v.rkey || !v.body || !v.recorded_at || !v.author || !v.reason)
        return 0;
    return c->fn(c->ctx, &v);
}

int rec_record_history(struct store *st, const struct person_key *k, store_history_fn *fn, void *ctx)
{
    struct db *d = st->rec->db;
    struct db_stmt *q = stmt(st, R_RECORD_HISTORY);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, k->insurer_no);
    db_bind_text(d, q, 2, k->insured_no);
    struct history_rows c = {fn, ctx};
    return each_row(d, q, "record_history", take_version, &c);
}

/* ---- population, 地域区分, import runs --------------------------------------- */

int rec_population_put(struct store *st, const char *insurer, struct date as_of, long long population,
                       int64_t now, const char *by)
{
    struct db *d = st->rec->db;
    struct db_stmt *q = stmt(st, R_POPULATION_PUT);
    if (!q)
        return -1;
    char day[11];
    date_iso(as_of, day);
    db_bind_text(d, q, 1, insurer);
    db_bind_text(d, q, 2, day);
    db_bind_int64(d, q, 3, population);
    db_bind_int64(d, q, 4, now);
    db_bind_text(d, q, 5, by);
    return finish(d, q, "population_put");
}

int rec_population_get(struct store *st, const char *insurer, struct date on, long long *population,
                       struct date *as_of)
{
    struct db *d = st->rec->db;
    struct db_stmt *q = stmt(st, R_POPULATION_GET);
    if (!q)
        return -1;
    char day[11];
    date_iso(on, day);
    db_bind_text(d, q, 1, insurer);
    db_bind_text(d, q, 2, day);
    int rc = db_step(d, q);
    if (rc == DB_ROW) {
        *population = db_col_int64(d, q, 0);
        const char *a = db_col_text(d, q, 1);
        const char *why;
        if (!a || date_parse_iso(a, strlen(a), as_of, &why))
            *as_of = DATE_NONE;
    }
    else if (rc != DB_DONE)
        db_fail(d, "population_get");
    db_reset(d, q);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? STORE_NOTFOUND : -1;
}

int rec_chiiki_put(struct store *st, const char *lg, const char *name, int grade, struct date from,
                   struct date to, long long change)
{
    struct db *d = st->rec->db;
    struct db_stmt *q = stmt(st, R_CHIIKI_PUT);
    if (!q)
        return -1;
    char f[11], t[11];
    date_iso(from, f);
    date_iso(to, t);
    db_bind_text(d, q, 1, lg);
    db_bind_text(d, q, 2, name);
    db_bind_int64(d, q, 3, grade);
    db_bind_text(d, q, 4, f);
    db_bind_text(d, q, 5, t);
    db_bind_int64(d, q, 6, change);
    return finish(d, q, "chiiki_put");
}

int rec_chiiki_grade(struct store *st, const char *lg, struct date on, int *grade)
{
    struct db *d = st->rec->db;
    struct db_stmt *q = stmt(st, R_CHIIKI_GET);
    if (!q)
        return -1;
    char day[11];
    date_iso(on, day);
    db_bind_text(d, q, 1, lg);
    db_bind_text(d, q, 2, day);
    int rc = db_step(d, q);
    if (rc == DB_ROW)
        *grade = (int)db_col_int64(d, q, 0);
    else if (rc != DB_DONE)
        db_fail(d, "chiiki_grade");
    db_reset(d, q);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? STORE_NOTFOUND : -1;
}

int rec_import_run_add(struct store *st, long long change_id, const char *kind, const char *sha256,
                       long long total, long long changed)
{
    struct db *d = st->rec->db;
    struct db_stmt *q = stmt(st, R_IMPORT_RUN);
    if (!q)
        return -1;
    db_bind_int64(d, q, 1, change_id);
    db_bind_text(d, q, 2, kind);
    db_bind_text(d, q, 3, sha256);
    db_bind_int64(d, q, 4, total);
    db_bind_int64(d, q, 5, changed);
    return finish(d, q, "import_run_add");
}

/* ---- paper documents ----------------------------------------------------- */

int rec_paper_issue(struct store *st, struct paper_token *t, long long change)
{
    struct db *d = st->rec->db;
    struct db_stmt *q = stmt(st, R_PAPER_INSERT);
    if (!q)
        return -1;
    char issued[11], from[11], to[11], hex[2 * PAPER_HASH_BYTES + 1];
    date_iso(t->issued, issued);
    date_iso(t->valid_from, from);
    date_iso(t->valid_to, to);
    sodium_bin2hex(hex, sizeof hex, t->content_hash, sizeof t->content_hash);
    db_bind_text(d, q, 1, t->insurer_no);
    db_bind_text(d, q, 2, t->insured_no);
    db_bind_int64(d, q, 3, (int)t->kind);
    db_bind_text(d, q, 4, issued);
    if (!date_is_none(t->valid_from))
        db_bind_text(d, q, 5, from);
    if (!date_is_none(t->valid_to))
        db_bind_text(d, q, 6, to);
    db_bind_text(d, q, 7, hex);
    db_bind_int64(d, q, 8, change);
    db_bind_int64(d, q, 9, t->serial);
    int rc = db_step(d, q);
    if (rc == DB_ROW)
        t->serial = (uint32_t)db_col_int64(d, q, 0);
    else
        db_fail(d, "paper_issue");
    db_reset(d, q);
    return rc == DB_ROW ? 0 : -1;
}

int rec_paper_next_serial(struct store *st, const char *insurer, uint32_t *next)
{
    struct db *d = st->rec->db;
    struct db_stmt *q = stmt(st, R_PAPER_NEXT);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, insurer);
    int rc = db_step(d, q);
    if (rc == DB_ROW)
        *next = (uint32_t)db_col_int64(d, q, 0);
    else
        db_fail(d, "paper_next_serial");
    db_reset(d, q);
    return rc == DB_ROW ? 0 : -1;
}

struct person_rows {
    int (*fn)(void *, const char *);
    void *ctx;
};

static int take_person(struct db *d, struct db_stmt *q, void *arg)
{
    struct person_rows *c = arg;
    const char *no = db_col_text(d, q, 0);
    return no ? c->fn(c->ctx, no) : 0;
}

int rec_persons_of_insurer(struct store *st, const char *insurer, const char *since, bool applicants,
                           int (*fn)(void *ctx, const char *insured_no), void *ctx)
{
    struct db *d = st->rec->db;
    struct db_stmt *q = stmt(st, since ? R_PERSONS_SINCE : R_PERSONS_ALL);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, insurer);
    /* ?2 is in the SINCE text only: PostgreSQL types every parameter it reads, so both bind it */
    db_bind_text(d, q, 2, since ? since : "");
    db_bind_int64(d, q, 3, applicants ? 1 : 0);
    struct person_rows c = {fn, ctx};
    return each_row(d, q, "persons_of_insurer", take_person, &c);
}

int rec_paper_record(struct store *st, const char *insurer, uint32_t serial, struct paper_record *r)
{
    struct db *d = st->rec->db;
    memset(r, 0, sizeof *r);
    struct db_stmt *q = stmt(st, R_PAPER_GET);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, insurer);
    db_bind_int64(d, q, 2, serial);
    int rc = db_step(d, q);
    if (rc == DB_ROW) {
        r->found = true;
        db_copy_text(d, q, 0, r->insured_no, sizeof r->insured_no);
        r->kind = (enum paper_kind)db_col_int64(d, q, 1);
        const char *hex = db_col_text(d, q, 2);
        size_t bin;
        if (!hex || sodium_hex2bin(r->content_hash, sizeof r->content_hash, hex, strlen(hex), NULL, &bin, NULL))
            r->found = false;
        r->revoked = db_col_int64(d, q, 3) != 0;
        r->latest = (uint32_t)db_col_int64(d, q, 4);
    } else if (rc != DB_DONE)
        db_fail(d, "paper_record");
    db_reset(d, q);
    return rc == DB_ROW || rc == DB_DONE ? 0 : -1;
}

int rec_paper_revoke(struct store *st, const char *insurer, uint32_t serial, long long change)
{
    struct db *d = st->rec->db;
    struct db_stmt *q = stmt(st, R_PAPER_REVOKE);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, insurer);
    db_bind_int64(d, q, 2, serial);
    db_bind_int64(d, q, 3, change);
    return updated(d, q, "paper_revoke");
}
