/* certstore.c - writes of the certification workflow, documents, LIFE and ledger; see certstore.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"
#include "domain/card.h"
#include "domain/importspec.h"
#include "service/certstore.h"
#include "codec/codec.h"
#include "codec/docjson.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define KIND_APP "application"
#define KIND_CHOSA "chosa"
#define KIND_IKENSHO "ikensho"
#define KIND_LIFE "life"
#define KIND_LEDGER "ledger"

static int res(struct cs_result *r, enum cs_status s, const char *field, const char *msg)
{
    r->status = s;
    str_cut(r->field, sizeof r->field, field ? field : "");
    str_cut(r->msg, sizeof r->msg, msg ? msg : "");
    return s == CS_ERROR ? -1 : 0;
}

static int notfound(struct cs_result *r)
{
    return res(r, CS_NOTFOUND, "", "該当する情報が見つかりません");
}

static int dberr(struct cs_result *r)
{
    return res(r, CS_ERROR, "", "内部エラーが発生しました");
}

static bool may_step(const struct actor *a, const struct person_key *k)
{
    static const struct write_facts none = {false, "", false};
    return gate_may_write(a, k, WRITE_STEP, &none);
}

enum cs_step cs_step_from_code(const char *s)
{
    static const char *const codes[] = {"",         "survey",     "opinion-request",
                                        "primary",  "board",      "decision",
                                        "postpone", "shikakusha", "withdraw"};
    for (int i = STEP_ASSIGN_SURVEY; i <= STEP_WITHDRAW; i++)
        if (strcmp(s, codes[i]) == 0)
            return (enum cs_step)i;
    return 0;
}

/* put - one new version under a change naming the actor and the step. */
static int put(struct store *st, const struct actor *a, const struct person_key *k, const char *kind,
               const char *rkey, const char *body, const char *why)
{
    long long cid;
    int changed;
    char author[ACTOR_ID_BYTES + 8];
    str_cut(author, sizeof author, a->id);
    if (st->ops->change_begin(st, author, why, &cid))
        return -1;
    return st->ops->record_put(st, k, kind, rkey, body, cid, &changed);
}

/* ---- reading what a step builds on ----------------------------------------------- */

struct certs_ctx {
    struct certification c[CARD_MAX_RECORDS];
    size_t n;
    int bad;
};

static int cert_row(void *ctx, const char *kind, const char *rkey, const char *body)
{
    struct certs_ctx *c = ctx;
    (void)kind, (void)rkey;
    if (c->n >= CARD_MAX_RECORDS)
        return 0;
    if (codec_decode_cert(body, &c->c[c->n])) {
        c->bad = 1;
        return 1;
    }
    c->n++;
    return 0;
}

static int load_certs(struct store *st, const struct person_key *k, struct certs_ctx *c)
{
    c->n = 0;
    c->bad = 0;
    return st->ops->record_list_kind(st, k, "certification", cert_row, c) || c->bad ? -1 : 0;
}

/* cert_on - the certification in force on 'on' (the later start wins), else NULL. */
static const struct certification *cert_on(const struct certs_ctx *c, struct date on)
{
    const struct certification *best = NULL;
    for (size_t i = 0; i < c->n; i++)
        if (date_cmp(c->c[i].valid_from, on) <= 0 && date_cmp(on, c->c[i].valid_to) <= 0 &&
            level_certified(c->c[i].level) &&
            (!best || date_cmp(c->c[i].valid_from, best->valid_from) > 0))
            best = &c->c[i];
    return best;
}

struct apps_ctx {
    int n;
    bool pending;
    int bad;
};

static int app_row(void *ctx, const char *kind, const char *rkey, const char *body)
{
    struct apps_ctx *c = ctx;
    (void)kind, (void)rkey;
    struct application *a = xmalloc(sizeof *a);
    int rc = docjson_app(body, strlen(body), a);
    if (rc == 0 && app_pending(a))
        c->pending = true;
    free(a);
    if (rc) {
        c->bad = 1;
        return 1;
    }
    c->n++;
    return 0;
}

