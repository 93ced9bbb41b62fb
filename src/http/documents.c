/*
 * documents.c - the card and every stored document: personal reads, only through
 * service/disclose.c. The handler starts a disclosure and suspends the connection; the
 * audit writer resumes it once the entry is durable (or failed), and only then is
 * the answer built (disclosure_respond, or a page's renderer).
 */
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "domain/auth.h"
#include "domain/wareki.h"
#include "codec/cardjson.h"
#include "http/docview.h"
#include "http/internal.h"
#include "http/page.h"
#include "http/limits.h"
#include "audit/auditq.h"
#include "service/certstore.h"
#include "service/cpstore.h"
#include "codec/docjson.h"
#include "store/keyfile.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* ---- disclosures (GET, personal data: only through service/disclose.c) ------ */

/* Runs in the audit writer thread once the entry is durable (or failed). */
static void disclosed(void *ctx, enum disclose_status status)
{
    struct req *r = ctx;
    r->dstatus = status;
    MHD_resume_connection(r->conn);
}

int run_disclosure(struct req *r)
{
    disclose_async(thread_store(), srv_auditq, r->disc, disclosed, r);
    return HANDLER_SUSPENDED;
}

int start_disclosure_for(struct req *r, struct person_key k, struct date on, enum category cat,
                                enum disclose_what what);

int start_disclosure(struct req *r, enum category cat, enum disclose_what what)
{
    struct person_key k;
    struct date on = date_today();
    if (target(r, &k) || ((what == WHAT_CARD || what == WHAT_DOCS) && query_date(r, &on)))
        return 0;
    return start_disclosure_for(r, k, on, cat, what);
}

/* start_disclosure_for - the disclosure of category cat about k (on: the reference date),
 * suspended until the audit entry is durable. */
int start_disclosure_for(struct req *r, struct person_key k, struct date on, enum category cat,
                                enum disclose_what what)
{
    struct store *st = thread_store();
    if (!st)
        return http_error(r, 503, "unavailable", "データベースに接続できません");
    if (srv_stopping)
        return http_error(r, 503, "stopping", "サーバを停止しています");
    struct disclosure *d = r->disc = xcalloc(1, sizeof *d);
    principal_actor(&r->who, &k, &d->rq.actor);
    d->rq.person = k;
    d->rq.category = cat;
    d->rq.purpose = purpose_for_role(d->rq.actor.role);
    d->request_id = r->request_id;
    d->time_ms = clock_now_ms();
    d->what = what;
    d->on = on;
    r->on = on;
    if (what == WHAT_CARD)
        d->card = r->card = xmalloc(sizeof *r->card);
    else if (what == WHAT_PAPER) {
        d->paper = r->paper;
        d->paper_presented = true; /* the handler verified the token's signature for k */
        d->paper_out = r->paper_rec = xcalloc(1, sizeof *r->paper_rec);
        r->rows = xmalloc(sizeof *r->rows);
        jw_init(r->rows, 1 << 16);
        jw_obj(r->rows, NULL);
    } else if (what == WHAT_DOCS || what == WHAT_HISTORY)
        r->docs = json_array();
    else {
        r->rows = xmalloc(sizeof *r->rows);
        jw_init(r->rows, 64u << 20);
        jw_obj(r->rows, NULL);
    }
    /* Suspend first: the writer may resume us before disclose_async returns. */
    r->waiting = true;
    MHD_suspend_connection(r->conn);
    return 0;
}
static void jw_time(struct jsonw *w, const char *key, int64_t ms)
{
    char iso[64];
    if (!ms) {
        jw_null(w, key);
        return;
    }
    ms_iso(ms, iso);
    jw_str(w, key, iso);
}

static void jw_cats(struct jsonw *w, const char *key, uint32_t cats)
{
    jw_arr(w, key);
    for (int c = CAT_NONE + 1; c < CAT_COUNT; c++)
        if (cats & CAT_BIT(c))
            jw_str(w, NULL, category_code((enum category)c));
    jw_end(w);
}


