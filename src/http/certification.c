/*
 * certification.c - 要介護認定: filing an application, its steps and documents, and
 * 住宅改修・福祉用具 ledger claims. Writes only; reads go through documents.c.
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

#include "util/text.h"
#include "domain/auth.h"
#include "domain/wareki.h"
#include "codec/cardjson.h"
#include "http/docview.h"
#include "http/internal.h"
#include "http/limits.h"
#include "audit/auditq.h"
#include "service/certstore.h"
#include "service/cpstore.h"
#include "codec/docjson.h"
#include "store/keyfile.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

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


/* withdrawals_note - the person's withdrawals naming an organisation, shown to the clerk
 * who records an application's 包括同意: they hold against it (RULE-GATE-010). They are the
 * person's grants, so they pass the gate as a read of アクセス記録 and are audited first; NULL
 * if there are none or the caller may not see them. Run before the write transaction. */
static json_t *withdrawals_note(struct req *r, struct store *st, const struct person_key *k)
{
    struct actor a;
    bool ok = false;
    principal_actor(&r->who, k, &a);
    if (disclose_persons(st, srv_auditq, &a, CAT_ACCESSLOG, purpose_for_role(a.role), k, 1, r->request_id,
                         clock_now_ms(), &ok) != DISCLOSE_OK || !ok)
        return NULL;
    struct facts_buf fb;
    if (st->acc->facts_load(st, k, &a, NEED_CONSENT, &fb))
        return NULL;
    json_t *arr = json_array();
    for (size_t i = 0; i < fb.nwithdrawals; i++) {
        const struct withdrawal *w = &fb.withdrawals[i];
        if (!w->grantee[0])
            continue;
        json_t *cats = json_array();
        for (int c = CAT_NONE + 1; c < CAT_COUNT; c++)
            if (w->cats & CAT_BIT(c))
                json_array_append_new(cats, json_string(category_code((enum category)c)));
        json_array_append_new(arr, json_pack("{s:s,s:o}", "grantee", w->grantee, "categories", cats));
    }
    facts_free(&fb);
    if (json_array_size(arr) == 0) {
        json_decref(arr);
        return NULL;
    }
    return json_pack("{s:o,s:s}", "withdrawals_in_force", arr, "withdrawals_notice",
                     "この方は次の事業所への同意を撤回しています。申請時の包括同意があっても、"
                     "本人が再び同意するまで撤回が優先されます");
}

int h_app_file(struct req *r)
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
    struct store *st = store_or_503(r);
    json_t *note = st ? withdrawals_note(r, st, &k) : NULL;
    struct actor a;
    if (!st || !(st = begin_write(r, &k, &a))) {
        json_decref(note);
        return 0;
    }
    struct cs_result res;
    int rc = cs_file(st, &a, &k, &f, clock_now_ms(), &res);
    return cs_respond(r, st, rc, &res, note);
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
    str_cut(x->who, sizeof x->who, who[0] ? who : org);
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

int h_app_step(struct req *r)
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

int h_claim(struct req *r)
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
