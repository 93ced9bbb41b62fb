/*
 * page_plan.c - the care manager's monthly 第6表 editor (issue #18 §1): the month's services by
 * 事業所番号 and サービスコード (from the service-code master), the days as a calendar, the 第7表
 * computed as it is edited (limit, the units over it and the line the care manager gives them to,
 * 単位数単価, the insurance's part and the user's) and 送信: the v4.1 send unit (利用者補足 + 第6表 +
 * 第7表) for each office on the plan, through the same checks, storage and delivery as an upload
 * (unit_accept). Works without script (計算 posts the form); kaigo.js recomputes on each change.
 *
 * SECURITY: the person's card (資格: level, 有効期間, 負担割合) and the stored plans (計画) are two
 * disclosures through the gate, each audited before anything is read into the page; the office must
 * be the person's 担当 (the gate's relationship) and have a 事業所番号. The form is untrusted: its
 * lines are parsed here with named limits (P6_MAX_LINES, the form's field limit) and checked by
 * p6_check before any record is made. POSTs are same-origin with the session's CSRF token.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/page.h"
#include "domain/auth.h"
#include "domain/wareki.h"
#include "service/cpstore.h"
#include "service/plan6.h"
#include "print/forms67.h"
#include "util/xalloc.h"
#include "util/banned.h"


#define PLAN_MAX_JSK 16 /* 実績 sets of a month shown (one per office × service type) */

struct month_docs {
    char month[7];
    char jsk_key[20]; /* "YYYYMM:" every office's 実績 of the month, or "YYYYMM:事業所番号:" one office's */
    char *plan, *sikyu;
    char *jsk[PLAN_MAX_JSK];
    size_t njsk;
};

static int keep_doc(void *c, const char *kind, const char *rkey, const char *body)
{
    struct month_docs *m = c;
    if (m->jsk_key[0] && !strcmp(kind, "cp.UPJSK") && !strncmp(rkey, m->jsk_key, strlen(m->jsk_key))) {
        if (m->njsk < PLAN_MAX_JSK)
            m->jsk[m->njsk++] = xstrdup(body);
        return 0;
    }
    char **slot = strcmp(rkey, m->month)        ? NULL
                  : !strcmp(kind, "cp.UPPLAN")  ? &m->plan
                  : !strcmp(kind, "cp.UPSIKYU") ? &m->sikyu
                                                : NULL;
    if (slot) {
        free(*slot);
        *slot = xstrdup(body);
    }
    return 0;
}

static void docs_free(struct month_docs *m)
{
    free(m->plan);
    free(m->sikyu);
    for (size_t i = 0; i < m->njsk; i++)
        free(m->jsk[i]);
}

/* Everything one request of the editor works on. */
struct editor {
    struct person_key k;
    struct actor a;
    struct org office;
    struct card card;
    struct month_docs docs;
    struct p6_month m;
    struct p6_month planned; /* actual: this office's lines of the care manager's 第6表 (予定) */
    struct p6_month done;    /* the 実績 the offices sent for the month (the care manager's view) */
    struct s7_given given;
    char over[P6_OVER_BYTES]; /* "事業所番号:サービスコード" of the line given the excess, or "" */
    struct s7_doc *d;
    struct s7_total t;
    bool actual;         /* the provider's 実績 of its own lines, not the care manager's plan */
    bool self;           /* 自己作成: the person (or a proxy) plans the month; computed and printed, not sent */
    char base[64];       /* the editor's URL: /office/plan/… , /office/actual/… , /me/plan/edit, /p/…/plan/edit */
    struct plan_month pm; /* the office's month: 作成中 (a draft) and 交付済 */
    char *draft;          /* the saved draft: JSON [[name, value], …] of the form, or NULL */
    struct date last_home; /* モニタリング: the office's last home visit, or none */
    bool video_after;
    bool computed;
    char why[S7_ERR_BYTES];
};

static enum disclose_status disclose_one(struct req *r, struct store *st, struct editor *e, enum category c)
{
    struct disclosure d;
    memset(&d, 0, sizeof d);
    d.rq.actor = e->a;
    d.rq.person = e->k;
    d.rq.category = c;
    d.rq.purpose = purpose_for_role(e->a.role);
    d.request_id = r->request_id;
    d.time_ms = clock_now_ms();
    if (c == CAT_SHIKAKU) {
        d.what = WHAT_CARD;
        d.on = date_today();
        d.card = &e->card;
    } else {
        d.what = WHAT_DOCS;
        d.doc_fn = keep_doc;
        d.row_ctx = &e->docs;
    }
    return disclose(st, srv_auditq, &d);
}

/* editor_load - the office, the month (?month= or the form's ym, else this month), the card and the
 * month's stored sets. -1 after answering. */
static int editor_load(struct req *r, struct editor *e)
{
    struct store *st = store_or_503(r);
    e->self = strstr(r->route->pattern, "/plan/edit") != NULL;
    if (!st)
        return -1;
    if (e->self) { /* 自己作成: the person, or a proxy for them; the gate decides the 計画 */
        if (r->who.acct.staff)
            return http_error(r, 403, "forbidden", "自己作成の画面は本人・代理人のものです(事業所は第6表の作成から)"), -1;
        if (target(r, &e->k))
            return -1;
        principal_actor(&r->who, &e->k, &e->a); /* a proxy acts for this person */
        char pb[48];
        page_base(r, pb);
        snprintf(e->base, sizeof e->base, "%s/plan/edit", pb);
    } else {
        if (office_of(r, st, &e->a, &e->office))
            return -1;
        if (!e->actual && e->a.role != ROLE_CAREMGR && e->a.role != ROLE_HOUKATSU)
            return http_error(r, 403, "forbidden", "第6表の作成は居宅介護支援事業所・地域包括支援センターが行います"), -1;
        if (e->actual && e->a.role != ROLE_PROVIDER && e->a.role != ROLE_FACILITY)
            return http_error(r, 403, "forbidden", "実績の入力はサービス事業所が行います"), -1;
        if (person_param(r, &e->k))
            return -1;
        snprintf(e->base, sizeof e->base, "%s%s/%s", e->actual ? "/office/actual/" : "/office/plan/", e->k.insurer_no,
                 e->k.insured_no);
    }
    const char *ym = r->form ? form_str(r, "ym") : MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "month");
    struct date today = date_today();
    int y = today.y * 100 + today.m;
    if (ym && *ym) {
        if (strlen(ym) != 6 || strspn(ym, "0123456789") != 6 || (int)strtol(ym + 4, NULL, 10) < 1 ||
            (int)strtol(ym + 4, NULL, 10) > 12 || strtol(ym, NULL, 10) < 200001)
            return page_error(r, 400, "対象年月が正しくありません", "対象年月は 202612 のように6桁で指定してください。"), -1;
        y = (int)strtol(ym, NULL, 10);
    }
    e->m.ym = y;
    snprintf(e->docs.month, sizeof e->docs.month, "%06d", y);
    if (e->actual)
        snprintf(e->docs.jsk_key, sizeof e->docs.jsk_key, "%06d:%s:", y, e->office.office_no);
    else
        snprintf(e->docs.jsk_key, sizeof e->docs.jsk_key, "%06d:", y);
    enum disclose_status s = disclose_one(r, st, e, CAT_SHIKAKU);
    if (s == DISCLOSE_OK)
        s = disclose_one(r, st, e, CAT_CAREPLAN);
    if (s == DISCLOSE_OK && !e->actual && !e->self) { /* read only after 計画 was allowed */
        int prc = st->acc->plan_month_get(st, &e->k, e->a.org, e->docs.month, &e->pm, &e->draft);
        if (prc >= 0 && st->acc->visit_last(st, &e->k, e->a.org, &e->last_home, &e->video_after))
            prc = -1;
        if (prc < 0)
            return http_error(r, 500, "internal", "内部エラーが発生しました"), -1;
    }
    if (s == DISCLOSE_OK)
        return 0;
    if (s == DISCLOSE_AUDIT_FAILED)
        return page_error(r, 503, "表示できません", "アクセス記録を保存できないため、情報を表示できません。"), -1;
    if (s == DISCLOSE_DENIED || s == DISCLOSE_NOT_FOUND)
        return page_error(r, 404, "見つかりません",
                          "この方の情報は見られません(担当事業所として登録されていないか、同意がありません)。"), -1;
    return http_error(r, 500, "internal", "内部エラーが発生しました"), -1;
}

