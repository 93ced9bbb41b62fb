/*
 * page_cert.c - the municipal clerk's 要介護認定 (issue #19 §1): the 30-day worklist (`/city/cert`), and on a
 * person's 認定の状況 page the forms of the next steps - 申請受付 with the person's paper 包括同意 (or its refusal),
 * 認定調査の依頼, 認定調査票 (its own page, `…/chosa`), 主治医意見書の依頼 (its receipt arrives from the 医療機関's
 * page or the API), 一次判定, 介護認定審査会, 決定 (the card's panel (二) changes at once), 延期通知 and 取下げ. Every
 * step is the store's workflow (service/certstore.c: cs_file, cs_step, cs_chosa_put - the API's own functions), in one
 * write transaction: an invalid step changes nothing and the page says why.
 *
 * SECURITY: ROLE_INSURER of the person's insurer only (cs_* decide who may write; anyone else gets 404). The
 * worklist lists persons through disclose_worklist (each audited for 審査判定 before a row is shown).
 * Failure: 422 with the reason and a way back; 503 when the database or the audit is unavailable.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/certification.h"
#include "domain/codes.h"
#include "domain/wareki.h"
#include "http/page.h"
#include "service/certstore.h"
#include "service/disclose.h"
#include "codec/docjson.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/banned.h"

static const char *const step_label[] = {
    [STEP_ASSIGN_SURVEY] = "認定調査の依頼", [STEP_REQUEST_OPINION] = "主治医意見書の依頼",
    [STEP_PRIMARY] = "一次判定",         [STEP_BOARD] = "介護認定審査会(二次判定)",
    [STEP_DECIDE] = "決定",              [STEP_POSTPONE] = "延期通知",
    [STEP_SHIKAKUSHA] = "資格者証の交付", [STEP_WITHDRAW] = "取下げ",
};

/* ---- shared by the clerk's pages ------------------------------------------------------------------ */

struct store *city_clerk(struct req *r, struct actor *a, const char *what)
{
    struct store *st = store_or_503(r);
    if (!st)
        return NULL;
    principal_actor(&r->who, NULL, a);
    if (a->role == ROLE_INSURER && a->org_insurer[0])
        return st;
    char msg[200];
    snprintf(msg, sizeof msg, "%sは市町村(保険者)の職員のページです。", what);
    page_error(r, 403, "表示できません", msg);
    return NULL;
}

int city_person(struct req *r, struct person_key *k, struct actor *a, const char *what)
{
    if (person_param(r, k))
        return -1;
    principal_actor(&r->who, k, a);
    if (a->role == ROLE_INSURER)
        return 0;
    char msg[200];
    snprintf(msg, sizeof msg, "%sは市町村(保険者)の職員が記録します。", what);
    page_error(r, 403, "記録できません", msg);
    return -1;
}

int city_commit(struct req *r, struct store *st, int rc, const struct cs_result *res, const char **msg)
{
    if (rc || res->status != CS_OK) {
        st->ops->rollback(st);
        if (rc < 0 || res->status == CS_ERROR)
            return page_error(r, 500, "内部エラー", "記録できませんでした。しばらくしてからもう一度お試しください。"), -1;
        if (res->status == CS_NOTFOUND)
            return page_error(r, 404, "表示できる情報がありません", "該当する申請・被保険者が見つからないか、記録する権限がありません。"),
                   -1;
        *msg = res->msg;
        return 1;
    }
    if (st->ops->commit(st)) {
        st->ops->rollback(st);
        return page_error(r, 503, "ただいま記録できません", "データベースが混み合っています。しばらくしてからもう一度お試しください。"),
               -1;
    }
    return 0;
}

/* ---- the worklist ------------------------------------------------------------------------------ */

/* postpone_print_button - 延期通知を印刷: the signed notice of the application's latest 延期通知 (page_print.c) */
static void postpone_print_button(struct req *r, struct buf *h, const char *insurer, const char *insured, const char *app)
{
    html_raw(h, "<form method=\"post\" class=\"inline-button\" action=\"/city/print/");
    html_text(h, insurer);
    html_raw(h, "/");
    html_text(h, insured);
    html_raw(h, "\">");
    page_csrf_field(r, h);
    html_raw(h, "<input type=\"hidden\" name=\"kind\" value=\"postpone\"><input type=\"hidden\" name=\"app\" value=\"");
    html_text(h, app);
    html_raw(h, "\"><button type=\"submit\" class=\"secondary\">延期通知を印刷</button></form>");
}

struct wl {
    struct req *r;
    struct buf *h;
    struct date today;
    int n, overdue;
    const char *insurer;
};

