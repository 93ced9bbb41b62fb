/* disclose.c - the disclosure pipeline (the gate's I/O half); see disclose.h. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"
#include "service/disclose.h"
#include "util/hooks.h"
#include "codec/codec.h"
#include "service/cpstore.h"
#include "codec/docjson.h"
#include "service/personal.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* Bundles are large (every current record of a person). The server's worker
 * threads keep one each (a thread-specific value freed when the thread ends);
 * the blocking form allocates one per call. Either way it is wiped after use. */
static pthread_key_t bundle_key;
static pthread_once_t bundle_once = PTHREAD_ONCE_INIT;

static void bundle_free(void *p)
{
    free(p);
}

static void bundle_key_init(void)
{
    if (pthread_key_create(&bundle_key, bundle_free))
        die("pthread_key_create failed");
}

static struct person_bundle *thread_bundle(void)
{
    pthread_once(&bundle_once, bundle_key_init);
    struct person_bundle *b = pthread_getspecific(bundle_key);
    if (!b) {
        b = xcalloc(1, sizeof *b);
        pthread_setspecific(bundle_key, b);
    }
    return b;
}

static void wipe_bundle(struct person_bundle *b)
{
    sodium_memzero(&b->person, sizeof b->person);
    sodium_memzero(b->certs, b->ncerts * sizeof b->certs[0]);
    sodium_memzero(b->burdens, b->nburdens * sizeof b->burdens[0]);
    sodium_memzero(b->limits, b->nlimits * sizeof b->limits[0]);
    sodium_memzero(b->restrictions, b->nrestrictions * sizeof b->restrictions[0]);
    sodium_memzero(b->plans, b->nplans * sizeof b->plans[0]);
    sodium_memzero(b->stays, b->nstays * sizeof b->stays[0]);
    b->ncerts = b->nburdens = b->nlimits = b->nrestrictions = b->nplans = b->nstays = 0;
}

/* insurer_cached - insurer master data (not personal) from a per-thread cache,
 * valid while the registry file is unchanged (data_version). */
static int insurer_cached(struct store *st, const char *no, struct insurer *out)
{
    static _Thread_local struct {
        struct store *st;
        long long version;
        int rc;
        struct insurer ins;
    } c;
    long long v;
    if (st->ops->data_version(st, &v))
        return -1;
    if (c.st == st && c.version == v && strcmp(c.ins.insurer_no, no) == 0) {
        *out = c.ins;
        return c.rc;
    }
    int rc = st->ops->insurer_get(st, no, out);
    if (rc < 0)
        return rc;
    if (rc == STORE_NOTFOUND) {
        memset(out, 0, sizeof *out);
        str_cut(out->insurer_no, sizeof out->insurer_no, no);
    }
    c.st = st;
    c.version = v;
    c.rc = rc;
    c.ins = *out;
    return rc;
}

static void fill_entry(struct disclosure *d)
{
    struct audit_entry *e = &d->entry;
    memset(e, 0, sizeof *e);
    str_cut(e->insurer_no, sizeof e->insurer_no, d->rq.person.insurer_no);
    str_cut(e->insured_no, sizeof e->insured_no, d->rq.person.insured_no);
    str_cut(e->actor, sizeof e->actor, d->rq.actor.id);
    str_cut(e->org, sizeof e->org, d->rq.actor.org);
    str_cut(e->request_id, sizeof e->request_id, d->request_id ? d->request_id : "");
    str_cut(e->basis_ref, sizeof e->basis_ref, d->decision.ref);
    e->time_ms = d->time_ms;
    e->role = d->rq.actor.role;
    e->category = d->rq.category;
    /* a break-glass read is an emergency read, whatever was asked */
    e->purpose = d->decision.flags & GATE_FLAG_BREAKGLASS ? PURPOSE_EMERGENCY : d->rq.purpose;
    e->basis = d->decision.basis;
    e->outcome = d->decision.outcome;
    e->flags = d->decision.flags;
}

/* needs - the facts a matrix cell needs (only those are loaded). */
static unsigned needs(const struct gate_request *rq)
{
    if (rq->actor.role <= ROLE_NONE || rq->actor.role >= ROLE_COUNT || rq->category <= CAT_NONE ||
        rq->category >= CAT_COUNT)
        return 0;
    /* break-glass grants matter only for an account that may break the glass */
    unsigned bg = rq->actor.may_breakglass ? NEED_BREAKGLASS : 0;
    switch (access_matrix[rq->actor.role].cell[rq->category]) {
    case RULE_CARE:
        return NEED_CONSENT | NEED_RELS | bg;
    case RULE_REQUEST:
        return NEED_REQUESTS | bg;
    case RULE_PROXY:
        return NEED_PROXIES;
    case RULE_OPTIN:
        return NEED_CONSENT;
    default:
        return 0;
    }
}

const char *disclose_doc_kind(enum category c)
{
    switch (c) {
    case CAT_SHINSAKAI:
        return "application";
    case CAT_CHOSA:
        return "chosa";
    case CAT_IKENSHO:
        return "ikensho";
    case CAT_LIFE:
        return "life";
    case CAT_JUTAKU:
        return "ledger";
    default:
        return NULL;
    }
}

/* card_of_bundle - the card on 'on' of the person loaded into b (personal_load) */
static void card_of_bundle(const struct insurer *ins, const struct person_bundle *b, struct date on, struct card *c)
{
    struct card_input in = {ins, &b->person, b->certs, b->ncerts, b->burdens, b->nburdens, b->limits, b->nlimits,
                            b->restrictions, b->nrestrictions, b->plans, b->nplans, b->stays, b->nstays,
                            b->pending_applied, b->pending_kind, b->shikakusha};
    card_build(&in, on, c);
}