static void decode_set(const char *body, enum cp_file f, struct cp_filedata *out)
{
    memset(out, 0, sizeof *out);
    out->layout = cp_layout(f);
    if (body && cps_decode(body, out))
        cpfile_free(out);
}

/* jsk_merge - the lines of the month's stored 実績 sets (of office, or all when NULL) into out; how many sets */
static size_t jsk_merge(const struct editor *e, const char *office, struct p6_month *out)
{
    size_t sets = 0;
    out->n = 0;
    for (size_t i = 0; i < e->docs.njsk; i++) {
        struct cp_filedata set;
        struct p6_month *one = xmalloc(sizeof *one);
        char why[S7_ERR_BYTES];
        decode_set(e->docs.jsk[i], CP_UPJSK, &set);
        if (set.n && p6_from_set(&set, office, one, why) == 0) {
            sets++;
            for (size_t l = 0; l < one->n && out->n < P6_MAX_LINES; l++)
                out->lines[out->n++] = one->lines[l];
        }
        cpfile_free(&set);
        free(one);
    }
    return sets;
}

static void who_of(const struct req *r, const struct editor *e, struct p6_who *w)
{
    memset(w, 0, sizeof *w);
    w->card = &e->card;
    str_cut(w->plan_office, sizeof w->plan_office, e->office.office_no); /* 自己作成: none */
    str_cut(w->cm_name, sizeof w->cm_name, e->self ? "自己作成" : r->who.acct.display_name);
    struct date t = date_today();
    snprintf(w->made, sizeof w->made, "%04u%02u%02u", (unsigned)t.y % 10000u, (unsigned)t.m % 100u,
             (unsigned)t.d % 100u);
}

/* editor_compute - the 第7表 of e->m (the sent 第7表's prices and the form's) into e->d / e->t; with
 * as_sent the sent 第7表's allocation of the excess (the stored month as it was sent), else the form's */
static void editor_compute(struct req *r, struct editor *e, bool as_sent)
{
    struct p6_who w;
    who_of(r, e, &w);
    struct cp_filedata sikyu;
    decode_set(e->docs.sikyu, CP_UPSIKYU, &sikyu);
    e->given.benefit_rate = p6_benefit_rate(&e->card);
    char office[11] = "", code[7] = "";
    const char *colon = strchr(e->over, ':');
    if (colon && colon - e->over == 10) {
        memcpy(office, e->over, 10);
        str_cut(code, sizeof code, colon + 1);
    }
    if (!e->d)
        e->d = xmalloc(sizeof *e->d);
    if (!srv_codes)
        snprintf(e->why, sizeof e->why, "サービスコード表が読み込まれていないため、第7表を計算できません(kaigo serve --codes)");
    else if (!e->given.benefit_rate)
        snprintf(e->why, sizeof e->why, "被保険者証に負担割合がないため、給付率がわかりません");
    else
        e->computed = p6_compute(&e->m, &w, srv_codes, sikyu.n ? &sikyu : NULL, &e->given, office, code, as_sent,
                                 e->d, &e->t, e->why) == 0;
    /* the line that bears the excess as the radio shows it: the only limit-managed line with any */
    size_t with = 0, at = 0;
    for (size_t l = 0; e->computed && as_sent && l < e->d->in.nlines; l++)
        if (!e->d->lines[l].limit_exempt && e->d->lines[l].over > 0)
            with++, at = l;
    for (size_t o = 0; with == 1 && o < e->d->in.noffices; o++)
        if (at >= e->d->offices[o].first && at < e->d->offices[o].first + e->d->offices[o].n)
            snprintf(e->over, sizeof e->over, "%s:%s", e->d->offices[o].office_no, e->d->lines[at].service_code);
    char *cli = strstr(e->why, "(--"); /* the engine's hint names the CLI's flags: the page has its own fields */
    if (cli)
        str_cut(cli, sizeof e->why - (size_t)(cli - e->why), "(上の「事業所の単位数単価」に入れてください)");
    utf8_scrub(e->why);
    cpfile_free(&sikyu);
}

/* ---- the form (untrusted) ------------------------------------------------------------ */

/* form_month - the form's fields (read by page.c with its named limits) parsed by p6_form, the one parser
 * of the editor's form. -1 with the reason in e->why. */
static int form_month(struct req *r, struct editor *e)
{
    struct p6_field *f = xcalloc(r->form->n ? r->form->n : 1, sizeof *f);
    for (size_t i = 0; i < r->form->n; i++) {
        f[i].name = r->form->f[i].name;
        f[i].value = !r->form->f[i].file && r->form->f[i].value.ptr ? r->form->f[i].value.ptr : "";
    }
    int rc = p6_form(f, r->form->n, e->actual, &e->m, &e->given, e->over, e->why);
    free(f);
    return rc;
}

/* ---- the page ---------------------------------------------------------------------- */

static void person_base(struct buf *h, const struct editor *e)
{
    html_text(h, e->base);
}

static const char *const weekdays[] = {"日", "月", "火", "水", "木", "金", "土"};

/* calendar - the line's days as checkboxes under their weekdays (a table: keyboard users tab
 * through the days, each labelled with its date and weekday) */
static void calendar(struct buf *h, const struct p6_month *m, const struct p6_line *l, size_t i)
{
    int y = m->ym / 100, mo = m->ym % 100, n = p6_days_in_month(m->ym), first = date_weekday((struct date){y, mo, 1});
    html_markupf(h, "<fieldset class=\"days\"><legend>%zu 行目のサービスの日</legend><table class=\"cal\"><thead><tr>", i + 1);
    for (int w = 0; w < 7; w++)
        html_markupf(h, "<th scope=\"col\"%s>%s</th>", w == 0 ? " class=\"sun\"" : w == 6 ? " class=\"sat\"" : "",
                     weekdays[w]);
    html_raw(h, "</tr></thead><tbody><tr>");
    for (int w = 0; w < first; w++)
        html_raw(h, "<td></td>");
    for (int d = 1; d <= n; d++) {
        int w = (first + d - 1) % 7;
        if (w == 0 && d > 1)
            html_raw(h, "</tr><tr>");
        html_markupf(h, "<td><label><input type=\"checkbox\" name=\"d%zu\" value=\"%d\"%s aria-label=\"%d月%d日(%s)\">"
                        "<span>%d</span></label></td>",
                     i, d, l && (l->days >> (d - 1) & 1u) ? " checked" : "", mo, d, weekdays[w], d);
    }
    for (int w = (first + n) % 7; w && w < 7; w++)
        html_raw(h, "<td></td>");
    html_raw(h, "</tr></tbody></table></fieldset>");
}