static int wl_row(void *ctx, const char *insured_no, const char *body)
{
    struct wl *x = ctx;
    struct application *a = xmalloc(sizeof *a);
    if (docjson_app(body, strlen(body), a)) {
        free(a);
        return 0;
    }
    struct buf *h = x->h;
    int left = app_days_left(a, x->today);
    html_raw(h, left < 0 ? "<tr class=\"overdue\"><td data-label=\"被保険者番号\">" : "<tr><td data-label=\"被保険者番号\">");
    html_raw(h, "<a href=\"/p/");
    html_text(h, x->insurer);
    html_raw(h, "/");
    html_text(h, insured_no);
    html_raw(h, "/certification\">");
    html_text(h, insured_no);
    html_raw(h, "</a></td><td data-label=\"申請区分\">");
    html_text(h, cert_kind_name(a->kind));
    html_raw(h, "</td><td data-label=\"申請日\">");
    char iso[11];
    date_iso(a->applied, iso);
    h_date(h, iso);
    html_raw(h, "</td><td data-label=\"段階\">");
    html_text(h, app_stage_name(app_stage(a)));
    html_raw(h, "</td><td data-label=\"決定の期限\">");
    date_iso(cert_decision_due(a->applied), iso);
    h_date(h, iso);
    html_raw(h, "</td><td data-label=\"残り\">");
    if (left < 0) {
        html_textf(h, "%d日超過 ", -left);
        html_raw(h, a->npostpone ? "<span class=\"badge warn\">延期通知済</span>" : "<span class=\"badge ng\">期限超過・延期通知なし</span>");
        x->overdue++;
    } else
        html_textf(h, "あと%d日", left);
    if (a->npostpone)
        postpone_print_button(x->r, h, x->insurer, insured_no, a->id);
    html_raw(h, "</td></tr>");
    x->n++;
    free(a);
    return 0;
}

int p_city_cert(struct req *r)
{
    struct actor a;
    struct store *st = city_clerk(r, &a, "認定の進捗");
    if (!st)
        return 0;
    struct buf rows;
    buf_init(&rows, 4u << 20);
    struct wl x = {r, &rows, date_today(), 0, 0, a.org_insurer};
    long long shown, denied;
    enum disclose_status s = disclose_worklist(st, srv_auditq, &a, a.org_insurer, r->request_id, clock_now_ms(), wl_row,
                                               &x, &shown, &denied);
    if (s != DISCLOSE_OK) {
        buf_release(&rows);
        return s == DISCLOSE_AUDIT_FAILED
                   ? page_error(r, 503, "表示できません", "アクセス記録を保存できないため表示できません。しばらくしてから開いてください。")
                   : page_error(r, 500, "内部エラー", "認定の進捗を読めませんでした。");
    }
    struct buf h;
    page_start(r, &h, "認定の進捗");
    html_raw(&h, "<h1>認定の進捗</h1><p>審査中の申請を、決定の期限(申請から30日、介護保険法 第27条 第11項)の近い順に示します。"
                 "期限を過ぎる申請には延期通知が要ります(同項ただし書)。</p>");
    if (x.n == 0)
        html_raw(&h, "<p role=\"status\">審査中の申請はありません。</p>");
    else {
        html_raw(&h, "<p role=\"status\">");
        html_textf(&h, "審査中 %d 件、うち期限超過 %d 件", x.n, x.overdue);
        html_raw(&h, "</p><div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"審査中の申請\"><table id=\"worklist\" "
                     "class=\"stack\"><thead><tr><th scope=\"col\">被保険者番号</th><th scope=\"col\">申請区分</th><th scope=\"col\">"
                     "申請日</th><th scope=\"col\">段階</th><th scope=\"col\">決定の期限</th><th scope=\"col\">残り</th></tr></thead><tbody>");
        buf_add(&h, rows.ptr, rows.len);
        html_raw(&h, "</tbody></table></div>");
    }
    if (denied)
        html_textf(&h, "<p>%lld 件は表示が許可されていないため表示していません。</p>", denied);
    sodium_memzero(rows.ptr, rows.cap);
    buf_release(&rows);
    html_raw(&h, "<p>申請の受付は、被保険者を<a href=\"/city/people\">検索</a>して「認定」から行います。</p>");
    return page_send(r, &h, 200);
}

/* ---- forms on the person's 認定の状況 -------------------------------------------------------------- */

static void date_field(struct buf *h, const char *form, const char *name, const char *label, bool today)
{
    html_markupf(h, "<div><label for=\"%s-%s\">%s</label><input type=\"date\" id=\"%s-%s\" name=\"%s\"", form, name, label,
                 form, name, name);
    if (today) {
        char iso[11];
        date_iso(date_today(), iso);
        html_markupf(h, " value=\"%s\"", iso);
    }
    html_raw(h, " required></div>");
}

static void text_field(struct buf *h, const char *form, const char *name, const char *label, bool required)
{
    html_markupf(h, "<div><label for=\"%s-%s\">%s</label><input type=\"text\" id=\"%s-%s\" name=\"%s\"%s></div>", form, name,
                 label, form, name, name, required ? " required" : "");
}

