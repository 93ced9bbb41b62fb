/* access.c - store/access.h written once for every backend over the narrow driver (store/db.h;
 * issue #22): organisations, accounts, sessions, tokens, the gate's facts and the grants. Each
 * statement's SQL is asql[] below unless the backend's dialect table gives its own (SQLite's
 * INDEXED BY). The two reports that read the audit log (person_access, audit_scope) are the
 * backend's own: they depend on where it keeps the log and its person index. All SQL binds its
 * parameters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/records.h"
#include "store/accessdb.h"
#include "store/db.h"
#include "util/log.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/banned.h"



#define ACCOUNT_COLS                                                                               \
    "account_id, login, kind, coalesce(org_id, ''), coalesce(insurer_no, ''), coalesce(insured_no, ''),"  \
    " display_name, password_hash, totp_secret, totp_last_step, perms, disabled_ms"
#define BG_COLS                                                                                    \
    "b.breakglass_id, 'user:' || b.account_id, b.started_ms, b.expires_ms, b.insurer_no, b.insured_no, b.org_id,"   \
    " b.reason, b.reviewed_ms, b.reviewed_by"

static const char *const asql[A_COUNT] = {
    [A_ORG_ADD] = "INSERT INTO orgs (org_id, kind, name, insurer_no, service_types, created_at, created_by,"
                  " office_no) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, nullif(?8, ''))",
    [A_ORG_GET] = "SELECT org_id, kind, name, coalesce(insurer_no, ''), service_types, coalesce(office_no, '')"
                  " FROM orgs WHERE org_id = ?1",
    [A_ORG_LIST] = "SELECT org_id, kind, name, coalesce(insurer_no, ''), service_types, coalesce(office_no, '')"
                   " FROM orgs ORDER BY org_id",
    [A_ORG_BY_OFFICE] = "SELECT org_id, kind, name, coalesce(insurer_no, ''), service_types, coalesce(office_no, '')"
                        " FROM orgs WHERE office_no = ?1",
    [A_DLV_ADD] = "INSERT INTO exchange_deliveries (insurer_no, insured_no, to_org, stamp, what, to_kind,"
                  " from_org, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
    [A_DLV_OPEN] = "SELECT insurer_no, insured_no, to_org, stamp, what, to_kind, from_org, created_ms,"
                   " coalesce(downloaded_ms, 0), coalesce(acked_ms, 0) FROM exchange_deliveries"
                   " WHERE to_org = ?1 AND acked_ms IS NULL ORDER BY stamp, insurer_no, insured_no",
    [A_DLV_GET] = "SELECT insurer_no, insured_no, to_org, stamp, what, to_kind, from_org, created_ms,"
                  " coalesce(downloaded_ms, 0), coalesce(acked_ms, 0) FROM exchange_deliveries"
                  " WHERE insurer_no = ?1 AND insured_no = ?2 AND to_org = ?3 AND stamp = ?4 LIMIT 1",
    [A_DLV_DOWNLOADED] = "UPDATE exchange_deliveries SET downloaded_ms = coalesce(downloaded_ms, ?5)"
                         " WHERE insurer_no = ?1 AND insured_no = ?2 AND to_org = ?3 AND stamp = ?4",
    [A_DLV_ACKED] = "UPDATE exchange_deliveries SET acked_ms = coalesce(acked_ms, ?5)"
                    " WHERE insurer_no = ?1 AND insured_no = ?2 AND to_org = ?3 AND stamp = ?4",
    [A_ACC_ADD] = "INSERT INTO accounts (login, kind, org_id, insurer_no, insured_no, display_name,"
                  " password_hash, totp_secret, perms, created_at, created_by)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING account_id",
    [A_ACC_BY_LOGIN] = "SELECT " ACCOUNT_COLS " FROM accounts WHERE login = ?1",
    [A_ACC_GET] = "SELECT " ACCOUNT_COLS " FROM accounts WHERE account_id = ?1",
    [A_ACC_STEP] = "UPDATE accounts SET totp_last_step = ?2 WHERE account_id = ?1 AND totp_last_step < ?2",
    [A_SESS_ADD] = "INSERT INTO sessions (id_hash, account_id, created_ms, last_seen_ms, breakglass)"
                   " VALUES (?1, ?2, ?3, ?3, ?4)",
    [A_SESS_GET] = "SELECT account_id, created_ms, last_seen_ms, ended_ms, breakglass FROM sessions WHERE id_hash = ?1",
    [A_SESS_TOUCH] = "UPDATE sessions SET last_seen_ms = ?2 WHERE id_hash = ?1 AND last_seen_ms < ?2",
    [A_SESS_END] = "UPDATE sessions SET ended_ms = ?2 WHERE id_hash = ?1 AND ended_ms = 0",
    [A_SESS_COUNT] = "SELECT count(*) FROM sessions WHERE ended_ms = 0 AND last_seen_ms >= ?1 AND created_ms >= ?2",
    [A_TOK_ADD] = "INSERT INTO api_tokens (org_id, name, secret_hash, created_at, created_by)"
                  " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING token_id",
    [A_TOK_GET] = "SELECT token_id, org_id, name, secret_hash, revoked_ms FROM api_tokens WHERE token_id = ?1",
    [A_TOK_REVOKE] = "UPDATE api_tokens SET revoked_ms = ?2 WHERE token_id = ?1 AND revoked_ms = 0",
    [A_F_CONSENTS] = "SELECT consent_id, kind, cats, valid_from_ms, valid_to_ms, recorded_ms, grantee,"
                     " collected_by FROM consents WHERE insurer_no = ?1 AND insured_no = ?2 ORDER BY consent_id",
    [A_F_WITHDRAWALS] = "SELECT withdrawal_id, cats, at_ms, grantee, by_actor FROM consent_withdrawals"
                        " WHERE insurer_no = ?1 AND insured_no = ?2 ORDER BY withdrawal_id",
    [A_F_RELS] = "SELECT r.relationship_id, r.org_id, r.started_ms, r.ended_ms, r.last_actual_ym, o.name"
                 " FROM relationships r JOIN orgs o ON o.org_id = r.org_id"
                 " WHERE r.insurer_no = ?1 AND r.insured_no = ?2 AND (?3 = '' OR r.org_id = ?3)"
                 " ORDER BY r.relationship_id",
    /* the gate's fact: only the caller's organisation's rows, no names */
    [A_F_RELS_ORG] = "SELECT relationship_id, org_id, started_ms, ended_ms, last_actual_ym FROM relationships"
                     " WHERE insurer_no = ?1 AND insured_no = ?2 AND org_id = ?3",
    [A_F_PROXIES] = "SELECT p.proxy_id, 'user:' || p.account_id, p.kind, p.cats, p.valid_from_ms,"
                    " p.valid_to_ms, p.revoked_ms, a.login, p.basis FROM proxies p"
                    " JOIN accounts a ON a.account_id = p.account_id"
                    " WHERE p.insurer_no = ?1 AND p.insured_no = ?2 ORDER BY p.proxy_id",
    [A_F_BGS] = "SELECT " BG_COLS " FROM breakglass b WHERE b.insurer_no = ?1 AND b.insured_no = ?2 ORDER BY b.breakglass_id",
    [A_F_REQS] = "SELECT request_id, org_id, opened_ms, closed_ms FROM ikensho_requests"
                 " WHERE insurer_no = ?1 AND insured_no = ?2 ORDER BY request_id",
    [A_CONSENT_ADD] = "INSERT INTO consents (insurer_no, insured_no, kind, cats, valid_from_ms, valid_to_ms,"
                      " grantee, collected_by, recorded_ms, recorded_by)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING consent_id",
    [A_WITHDRAW_ADD] = "INSERT INTO consent_withdrawals (insurer_no, insured_no, cats, grantee, at_ms, by_actor)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING withdrawal_id",
    [A_REL_ADD] = "INSERT INTO relationships (insurer_no, insured_no, org_id, started_ms, established_by,"
                  " created_by, evidence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING relationship_id",
    [A_REL_END] = "UPDATE relationships SET ended_ms = ?4 WHERE insurer_no = ?1 AND insured_no = ?2"
                  " AND org_id = ?3 AND ended_ms = 0",
    [A_REL_ACTUAL] = "UPDATE relationships SET last_actual_ym = ?4 WHERE insurer_no = ?1 AND insured_no = ?2"
                     " AND org_id = ?3 AND ended_ms = 0 AND last_actual_ym < ?4",
    [A_PROXY_ADD] = "INSERT INTO proxies (insurer_no, insured_no, account_id, kind, basis, cats,"
                    " valid_from_ms, valid_to_ms, registered_ms, registered_by)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING proxy_id",
    [A_INVITE_ADD] = "INSERT INTO proxy_invites (insurer_no, insured_no, code_hash, kind, cats, label,"
                    " created_ms, expires_ms, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING invite_id",
    [A_INVITE_TAKE] = "UPDATE proxy_invites SET used_ms = ?2, used_by = ?3 WHERE code_hash = ?1 AND used_ms = 0"
                     " AND expires_ms > ?2 RETURNING invite_id, insurer_no, insured_no, kind, cats, label",
    [A_PROXY_ADD_LABEL] = "INSERT INTO proxies (insurer_no, insured_no, account_id, kind, basis, cats,"
                         " valid_from_ms, valid_to_ms, registered_ms, registered_by, label)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?7, ?8, ?9) RETURNING proxy_id",
    [A_ACC_PROXIES] = "SELECT proxy_id, insurer_no, insured_no, kind, cats, label FROM proxies"
                     " WHERE account_id = ?1 AND revoked_ms = 0 AND valid_from_ms <= ?2"
                     " AND (valid_to_ms = 0 OR valid_to_ms > ?2) ORDER BY proxy_id",
    [A_INVITE_CANCEL] = "UPDATE proxy_invites SET used_ms = ?4, used_by = 'cancelled:' || CAST(?5 AS TEXT) WHERE insurer_no = ?1"
                       " AND insured_no = ?2 AND invite_id = ?3 AND used_ms = 0",
    [A_G_INVITES] = "SELECT invite_id, kind, cats, label, created_ms, expires_ms FROM proxy_invites"
                   " WHERE insurer_no = ?1 AND insured_no = ?2 AND used_ms = 0 ORDER BY invite_id",
    [A_PROXY_REVOKE] = "UPDATE proxies SET revoked_ms = ?4, revoked_by = ?5 WHERE insurer_no = ?1"
                       " AND insured_no = ?2 AND proxy_id = ?3 AND revoked_ms = 0",
    [A_BG_ADD] = "INSERT INTO breakglass (insurer_no, insured_no, account_id, org_id, reason, started_ms,"
                 " expires_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING breakglass_id",
    [A_PAPER_REGS] = "SELECT r.relationship_id, r.started_ms, r.ended_ms, r.insured_no, r.org_id,"
                     " COALESCE(o.name, ''), r.evidence, r.created_by FROM relationships r"
                     " LEFT JOIN orgs o ON o.org_id = r.org_id WHERE r.insurer_no = ?1"
                     " AND r.established_by = 'paper' AND r.started_ms >= ?2"
                     " ORDER BY r.started_ms DESC, r.relationship_id DESC LIMIT 1000",
    /* persons of an insurer with a consent naming any of ?2 (二次利用's candidates; the gate decides each) */
    [A_CONSENT_HOLDERS] = "SELECT DISTINCT insured_no FROM consents WHERE insurer_no = ?1 AND (cats & ?2) != 0"
                          " ORDER BY insured_no",
    [A_BG_REVIEWS] = "SELECT " BG_COLS " FROM breakglass b WHERE b.insurer_no = ?1 AND (?2 = 0 OR b.reviewed_ms = 0) ORDER BY b.breakglass_id",
    [A_BG_CLOSE] = "UPDATE breakglass SET reviewed_ms = ?3, reviewed_by = ?4, review_note = ?5"
                   " WHERE insurer_no = ?1 AND breakglass_id = ?2 AND reviewed_ms = 0",
    [A_REQ_ADD] = "INSERT INTO ikensho_requests (insurer_no, insured_no, org_id, opened_ms, opened_by, app_id)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING request_id",
    [A_PM_GET] = "SELECT draft_body, draft_ms, issued_ms FROM plan_months WHERE insurer_no = ?1 AND insured_no = ?2"
                 " AND org_id = ?3 AND month = ?4",
    [A_PM_DRAFT] = "INSERT INTO plan_months (insurer_no, insured_no, org_id, month, draft_body, draft_ms, draft_by)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, CASE WHEN CAST(?5 AS TEXT) IS NULL THEN 0 ELSE CAST(?6 AS BIGINT) END, ?7)"
                   " ON CONFLICT (insurer_no, insured_no, org_id, month) DO UPDATE SET draft_body = excluded.draft_body,"
                   " draft_ms = excluded.draft_ms, draft_by = excluded.draft_by",
    [A_PM_ISSUED] = "INSERT INTO plan_months (insurer_no, insured_no, org_id, month, issued_ms, issued_by)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (insurer_no, insured_no, org_id, month)"
                    " DO UPDATE SET issued_ms = excluded.issued_ms, issued_by = excluded.issued_by",
    [A_DLV_SENT] = "SELECT insurer_no, insured_no, to_org, stamp, what, to_kind, from_org, created_ms,"
                   " coalesce(downloaded_ms, 0), coalesce(acked_ms, 0) FROM exchange_deliveries"
                   " WHERE insurer_no = ?1 AND insured_no = ?2 AND from_org = ?3 ORDER BY stamp DESC LIMIT 50",
    [A_VISIT_ADD] = "INSERT INTO monitoring_visits (insurer_no, insured_no, org_id, visited_on, kind, recorded_ms,"
                    " recorded_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
    [A_VISIT_LAST] = "SELECT (SELECT max(visited_on) FROM monitoring_visits WHERE insurer_no = ?1 AND insured_no = ?2"
                     " AND org_id = ?3 AND kind = 'home'), (SELECT max(visited_on) FROM monitoring_visits WHERE"
                     " insurer_no = ?1 AND insured_no = ?2 AND org_id = ?3 AND kind = 'video')",
    [A_REQ_ANSWER] = "UPDATE ikensho_requests SET answered_ms = ?5 WHERE insurer_no = ?1 AND insured_no = ?2"
                     " AND app_id = ?3 AND org_id = ?4",
    [A_DRAFT_PUT] = "INSERT INTO ikensho_drafts (insurer_no, insured_no, app_id, org_id, body, saved_ms, saved_by)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (insurer_no, insured_no, app_id, org_id)"
                    " DO UPDATE SET body = excluded.body, saved_ms = excluded.saved_ms, saved_by = excluded.saved_by",
    [A_DRAFT_GET] = "SELECT body, saved_ms FROM ikensho_drafts WHERE insurer_no = ?1 AND insured_no = ?2"
                    " AND app_id = ?3 AND org_id = ?4",
    [A_DRAFT_DEL] = "DELETE FROM ikensho_drafts WHERE insurer_no = ?1 AND insured_no = ?2 AND app_id = ?3 AND org_id = ?4",
    [A_REQ_CLOSE] = "UPDATE ikensho_requests SET closed_ms = ?4 WHERE insurer_no = ?1 AND insured_no = ?2"
                    " AND org_id = ?3 AND closed_ms = 0",
    [A_CODE_ADD] = "INSERT INTO verify_codes (insurer_no, insured_no, code_hash, created_ms, expires_ms,"
                   " issued_via) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [A_CODE_USE] = "UPDATE verify_codes SET used_ms = ?4 WHERE insurer_no = ?1 AND insured_no = ?2"
                   " AND code_hash = ?3 AND used_ms = 0 AND created_ms <= ?4 AND ?4 < expires_ms",
    [A_SEC_EVENT] = "INSERT INTO security_events (time_ms, kind, subject, address, detail)"
                    " VALUES (?1, ?2, ?3, ?4, ?5)",
    /* one statement a hit, on every backend: a new window when the last has passed (?2 now, ?3 its end) */
    [A_THROTTLE_HIT] = "INSERT INTO throttles (tkey, expires_ms, hits) VALUES (?1, ?3, 1) ON CONFLICT (tkey) DO UPDATE"
                       " SET hits = CASE WHEN throttles.expires_ms <= ?2 THEN 1 ELSE throttles.hits + 1 END,"
                       " expires_ms = CASE WHEN throttles.expires_ms <= ?2 THEN ?3 ELSE throttles.expires_ms END"
                       " RETURNING hits",
    [A_THROTTLE_GET] = "SELECT hits FROM throttles WHERE tkey = ?1 AND expires_ms > ?2",
    [A_THROTTLE_PRUNE] = "DELETE FROM throttles WHERE expires_ms <= ?1",
};