static void time_value(struct buf *h, const char *hhmm)
{
    if (strlen(hhmm) == 4 && strcmp(hhmm, "9999"))
        html_textf(h, "%.2s:%.2s", hhmm, hhmm + 2);
}

/* planned_days - the days the care manager planned for the line (same code and times): "1日、8日" */
static void planned_days(struct buf *h, const struct editor *e, const struct p6_line *l)
{
    uint32_t days = 0;
    for (size_t i = 0; i < e->planned.n; i++)
        if (!strcmp(e->planned.lines[i].code, l->code) && !strcmp(e->planned.lines[i].office_no, l->office_no) &&
            !strcmp(e->planned.lines[i].start, l->start))
            days |= e->planned.lines[i].days;
    if (!days)
        html_raw(h, "なし");
    for (int d = 1, n = 0; d <= 31; d++)
        if (days >> (d - 1) & 1u)
            html_markupf(h, "%s%d日", n++ ? "、" : "", d);
}

static void line_editor(struct buf *h, const struct editor *e, const struct p6_line *l, size_t i)
{
    const struct svc_code *c = l && srv_codes ? svc_lookup(srv_codes, l->code, e->m.ym) : NULL;
    html_markupf(h, "<section class=\"line panel\" aria-labelledby=\"lh%zu\"><h3 id=\"lh%zu\">%zu 行目", i, i, i + 1);
    if (l && c) {
        html_raw(h, ": ");
        html_text(h, c->name);
    } else if (!l)
        html_raw(h, "(追加する場合に入力)");
    html_raw(h, "</h3>");
    if (!e->actual && l && e->done.n) { /* what the office sent back for this line */
        uint32_t days = 0;
        for (size_t j = 0; j < e->done.n; j++)
            if (!strcmp(e->done.lines[j].office_no, l->office_no) && !strcmp(e->done.lines[j].code, l->code) &&
                !strcmp(e->done.lines[j].start, l->start))
                days |= e->done.lines[j].days;
        html_raw(h, "<p class=\"note\">実績(事業所から): ");
        if (!days)
            html_raw(h, "なし");
        for (int d = 1, k = 0; d <= 31; d++)
            if (days >> (d - 1) & 1u)
                html_markupf(h, "%s%d日", k++ ? "、" : "", d);
        int planned = p6_line_days(l), got = __builtin_popcount(days & l->days);
        if (got < planned)
            html_markupf(h, "(予定 %d 日のうち %d 日)", planned, got);
        html_raw(h, "</p>");
    }
    if (e->actual && l) { /* the provider's own line: office and code as planned, the rest as it went */
        html_raw(h, "<p>");
        html_text(h, l->code);
        html_raw(h, " ・ 予定: ");
        planned_days(h, e, l);
        html_markupf(h, "</p><input type=\"hidden\" name=\"o%zu\" value=\"", i);
        html_text(h, l->office_no);
        html_markupf(h, "\"><input type=\"hidden\" name=\"n%zu\" value=\"", i);
        html_text(h, l->office_name);
        html_markupf(h, "\"><input type=\"hidden\" name=\"c%zu\" value=\"", i);
        html_text(h, l->code);
        html_raw(h, "\">");
    }
    html_raw(h, "<div class=\"fields\">");
    if (!e->actual) {
    html_markupf(h, "<div><label for=\"o%zu\">事業所番号</label><input id=\"o%zu\" name=\"o%zu\" class=\"office-no\" inputmode=\"numeric\" "
                    "maxlength=\"10\" size=\"12\" list=\"offices\" autocomplete=\"off\" value=\"", i, i, i);
    html_text(h, l ? l->office_no : "");
    html_markupf(h, "\"></div><div><label for=\"n%zu\">事業所名</label><input id=\"n%zu\" name=\"n%zu\" size=\"16\" value=\"", i, i, i);
    html_text(h, l ? l->office_name : "");
    html_markupf(h, "\"></div><div><label for=\"c%zu\">サービスコード</label><input id=\"c%zu\" name=\"c%zu\" class=\"svc-code\" maxlength=\"6\" "
                    "size=\"7\" list=\"codes\" autocomplete=\"off\" value=\"", i, i, i);
    html_text(h, l ? l->code : "");
    html_raw(h, "\"></div>");
    }
    html_markupf(h, "<div><label for=\"s%zu\">開始</label><input type=\"time\" id=\"s%zu\" name=\"s%zu\" value=\"", i, i, i);
    if (l)
        time_value(h, l->start);
    html_markupf(h, "\"></div><div><label for=\"e%zu\">終了</label><input type=\"time\" id=\"e%zu\" name=\"e%zu\" value=\"", i, i, i);
    if (l)
        time_value(h, l->end);
    html_markupf(h, "\"></div><div><label for=\"k%zu\">1日の回数</label><input type=\"number\" id=\"k%zu\" name=\"k%zu\" min=\"1\" "
                    "max=\"99\" value=\"%d\"></div>", i, i, i, l ? l->per_day : 1);
    html_raw(h, "</div>");
    calendar(h, &e->m, l, i);
    html_raw(h, "<div class=\"fields\">");
    if (l && !e->actual) {
        char key[24];
        snprintf(key, sizeof key, "%s:%s", l->office_no, l->code);
        html_markupf(h, "<div class=\"check\"><input type=\"radio\" id=\"v%zu\" name=\"over\" value=\"", i);
        html_text(h, key);
        html_markupf(h, "\"%s><label for=\"v%zu\">限度額を超える分をこの行に割り当てる</label></div>",
                     !strcmp(key, e->over) ? " checked" : "", i);
        html_markupf(h, "<div class=\"check\"><input type=\"checkbox\" id=\"x%zu\" name=\"x%zu\" value=\"1\">"
                        "<label for=\"x%zu\">この行を消す</label></div>", i, i, i);
    }
    html_markupf(h, "<div class=\"check\"><input type=\"checkbox\" id=\"t%zu\" name=\"t%zu\" value=\"1\"%s>"
                    "<label for=\"t%zu\">30日超(短期入所の連続利用30日を超える日)</label></div></div></section>",
                 i, i, l && l->over30 ? " checked" : "", i);
}