/* load_app - the current version of application id; STORE_NOTFOUND if none. */
static int load_app(struct store *st, const struct person_key *k, const char *id,
                    struct application *a)
{
    char *body = NULL;
    int rc = st->ops->record_get_current(st, k, KIND_APP, id, &body);
    if (rc)
        return rc;
    rc = docjson_app(body, strlen(body), a) ? -1 : 0;
    free(body);
    return rc;
}

static int save_app(struct store *st, const struct actor *a, const struct person_key *k,
                    const struct application *app, const char *why)
{
    char *body = docjson_app_encode(app);
    int rc = put(st, a, k, KIND_APP, app->id, body, why);
    free(body);
    return rc;
}

static int load_person(struct store *st, const struct person_key *k, struct insured *p)
{
    char *body = NULL;
    int rc = st->ops->record_get_current(st, k, "insured", "", &body);
    if (rc)
        return rc;
    memset(p, 0, sizeof *p);
    rc = codec_decode_insured(body, p) ? -1 : 0;
    free(body);
    return rc;
}

/* ---- 申請 -------------------------------------------------------------------- */

int cs_file(struct store *st, const struct actor *a, const struct person_key *k,
            const struct cs_filing *f, int64_t now, struct cs_result *r)
{
    memset(r, 0, sizeof *r);
    struct insured *p = xmalloc(sizeof *p);
    int rc = load_person(st, k, p);
    bool birth_ok = rc == 0 && date_cmp(p->birth, f->birth) == 0;
    free(p);
    if (rc < 0)
        return dberr(r);
    if (rc == STORE_NOTFOUND)
        return notfound(r);
    struct application app = {0};
    app.kind = f->kind;
    app.applied = f->applied;
    app.filer = f->filer;
    str_cut(app.filed_by, sizeof app.filed_by, a->id);
    /* 法 第27条 第1項: who may file (a wrong 生年月日 gets the not-found answer) */
    struct write_facts wf = {birth_ok, "", false};
    if (!gate_may_write(a, k, WRITE_APPLY, &wf))
        return notfound(r);
    if (a->role == ROLE_CAREMGR || a->role == ROLE_HOUKATSU) {
        app.filer = a->role == ROLE_CAREMGR ? FILER_KYOTAKU : FILER_HOUKATSU;
        str_cut(app.filer_org, sizeof app.filer_org, a->org);
    } else if (a->role == ROLE_PERSON)
        app.filer = FILER_PERSON;
    else if (app.filer == FILER_KYOTAKU || app.filer == FILER_HOUKATSU)
        return res(r, CS_INVALID, "filer", "事業所による代理申請は事業所のアカウントから行ってください");

    struct certs_ctx *cc = xmalloc(sizeof *cc);
    struct apps_ctx ac = {0};
    if (load_certs(st, k, cc) ||
        st->ops->record_list_kind(st, k, KIND_APP, app_row, &ac) || ac.bad) {
        free(cc);
        return dberr(r);
    }
    struct prior_cert prior = {0};
    const struct certification *c = date_valid(f->applied) ? cert_on(cc, f->applied) : NULL;
    if (!c) /* none in force: the latest that ends on or after the application (a renewal) */
        for (size_t i = 0; i < cc->n; i++)
            if (level_certified(cc->c[i].level) && date_cmp(cc->c[i].valid_to, f->applied) >= 0 &&
                (!c || date_cmp(cc->c[i].valid_to, c->valid_to) > 0))
                c = &cc->c[i];
    if (c)
        prior = (struct prior_cert){true, c->level, c->valid_from, c->valid_to};
    free(cc);
    const char *why;
    if (app_file(&app, &prior, ac.pending, &why))
        return res(r, ac.pending ? CS_CONFLICT : CS_INVALID, "kind", why);
    char ymd[11];
    date_iso(app.applied, ymd);
    snprintf(app.id, sizeof app.id, "A%.4s%.2s%.2s-%d", ymd, ymd + 5, ymd + 8, ac.n + 1);
    if (f->consent_cats) { /* 包括同意 collected with the application (platform.md §2) */
        struct consent cn = {0};
        cn.kind = app.filer_org[0] ? CONSENT_ON_BEHALF : CONSENT_MUNICIPAL;
        cn.cats = f->consent_cats;
        cn.valid_from = now;
        cn.recorded_ms = now;
        if (st->acc->consent_add(st, k, &cn, app.filer_org[0] ? app.filer_org : k->insurer_no,
                                 a->id, &app.consent_id))
            return dberr(r);
    }
    if (save_app(st, a, k, &app, "認定申請の受付"))
        return dberr(r);
    str_cut(r->id, sizeof r->id, app.id);
    r->stage = app_stage(&app);
    snprintf(r->msg, sizeof r->msg, "%s申請を受け付けました(決定期限 %04d-%02d-%02d)", cert_kind_name(app.kind),
             cert_decision_due(app.applied).y, cert_decision_due(app.applied).m,
             cert_decision_due(app.applied).d);
    return 0;
}

