/*
 * page_clinic.c - the doctor's pages (issue #18 §3): the 意見書作成依頼 inbox of this 医療機関 (only
 * requests the insurer sent to it, with their state: 未着手 / 下書きあり / 提出済 / 依頼終了) and the
 * 主治医意見書 form of the date in force (記入日 from 2026-04-01: the form without 「介護サービス計画作成等
 * への利用についての同意」; before it, the older one with it: ikensho_form), with 下書き保存, 確認 (every check
 * of a submission, nothing stored) and 提出 (cs_ikensho_put, the same as the API).
 *
 * SECURITY: a person's name and details reach the page only through the gate: the card (資格) is
 * disclosed per open request (allowed by the request, 介護保険法 第27条 第3項; audited, so the person
 * sees the institution in だれが見たか); a closed request shows its numbers only. The draft is read
 * only after that disclosure was allowed. The form is untrusted: it becomes the API's JSON and is
 * parsed by docjson_ikensho, the one parser of an opinion. POSTs are same-origin with CSRF.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/page.h"
#include "domain/certdocs.h"
#include "domain/wareki.h"
#include "service/certstore.h"
#include "codec/docjson.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct reqs {
    struct org_request *v;
    size_t n;
};

static int keep_req(void *c, const struct org_request *x)
{
    struct reqs *l = c;
    l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = *x;
    return 0;
}

/* clinic_actor - a 医療機関's staff session; -1 after answering */
static int clinic_actor(struct req *r, struct store **st, struct actor *a)
{
    if (!(*st = store_or_503(r)))
        return -1;
    principal_actor(&r->who, NULL, a);
    if (a->role != ROLE_CLINICIAN || !r->who.acct.staff)
        return http_error(r, 403, "forbidden", "意見書作成依頼は医療機関の職員のIDで見ます"), -1;
    return 0;
}

static enum disclose_status card_of(struct req *r, struct store *st, const struct actor *a,
                                    const struct person_key *k, struct card *out)
{
    struct disclosure d;
    memset(&d, 0, sizeof d);
    d.rq.actor = *a;
    d.rq.person = *k;
    d.rq.category = CAT_SHIKAKU;
    d.rq.purpose = purpose_for_role(a->role);
    d.request_id = r->request_id;
    d.time_ms = clock_now_ms();
    d.what = WHAT_CARD;
    d.on = date_today();
    d.card = out;
    return disclose(st, srv_auditq, &d);
}

static void state_badge(struct buf *h, const struct org_request *x)
{
    html_raw(h, x->closed_ms       ? "<span class=\"badge ok\">依頼終了</span>"
                : x->answered_ms ? "<span class=\"badge ok\">提出済</span>"
                : x->draft       ? "<span class=\"badge warn\">下書きあり</span>"
                                 : "<span class=\"badge warn\">未着手</span>");
}