/* price_inputs - the 単位数単価 of each office on the plan (from the sent 第7表 or as typed) */
static void price_inputs(struct buf *h, const struct editor *e)
{
    html_raw(h, "<fieldset class=\"panel\"><legend>事業所の単位数単価(1単位の円: 入力するか、事業所の地域区分から。"
                "入力した単価が優先)</legend><div class=\"fields prices\">");
    size_t shown = 0;
    for (size_t i = 0; i < e->m.n; i++) {
        const struct p6_line *l = &e->m.lines[i];
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(e->m.lines[j].office_no, l->office_no);
        if (seen || strlen(l->office_no) != 10)
            continue;
        int price = 0, grade = 0;
        for (size_t g = 0; g < e->given.nprices; g++)
            if (!strcmp(e->given.prices[g].office_no, l->office_no)) {
                price = e->given.prices[g].price_x100;
                grade = e->given.prices[g].grade;
            }
        for (size_t o = 0; !price && !grade && e->computed && o < e->d->in.noffices; o++) /* the sent 第7表's */
            if (!strcmp(e->d->offices[o].office_no, l->office_no))
                price = e->d->offices[o].price_x100;
        html_raw(h, "<div><label for=\"p");
        html_text(h, l->office_no);
        html_raw(h, "\">");
        html_text(h, l->office_no);
        if (l->office_name[0]) {
            html_raw(h, " ");
            html_text(h, l->office_name);
        }
        html_raw(h, "</label><input id=\"p");
        html_text(h, l->office_no);
        html_raw(h, "\" name=\"p");
        html_text(h, l->office_no);
        html_raw(h, "\" form=\"plan6\" inputmode=\"decimal\" size=\"6\" placeholder=\"10.00\" value=\"");
        if (price > 0)
            html_textf(h, "%d.%02d", price / 100, price % 100);
        html_raw(h, "\"></div><div><label for=\"g");
        html_text(h, l->office_no);
        html_raw(h, "\">地域区分</label><select id=\"g");
        html_text(h, l->office_no);
        html_raw(h, "\" name=\"g");
        html_text(h, l->office_no);
        html_raw(h, "\" form=\"plan6\"><option value=\"\">(単価を入力)</option>");
        static const char *const grades[] = {"1級地", "2級地", "3級地", "4級地", "5級地", "6級地", "7級地", "その他"};
        for (int g = 1; g <= 8; g++)
            html_markupf(h, "<option value=\"%d\"%s>%s</option>", g, g == grade ? " selected" : "", grades[g - 1]);
        html_raw(h, "</select></div>");
        shown++;
    }
    if (!shown)
        html_raw(h, "<p>事業所番号を入れると、ここに単価の欄が出ます。</p>");
    html_raw(h, "</div></fieldset>");
}

/* sheet7_panel - the 第7表 of the edit (the same renderer as the plan page) */
static void sheet7_panel(struct buf *h, const struct editor *e)
{
    json_t *s7 = NULL;
    if (e->computed) {
        char *js = sheet7json_result(e->d, &e->t);
        s7 = js ? json_loads(js, 0, NULL) : NULL;
        free(js);
    }
    if (!s7)
        s7 = json_pack("{s:s}", "error", e->why[0] ? e->why : "計算できませんでした");
    page_sheet7(h, s7);
    json_decref(s7);
}

static int office_option(void *ctx, const struct org *o)
{
    struct buf *h = ctx;
    if (!o->office_no[0] || o->kind == ORG_INSURER)
        return 0;
    html_raw(h, "<option value=\"");
    html_text(h, o->office_no);
    html_raw(h, "\">");
    html_text(h, o->name);
    html_raw(h, "</option>");
    return 0;
}

static void datalists(struct buf *h, struct store *st, const struct editor *e)
{
    html_raw(h, "<datalist id=\"codes\">");
    for (size_t i = 0; srv_codes && i < srv_codes->n; i++) {
        const struct svc_code *c = &srv_codes->rows[i];
        if (c->from_ym > e->m.ym || c->to_ym < e->m.ym)
            continue;
        html_raw(h, "<option value=\"");
        html_text(h, c->code);
        html_raw(h, "\">");
        html_text(h, c->name);
        html_textf(h, " %lld単位", c->units);
        html_raw(h, "</option>");
    }
    html_raw(h, "</datalist><datalist id=\"offices\">");
    if (st)
        (void)st->acc->org_list(st, office_option, h);
    html_raw(h, "</datalist>");
}

static void month_nav(struct buf *h, const struct editor *e)
{
    int y = e->m.ym / 100, m = e->m.ym % 100;
    int prev = m == 1 ? (y - 1) * 100 + 12 : y * 100 + m - 1, next = m == 12 ? (y + 1) * 100 + 1 : y * 100 + m + 1;
    html_raw(h, "<nav class=\"month\" aria-label=\"対象年月\"><a href=\"");
    person_base(h, e);
    html_markupf(h, "?month=%06d\">前の月</a> <a href=\"", prev);
    person_base(h, e);
    html_markupf(h, "?month=%06d\">次の月</a></nav>", next);
}

struct sent_rows {
    struct buf *h;
    size_t n;
};

static int sent_row(void *ctx, const struct delivery *d)
{
    struct sent_rows *x = ctx;
    struct store *st = thread_store();
    struct org to;
    bool named = st && st->acc->org_get(st, d->to_org, &to) == 0;
    x->n++;
    html_raw(x->h, "<tr><th scope=\"row\">");
    html_text(x->h, named ? to.name : d->to_org);
    if (named && to.office_no[0]) {
        html_raw(x->h, "<br><span class=\"hint\">");
        html_text(x->h, to.office_no);
        html_raw(x->h, "</span>");
    }
    html_raw(x->h, "</th><td data-label=\"内容\">");
    html_text(x->h, !strncmp(d->what, "month:", 6) ? "提供票(第6表・第7表)" : !strncmp(d->what, "plan:", 5) ? "計画(第1〜3表)"
                    : !strncmp(d->what, "jsk:", 4) ? "実績" : d->what);
    html_raw(x->h, " ");
    html_text(x->h, strchr(d->what, ':') ? strchr(d->what, ':') + 1 : "");
    html_raw(x->h, "</td><td data-label=\"送信\">");
    h_date_ms(x->h, d->created_ms, true);
    html_raw(x->h, "</td><td data-label=\"状況\">");
    html_raw(x->h, d->acked_ms        ? "<span class=\"badge ok\">受領確認済</span>"
                   : d->downloaded_ms ? "<span class=\"badge ok\">取り込み済</span>"
                                      : "<span class=\"badge warn\">未受領</span>");
    if (d->acked_ms) {
        html_raw(x->h, " ");
        h_date_ms(x->h, d->acked_ms, true);
    }
    html_raw(x->h, "</td></tr>");
    return 0;
}

/* sent_list - what this office sent about the person and whether each office has taken it (read after 計画 was
 * allowed: the editor's disclosures) */
static void sent_list(struct buf *h, const struct editor *e)
{
    struct store *st = thread_store();
    html_raw(h, "<section class=\"panel\" id=\"sent\" aria-labelledby=\"sent-h\"><h2 id=\"sent-h\">送信の状況</h2>");
    struct buf rows;
    buf_init(&rows, 1u << 20);
    struct sent_rows x = {&rows, 0};
    if (!st || st->acc->deliveries_sent(st, &e->k, e->a.org, sent_row, &x))
        html_raw(h, "<p>送信の状況を読めませんでした。</p>");
    else if (!x.n)
        html_raw(h, "<p>この方について、この事業所から送ったものはまだありません。</p>");
    else {
        html_raw(h, "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-labelledby=\"sent-h\"><table class=\"stack\">"
                    "<thead><tr><th scope=\"col\">送信先</th><th scope=\"col\">内容</th><th scope=\"col\">送信</th>"
                    "<th scope=\"col\">状況</th></tr></thead><tbody>");
        if (rows.ptr)
            buf_add(h, rows.ptr, rows.len);
        html_raw(h, "</tbody></table></div>");
    }
    buf_release(&rows);
    html_raw(h, "</section>");
}