struct access_db {
    struct db *db;
    const char *sql[A_COUNT];
    struct db_stmt *stmt[A_COUNT];
};

struct access_db *access_db_new(struct db *db, const char *const dialect[A_COUNT])
{
    struct access_db *A = xcalloc(1, sizeof *A);
    A->db = db;
    for (int i = 0; i < A_COUNT; i++) {
        A->sql[i] = dialect && dialect[i] ? dialect[i] : asql[i];
        if (!A->sql[i])
            die("access: statement %d has no SQL in this dialect", i); /* a programming error */
    }
    return A;
}

void access_db_free(struct access_db *A)
{
    free(A); /* the statements belong to the connection, which finalizes them */
}

static struct db_stmt *Q(struct store *st, enum acc_stmt id)
{
    struct access_db *A = st->adb;
    return db_cached(A->db, &A->stmt[id], A->sql[id]);
}

static void bind_person(struct db *d, struct db_stmt *q, const struct person_key *k)
{
    db_bind_text(d, q, 1, k->insurer_no);
    db_bind_text(d, q, 2, k->insured_no);
}

/* done - steps a statement that returns no rows; NOTFOUND if it changed none and want_change. */
static int done(struct db *d, struct db_stmt *q, const char *what, bool want_change)
{
    int rc = db_step(d, q);
    db_reset(d, q);
    if (rc != DB_DONE)
        return db_fail(d, what);
    return want_change && db_changes(d, q) == 0 ? STORE_NOTFOUND : 0;
}