static int access_row(void *ctx, const struct access_row *a)
{
    struct jsonw *w = ctx;
    jw_obj(w, NULL);
    jw_int(w, "seq", a->seq);
    jw_time(w, "time", a->time_ms);
    jw_str(w, "organisation", a->org);
    jw_str(w, "organisation_name", a->org_name[0] ? a->org_name : "");
    jw_str(w, "role", a->role);
    jw_str(w, "role_name", role_name(role_from_code(a->role)));
    jw_str(w, "actor", a->actor);
    enum category c = category_from_code(a->category, strlen(a->category));
    jw_str(w, "category", a->category);
    jw_str(w, "category_name", category_name(c));
    jw_str(w, "purpose", a->purpose);
    jw_str(w, "purpose_name", purpose_name_of_code(a->purpose));
    jw_str(w, "basis", a->basis);
    for (int b = 0; b < BASIS_COUNT; b++)
        if (strcmp(basis_code((enum basis)b), a->basis) == 0)
            jw_str(w, "basis_name", basis_name((enum basis)b));
    jw_str(w, "outcome", a->outcome);
    jw_str(w, "outcome_name", outcome_name_of_code(a->outcome));
    if (a->actor_name[0]) /* a proxy, named to the person they acted for */
        jw_str(w, "actor_name", a->actor_name);
    jw_bool(w, "breakglass", (a->flags & GATE_FLAG_BREAKGLASS) != 0);
    jw_bool(w, "paper_identity", (a->flags & GATE_FLAG_PAPER_IDENTITY) != 0);
    jw_end(w);
    return 0;
}

static int g_consent(void *ctx, const struct consent *c, const char *collected_by)
{
    struct jsonw *w = ctx;
    jw_obj(w, NULL);
    jw_int(w, "id", c->id);
    jw_str(w, "kind", consent_kind_code(c->kind));
    jw_cats(w, "categories", c->cats);
    jw_time(w, "valid_from", c->valid_from);
    jw_time(w, "valid_to", c->valid_to);
    jw_str(w, "grantee", c->grantee);
    jw_str(w, "collected_by", collected_by);
    jw_time(w, "recorded_at", c->recorded_ms);
    jw_end(w);
    return 0;
}

static int g_withdrawal(void *ctx, const struct withdrawal *x, const char *by)
{
    struct jsonw *w = ctx;
    jw_obj(w, NULL);
    jw_int(w, "id", x->id);
    jw_cats(w, "categories", x->cats);
    jw_str(w, "grantee", x->grantee);
    jw_time(w, "at", x->at_ms);
    jw_str(w, "by", by);
    jw_end(w);
    return 0;
}

static int g_proxy(void *ctx, const struct proxy *p, const char *login, const char *basis)
{
    struct jsonw *w = ctx;
    jw_obj(w, NULL);
    jw_int(w, "id", p->id);
    jw_str(w, "account", login);
    jw_str(w, "kind", proxy_kind_code(p->kind));
    jw_str(w, "basis", basis);
    jw_cats(w, "categories", p->cats);
    jw_time(w, "valid_from", p->valid_from);
    jw_time(w, "valid_to", p->valid_to);
    jw_time(w, "revoked_at", p->revoked_ms);
    jw_end(w);
    return 0;
}

static int g_rel(void *ctx, const struct relationship *x, const char *org_name)
{
    struct jsonw *w = ctx;
    jw_obj(w, NULL);
    jw_int(w, "id", x->id);
    jw_str(w, "organisation", x->org);
    jw_str(w, "organisation_name", org_name);
    jw_time(w, "started_at", x->started_ms);
    jw_time(w, "ended_at", x->ended_ms);
    jw_time(w, "lapses_at", relationship_lapse_ms(x, lapse_months()));
    jw_bool(w, "active", relationship_active(x, clock_now_ms(), lapse_months()));
    jw_end(w);
    return 0;
}

static int g_bg(void *ctx, const struct breakglass_row *b)
{
    struct jsonw *w = ctx;
    jw_obj(w, NULL);
    jw_int(w, "id", b->g.id);
    jw_str(w, "organisation", b->org);
    jw_str(w, "reason", b->reason);
    jw_time(w, "started_at", b->g.started_ms);
    jw_time(w, "expires_at", b->g.expires_ms);
    jw_time(w, "reviewed_at", b->reviewed_ms);
    jw_end(w);
    return 0;
}

/* The grants are written as five arrays; each callback opens its array on first use. */
struct grants_ctx {
    struct jsonw *w;
    int open; /* which array is open: 0 none, 1 consents … 5 breakglass */
};
static const char *const grant_arrays[] = {"", "consents", "withdrawals", "proxies",
                                           "relationships", "breakglass", "proxy_codes"};