/* doc_filter - RULE-DOC-003 per document, then the caller's row function. */
static int doc_filter(void *ctx, const char *kind, const char *rkey, const char *body)
{
    struct disclosure *d = ctx;
    if (strcmp(kind, "ikensho") == 0) {
        struct ikensho *o = xmalloc(sizeof *o);
        struct doc_error e;
        int bad = docjson_ikensho(body, strlen(body), o, &e);
        unsigned flags = !bad && ikensho_withheld_from_care(o) ? DOC_PHYSICIAN_REFUSED : 0;
        sodium_memzero(o, sizeof *o);
        free(o);
        if (bad)
            return 1;
        if (!gate_doc_visible(&d->rq, flags)) {
            d->withheld++;
            return 0;
        }
    }
    return d->doc_fn ? d->doc_fn(d->row_ctx, kind, rkey, body) : 0;
}

static enum disclose_status read_data(struct store *st, struct disclosure *d,
                                      struct person_bundle *b)
{
    const struct person_key *k = &d->rq.person;
    switch (d->what) {
    case WHAT_CARD: {
        int rc = personal_load(st, k, b);
        if (rc == STORE_NOTFOUND) { /* removed between the fact and the read */
            d->decision.outcome = OUTCOME_NOT_FOUND;
            d->decision.basis = BASIS_NONE;
            return DISCLOSE_NOT_FOUND;
        }
        if (rc) {
            wipe_bundle(b);
            return DISCLOSE_ERROR;
        }
        struct insurer ins;
        int irc = insurer_cached(st, k->insurer_no, &ins);
        if (irc < 0) {
            wipe_bundle(b);
            return DISCLOSE_ERROR;
        }
        card_of_bundle(irc == 0 ? &ins : NULL, b, d->on, d->card);
        wipe_bundle(b);
        return DISCLOSE_OK;
    }
    case WHAT_ACCESS_LOG:
        return st->acc->person_access(st, k, d->row_fn, d->row_ctx) ? DISCLOSE_ERROR : DISCLOSE_OK;
    case WHAT_PAPER:
        if (!d->paper || !d->paper_out)
            return DISCLOSE_ERROR;
        return st->ops->paper_record(st, d->paper->insurer_no, d->paper->serial, d->paper_out) ? DISCLOSE_ERROR
                                                                                              : DISCLOSE_OK;
    case WHAT_HISTORY:
        return !d->hist_fn || st->ops->record_history(st, k, d->hist_fn, d->row_ctx) ? DISCLOSE_ERROR : DISCLOSE_OK;
    case WHAT_GRANTS:
        return st->acc->person_grants(st, k, d->grants_fn, d->row_ctx) ? DISCLOSE_ERROR
                                                                       : DISCLOSE_OK;
    case WHAT_DOCS: {
        d->withheld = 0;
        if (d->rq.category == CAT_CAREPLAN) { /* the CSV standard's record sets */
            for (const char *const *kd = cps_kinds; *kd; kd++)
                if (st->ops->record_list_kind(st, k, *kd, doc_filter, d))
                    return DISCLOSE_ERROR;
            return DISCLOSE_OK;
        }
        const char *kind = disclose_doc_kind(d->rq.category);
        if (!kind)
            return DISCLOSE_ERROR;
        if (st->ops->record_list_kind(st, k, kind, doc_filter, d))
            return DISCLOSE_ERROR;
        if (d->withheld) { /* the person's report shows what was held back */
            size_t n = strlen(d->decision.ref);
            snprintf(d->decision.ref + n, sizeof d->decision.ref - n, "%swithheld:%d",
                     n ? "," : "", d->withheld);
        }
        return DISCLOSE_OK;
    }
    }
    return DISCLOSE_ERROR;
}

/* prepare_snapshot - steps 1–3 on one read snapshot. Returns the status to
 * report if the audit succeeds, or DISCLOSE_ERROR (nothing to audit: the
 * decision itself could not be made, or the read failed). */
static enum disclose_status prepare_snapshot(struct store *st, struct disclosure *d,
                                             struct person_bundle *b)
{
    struct facts_buf fb;
    struct gate_facts facts = {0};
    int ex = st->ops->person_exists(st, &d->rq.person);
    if (ex < 0 || st->acc->facts_load(st, &d->rq.person, &d->rq.actor, needs(&d->rq), &fb))
        return DISCLOSE_ERROR;
    facts = (struct gate_facts){ex == 1,         d->time_ms,       lapse_months(),
                                fb.consents,     fb.nconsents,     fb.withdrawals,
                                fb.nwithdrawals, fb.rels,          fb.nrels,
                                fb.proxies,      fb.nproxies,      fb.bgs,
                                fb.nbgs,         fb.reqs,          fb.nreqs,
                                d->paper_presented};
    int grc = gate_decide(&d->rq, &facts, &d->decision);
    facts_free(&fb);
    if (grc)
        return DISCLOSE_ERROR;
    enum disclose_status s = d->decision.outcome == OUTCOME_ALLOWED  ? DISCLOSE_OK
                             : d->decision.outcome == OUTCOME_DENIED ? DISCLOSE_DENIED
                                                                     : DISCLOSE_NOT_FOUND;
    if (s == DISCLOSE_OK)
        s = read_data(st, d, b);
    fill_entry(d);
    return s;
}

static enum disclose_status prepare(struct store *st, struct disclosure *d,
                                    struct person_bundle *b)
{
    if (st->ops->read_begin(st))
        return DISCLOSE_ERROR;
    enum disclose_status s = prepare_snapshot(st, d, b);
    if (st->ops->read_end(st))
        s = DISCLOSE_ERROR;
    return s;
}

static void wipe_out(struct disclosure *d)
{
    if (d->what == WHAT_CARD && d->card)
        sodium_memzero(d->card, sizeof *d->card);
}

