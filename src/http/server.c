/*
 * server.c - libmicrohttpd server, route table, dispatcher, JSON errors.
 *
 * Threads: MHD's internal epoll thread pool (one per core). Each worker owns a
 * read connection (thread-local, closed when the thread ends); one audit
 * writer thread owns the write connection (store/auditq.c). Handlers use the
 * two-call pattern so keep-alive connections are kept.
 */
#include <jansson.h>
#include <stdatomic.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>

#include "domain/wareki.h"
#include "domain/auth.h"
#include "http/auth.h"
#include "http/cardjson.h"
#include "http/docview.h"
#include "store/certstore.h"
#include "store/cpstore.h"
#include "store/keyfile.h"
#include "store/docjson.h"
#include "http/limits.h"
#include "http/server.h"
#include "store/auditq.h"
#include "store/disclose.h"
#include "util/jsonflat.h"
#include "util/jsonw.h"
#include "util/log.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define MAX_PARAMS 4

struct req {
    struct MHD_Connection *conn;
    const struct route *route;
    char request_id[REQUEST_ID_BYTES];
    struct timespec start;
    const char *method;
    struct str params[MAX_PARAMS];
    char *path; /* owned copy the params point into */
    struct buf body;
    bool too_big;
    unsigned status;
    bool responded;
    struct principal who;
    /* a disclosure waiting for its audit entry (connection suspended) */
    bool waiting;
    struct disclosure *disc;
    struct card *card;
    struct jsonw *rows; /* WHAT_ACCESS_LOG / WHAT_GRANTS output, sent only after the audit */
    json_t *docs;       /* WHAT_DOCS rows, likewise */
    struct delivery *dlv; /* an exchange download: the delivery and the receiving office */
    struct paper_token *paper;      /* GET /verify: the presented token (signature verified) */
    struct paper_record *paper_rec; /* its issue record, read inside the pipeline */
    char office_no[11];
    struct date on;     /* WHAT_DOCS: the reference date (?date=) */
    enum disclose_status dstatus;
    char set_cookie[160];
};

#define HANDLER_DONE 0      /* a handler answered (or failed and said so) */
#define HANDLER_SUSPENDED 1 /* a handler's "I will answer after resume" */

static const struct server_config *config;
static struct auditq *auditq;
static atomic_int stopping; /* set at SIGTERM: no new disclosures */
static pthread_key_t store_key;

/* ---- per-thread read connection ------------------------------------------ */

static void store_key_close(void *p)
{
    store_close(p);
}

static struct store *thread_store(void)
{
    struct store *st = pthread_getspecific(store_key);
    if (!st) {
        st = store_open_sqlite(config->db, false);
        if (st)
            pthread_setspecific(store_key, st);
    }
    return st;
}

/* ---- responses ----------------------------------------------------------- */

static int respond_raw(struct req *r, unsigned status, const char *ctype, char *body, size_t len,
                       const char *extra_name, const char *extra_value)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", ctype);
    MHD_add_response_header(resp, "X-Request-Id", r->request_id);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (extra_name)
        MHD_add_response_header(resp, extra_name, extra_value);
    if (r->set_cookie[0])
        MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
    enum MHD_Result rc = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    r->status = status;
    r->responded = true;
    return rc == MHD_YES ? 0 : -1;
}

static int respond_json(struct req *r, unsigned status, json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!s)
        die("out of memory (json)");
    /* json_dumps allocates with malloc; MHD frees with free(). */
    return respond_raw(r, status, "application/json; charset=utf-8", s, strlen(s), NULL, NULL);
}

static int http_error(struct req *r, unsigned status, const char *code, const char *message)
{
    json_t *e = json_pack("{s:{s:s,s:s,s:s}}", "error", "code", code, "message", message,
                          "request_id", r->request_id);
    char *s = json_dumps(e, JSON_COMPACT);
    json_decref(e);
    if (!s)
        die("out of memory (json)");
    return respond_raw(r, status, "application/json; charset=utf-8", s, strlen(s),
                       status == 401 ? "WWW-Authenticate" : NULL, "Bearer");
}

/* ---- handlers ------------------------------------------------------------ */

static int h_healthz(struct req *r)
{
    return respond_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

struct insurer_list_ctx {
    json_t *arr;
};

static int add_insurer(void *ctx, const struct insurer *ins, long long persons)
{
    struct insurer_list_ctx *c = ctx;
    json_array_append_new(c->arr, json_pack("{s:s,s:s,s:s,s:I}", "insurer_no", ins->insurer_no,
                                            "name", ins->name, "prefecture", ins->prefecture,
                                            "persons", (json_int_t)persons));
    return 0;
}

static int h_insurers(struct req *r)
{
    struct store *st = thread_store();
    if (!st)
        return http_error(r, 503, "unavailable", "データベースに接続できません");
    struct insurer_list_ctx c = {json_array()};
    if (st->ops->insurer_list(st, add_insurer, &c)) {
        json_decref(c.arr);
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    }
    return respond_json(r, 200, json_pack("{s:o}", "insurers", c.arr));
}

static int query_date(struct req *r, struct date *out)
{
    const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "date");
    const char *why;
    if (!v || !*v) {
        *out = date_today();
        return 0;
    }
    size_t n = strlen(v);
    if (n > MAX_QUERY_VALUE || date_parse_any(v, n, out, &why)) {
        http_error(r, 400, "bad_date", "date は YYYY-MM-DD または和暦(例: R6.4.1)で指定してください");
        return -1;
    }
    return 0;
}

static int person_param(struct req *r, struct person_key *k)
{
    const char *why;
    struct str ins = r->params[0], no = r->params[1];
    if (insurer_no_check(ins.ptr, ins.len, &why)) {
        http_error(r, 400, "bad_insurer_no", why);
        return -1;
    }
    if (insured_no_check(no.ptr, no.len, &why)) {
        http_error(r, 400, "bad_insured_no", why);
        return -1;
    }
    memset(k, 0, sizeof *k);
    memcpy(k->insurer_no, ins.ptr, INSURER_NO_LEN);
    memcpy(k->insured_no, no.ptr, INSURED_NO_LEN);
    return 0;
}


/* ---- disclosures (GET, personal data: only through store/disclose.c) ------ */

/* Runs in the audit writer thread once the entry is durable (or failed). */
static void disclosed(void *ctx, enum disclose_status status)
{
    struct req *r = ctx;
    r->dstatus = status;
    MHD_resume_connection(r->conn);
}

/* target - the person a personal route is about: {insurer}/{insured}, or the
 * caller's own person for /me routes. */
static int target(struct req *r, struct person_key *k)
{
    if (strstr(r->route->pattern, "/me/")) {
        if (r->who.kind != P_SESSION || r->who.acct.staff || !r->who.acct.person.insurer_no[0]) {
            http_error(r, 403, "forbidden", "本人のアカウントでログインしてください");
            return -1;
        }
        *k = r->who.acct.person;
        return 0;
    }
    return person_param(r, k);
}

static int start_disclosure_for(struct req *r, struct person_key k, struct date on, enum category cat,
                                enum disclose_what what);

static int start_disclosure(struct req *r, enum category cat, enum disclose_what what)
{
    struct person_key k;
    struct date on = date_today();
    if (target(r, &k) || ((what == WHAT_CARD || what == WHAT_DOCS) && query_date(r, &on)))
        return 0;
    return start_disclosure_for(r, k, on, cat, what);
}

/* start_disclosure_for - the disclosure of category cat about k (on: the reference date),
 * suspended until the audit entry is durable. */
static int start_disclosure_for(struct req *r, struct person_key k, struct date on, enum category cat,
                                enum disclose_what what)
{
    struct store *st = thread_store();
    if (!st)
        return http_error(r, 503, "unavailable", "データベースに接続できません");
    if (stopping)
        return http_error(r, 503, "stopping", "サーバを停止しています");
    struct disclosure *d = r->disc = xcalloc(1, sizeof *d);
    principal_actor(&r->who, &k, &d->rq.actor);
    d->rq.person = k;
    d->rq.category = cat;
    d->rq.purpose = d->rq.actor.role == ROLE_PERSON ? PURPOSE_SELF
                    : d->rq.actor.role == ROLE_INSURER || d->rq.actor.role == ROLE_OPERATOR
                        ? PURPOSE_ADMIN
                        : PURPOSE_CARE;
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
    } else if (what == WHAT_DOCS)
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

static void ms_iso(int64_t ms, char out[64])
{
    time_t t = (time_t)(ms / 1000) + 9 * 3600; /* shown in JST */
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d+09:00", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
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
    jw_str(w, "basis", a->basis);
    jw_str(w, "outcome", a->outcome);
    jw_bool(w, "breakglass", (a->flags & GATE_FLAG_BREAKGLASS) != 0);
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
                                           "relationships", "breakglass"};

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
static const struct person_grants_fn grants_fns = {gc_consent, gc_withdrawal, gc_proxy, gc_rel,
                                                   gc_bg};

static int d_card(struct req *r)
{
    if (start_disclosure(r, CAT_SHIKAKU, WHAT_CARD) || !r->waiting)
        return 0;
    disclose_async(thread_store(), auditq, r->disc, disclosed, r);
    return HANDLER_SUSPENDED;
}