static void grants_switch(struct grants_ctx *g, int to)
{
    while (g->open < to) {
        if (g->open)
            jw_end(g->w);
        g->open++;
        jw_arr(g->w, grant_arrays[g->open]);
    }
}

static int gc_consent(void *ctx, const struct consent *c, const char *by)
{
    grants_switch(ctx, 1);
    return g_consent(((struct grants_ctx *)ctx)->w, c, by);
}
static int gc_withdrawal(void *ctx, const struct withdrawal *x, const char *by)
{
    grants_switch(ctx, 2);
    return g_withdrawal(((struct grants_ctx *)ctx)->w, x, by);
}
static int gc_proxy(void *ctx, const struct proxy *p, const char *login, const char *basis)
{
    grants_switch(ctx, 3);
    return g_proxy(((struct grants_ctx *)ctx)->w, p, login, basis);
}
static int gc_rel(void *ctx, const struct relationship *x, const char *name)
{
    grants_switch(ctx, 4);
    return g_rel(((struct grants_ctx *)ctx)->w, x, name);
}
static int gc_bg(void *ctx, const struct breakglass_row *b)
{
    grants_switch(ctx, 5);
    return g_bg(((struct grants_ctx *)ctx)->w, b);
}
/* unused proxy codes: when and for what, never the code (only its hash is kept) */
static int gc_invite(void *ctx, const struct proxy_invite *i)
{
    grants_switch(ctx, 6);
    struct jsonw *w = ((struct grants_ctx *)ctx)->w;
    jw_obj(w, NULL);
    jw_int(w, "id", i->id);
    jw_str(w, "kind", proxy_kind_code(i->kind));
    jw_cats(w, "categories", i->cats);
    jw_time(w, "created_at", i->created_ms);
    jw_time(w, "expires_at", i->expires_ms);
    jw_bool(w, "expired", i->expires_ms <= clock_now_ms());
    jw_end(w);
    return 0;
}
static const struct person_grants_fn grants_fns = {gc_consent, gc_withdrawal, gc_proxy, gc_rel,
                                                   gc_bg, gc_invite};

int d_card(struct req *r)
{
    if (start_disclosure(r, CAT_SHIKAKU, WHAT_CARD) || !r->waiting)
        return 0;
    return run_disclosure(r);
}

int d_access_log(struct req *r)
{
    if (start_disclosure(r, CAT_ACCESSLOG, WHAT_ACCESS_LOG) || !r->waiting)
        return 0;
    jw_arr(r->rows, "entries");
    r->disc->row_fn = access_row;
    r->disc->row_ctx = r->rows;
    return run_disclosure(r);
}

int d_grants(struct req *r)
{
    if (start_disclosure(r, CAT_ACCESSLOG, WHAT_GRANTS) || !r->waiting)
        return 0;
    struct grants_ctx *g = xcalloc(1, sizeof *g);
    g->w = r->rows;
    r->grants = g;
    r->disc->grants_fn = &grants_fns;
    r->disc->row_ctx = g;
    /* the arrays are closed in disclosure_body, after the resume: once queued, the disclosure
     * may resume this request on the audit writer's signal before disclose_async returns, and
     * the rows must not be written to while they are being sent */
    return run_disclosure(r);
}

/* Runs inside the pipeline's read: copies one stored document for the answer. */
static int doc_row(void *ctx, const char *kind, const char *rkey, const char *body)
{
    struct req *r = ctx;
    /* the CSV standard's sets are kept as text, the other documents as JSON */
    json_t *b;
    if (strncmp(kind, "cp.", 3) == 0) {
        char *text = cps_plain(body);
        b = text ? json_string(text) : NULL;
        free(text);
    } else
        b = json_loads(body, JSON_REJECT_DUPLICATES, NULL);
    if (!b)
        return 1;
    json_array_append_new(r->docs, json_pack("{s:s,s:s,s:o}", "kind", kind, "rkey", rkey, "body", b));
    return 0;
}

int d_docs(struct req *r)
{
    if (start_disclosure(r, r->route->category, WHAT_DOCS) || !r->waiting)
        return 0;
    r->disc->doc_fn = doc_row;
    r->disc->row_ctx = r;
    return run_disclosure(r);
}

/* hist_row - one version of a registry record with its change, for WHAT_HISTORY */
static int hist_row(void *ctx, const struct store_version *v)
{
    struct req *r = ctx;
    json_t *b = json_loads(v->body, JSON_REJECT_DUPLICATES, NULL);
    if (!b)
        return 1;
    json_array_append_new(r->docs, json_pack("{s:s,s:s,s:I,s:o,s:s,s:s,s:s}", "kind", v->kind, "rkey", v->rkey,
                                             "version", (json_int_t)v->version, "body", b, "recorded_at",
                                             v->recorded_at, "author", v->author, "reason", v->reason));
    return 0;
}