/* inserted - steps an INSERT … RETURNING its new row's id */
static int inserted(struct db *d, struct db_stmt *q, const char *what, int64_t *id)
{
    int rc = db_step(d, q);
    if (rc == DB_ROW && id)
        *id = db_col_int64(d, q, 0);
    if (rc != DB_ROW)
        db_fail(d, what);
    db_reset(d, q);
    return rc == DB_ROW ? 0 : -1;
}

/* ---- organisations -------------------------------------------------------- */

static void read_org(struct db *d, struct db_stmt *q, struct org *o)
{
    char kind[16];
    memset(o, 0, sizeof *o);
    db_copy_text(d, q, 0, o->id, sizeof o->id);
    db_copy_text(d, q, 1, kind, sizeof kind);
    o->kind = org_kind_from_code(kind);
    db_copy_text(d, q, 2, o->name, sizeof o->name);
    db_copy_text(d, q, 3, o->insurer_no, sizeof o->insurer_no);
    db_copy_text(d, q, 4, o->service_types, sizeof o->service_types);
    db_copy_text(d, q, 5, o->office_no, sizeof o->office_no);
}

/* one_org - the organisation a statement keyed by one text finds, or NOTFOUND. */
static int one_org(struct store *st, int stmt, const char *key, struct org *out, const char *what)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, stmt);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, key);
    int rc = db_step(d, q);
    if (rc == DB_ROW)
        read_org(d, q, out);
    db_reset(d, q);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? STORE_NOTFOUND : db_fail(d, what);
}

static int a_org_add(struct store *st, const struct org *o, const char *by)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_ORG_ADD);
    if (!q)
        return -1;
    char now[64];
    store_now_iso(now);
    db_bind_text(d, q, 1, o->id);
    db_bind_text(d, q, 2, org_kind_code(o->kind));
    db_bind_text(d, q, 3, o->name);
    if (o->kind == ORG_INSURER)
        db_bind_text(d, q, 4, o->insurer_no);
    db_bind_text(d, q, 5, o->service_types);
    db_bind_text(d, q, 6, now);
    db_bind_text(d, q, 7, by);
    db_bind_text(d, q, 8, o->office_no);
    return done(d, q, "org_add", false);
}

static int a_org_by_office(struct store *st, const char *office_no, struct org *out)
{
    return one_org(st, A_ORG_BY_OFFICE, office_no, out, "org_by_office");
}

static void read_delivery(struct db *d, struct db_stmt *q, struct delivery *dl)
{
    memset(dl, 0, sizeof *dl);
    db_copy_text(d, q, 0, dl->person.insurer_no, sizeof dl->person.insurer_no);
    db_copy_text(d, q, 1, dl->person.insured_no, sizeof dl->person.insured_no);
    db_copy_text(d, q, 2, dl->to_org, sizeof dl->to_org);
    db_copy_text(d, q, 3, dl->stamp, sizeof dl->stamp);
    db_copy_text(d, q, 4, dl->what, sizeof dl->what);
    db_copy_text(d, q, 5, dl->to_kind, sizeof dl->to_kind);
    db_copy_text(d, q, 6, dl->from_org, sizeof dl->from_org);
    dl->created_ms = db_col_int64(d, q, 7);
    dl->downloaded_ms = db_col_int64(d, q, 8);
    dl->acked_ms = db_col_int64(d, q, 9);
}

static int a_delivery_add(struct store *st, const struct delivery *dl)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_DLV_ADD);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, dl->person.insurer_no);
    db_bind_text(d, q, 2, dl->person.insured_no);
    db_bind_text(d, q, 3, dl->to_org);
    db_bind_text(d, q, 4, dl->stamp);
    db_bind_text(d, q, 5, dl->what);
    db_bind_text(d, q, 6, dl->to_kind);
    db_bind_text(d, q, 7, dl->from_org);
    db_bind_int64(d, q, 8, dl->created_ms);
    return done(d, q, "delivery_add", false);
}

/* each_delivery - fn for each row of a bound delivery statement (until fn says stop) */
static int each_delivery(struct db *d, struct db_stmt *q, int (*fn)(void *ctx, const struct delivery *d),
                         void *ctx, const char *what)
{
    int rc;
    while ((rc = db_step(d, q)) == DB_ROW) {
        struct delivery dl;
        read_delivery(d, q, &dl);
        if (fn(ctx, &dl))
            break;
    }
    db_reset(d, q);
    return rc == DB_ROW || rc == DB_DONE ? 0 : db_fail(d, what);
}

static int a_deliveries_open(struct store *st, const char *to_org,
                             int (*fn)(void *ctx, const struct delivery *d), void *ctx)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_DLV_OPEN);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, to_org);
    return each_delivery(d, q, fn, ctx, "deliveries_open");
}

static int a_delivery_get(struct store *st, const struct person_key *k, const char *to_org,
                          const char *stamp, struct delivery *out)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_DLV_GET);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, k->insurer_no);
    db_bind_text(d, q, 2, k->insured_no);
    db_bind_text(d, q, 3, to_org);
    db_bind_text(d, q, 4, stamp);
    int rc = db_step(d, q);
    if (rc == DB_ROW)
        read_delivery(d, q, out);
    db_reset(d, q);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? STORE_NOTFOUND : db_fail(d, "delivery_get");
}

static int a_delivery_mark(struct store *st, const struct person_key *k, const char *to_org,
                           const char *stamp, bool ack, int64_t now)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, ack ? A_DLV_ACKED : A_DLV_DOWNLOADED);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, k->insurer_no);
    db_bind_text(d, q, 2, k->insured_no);
    db_bind_text(d, q, 3, to_org);
    db_bind_text(d, q, 4, stamp);
    db_bind_int64(d, q, 5, now);
    int rc = db_step(d, q);
    db_reset(d, q);
    if (rc != DB_DONE)
        return db_fail(d, "delivery_mark");
    return db_changes(d, q) ? 0 : STORE_NOTFOUND;
}

static int a_org_get(struct store *st, const char *id, struct org *out)
{
    return one_org(st, A_ORG_GET, id, out, "org_get");
}

static int a_org_list(struct store *st, int (*fn)(void *ctx, const struct org *o), void *ctx)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_ORG_LIST);
    if (!q)
        return -1;
    int rc;
    while ((rc = db_step(d, q)) == DB_ROW) {
        struct org o;
        read_org(d, q, &o);
        if (fn(ctx, &o))
            break;
    }
    db_reset(d, q);
    return rc == DB_ROW || rc == DB_DONE ? 0 : db_fail(d, "org_list");
}

/* ---- accounts ------------------------------------------------------------- */