static int d_access_log(struct req *r)
{
    if (start_disclosure(r, CAT_ACCESSLOG, WHAT_ACCESS_LOG) || !r->waiting)
        return 0;
    jw_arr(r->rows, "entries");
    r->disc->row_fn = access_row;
    r->disc->row_ctx = r->rows;
    disclose_async(thread_store(), auditq, r->disc, disclosed, r);
    return HANDLER_SUSPENDED;
}

static int d_grants(struct req *r)
{
    if (start_disclosure(r, CAT_ACCESSLOG, WHAT_GRANTS) || !r->waiting)
        return 0;
    static _Thread_local struct grants_ctx g;
    g = (struct grants_ctx){r->rows, 0};
    r->disc->grants_fn = &grants_fns;
    r->disc->row_ctx = &g;
    disclose_async(thread_store(), auditq, r->disc, disclosed, r);
    grants_switch(&g, 5); /* every array present, even if empty */
    jw_end(r->rows);
    return HANDLER_SUSPENDED;
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

static int d_docs(struct req *r)
{
    if (start_disclosure(r, r->route->category, WHAT_DOCS) || !r->waiting)
        return 0;
    r->disc->doc_fn = doc_row;
    r->disc->row_ctx = r;
    disclose_async(thread_store(), auditq, r->disc, disclosed, r);
    return HANDLER_SUSPENDED;
}

/* ---- 書類照会: online verification of a paper document (issue #6) -------------------- */

static void paper_json(struct jsonw *w, const struct paper_token *t, const struct paper_record *rec)
{
    enum paper_state ps = paper_state_of(t, rec);
    jw_bool(w, "signature_valid", true);
    jw_str(w, "status", paper_state_code(ps));
    jw_str(w, "status_label", paper_state_label(ps));
    jw_obj(w, "document");
    jw_str(w, "kind", paper_kind_name(t->kind));
    jw_str(w, "insurer_no", t->insurer_no);
    jw_str(w, "insured_no", t->insured_no);
    jw_int(w, "serial", t->serial);
    char iso[11];
    date_iso(t->issued, iso);
    jw_str(w, "issued", iso);
    if (!date_is_none(t->valid_from)) {
        date_iso(t->valid_from, iso);
        jw_str(w, "valid_from", iso);
    }
    if (!date_is_none(t->valid_to)) {
        date_iso(t->valid_to, iso);
        jw_str(w, "valid_to", iso);
    }
    jw_end(w);
    if (ps == PAPER_SUPERSEDED)
        jw_int(w, "latest_serial", rec->latest);
}

/* verify_rate - at most VERIFY_PER_MINUTE (or $KAIGO_VERIFY_RATE) checks per caller per
 * minute, counted in a small table (a caller beyond its size shares the last slot). */
static bool verify_rate(const char *who)
{
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    static struct {
        char who[64];
        int64_t window;
        int n;
    } slots[256];
    static int limit;
    if (!limit) {
        const char *e = getenv("KAIGO_VERIFY_RATE");
        long v = e ? strtol(e, NULL, 10) : 0;
        limit = v > 0 && v < 100000 ? (int)v : VERIFY_PER_MINUTE;
    }
    int64_t window = clock_now_ms() / 60000;
    pthread_mutex_lock(&mu);
    size_t i = 0, n = sizeof slots / sizeof slots[0];
    while (i + 1 < n && slots[i].who[0] && strcmp(slots[i].who, who) != 0)
        i++;
    if (strcmp(slots[i].who, who) != 0 || slots[i].window != window) {
        snprintf(slots[i].who, sizeof slots[i].who, "%s", who);
        slots[i].window = window;
        slots[i].n = 0;
    }
    bool ok = ++slots[i].n <= limit;
    pthread_mutex_unlock(&mu);
    return ok;
}

/* paper_checked - the token parsed and its signature verified with its insurer's
 * published key (<db>.paper-key-<保険者番号>.pub); else -1 after a 422 naming why. */
static int paper_checked(struct req *r, const char *tok, struct paper_token *t)
{
    const char *why;
    unsigned char pk[32];
    if (paper_token_parse(tok, strlen(tok), t, &why)) {
        http_error(r, 422, "bad_token", why);
        return -1;
    }
    if (paper_pubkey_load(config->db, t->insurer_no, pk)) {
        http_error(r, 422, "unknown_insurer", "この保険者の書類は kaigo で照会できません(公開鍵がありません)");
        return -1;
    }
    if (!paper_token_verify(t, pk)) {
        http_error(r, 422, "bad_signature", "署名が一致しません(書き換えられたか、別の鍵で作られた符号です)");
        return -1;
    }
    return 0;
}

static int d_verify(struct req *r)
{
    if (r->waiting)
        return 0;
    const char *tok = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "token");
    if (!tok || !*tok || strlen(tok) > MAX_QUERY_TOKEN)
        return http_error(r, 400, "bad_token", "token(書類の QR の符号 KG1:…)を指定してください");
    struct actor a;
    principal_actor(&r->who, NULL, &a);
    if (!verify_rate(a.id))
        return http_error(r, 429, "too_many", "照会が多すぎます。しばらくしてから試してください");
    struct paper_token *t = xcalloc(1, sizeof *t);
    if (paper_checked(r, tok, t)) {
        free(t);
        return 0;
    }
    r->paper = t;
    struct person_key k = {{0}, {0}};
    memcpy(k.insurer_no, t->insurer_no, sizeof k.insurer_no);
    memcpy(k.insured_no, t->insured_no, sizeof k.insured_no);
    if (start_disclosure_for(r, k, date_today(), CAT_PAPER, WHAT_PAPER) || !r->waiting)
        return 0;
    disclose_async(thread_store(), auditq, r->disc, disclosed, r);
    return HANDLER_SUSPENDED;
}

static void wipe_rows(struct req *r)
{
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

/* ---- ケアプラン連携: the exchange relay ------------------------------------------- */

struct filelist {
    json_t *arr;
};

static int add_file(void *c, const char *name, const char *bytes, size_t len)
{
    struct filelist *fl = c;
    size_t cap = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = xmalloc(cap);
    sodium_bin2base64(b64, cap, (const unsigned char *)bytes, len, sodium_base64_VARIANT_ORIGINAL);
    json_array_append_new(fl->arr, json_pack("{s:s,s:s}", "name", name, "data", b64));
    free(b64);
    return 0;
}

/* delivery_files - after the audit: the delivery's send unit rebuilt from the disclosed sets. */
static char *delivery_files(struct req *r, size_t *len)
{
    size_t n = json_array_size(r->docs);
    struct cps_row *rows = xcalloc(n ? n : 1, sizeof *rows);
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_array_get(r->docs, i);
        rows[i] = (struct cps_row){json_string_value(json_object_get(x, "kind")),
                                   json_string_value(json_object_get(x, "rkey")),
                                   json_string_value(json_object_get(x, "body"))};
    }
    struct filelist fl = {json_array()};
    const char *why = NULL;
    int rc = cps_export(rows, n, r->dlv->what, r->office_no, r->dlv->to_kind, r->dlv->stamp, add_file, &fl, &why);
    free(rows);
    json_t *o = rc ? json_pack("{s:o,s:s}", "files", fl.arr, "note", why ? why : "")
                   : json_pack("{s:o}", "files", fl.arr);
    json_object_set_new(o, "stamp", json_string(r->dlv->stamp));
    json_object_set_new(o, "what", json_string(r->dlv->what));
    json_object_set_new(o, "audit_seq", json_integer(r->disc->audit_seq));
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    *len = s ? strlen(s) : 0;
    struct store *st = thread_store(); /* downloaded: recorded once the unit has left */
    if (s && st)
        (void)st->acc->delivery_mark(st, &r->dlv->person, r->dlv->to_org, r->dlv->stamp, false, clock_now_ms());
    return s;
}

/* disclosure_respond - after resume: send only if the audit entry is durable.
 * A denial and a person who does not exist get the same answer (P3: no IDOR
 * oracle; hidden categories do not reveal that they exist). */