/* GET /clinic/requests */
int p_clinic_requests(struct req *r)
{
    struct store *st;
    struct actor a;
    if (clinic_actor(r, &st, &a))
        return 0;
    struct reqs l = {NULL, 0};
    if (st->acc->org_requests(st, a.org, keep_req, &l)) {
        free(l.v);
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    }
    struct buf h;
    page_start(r, &h, "意見書作成依頼");
    html_raw(&h, "<h1>主治医意見書の作成依頼</h1><p>市町村からこの医療機関あてに届いた、主治医意見書の作成依頼です"
                 "(介護保険法第27条第3項)。依頼が開いている間だけ、その方の被保険者証の情報を見られます。"
                 "この一覧を開いたことも、一人ずつ本人の「だれが見たか」に記録されます。</p>");
    const char *sub = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "submitted");
    if (sub && !strcmp(sub, "1"))
        html_raw(&h, "<div class=\"alert ok\" role=\"status\"><p>主治医意見書を提出しました。市町村に記録されました。</p></div>");
    size_t open = 0;
    for (size_t i = 0; i < l.n; i++)
        open += !l.v[i].closed_ms && !l.v[i].answered_ms;
    html_markupf(&h, "<p role=\"status\">未提出 %zu 件(全 %zu 件)</p>", open, l.n);
    if (l.n) {
        html_raw(&h, "<table id=\"requests\" class=\"stack\"><thead><tr><th scope=\"col\">氏名・被保険者番号</th>"
                     "<th scope=\"col\">依頼日</th><th scope=\"col\">状態</th><th scope=\"col\">意見書</th></tr></thead><tbody>");
        struct card *c = xmalloc(sizeof *c);
        for (size_t i = 0; i < l.n; i++) {
            const struct org_request *x = &l.v[i];
            bool shown = !x->closed_ms && card_of(r, st, &a, &x->person, c) == DISCLOSE_OK;
            html_raw(&h, "<tr><th scope=\"row\">");
            if (shown) {
                html_text(&h, c->person.name);
                html_raw(&h, "<br>");
            }
            html_text(&h, x->person.insurer_no);
            html_raw(&h, " ");
            html_text(&h, x->person.insured_no);
            html_raw(&h, "</th><td data-label=\"依頼日\">");
            h_date_ms(&h, x->opened_ms, false);
            html_raw(&h, "</td><td data-label=\"状態\">");
            state_badge(&h, x);
            html_raw(&h, "</td><td data-label=\"意見書\">");
            if (shown && x->app_id[0] && !x->answered_ms) {
                html_raw(&h, "<a href=\"/clinic/requests/");
                html_text(&h, x->person.insurer_no);
                html_raw(&h, "/");
                html_text(&h, x->person.insured_no);
                html_raw(&h, "/");
                html_text(&h, x->app_id);
                html_raw(&h, x->draft ? "\">下書きを開く</a>" : "\">意見書を書く</a>");
            } else
                html_raw(&h, "―");
            html_raw(&h, "</td></tr>");
        }
        sodium_memzero(c, sizeof *c);
        free(c);
        html_raw(&h, "</tbody></table>");
    } else
        html_raw(&h, "<p>作成依頼はまだありません。</p>");
    free(l.v);
    return page_send(r, &h, 200);
}

/* ---- the form ------------------------------------------------------------------------ */

struct opinion_page {
    struct person_key k;
    char app_id[24];
    struct actor a;
    struct org_request req;
    struct card card;
    json_t *v; /* the values shown: a draft, the form as posted, or defaults */
};

/* op_load - the request (open, to this institution, for this application) and the person's card
 * through the gate. -1 after answering. */
static int op_load(struct req *r, struct store **st, struct opinion_page *p)
{
    if (clinic_actor(r, st, &p->a) || person_param(r, &p->k))
        return -1;
    if (r->params[2].len == 0 || r->params[2].len >= sizeof p->app_id)
        return page_error(r, 404, "見つかりません", "該当する作成依頼がありません。"), -1;
    snprintf(p->app_id, sizeof p->app_id, "%.*s", (int)r->params[2].len, r->params[2].ptr);
    struct reqs l = {NULL, 0};
    if ((*st)->acc->org_requests(*st, p->a.org, keep_req, &l))
        return free(l.v), http_error(r, 500, "internal", "内部エラーが発生しました"), -1;
    bool found = false;
    for (size_t i = 0; i < l.n && !found; i++)
        if (!strcmp(l.v[i].person.insurer_no, p->k.insurer_no) && !strcmp(l.v[i].person.insured_no, p->k.insured_no) &&
            !strcmp(l.v[i].app_id, p->app_id) && !l.v[i].closed_ms)
            p->req = l.v[i], found = true;
    free(l.v);
    if (!found)
        return page_error(r, 404, "見つかりません", "該当する作成依頼がありません(依頼が終わったか、この医療機関あてではありません)。"), -1;
    enum disclose_status s = card_of(r, *st, &p->a, &p->k, &p->card);
    if (s == DISCLOSE_AUDIT_FAILED)
        return page_error(r, 503, "表示できません", "アクセス記録を保存できないため、情報を表示できません。"), -1;
    if (s != DISCLOSE_OK)
        return page_error(r, 404, "見つかりません", "該当する作成依頼がありません。"), -1;
    return 0;
}