static void level_select(struct buf *h, const char *form, const char *label)
{
    static const enum care_level lv[] = {LEVEL_HIGAITO, LEVEL_SHIEN1, LEVEL_SHIEN2, LEVEL_KAIGO1, LEVEL_KAIGO2,
                                         LEVEL_KAIGO3,  LEVEL_KAIGO4, LEVEL_KAIGO5};
    html_markupf(h, "<div><label for=\"%s-level\">%s</label><select id=\"%s-level\" name=\"level\">", form, label, form);
    for (size_t i = 0; i < ARRAY_LEN(lv); i++)
        html_markupf(h, "<option value=\"%s\">%s</option>", level_code(lv[i]), level_name(lv[i]));
    html_raw(h, "</select></div>");
}

static void form_open(struct req *r, struct buf *h, const char *action, const char *app, const char *step)
{
    html_raw(h, "<form method=\"post\" action=\"");
    html_text(h, action);
    html_raw(h, "\" class=\"step\">");
    page_csrf_field(r, h);
    html_raw(h, "<input type=\"hidden\" name=\"a\" value=\"");
    html_text(h, step);
    html_raw(h, "\">");
    if (app) {
        html_raw(h, "<input type=\"hidden\" name=\"app\" value=\"");
        html_text(h, app);
        html_raw(h, "\">");
    }
}

static int medical_org(void *ctx, const struct org *o)
{
    struct buf *h = ctx;
    if (o->kind != ORG_MEDICAL)
        return 0;
    html_raw(h, "<option value=\"");
    html_text(h, o->id);
    html_raw(h, "\">");
    html_text(h, o->name);
    html_raw(h, "</option>");
    return 0;
}

/* one pending application's next steps, by stage */
static void app_forms(struct req *r, struct buf *h, const char *action, json_t *app)
{
    const char *id = json_string_value(json_object_get(app, "id"));
    const char *stage = json_string_value(json_object_get(app, "stage"));
    if (!id || !stage || strcmp(stage, "decided") == 0 || strcmp(stage, "withdrawn") == 0)
        return;
    bool surveyed = json_is_string(json_object_get(app, "survey_done"));
    bool assigned = json_is_string(json_object_get(app, "survey_assigned"));
    bool asked = json_is_string(json_object_get(app, "opinion_requested"));
    bool received = json_is_string(json_object_get(app, "opinion_received"));
    char fid[48];
    html_raw(h, "<div class=\"steps\"><h3>次の手続き</h3>");
    /* 認定調査 */
    if (!assigned && !surveyed) {
        snprintf(fid, sizeof fid, "survey-%s", id);
        form_open(r, h, action, id, "survey");
        html_raw(h, "<fieldset><legend>認定調査の依頼</legend>");
        date_field(h, fid, "on", "依頼日", true);
        text_field(h, fid, "who", "調査員", true);
        html_raw(h, "<div><button type=\"submit\">調査を依頼する</button></div></fieldset></form>");
    } else if (!surveyed) {
        html_raw(h, "<p><a class=\"button\" href=\"/city/cert/");
        html_text(h, action + strlen("/city/cert/"));
        html_raw(h, "/");
        html_text(h, id);
        html_raw(h, "/chosa\">認定調査票を入力する</a></p>");
    }
    /* 主治医意見書 */
    if (!asked) {
        snprintf(fid, sizeof fid, "opinion-%s", id);
        form_open(r, h, action, id, "opinion-request");
        html_raw(h, "<fieldset><legend>主治医意見書の依頼</legend>");
        date_field(h, fid, "on", "依頼日", true);
        html_markupf(h, "<div><label for=\"%s-org\">医療機関</label><select id=\"%s-org\" name=\"org\" required>", fid, fid);
        struct store *st = thread_store();
        if (st)
            (void)st->acc->org_list(st, medical_org, h);
        html_raw(h, "</select></div><div><button type=\"submit\">意見書を依頼する</button></div></fieldset></form>");
    } else if (!received)
        html_raw(h, "<p>主治医意見書: 医療機関からの提出を待っています(医療機関は kaigo の「意見書作成依頼」から提出します)。</p>");
    /* 一次判定・審査会・決定 */
    if (strcmp(stage, "ready") == 0) {
        snprintf(fid, sizeof fid, "primary-%s", id);
        form_open(r, h, action, id, "primary");
        html_raw(h, "<fieldset><legend>一次判定の結果</legend>");
        date_field(h, fid, "on", "判定日", true);
        level_select(h, fid, "一次判定");
        html_markupf(h, "<div><label for=\"%s-minutes\">要介護認定等基準時間(分)</label><input type=\"text\" id=\"%s-minutes\" "
                        "name=\"minutes\" inputmode=\"decimal\" required></div>", fid, fid);
        html_raw(h, "<div><button type=\"submit\">一次判定を記録する</button></div></fieldset></form>");
    } else if (strcmp(stage, "primary") == 0) {
        snprintf(fid, sizeof fid, "board-%s", id);
        form_open(r, h, action, id, "board");
        html_raw(h, "<fieldset><legend>介護認定審査会(二次判定)</legend>");
        date_field(h, fid, "on", "審査会の日", true);
        level_select(h, fid, "二次判定");
        html_markupf(h, "<div><label for=\"%s-months\">有効期間(月数。空欄は標準)</label><input type=\"text\" id=\"%s-months\" "
                        "name=\"months\" inputmode=\"numeric\"></div>", fid, fid);
        text_field(h, fid, "opinion", "審査会の意見", false);
        text_field(h, fid, "services", "サービスの種類の指定", false);
        text_field(h, fid, "reason", "標準と異なる有効期間の理由", false);
        html_raw(h, "<div><button type=\"submit\">審査会の結果を記録する</button></div></fieldset></form>");
    } else if (strcmp(stage, "board") == 0) {
        snprintf(fid, sizeof fid, "decide-%s", id);
        form_open(r, h, action, id, "decision");
        html_raw(h, "<fieldset><legend>決定</legend>");
        date_field(h, fid, "on", "決定日(認定年月日)", true);
        html_raw(h, "<div><button type=\"submit\">決定する(被保険者証が変わります)</button></div></fieldset></form>");
    }
    /* 延期通知・取下げ */
    snprintf(fid, sizeof fid, "postpone-%s", id);
    form_open(r, h, action, id, "postpone");
    html_raw(h, "<fieldset><legend>延期通知(30日を超えるとき)</legend>");
    date_field(h, fid, "on", "通知日", true);
    date_field(h, fid, "expected", "決定の見込み", false);
    text_field(h, fid, "reason", "延期の理由", true);
    html_raw(h, "<div><button type=\"submit\" class=\"secondary\">延期通知を記録する</button></div></fieldset></form>");
    if (json_array_size(json_object_get(app, "postponements")) > 0 && r->params[0].len < 8 && r->params[1].len < 12) {
        char ins[8], no[12];
        snprintf(ins, sizeof ins, "%.*s", (int)r->params[0].len, r->params[0].ptr);
        snprintf(no, sizeof no, "%.*s", (int)r->params[1].len, r->params[1].ptr);
        postpone_print_button(r, h, ins, no, id);
    }
    snprintf(fid, sizeof fid, "withdraw-%s", id);
    form_open(r, h, action, id, "withdraw");
    html_raw(h, "<fieldset><legend>申請の取下げ</legend>");
    date_field(h, fid, "on", "取下げ日", true);
    html_raw(h, "<div><button type=\"submit\" class=\"secondary\">取下げを記録する</button></div></fieldset></form></div>");
}