static int editor_page(struct req *r, struct editor *e, const char *notice, const char *error)
{
    struct buf h;
    page_start(r, &h, e->actual ? "サービス提供の実績" : e->self ? "サービス利用票(第6表)の自己作成" : "サービス利用票(第6表)の作成");
    struct date month = {e->m.ym / 100, e->m.ym % 100, 1};
    struct buf w;
    buf_init(&w, 64);
    (void)wareki_format(month, WAREKI_LONG, &w);
    char *mw = w.ptr && strstr(w.ptr, "月") ? w.ptr : NULL;
    if (mw)
        strstr(mw, "月")[strlen("月")] = '\0';
    html_raw(&h, e->actual ? "<h1>サービス提供の実績 " : e->self ? "<h1>サービス利用票(第6表)の自己作成 " : "<h1>サービス利用票(第6表)の作成 ");
    html_text(&h, mw ? mw : "");
    html_raw(&h, "分</h1><p>");
    html_text(&h, e->card.person.name);
    html_raw(&h, "(");
    html_text(&h, e->k.insurer_no);
    html_raw(&h, " ");
    html_text(&h, e->k.insured_no);
    html_raw(&h, ") ");
    html_text(&h, level_certified(e->card.cert.level) ? level_name(e->card.cert.level) : "認定なし");
    if (e->card.burden.ratio)
        html_textf(&h, "、負担割合 %d割", e->card.burden.ratio);
    if (e->actual)
        html_raw(&h, "。ケアマネジャーの提供票(第6表)の予定のうち、この事業所の分です。提供した日と時刻に直して"
                     "「実績を送信」を押すと、実績(ケアプランデータ連携 v4.1 の実績ファイル)をケアマネジャーの事業所へ送ります。"
                     "提供しなかった行は日の印をすべて外してください。</p>");
    else if (e->self)
        html_raw(&h, "。ケアマネジャーに頼まず自分で計画を立てる場合(自己作成)の、サービス利用票と別表です。事業所番号・"
                     "サービスコード・時刻・日を入れると、第7表(区分支給限度額と利用者負担)を計算します。できたら PDF を印刷して、"
                     "利用する月の前に市町村の窓口に届け出てください。ここで作ったものは保存も送信もされません。</p>");
    else
        html_raw(&h, "。サービスごとに事業所番号・サービスコード・時刻・日を入れると、第7表(区分支給限度額と利用者負担)"
                     "を計算します。「提供票を送信」で、計画にある事業所それぞれへ第6表・第7表・利用者補足情報を送ります"
                     "(ケアプランデータ連携 v4.1)。</p>");
    buf_release(&w);
    month_nav(&h, e);
    if (!e->actual && !e->self) { /* the month's state: 作成中 → 交付済 → 送信済 → 実績受領 */
        html_raw(&h, "<p id=\"plan-state\">この月の状態: ");
        html_raw(&h, e->done.n ? "<span class=\"badge ok\">実績受領</span> "
                     : e->docs.plan ? "<span class=\"badge ok\">送信済</span> " : "");
        if (e->pm.issued_ms) {
            html_raw(&h, "<span class=\"badge ok\">交付済</span> ");
            h_date_ms(&h, e->pm.issued_ms, false);
            html_raw(&h, " ");
        }
        if (e->pm.draft_ms) {
            html_raw(&h, "<span class=\"badge warn\">作成中</span> 下書き ");
            h_date_ms(&h, e->pm.draft_ms, true);
        }
        if (!e->done.n && !e->docs.plan && !e->pm.issued_ms && !e->pm.draft_ms)
            html_raw(&h, "<span class=\"badge warn\">未作成</span>");
        html_raw(&h, "</p>");
    }
    page_alerts(&h, notice, error);
    html_raw(&h, "<form method=\"post\" id=\"plan6\"");
    if (!e->actual) {
        html_raw(&h, " data-sheet7=\"");
        person_base(&h, e);
        html_raw(&h, "/sheet7\"");
    }
    html_raw(&h, " action=\"");
    person_base(&h, e);
    html_raw(&h, "\">");
    page_csrf_field(r, &h);
    html_markupf(&h, "<input type=\"hidden\" name=\"ym\" value=\"%06d\">", e->m.ym);
    for (size_t i = 0; i < e->m.n; i++)
        line_editor(&h, e, &e->m.lines[i], i);
    if (e->actual) {
        if (!e->m.n)
            html_raw(&h, "<p>この月の提供票に、この事業所のサービスはありません。</p>");
        html_raw(&h, "<div class=\"actions\"><button type=\"submit\" name=\"action\" value=\"send\">実績を送信</button>"
                     "</div></form><p><a href=\"/office/inbox\">受信一覧へ戻る</a></p>");
        return page_send(r, &h, error ? 422 : 200);
    }
    for (size_t i = 0; i < P6_FORM_LINES - P6_MAX_LINES && e->m.n + i < P6_FORM_LINES; i++)
        line_editor(&h, e, NULL, e->m.n + i);
    html_raw(&h, "<div class=\"check panel\"><input type=\"radio\" id=\"vdefault\" name=\"over\" value=\"\"");
    html_raw(&h, e->over[0] ? "" : " checked");
    html_raw(&h, "><label for=\"vdefault\">限度額を超える分は、最後の行からさかのぼって割り当てる(標準)</label></div>");
    datalists(&h, thread_store(), e);
    /* the prices and the 第7表 follow the lines; kaigo.js replaces them together as the form changes (the
     * price inputs and the buttons belong to the form by their form attribute) */
    html_raw(&h, "</form><div id=\"sheet7-live\">");
    price_inputs(&h, e);
    sheet7_panel(&h, e);
    if (e->self) { /* computed and printed; nothing kept, nothing sent */
        html_raw(&h, "</div><div class=\"actions\"><button type=\"submit\" form=\"plan6\" name=\"action\" value=\"compute\" "
                     "class=\"secondary\">第7表を計算</button> <button type=\"submit\" form=\"plan6\" formaction=\"");
        person_base(&h, e);
        html_raw(&h, "/pdf\">PDF で印刷(市町村への届出用)</button></div>");
        return page_send(r, &h, error ? 422 : 200);
    }
    html_raw(&h, "</div><div class=\"actions\"><button type=\"submit\" form=\"plan6\" name=\"action\" value=\"compute\" "
                 "class=\"secondary\">第7表を計算</button> <button type=\"submit\" form=\"plan6\" name=\"action\" "
                 "value=\"draft\" class=\"secondary\">下書き保存</button> <button type=\"submit\" form=\"plan6\" "
                 "name=\"action\" value=\"issue\" class=\"secondary\">利用者に交付した</button> <button type=\"submit\" "
                 "form=\"plan6\" name=\"action\" value=\"send\">提供票を送信</button>");
    if (e->pm.draft_ms)
        html_raw(&h, " <button type=\"submit\" form=\"plan6\" name=\"action\" value=\"discard\" class=\"secondary\">"
                     "下書きを破棄</button>");
    html_raw(&h, "</div><p><a href=\"");
    person_base(&h, e);
    html_markupf(&h, "/pdf?month=%06d\">第6表・第7表を PDF で印刷</a></p>", e->m.ym);
    sent_list(&h, e);
    /* モニタリング訪問 (運営基準 第13条第14号): the last one and a form to record one */
    html_raw(&h, "<section class=\"panel\" id=\"visit\" aria-labelledby=\"visit-h\"><h2 id=\"visit-h\">モニタリング訪問</h2><p>"
                 "前回の居宅訪問: ");
    if (date_is_none(e->last_home))
        html_raw(&h, "記録なし");
    else {
        char iso[11];
        date_iso(e->last_home, iso);
        h_date(&h, iso);
    }
    html_raw(&h, e->video_after ? "(その後テレビ電話装置等で実施)" : "");
    html_raw(&h, "。次の期限は「取扱件数」の「モニタリング訪問の予定」にあります。</p><form method=\"post\" class=\"stack\" action=\"");
    person_base(&h, e);
    html_raw(&h, "\">");
    page_csrf_field(r, &h);
    char today[11];
    date_iso(date_today(), today);
    html_markupf(&h, "<input type=\"hidden\" name=\"ym\" value=\"%06d\"><div><label for=\"visit_on\">訪問日</label>"
                     "<input type=\"date\" id=\"visit_on\" name=\"visit_on\" value=\"%s\" max=\"%s\" required></div>",
                 e->m.ym, today, today);
    html_raw(&h, "<fieldset><legend>方法</legend><div class=\"check\"><input type=\"radio\" id=\"visit-home\" name=\"visit_kind\" "
                 "value=\"home\" checked><label for=\"visit-home\">利用者の居宅を訪問して面接</label></div><div class=\"check\">"
                 "<input type=\"radio\" id=\"visit-video\" name=\"visit_kind\" value=\"video\"><label for=\"visit-video\">"
                 "テレビ電話装置等(利用者の同意と、主治医・担当者の意見を得て、条件を満たしている場合)</label></div></fieldset>"
                 "<div><button type=\"submit\" name=\"action\" value=\"visit\" class=\"secondary\">訪問を記録</button></div>"
                 "</form></section><p><a href=\"/p/");
    html_text(&h, e->k.insurer_no);
    html_raw(&h, "/");
    html_text(&h, e->k.insured_no);
    html_raw(&h, "/plan\">送った計画と第7表を見る</a> ・ <a href=\"/office/people\">利用者一覧へ戻る</a></p>");
    return page_send(r, &h, error ? 422 : 200);
}