enum disclose_status disclose(struct store *st, struct auditq *aq, struct disclosure *d)
{
    struct person_bundle *b = d->what == WHAT_CARD ? xcalloc(1, sizeof *b) : NULL;
    enum disclose_status s = prepare(st, d, b);
    free(b);
    if (s == DISCLOSE_ERROR || auditq_append(aq, &d->entry))
        s = s == DISCLOSE_ERROR ? s : DISCLOSE_AUDIT_FAILED; /* nothing may leave */
    d->audit_seq = d->entry.seq;
    if (s != DISCLOSE_OK)
        wipe_out(d);
    return s;
}

enum disclose_status disclose_card(struct store *st, struct auditq *aq, struct disclosure *d,
                                   struct date on, struct card *out)
{
    d->what = WHAT_CARD;
    d->on = on;
    d->card = out;
    return disclose(st, aq, d);
}

static void async_done(void *ctx, int rc)
{
    struct disclosure *d = ctx;
    d->audit_seq = d->entry.seq;
    if (rc)
        d->status = DISCLOSE_AUDIT_FAILED;
    if (d->status != DISCLOSE_OK)
        wipe_out(d);
    d->fn(d->ctx, d->status);
}

void disclose_async(struct store *st, struct auditq *aq, struct disclosure *d,
                    disclose_done_fn *fn, void *ctx)
{
    d->fn = fn;
    d->ctx = ctx;
    d->status = prepare(st, d, d->what == WHAT_CARD ? thread_bundle() : NULL);
    if (d->status == DISCLOSE_ERROR) {
        wipe_out(d);
        fn(ctx, DISCLOSE_ERROR);
        return;
    }
    d->ticket = (struct auditq_ticket){&d->entry, async_done, d, false, -1};
    auditq_submit(aq, &d->ticket);
}

int lapse_months(void)
{
    if (test_hooks && test_hooks->lapse_months) /* kaigo-test only (util/hooks.h) */
        return test_hooks->lapse_months;
    return LAPSE_MONTHS_DEFAULT;
}

static void code_hash(const char *code, unsigned char out[32])
{
    crypto_hash_sha256(out, (const unsigned char *)code, strlen(code));
}

int identity_code_issue(struct store *st, const struct person_key *k, int64_t now, int64_t valid_ms,
                        const char *via, char code[IDENTITY_CODE_DIGITS + 1])
{
    for (int i = 0; i < IDENTITY_CODE_DIGITS; i++)
        code[i] = (char)('0' + randombytes_uniform(10));
    code[IDENTITY_CODE_DIGITS] = '\0';
    unsigned char h[32];
    code_hash(code, h);
    return st->acc->code_add(st, k, h, now, now + valid_ms, via);
}

int verify_birth(struct store *st, const struct person_key *k, struct date birth)
{
    struct person_bundle *b = xcalloc(1, sizeof *b);
    int rc = personal_load(st, k, b);
    bool match = rc == 0 && date_cmp(b->person.birth, birth) == 0;
    wipe_bundle(b);
    free(b);
    if (rc < 0)
        return -1;
    return match ? 0 : STORE_NOTFOUND;
}

int verify_identity(struct store *st, const struct person_key *k, struct date birth,
                    const char *code, int64_t now)
{
    int rc = verify_birth(st, k, birth);
    if (rc)
        return rc;
    unsigned char h[32];
    code_hash(code, h);
    return st->acc->code_use(st, k, h, now);
}

/* ---- the certification worklist ------------------------------------------------- */

struct wl_item {
    char insured_no[INSURED_NO_LEN + 1];
    char *body;
};

struct wl_collect {
    struct wl_item *v;
    size_t n, cap;
};

static int wl_row(void *ctx, const char *insured_no, const char *rkey, const char *body)
{
    struct wl_collect *c = ctx;
    (void)rkey;
    struct application *a = xmalloc(sizeof *a);
    int bad = docjson_app(body, strlen(body), a);
    bool pending = !bad && app_pending(a);
    sodium_memzero(a, sizeof *a);
    free(a);
    if (bad)
        return 1;
    if (!pending)
        return 0;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->v = xrealloc(c->v, c->cap * sizeof *c->v);
    }
    str_cut(c->v[c->n].insured_no, sizeof c->v[c->n].insured_no, insured_no);
    c->v[c->n].body = xstrdup(body);
    c->n++;
    return 0;
}

struct wl_wait {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t left;
    int failed;
};

static void wl_done(void *ctx, int rc)
{
    struct wl_wait *w = ctx;
    pthread_mutex_lock(&w->mu);
    w->failed |= rc != 0;
    if (--w->left == 0)
        pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

/* wl_append_all - submits n entries and waits until all are durable; -1 if any failed. */
static int wl_append_all(struct auditq *aq, struct audit_entry *e, size_t n)
{
    struct wl_wait w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, n, 0};
    struct auditq_ticket *t = xcalloc(n, sizeof *t);
    for (size_t i = 0; i < n; i++) {
        t[i] = (struct auditq_ticket){&e[i], wl_done, &w, false, 0};
        auditq_submit(aq, &t[i]);
    }
    pthread_mutex_lock(&w.mu);
    while (w.left)
        pthread_cond_wait(&w.cv, &w.mu);
    pthread_mutex_unlock(&w.mu);
    pthread_mutex_destroy(&w.mu);
    pthread_cond_destroy(&w.cv);
    free(t);
    return w.failed ? -1 : 0;
}