static int a_account_add(struct store *st, struct account *a, const char *by)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_ACC_ADD);
    if (!q)
        return -1;
    char now[64];
    store_now_iso(now);
    db_bind_text(d, q, 1, a->login);
    db_bind_text(d, q, 2, a->staff ? "staff" : "person");
    if (a->staff)
        db_bind_text(d, q, 3, a->org);
    if (a->person.insurer_no[0]) {
        db_bind_text(d, q, 4, a->person.insurer_no);
        db_bind_text(d, q, 5, a->person.insured_no);
    }
    db_bind_text(d, q, 6, a->display_name);
    db_bind_text(d, q, 7, a->password_hash);
    db_bind_blob(d, q, 8, a->totp_secret, TOTP_SECRET_BYTES);
    db_bind_text(d, q, 9, a->perms);
    db_bind_text(d, q, 10, now);
    db_bind_text(d, q, 11, by);
    return inserted(d, q, "account_add", &a->id);
}

static int read_account(struct db *d, struct db_stmt *q, struct account *a,
                        const char *what)
{
    int rc = db_step(d, q);
    if (rc == DB_ROW) {
        char kind[16];
        memset(a, 0, sizeof *a);
        a->id = db_col_int64(d, q, 0);
        db_copy_text(d, q, 1, a->login, sizeof a->login);
        db_copy_text(d, q, 2, kind, sizeof kind);
        a->staff = strcmp(kind, "staff") == 0;
        db_copy_text(d, q, 3, a->org, sizeof a->org);
        db_copy_text(d, q, 4, a->person.insurer_no, sizeof a->person.insurer_no);
        db_copy_text(d, q, 5, a->person.insured_no, sizeof a->person.insured_no);
        db_copy_text(d, q, 6, a->display_name, sizeof a->display_name);
        db_copy_text(d, q, 7, a->password_hash, sizeof a->password_hash);
        if (db_col_bytes(d, q, 8) == TOTP_SECRET_BYTES)
            memcpy(a->totp_secret, db_col_blob(d, q, 8), TOTP_SECRET_BYTES);
        a->totp_last_step = db_col_int64(d, q, 9);
        db_copy_text(d, q, 10, a->perms, sizeof a->perms);
        a->disabled_ms = db_col_int64(d, q, 11);
    }
    db_reset(d, q);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? STORE_NOTFOUND : db_fail(d, what);
}

static int a_account_by_login(struct store *st, const char *login, struct account *out)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_ACC_BY_LOGIN);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, login);
    return read_account(d, q, out, "account_by_login");
}

static int a_account_get(struct store *st, int64_t id, struct account *out)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_ACC_GET);
    if (!q)
        return -1;
    db_bind_int64(d, q, 1, id);
    return read_account(d, q, out, "account_get");
}

static int a_account_totp_step(struct store *st, int64_t id, int64_t step)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_ACC_STEP);
    if (!q)
        return -1;
    db_bind_int64(d, q, 1, id);
    db_bind_int64(d, q, 2, step);
    return done(d, q, "account_totp_step", true); /* NOTFOUND: the step was used (replay) */
}

/* ---- sessions and tokens -------------------------------------------------- */

static int a_session_add(struct store *st, const unsigned char h[32], int64_t account, int64_t now,
                         bool breakglass)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_SESS_ADD);
    if (!q)
        return -1;
    db_bind_blob(d, q, 1, h, 32);
    db_bind_int64(d, q, 2, account);
    db_bind_int64(d, q, 3, now);
    db_bind_int64(d, q, 4, breakglass);
    return done(d, q, "session_add", false);
}

static int a_session_get(struct store *st, const unsigned char h[32], struct session *out)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_SESS_GET);
    if (!q)
        return -1;
    db_bind_blob(d, q, 1, h, 32);
    int rc = db_step(d, q);
    if (rc == DB_ROW)
        *out = (struct session){db_col_int64(d, q, 0), db_col_int64(d, q, 1),
                                db_col_int64(d, q, 2), db_col_int64(d, q, 3),
                                (int)db_col_int64(d, q, 4) != 0};
    db_reset(d, q);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? STORE_NOTFOUND : db_fail(d, "session_get");
}

static int session_upd(struct store *st, enum acc_stmt id, const unsigned char h[32], int64_t now)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, id);
    if (!q)
        return -1;
    db_bind_blob(d, q, 1, h, 32);
    db_bind_int64(d, q, 2, now);
    return done(d, q, "session", false);
}

static int a_session_touch(struct store *st, const unsigned char h[32], int64_t now)
{
    return session_upd(st, A_SESS_TOUCH, h, now);
}

static int a_session_end(struct store *st, const unsigned char h[32], int64_t now)
{
    return session_upd(st, A_SESS_END, h, now);
}

static int a_session_count(struct store *st, int64_t idle_since, int64_t created_since, long long *n)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_SESS_COUNT);
    if (!q)
        return -1;
    db_bind_int64(d, q, 1, idle_since);
    db_bind_int64(d, q, 2, created_since);
    int rc = db_step(d, q);
    if (rc == DB_ROW)
        *n = db_col_int64(d, q, 0);
    db_reset(d, q);
    return rc == DB_ROW ? 0 : db_fail(d, "session_count");
}

static int a_token_add(struct store *st, const char *org, const char *name,
                       const unsigned char hash[32], const char *by, int64_t *id)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_TOK_ADD);
    if (!q)
        return -1;
    char now[64];
    store_now_iso(now);
    db_bind_text(d, q, 1, org);
    db_bind_text(d, q, 2, name);
    db_bind_blob(d, q, 3, hash, 32);
    db_bind_text(d, q, 4, now);
    db_bind_text(d, q, 5, by);
    return inserted(d, q, "token_add", id);
}

static int a_token_get(struct store *st, int64_t id, struct api_token *out)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_TOK_GET);
    if (!q)
        return -1;
    db_bind_int64(d, q, 1, id);
    int rc = db_step(d, q);
    if (rc == DB_ROW) {
        memset(out, 0, sizeof *out);
        out->id = db_col_int64(d, q, 0);
        db_copy_text(d, q, 1, out->org, sizeof out->org);
        db_copy_text(d, q, 2, out->name, sizeof out->name);
        if (db_col_bytes(d, q, 3) == SECRET_HASH_BYTES)
            memcpy(out->secret_hash, db_col_blob(d, q, 3), SECRET_HASH_BYTES);
        out->revoked_ms = db_col_int64(d, q, 4);
    }
    db_reset(d, q);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? STORE_NOTFOUND : db_fail(d, "token_get");
}

static int a_token_revoke(struct store *st, int64_t id, int64_t now)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_TOK_REVOKE);
    if (!q)
        return -1;
    db_bind_int64(d, q, 1, id);
    db_bind_int64(d, q, 2, now);
    return done(d, q, "token_revoke", true);
}

/* ---- facts ---------------------------------------------------------------- */

void facts_free(struct facts_buf *b)
{
    free(b->consents);
    free(b->withdrawals);
    free(b->rels);
    free(b->proxies);
    free(b->bgs);
    free(b->reqs);
    memset(b, 0, sizeof *b);
}

#define GROW(arr, n)                                                                               \
    do {                                                                                           \
        if (((n) & ((n)-1)) == 0)                                                                  \
            (arr) = xrealloc((arr), size_mul((n) ? 2 * (n) : 1, sizeof *(arr)));                  \
    } while (0)

static void read_consent(struct db *d, struct db_stmt *q, struct consent *c, char *collected, size_t cap)
{
    char kind[16];
    memset(c, 0, sizeof *c);
    c->id = db_col_int64(d, q, 0);
    db_copy_text(d, q, 1, kind, sizeof kind);
    c->kind = consent_kind_from_code(kind);
    c->cats = (uint32_t)db_col_int64(d, q, 2);
    c->valid_from = db_col_int64(d, q, 3);
    c->valid_to = db_col_int64(d, q, 4);
    c->recorded_ms = db_col_int64(d, q, 5);
    db_copy_text(d, q, 6, c->grantee, sizeof c->grantee);
    if (collected)
        db_copy_text(d, q, 7, collected, cap);
}

static void read_withdrawal(struct db *d, struct db_stmt *q, struct withdrawal *w, char *by, size_t cap)
{
    memset(w, 0, sizeof *w);
    w->id = db_col_int64(d, q, 0);
    w->cats = (uint32_t)db_col_int64(d, q, 1);
    w->at_ms = db_col_int64(d, q, 2);
    db_copy_text(d, q, 3, w->grantee, sizeof w->grantee);
    if (by)
        db_copy_text(d, q, 4, by, cap);
}