void city_cert_forms(struct req *r, struct buf *h, json_t *apps, json_t *app)
{
    struct actor a;
    principal_actor(&r->who, NULL, &a);
    if (a.role != ROLE_INSURER || !r->params[0].len || !r->params[1].len)
        return;
    char action[64];
    snprintf(action, sizeof action, "/city/cert/%.*s/%.*s", (int)r->params[0].len, r->params[0].ptr,
             (int)r->params[1].len, r->params[1].ptr);
    if (app) {
        app_forms(r, h, action, app);
        return;
    }
    /* a new application: only when none is pending */
    size_t i;
    json_t *x;
    json_array_foreach(apps, i, x) {
        const char *s = json_string_value(json_object_get(x, "stage"));
        if (s && strcmp(s, "decided") && strcmp(s, "withdrawn"))
            return;
    }
    form_open(r, h, action, NULL, "file");
    html_raw(h, "<section class=\"panel\"><h2>申請を受け付ける</h2><fieldset><legend>申請の内容</legend>");
    html_raw(h, "<div><label for=\"file-kind\">申請区分</label><select id=\"file-kind\" name=\"kind\"><option value=\"新規\">新規"
                "</option><option value=\"更新\">更新</option><option value=\"区分変更\">区分変更</option></select></div>");
    date_field(h, "file", "on", "申請日", true);
    html_raw(h, "<div><label for=\"file-filer\">申請した人</label><select id=\"file-filer\" name=\"filer\"><option value=\"person\">"
                "本人</option><option value=\"proxy\">家族・代理人</option></select></div></fieldset>"
                "<fieldset><legend>包括同意(申請書の同意欄)</legend><p class=\"hint\" id=\"consent-hint\">申請書で本人が、担当の事業所・"
                "主治医が介護情報を見ることに同意したかどうか。同意しない方は、同意なしとして受け付けます(あとで本人がいつでも同意・"
                "撤回できます)。</p><div class=\"choices\"><input type=\"radio\" id=\"file-consent-yes\" name=\"consent\" value=\"all\" "
                "aria-describedby=\"consent-hint\" checked><label for=\"file-consent-yes\">同意あり(書面)</label></div><div class=\"choices\">"
                "<input type=\"radio\" id=\"file-consent-no\" name=\"consent\" value=\"\" aria-describedby=\"consent-hint\"><label "
                "for=\"file-consent-no\">同意しない</label></div></fieldset><div><button type=\"submit\">申請を受け付ける</button></div>"
                "</section></form>");
}

/* ---- the POST ---------------------------------------------------------------------------------------- */