enum disclose_status disclose_worklist(struct store *st, struct auditq *aq,
                                       const struct actor *actor, const char *insurer_no,
                                       const char *request_id, int64_t now, worklist_row_fn *fn,
                                       void *ctx, long long *shown, long long *denied)
{
    struct wl_collect c = {0};
    *shown = *denied = 0;
    enum disclose_status s = DISCLOSE_OK;
    if (st->ops->read_begin(st))
        return DISCLOSE_ERROR;
    if (st->ops->record_scan_kind(st, insurer_no, "application", NULL, wl_row, &c))
        s = DISCLOSE_ERROR;
    if (st->ops->read_end(st))
        s = DISCLOSE_ERROR;
    struct person_key *persons = xcalloc(c.n ? c.n : 1, sizeof *persons);
    bool *ok = xcalloc(c.n ? c.n : 1, sizeof *ok);
    for (size_t i = 0; i < c.n; i++) {
        str_cut(persons[i].insurer_no, sizeof persons[i].insurer_no, insurer_no);
        str_cut(persons[i].insured_no, sizeof persons[i].insured_no, c.v[i].insured_no);
    }
    /* every listed person decided and audited before any row is handed out */
    if (s == DISCLOSE_OK)
        s = disclose_persons(st, aq, actor, CAT_SHINSAKAI, PURPOSE_ADMIN, persons, c.n, request_id, now, ok);
    for (size_t i = 0; i < c.n && s == DISCLOSE_OK; i++) {
        if (!ok[i]) {
            ++*denied;
            continue;
        }
        ++*shown;
        if (fn(ctx, c.v[i].insured_no, c.v[i].body))
            s = DISCLOSE_ERROR;
    }
    for (size_t i = 0; i < c.n; i++) {
        sodium_memzero(c.v[i].body, strlen(c.v[i].body));
        free(c.v[i].body);
    }
    free(c.v);
    free(persons);
    free(ok);
    return s;
}

/* ---- batch printing: an insurer's cards ------------------------------------------ */

struct bc_list {
    struct person_key *v;
    size_t n, cap;
    const char *insurer;
    batch_want_fn *want;
    void *ctx;
};

static int bc_row(void *ctx, const char *insured_no)
{
    struct bc_list *l = ctx;
    if (l->want && !l->want(l->ctx, insured_no))
        return 0;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 1024;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    memset(&l->v[l->n], 0, sizeof l->v[0]);
    str_cut(l->v[l->n].insurer_no, sizeof l->v[0].insurer_no, l->insurer);
    str_cut(l->v[l->n].insured_no, sizeof l->v[0].insured_no, insured_no);
    l->n++;
    return 0;
}

/* One person of a chunked card disclosure: its index in the list, its card, and whether the second
 * category (when one was asked for) was allowed too. */
typedef int chunk_card_fn(void *ctx, struct store *st, size_t i, const struct card *c, bool also);

/* cards_chunked - keys[0..n) in chunks of BATCH_CHUNK: each chunk decided and audited for 資格 (durable, one
 * group commit) and, when also != CAT_NONE, for also for those allowed, before anything about a person is
 * read; then each allowed person's card on 'on' to fn inside one read. Refused persons only count in *denied;
 * a person removed since it was listed is skipped. */
static enum disclose_status cards_chunked(struct store *st, struct auditq *aq, const struct actor *actor,
                                          enum purpose purpose, const struct person_key *keys, size_t n,
                                          enum category also, struct date on, const char *request_id, int64_t now,
                                          chunk_card_fn *fn, void *ctx, long long *shown, long long *denied)
{
    enum disclose_status s = DISCLOSE_OK;
    bool ok[BATCH_CHUNK], also_ok[BATCH_CHUNK];
    struct person_key sub[BATCH_CHUNK];
    size_t sub_at[BATCH_CHUNK];
    struct person_bundle *b = xcalloc(1, sizeof *b);
    struct card *c = xmalloc(sizeof *c);
    for (size_t at = 0; at < n && s == DISCLOSE_OK; at += BATCH_CHUNK) {
        size_t m = n - at < BATCH_CHUNK ? n - at : BATCH_CHUNK, ns = 0;
        s = disclose_persons(st, aq, actor, CAT_SHIKAKU, purpose, keys + at, m, request_id, now, ok);
        bool second[BATCH_CHUNK] = {false};
        if (s == DISCLOSE_OK && also != CAT_NONE) {
            for (size_t i = 0; i < m; i++)
                if (ok[i]) {
                    sub_at[ns] = i;
                    sub[ns++] = keys[at + i];
                }
            s = disclose_persons(st, aq, actor, also, purpose, sub, ns, request_id, now, also_ok);
            for (size_t j = 0; j < ns; j++)
                second[sub_at[j]] = also_ok[j];
        }
        if (s != DISCLOSE_OK)
            break;
        if (st->ops->read_begin(st)) {
            s = DISCLOSE_ERROR;
            break;
        }
        for (size_t i = 0; i < m && s == DISCLOSE_OK; i++) {
            if (!ok[i]) {
                ++*denied;
                continue;
            }
            struct insurer ins;
            int irc = insurer_cached(st, keys[at + i].insurer_no, &ins);
            int rc = personal_load(st, &keys[at + i], b);
            if (rc == STORE_NOTFOUND)
                continue; /* removed since it was listed */
            if (rc || irc < 0) {
                s = DISCLOSE_ERROR;
                break;
            }
            card_of_bundle(irc == 0 ? &ins : NULL, b, on, c);
            ++*shown;
            if (fn(ctx, st, at + i, c, second[i]))
                s = DISCLOSE_ERROR;
            sodium_memzero(c, sizeof *c);
        }
        wipe_bundle(b);
        if (st->ops->read_end(st))
            s = DISCLOSE_ERROR;
    }
    free(b);
    free(c);
    return s;
}

struct bc_call {
    batch_card_fn *fn;
    void *ctx;
};

static int bc_card(void *ctx, struct store *st, size_t i, const struct card *c, bool also)
{
    struct bc_call *x = ctx;
    (void)st, (void)i, (void)also;
    return x->fn(x->ctx, c);
}