static void disclosure_respond(struct req *r)
{
    switch (r->dstatus) {
    case DISCLOSE_OK: {
        char *body;
        size_t len;
        if (r->disc->what == WHAT_CARD) {
            struct jsonw w;
            jw_init(&w, 1 << 20);
            card_json(&w, r->card);
            body = jw_detach(&w, &len);
        } else if (r->disc->what == WHAT_DOCS && r->dlv) {
            body = delivery_files(r, &len);
        } else if (r->disc->what == WHAT_DOCS) {
            json_t *o = docview_build(r->disc->rq.category, r->docs, r->on, r->disc->withheld);
            json_object_set_new(o, "audit_seq", json_integer(r->disc->audit_seq));
            body = json_dumps(o, JSON_COMPACT);
            json_decref(o);
            len = body ? strlen(body) : 0;
        } else {
            if (r->disc->what == WHAT_ACCESS_LOG)
                jw_end(r->rows); /* entries */
            if (r->disc->what == WHAT_PAPER)
                paper_json(r->rows, r->paper, r->paper_rec);
            jw_int(r->rows, "audit_seq", r->disc->audit_seq);
            jw_end(r->rows);
            body = jw_detach(r->rows, &len);
        }
        if (!body)
            http_error(r, 500, "internal", "内部エラーが発生しました");
        else
            respond_raw(r, 200, "application/json; charset=utf-8", body, len, NULL, NULL);
        break;
    }
    case DISCLOSE_NOT_FOUND:
    case DISCLOSE_DENIED:
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

/* ---- request bodies -------------------------------------------------------- */

static int body_json(struct req *r, struct jsonflat *j)
{
    if (r->body.len == 0 || jf_parse(r->body.ptr, r->body.len, j)) {
        http_error(r, 400, "bad_json", "リクエスト本文はJSONオブジェクト(入れ子なし)で送ってください");
        return -1;
    }
    return 0;
}

/* body_str - a required string member into out; 400 naming it if missing or too long. */
static int body_str(struct req *r, const struct jsonflat *j, const char *key, char *out, size_t cap,
                    bool required)
{
    const struct jf_member *m = jf_get(j, key);
    out[0] = '\0';
    if (!m && !required)
        return 0;
    if (!m || jf_string(m, out, cap) || !utf8_valid(out, strlen(out), NULL)) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s を文字列で指定してください(長さの上限は%zu)", key, cap - 1);
        http_error(r, 400, "bad_field", msg);
        return -1;
    }
    return 0;
}

static const char *client_address(struct req *r, char out[INET_ADDRSTRLEN])
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, out,
                  INET_ADDRSTRLEN);
    return out;
}

static void set_session_cookie(struct req *r, const unsigned char sid[SESSION_ID_BYTES])
{
    char hex[2 * SESSION_ID_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, sid, SESSION_ID_BYTES);
    /* Secure is added when kaigo is served over TLS (behind a terminating proxy: config->secure). */
    snprintf(r->set_cookie, sizeof r->set_cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s",
             SESSION_COOKIE, hex, config->secure_cookies ? "; Secure" : "");
    sodium_memzero(hex, sizeof hex);
}

static struct store *store_or_503(struct req *r)
{
    struct store *st = thread_store();
    if (!st)
        http_error(r, 503, "unavailable", "データベースに接続できません");
    return st;
}

/* ---- login, logout, whoami ------------------------------------------------- */