int city_refused(struct req *r, const struct person_key *k, const char *what, const char *msg, unsigned status,
                 const char *page, const char *back)
{
    struct buf h;
    page_start(r, &h, "記録できませんでした");
    html_raw(&h, "<h1>記録できませんでした</h1>");
    char m[400];
    snprintf(m, sizeof m, "%s: %s", what, msg);
    page_alerts(&h, NULL, m);
    html_raw(&h, "<p>何も記録していません。<a href=\"/p/");
    html_text(&h, k->insurer_no);
    html_raw(&h, "/");
    html_text(&h, k->insured_no);
    html_raw(&h, "/");
    html_text(&h, page);
    html_raw(&h, "\">");
    html_text(&h, back);
    html_raw(&h, "</a></p>");
    return page_send(r, &h, status);
}

static int step_failed(struct req *r, const struct person_key *k, const char *what, const char *msg, unsigned status)
{
    return city_refused(r, k, what, msg, status, "certification", "認定の状況に戻る");
}

static int finish(struct req *r, struct store *st, const struct person_key *k, const char *what, int rc,
                  const struct cs_result *res, bool filed)
{
    const char *msg;
    int c = city_commit(r, st, rc, res, &msg);
    if (c < 0)
        return 0;
    if (c > 0)
        return step_failed(r, k, what, msg, res->status == CS_CONFLICT ? 409 : 422);
    char loc[96];
    snprintf(loc, sizeof loc, "/p/%s/%s/certification?done=%s", k->insurer_no, k->insured_no,
             filed || !res->stage ? "filed" : app_stage_code(res->stage));
    return page_redirect(r, loc);
}

int p_city_cert_post(struct req *r)
{
    struct person_key k;
    struct actor a;
    if (city_person(r, &k, &a, "認定の手続き"))
        return 0;
    const char *step = form_str(r, "a"), *app = form_str(r, "app"), *why;
    struct cs_result res;
    struct store *st;
    int rc;
    if (strcmp(step, "file") == 0) {
        struct cs_filing f = {0};
        const char *kind = form_str(r, "kind"), *on = form_str(r, "on"), *filer = form_str(r, "filer");
        if (cert_kind_parse(kind, strlen(kind), &f.kind))
            return step_failed(r, &k, "申請受付", "申請区分を選んでください。", 422);
        if (date_parse_any(on, strlen(on), &f.applied, &why))
            return step_failed(r, &k, "申請受付", "申請日は 2026-12-01 または 令和8年12月1日 の形で入力してください。", 422);
        f.filer = filer_kind_from_code(filer[0] ? filer : "person");
        if (f.filer != FILER_PERSON && f.filer != FILER_PROXY)
            return step_failed(r, &k, "申請受付", "申請した人を選んでください。", 422);
        if (strcmp(form_str(r, "consent"), "all") == 0)
            f.consent_cats = CAT_ALL_MASK;
        if (!(st = begin_write(r, &k, &a)))
            return 0;
        rc = cs_file(st, &a, &k, &f, clock_now_ms(), &res);
        return finish(r, st, &k, "申請受付", rc, &res, true);
    }
    enum cs_step s = cs_step_from_code(step);
    if (!s || s >= (enum cs_step)ARRAY_LEN(step_label) || !app[0] || strlen(app) >= APP_ID_BYTES)
        return page_error(r, 400, "手続きが正しくありません", "ページを開き直してからもう一度お試しください。");
    struct cs_step_args x;
    memset(&x, 0, sizeof x);
    const char *on = form_str(r, "on"), *expected = form_str(r, "expected"), *level = form_str(r, "level"),
               *minutes = form_str(r, "minutes"), *months = form_str(r, "months");
    if (date_parse_any(on, strlen(on), &x.on, &why))
        return step_failed(r, &k, step_label[s], "日付は 2026-12-01 または 令和8年12月1日 の形で入力してください。", 422);
    if (expected[0] && date_parse_any(expected, strlen(expected), &x.expected, &why))
        return step_failed(r, &k, step_label[s], "決定の見込みの日付が正しくありません。", 422);
    if (level[0] && level_parse(level, strlen(level), &x.level))
        return step_failed(r, &k, step_label[s], "要介護状態区分を選んでください。", 422);
    if (minutes[0]) {
        char *end;
        double m = strtod(minutes, &end);
        if (*end || m < 0 || m > 1440)
            return step_failed(r, &k, step_label[s], "要介護認定等基準時間は 0〜1440 の分(小数1桁まで)です。", 422);
        x.minutes_x10 = (int)(m * 10 + 0.5);
    }
    if (months[0]) {
        char *end;
        long mo = strtol(months, &end, 10);
        if (*end || mo < 1 || mo > 99)
            return step_failed(r, &k, step_label[s], "有効期間は月数(1〜99)で入力してください。", 422);
        x.months = (int)mo;
    }
    str_cut(x.who, sizeof x.who, s == STEP_REQUEST_OPINION ? form_str(r, "org") : form_str(r, "who"));
    str_cut(x.opinion, sizeof x.opinion, form_str(r, "opinion"));
    str_cut(x.services, sizeof x.services, form_str(r, "services"));
    str_cut(x.reason, sizeof x.reason, form_str(r, "reason"));
    if (!(st = begin_write(r, &k, &a)))
        return 0;
    rc = cs_step(st, &a, &k, app, s, &x, clock_now_ms(), &res);
    return finish(r, st, &k, step_label[s], rc, &res, false);
}