enum disclose_status disclose_insurer_cards(struct store *st, struct auditq *aq, const struct actor *actor,
                                            enum purpose purpose, const char *insurer_no, const char *since,
                                            struct date on, const char *request_id, int64_t now,
                                            batch_want_fn *want, batch_card_fn *fn, void *ctx,
                                            long long *total, long long *shown, long long *denied)
{
    struct bc_list l = {NULL, 0, 0, insurer_no, want, ctx};
    *total = *shown = *denied = 0;
    enum disclose_status s = DISCLOSE_OK;
    if (st->ops->read_begin(st))
        return DISCLOSE_ERROR;
    /* an insurer that issues the 被保険者証 at 要介護認定申請 (migration 0012) prints it in a batch only
     * for the persons with a 認定 or an application: the others are not read at all */
    struct insurer policy;
    int prc = st->ops->insurer_get(st, insurer_no, &policy);
    bool applicants = prc == 0 && policy.card_issue == CARD_ISSUE_APPLICATION;
    if (prc < 0 || st->ops->persons_of_insurer(st, insurer_no, since, applicants, bc_row, &l))
        s = DISCLOSE_ERROR;
    if (st->ops->read_end(st))
        s = DISCLOSE_ERROR;
    *total = (long long)l.n;
    struct bc_call x = {fn, ctx};
    if (s == DISCLOSE_OK)
        s = cards_chunked(st, aq, actor, purpose, l.v, l.n, CAT_NONE, on, request_id, now, bc_card, &x, shown,
                          denied);
    free(l.v);
    return s;
}

/* plan_names_office - a stored 第6表 set (UPPLAN body) whose プラン担当業者コード (No.6) is office_no */
static bool plan_names_office(const char *body, const char *office_no)
{
    struct cp_filedata f;
    memset(&f, 0, sizeof f);
    f.layout = cp_layout(CP_UPPLAN);
    bool ours = cps_decode(body, &f) == 0 && f.n > 0 && f.r[0].nf > 5 && strcmp(f.r[0].f[5], office_no) == 0;
    cpfile_free(&f);
    return ours;
}

/* ---- an office's 利用者一覧 ------------------------------------------------------ */

struct op_item {
    struct person_key k;
    int64_t started_ms;
    int last_actual_ym;
};
struct op_list {
    struct op_item *v;
    size_t n, cap;
};

static int op_row(void *ctx, const struct person_key *k, int64_t started_ms, int last_actual_ym)
{
    struct op_list *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = (struct op_item){*k, started_ms, last_actual_ym};
    return 0;
}

struct op_plan {
    const char *month, *office_no;
    enum office_plan_state state;
};

/* op_plan_row - the month's 第6表 from the office, or a 実績 of the month (rkey YYYYMM:office:type) */
static int op_plan_row(void *ctx, const char *kind, const char *rkey, const char *body)
{
    struct op_plan *p = ctx;
    if (strcmp(body, "{\"deleted\":true}") == 0 || strncmp(rkey, p->month, 6) != 0)
        return 0;
    if (!strcmp(kind, "cp.UPJSK") && rkey[6] == ':')
        p->state = PLAN_ACTUAL;
    else if (!strcmp(kind, "cp.UPPLAN") && !rkey[6] && p->state == PLAN_NONE && plan_names_office(body, p->office_no))
        p->state = PLAN_SHEET6;
    return 0;
}

struct op_call {
    const struct op_list *l;
    const char *month, *office_no, *org;
    office_person_fn *fn;
    void *ctx;
};

/* op_card - a listed person's card, and its plan state when 計画 was allowed too */
static int op_card(void *ctx, struct store *st, size_t i, const struct card *c, bool careplan)
{
    struct op_call *x = ctx;
    const struct op_item *it = &x->l->v[i];
    struct op_plan p = {x->month, x->office_no, PLAN_NONE};
    if (careplan && (st->ops->record_list_kind(st, &it->k, "cp.UPPLAN", op_plan_row, &p) ||
                     st->ops->record_list_kind(st, &it->k, "cp.UPJSK", op_plan_row, &p)))
        return -1;
    struct plan_month pm = {0, 0};
    struct cl_visits v = {DATE_NONE, false};
    int prc = careplan ? st->acc->plan_month_get(st, &it->k, x->org, x->month, &pm, NULL) : STORE_NOTFOUND;
    if (prc >= 0 && careplan && st->acc->visit_last(st, &it->k, x->org, &v.last_home, &v.video_after))
        prc = -1;
    if (prc < 0)
        return -1;
    struct office_person op = {c,           careplan,     p.state,     it->started_ms, it->last_actual_ym,
                               pm.draft_ms, pm.issued_ms, v.last_home, v.video_after};
    return x->fn(x->ctx, &op);
}

enum disclose_status disclose_office_people(struct store *st, struct auditq *aq, const struct actor *actor,
                                            enum purpose purpose, const char *org, const char *office_no,
                                            const char *month, struct date on, const char *request_id,
                                            int64_t now, office_person_fn *fn, void *ctx, long long *shown,
                                            long long *denied)
{
    struct op_list l = {NULL, 0, 0};
    *shown = *denied = 0;
    enum disclose_status s = DISCLOSE_OK;
    if (st->ops->read_begin(st))
        return DISCLOSE_ERROR;
    if (st->acc->org_persons(st, org, op_row, &l))
        s = DISCLOSE_ERROR;
    if (st->ops->read_end(st))
        s = DISCLOSE_ERROR;
    struct person_key *keys = xcalloc(l.n ? l.n : 1, sizeof *keys);
    for (size_t i = 0; i < l.n; i++)
        keys[i] = l.v[i].k;
    /* 資格 for all, then 計画 for those 資格 allowed: decided and audited before anything is read */
    struct op_call x = {&l, month, office_no, org, fn, ctx};
    if (s == DISCLOSE_OK)
        s = cards_chunked(st, aq, actor, purpose, keys, l.n, CAT_CAREPLAN, on, request_id, now, op_card, &x, shown,
                          denied);
    free(keys);
    free(l.v);
    return s;
}