static int h_login(struct req *r)
{
    struct jsonflat j;
    char login[LOGIN_BYTES], pw[PASSWORD_MAX_BYTES + 1], totp[16], addr[INET_ADDRSTRLEN];
    if (body_json(r, &j) || body_str(r, &j, "login", login, sizeof login, true) ||
        body_str(r, &j, "password", pw, sizeof pw, true) ||
        body_str(r, &j, "totp", totp, sizeof totp, false))
        return 0;
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    unsigned char sid[SESSION_ID_BYTES];
    struct account a;
    enum login_result lr =
        auth_login(st, login, pw, totp, client_address(r, addr),
                   MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Cookie"), clock_now_ms(), sid, &a);
    sodium_memzero(pw, sizeof pw);
    switch (lr) {
    case LOGIN_OK:
        break;
    case LOGIN_THROTTLED:
        return http_error(r, 429, "too_many_attempts",
                          "ログインの失敗が続いたため、しばらく受け付けません。時間をおいてください");
    case LOGIN_FAILED: /* identical for unknown login, wrong password, missing/wrong code */
        return http_error(r, 401, "auth_failed", "認証に失敗しました");
    case LOGIN_ERROR:
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    }
    set_session_cookie(r, sid);
    sodium_memzero(sid, sizeof sid);
    json_t *o = json_pack("{s:s,s:s,s:s}", "login", a.login, "display_name", a.display_name,
                          "kind", a.staff ? "staff" : "person");
    sodium_memzero(&a, sizeof a);
    return respond_json(r, 200, o);
}

static int h_logout(struct req *r)
{
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    if (auth_logout(st, &r->who, clock_now_ms()))
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    snprintf(r->set_cookie, sizeof r->set_cookie,
             "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0", SESSION_COOKIE);
    return respond_json(r, 200, json_pack("{s:s}", "status", "logged_out"));
}

static int h_whoami(struct req *r)
{
    struct actor a;
    principal_actor(&r->who, NULL, &a);
    json_t *o = json_pack("{s:s,s:s,s:s}", "actor", a.id, "role",
                          r->who.kind == P_SESSION && !r->who.acct.staff ? "person" : role_code(a.role),
                          "organisation", a.org);
    if (r->who.kind != P_OPERATOR && r->who.org.id[0])
        json_object_set_new(o, "organisation_name", json_string(r->who.org.name));
    if (r->who.kind == P_SESSION)
        json_object_set_new(o, "display_name", json_string(r->who.acct.display_name));
    return respond_json(r, 200, o);
}

/* ---- the person's controls: withdraw consent, revoke a proxy ---------------- */

/* person_control - may the caller act for person k on categories cats? The
 * person, a valid proxy whose scope covers cats, or (for revocations) the
 * person's insurer. Everyone else gets the not-found answer (no oracle). */
static int person_control(struct req *r, struct store *st, const struct person_key *k,
                          uint32_t cats, bool insurer_ok, struct actor *a)
{
    principal_actor(&r->who, k, a);
    if (a->role == ROLE_PERSON && r->who.kind == P_SESSION)
        return 0;
    if (insurer_ok && a->role == ROLE_INSURER && strcmp(a->org_insurer, k->insurer_no) == 0)
        return 0;
    if (a->role == ROLE_PROXY) {
        struct facts_buf fb;
        if (st->acc->facts_load(st, k, a, NEED_PROXIES, &fb))
            return http_error(r, 500, "internal", "内部エラーが発生しました"), -1;
        bool ok = false;
        for (size_t i = 0; i < fb.nproxies && !ok; i++)
            ok = strcmp(fb.proxies[i].account, a->id) == 0 && proxy_active(&fb.proxies[i], clock_now_ms()) &&
                 (fb.proxies[i].cats & cats) == cats;
        facts_free(&fb);
        if (ok)
            return 0;
    }
    http_error(r, 404, "not_found", "該当する情報が見つかりません");
    return -1;
}

static int h_withdraw(struct req *r)
{
    struct person_key k;
    struct jsonflat j;
    char cats_s[200], grantee[ORG_ID_BYTES];
    if (person_param(r, &k) || body_json(r, &j) ||
        body_str(r, &j, "categories", cats_s, sizeof cats_s, true) ||
        body_str(r, &j, "grantee", grantee, sizeof grantee, false))
        return 0;
    uint32_t cats = cats_parse(cats_s);
    if (!cats)
        return http_error(r, 400, "bad_categories",
                          "categories は all または区分コードのカンマ区切り(例: careplan,life)です");
    struct store *st = store_or_503(r);
    struct actor a;
    if (!st || person_control(r, st, &k, cats, false, &a))
        return 0;
    int ex = st->ops->person_exists(st, &k);
    if (ex != 1)
        return ex < 0 ? http_error(r, 500, "internal", "内部エラーが発生しました")
                      : http_error(r, 404, "not_found", "該当する情報が見つかりません");
    struct withdrawal w = {0};
    w.cats = cats;
    w.at_ms = clock_now_ms(); /* RULE-GATE-008: effective immediately */
    snprintf(w.grantee, sizeof w.grantee, "%s", grantee);
    int64_t id;
    if (st->acc->withdrawal_add(st, &k, &w, a.id, &id))
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    json_t *o = json_pack("{s:I,s:s}", "withdrawal_id", (json_int_t)id, "message",
                          "同意を撤回しました。直ちに有効です");
    return respond_json(r, 201, o);
}

static int h_proxy_revoke(struct req *r)
{
    struct person_key k;
    if (person_param(r, &k))
        return 0;
    char *end;
    long long id = strtoll(r->params[2].ptr, &end, 10);
    if (id <= 0 || end != r->params[2].ptr + r->params[2].len)
        return http_error(r, 404, "not_found", "該当する情報が見つかりません");
    struct store *st = store_or_503(r);
    struct actor a;
    if (!st || person_control(r, st, &k, 0, true, &a))
        return 0;
    int rc = st->acc->proxy_revoke(st, &k, id, clock_now_ms(), a.id);
    if (rc < 0)
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    if (rc == STORE_NOTFOUND)
        return http_error(r, 404, "not_found", "該当する情報が見つかりません");
    return respond_json(r, 200, json_pack("{s:s}", "message", "代理人の登録を取り消しました"));
}

/* ---- 本人確認 and care relationships --------------------------------------- */

static int h_code(struct req *r)
{
    struct person_key k;
    if (target(r, &k))
        return 0;
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    char code[IDENTITY_CODE_DIGITS + 1];
    int64_t now = clock_now_ms();
    if (identity_code_issue(st, &k, now, IDENTITY_CODE_SELF_MS, "self", code))
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    char exp[64];
    ms_iso(now + IDENTITY_CODE_SELF_MS, exp);
    json_t *o = json_pack("{s:s,s:s,s:s}", "code", code, "expires_at", exp, "message",
                          "契約する事業所にこの番号を伝えてください(1回限り有効)");
    sodium_memzero(code, sizeof code);
    return respond_json(r, 201, o);
}

static bool provider_role(enum role role)
{
    return role == ROLE_CAREMGR || role == ROLE_HOUKATSU || role == ROLE_PROVIDER ||
           role == ROLE_FACILITY;
}

/* relationship_paper - 本人確認 with paper: a current 被保険者証's token and the visual check
 * the office made, ending in the same registration as the code path. */
static int relationship_paper(struct req *r, const struct jsonflat *j, const struct actor *a)
{
    char tok[MAX_QUERY_TOKEN + 1], check[TEXT_BYTES], addr[INET_ADDRSTRLEN];
    if (body_str(r, j, "token", tok, sizeof tok, true) || body_str(r, j, "visual_check", check, sizeof check, true))
        return 0;
    if (strlen(check) < 4)
        return http_error(r, 400, "bad_field",
                          "visual_check に行った目視確認(例: 運転免許証の写真と本人を照合)を書いてください");
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    int64_t now = clock_now_ms();
    char tkey[ORG_ID_BYTES + 8];
    snprintf(tkey, sizeof tkey, "rel:%s", a->org);
    if (auth_throttled(tkey, client_address(r, addr), now))
        return http_error(r, 429, "too_many_attempts", "本人確認の失敗が続いたため、しばらく受け付けません");
    struct paper_token t;
    if (paper_checked(r, tok, &t)) {
        auth_note_failure(tkey, addr, now);
        return 0;
    }
    if (t.kind != PAPER_CARD)
        return http_error(r, 422, "not_a_card", "本人確認に使えるのは介護保険被保険者証の QR です");
    struct person_key k = {{0}, {0}};
    memcpy(k.insurer_no, t.insurer_no, sizeof k.insurer_no);
    memcpy(k.insured_no, t.insured_no, sizeof k.insured_no);
    if (st->ops->begin(st))
        return http_error(r, 503, "unavailable", "データベースが混み合っています");
    struct paper_record rec;
    int rc = st->ops->paper_record(st, t.insurer_no, t.serial, &rec);
    enum paper_state ps = rc ? PAPER_UNKNOWN : paper_state_of(&t, &rec);
    char evidence[TEXT_BYTES + 64];
    snprintf(evidence, sizeof evidence, "%s/%u: %s", t.insurer_no, t.serial, check);
    int64_t id = 0;
    if (rc == 0 && ps == PAPER_CURRENT)
        rc = st->acc->relationship_add(st, &k, a->org, now, "paper", evidence, a->id, &id);
    if (rc == 0 && ps == PAPER_CURRENT && st->ops->commit(st) == 0) {
        json_t *o = json_pack("{s:I,s:s}", "relationship_id", (json_int_t)id, "message",
                              "被保険者証で本人確認を行い、担当事業所として登録しました");
        return respond_json(r, 201, o);
    }
    st->ops->rollback(st);
    if (rc < 0)
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    auth_note_failure(tkey, addr, now);
    st->acc->security_event(st, now, "identity_failed", a->org, addr, "relationship-paper");
    char msg[160];
    snprintf(msg, sizeof msg, "本人確認ができませんでした(被保険者証: %s)", paper_state_label(ps));
    return http_error(r, 422, "identity_not_verified", msg);
}

static int h_relationship(struct req *r)
{
    struct jsonflat j;
    char ins[16], no[16], birth_s[16], code[32], addr[INET_ADDRSTRLEN];
    if (body_json(r, &j))
        return 0;
    if (jf_get(&j, "token")) { /* 本人確認 with paper */
        struct actor pa;
        principal_actor(&r->who, NULL, &pa);
        if (!provider_role(pa.role))
            return http_error(r, 403, "forbidden", "担当事業所の登録は事業所の職員またはAPIトークンで行ってください");
        return relationship_paper(r, &j, &pa);
    }
    if (body_str(r, &j, "insurer_no", ins, sizeof ins, true) ||
        body_str(r, &j, "insured_no", no, sizeof no, true) ||
        body_str(r, &j, "birth_date", birth_s, sizeof birth_s, true) ||
        body_str(r, &j, "code", code, sizeof code, true))
        return 0;
    struct actor a;
    principal_actor(&r->who, NULL, &a);
    if (!provider_role(a.role))
        return http_error(r, 403, "forbidden", "担当事業所の登録は事業所の職員またはAPIトークンで行ってください");
    const char *why;
    struct person_key k = {0};
    struct date birth;
    if (insurer_no_check(ins, strlen(ins), &why) || insured_no_check(no, strlen(no), &why) ||
        date_parse_any(birth_s, strlen(birth_s), &birth, &why))
        return http_error(r, 400, "bad_field", "保険者番号・被保険者番号・生年月日の形式が正しくありません");
    memcpy(k.insurer_no, ins, INSURER_NO_LEN);
    memcpy(k.insured_no, no, INSURED_NO_LEN);
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    int64_t now = clock_now_ms();
    /* guessing codes is throttled like passwords, per organisation */
    char tkey[ORG_ID_BYTES + 8];
    snprintf(tkey, sizeof tkey, "rel:%s", a.org);
    if (auth_throttled(tkey, client_address(r, addr), now))
        return http_error(r, 429, "too_many_attempts", "本人確認の失敗が続いたため、しばらく受け付けません");
    if (st->ops->begin(st))
        return http_error(r, 503, "unavailable", "データベースが混み合っています");
    int rc = verify_identity(st, &k, birth, code, now);
    int64_t id = 0;
    if (rc == 0)
        rc = st->acc->relationship_add(st, &k, a.org, now, "code", "", a.id, &id);
    if (rc == 0 && st->ops->commit(st) == 0) {
        json_t *o = json_pack("{s:I,s:s}", "relationship_id", (json_int_t)id, "message",
                              "本人確認を行い、担当事業所として登録しました");
        return respond_json(r, 201, o);
    }
    st->ops->rollback(st);
    if (rc < 0)
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    auth_note_failure(tkey, addr, now);
    st->acc->security_event(st, now, "identity_failed", a.org, addr, "relationship");
    return http_error(r, 422, "identity_not_verified",
                      "本人確認ができませんでした(番号・生年月日・確認コードを確かめてください)");
}

/* ---- break-glass and its review ------------------------------------------- */

static int h_breakglass(struct req *r)
{
    struct jsonflat j;
    char ins[16], no[16], reason[TEXT_BYTES];
    if (body_json(r, &j) || body_str(r, &j, "insurer_no", ins, sizeof ins, true) ||
        body_str(r, &j, "insured_no", no, sizeof no, true) ||
        body_str(r, &j, "reason", reason, sizeof reason, false))
        return 0;
    struct actor a;
    principal_actor(&r->who, NULL, &a);
    if (r->who.kind != P_SESSION || !a.may_breakglass || !access_matrix[a.role].breakglass)
        return http_error(r, 403, "forbidden", "緊急時アクセスの権限がありません");
    if (utf8_count(reason, strlen(reason)) < BREAKGLASS_REASON_MIN_CHARS)
        return http_error(r, 400, "reason_required", "緊急時アクセスには理由(10文字以上)が必要です");
    const char *why;
    struct person_key k = {0};
    if (insurer_no_check(ins, strlen(ins), &why) || insured_no_check(no, strlen(no), &why))
        return http_error(r, 400, "bad_field", "保険者番号・被保険者番号の形式が正しくありません");
    memcpy(k.insurer_no, ins, INSURER_NO_LEN);
    memcpy(k.insured_no, no, INSURED_NO_LEN);
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    int64_t now = clock_now_ms(), id;
    unsigned char sid[SESSION_ID_BYTES];
    if (st->ops->begin(st))
        return http_error(r, 503, "unavailable", "データベースが混み合っています");
    if (st->acc->breakglass_add(st, &k, r->who.acct.id, a.org, reason, now, &id) ||
        auth_rotate(st, &r->who, now, true, sid) || st->ops->commit(st)) {
        st->ops->rollback(st);
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    }
    set_session_cookie(r, sid); /* privilege change: a new session id (P19) */
    char exp[64];
    ms_iso(now + BREAKGLASS_MS, exp);
    json_t *o = json_pack("{s:I,s:s,s:s}", "breakglass_id", (json_int_t)id, "expires_at", exp,
                          "message",
                          "緊急時アクセスを開始しました。記録され、本人に表示され、市町村の確認対象になります");
    return respond_json(r, 201, o);
}

struct review_ctx {
    json_t *arr;
};

static int review_row(void *ctx, const struct breakglass_row *b)
{
    struct review_ctx *c = ctx;
    char st_iso[64], ex_iso[64];
    ms_iso(b->g.started_ms, st_iso);
    ms_iso(b->g.expires_ms, ex_iso);
    json_array_append_new(c->arr, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "id",
                                            (json_int_t)b->g.id, "insured_no", b->person.insured_no,
                                            "organisation", b->org, "actor", b->g.account, "reason",
                                            b->reason, "started_at", st_iso, "expires_at", ex_iso,
                                            "reviewed", b->reviewed_ms != 0));
    return 0;
}

static int reviewer(struct req *r, struct actor *a)
{
    principal_actor(&r->who, NULL, a);
    if (a->role != ROLE_INSURER || r->who.kind != P_SESSION || !strstr(r->who.acct.perms, "review")) {
        http_error(r, 403, "forbidden", "確認(レビュー)は市町村の確認権限を持つ職員が行います");
        return -1;
    }
    return 0;
}