static void read_rel(struct db *d, struct db_stmt *q, struct relationship *r, char *name, size_t cap)
{
    memset(r, 0, sizeof *r);
    r->id = db_col_int64(d, q, 0);
    db_copy_text(d, q, 1, r->org, sizeof r->org);
    r->started_ms = db_col_int64(d, q, 2);
    r->ended_ms = db_col_int64(d, q, 3);
    r->last_actual_ym = (int32_t)db_col_int64(d, q, 4);
    if (name)
        db_copy_text(d, q, 5, name, cap);
}

static void read_proxy(struct db *d, struct db_stmt *q, struct proxy *p, char *login, char *basis, size_t cap)
{
    char kind[16];
    memset(p, 0, sizeof *p);
    p->id = db_col_int64(d, q, 0);
    db_copy_text(d, q, 1, p->account, sizeof p->account);
    db_copy_text(d, q, 2, kind, sizeof kind);
    p->kind = proxy_kind_from_code(kind);
    p->cats = (uint32_t)db_col_int64(d, q, 3);
    p->valid_from = db_col_int64(d, q, 4);
    p->valid_to = db_col_int64(d, q, 5);
    p->revoked_ms = db_col_int64(d, q, 6);
    if (login)
        db_copy_text(d, q, 7, login, LOGIN_BYTES);
    if (basis)
        db_copy_text(d, q, 8, basis, cap);
}

static void read_bg(struct db *d, struct db_stmt *q, struct breakglass_row *b)
{
    memset(b, 0, sizeof *b);
    b->g.id = db_col_int64(d, q, 0);
    db_copy_text(d, q, 1, b->g.account, sizeof b->g.account); /* "user:<id>", as actor ids */
    b->g.started_ms = db_col_int64(d, q, 2);
    b->g.expires_ms = db_col_int64(d, q, 3);
    db_copy_text(d, q, 4, b->person.insurer_no, sizeof b->person.insurer_no);
    db_copy_text(d, q, 5, b->person.insured_no, sizeof b->person.insured_no);
    db_copy_text(d, q, 6, b->org, sizeof b->org);
    db_copy_text(d, q, 7, b->reason, sizeof b->reason);
    b->reviewed_ms = db_col_int64(d, q, 8);
    db_copy_text(d, q, 9, b->reviewed_by, sizeof b->reviewed_by);
}

static int a_facts_load(struct store *st, const struct person_key *k, const struct actor *a,
                        unsigned need, struct facts_buf *b)
{
    struct db *d = st->adb->db;
    struct db_stmt *q;
    int rc = DB_DONE;
    memset(b, 0, sizeof *b);
    if (need & NEED_CONSENT) {
        if (!(q = Q(st, A_F_CONSENTS)))
            return -1;
        bind_person(d, q, k);
        while ((rc = db_step(d, q)) == DB_ROW) {
            GROW(b->consents, b->nconsents);
            read_consent(d, q, &b->consents[b->nconsents++], NULL, 0);
        }
        db_reset(d, q);
        if (rc != DB_DONE || !(q = Q(st, A_F_WITHDRAWALS)))
            goto fail;
        bind_person(d, q, k);
        while ((rc = db_step(d, q)) == DB_ROW) {
            GROW(b->withdrawals, b->nwithdrawals);
            read_withdrawal(d, q, &b->withdrawals[b->nwithdrawals++], NULL, 0);
        }
        db_reset(d, q);
        if (rc != DB_DONE)
            goto fail;
    }
    if (need & NEED_RELS) {
        if (!(q = Q(st, A_F_RELS_ORG)))
            goto fail;
        bind_person(d, q, k);
        db_bind_text(d, q, 3, a->org);
        while ((rc = db_step(d, q)) == DB_ROW) {
            GROW(b->rels, b->nrels);
            read_rel(d, q, &b->rels[b->nrels++], NULL, 0);
        }
        db_reset(d, q);
        if (rc != DB_DONE)
            goto fail;
    }
    if (need & NEED_PROXIES) {
        if (!(q = Q(st, A_F_PROXIES)))
            goto fail;
        bind_person(d, q, k);
        while ((rc = db_step(d, q)) == DB_ROW) {
            GROW(b->proxies, b->nproxies);
            read_proxy(d, q, &b->proxies[b->nproxies++], NULL, NULL, 0);
        }
        db_reset(d, q);
        if (rc != DB_DONE)
            goto fail;
    }
    if (need & NEED_BREAKGLASS) {
        if (!(q = Q(st, A_F_BGS)))
            goto fail;
        bind_person(d, q, k);
        while ((rc = db_step(d, q)) == DB_ROW) {
            struct breakglass_row row;
            read_bg(d, q, &row);
            GROW(b->bgs, b->nbgs);
            b->bgs[b->nbgs++] = row.g;
        }
        db_reset(d, q);
        if (rc != DB_DONE)
            goto fail;
    }
    if (need & NEED_REQUESTS) {
        if (!(q = Q(st, A_F_REQS)))
            goto fail;
        bind_person(d, q, k);
        while ((rc = db_step(d, q)) == DB_ROW) {
            GROW(b->reqs, b->nreqs);
            struct ikensho_request *r = &b->reqs[b->nreqs++];
            memset(r, 0, sizeof *r);
            r->id = db_col_int64(d, q, 0);
            db_copy_text(d, q, 1, r->org, sizeof r->org);
            r->opened_ms = db_col_int64(d, q, 2);
            r->closed_ms = db_col_int64(d, q, 3);
        }
        db_reset(d, q);
        if (rc != DB_DONE)
            goto fail;
    }
    return 0;
fail:
    facts_free(b);
    return db_fail(d, "facts_load");
}

/* ---- grants --------------------------------------------------------------- */

static int a_consent_add(struct store *st, const struct person_key *k, const struct consent *c,
                         const char *collected_by, const char *by, int64_t *id)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_CONSENT_ADD);
    if (!q)
        return -1;
    bind_person(d, q, k);
    db_bind_text(d, q, 3, consent_kind_code(c->kind));
    db_bind_int64(d, q, 4, c->cats);
    db_bind_int64(d, q, 5, c->valid_from);
    db_bind_int64(d, q, 6, c->valid_to);
    db_bind_text(d, q, 7, c->grantee);
    db_bind_text(d, q, 8, collected_by);
    db_bind_int64(d, q, 9, c->recorded_ms);
    db_bind_text(d, q, 10, by);
    return inserted(d, q, "consent_add", id);
}

static int a_withdrawal_add(struct store *st, const struct person_key *k,
                            const struct withdrawal *w, const char *by, int64_t *id)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_WITHDRAW_ADD);
    if (!q)
        return -1;
    bind_person(d, q, k);
    db_bind_int64(d, q, 3, w->cats);
    db_bind_text(d, q, 4, w->grantee);
    db_bind_int64(d, q, 5, w->at_ms);
    db_bind_text(d, q, 6, by);
    return inserted(d, q, "withdrawal_add", id);
}

static int a_relationship_add(struct store *st, const struct person_key *k, const char *org,
                              int64_t now, const char *how, const char *evidence, const char *by, int64_t *id)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_REL_ADD);
    if (!q)
        return -1;
    bind_person(d, q, k);
    db_bind_text(d, q, 3, org);
    db_bind_int64(d, q, 4, now);
    db_bind_text(d, q, 5, how);
    db_bind_text(d, q, 6, by);
    db_bind_text(d, q, 7, evidence);
    return inserted(d, q, "relationship_add", id);
}

static int person_org_upd(struct store *st, enum acc_stmt id, const struct person_key *k,
                          const char *org, int64_t v)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, id);
    if (!q)
        return -1;
    bind_person(d, q, k);
    db_bind_text(d, q, 3, org);
    db_bind_int64(d, q, 4, v);
    return done(d, q, "update", true);
}

static int a_relationship_end(struct store *st, const struct person_key *k, const char *org,
                              int64_t now)
{
    return person_org_upd(st, A_REL_END, k, org, now);
}

static int a_relationship_actual(struct store *st, const struct person_key *k, const char *org, int ym)
{
    return person_org_upd(st, A_REL_ACTUAL, k, org, ym);
}