/* ---- the steps done so far ---------------------------------------------------------------------------- */

static void progress_item(struct buf *h, const char *label, json_t *app, const char *date_key, const char *extra_key,
                          const char *extra_label)
{
    const char *d = json_string_value(json_object_get(app, date_key));
    html_raw(h, "<li>");
    html_text(h, label);
    html_raw(h, ": ");
    if (d) {
        h_date(h, d);
        const char *e = extra_key ? json_string_value(json_object_get(app, extra_key)) : NULL;
        if (e && *e) {
            html_raw(h, "(");
            html_text(h, extra_label);
            html_text(h, e);
            html_raw(h, ")");
        }
    } else
        html_raw(h, "まだ");
    html_raw(h, "</li>");
}

void city_cert_progress(struct req *r, struct buf *h, json_t *app)
{
    if (!r->who.acct.staff)
        return;
    struct actor a;
    principal_actor(&r->who, NULL, &a);
    if (a.role != ROLE_INSURER)
        return;
    html_raw(h, "<h3>手続きの記録</h3><ol class=\"progress\">");
    progress_item(h, "申請受付", app, "applied", NULL, NULL);
    progress_item(h, "認定調査の依頼", app, "survey_assigned", "investigator", "調査員: ");
    progress_item(h, "認定調査票", app, "survey_done", NULL, NULL);
    progress_item(h, "主治医意見書の依頼", app, "opinion_requested", "opinion_org", "依頼先: ");
    progress_item(h, "主治医意見書の受領", app, "opinion_received", NULL, NULL);
    progress_item(h, "一次判定", app, "primary_on", NULL, NULL);
    progress_item(h, "介護認定審査会", app, "board_on", NULL, NULL);
    progress_item(h, "決定", app, "decided", NULL, NULL);
    json_t *pp = json_object_get(app, "postponements");
    size_t i;
    json_t *p;
    json_array_foreach(pp, i, p) progress_item(h, "延期通知", p, "notified", "reason", "理由: ");
    html_raw(h, "</ol>");
}

/* ---- 認定調査票の入力 ---------------------------------------------------------------------------------- */

static const char *const group_name[] = {"", "1 身体機能・起居動作", "2 生活機能", "3 認知機能", "4 精神・行動障害",
                                         "5 社会生活への適応", "6 特別な医療", "7 日常生活自立度"};

typedef const char *value_fn(struct req *r, const char *name);
static const char *no_value(struct req *r, const char *name)
{
    (void)r;
    (void)name;
    return "";
}

static void chosa_text(struct buf *h, struct req *r, value_fn *v, const char *name, const char *label, bool required,
                       bool area)
{
    html_markupf(h, "<div><label for=\"c-%s\">%s</label>", name, label);
    if (area)
        html_markupf(h, "<textarea id=\"c-%s\" name=\"%s\" rows=\"2\"%s>", name, name, required ? " required" : "");
    else
        html_markupf(h, "<input type=\"text\" id=\"c-%s\" name=\"%s\"%s value=\"", name, name, required ? " required" : "");
    html_text(h, v(r, name));
    html_raw(h, area ? "</textarea></div>" : "\"></div>");
}