static int h_reviews(struct req *r)
{
    struct actor a;
    if (reviewer(r, &a))
        return 0;
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    struct review_ctx c = {json_array()};
    if (st->acc->breakglass_reviews(st, a.org_insurer, true, review_row, &c)) {
        json_decref(c.arr);
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    }
    return respond_json(r, 200, json_pack("{s:o}", "open_reviews", c.arr));
}

static int h_review_close(struct req *r)
{
    struct actor a;
    struct jsonflat j;
    char note[TEXT_BYTES];
    if (reviewer(r, &a) || body_json(r, &j) || body_str(r, &j, "note", note, sizeof note, true))
        return 0;
    char *end;
    long long id = strtoll(r->params[0].ptr, &end, 10);
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    int rc = id > 0 && end == r->params[0].ptr + r->params[0].len
                 ? st->acc->breakglass_close(st, a.org_insurer, id, a.id, note, clock_now_ms())
                 : STORE_NOTFOUND;
    if (rc < 0)
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    if (rc)
        return http_error(r, 404, "not_found", "該当する確認項目がありません");
    return respond_json(r, 200, json_pack("{s:s}", "message", "確認を完了しました"));
}

/* ---- 要介護認定: applications, steps, documents, ledger claims --------------- */

static int cs_respond(struct req *r, struct store *st, int rc, const struct cs_result *res,
                      json_t *extra)
{
    if (rc || res->status != CS_OK) {
        st->ops->rollback(st);
        json_decref(extra);
        if (rc < 0 || res->status == CS_ERROR)
            return http_error(r, 500, "internal", "内部エラーが発生しました");
        if (res->status == CS_NOTFOUND)
            return http_error(r, 404, "not_found", "該当する情報が見つかりません");
        json_t *e = json_pack("{s:{s:s,s:s,s:s,s:s}}", "error", "code",
                              res->status == CS_CONFLICT ? "conflict" : "invalid", "message", res->msg,
                              "field", res->field, "request_id", r->request_id);
        return respond_json(r, res->status == CS_CONFLICT ? 409 : 422, e);
    }
    if (st->ops->commit(st)) {
        st->ops->rollback(st);
        json_decref(extra);
        return http_error(r, 503, "unavailable", "データベースが混み合っています");
    }
    json_t *o = extra ? extra : json_object();
    json_object_set_new(o, "id", json_string(res->id));
    if (res->stage)
        json_object_set_new(o, "stage", json_string(app_stage_code(res->stage)));
    json_object_set_new(o, "message", json_string(res->msg));
    return respond_json(r, 201, o);
}

/* begin_write - the actor of this request (for person k) and a write
 * transaction on the worker's connection; NULL after answering 503. */
static struct store *begin_write(struct req *r, const struct person_key *k, struct actor *a)
{
    struct store *st = store_or_503(r);
    if (!st)
        return NULL;
    principal_actor(&r->who, k, a);
    if (st->ops->begin(st)) {
        http_error(r, 503, "unavailable", "データベースが混み合っています");
        return NULL;
    }
    return st;
}

static int body_date(struct req *r, const struct jsonflat *j, const char *key, struct date *out,
                     bool default_today)
{
    char s[40];
    const char *why;
    if (body_str(r, j, key, s, sizeof s, false))
        return -1;
    if (!s[0]) {
        *out = default_today ? date_today() : DATE_NONE;
        return 0;
    }
    if (date_parse_any(s, strlen(s), out, &why)) {
        char msg[200];
        snprintf(msg, sizeof msg, "%s: %s(YYYY-MM-DD または和暦)", key, why);
        http_error(r, 400, "bad_date", msg);
        return -1;
    }
    return 0;
}

static int h_app_file(struct req *r)
{
    struct person_key k;
    struct jsonflat j;
    char kind[24], filer[16], cats[200];
    struct cs_filing f = {0};
    if (target(r, &k) || body_json(r, &j) || body_str(r, &j, "kind", kind, sizeof kind, true) ||
        body_str(r, &j, "filer", filer, sizeof filer, false) ||
        body_str(r, &j, "consent", cats, sizeof cats, false) ||
        body_date(r, &j, "applied", &f.applied, true) || body_date(r, &j, "birth_date", &f.birth, false))
        return 0;
    if (cert_kind_parse(kind, strlen(kind), &f.kind))
        return http_error(r, 400, "bad_field", "kind は 新規・更新・区分変更(new, renew, change)のいずれかです");
    f.filer = filer[0] ? filer_kind_from_code(filer) : FILER_PERSON;
    if (!f.filer)
        return http_error(r, 400, "bad_field", "filer は person, proxy, insurer のいずれかです(事業所は自動)");
    if (cats[0] && !(f.consent_cats = cats_parse(cats)))
        return http_error(r, 400, "bad_categories", "consent は all または区分コードのカンマ区切りです");
    struct actor a;
    struct store *st = begin_write(r, &k, &a);
    if (!st)
        return 0;
    struct cs_result res;
    int rc = cs_file(st, &a, &k, &f, clock_now_ms(), &res);
    return cs_respond(r, st, rc, &res, NULL);
}

/* step_args - the flat JSON of a workflow step. */
static int step_args(struct req *r, const struct jsonflat *j, struct cs_step_args *x)
{
    char level[24], minutes[24], who[NAME_BYTES], org[NAME_BYTES];
    memset(x, 0, sizeof *x);
    if (body_date(r, j, "date", &x->on, true) || body_date(r, j, "planned", &x->planned, false) ||
        body_date(r, j, "expected", &x->expected, false) ||
        body_str(r, j, "investigator", who, sizeof who, false) ||
        body_str(r, j, "organisation", org, sizeof org, false) ||
        body_str(r, j, "level", level, sizeof level, false) ||
        body_str(r, j, "minutes", minutes, sizeof minutes, false) ||
        body_str(r, j, "opinion", x->opinion, sizeof x->opinion, false) ||
        body_str(r, j, "services", x->services, sizeof x->services, false) ||
        body_str(r, j, "reason", x->reason, sizeof x->reason, false))
        return -1;
    snprintf(x->who, sizeof x->who, "%s", who[0] ? who : org);
    if (level[0] && level_parse(level, strlen(level), &x->level)) {
        http_error(r, 400, "bad_field", "level は要介護状態区分(例: 21 または 要介護1、非該当は 01)です");
        return -1;
    }
    if (minutes[0]) { /* 要介護認定等基準時間: "52.3" → 523 tenths */
        char *end;
        double m = strtod(minutes, &end);
        if (*end || m < 0 || m > 1440) {
            http_error(r, 400, "bad_field", "minutes は 0〜1440 の分(小数1桁まで)です");
            return -1;
        }
        x->minutes_x10 = (int)(m * 10 + 0.5);
    }
    const struct jf_member *mm = jf_get(j, "months");
    long long months = 0;
    if (mm && (jf_int(mm, &months) || months < 0 || months > 99)) {
        http_error(r, 400, "bad_field", "months は有効期間の月数(整数)です");
        return -1;
    }
    x->months = (int)months;
    return 0;
}

static int h_app_step(struct req *r)
{
    struct person_key k;
    if (person_param(r, &k))
        return 0;
    char app_id[APP_ID_BYTES], step[24];
    if (r->params[2].len >= sizeof app_id || r->params[3].len >= sizeof step)
        return http_error(r, 404, "not_found", "該当する情報が見つかりません");
    snprintf(app_id, sizeof app_id, "%.*s", (int)r->params[2].len, r->params[2].ptr);
    snprintf(step, sizeof step, "%.*s", (int)r->params[3].len, r->params[3].ptr);
    struct cs_result res;
    struct actor a;
    struct store *st;
    int rc;
    if (strcmp(step, "chosa") == 0 || strcmp(step, "ikensho") == 0) {
        bool chosa = step[0] == 'c';
        size_t size = chosa ? sizeof(struct chosa) : sizeof(struct ikensho);
        void *doc = xmalloc(size);
        struct doc_error e;
        rc = chosa ? docjson_chosa(r->body.ptr, r->body.len, doc, &e)
                   : docjson_ikensho(r->body.ptr, r->body.len, doc, &e);
        if (rc) {
            json_t *o = json_pack("{s:{s:s,s:s,s:s,s:s}}", "error", "code", "bad_document", "message",
                                  e.msg, "field", e.field, "request_id", r->request_id);
            rc = respond_json(r, 400, o);
        } else if ((st = begin_write(r, &k, &a))) {
            rc = chosa ? cs_chosa_put(st, &a, &k, app_id, doc, clock_now_ms(), &res)
                       : cs_ikensho_put(st, &a, &k, app_id, doc, clock_now_ms(), &res);
            rc = cs_respond(r, st, rc, &res, NULL);
        }
        sodium_memzero(doc, size);
        free(doc);
        return rc;
    }
    enum cs_step s = cs_step_from_code(step);
    if (!s)
        return http_error(r, 404, "not_found",
                          "手続きは survey, opinion-request, chosa, ikensho, primary, board, decision, postpone, shikakusha, withdraw のいずれかです");
    struct jsonflat j;
    struct cs_step_args x;
    if (body_json(r, &j) || step_args(r, &j, &x) || !(st = begin_write(r, &k, &a)))
        return 0;
    rc = cs_step(st, &a, &k, app_id, s, &x, clock_now_ms(), &res);
    return cs_respond(r, st, rc, &res, NULL);
}