static int a_proxy_add(struct store *st, const struct person_key *k, const struct proxy *p,
                       int64_t account, const char *basis, int64_t now, const char *by, int64_t *id)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_PROXY_ADD);
    if (!q)
        return -1;
    bind_person(d, q, k);
    db_bind_int64(d, q, 3, account);
    db_bind_text(d, q, 4, proxy_kind_code(p->kind));
    db_bind_text(d, q, 5, basis);
    db_bind_int64(d, q, 6, p->cats);
    db_bind_int64(d, q, 7, p->valid_from);
    db_bind_int64(d, q, 8, p->valid_to);
    db_bind_int64(d, q, 9, now);
    db_bind_text(d, q, 10, by);
    return inserted(d, q, "proxy_add", id);
}

static int a_proxy_invite_add(struct store *st, const struct proxy_invite *inv, const char *by, int64_t *id)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_INVITE_ADD);
    if (!q)
        return -1;
    bind_person(d, q, &inv->person);
    db_bind_blob(d, q, 3, inv->code_hash, 32);
    db_bind_text(d, q, 4, proxy_kind_code(inv->kind));
    db_bind_int64(d, q, 5, inv->cats);
    db_bind_text(d, q, 6, inv->label);
    db_bind_int64(d, q, 7, inv->created_ms);
    db_bind_int64(d, q, 8, inv->expires_ms);
    db_bind_text(d, q, 9, by);
    return inserted(d, q, "proxy_invite_add", id);
}

static void read_proxy_for(struct db *d, struct db_stmt *q, struct proxy_for *p)
{
    char kind[16];
    memset(p, 0, sizeof *p);
    p->id = db_col_int64(d, q, 0);
    db_copy_text(d, q, 1, p->person.insurer_no, sizeof p->person.insurer_no);
    db_copy_text(d, q, 2, p->person.insured_no, sizeof p->person.insured_no);
    db_copy_text(d, q, 3, kind, sizeof kind);
    p->kind = proxy_kind_from_code(kind);
    p->cats = (uint32_t)db_col_int64(d, q, 4);
    db_copy_text(d, q, 5, p->label, sizeof p->label);
}

static int a_proxy_invite_redeem(struct store *st, const unsigned char code_hash[32], int64_t account,
                                 int64_t now, const char *by, struct proxy_for *out)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_INVITE_TAKE);
    if (!q)
        return -1;
    db_bind_blob(d, q, 1, code_hash, 32);
    db_bind_int64(d, q, 2, now);
    db_bind_text(d, q, 3, by);
    int rc = db_step(d, q);
    int64_t invite = 0;
    if (rc == DB_ROW) {
        read_proxy_for(d, q, out);
        invite = out->id;
        rc = db_step(d, q);
    }
    db_reset(d, q);
    if (rc != DB_DONE)
        return db_fail(d, "proxy_invite_redeem");
    if (!invite)
        return STORE_NOTFOUND;
    char basis[40];
    snprintf(basis, sizeof basis, "invite:%lld", (long long)invite);
    if (!(q = Q(st, A_PROXY_ADD_LABEL)))
        return -1;
    bind_person(d, q, &out->person);
    db_bind_int64(d, q, 3, account);
    db_bind_text(d, q, 4, proxy_kind_code(out->kind));
    db_bind_text(d, q, 5, basis);
    db_bind_int64(d, q, 6, out->cats);
    db_bind_int64(d, q, 7, now);
    db_bind_text(d, q, 8, by);
    db_bind_text(d, q, 9, out->label);
    return inserted(d, q, "proxy_invite_redeem", &out->id);
}

/* person_id_end - an UPDATE (?1, ?2 person, ?3 id, ?4 now, ?5 by) that ends one row; NOTFOUND if none */
static int person_id_end(struct store *st, enum acc_stmt stmt, const struct person_key *k, int64_t id, int64_t now,
                         const char *by, const char *what)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, stmt);
    if (!q)
        return -1;
    bind_person(d, q, k);
    db_bind_int64(d, q, 3, id);
    db_bind_int64(d, q, 4, now);
    db_bind_text(d, q, 5, by);
    return done(d, q, what, true);
}

static int a_proxy_invite_cancel(struct store *st, const struct person_key *k, int64_t id, int64_t now,
                                 const char *by)
{
    return person_id_end(st, A_INVITE_CANCEL, k, id, now, by, "proxy_invite_cancel");
}

static int a_account_proxies(struct store *st, int64_t account, int64_t now, proxy_for_fn *fn, void *ctx)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_ACC_PROXIES);
    if (!q)
        return -1;
    db_bind_int64(d, q, 1, account);
    db_bind_int64(d, q, 2, now);
    int rc;
    while ((rc = db_step(d, q)) == DB_ROW) {
        struct proxy_for p;
        read_proxy_for(d, q, &p);
        if (fn(ctx, &p))
            break;
    }
    db_reset(d, q);
    return rc == DB_ROW || rc == DB_DONE ? 0 : db_fail(d, "account_proxies");
}

static int a_proxy_revoke(struct store *st, const struct person_key *k, int64_t id, int64_t now,
                          const char *by)
{
    return person_id_end(st, A_PROXY_REVOKE, k, id, now, by, "proxy_revoke");
}

static int a_breakglass_add(struct store *st, const struct person_key *k, int64_t account,
                            const char *org, const char *reason, int64_t now, int64_t *id)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_BG_ADD);
    if (!q)
        return -1;
    bind_person(d, q, k);
    db_bind_int64(d, q, 3, account);
    db_bind_text(d, q, 4, org);
    db_bind_text(d, q, 5, reason);
    db_bind_int64(d, q, 6, now);
    db_bind_int64(d, q, 7, now + BREAKGLASS_MS); /* RULE-AUTH: break-glass lasts 24 h */
    return inserted(d, q, "breakglass_add", id);
}

static int a_breakglass_reviews(struct store *st, const char *insurer_no, bool open_only,
                                breakglass_row_fn *fn, void *ctx)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_BG_REVIEWS);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, insurer_no);
    db_bind_int64(d, q, 2, open_only);
    int rc;
    while ((rc = db_step(d, q)) == DB_ROW) {
        struct breakglass_row b;
        read_bg(d, q, &b);
        if (fn(ctx, &b))
            break;
    }
    db_reset(d, q);
    return rc == DB_ROW || rc == DB_DONE ? 0 : db_fail(d, "breakglass_reviews");
}

static int a_paper_registrations(struct store *st, const char *insurer_no, int64_t since_ms,
                                 paper_reg_fn *fn, void *ctx)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_PAPER_REGS);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, insurer_no);
    db_bind_int64(d, q, 2, since_ms);
    int rc;
    while ((rc = db_step(d, q)) == DB_ROW) {
        struct paper_reg_row x = {0};
        x.id = db_col_int64(d, q, 0);
        x.started_ms = db_col_int64(d, q, 1);
        x.ended_ms = db_col_int64(d, q, 2);
        str_cut(x.person.insurer_no, sizeof x.person.insurer_no, insurer_no);
        db_copy_text(d, q, 3, x.person.insured_no, sizeof x.person.insured_no);
        db_copy_text(d, q, 4, x.org, sizeof x.org);
        db_copy_text(d, q, 5, x.org_name, sizeof x.org_name);
        db_copy_text(d, q, 6, x.evidence, sizeof x.evidence);
        db_copy_text(d, q, 7, x.created_by, sizeof x.created_by);
        if (fn(ctx, &x))
            break;
    }
    db_reset(d, q);
    return rc == DB_ROW || rc == DB_DONE ? 0 : db_fail(d, "paper_registrations");
}

static int a_org_persons(struct store *st, const char *org, org_person_fn *fn, void *ctx)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_ORG_PERSONS);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, org);
    int rc;
    while ((rc = db_step(d, q)) == DB_ROW) {
        struct person_key k;
        memset(&k, 0, sizeof k);
        db_copy_text(d, q, 0, k.insurer_no, sizeof k.insurer_no);
        db_copy_text(d, q, 1, k.insured_no, sizeof k.insured_no);
        if (fn(ctx, &k, db_col_int64(d, q, 2), (int)db_col_int64(d, q, 3)))
            break;
    }
    db_reset(d, q);
    return rc == DB_ROW || rc == DB_DONE ? 0 : db_fail(d, "org_persons");
}