/* ---- steps -------------------------------------------------------------------- */

static const char *const step_names[] = {"",         "認定調査員の割当",  "主治医意見書の作成依頼",
                                         "一次判定", "介護認定審査会の判定", "認定の決定",
                                         "延期通知", "資格者証の交付",     "申請の取下げ"};

int cs_step(struct store *st, const struct actor *a, const struct person_key *k, const char *app_id,
            enum cs_step step, const struct cs_step_args *x, int64_t now, struct cs_result *r)
{
    memset(r, 0, sizeof *r);
    if (!may_step(a, k) || step < STEP_ASSIGN_SURVEY || step > STEP_WITHDRAW)
        return notfound(r);
    struct application *app = xmalloc(sizeof *app);
    int rc = load_app(st, k, app_id, app);
    if (rc) {
        free(app);
        return rc < 0 ? dberr(r) : notfound(r);
    }
    const char *why = NULL;
    struct certification cert;
    struct org org;
    switch (step) {
    case STEP_ASSIGN_SURVEY:
        rc = app_assign_survey(app, x->who, x->on, x->planned, &why) ? 1 : 0;
        break;
    case STEP_REQUEST_OPINION:
        rc = st->acc->org_get(st, x->who, &org);
        if (rc < 0)
            break;
        if (rc == STORE_NOTFOUND || org.kind != ORG_MEDICAL) {
            rc = 1;
            why = "依頼先(organisation)は登録済みの医療機関のIDで指定してください";
            break;
        }
        rc = app_request_opinion(app, x->who, x->on, &why) ? 1 : 0;
        if (rc == 0) { /* 法 第27条 第3項: the request opens the institution's access */
            int64_t rid;
            rc = st->acc->request_add(st, k, x->who, now, a->id, app->id, &rid);
        }
        break;
    case STEP_PRIMARY:
        rc = app_primary(app, x->on, x->level, x->minutes_x10, &why) ? 1 : 0;
        break;
    case STEP_BOARD:
        rc = app_board(app, x->on, x->level, x->months, x->opinion, x->services, x->reason, &why) ? 1 : 0;
        break;
    case STEP_DECIDE:
        rc = app_decide(app, x->on, &cert, &why) ? 1 : 0;
        if (rc == 0) { /* 法 第27条 第7項: the card's panel (二) */
            struct import_row row;
            memset(&row, 0, sizeof row);
            row.kind = IMPORT_CERT;
            row.key = *k;
            row.u.cert = cert;
            date_iso(cert.valid_from, row.rkey);
            char *body = codec_encode_row(&row);
            rc = put(st, a, k, "certification", row.rkey, body, "認定の決定");
            free(body);
            if (rc == 0 && app->opinion_org[0]) {
                int crc = st->acc->request_close(st, k, app->opinion_org, now);
                rc = crc == STORE_NOTFOUND ? 0 : crc;
            }
        }
        break;
    case STEP_POSTPONE:
        rc = app_postpone(app, x->on, x->expected, x->reason, &why) ? 1 : 0;
        break;
    case STEP_SHIKAKUSHA:
        rc = app_issue_shikakusha(app, x->on, &why) ? 1 : 0;
        break;
    case STEP_WITHDRAW:
        rc = app_withdraw(app, x->on, &why) ? 1 : 0;
        break;
    }
    if (rc < 0) {
        free(app);
        return dberr(r);
    }
    if (rc) {
        free(app);
        return res(r, CS_INVALID, "", why);
    }
    rc = save_app(st, a, k, app, step_names[step]);
    str_cut(r->id, sizeof r->id, app->id);
    r->stage = app_stage(app);
    snprintf(r->msg, sizeof r->msg, "%sを記録しました(状態: %s)", step_names[step],
             app_stage_name(r->stage));
    free(app);
    return rc ? dberr(r) : 0;
}