static void editor_free(struct editor *e)
{
    docs_free(&e->docs);
    free(e->draft);
    free(e->d);
    sodium_memzero(&e->card, sizeof e->card);
}

/* draft_month - the saved draft (the form's fields as typed) parsed by p6_form like a posted form */
static int draft_month(struct editor *e)
{
    json_t *a = json_loads(e->draft, 0, NULL);
    size_t n = json_array_size(a);
    struct p6_field *f = xcalloc(n ? n : 1, sizeof *f);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *pair = json_array_get(a, i);
        const char *name = json_string_value(json_array_get(pair, 0)), *v = json_string_value(json_array_get(pair, 1));
        if (name && v)
            f[k++] = (struct p6_field){name, v};
    }
    int rc = a ? p6_form(f, k, false, &e->m, &e->given, e->over, e->why) : -1;
    free(f);
    json_decref(a);
    return rc;
}

/* draft_json - the posted form's fields (not the CSRF token or the button) as the draft to keep */
static char *draft_json(struct req *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->form->n; i++) {
        const struct form_field *x = &r->form->f[i];
        if (x->file || !strcmp(x->name, "csrf") || !strcmp(x->name, "action") || !strcmp(x->name, "ym"))
            continue;
        json_array_append_new(a, json_pack("[s,s]", x->name, x->value.ptr ? x->value.ptr : ""));
    }
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s;
}

/* GET /office/plan/{insurer}/{insured}[?month=YYYYMM]: the saved draft (作成中), else the month as sent */
int p_plan_editor(struct req *r)
{
    struct editor *e = xcalloc(1, sizeof *e);
    int rc = 0;
    if (editor_load(r, e) == 0) {
        char why[S7_ERR_BYTES] = "", notice[160] = "";
        int ym = e->m.ym;
        jsk_merge(e, NULL, &e->done);
        if (e->draft && draft_month(e) == 0) {
            editor_compute(r, e, false);
            snprintf(notice, sizeof notice, "保存した下書きを開いています(作成中)。「提供票を送信」するまで、事業所には届きません。");
        } else {
            struct cp_filedata plan;
            decode_set(e->docs.plan, CP_UPPLAN, &plan);
            if (plan.n && p6_from_set(&plan, NULL, &e->m, why))
                e->m.n = 0;
            e->m.ym = ym;
            cpfile_free(&plan);
            if (e->m.n)
                editor_compute(r, e, true);
            else
                snprintf(e->why, sizeof e->why, "この月の第6表はまだありません。サービスを入れてください。");
        }
        const char *sent = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "sent");
        const char *done = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "done");
        if (sent)
            snprintf(notice, sizeof notice, "提供票を %d 事業所へ送信しました。", (int)strtol(sent, NULL, 10) % 100);
        else if (done && !strcmp(done, "issued"))
            snprintf(notice, sizeof notice, "利用者に交付したことを記録しました(交付済)。");
        else if (done && !strcmp(done, "discarded"))
            snprintf(notice, sizeof notice, "下書きを破棄しました。");
        else if (done && !strcmp(done, "visited"))
            snprintf(notice, sizeof notice, "モニタリング訪問を記録しました。");
        rc = editor_page(r, e, notice[0] ? notice : NULL, why[0] ? why : NULL);
    }
    editor_free(e);
    free(e);
    return rc;
}

/* jst_stamp - a send unit's 14-digit 作成日時 (JST) */
static void jst_stamp(char stamp[15])
{
    time_t now = (time_t)(clock_now_ms() / 1000) + 9 * 3600;
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, 15, "%Y%m%d%H%M%S", &tm);
}

/* accept_files - files the page made, read back with every check of an upload and given to unit_accept (stored
 * and delivered, all or nothing); -1 with "<label>ができませんでした: <the first problem>" in e->why */
static int accept_files(struct editor *e, const struct p6_file *files, size_t n, const char *label)
{
    struct cp_filedata fd[3];
    const char *names[3];
    struct upload_errs ue = {json_array(), ""};
    n = n > 3 ? 3 : n;
    for (size_t f = 0; f < n; f++) {
        names[f] = files[f].name;
        ue.file = names[f];
        cpfile_read(files[f].name, files[f].bytes, files[f].len, &fd[f], upload_err, &ue);
    }
    long sets;
    int rc = unit_accept(thread_store(), &e->a, &e->office, fd, names, n, &ue, &sets);
    for (size_t f = 0; f < n; f++)
        cpfile_free(&fd[f]);
    if (rc) {
        const char *first = json_string_value(json_array_get(ue.arr, 0));
        snprintf(e->why, sizeof e->why, "%sができませんでした: %s", label,
                 rc < 0 ? "内部エラー" : first ? first : "送信単位に誤りがあります");
        utf8_scrub(e->why);
    }
    json_decref(ue.arr);
    return rc ? -1 : 0;
}

/* send - a unit for each office on the plan, each through unit_accept; how many offices, or -1
 * with the reason in e->why */