static int a_consent_holders(struct store *st, const char *insurer_no, uint32_t cats,
                             int (*fn)(void *ctx, const char *insured_no), void *ctx)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_CONSENT_HOLDERS);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, insurer_no);
    db_bind_int64(d, q, 2, (int64_t)cats);
    int rc;
    while ((rc = db_step(d, q)) == DB_ROW) {
        const char *no = db_col_text(d, q, 0);
        if (no && fn(ctx, no))
            break;
    }
    db_reset(d, q);
    return rc == DB_ROW || rc == DB_DONE ? 0 : db_fail(d, "consent_holders");
}

static int a_breakglass_close(struct store *st, const char *insurer_no, int64_t id, const char *by,
                              const char *note, int64_t now)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_BG_CLOSE);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, insurer_no);
    db_bind_int64(d, q, 2, id);
    db_bind_int64(d, q, 3, now);
    db_bind_text(d, q, 4, by);
    db_bind_text(d, q, 5, note);
    return done(d, q, "breakglass_close", true);
}

static int a_request_add(struct store *st, const struct person_key *k, const char *org, int64_t now,
                         const char *by, const char *app_id, int64_t *id)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_REQ_ADD);
    if (!q)
        return -1;
    bind_person(d, q, k);
    db_bind_text(d, q, 3, org);
    db_bind_int64(d, q, 4, now);
    db_bind_text(d, q, 5, by);
    db_bind_text(d, q, 6, app_id);
    return inserted(d, q, "request_add", id);
}

static int a_org_requests(struct store *st, const char *org, org_request_fn *fn, void *ctx)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_ORG_REQS);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, org);
    int rc;
    while ((rc = db_step(d, q)) == DB_ROW) {
        struct org_request x;
        memset(&x, 0, sizeof x);
        db_copy_text(d, q, 0, x.person.insurer_no, sizeof x.person.insurer_no);
        db_copy_text(d, q, 1, x.person.insured_no, sizeof x.person.insured_no);
        db_copy_text(d, q, 2, x.app_id, sizeof x.app_id);
        x.opened_ms = db_col_int64(d, q, 3);
        x.closed_ms = db_col_int64(d, q, 4);
        x.answered_ms = db_col_int64(d, q, 5);
        x.draft = (int)db_col_int64(d, q, 6) != 0;
        if (fn(ctx, &x))
            break;
    }
    db_reset(d, q);
    return rc == DB_ROW || rc == DB_DONE ? 0 : db_fail(d, "org_requests");
}

/* person_stmt - statement which with the person as ?1 ?2 and two more keys as ?3 ?4 (application and
 * institution of a draft opinion; office and month of a plan month) */
static struct db_stmt *person_stmt(struct store *st, int which, const struct person_key *k, const char *key3,
                                 const char *key4)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, which);
    if (q) {
        bind_person(d, q, k);
        db_bind_text(d, q, 3, key3);
        db_bind_text(d, q, 4, key4);
    }
    return q;
}

static int a_draft_put(struct store *st, const struct person_key *k, const char *app_id, const char *org,
                       const char *body, int64_t now, const char *by)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = person_stmt(st, A_DRAFT_PUT, k, app_id, org);
    if (!q)
        return -1;
    db_bind_text(d, q, 5, body);
    db_bind_int64(d, q, 6, now);
    db_bind_text(d, q, 7, by);
    int rc = db_step(d, q);
    db_reset(d, q);
    return rc == DB_DONE ? 0 : db_fail(d, "draft_put");
}

static int a_draft_get(struct store *st, const struct person_key *k, const char *app_id, const char *org,
                       char **body, int64_t *saved_ms)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = person_stmt(st, A_DRAFT_GET, k, app_id, org);
    *body = NULL;
    if (!q)
        return -1;
    int rc = db_step(d, q);
    if (rc == DB_ROW) {
        const char *b = db_col_text(d, q, 0);
        *body = xstrdup(b ? b : "");
        *saved_ms = db_col_int64(d, q, 1);
    }
    db_reset(d, q);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? STORE_NOTFOUND : db_fail(d, "draft_get");
}

static int a_plan_month_get(struct store *st, const struct person_key *k, const char *org, const char *month,
                            struct plan_month *out, char **draft)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = person_stmt(st, A_PM_GET, k, org, month);
    memset(out, 0, sizeof *out);
    if (draft)
        *draft = NULL;
    if (!q)
        return -1;
    int rc = db_step(d, q);
    if (rc == DB_ROW) {
        const char *b = db_col_text(d, q, 0);
        if (draft && b)
            *draft = xstrdup(b);
        out->draft_ms = b ? db_col_int64(d, q, 1) : 0;
        out->issued_ms = db_col_int64(d, q, 2);
    }
    db_reset(d, q);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? STORE_NOTFOUND : db_fail(d, "plan_month_get");
}

static int a_plan_draft_put(struct store *st, const struct person_key *k, const char *org, const char *month,
                            const char *body, int64_t now, const char *by)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = person_stmt(st, A_PM_DRAFT, k, org, month);
    if (!q)
        return -1;
    if (body) /* else ?5 stays NULL */
        db_bind_text(d, q, 5, body);
    db_bind_int64(d, q, 6, now);
    db_bind_text(d, q, 7, by);
    int rc = db_step(d, q);
    db_reset(d, q);
    return rc == DB_DONE ? 0 : db_fail(d, "plan_draft_put");
}

static int a_plan_issued(struct store *st, const struct person_key *k, const char *org, const char *month,
                         int64_t now, const char *by)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = person_stmt(st, A_PM_ISSUED, k, org, month);
    if (!q)
        return -1;
    db_bind_int64(d, q, 5, now);
    db_bind_text(d, q, 6, by);
    int rc = db_step(d, q);
    db_reset(d, q);
    return rc == DB_DONE ? 0 : db_fail(d, "plan_issued");
}

static int a_deliveries_sent(struct store *st, const struct person_key *k, const char *from_org,
                             int (*fn)(void *ctx, const struct delivery *d), void *ctx)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_DLV_SENT);
    if (!q)
        return -1;
    bind_person(d, q, k);
    db_bind_text(d, q, 3, from_org);
    return each_delivery(d, q, fn, ctx, "deliveries_sent");
}

static int a_visit_add(struct store *st, const struct person_key *k, const char *org, struct date on, bool video,
                       int64_t now, const char *by)
{
    struct db *d = st->adb->db;
    char iso[11];
    date_iso(on, iso);
    struct db_stmt *q = person_stmt(st, A_VISIT_ADD, k, org, iso);
    if (!q)
        return -1;
    db_bind_text(d, q, 5, video ? "video" : "home");
    db_bind_int64(d, q, 6, now);
    db_bind_text(d, q, 7, by);
    int rc = db_step(d, q);
    db_reset(d, q);
    return rc == DB_DONE ? 0 : db_fail(d, "visit_add");
}

static int a_visit_last(struct store *st, const struct person_key *k, const char *org, struct date *last_home,
                        bool *video_after)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_VISIT_LAST);
    *last_home = DATE_NONE;
    *video_after = false;
    if (!q)
        return -1;
    bind_person(d, q, k);
    db_bind_text(d, q, 3, org);
    int rc = db_step(d, q);
    if (rc == DB_ROW) {
        const char *home = db_col_text(d, q, 0), *video = db_col_text(d, q, 1);
        const char *why;
        if (home && date_parse_iso(home, strlen(home), last_home, &why))
            *last_home = DATE_NONE;
        *video_after = video && (!home || strcmp(video, home) > 0);
    }
    db_reset(d, q);
    return rc == DB_ROW ? 0 : db_fail(d, "visit_last");
}

static int a_request_answered(struct store *st, const struct person_key *k, const char *app_id, const char *org,
                              int64_t now)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = person_stmt(st, A_REQ_ANSWER, k, app_id, org);
    if (!q)
        return -1;
    db_bind_int64(d, q, 5, now);
    int rc = db_step(d, q);
    db_reset(d, q);
    if (rc != DB_DONE)
        return db_fail(d, "request_answered");
    if (!(q = person_stmt(st, A_DRAFT_DEL, k, app_id, org)))
        return -1;
    rc = db_step(d, q);
    db_reset(d, q);
    return rc == DB_DONE ? 0 : db_fail(d, "request_answered");
}

static int a_request_close(struct store *st, const struct person_key *k, const char *org, int64_t now)
{
    return person_org_upd(st, A_REQ_CLOSE, k, org, now);
}