/* ---- the caseload from the stored 第6表 ------------------------------------------ */

struct cl_item {
    struct person_key k;
    char *plan;
};

struct cl_collect {
    const char *office, *month, *insurer;
    struct cl_item *v;
    size_t n, cap;
};

/* cl_row - keeps a person whose 6表 of the month names the office (column 6) */
static int cl_row(void *ctx, const char *insured_no, const char *rkey, const char *body)
{
    struct cl_collect *c = ctx;
    (void)rkey;
    if (!plan_names_office(body, c->office))
        return 0; /* another office's, or not a set this scan can read: not in the caseload */
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->v = xrealloc(c->v, c->cap * sizeof *c->v);
    }
    struct cl_item *it = &c->v[c->n++];
    memset(it, 0, sizeof *it);
    str_cut(it->k.insurer_no, sizeof it->k.insurer_no, c->insurer);
    str_cut(it->k.insured_no, sizeof it->k.insured_no, insured_no);
    it->plan = xstrdup(body);
    return 0;
}

struct cl_insurers {
    char (*no)[INSURER_NO_LEN + 1];
    size_t n, cap;
};

static int cl_keep_insurer(void *ctx, const struct insurer *ins, long long persons)
{
    struct cl_insurers *l = ctx;
    (void)persons;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->no = xrealloc(l->no, l->cap * sizeof *l->no);
    }
    str_cut(l->no[l->n++], sizeof l->no[0], ins->insurer_no);
    return 0;
}

struct cl_pick {
    const char *want;   /* "M"+month for 補足; NULL: the latest 1表 up to 'until' */
    const char *until;  /* YYYYMMDD */
    char *body;
};

static int cl_pick_row(void *ctx, const char *kind, const char *rkey, const char *body)
{
    struct cl_pick *p = ctx;
    (void)kind;
    if (strcmp(body, "{\"deleted\":true}") == 0)
        return 0;
    bool take = p->want ? strcmp(rkey, p->want) == 0 : strcmp(rkey, p->until) <= 0; /* rkey order: the last wins */
    if (take) {
        free(p->body);
        p->body = xstrdup(body);
    }
    return 0;
}

enum disclose_status disclose_caseload(struct store *st, struct auditq *aq, const struct actor *actor,
                                       enum purpose purpose, const char *office_no, const char *month,
                                       const char *request_id, int64_t now, caseload_row_fn *fn, void *ctx,
                                       long long *shown, long long *denied)
{
    struct cl_collect c = {office_no, month, NULL, NULL, 0, 0};
    struct cl_insurers ins = {NULL, 0, 0};
    *shown = *denied = 0;
    enum disclose_status s = DISCLOSE_OK;
    if (st->ops->read_begin(st))
        return DISCLOSE_ERROR;
    if (st->ops->insurer_list(st, cl_keep_insurer, &ins))
        s = DISCLOSE_ERROR;
    for (size_t i = 0; i < ins.n && s == DISCLOSE_OK; i++) {
        c.insurer = ins.no[i];
        if (st->ops->record_scan_kind(st, ins.no[i], "cp.UPPLAN", month, cl_row, &c))
            s = DISCLOSE_ERROR;
    }
    if (st->ops->read_end(st))
        s = DISCLOSE_ERROR;
    struct person_key *persons = xcalloc(c.n ? c.n : 1, sizeof *persons);
    bool *ok = xcalloc(c.n ? c.n : 1, sizeof *ok);
    for (size_t i = 0; i < c.n; i++)
        persons[i] = c.v[i].k;
    /* every person decided and audited before anything is handed out */
    if (s == DISCLOSE_OK)
        s = disclose_persons(st, aq, actor, CAT_CAREPLAN, purpose, persons, c.n, request_id, now, ok);
    char want[8], until[9];
    snprintf(want, sizeof want, "M%.6s", month);
    snprintf(until, sizeof until, "%.6s31", month);
    if (s == DISCLOSE_OK && st->ops->read_begin(st))
        s = DISCLOSE_ERROR;
    else if (s == DISCLOSE_OK) {
        for (size_t i = 0; i < c.n && s == DISCLOSE_OK; i++) {
            if (!ok[i]) {
                ++*denied;
                continue;
            }
            struct cl_pick h = {want, NULL, NULL}, k1 = {NULL, until, NULL}, yb = {NULL, until, NULL};
            if (st->ops->record_list_kind(st, &persons[i], "cp.UPHOSOKU", cl_pick_row, &h) ||
                st->ops->record_list_kind(st, &persons[i], "cp.UP1KYO", cl_pick_row, &k1) ||
                st->ops->record_list_kind(st, &persons[i], "cp.UPYOBO", cl_pick_row, &yb))
                s = DISCLOSE_ERROR;
            else {
                struct cl_visits v;
                ++*shown;
                if (st->acc->visit_last(st, &persons[i], actor->org, &v.last_home, &v.video_after) ||
                    fn(ctx, &persons[i], c.v[i].plan, h.body, k1.body, yb.body, &v))
                    s = DISCLOSE_ERROR;
            }
            free(h.body);
            free(k1.body);
            free(yb.body);
        }
        if (st->ops->read_end(st))
            s = DISCLOSE_ERROR;
    }
    for (size_t i = 0; i < c.n; i++) {
        sodium_memzero(c.v[i].plan, strlen(c.v[i].plan));
        free(c.v[i].plan);
    }
    free(c.v);
    free(ins.no);
    free(persons);
    free(ok);
    return s;
}