static int send_units(struct req *r, struct editor *e)
{
    struct p6_who w;
    who_of(r, e, &w);
    char stamp[15];
    jst_stamp(stamp);
    int sent = 0;
    for (size_t i = 0; i < e->m.n; i++) {
        const struct p6_line *l = &e->m.lines[i];
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(e->m.lines[j].office_no, l->office_no);
        if (seen)
            continue;
        char kind[3];
        str_cut(kind, sizeof kind, l->code);
        struct p6_file files[3];
        if (p6_unit(&e->m, &w, srv_codes, e->d, &e->t, l->office_no, kind, stamp, files, e->why))
            return -1;
        char label[64];
        snprintf(label, sizeof label, "事業所 %s への送信", l->office_no);
        int rc = accept_files(e, files, 3, label);
        p6_unit_free(files, 3);
        if (rc)
            return -1;
        sent++;
    }
    return sent;
}

/* POST /office/plan/{insurer}/{insured}: action=compute (the page again with the 第7表) or send */
int p_plan_editor_post(struct req *r)
{
    struct editor *e = xcalloc(1, sizeof *e);
    int rc = 0;
    if (editor_load(r, e) == 0) {
        const char *error = NULL;
        const char *action = form_str(r, "action");
        struct store *st = thread_store();
        if (e->self && strcmp(action, "compute")) /* 自己作成 keeps and sends nothing */
            action = "compute";
        char loc[128];
        snprintf(loc, sizeof loc, "/office/plan/%s/%s?month=%06d&done=", e->k.insurer_no, e->k.insured_no, e->m.ym);
        if (!strcmp(action, "visit")) { /* モニタリング訪問 (運営基準 第13条第14号): recorded, then back */
            struct date on;
            const char *why, *v = form_str(r, "visit_on");
            struct date today = date_today();
            if (date_parse_iso(v, strlen(v), &on, &why) || date_cmp(on, today) > 0 ||
                date_days_between(on, today) > 366)
                rc = page_error(r, 400, "訪問日が正しくありません", "訪問日は今日までの1年以内の日付で入れてください。");
            else if (st->acc->visit_add(st, &e->k, e->a.org, on, !strcmp(form_str(r, "visit_kind"), "video"),
                                        clock_now_ms(), e->a.id))
                rc = http_error(r, 500, "internal", "内部エラーが発生しました");
            else {
                str_cut(loc + strlen(loc), sizeof loc - strlen(loc), "visited");
                rc = page_redirect(r, loc);
            }
            editor_free(e);
            free(e);
            return rc;
        }
        if (!strcmp(action, "discard") || !strcmp(action, "issue")) { /* the month's state, not its lines */
            int w = !strcmp(action, "discard")
                        ? st->acc->plan_draft_put(st, &e->k, e->a.org, e->docs.month, NULL, clock_now_ms(), e->a.id)
                        : st->acc->plan_issued(st, &e->k, e->a.org, e->docs.month, clock_now_ms(), e->a.id);
            str_cut(loc + strlen(loc), sizeof loc - strlen(loc), action[0] == 'd' ? "discarded" : "issued");
            rc = w ? http_error(r, 500, "internal", "内部エラーが発生しました") : page_redirect(r, loc);
            editor_free(e);
            free(e);
            return rc;
        }
        if (form_month(r, e))
            error = e->why;
        else
            editor_compute(r, e, false);
        if (!strcmp(action, "draft")) { /* 作成中: kept as typed, even with mistakes, sent to no one */
            char *d = draft_json(r);
            int w = d ? st->acc->plan_draft_put(st, &e->k, e->a.org, e->docs.month, d, clock_now_ms(), e->a.id) : -1;
            free(d);
            if (w)
                rc = http_error(r, 500, "internal", "内部エラーが発生しました");
            else {
                e->pm.draft_ms = clock_now_ms();
                rc = editor_page(r, e, "下書きを保存しました(作成中)。まだ事業所には届いていません。", error);
            }
            editor_free(e);
            free(e);
            return rc;
        }
        if (!error && !strcmp(action, "send")) {
            int n = e->computed ? send_units(r, e) : -1;
            if (n > 0 && e->pm.draft_ms) /* sent: the draft is what was sent */
                (void)thread_store()->acc->plan_draft_put(thread_store(), &e->k, e->a.org, e->docs.month, NULL,
                                                          clock_now_ms(), e->a.id);
            if (n > 0) {
                snprintf(loc, sizeof loc, "/office/plan/%s/%s?month=%06d&sent=%d", e->k.insurer_no, e->k.insured_no,
                         e->m.ym, n);
                rc = page_redirect(r, loc);
                editor_free(e);
                free(e);
                return rc;
            }
            error = e->why[0] ? e->why : "送信できませんでした";
        }
        rc = editor_page(r, e, NULL, error);
    }
    editor_free(e);
    free(e);
    return rc;
}

/* POST …/sheet7 - the 第7表 panel alone, for kaigo.js to swap in as the form changes */
int p_plan_sheet7(struct req *r)
{
    struct editor *e = xcalloc(1, sizeof *e);
    int rc = 0;
    if (editor_load(r, e) == 0) {
        if (form_month(r, e) == 0)
            editor_compute(r, e, false);
        struct buf h;
        buf_init(&h, 8192);
        price_inputs(&h, e);
        sheet7_panel(&h, e);
        if (buf_failed(&h))
            rc = http_error(r, 500, "internal", "内部エラーが発生しました");
        else {
            size_t len;
            char *body = buf_detach(&h, &len);
            rc = respond_raw(r, 200, "text/html; charset=utf-8", body, len, NULL, NULL);
        }
    }
    editor_free(e);
    free(e);
    return rc;
}

/* ---- the provider's 実績 ------------------------------------------------------------ */

/* actual_load - the provider's month: this office's lines of the care manager's 第6表 (予定) in
 * e->planned, and the 実績 as last sent (or the 予定 to start from) in e->m. */
static int actual_load(struct req *r, struct editor *e)
{
    e->actual = true;
    if (editor_load(r, e))
        return -1;
    char why[S7_ERR_BYTES];
    int ym = e->m.ym;
    struct cp_filedata set;
    decode_set(e->docs.plan, CP_UPPLAN, &set);
    if (set.n && p6_from_set(&set, e->office.office_no, &e->planned, why))
        memset(&e->planned, 0, sizeof e->planned);
    cpfile_free(&set);
    e->planned.ym = ym;
    if (!jsk_merge(e, e->office.office_no, &e->m))
        e->m = e->planned;
    e->m.ym = ym;
    return 0;
}

/* GET /office/actual/{insurer}/{insured}[?month=YYYYMM] */
int p_actual_editor(struct req *r)
{
    struct editor *e = xcalloc(1, sizeof *e);
    int rc = 0;
    if (actual_load(r, e) == 0) {
        const char *sent = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "sent");
        rc = editor_page(r, e, sent ? "実績を送信しました。" : NULL, NULL);
    }
    editor_free(e);
    free(e);
    return rc;
}