int d_history(struct req *r)
{
    if (start_disclosure(r, CAT_SHIKAKU, WHAT_HISTORY) || !r->waiting)
        return 0;
    r->disc->hist_fn = hist_row;
    r->disc->row_ctx = r;
    return run_disclosure(r);
}

void wipe_rows(struct req *r)
{
    free(r->grants);
    r->grants = NULL;
    free(r->paper);
    free(r->paper_rec);
    r->paper = NULL;
    r->paper_rec = NULL;
    if (r->docs) {
        json_decref(r->docs); /* jansson's buffers cannot be wiped; they are freed at once */
        r->docs = NULL;
    }
    if (!r->rows)
        return;
    if (r->rows->b.ptr)
        sodium_memzero(r->rows->b.ptr, r->rows->b.cap);
    buf_release(&r->rows->b);
    free(r->rows);
    r->rows = NULL;
}

/* disclosure_respond - after resume: send only if the audit entry is durable.
 * A denial and a person who does not exist get the same answer (P3: no IDOR
 * oracle; hidden categories do not reveal that they exist). */
char *disclosure_body(struct req *r, size_t *len)
{
    char *body;
    *len = 0;
    if (r->disc->what == WHAT_CARD) {
        struct jsonw w;
        jw_init(&w, 1 << 20);
        card_json(&w, r->card);
        body = jw_detach(&w, len);
    } else if (r->disc->what == WHAT_DOCS && r->dlv) {
        body = delivery_files(r, len);
    } else if (r->disc->what == WHAT_HISTORY) {
        json_t *o = json_pack("{s:O,s:I}", "versions", r->docs, "audit_seq", (json_int_t)r->disc->audit_seq);
        body = o ? json_dumps(o, JSON_COMPACT) : NULL;
        json_decref(o);
        *len = body ? strlen(body) : 0;
    } else if (r->disc->what == WHAT_DOCS) {
        json_t *o = docview_build(r->disc->rq.category, r->docs, r->on, r->disc->withheld);
        json_object_set_new(o, "audit_seq", json_integer(r->disc->audit_seq));
        body = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        *len = body ? strlen(body) : 0;
    } else {
        if (r->disc->what == WHAT_ACCESS_LOG)
            jw_end(r->rows); /* entries */
        if (r->disc->what == WHAT_GRANTS && r->grants) {
            grants_switch(r->grants, 6); /* every array present, even if empty */
            jw_end(r->rows);
        }
        if (r->disc->what == WHAT_PAPER)
            paper_json(r->rows, r->paper, r->paper_rec);
        jw_int(r->rows, "audit_seq", r->disc->audit_seq);
        jw_end(r->rows);
        body = jw_detach(r->rows, len);
    }
    return body;
}

void disclosure_respond(struct req *r)
{
    if (r->route->kind == ROUTE_PAGE) {
        page_disclosed(r);
        wipe_rows(r);
        return;
    }
    switch (r->dstatus) {
    case DISCLOSE_OK: {
        size_t len;
        char *body = disclosure_body(r, &len);
        if (!body)
            http_error(r, 500, "internal", "内部エラーが発生しました");
        else
            respond_raw(r, 200, "application/json; charset=utf-8", body, len, NULL, NULL);
        break;
    }
    case DISCLOSE_DENIED:
    case DISCLOSE_NOT_FOUND:
        if (r->dstatus == DISCLOSE_DENIED && r->disc->decision.consent_missing) {
            /* an active 担当事業所 knows the person already: tell it what is missing */
            http_error(r, 403, "consent_missing",
                       "担当事業所として登録済みですが、この情報について本人の同意がありません。本人に同意をお願いしてください");
            break;
        }
        /* otherwise the same answer as for an unknown person (no oracle) */
        http_error(r, 404, "not_found", "該当する情報が見つかりません");
        break;
    case DISCLOSE_AUDIT_FAILED:
        http_error(r, 503, "audit_unavailable", "アクセス記録を保存できないため、情報を開示できません");
        break;
    default:
        http_error(r, 500, "internal", "内部エラーが発生しました");
    }
    wipe_rows(r);
}