/* ---- documents -------------------------------------------------------------------- */

/* put_document - the document (already checked) and the application's new
 * version together; *r names the application and its stage. */
static int put_document(struct store *st, const struct actor *a, const struct person_key *k,
                        const struct application *app, const char *kind, char *body,
                        const char *why_doc, const char *why_app, struct cs_result *r)
{
    int rc = put(st, a, k, kind, app->id, body, why_doc) || save_app(st, a, k, app, why_app);
    free(body);
    str_cut(r->id, sizeof r->id, app->id);
    r->stage = app_stage(app);
    return rc;
}

int cs_chosa_put(struct store *st, const struct actor *a, const struct person_key *k,
                 const char *app_id, const struct chosa *c, int64_t now, struct cs_result *r)
{
    (void)now;
    memset(r, 0, sizeof *r);
    if (!may_step(a, k))
        return notfound(r);
    struct application *app = xmalloc(sizeof *app);
    int rc = load_app(st, k, app_id, app);
    struct doc_error e;
    const char *why;
    if (rc)
        rc = rc < 0 ? dberr(r) : notfound(r);
    else if (chosa_check(c, &e))
        res(r, CS_INVALID, e.field, e.msg);
    else if (app_survey_done(app, c->surveyed, &why))
        res(r, CS_INVALID, "surveyed", why);
    else if (put_document(st, a, k, app, KIND_CHOSA, docjson_chosa_encode(c), "認定調査票の記録",
                          "認定調査の完了", r))
        rc = dberr(r);
    else
        snprintf(r->msg, sizeof r->msg, "認定調査票(%u項目)を記録しました", chosa_item_count(c->surveyed));
    free(app);
    return rc;
}

int cs_ikensho_put(struct store *st, const struct actor *a, const struct person_key *k,
                   const char *app_id, const struct ikensho *o, int64_t now, struct cs_result *r)
{
    memset(r, 0, sizeof *r);
    struct application *app = xmalloc(sizeof *app);
    struct insured *p = xmalloc(sizeof *p);
    int rc = load_app(st, k, app_id, app);
    struct write_facts wf = {false, rc == 0 ? app->opinion_org : "", rc == 0 && app_pending(app)};
    int prc = rc == 0 ? load_person(st, k, p) : 0;
    /* 法 第7条 第3項・第9条: 第2号 = 40–64 on the application date */
    int age = rc == 0 && prc == 0 ? date_age(p->birth, app->applied) : 0;
    struct doc_error e;
    const char *why;
    if (rc || !gate_may_write(a, k, WRITE_OPINION, &wf))
        rc = rc < 0 ? dberr(r) : notfound(r);
    else if (prc)
        rc = dberr(r);
    else if (ikensho_check(o, age >= 40 && age < 65, &e))
        res(r, CS_INVALID, e.field, e.msg);
    else if (app_opinion_received(app, o->written, &why))
        res(r, CS_INVALID, "written", why);
    else if (put_document(st, a, k, app, KIND_IKENSHO, docjson_ikensho_encode(o), "主治医意見書の記録",
                          "主治医意見書の受理", r) ||
             st->acc->request_answered(st, k, app_id, app->opinion_org, now)) /* the institution's inbox */
        rc = dberr(r);
    else
        snprintf(r->msg, sizeof r->msg, "主治医意見書(%s年様式)を記録しました%s", ikensho_form(o->written),
                 ikensho_withheld_from_care(o)
                     ? "。医師が「同意しない」としたため、ケアマネジャー・事業所には表示されません"
                     : "");
    free(p);
    free(app);
    return rc;
}