static int h_claim(struct req *r)
{
    struct person_key k;
    struct jsonflat j;
    char kind[16];
    struct ledger_claim c = {0};
    if (person_param(r, &k) || body_json(r, &j) || body_str(r, &j, "kind", kind, sizeof kind, true) ||
        body_date(r, &j, "date", &c.date, false) ||
        body_str(r, &j, "residence", c.residence, sizeof c.residence, false) ||
        body_str(r, &j, "category", c.category, sizeof c.category, false))
        return 0;
    const struct jf_member *am = jf_get(&j, "amount");
    if (!am || jf_int(am, &c.amount))
        return http_error(r, 400, "bad_field", "amount は費用額(円、整数)です");
    c.kind = ledger_kind_from_code(kind);
    if (!c.kind)
        return http_error(r, 400, "bad_field", "kind は jutaku(住宅改修)か yogu(福祉用具購入)です");
    struct actor a;
    struct store *st = begin_write(r, &k, &a);
    if (!st)
        return 0;
    struct cs_result res;
    int rc = cs_claim_add(st, &a, &k, &c, clock_now_ms(), &res);
    json_t *extra = json_pack("{s:I,s:I}", "accepted", (json_int_t)c.accepted, "over_limit",
                              (json_int_t)(c.amount - c.accepted));
    return cs_respond(r, st, rc, &res, extra);
}

/* office_of - the caller's office (an office role with a registered 事業所番号). */
static int office_of(struct req *r, struct store *st, struct actor *a, struct org *o)
{
    principal_actor(&r->who, NULL, a);
    bool office = a->role == ROLE_CAREMGR || a->role == ROLE_HOUKATSU || a->role == ROLE_PROVIDER ||
                  a->role == ROLE_FACILITY;
    int rc = office ? st->acc->org_get(st, a->org, o) : STORE_NOTFOUND;
    if (rc < 0) {
        http_error(r, 500, "internal", "内部エラーが発生しました");
        return -1;
    }
    if (rc || !o->office_no[0]) {
        http_error(r, 403, "forbidden", "ケアプラン連携は事業所番号を登録した事業所のアカウントで行います");
        return -1;
    }
    return 0;
}

struct upload_errs {
    json_t *arr;
    const char *file;
};

static void upload_err(void *c, long line, int column, const char *name, const char *msg)
{
    struct upload_errs *u = c;
    char s[800];
    if (line == 0)
        snprintf(s, sizeof s, "%s: %s", u->file, msg);
    else if (column == 0)
        snprintf(s, sizeof s, "%s:%ld: %s", u->file, line, msg);
    else
        snprintf(s, sizeof s, "%s:%ld:%d(%s): %s", u->file, line, column, name, msg);
    if (json_array_size(u->arr) < 100)
        json_array_append_new(u->arr, json_string(s));
}

static void unit_err(void *c, const char *path, long line, const char *msg)
{
    struct upload_errs *u = c;
    char s[800];
    if (line)
        snprintf(s, sizeof s, "%s:%ld:%s", path, line, msg); /* msg starts with its column */
    else
        snprintf(s, sizeof s, "%s: %s", path, msg);
    if (json_array_size(u->arr) < 100)
        json_array_append_new(u->arr, json_string(s));
}

#define UNIT_MAX_FILES 32

/* h_exchange_upload - one send unit from an office: checked whole, stored per person,
 * a delivery per person for each receiving office; 実績 keeps the relationship alive. */
static int h_exchange_upload(struct req *r)
{
    struct store *st = store_or_503(r);
    struct actor a;
    struct org o;
    if (!st || office_of(r, st, &a, &o))
        return 0;
    json_error_t je;
    json_t *body = json_loadb(r->body.ptr ? r->body.ptr : "", r->body.len, JSON_REJECT_DUPLICATES, &je);
    json_t *files = json_object_get(body, "files");
    if (!json_is_array(files) || json_array_size(files) == 0 || json_array_size(files) > UNIT_MAX_FILES) {
        json_decref(body);
        return http_error(r, 400, "bad_json", "files(1〜32件の {\"name\",\"data\"(Base64)})を送ってください");
    }
    size_t n = json_array_size(files);
    struct cp_filedata *fd = xcalloc(n, sizeof *fd);
    const char **names = xcalloc(n, sizeof *names);
    struct upload_errs ue = {json_array(), ""};
    char stamp[15] = "";
    for (size_t i = 0; i < n; i++) {
        json_t *f = json_array_get(files, i);
        const char *name = json_string_value(json_object_get(f, "name"));
        const char *b64 = json_string_value(json_object_get(f, "data"));
        names[i] = name ? name : "";
        ue.file = names[i];
        if (!name || !b64 || strchr(name, '/')) {
            upload_err(&ue, 0, 0, "", "name と data(Base64)が必要です");
            continue;
        }
        size_t cap = strlen(b64) / 4 * 3 + 3, len = 0;
        unsigned char *bin = xmalloc(cap);
        if (sodium_base642bin(bin, cap, b64, strlen(b64), NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL)) {
            upload_err(&ue, 0, 0, "", "data が Base64 として読めません");
            free(bin);
            continue;
        }
        cpfile_read(name, (const char *)bin, len, &fd[i], upload_err, &ue);
        free(bin);
        if ((fd[i].layout || fd[i].image) && strcmp(fd[i].name.from, o.office_no) != 0)
            upload_err(&ue, 0, 0, "", "送信元の事業所番号がこの事業所と一致しません");
        if (!stamp[0])
            snprintf(stamp, sizeof stamp, "%s", fd[i].name.stamp);
        else if (strcmp(stamp, fd[i].name.stamp) != 0)
            upload_err(&ue, 0, 0, "", "1つの送信単位のファイルは同じ作成日時(14桁)です");
    }
    /* every person must be in this office's care (担当事業所, not lapsed) */
    int64_t now = clock_now_ms();
    for (size_t i = 0; i < n && json_array_size(ue.arr) == 0; i++)
        for (size_t j = 0; j < fd[i].n; j++) {
            struct person_key k = {{0}, {0}};
            snprintf(k.insurer_no, sizeof k.insurer_no, "%s", fd[i].r[j].f[1]);
            snprintf(k.insured_no, sizeof k.insured_no, "%s", fd[i].r[j].f[2]);
            struct facts_buf fb;
            bool ok = false;
            if (st->acc->facts_load(st, &k, &a, NEED_RELS, &fb) == 0) {
                for (size_t x = 0; x < fb.nrels && !ok; x++)
                    ok = !strcmp(fb.rels[x].org, a.org) && relationship_active(&fb.rels[x], now, lapse_months());
                facts_free(&fb);
            }
            if (!ok) {
                ue.file = names[i];
                upload_err(&ue, fd[i].r[j].line, 3, "被保険者番号", "この事業所が担当事業所として登録されていない利用者です");
            }
        }
    long sets = 0, bad = json_array_size(ue.arr) ? 1 : 0;
    if (!bad) {
        if (st->ops->begin(st))
            bad = -1;
        else {
            bad = cps_import(st, &a, fd, names, n, &sets, unit_err, &ue);
            if (bad == 0)
                bad = cps_deliveries(st, fd, names, n, a.org, now, unit_err, &ue);
            for (size_t i = 0; i < n && bad == 0; i++) /* 実績 keeps the relationship alive */
                for (size_t j = 0; fd[i].name.file == CP_UPJSK && j < fd[i].n && bad == 0; j++) {
                    struct person_key k = {{0}, {0}};
                    snprintf(k.insurer_no, sizeof k.insurer_no, "%s", fd[i].r[j].f[1]);
                    snprintf(k.insured_no, sizeof k.insured_no, "%s", fd[i].r[j].f[2]);
                    int rc = st->acc->relationship_actual(st, &k, a.org, (int)strtol(fd[i].r[j].f[4], NULL, 10));
                    bad = rc < 0 ? -1 : 0;
                }
            if (bad == 0 && st->ops->commit(st))
                bad = -1;
            if (bad != 0)
                st->ops->rollback(st);
        }
    }
    long records = 0;
    for (size_t i = 0; i < n; i++) {
        records += (long)fd[i].n;
        cpfile_free(&fd[i]);
    }
    free(fd);
    free(names);
    json_decref(body);
    if (bad < 0) {
        json_decref(ue.arr);
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    }
    if (bad > 0) {
        json_t *e = json_pack("{s:{s:s,s:s,s:o,s:s}}", "error", "code", "invalid_unit", "message",
                              "送信単位に誤りがあるため、全体を受け付けませんでした", "details", ue.arr,
                              "request_id", r->request_id);
        return respond_json(r, 422, e);
    }
    json_decref(ue.arr);
    return respond_json(r, 201, json_pack("{s:s,s:I,s:I,s:I,s:s}", "stamp", stamp, "files", (json_int_t)n,
                                          "records", (json_int_t)records, "sets", (json_int_t)sets,
                                          "message", "送信単位を受け付けました"));
}