static const char *val(json_t *v, const char *key)
{
    const char *s = json_string_value(json_object_get(v, key));
    return s ? s : "";
}

static void text_input(struct buf *h, json_t *v, const char *key, const char *label, const char *type)
{
    html_raw(h, "<div><label for=\"f-");
    html_text(h, key);
    html_raw(h, "\">");
    html_text(h, label);
    html_raw(h, "</label><input type=\"");
    html_text(h, type);
    html_raw(h, "\" id=\"f-");
    html_text(h, key);
    html_raw(h, "\" name=\"");
    html_text(h, key);
    html_raw(h, "\" value=\"");
    html_text(h, val(v, key));
    html_raw(h, "\"></div>");
}

static void area(struct buf *h, json_t *v, const char *key, const char *label)
{
    html_raw(h, "<div><label for=\"f-");
    html_text(h, key);
    html_raw(h, "\">");
    html_text(h, label);
    html_raw(h, "</label><textarea id=\"f-");
    html_text(h, key);
    html_raw(h, "\" name=\"");
    html_text(h, key);
    html_raw(h, "\" rows=\"3\">");
    html_text(h, val(v, key));
    html_raw(h, "</textarea></div>");
}

static void choice(struct buf *h, json_t *v, const char *key, const char *label, const char *const *opts, size_t n)
{
    html_raw(h, "<div><label for=\"f-");
    html_text(h, key);
    html_raw(h, "\">");
    html_text(h, label);
    html_raw(h, "</label><select id=\"f-");
    html_text(h, key);
    html_raw(h, "\" name=\"");
    html_text(h, key);
    html_raw(h, "\"><option value=\"\">(選択してください)</option>");
    for (size_t i = 0; i < n; i++) {
        html_raw(h, "<option");
        html_raw(h, !strcmp(val(v, key), opts[i]) ? " selected>" : ">");
        html_text(h, opts[i]);
        html_raw(h, "</option>");
    }
    html_raw(h, "</select></div>");
}

static void radios(struct buf *h, json_t *v, const char *key, const char *legend, const char *const *values,
                   const char *const *labels, size_t n)
{
    html_raw(h, "<fieldset><legend>");
    html_text(h, legend);
    html_raw(h, "</legend>");
    for (size_t i = 0; i < n; i++) {
        html_markupf(h, "<div class=\"check\"><input type=\"radio\" id=\"f-%s-%zu\" name=\"%s\" value=\"", key, i, key);
        html_text(h, values[i]);
        html_raw(h, !strcmp(val(v, key), values[i]) ? "\" checked>" : "\">");
        html_markupf(h, "<label for=\"f-%s-%zu\">", key, i);
        html_text(h, labels[i]);
        html_raw(h, "</label></div>");
    }
    html_raw(h, "</fieldset>");
}

static const char *const form_keys[] = {
    "written", "doctor", "institution_no", "last_exam", "times", "other_depts", "other_depts_text", "consent",
    "d0_name", "d0_onset", "d1_name", "d1_onset", "d2_name", "d2_onset", "tokutei", "stability", "course",
    "special_medical", "netakiri", "ninchi", "state", "services", "notes"};

/* posted_values - the form's fields as they were typed (strings), kept for a draft and re-shown */
static json_t *posted_values(struct req *r)
{
    json_t *v = json_object();
    for (size_t i = 0; i < ARRAY_LEN(form_keys); i++)
        json_object_set_new(v, form_keys[i], json_string(form_str(r, form_keys[i])));
    return v;
}