static int chosa_page(struct req *r, struct buf *h, value_fn *v, const char *error, unsigned status)
{
    char base[96];
    snprintf(base, sizeof base, "/city/cert/%.*s/%.*s/%.*s/chosa", (int)r->params[0].len, r->params[0].ptr,
             (int)r->params[1].len, r->params[1].ptr, (int)r->params[2].len, r->params[2].ptr);
    html_raw(h, "<h1>認定調査票の入力</h1>");
    html_raw(h, "<p>");
    html_textf(h, "被保険者番号 %.*s、申請 %.*s。基本調査のすべての項目に答えてください。特記事項は必要な項目だけ書きます。",
               (int)r->params[1].len, r->params[1].ptr, (int)r->params[2].len, r->params[2].ptr);
    html_raw(h, "</p>");
    if (error)
        page_alerts(h, NULL, error);
    html_raw(h, "<form method=\"post\" action=\"");
    html_text(h, base);
    html_raw(h, "\" id=\"chosa-form\">");
    page_csrf_field(r, h);
    html_raw(h, "<fieldset><legend>概況調査</legend>");
    const char *d = v(r, "surveyed");
    char today[11];
    date_iso(date_today(), today);
    html_raw(h, "<div><label for=\"c-surveyed\">実施日</label><input type=\"date\" id=\"c-surveyed\" name=\"surveyed\" required "
                "value=\"");
    html_text(h, d[0] ? d : today);
    html_raw(h, "\"></div>");
    chosa_text(h, r, v, "investigator", "調査実施者", true, false);
    chosa_text(h, r, v, "place", "実施場所", false, false);
    chosa_text(h, r, v, "services_now", "現在受けているサービスの状況", false, true);
    chosa_text(h, r, v, "environment", "置かれている環境等", false, true);
    html_raw(h, "</fieldset>");
    struct date on = date_today();
    int group = 0;
    for (unsigned i = 0; i < chosa_items_len; i++) {
        const struct code_row *it = &chosa_items[i];
        if (date_cmp(it->from, on) > 0 || date_cmp(it->to, on) < 0)
            continue;
        int g = (int)strtol(it->f[1], NULL, 10);
        if (g != group) {
            html_raw(h, group ? "</section><section class=\"panel chosa-group\"><h2>" : "<section class=\"panel chosa-group\"><h2>");
            html_text(h, g > 0 && g < (int)ARRAY_LEN(group_name) ? group_name[g] : it->f[1]);
            html_raw(h, "</h2>");
            group = g;
        }
        char name[24], note[24];
        snprintf(name, sizeof name, "i%s", it->f[0]);
        snprintf(note, sizeof note, "n%s", it->f[0]);
        const char *cur = v(r, name);
        html_markupf(h, "<fieldset class=\"item\"><legend>%s ", it->f[0]);
        html_text(h, it->f[3]);
        html_raw(h, "</legend><div class=\"choices-row\">");
        /* answers: "1:ない|2:ある" */
        const char *p = it->f[4];
        while (p && *p) {
            const char *bar = strchr(p, '|'), *colon = strchr(p, ':');
            size_t len = bar ? (size_t)(bar - p) : strlen(p);
            if (!colon || colon > p + len)
                break;
            char code[CHOSA_ANSWER_BYTES], label[160];
            snprintf(code, sizeof code, "%.*s", (int)(colon - p), p);
            snprintf(label, sizeof label, "%.*s", (int)(len - (size_t)(colon - p) - 1), colon + 1);
            html_markupf(h, "<span class=\"choice\"><input type=\"radio\" id=\"%s-%s\" name=\"%s\" value=\"%s\"%s><label for=\"%s-%s\">",
                         name, code, name, code, strcmp(cur, code) == 0 ? " checked" : "", name, code);
            html_text(h, label);
            html_raw(h, "</label></span>");
            p = bar ? bar + 1 : NULL;
        }
        html_markupf(h, "</div><div><label for=\"%s\" class=\"small\">特記事項</label><input type=\"text\" id=\"%s\" name=\"%s\" value=\"",
                     note, note, note);
        html_text(h, v(r, note));
        html_raw(h, "\"></div></fieldset>");
    }
    if (group)
        html_raw(h, "</section>");
    html_raw(h, "<div><button type=\"submit\">認定調査票を記録する</button></div></form>");
    return page_send(r, h, status);
}

static void render_chosa_form(struct req *r, struct buf *h, json_t *d)
{
    (void)d; /* the person's surveys: allowed and audited; the form starts empty */
    page_start(r, h, "認定調査票の入力");
    chosa_page(r, h, no_value, NULL, 200);
}

int p_city_chosa(struct req *r)
{
    struct actor a;
    principal_actor(&r->who, NULL, &a);
    if (a.role != ROLE_INSURER)
        return page_error(r, 403, "表示できません", "認定調査票の入力は市町村(保険者)の職員のページです。");
    return page_disclose(r, WHAT_DOCS, render_chosa_form);
}

int p_city_chosa_post(struct req *r)
{
    struct person_key k;
    struct actor a;
    if (city_person(r, &k, &a, "認定調査票"))
        return 0;
    char app[APP_ID_BYTES];
    if (r->params[2].len == 0 || r->params[2].len >= sizeof app)
        return page_error(r, 404, "表示できる情報がありません", "該当する申請が見つかりません。");
    snprintf(app, sizeof app, "%.*s", (int)r->params[2].len, r->params[2].ptr);
    struct chosa *c = xcalloc(1, sizeof *c);
    const char *why, *surveyed = form_str(r, "surveyed");
    const char *error = NULL;
    char msg[DOC_ERR_MSG_BYTES + 64];
    if (date_parse_any(surveyed, strlen(surveyed), &c->surveyed, &why))
        error = "実施日は 2026-12-01 または 令和8年12月1日 の形で入力してください。";
    if (!error && (str_copy(c->investigator, sizeof c->investigator, form_str(r, "investigator")) ||
                   str_copy(c->place, sizeof c->place, form_str(r, "place")) ||
                   str_copy(c->services_now, sizeof c->services_now, form_str(r, "services_now")) ||
                   str_copy(c->environment, sizeof c->environment, form_str(r, "environment"))))
        error = "概況調査の欄が長すぎます。";
    for (unsigned i = 0; !error && i < chosa_items_len; i++) {
        const struct code_row *it = &chosa_items[i];
        if (date_cmp(it->from, c->surveyed) > 0 || date_cmp(it->to, c->surveyed) < 0)
            continue;
        char name[24], note[24];
        snprintf(name, sizeof name, "i%s", it->f[0]);
        snprintf(note, sizeof note, "n%s", it->f[0]);
        const char *ans = form_str(r, name);
        if (!ans[0]) {
            snprintf(msg, sizeof msg, "%s %s に答えていません。", it->f[0], it->f[3]);
            error = msg;
            break;
        }
        if (c->n == CHOSA_MAX_ITEMS)
            break;
        struct chosa_answer *x = &c->a[c->n++];
        if (str_copy(x->item, sizeof x->item, it->f[0]) || str_copy(x->answer, sizeof x->answer, ans) ||
            str_copy(x->note, sizeof x->note, form_str(r, note))) {
            snprintf(msg, sizeof msg, "%s の回答か特記事項が長すぎます。", it->f[0]);
            error = msg;
        }
    }
    struct buf h;
    if (error) {
        free(c);
        page_start(r, &h, "認定調査票の入力");
        return chosa_page(r, &h, form_str, error, 422);
    }
    struct store *st = begin_write(r, &k, &a);
    if (!st) {
        free(c);
        return 0;
    }
    struct cs_result res;
    int rc = cs_chosa_put(st, &a, &k, app, c, clock_now_ms(), &res);
    sodium_memzero(c, sizeof *c);
    free(c);
    if (rc == 0 && res.status == CS_INVALID) {
        st->ops->rollback(st);
        snprintf(msg, sizeof msg, "記録できませんでした: %s", res.msg);
        page_start(r, &h, "認定調査票の入力");
        return chosa_page(r, &h, form_str, msg, 422);
    }
    return finish(r, st, &k, "認定調査票", rc, &res, false);
}