struct inbox_ctx {
    struct delivery *v;
    size_t n;
};

static int inbox_row(void *c, const struct delivery *d)
{
    struct inbox_ctx *x = c;
    if (x->n >= 1000)
        return 1;
    x->v = xrealloc(x->v, (x->n + 1) * sizeof *x->v);
    x->v[x->n++] = *d;
    return 0;
}

/* h_inbox - the office's deliveries not yet acknowledged; each person named passes the
 * gate (計画: 担当 + 同意) and is audited first, so a lapsed relationship hides its rows. */
static int h_inbox(struct req *r)
{
    struct store *st = store_or_503(r);
    struct actor a;
    struct org o;
    if (!st || office_of(r, st, &a, &o))
        return 0;
    struct inbox_ctx x = {NULL, 0};
    if (st->acc->deliveries_open(st, a.org, inbox_row, &x)) {
        free(x.v);
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    }
    struct person_key *persons = xcalloc(x.n ? x.n : 1, sizeof *persons);
    bool *ok = xcalloc(x.n ? x.n : 1, sizeof *ok);
    for (size_t i = 0; i < x.n; i++)
        persons[i] = x.v[i].person;
    enum disclose_status s = disclose_persons(st, auditq, &a, CAT_CAREPLAN, PURPOSE_CARE, persons, x.n,
                                              r->request_id, clock_now_ms(), ok);
    json_t *arr = json_array();
    for (size_t i = 0; s == DISCLOSE_OK && i < x.n; i++) {
        if (!ok[i])
            continue;
        char t[64];
        ms_iso(x.v[i].created_ms, t);
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "insurer_no", x.v[i].person.insurer_no,
                                             "insured_no", x.v[i].person.insured_no, "stamp", x.v[i].stamp, "what",
                                             x.v[i].what, "from", x.v[i].from_org, "received_at", t, "downloaded",
                                             x.v[i].downloaded_ms != 0));
    }
    free(persons);
    free(ok);
    free(x.v);
    if (s != DISCLOSE_OK) {
        json_decref(arr);
        return s == DISCLOSE_AUDIT_FAILED
                   ? http_error(r, 503, "audit_unavailable", "アクセス記録を保存できないため、情報を開示できません")
                   : http_error(r, 500, "internal", "内部エラーが発生しました");
    }
    return respond_json(r, 200, json_pack("{s:o}", "deliveries", arr));
}

/* delivery_target - the caller's office, the person and the unit's timestamp of a
 * delivery route; NULL after answering. */
static struct store *delivery_target(struct req *r, struct actor *a, struct org *o, struct person_key *k,
                                     char stamp[15])
{
    struct store *st = store_or_503(r);
    if (!st || office_of(r, st, a, o) || person_param(r, k))
        return NULL;
    if (r->params[2].len != 14) {
        http_error(r, 404, "not_found", "該当する情報が見つかりません");
        return NULL;
    }
    snprintf(stamp, 15, "%.14s", r->params[2].ptr);
    return st;
}

/* d_delivery - one delivery's send unit, through the gate (計画), then marked downloaded. */
static int d_delivery(struct req *r)
{
    struct actor a;
    struct org o;
    struct person_key k;
    char stamp[15];
    struct store *st = delivery_target(r, &a, &o, &k, stamp);
    if (!st)
        return 0;
    r->dlv = xmalloc(sizeof *r->dlv);
    int rc = st->acc->delivery_get(st, &k, a.org, stamp, r->dlv);
    if (rc)
        return rc < 0 ? http_error(r, 500, "internal", "内部エラーが発生しました")
                      : http_error(r, 404, "not_found", "該当する情報が見つかりません");
    snprintf(r->office_no, sizeof r->office_no, "%s", o.office_no);
    return d_docs(r); /* the route's category is 計画; the answer is built from r->dlv */
}

static int h_delivery_ack(struct req *r)
{
    struct actor a;
    struct org o;
    struct person_key k;
    char stamp[15];
    struct store *st = delivery_target(r, &a, &o, &k, stamp);
    if (!st)
        return 0;
    int rc = st->acc->delivery_mark(st, &k, a.org, stamp, true, clock_now_ms());
    if (rc < 0)
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    if (rc)
        return http_error(r, 404, "not_found", "該当する情報が見つかりません");
    return respond_json(r, 200, json_pack("{s:s}", "message", "受領を確認しました"));
}

#define B_SMALL 4096
#define B_UNIT (96u << 20)
#define B_DOC DOC_JSON_MAX
#define P_INS "/api/v1/insurers/{insurer}/insured/{insured}"
const struct route routes[] = {
    /* method pattern                      category       auth          body     handler         disclose */
    {"GET", "/healthz", CAT_NONE, AUTH_NONE, 0, h_healthz, NULL},
    {"GET", "/api/v1/insurers", CAT_NONE, AUTH_ANY, 0, h_insurers, NULL},
    {"POST", "/api/v1/login", CAT_NONE, AUTH_PUBLIC, B_SMALL, h_login, NULL},
    {"POST", "/api/v1/logout", CAT_NONE, AUTH_USER, 0, h_logout, NULL},
    {"GET", "/api/v1/whoami", CAT_NONE, AUTH_ANY, 0, h_whoami, NULL},
    {"GET", P_INS "/card", CAT_SHIKAKU, AUTH_USER, 0, NULL, d_card},
    {"GET", P_INS "/applications", CAT_SHINSAKAI, AUTH_USER, 0, NULL, d_docs},
    {"POST", P_INS "/applications", CAT_NONE, AUTH_USER, B_SMALL, h_app_file, NULL},
    {"POST", P_INS "/applications/{app}/{step}", CAT_NONE, AUTH_USER, B_DOC, h_app_step, NULL},
    {"GET", P_INS "/chosa", CAT_CHOSA, AUTH_USER, 0, NULL, d_docs},
    {"GET", P_INS "/ikensho", CAT_IKENSHO, AUTH_USER, 0, NULL, d_docs},
    {"GET", P_INS "/life", CAT_LIFE, AUTH_USER, 0, NULL, d_docs},
    {"GET", P_INS "/ledger", CAT_JUTAKU, AUTH_USER, 0, NULL, d_docs},
    {"POST", P_INS "/ledger/claims", CAT_NONE, AUTH_USER, B_SMALL, h_claim, NULL},
    {"POST", "/api/v1/exchange/units", CAT_NONE, AUTH_USER, B_UNIT, h_exchange_upload, NULL},
    {"GET", "/api/v1/exchange/inbox", CAT_NONE, AUTH_USER, 0, h_inbox, NULL},
    {"GET", "/api/v1/exchange/deliveries/{insurer}/{insured}/{stamp}", CAT_CAREPLAN, AUTH_USER, 0, NULL, d_delivery},
    {"POST", "/api/v1/exchange/deliveries/{insurer}/{insured}/{stamp}/ack", CAT_NONE, AUTH_USER, B_SMALL, h_delivery_ack, NULL},
    {"GET", "/api/v1/me/applications", CAT_SHINSAKAI, AUTH_USER, 0, NULL, d_docs},
    {"POST", "/api/v1/me/applications", CAT_NONE, AUTH_USER, B_SMALL, h_app_file, NULL},
    {"GET", "/api/v1/me/ikensho", CAT_IKENSHO, AUTH_USER, 0, NULL, d_docs},
    {"GET", "/api/v1/me/life", CAT_LIFE, AUTH_USER, 0, NULL, d_docs},
    {"GET", "/api/v1/me/ledger", CAT_JUTAKU, AUTH_USER, 0, NULL, d_docs},
    {"GET", P_INS "/access-log", CAT_ACCESSLOG, AUTH_USER, 0, NULL, d_access_log},
    {"GET", P_INS "/consents", CAT_ACCESSLOG, AUTH_USER, 0, NULL, d_grants},
    {"POST", P_INS "/consents/withdraw", CAT_NONE, AUTH_USER, B_SMALL, h_withdraw, NULL},
    {"POST", P_INS "/proxies/{proxy}/revoke", CAT_NONE, AUTH_USER, 0, h_proxy_revoke, NULL},
    {"GET", "/api/v1/me/card", CAT_SHIKAKU, AUTH_USER, 0, NULL, d_card},
    {"GET", "/api/v1/me/access-log", CAT_ACCESSLOG, AUTH_USER, 0, NULL, d_access_log},
    {"GET", "/api/v1/me/consents", CAT_ACCESSLOG, AUTH_USER, 0, NULL, d_grants},
    {"GET", "/api/v1/verify", CAT_PAPER, AUTH_USER, 0, NULL, d_verify},
    {"POST", "/api/v1/me/verification-code", CAT_NONE, AUTH_USER, 0, h_code, NULL},
    {"POST", "/api/v1/relationships", CAT_NONE, AUTH_USER, B_SMALL, h_relationship, NULL},
    {"POST", "/api/v1/breakglass", CAT_NONE, AUTH_USER, B_SMALL, h_breakglass, NULL},
    {"GET", "/api/v1/reviews", CAT_NONE, AUTH_USER, 0, h_reviews, NULL},
    {"POST", "/api/v1/reviews/{review}/close", CAT_NONE, AUTH_USER, B_SMALL, h_review_close, NULL},
};
const size_t routes_len = ARRAY_LEN(routes);