enum disclose_status disclose_persons(struct store *st, struct auditq *aq, const struct actor *actor,
                                      enum category c, enum purpose purpose,
                                      const struct person_key *persons, size_t n,
                                      const char *request_id, int64_t now, bool *ok)
{
    if (n == 0)
        return DISCLOSE_OK;
    struct audit_entry *entries = xcalloc(n, sizeof *entries);
    enum disclose_status s = DISCLOSE_OK;
    if (st->ops->read_begin(st)) {
        free(entries);
        return DISCLOSE_ERROR;
    }
    for (size_t i = 0; i < n && s == DISCLOSE_OK; i++) {
        struct disclosure d = {0};
        d.rq.actor = *actor;
        d.rq.person = persons[i];
        d.rq.category = c;
        d.rq.purpose = purpose;
        d.request_id = request_id;
        d.time_ms = now;
        struct facts_buf fb;
        int ex = st->ops->person_exists(st, &persons[i]);
        if (ex < 0 || st->acc->facts_load(st, &persons[i], actor, needs(&d.rq), &fb)) {
            s = DISCLOSE_ERROR;
            break;
        }
        struct gate_facts facts = {ex == 1,         now,              lapse_months(),
                                   fb.consents,     fb.nconsents,     fb.withdrawals,
                                   fb.nwithdrawals, fb.rels,          fb.nrels,
                                   fb.proxies,      fb.nproxies,      fb.bgs,
                                   fb.nbgs,         fb.reqs,          fb.nreqs,
                                   false};
        int grc = gate_decide(&d.rq, &facts, &d.decision);
        facts_free(&fb);
        if (grc) {
            s = DISCLOSE_ERROR;
            break;
        }
        fill_entry(&d);
        entries[i] = d.entry;
        ok[i] = d.decision.outcome == OUTCOME_ALLOWED;
    }
    if (st->ops->read_end(st))
        s = DISCLOSE_ERROR;
    if (s == DISCLOSE_OK && wl_append_all(aq, entries, n))
        s = DISCLOSE_AUDIT_FAILED;
    if (s != DISCLOSE_OK)
        memset(ok, 0, n * sizeof *ok);
    free(entries);
    return s;
}

/* ---- the clerk's search ---------------------------------------------------------------------- */

struct found {
    struct insured ins;
};
struct search_scan {
    const struct search_query *q;
    const char *insurer_no;
    struct buf key; /* the query's kana_key */
    struct found *hits;
    size_t n;
    bool more, oom;
};

static int search_one(void *ctx, const char *no, const char *kind, const char *rkey, const char *body)
{
    (void)rkey;
    struct search_scan *x = ctx;
    if (strcmp(kind, "insured") != 0 || (x->q->insured_no[0] && strcmp(no, x->q->insured_no) != 0))
        return 0;
    struct insured ins;
    if (codec_decode_insured(body, &ins) || str_copy(ins.key.insured_no, sizeof ins.key.insured_no, no) ||
        str_copy(ins.key.insurer_no, sizeof ins.key.insurer_no, x->insurer_no))
        return 0;
    if (!date_is_none(x->q->birth) && date_cmp(ins.birth, x->q->birth) != 0)
        return 0;
    if (x->key.len) {
        struct buf k;
        buf_init(&k, sizeof ins.kana * 2);
        kana_key(ins.kana, strlen(ins.kana), &k);
        bool match = !buf_failed(&k) && k.len >= x->key.len && memcmp(k.ptr, x->key.ptr, x->key.len) == 0;
        buf_release(&k);
        if (!match)
            return 0;
    }
    if (x->n == SEARCH_MAX) {
        x->more = true;
        return 1; /* enough: stop the scan */
    }
    x->hits[x->n++].ins = ins;
    return 0;
}

enum disclose_status disclose_search(struct store *st, struct auditq *aq, const struct actor *actor,
                                     const char *insurer_no, const struct search_query *q, const char *request_id,
                                     int64_t now, search_hit_fn *fn, void *ctx, long long *shown, long long *denied,
                                     bool *more)
{
    *shown = *denied = 0;
    *more = false;
    struct search_scan x = {.q = q, .insurer_no = insurer_no};
    x.hits = xcalloc(SEARCH_MAX, sizeof *x.hits);
    buf_init(&x.key, sizeof q->kana * 2);
    kana_key(q->kana, strlen(q->kana), &x.key);
    enum disclose_status s = DISCLOSE_OK;
    if (buf_failed(&x.key) || st->ops->read_begin(st))
        s = DISCLOSE_ERROR;
    else {
        int rc = st->ops->record_scan_insurer(st, insurer_no, search_one, &x);
        if (st->ops->read_end(st) || (rc && !x.more))
            s = DISCLOSE_ERROR;
    }
    struct person_key keys[SEARCH_MAX];
    bool ok[SEARCH_MAX];
    for (size_t i = 0; i < x.n; i++)
        keys[i] = x.hits[i].ins.key;
    if (s == DISCLOSE_OK)
        s = disclose_persons(st, aq, actor, CAT_SHIKAKU, purpose_for_role(actor->role), keys, x.n, request_id, now, ok);
    for (size_t i = 0; s == DISCLOSE_OK && i < x.n; i++) {
        if (!ok[i]) {
            (*denied)++;
            continue;
        }
        const struct insured *in = &x.hits[i].ins;
        struct search_hit h = {in->key, in->name, in->kana, in->birth, (int)in->sex,
                               !date_is_none(in->lost) && date_cmp(in->lost, date_of_jst_ms(now)) <= 0};
        (*shown)++;
        if (fn(ctx, &h)) {
            s = DISCLOSE_ERROR;
            break;
        }
    }
    *more = x.more;
    sodium_memzero(x.hits, SEARCH_MAX * sizeof *x.hits);
    free(x.hits);
    buf_release(&x.key);
    return s;
}

/* ---- 二次利用: the pseudonymised export -------------------------------------------------------------- */