static int a_code_add(struct store *st, const struct person_key *k, const unsigned char hash[32],
                      int64_t now, int64_t expires, const char *via)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_CODE_ADD);
    if (!q)
        return -1;
    bind_person(d, q, k);
    db_bind_blob(d, q, 3, hash, 32);
    db_bind_int64(d, q, 4, now);
    db_bind_int64(d, q, 5, expires);
    db_bind_text(d, q, 6, via);
    return done(d, q, "code_add", false);
}

static int a_code_use(struct store *st, const struct person_key *k, const unsigned char hash[32],
                      int64_t now)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_CODE_USE);
    if (!q)
        return -1;
    bind_person(d, q, k);
    db_bind_blob(d, q, 3, hash, 32);
    db_bind_int64(d, q, 4, now);
    return done(d, q, "code_use", true);
}

static int a_security_event(struct store *st, int64_t now, const char *kind, const char *subject,
                            const char *address, const char *detail)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_SEC_EVENT);
    if (!q)
        return -1;
    db_bind_int64(d, q, 1, now);
    db_bind_text(d, q, 2, kind);
    db_bind_text(d, q, 3, subject);
    db_bind_text(d, q, 4, address);
    db_bind_text(d, q, 5, detail);
    return done(d, q, "security_event", false);
}

static int a_throttle_hit(struct store *st, const char *key, int64_t window_ms, int64_t now, int64_t *hits)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_THROTTLE_HIT);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, key);
    db_bind_int64(d, q, 2, now);
    db_bind_int64(d, q, 3, now + window_ms);
    int rc = db_step(d, q);
    if (rc == DB_ROW)
        *hits = db_col_int64(d, q, 0);
    db_reset(d, q);
    if (rc != DB_ROW)
        return db_fail(d, "throttle_hit");
    if (*hits > 1)
        return 0;
    /* a window began: the counters whose windows have passed go (an index range, not a scan) */
    q = Q(st, A_THROTTLE_PRUNE);
    if (!q)
        return -1;
    db_bind_int64(d, q, 1, now);
    return done(d, q, "throttle_prune", false);
}

static int a_throttle_count(struct store *st, const char *key, int64_t now, int64_t *hits)
{
    struct db *d = st->adb->db;
    struct db_stmt *q = Q(st, A_THROTTLE_GET);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, key);
    db_bind_int64(d, q, 2, now);
    int rc = db_step(d, q);
    *hits = rc == DB_ROW ? db_col_int64(d, q, 0) : 0;
    db_reset(d, q);
    return rc == DB_ERROR ? db_fail(d, "throttle_count") : 0;
}

static int a_person_grants(struct store *st, const struct person_key *k,
                           const struct person_grants_fn *fn, void *ctx)
{
    struct db *d = st->adb->db;
    struct db_stmt *q;
    int rc, stop = 0;
    char text[TEXT_BYTES], login[LOGIN_BYTES];
    if (!(q = Q(st, A_F_CONSENTS)))
        return -1;
    bind_person(d, q, k);
    while (!stop && (rc = db_step(d, q)) == DB_ROW) {
        struct consent c;
        read_consent(d, q, &c, text, sizeof text);
        stop = fn->consent(ctx, &c, text);
    }
    db_reset(d, q);
    if (!(q = Q(st, A_F_WITHDRAWALS)))
        return -1;
    bind_person(d, q, k);
    while (!stop && (rc = db_step(d, q)) == DB_ROW) {
        struct withdrawal w;
        read_withdrawal(d, q, &w, text, sizeof text);
        stop = fn->withdrawal(ctx, &w, text);
    }
    db_reset(d, q);
    if (!(q = Q(st, A_F_PROXIES)))
        return -1;
    bind_person(d, q, k);
    while (!stop && (rc = db_step(d, q)) == DB_ROW) {
        struct proxy p;
        read_proxy(d, q, &p, login, text, sizeof text);
        stop = fn->proxy(ctx, &p, login, text);
    }
    db_reset(d, q);
    if (!(q = Q(st, A_F_RELS)))
        return -1;
    bind_person(d, q, k);
    db_bind_text(d, q, 3, "");
    while (!stop && (rc = db_step(d, q)) == DB_ROW) {
        struct relationship r;
        read_rel(d, q, &r, text, sizeof text);
        stop = fn->relationship(ctx, &r, text);
    }
    db_reset(d, q);
    if (!(q = Q(st, A_F_BGS)))
        return -1;
    bind_person(d, q, k);
    while (!stop && (rc = db_step(d, q)) == DB_ROW) {
        struct breakglass_row b;
        read_bg(d, q, &b);
        stop = fn->breakglass(ctx, &b);
    }
    db_reset(d, q);
    if (fn->invite) {
        if (!(q = Q(st, A_G_INVITES)))
            return -1;
        bind_person(d, q, k);
        while (!stop && (rc = db_step(d, q)) == DB_ROW) {
            struct proxy_invite i;
            char kind[16];
            memset(&i, 0, sizeof i);
            i.id = db_col_int64(d, q, 0);
            i.person = *k;
            db_copy_text(d, q, 1, kind, sizeof kind);
            i.kind = proxy_kind_from_code(kind);
            i.cats = (uint32_t)db_col_int64(d, q, 2);
            db_copy_text(d, q, 3, i.label, sizeof i.label);
            i.created_ms = db_col_int64(d, q, 4);
            i.expires_ms = db_col_int64(d, q, 5);
            stop = fn->invite(ctx, &i);
        }
        db_reset(d, q);
    }
    return stop < 0 ? -1 : 0;
}

/* the audit log's reports are the backend's (store_ops) */
static int a_person_access(struct store *st, const struct person_key *k, access_row_fn *fn, void *ctx)
{
    return st->ops->person_access(st, k, fn, ctx);
}

static int a_audit_scope(struct store *st, const char *org, const char *actor, int64_t from, int64_t to,
                         scope_row_fn *fn, void *ctx)
{
    return st->ops->audit_scope(st, org, actor, from, to, fn, ctx);
}

const struct store_access_ops store_access_shared = {
    .org_add = a_org_add,
    .org_get = a_org_get,
    .org_list = a_org_list,
    .org_by_office = a_org_by_office,
    .delivery_add = a_delivery_add,
    .deliveries_open = a_deliveries_open,
    .delivery_get = a_delivery_get,
    .delivery_mark = a_delivery_mark,
    .account_add = a_account_add,
    .account_by_login = a_account_by_login,
    .account_get = a_account_get,
    .account_totp_step = a_account_totp_step,
    .session_add = a_session_add,
    .session_get = a_session_get,
    .session_touch = a_session_touch,
    .session_end = a_session_end,
    .session_count = a_session_count,
    .token_add = a_token_add,
    .token_get = a_token_get,
    .token_revoke = a_token_revoke,
    .facts_load = a_facts_load,
    .consent_add = a_consent_add,
    .withdrawal_add = a_withdrawal_add,
    .relationship_add = a_relationship_add,
    .relationship_end = a_relationship_end,
    .relationship_actual = a_relationship_actual,
    .proxy_add = a_proxy_add,
    .proxy_invite_add = a_proxy_invite_add,
    .proxy_invite_redeem = a_proxy_invite_redeem,
    .proxy_invite_cancel = a_proxy_invite_cancel,
    .account_proxies = a_account_proxies,
    .proxy_revoke = a_proxy_revoke,
    .breakglass_add = a_breakglass_add,
    .breakglass_reviews = a_breakglass_reviews,
    .paper_registrations = a_paper_registrations,
    .org_persons = a_org_persons,
    .consent_holders = a_consent_holders,
    .breakglass_close = a_breakglass_close,
    .request_add = a_request_add,
    .request_close = a_request_close,
    .org_requests = a_org_requests,
    .draft_put = a_draft_put,
    .draft_get = a_draft_get,
    .request_answered = a_request_answered,
    .plan_month_get = a_plan_month_get,
    .plan_draft_put = a_plan_draft_put,
    .plan_issued = a_plan_issued,
    .deliveries_sent = a_deliveries_sent,
    .visit_add = a_visit_add,
    .visit_last = a_visit_last,
    .code_add = a_code_add,
    .code_use = a_code_use,
    .security_event = a_security_event,
    .throttle_hit = a_throttle_hit,
    .throttle_count = a_throttle_count,
    .person_access = a_person_access,
    .person_grants = a_person_grants,
    .audit_scope = a_audit_scope,
};