/* to_api - the typed values as the API's opinion JSON (docs/certification.md §3), for docjson_ikensho */
static char *to_api(json_t *v, struct date written)
{
    json_t *o = json_object();
    static const char *const plain[] = {"written", "doctor", "institution_no", "last_exam", "other_depts_text",
                                        "tokutei", "stability", "course", "special_medical", "netakiri",
                                        "ninchi", "state", "services", "notes"};
    for (size_t i = 0; i < ARRAY_LEN(plain); i++)
        if (*val(v, plain[i]))
            json_object_set_new(o, plain[i], json_string(val(v, plain[i])));
    if (*val(v, "times"))
        json_object_set_new(o, "times", json_integer(strtol(val(v, "times"), NULL, 10)));
    if (*val(v, "other_depts"))
        json_object_set_new(o, "other_depts", json_boolean(!strcmp(val(v, "other_depts"), "true")));
    if (ikensho_has_consent_field(written) && *val(v, "consent"))
        json_object_set_new(o, "consent", json_string(val(v, "consent")));
    json_t *dg = json_array();
    for (int i = 0; i < 3; i++) {
        char kn[16], ko[16];
        snprintf(kn, sizeof kn, "d%d_name", i);
        snprintf(ko, sizeof ko, "d%d_onset", i);
        if (!*val(v, kn))
            continue;
        json_t *d = json_pack("{s:s}", "name", val(v, kn));
        if (*val(v, ko))
            json_object_set_new(d, "onset", json_string(val(v, ko)));
        json_array_append_new(dg, d);
    }
    json_object_set_new(o, "diagnoses", dg);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

static struct date written_of(json_t *v)
{
    struct date d;
    const char *why, *w = val(v, "written");
    return *w && date_parse_iso(w, strlen(w), &d, &why) == 0 ? d : date_today();
}

static int opinion_page(struct req *r, struct opinion_page *p, const char *notice, const char *error,
                        const char *field, unsigned status)
{
    struct buf h;
    page_start(r, &h, "主治医意見書");
    struct date written = written_of(p->v);
    bool consent = ikensho_has_consent_field(written);
    html_raw(&h, "<h1>主治医意見書</h1><dl class=\"items\"><dt>申請者</dt><dd>");
    html_text(&h, p->card.person.name);
    html_raw(&h, "(");
    html_text(&h, p->card.person.kana);
    html_raw(&h, ")</dd><dt>被保険者番号</dt><dd>");
    html_text(&h, p->k.insurer_no);
    html_raw(&h, " ");
    html_text(&h, p->k.insured_no);
    html_raw(&h, "</dd><dt>生年月日</dt><dd>");
    char iso[11];
    date_iso(p->card.person.birth, iso);
    h_date(&h, iso);
    html_raw(&h, "</dd><dt>作成依頼日</dt><dd>");
    h_date_ms(&h, p->req.opened_ms, false);
    html_raw(&h, "</dd><dt>様式</dt><dd>");
    html_raw(&h, consent ? "令和8年3月31日までの様式(「介護サービス計画作成等への利用についての同意」欄あり)"
                         : "令和8年4月1日からの様式(同意欄なし。情報の共有は本人の同意によります)");
    html_raw(&h, "</dd></dl>");
    char msg[DOC_ERR_MSG_BYTES + DOC_ERR_FIELD_BYTES + 32];
    if (error && field && *field)
        snprintf(msg, sizeof msg, "%s(項目: %s)", error, field);
    page_alerts(&h, notice, error && field && *field ? msg : error);
    html_raw(&h, "<form method=\"post\" class=\"stack opinion\" action=\"/clinic/requests/");
    html_text(&h, p->k.insurer_no);
    html_raw(&h, "/");
    html_text(&h, p->k.insured_no);
    html_raw(&h, "/");
    html_text(&h, p->app_id);
    html_raw(&h, "\">");
    page_csrf_field(r, &h);
    text_input(&h, p->v, "written", "記入日(この日で様式が決まります)", "date");
    text_input(&h, p->v, "doctor", "医師氏名", "text");
    text_input(&h, p->v, "institution_no", "医療機関コード(10桁)", "text");
    text_input(&h, p->v, "last_exam", "最終診察日", "date");
    static const char *const tv[] = {"1", "2"}, *const tl[] = {"初回", "2回目以上"};
    radios(&h, p->v, "times", "意見書作成回数", tv, tl, 2);
    static const char *const ov[] = {"true", "false"}, *const ol[] = {"有", "無"};
    radios(&h, p->v, "other_depts", "他科受診の有無", ov, ol, 2);
    text_input(&h, p->v, "other_depts_text", "他科の名称", "text");
    if (consent) {
        static const char *const cv[] = {"同意する", "同意しない"};
        radios(&h, p->v, "consent", "介護サービス計画作成等への利用についての同意", cv, cv, 2);
    }
    html_raw(&h, "<h2>1. 傷病に関する意見</h2>");
    for (int i = 0; i < 3; i++) {
        char kn[16], ko[16], ln[48], lo[48];
        snprintf(kn, sizeof kn, "d%d_name", i);
        snprintf(ko, sizeof ko, "d%d_onset", i);
        snprintf(ln, sizeof ln, "診断名 %d", i + 1);
        snprintf(lo, sizeof lo, "診断名 %d の発症年月日", i + 1);
        text_input(&h, p->v, kn, ln, "text");
        text_input(&h, p->v, ko, lo, "date");
    }
    html_raw(&h, "<div><label for=\"f-tokutei\">特定疾病(第2号被保険者のみ)</label><select id=\"f-tokutei\" name=\"tokutei\">"
                 "<option value=\"\">(該当なし)</option>");
    for (int c = 1; c <= 16; c++) {
        char code[4];
        snprintf(code, sizeof code, "%d", c);
        const char *name = tokutei_name(code, written);
        if (!name)
            continue;
        html_markupf(&h, "<option value=\"%d\"%s>", c, !strcmp(val(p->v, "tokutei"), code) ? " selected" : "");
        html_textf(&h, "%d ", c);
        html_text(&h, name);
        html_raw(&h, "</option>");
    }
    html_raw(&h, "</select></div>");
    static const char *const stab[] = {"安定", "不安定", "不明"};
    choice(&h, p->v, "stability", "症状としての安定性", stab, 3);
    area(&h, p->v, "course", "経過及び治療内容");
    html_raw(&h, "<h2>2. 特別な医療</h2>");
    area(&h, p->v, "special_medical", "特別な医療(過去14日間以内に受けたもの)");
    html_raw(&h, "<h2>3. 心身の状態に関する意見</h2>");
    static const char *const ne[] = {"自立", "J1", "J2", "A1", "A2", "B1", "B2", "C1", "C2"};
    choice(&h, p->v, "netakiri", "障害高齢者の日常生活自立度(寝たきり度)", ne, ARRAY_LEN(ne));
    static const char *const ni[] = {"自立", "I", "IIa", "IIb", "IIIa", "IIIb", "IV", "M"};
    choice(&h, p->v, "ninchi", "認知症高齢者の日常生活自立度", ni, ARRAY_LEN(ni));
    area(&h, p->v, "state", "心身の状態");
    html_raw(&h, "<h2>4. 生活機能とサービスに関する意見</h2>");
    area(&h, p->v, "services", "生活機能とサービス");
    html_raw(&h, "<h2>5. 特記すべき事項</h2>");
    area(&h, p->v, "notes", "特記すべき事項");
    html_raw(&h, "<div class=\"actions\"><button type=\"submit\" name=\"action\" value=\"draft\" class=\"secondary\">"
                 "下書き保存</button> <button type=\"submit\" name=\"action\" value=\"check\" class=\"secondary\">確認"
                 "</button> <button type=\"submit\" name=\"action\" value=\"submit\">提出</button></div></form>"
                 "<p><a href=\"/clinic/requests\">作成依頼の一覧へ戻る</a></p>");
    return page_send(r, &h, status);
}

static void op_free(struct opinion_page *p)
{
    json_decref(p->v);
    sodium_memzero(&p->card, sizeof p->card);
}

/* GET /clinic/requests/{insurer}/{insured}/{app}: the draft, or a new form */
int p_clinic_opinion(struct req *r)
{
    struct opinion_page *p = xcalloc(1, sizeof *p);
    struct store *st;
    int rc = 0;
    if (op_load(r, &st, p) == 0) {
        char *body = NULL;
        int64_t saved = 0;
        int g = st->acc->draft_get(st, &p->k, p->app_id, p->a.org, &body, &saved);
        p->v = g == 0 ? json_loads(body, 0, NULL) : NULL;
        free(body);
        if (g < 0)
            rc = http_error(r, 500, "internal", "内部エラーが発生しました");
        else {
            if (!p->v) {
                char today[11];
                date_iso(date_today(), today);
                p->v = json_pack("{s:s,s:s}", "written", today, "doctor", r->who.acct.display_name);
            }
            rc = opinion_page(r, p, g == 0 ? "保存した下書きを開きました。" : NULL, NULL, NULL, 200);
        }
    }
    op_free(p);
    free(p);
    return rc;
}

/* POST …: action=draft (kept, unchecked), check (every check, nothing stored) or submit */
int p_clinic_opinion_post(struct req *r)
{
    struct opinion_page *p = xcalloc(1, sizeof *p);
    struct store *st;
    int rc = 0;
    if (op_load(r, &st, p) == 0) {
        p->v = posted_values(r);
        const char *action = form_str(r, "action");
        struct date written = written_of(p->v);
        char *api = to_api(p->v, written);
        struct ikensho *o = xmalloc(sizeof *o);
        struct doc_error e;
        memset(&e, 0, sizeof e);
        if (!strcmp(action, "draft")) {
            char *vs = json_dumps(p->v, JSON_COMPACT);
            int d = vs ? st->acc->draft_put(st, &p->k, p->app_id, p->a.org, vs, clock_now_ms(), p->a.id) : -1;
            free(vs);
            rc = d ? http_error(r, 500, "internal", "内部エラーが発生しました")
                   : opinion_page(r, p, "下書きを保存しました。まだ提出されていません。", NULL, NULL, 200);
        } else if (docjson_ikensho(api, strlen(api), o, &e)) {
            rc = opinion_page(r, p, NULL, e.msg, e.field, 422);
        } else if (!strcmp(action, "check")) {
            int age = date_age(p->card.person.birth, date_today());
            if (ikensho_check(o, age >= 40 && age < 65, &e))
                rc = opinion_page(r, p, NULL, e.msg, e.field, 422);
            else
                rc = opinion_page(r, p, "確認しました。誤りは見つかりません。「提出」で市町村へ提出します。", NULL, NULL, 200);
        } else if (!strcmp(action, "submit")) {
            struct cs_result res;
            struct actor a;
            principal_actor(&r->who, &p->k, &a);
            if (st->ops->begin(st))
                rc = http_error(r, 503, "unavailable", "データベースが混み合っています");
            else {
                int w = cs_ikensho_put(st, &a, &p->k, p->app_id, o, clock_now_ms(), &res);
                if (w || res.status != CS_OK) {
                    st->ops->rollback(st);
                    rc = w < 0 || res.status == CS_ERROR ? http_error(r, 500, "internal", "内部エラーが発生しました")
                                                         : opinion_page(r, p, NULL, res.msg, res.field, 422);
                } else if (st->ops->commit(st)) {
                    st->ops->rollback(st);
                    rc = http_error(r, 503, "unavailable", "データベースが混み合っています");
                } else
                    rc = page_redirect(r, "/clinic/requests?submitted=1");
            }
        } else
            rc = opinion_page(r, p, NULL, "操作が正しくありません", NULL, 400);
        sodium_memzero(o, sizeof *o);
        free(o);
        free(api);
    }
    op_free(p);
    free(p);
    return rc;
}