/* ---- routing ------------------------------------------------------------- */

/* match - pattern segments against the path; binds {params}. 1 = match. */
static int match(const char *pattern, char *path, struct str *params)
{
    const char *p = pattern;
    const char *u = path;
    int np = 0;
    while (*p && *u) {
        if (*p != '/' || *u != '/')
            return 0;
        p++;
        u++;
        const char *pe = strchr(p, '/');
        const char *ue = strchr(u, '/');
        size_t pl = pe ? (size_t)(pe - p) : strlen(p);
        size_t ul = ue ? (size_t)(ue - u) : strlen(u);
        if (pl >= 2 && p[0] == '{') {
            if (ul == 0 || np == MAX_PARAMS)
                return 0;
            params[np++] = (struct str){u, ul};
        } else if (pl != ul || memcmp(p, u, pl) != 0)
            return 0;
        p += pl;
        u += ul;
    }
    return *p == '\0' && *u == '\0';
}

/* authenticate - resolves the caller and applies the route's requirement. */
static int authenticate(struct req *r)
{
    if (r->route->auth == AUTH_NONE || r->route->auth == AUTH_PUBLIC)
        return 0;
    struct store *st = store_or_503(r);
    if (!st)
        return -1;
    if (auth_resolve(st, MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization"),
                     MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Cookie"), config->token,
                     clock_now_ms(), &r->who)) {
        http_error(r, 500, "internal", "内部エラーが発生しました");
        return -1;
    }
    bool ok = r->route->auth == AUTH_ANY ? r->who.kind != P_NONE
                                         : r->who.kind == P_TOKEN || r->who.kind == P_SESSION;
    if (!ok) {
        http_error(r, 401, "unauthorized",
                   "認証が必要です(ログインするか、Authorization: Bearer <APIトークン> を付けてください)");
        return -1;
    }
    return 0;
}

struct hdr_sum {
    size_t bytes;
    bool bad_name; /* whitespace in a field name (RFC 9112 §5.1: 400) */
};

static enum MHD_Result sum_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    (void)kind;
    struct hdr_sum *s = cls;
    s->bytes += strlen(key) + (value ? strlen(value) : 0) + 4;
    if (strpbrk(key, " \t"))
        s->bad_name = true;
    return MHD_YES;
}

static void dispatch(struct req *r)
{
    if (!r->route) {
        /* distinguish 405 from 404 */
        for (size_t i = 0; i < routes_len; i++) {
            struct str tmp[MAX_PARAMS];
            if (match(routes[i].pattern, r->path, tmp)) {
                http_error(r, 405, "method_not_allowed", "このメソッドは使えません");
                return;
            }
        }
        http_error(r, 404, "no_route", "そのURLはありません");
        return;
    }
    if (r->too_big) {
        http_error(r, 413, "body_too_large", "リクエスト本文が大きすぎます");
        return;
    }
    /* A personal GET with an API token only reads until it is suspended for its
     * audit entry: the token, the facts and the data in one snapshot, so the
     * read locks are taken once (a session may write its last-seen time, so
     * it gets no outer snapshot). Ended before the request is suspended. */
    struct store *snap = NULL;
    if (r->route->category != CAT_NONE && strcmp(r->method, "GET") == 0 &&
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization") &&
        !MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Cookie")) {
        snap = thread_store();
        if (snap && snap->ops->read_begin(snap))
            snap = NULL; /* each reader then takes its own */
    }
    int rc = authenticate(r) ? HANDLER_DONE
             : r->route->category == CAT_NONE ? r->route->handler(r)
                                              : r->route->disclose(r);
    if (snap && snap->ops->read_end(snap))
        warn("read_end: %s", snap->ops->errmsg(snap));
    if (rc == HANDLER_SUSPENDED || r->responded)
        return;
    http_error(r, 500, "internal", "内部エラーが発生しました");
}

static void new_request_id(char out[REQUEST_ID_BYTES])
{
    unsigned char rnd[8];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(out, REQUEST_ID_BYTES, rnd, sizeof rnd);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)cls;
    (void)version;
    struct req *r = *con_cls;
    if (!r) {
        /* First call: headers only. Set up, check header and body limits. */
        r = xcalloc(1, sizeof *r);
        r->conn = conn;
        r->method = method;
        clock_gettime(CLOCK_MONOTONIC, &r->start);
        new_request_id(r->request_id);
        r->path = xstrdup(url);
        *con_cls = r;
        for (size_t i = 0; i < routes_len; i++)
            if (strcmp(routes[i].method, method) == 0 &&
                match(routes[i].pattern, r->path, r->params)) {
                r->route = &routes[i];
                break;
            }
        buf_init(&r->body, r->route ? r->route->max_body : 0);
        if (!r->route) { /* 404 or 405 at once; a body is never read for it */
            dispatch(r);
            return MHD_YES;
        }
        struct hdr_sum hs = {0};
        MHD_get_connection_values(conn, MHD_HEADER_KIND, sum_header, &hs);
        if (hs.bytes > MAX_HEADER_BYTES) {
            http_error(r, 431, "headers_too_large", "リクエストヘッダが大きすぎます");
            return MHD_YES;
        }
        if (hs.bad_name) {
            http_error(r, 400, "bad_request", "ヘッダ名に空白があります");
            return MHD_YES;
        }
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        size_t max = r->route ? r->route->max_body : 0;
        if (cl) {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(cl, &end, 10);
            if (*cl < '0' || *cl > '9' || *end || errno) {
                http_error(r, 400, "bad_request", "Content-Length が不正です");
                return MHD_YES;
            }
            if (v > max) {
                http_error(r, 413, "body_too_large", "リクエスト本文が大きすぎます");
                return MHD_YES;
            }
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->responded) {
            buf_add(&r->body, upload, *upload_size);
            if (buf_failed(&r->body))
                r->too_big = true;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->waiting) { /* resumed: the audit entry is durable, or failed */
        r->waiting = false;
        disclosure_respond(r);
        return MHD_YES;
    }
    if (!r->responded)
        dispatch(r);
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct req *r = *con_cls;
    if (!r)
        return;
    if (config->access_log) {
        struct timespec end;
        clock_gettime(CLOCK_MONOTONIC, &end);
        long us = (end.tv_sec - r->start.tv_sec) * 1000000L + (end.tv_nsec - r->start.tv_nsec) / 1000;
        /* Route pattern, never the URL: the URL carries personal numbers. */
        fprintf(stderr, "access id=%s method=%s route=%s status=%u us=%ld\n", r->request_id,
                r->method, r->route ? r->route->pattern : "-", r->status, us);
    }
    buf_release(&r->body);
    if (r->card) {
        sodium_memzero(r->card, sizeof *r->card);
        free(r->card);
    }
    free(r->dlv);
    wipe_rows(r);
    sodium_memzero(&r->who, sizeof r->who);
    free(r->disc);
    free(r->path);
    free(r);
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) FMT(2, 0);
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    warn("http: %s", msg);
}

int server_run(const struct server_config *cfg)
{
    config = cfg;
    if (sodium_init() < 0)
        die("libsodium init failed");
    auth_init();
    if (pthread_key_create(&store_key, store_key_close))
        die("pthread_key_create failed");
    /* Open once in this thread to run migrations before workers start. */
    struct store *first = store_open_sqlite(cfg->db, false);
    if (!first)
        return 3;
    store_close(first);
    auditq = auditq_start(cfg->db);
    if (!auditq)
        return 3;

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)cfg->port);
    if (inet_pton(AF_INET, cfg->host, &addr.sin_addr) != 1) {
        error("listen address %s is not an IPv4 address", cfg->host);
        auditq_stop(auditq);
        return 3;
    }
    unsigned threads = cfg->threads ? cfg->threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1)
        threads = 1;
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
            MHD_ALLOW_SUSPEND_RESUME,
        0, NULL, NULL,
        on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_STRICT_FOR_CLIENT, (int)1, /* Host required, no spaces in the URL */
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)MHD_CONN_MEMORY,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)CONN_LIMIT, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PER_IP_CONN_LIMIT,
        MHD_OPTION_END);
    if (!d) {
        error("cannot listen on %s:%u", cfg->host, cfg->port);
        auditq_stop(auditq);
        return 3;
    }
    const union MHD_DaemonInfo *dinfo = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("kaigo: listening on http://%s:%u\n", cfg->host, dinfo ? dinfo->port : cfg->port);
    fflush(stdout);

    int sig;
    sigwait(&set, &sig);
    info("stopping (signal %d)", sig);
    /* New disclosures are refused; queued ones complete and their connections
     * resume (MHD requires none suspended at stop); then the daemon stops. */
    stopping = 1;
    auditq_close(auditq);
    unsigned long long batches, entries;
    auditq_stats(auditq, &batches, &entries);
    fprintf(stderr, "kaigo: audit: %llu entries in %llu group commits\n", entries, batches);
    MHD_stop_daemon(d);
    auditq_free(auditq);
    auditq = NULL;
    return 0;
}