/* POST /office/actual/{insurer}/{insured}: the 実績 (UPJSK) to the care manager's office */
int p_actual_editor_post(struct req *r)
{
    struct editor *e = xcalloc(1, sizeof *e);
    int rc = 0;
    if (actual_load(r, e) == 0) {
        const char *error = NULL;
        if (!e->planned.plan_office[0])
            error = "この月の提供票(第6表)が届いていないため、送り先のケアマネジャーの事業所がわかりません";
        else if (form_month(r, e))
            error = e->why;
        else if (!e->m.n)
            error = "提供した日がひとつもありません。提供しなかった月の実績は送りません(日の印を確かめてください)";
        else {
            struct p6_who w;
            who_of(r, e, &w);
            str_cut(w.plan_office, sizeof w.plan_office, e->planned.plan_office);
            str_cut(w.cm_name, sizeof w.cm_name, e->planned.cm_name);
            char stamp[15], kind[3];
            jst_stamp(stamp);
            str_cut(kind, sizeof kind, e->m.n ? e->m.lines[0].code : "");
            struct p6_file f;
            if (p6_actual_file(&e->m, &w, srv_codes, e->office.office_no, kind, stamp, &f, e->why))
                error = e->why;
            else {
                int u = accept_files(e, &f, 1, "実績の送信");
                p6_unit_free(&f, 1);
                if (u)
                    error = e->why;
            }
        }
        if (!error) {
            char loc[96];
            snprintf(loc, sizeof loc, "/office/actual/%s/%s?month=%06d&sent=1", e->k.insurer_no, e->k.insured_no, e->m.ym);
            rc = page_redirect(r, loc);
        } else
            rc = editor_page(r, e, NULL, error);
    }
    editor_free(e);
    free(e);
    return rc;
}

/* ---- the month as the forms, PDF ---------------------------------------------------- */

static int to_buf(void *ctx, const unsigned char *data, unsigned int len)
{
    buf_add(ctx, (const char *)data, len);
    return buf_failed(ctx) ? -1 : 0;
}

static void wareki_text(struct date d, char *out, size_t cap)
{
    struct buf w;
    buf_init(&w, 64);
    out[0] = '\0';
    if (!date_is_none(d) && wareki_format(d, WAREKI_LONG, &w) == 0 && w.ptr)
        str_cut(out, cap, w.ptr);
    buf_release(&w);
}

/* GET /office/plan/{insurer}/{insured}/pdf[?month=YYYYMM]: the month (the draft, else as sent) as the 第6表 and
 * 第7表 shaped like the 様式, with the 実績 the offices sent; POST …/plan/edit/pdf (自己作成): the posted month */
int p_plan_pdf(struct req *r)
{
    struct editor *e = xcalloc(1, sizeof *e);
    int rc = 0;
    if (editor_load(r, e)) {
        editor_free(e);
        free(e);
        return 0;
    }
    int ym = e->m.ym;
    jsk_merge(e, NULL, &e->done);
    if (r->form) { /* 自己作成: the month as posted (kept nowhere) */
        if (form_month(r, e)) {
            rc = page_error(r, 422, "印刷できません", e->why);
            editor_free(e);
            free(e);
            return rc;
        }
        editor_compute(r, e, false);
    } else if (!(e->draft && draft_month(e) == 0)) {
        struct cp_filedata plan;
        char why[S7_ERR_BYTES];
        decode_set(e->docs.plan, CP_UPPLAN, &plan);
        if (plan.n && p6_from_set(&plan, NULL, &e->m, why))
            e->m.n = 0;
        cpfile_free(&plan);
        e->m.ym = ym;
        if (e->m.n)
            editor_compute(r, e, true);
    } else
        editor_compute(r, e, false);
    if (!e->m.n) {
        rc = page_error(r, 404, "第6表がありません", "この月の第6表はまだありません。");
        editor_free(e);
        free(e);
        return rc;
    }
    struct form6_line *lines = xcalloc(e->m.n, sizeof *lines);
    char (*times)[32] = xcalloc(e->m.n, sizeof *times);
    for (size_t i = 0; i < e->m.n; i++) {
        const struct p6_line *l = &e->m.lines[i];
        const struct svc_code *c = srv_codes ? svc_lookup(srv_codes, l->code, e->m.ym) : NULL;
        if (strcmp(l->start, "9999"))
            snprintf(times[i], sizeof times[i], "%.2s:%.2s〜%.2s:%.2s", l->start, l->start + 2, l->end, l->end + 2);
        lines[i].time = times[i];
        lines[i].service = c ? c->name : l->code;
        lines[i].office = l->office_name[0] ? l->office_name : l->office_no;
        lines[i].planned = l->days;
        lines[i].per_day = l->per_day;
        for (size_t j = 0; j < e->done.n; j++)
            if (!strcmp(e->done.lines[j].office_no, l->office_no) && !strcmp(e->done.lines[j].code, l->code) &&
                !strcmp(e->done.lines[j].start, l->start))
                lines[i].actual |= e->done.lines[j].days;
    }
    const char **line_names = e->computed ? xcalloc(e->d->in.nlines + 1, sizeof *line_names) : NULL;
    for (size_t i = 0; e->computed && i < e->d->in.nlines; i++) {
        const struct svc_code *c = srv_codes ? svc_lookup(srv_codes, e->d->lines[i].service_code, e->m.ym) : NULL;
        line_names[i] = c ? c->name : e->d->lines[i].service_code;
    }
    char month_text[64], birth[64], valid[160], made[64], from[64], to[64], office[200];
    struct date month = {e->m.ym / 100, e->m.ym % 100, 1};
    wareki_text(month, month_text, sizeof month_text);
    char *dd = strstr(month_text, "月");
    if (dd)
        str_cut(dd, sizeof month_text - (size_t)(dd - month_text), "月分");
    wareki_text(e->card.person.birth, birth, sizeof birth);
    wareki_text(e->card.cert.valid_from, from, sizeof from);
    wareki_text(e->card.cert.valid_to, to, sizeof to);
    snprintf(valid, sizeof valid, "%s〜%s", from, to);
    wareki_text(date_today(), made, sizeof made);
    if (e->self)
        str_cut(office, sizeof office, "自己作成");
    else
        snprintf(office, sizeof office, "%s(%s)", e->office.name, e->office.office_no);
    struct date on = {e->m.ym / 100, e->m.ym % 100, 1};
    struct forms67 f = {
        e->m.ym / 100, e->m.ym % 100, month_text, e->k.insurer_no, e->k.insured_no, e->card.person.kana,
        e->card.person.name, birth,
        level_certified(e->card.cert.level) ? level_name(e->card.cert.level) : "",
        e->computed ? e->t.limit_units : (level_certified(e->card.cert.level) ? level_kubun_limit(e->card.cert.level, on) : 0),
        valid, made, office, lines, e->m.n, e->done.n > 0,
        e->computed ? &e->d->in : NULL, e->computed ? &e->t : NULL, e->computed ? e->d->name_of : NULL, line_names};
    struct buf pdf;
    buf_init(&pdf, 64u << 20);
    const char *why = NULL;
    int prc = print_forms67(&f, to_buf, &pdf, &why);
    free(lines);
    free(times);
    free(line_names);
    if (prc) {
        buf_release(&pdf);
        rc = page_error(r, 422, "印刷できません", why ? why : "PDF を作れませんでした");
    } else {
        size_t len;
        char *body = buf_detach(&pdf, &len);
        char disp[96];
        snprintf(disp, sizeof disp, "inline; filename=\"sheet67-%06d.pdf\"", e->m.ym);
        rc = respond_raw(r, 200, "application/pdf", body, len, "Content-Disposition", disp);
    }
    editor_free(e);
    free(e);
    return rc;
}