int cs_life_put(struct store *st, const struct actor *a, const struct person_key *k,
                const struct life_feedback *f, int64_t now, struct cs_result *r)
{
    (void)now;
    memset(r, 0, sizeof *r);
    if (!may_step(a, k))
        return notfound(r);
    int ex = st->ops->person_exists(st, k);
    if (ex < 0)
        return dberr(r);
    if (ex == 0)
        return notfound(r);
    struct doc_error e;
    if (life_check(f, &e))
        return res(r, CS_INVALID, e.field, e.msg);
    char rkey[PROVIDER_NO_LEN + 12], iso[11];
    date_iso(f->evaluated, iso);
    snprintf(rkey, sizeof rkey, "%s:%s", f->provider_no, iso);
    char *body = docjson_life_encode(f);
    int rc = put(st, a, k, KIND_LIFE, rkey, body, "LIFEフィードバックの取込み");
    free(body);
    snprintf(r->id, sizeof r->id, "%.23s", rkey);
    return rc ? dberr(r) : 0;
}

struct claims_ctx {
    struct ledger_claim *c;
    size_t n;
    int bad;
};

static int claim_row(void *ctx, const char *kind, const char *rkey, const char *body)
{
    struct claims_ctx *c = ctx;
    (void)kind, (void)rkey;
    if (c->n >= LEDGER_MAX_CLAIMS)
        return 0;
    if (docjson_claim(body, strlen(body), &c->c[c->n], NULL)) {
        c->bad = 1;
        return 1;
    }
    c->n++;
    return 0;
}

int cs_claim_add(struct store *st, const struct actor *a, const struct person_key *k,
                 struct ledger_claim *c, int64_t now, struct cs_result *r)
{
    (void)now;
    memset(r, 0, sizeof *r);
    if (!may_step(a, k))
        return notfound(r);
    int ex = st->ops->person_exists(st, k);
    if (ex <= 0)
        return ex < 0 ? dberr(r) : notfound(r);
    struct certs_ctx *cc = xmalloc(sizeof *cc);
    struct claims_ctx cl = {xcalloc(LEDGER_MAX_CLAIMS, sizeof *cl.c), 0, 0};
    int rc = -1;
    if (load_certs(st, k, cc) ||
        st->ops->record_list_kind(st, k, KIND_LEDGER, claim_row, &cl) || cl.bad) {
        dberr(r);
        goto out;
    }
    const struct certification *on = date_valid(c->date) ? cert_on(cc, c->date) : NULL;
    if (date_valid(c->date) && !on) {
        res(r, CS_INVALID, "date", "その日に有効な要支援・要介護認定がありません(住宅改修・福祉用具購入は認定のある方が対象です)");
        rc = 0;
        goto out;
    }
    c->level = on ? on->level : LEVEL_NONE;
    const char *why;
    if (ledger_accept(cl.c, cl.n, c, r->note, &why)) {
        res(r, CS_INVALID, "", why);
        rc = 0;
        goto out;
    }
    char iso[11];
    date_iso(c->date, iso);
    snprintf(c->id, sizeof c->id, "%s:%s:%03zu", ledger_kind_code(c->kind), iso, cl.n + 1);
    char *body = docjson_claim_encode(c);
    rc = put(st, a, k, KIND_LEDGER, c->id, body, c->kind == LEDGER_JUTAKU ? "住宅改修費の記録" : "福祉用具購入費の記録");
    free(body);
    if (rc) {
        dberr(r);
        goto out;
    }
    str_cut(r->id, sizeof r->id, c->id);
    r->accepted = c->accepted;
    snprintf(r->msg, sizeof r->msg, "%.600s", r->note);
out:
    free(cc);
    free(cl.c);
    return rc;
}