/* ---- 住宅改修・福祉用具: a claim against the ledger ------------------------------------------------------------ */

void city_claim_form(struct req *r, struct buf *h)
{
    struct actor a;
    principal_actor(&r->who, NULL, &a);
    if (a.role != ROLE_INSURER || !r->params[0].len || !r->params[1].len)
        return;
    const char *done = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "done");
    if (done)
        page_alerts(h, "支給の申請を記録しました。上の残りに反映されています。", NULL);
    char today[11];
    date_iso(date_today(), today);
    html_raw(h, "<section class=\"panel\"><h2>支給の申請を記録する</h2><form method=\"post\" class=\"step\" action=\"/city/ledger/");
    html_textf(h, "%.*s/%.*s", (int)r->params[0].len, r->params[0].ptr, (int)r->params[1].len, r->params[1].ptr);
    html_raw(h, "\">");
    page_csrf_field(r, h);
    html_raw(h, "<div><label for=\"cl-kind\">種類</label><select id=\"cl-kind\" name=\"kind\"><option value=\"yogu\">特定福祉用具購入"
                "</option><option value=\"jutaku\">住宅改修</option></select></div><div><label for=\"cl-date\">購入日・着工日</label>"
                "<input type=\"date\" id=\"cl-date\" name=\"date\" required value=\"");
    html_text(h, today);
    html_raw(h, "\"></div><div><label for=\"cl-amount\">費用額(円)</label><input type=\"text\" id=\"cl-amount\" name=\"amount\" "
                "inputmode=\"numeric\" required></div><div><label for=\"cl-category\">品目・工事の種類</label><input type=\"text\" "
                "id=\"cl-category\" name=\"category\" required></div><div><label for=\"cl-residence\">住宅改修の住宅の住所</label><input "
                "type=\"text\" id=\"cl-residence\" name=\"residence\"></div><div><button type=\"submit\">記録する</button></div>"
                "</form></section>");
}

int p_city_claim_post(struct req *r)
{
    struct person_key k;
    struct actor a;
    if (city_person(r, &k, &a, "支給の申請"))
        return 0;
    struct ledger_claim c;
    memset(&c, 0, sizeof c);
    const char *date = form_str(r, "date"), *amount = form_str(r, "amount"), *why;
    c.kind = ledger_kind_from_code(form_str(r, "kind"));
    char *end = NULL;
    c.amount = strtoll(amount, &end, 10);
    const char *error = !c.kind                                              ? "種類を選んでください。"
                        : date_parse_any(date, strlen(date), &c.date, &why) ? "日付は 2026-12-01 の形で入力してください。"
                        : !amount[0] || *end                                 ? "費用額は円の整数で入力してください。"
                                                                             : NULL;
    str_cut(c.category, sizeof c.category, form_str(r, "category"));
    str_cut(c.residence, sizeof c.residence, form_str(r, "residence"));
    if (error)
        return city_refused(r, &k, "支給の申請", error, 422, "ledger", "住宅改修・福祉用具に戻る");
    struct store *st = begin_write(r, &k, &a);
    if (!st)
        return 0;
    struct cs_result res;
    int rc = cs_claim_add(st, &a, &k, &c, clock_now_ms(), &res);
    const char *msg;
    int done = city_commit(r, st, rc, &res, &msg);
    if (done < 0)
        return 0;
    if (done > 0)
        return city_refused(r, &k, "支給の申請", msg, 422, "ledger", "住宅改修・福祉用具に戻る");
    char loc[96];
    snprintf(loc, sizeof loc, "/p/%s/%s/ledger?done=1", k.insurer_no, k.insured_no);
    return page_redirect(r, loc);
}