struct holders {
    char (*no)[INSURED_NO_LEN + 1];
    size_t n, cap;
};

static int holder(void *ctx, const char *no)
{
    struct holders *h = ctx;
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 64;
        h->no = xrealloc(h->no, h->cap * sizeof *h->no);
    }
    str_cut(h->no[h->n++], sizeof h->no[0], no);
    return 0;
}

struct export_person {
    struct date end;
    bool have;
    struct certification cert; /* in force on the month's end (card_cert_prefer) */
};

static int export_cert(void *ctx, const char *kind, const char *rkey, const char *body)
{
    (void)kind;
    (void)rkey;
    struct export_person *x = ctx;
    struct certification c;
    if (codec_decode_cert(body, &c) == 0 && card_cert_prefer(&c, x->have ? &x->cert : NULL, x->end)) {
        x->cert = c;
        x->have = true;
    }
    return 0;
}

/* export_one - the allowed person's row: read only now, after the gate and the durable entry */
static int export_one(struct store *st, const struct person_key *k, int ym, const unsigned char key[32],
                      struct export_row *row)
{
    memset(row, 0, sizeof *row);
    unsigned char h[16];
    crypto_generichash_state g;
    crypto_generichash_init(&g, key, 32, sizeof h);
    crypto_generichash_update(&g, (const unsigned char *)k->insurer_no, strlen(k->insurer_no));
    crypto_generichash_update(&g, (const unsigned char *)"/", 1);
    crypto_generichash_update(&g, (const unsigned char *)k->insured_no, strlen(k->insured_no));
    crypto_generichash_final(&g, h, sizeof h);
    sodium_bin2hex(row->pseudonym, sizeof row->pseudonym, h, sizeof h);
    struct export_person x;
    memset(&x, 0, sizeof x);
    x.end = date_month_end((struct date){ym / 100, ym % 100, 1});
    char *body = NULL;
    row->age_from = -1;
    if (st->ops->record_get_current(st, k, "insured", "", &body) == 0) {
        struct insured ins;
        if (codec_decode_insured(body, &ins) == 0 && date_valid(ins.birth)) {
            int age = date_age(ins.birth, x.end);
            row->age_from = age < 0 ? -1 : age / 5 * 5;
            row->sex = (int)ins.sex;
        }
        free(body);
        body = NULL;
    }
    if (st->ops->record_list_kind(st, k, "certification", export_cert, &x))
        return -1;
    row->level = x.have && level_certified(x.cert.level) ? x.cert.level : LEVEL_NONE;
    char month[8];
    snprintf(month, sizeof month, "%06d", ym);
    int rc = st->ops->record_get_current(st, k, "cp.UPPLAN", month, &body);
    if (rc == 0) {
        struct cp_filedata f;
        memset(&f, 0, sizeof f);
        f.layout = cp_layout(CP_UPPLAN);
        if (cps_decode(body, &f) == 0) {
            size_t n = 0;
            for (size_t i = 0; i < f.n; i++) {
                const struct cp_record *r = &f.r[i];
                if (r->nf <= 14 || strlen(r->f[14]) != 6) /* No.15 サービスコード */
                    continue;
                row->units += atoll(r->f[7]) * (atoll(r->f[13]) > 0 ? atoll(r->f[13]) : 1); /* No.8 単位数 × No.14 回数 */
                char type[3] = {r->f[14][0], r->f[14][1], 0};
                if (!strstr(row->services, type) && n + 4 < sizeof row->services) {
                    n += (size_t)snprintf(row->services + n, sizeof row->services - n, "%s%s", n ? ";" : "", type);
                }
            }
        }
        cpfile_free(&f);
        free(body);
    } else if (rc != STORE_NOTFOUND)
        return -1;
    return 0;
}

enum disclose_status disclose_export(struct store *st, struct auditq *aq, const struct actor *actor,
                                     const char *insurer_no, int ym, const unsigned char key[32],
                                     const char *request_id, int64_t now, export_row_fn *fn, void *ctx,
                                     long long *shown, long long *denied)
{
    *shown = *denied = 0;
    struct holders h = {0};
    if (st->acc->consent_holders(st, insurer_no, CAT_BIT(CAT_NIJI), holder, &h)) {
        free(h.no);
        return DISCLOSE_ERROR;
    }
    enum disclose_status s = DISCLOSE_OK;
    struct person_key keys[BATCH_CHUNK];
    bool ok[BATCH_CHUNK];
    for (size_t at = 0; at < h.n && s == DISCLOSE_OK; at += BATCH_CHUNK) {
        size_t n = h.n - at < BATCH_CHUNK ? h.n - at : BATCH_CHUNK;
        for (size_t i = 0; i < n; i++) {
            memset(&keys[i], 0, sizeof keys[i]);
            str_cut(keys[i].insurer_no, sizeof keys[i].insurer_no, insurer_no);
            str_cut(keys[i].insured_no, sizeof keys[i].insured_no, h.no[at + i]);
        }
        s = disclose_persons(st, aq, actor, CAT_NIJI, purpose_for_role(actor->role), keys, n, request_id, now, ok);
        if (s != DISCLOSE_OK)
            break;
        if (st->ops->read_begin(st)) {
            s = DISCLOSE_ERROR;
            break;
        }
        for (size_t i = 0; i < n && s == DISCLOSE_OK; i++) {
            if (!ok[i]) {
                (*denied)++;
                continue;
            }
            struct export_row row;
            if (export_one(st, &keys[i], ym, key, &row) || fn(ctx, &row))
                s = DISCLOSE_ERROR;
            else
                (*shown)++;
            sodium_memzero(&row, sizeof row);
        }
        if (st->ops->read_end(st))
            s = DISCLOSE_ERROR;
    }
    free(h.no);
    return s;
}
