/*
 * page_people.c - the office's 利用者一覧 (issue #18 §1): the persons the office has an open care
 * relationship with, one row each - 要介護状態区分, 認定有効期間 with the 更新 window and overdue
 * marks, 負担割合, this month's plan state - sortable and filterable by query parameters (links and
 * a GET form: no script needed, keyboard and screen readers get the same table).
 *
 * SECURITY: the rows come from disclose_office_people (service/disclose.c): each person decided and
 * audited for 資格 (and for 計画 before its plan state is read) before anything about it is read;
 * refused persons are only counted. Nothing personal is in the URL (sort and filter are words).
 * Ownership: the rows are copied into a list owned by the handler and wiped after rendering.
 * Failure: an audit that cannot be made durable is 503, nothing shown.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/caseload.h"
#include "domain/certification.h"
#include "http/limits.h"
#include "http/page.h"
#include "service/disclose.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* 更新申請 opens 60 days before the end of the 有効期間 (施行規則 第39条; the dated rate
 * cert_renew_window_days, domain/certification.c) */
enum renew_state { RENEW_NONE, RENEW_OK, RENEW_WINDOW, RENEW_OVERDUE };

struct person_row {
    struct person_key k;
    char name[NAME_BYTES], kana[NAME_BYTES];
    enum care_level level;
    bool has_cert, pending;
    struct date valid_to;
    int days_left; /* to valid_to */
    enum renew_state renew;
    int burden; /* 0: none */
    bool plan_shown;
    enum office_plan_state plan;
    bool draft, issued; /* 作成中 (a draft saved in the editor), 交付済 (handed to the person) */
    struct date visit_due; /* モニタリング: the next home visit's month-end (monitor_due) */
    bool visit_overdue, visit_never;
};

struct people {
    struct person_row *v;
    size_t n, cap;
    struct date today;
};

static int keep_person(void *ctx, const struct office_person *p)
{
    struct people *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    struct person_row *x = &l->v[l->n++];
    memset(x, 0, sizeof *x);
    const struct card *c = p->card;
    x->k = c->person.key;
    str_cut(x->name, sizeof x->name, c->person.name);
    str_cut(x->kana, sizeof x->kana, c->person.kana);
    x->has_cert = c->has_cert;
    x->pending = c->pending;
    x->valid_to = DATE_NONE;
    if (c->has_cert)
        x->level = c->cert.level;
    /* a 事業対象者 (基本チェックリスト) has no 有効期間, so nothing to renew and nothing expires */
    if (c->has_cert && !date_is_none(c->cert.valid_to)) {
        x->valid_to = c->cert.valid_to;
        x->days_left = date_days_between(l->today, c->cert.valid_to);
        x->renew = x->days_left < 0                                                    ? RENEW_OVERDUE
                   : date_cmp(l->today, cert_renewal_opens(c->cert.valid_to)) >= 0 ? RENEW_WINDOW
                                                                                   : RENEW_OK;
    }
    x->burden = c->has_burden ? c->burden.ratio : 0;
    x->plan_shown = p->plan_shown;
    x->plan = p->plan_state;
    x->draft = p->draft_ms != 0;
    if (p->plan_shown && x->has_cert) /* RULE-CM-003, from the office's recorded visits */
        x->visit_due = monitor_due(x->level, p->last_home, p->video_after, l->today, &x->visit_overdue);
    x->visit_never = date_is_none(p->last_home);
    x->issued = p->issued_ms != 0;
    return 0;
}

/* ---- sorting and filtering (words in the query string) ---------------------------------- */

/* the words the query string may carry, and what they mean on the page */
struct choice {
    const char *word, *label;
};
static const struct choice sorts[] = {
    {"kana", "氏名(カナ)"}, {"no", "被保険者番号"}, {"level", "要介護状態区分"}, {"valid", "有効期間の終わり"},
    {"burden", "負担割合"},  {"plan", "今月の計画"},
};
static const struct choice filters[] = {
    {"all", "すべて"},
    {"renew", "更新の時期・期限切れ"},
    {"noplan", "今月の第6表がない"},
    {"visit", "モニタリング訪問が今月まで・期限超過"},
};

static _Thread_local const char *sort_word; /* qsort's comparator: this request's sort */

static int cmp_row(const void *pa, const void *pb)
{
    const struct person_row *a = pa, *b = pb;
    int c = 0;
    if (!strcmp(sort_word, "no"))
        c = 0;
    else if (!strcmp(sort_word, "level"))
        c = a->has_cert != b->has_cert ? (a->has_cert ? -1 : 1) : -level_cmp(a->level, b->level);
    else if (!strcmp(sort_word, "valid"))
        c = date_is_none(a->valid_to) != date_is_none(b->valid_to) ? (date_is_none(a->valid_to) ? 1 : -1)
                                                                    : date_cmp(a->valid_to, b->valid_to);
    else if (!strcmp(sort_word, "burden"))
        c = b->burden - a->burden;
    else if (!strcmp(sort_word, "plan"))
        c = (int)a->plan - (int)b->plan;
    else
        c = strcmp(a->kana, b->kana);
    if (!c)
        c = strcmp(a->k.insurer_no, b->k.insurer_no);
    return c ? c : strcmp(a->k.insured_no, b->k.insured_no);
}

/* choose - the query parameter name if it is one of the words of c, else the first */
static const char *choose(struct req *r, const char *name, const struct choice *c, size_t n)
{
    const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
    for (size_t i = 0; v && i < n; i++)
        if (!strcmp(v, c[i].word))
            return c[i].word;
    return c[0].word;
}

/* options - the <option>s of a select over c, the chosen one selected */
static void options(struct buf *h, const struct choice *c, size_t n, const char *chosen)
{
    for (size_t i = 0; i < n; i++) {
        html_raw(h, "<option value=\"");
        html_text(h, c[i].word);
        html_raw(h, !strcmp(c[i].word, chosen) ? "\" selected>" : "\">");
        html_text(h, c[i].label);
        html_raw(h, "</option>");
    }
}

static _Thread_local struct date x_today; /* wanted's "this month": this request's today */

static bool wanted(const struct person_row *x, const char *filter, const char *find)
{
    if (!strcmp(filter, "renew") && x->renew != RENEW_WINDOW && x->renew != RENEW_OVERDUE)
        return false;
    if (!strcmp(filter, "noplan") && (!x->plan_shown || x->plan != PLAN_NONE))
        return false;
    if (!strcmp(filter, "visit") && (!x->plan_shown || !x->has_cert ||
                                     (!x->visit_overdue && date_cmp(x->visit_due, date_month_end(x_today)) > 0)))
        return false;
    return !*find || strstr(x->name, find) || strstr(x->kana, find) || strstr(x->k.insured_no, find);
}

/* ---- the page ------------------------------------------------------------------------------ */

static void sort_header(struct buf *h, const char *word, const char *label, const char *current, const char *filter)
{
    bool on = !strcmp(word, current);
    html_raw(h, "<th scope=\"col\"");
    if (on)
        html_raw(h, " aria-sort=\"ascending\"");
    html_raw(h, "><a href=\"/office/people?sort=");
    html_text(h, word);
    html_raw(h, "&amp;filter=");
    html_text(h, filter);
    html_raw(h, "\">");
    html_text(h, label);
    if (on)
        html_raw(h, " <span aria-hidden=\"true\">▲</span>");
    html_raw(h, "</a></th>");
}

static void row_html(struct buf *h, const struct person_row *x, bool caremgr)
{
    char base[64];
    snprintf(base, sizeof base, "/p/%s/%s", x->k.insurer_no, x->k.insured_no);
    html_raw(h, "<tr><th scope=\"row\"><a href=\"");
    html_text(h, base);
    html_raw(h, "/card\">");
    html_text(h, x->name);
    html_raw(h, "</a><br><span class=\"hint\">");
    html_text(h, x->kana);
    html_raw(h, "</span></th><td data-label=\"保険者番号・被保険者番号\">");
    html_text(h, x->k.insurer_no);
    html_raw(h, "<br>");
    html_text(h, x->k.insured_no);
    html_raw(h, "</td><td data-label=\"要介護状態区分\">");
    html_text(h, x->has_cert ? level_name(x->level) : "―");
    if (x->pending)
        html_raw(h, " <span class=\"badge warn\">申請中</span>");
    html_raw(h, "</td><td data-label=\"認定の有効期間\">");
    if (x->has_cert && date_is_none(x->valid_to))
        html_raw(h, "有効期間なし");
    else if (x->has_cert) {
        char iso[11];
        date_iso(x->valid_to, iso);
        h_date(h, iso);
        html_raw(h, "まで");
        if (x->renew == RENEW_OVERDUE)
            html_raw(h, " <span class=\"badge ng\">期限切れ</span>");
        else if (x->renew == RENEW_WINDOW)
            html_markupf(h, " <span class=\"badge warn\">更新の時期(あと%d日)</span>", x->days_left);
    } else
        html_raw(h, "―");
    html_raw(h, "</td><td data-label=\"負担割合\">");
    if (x->burden)
        html_textf(h, "%d割", x->burden);
    else
        html_raw(h, "―");
    html_raw(h, "</td><td data-label=\"今月の計画\">");
    if (!x->plan_shown)
        html_raw(h, "<span class=\"hint\">計画の閲覧の同意がありません</span>");
    else { /* 作成中 → 交付済 → 送信済 → 実績受領: the furthest, and 交付 / an unsent change beside a sent month */
        html_raw(h, x->plan == PLAN_ACTUAL   ? "<span class=\"badge ok\">実績受領</span>"
                    : x->plan == PLAN_SHEET6 ? "<span class=\"badge ok\">送信済</span>"
                    : x->issued              ? "<span class=\"badge ok\">交付済</span>"
                    : x->draft               ? "<span class=\"badge warn\">作成中</span>"
                                             : "<span class=\"badge warn\">未作成</span>");
        if (x->issued && x->plan != PLAN_NONE)
            html_raw(h, " <span class=\"badge ok\">交付済</span>");
        if (x->draft && x->plan != PLAN_NONE)
            html_raw(h, " <span class=\"badge warn\">未送信の変更あり</span>");
    }
    html_raw(h, " <a href=\"");
    html_text(h, base);
    html_raw(h, "/plan\">ケアプラン</a>");
    if (x->plan_shown && caremgr) { /* the month's 第6表 is made and sent from the editor */
        html_raw(h, " <a href=\"/office/plan/");
        html_text(h, x->k.insurer_no);
        html_raw(h, "/");
        html_text(h, x->k.insured_no);
        html_raw(h, x->plan == PLAN_NONE ? "\">第6表を作成</a>" : "\">第6表を編集</a>");
    }
    html_raw(h, "</td>");
    if (caremgr) { /* モニタリング (運営基準 第13条第14号): the next home visit due */
        html_raw(h, "<td data-label=\"モニタリング\">");
        if (!x->plan_shown || !x->has_cert)
            html_raw(h, "―");
        else {
            char iso[11];
            date_iso(x->visit_due, iso);
            html_raw(h, "次の訪問 ");
            h_date(h, iso);
            html_raw(h, "まで");
            html_raw(h, x->visit_overdue ? " <span class=\"badge ng\">期限超過</span>"
                        : x->visit_never ? " <span class=\"hint\">(訪問の記録なし)</span>"
                                         : "");
        }
        html_raw(h, "</td>");
    }
    html_raw(h, "</tr>");
}

int p_office_people(struct req *r)
{
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    struct actor a;
    principal_actor(&r->who, NULL, &a);
    if (!r->who.acct.staff || !provider_role(a.role))
        return http_error(r, 403, "forbidden", "利用者一覧は事業所の職員のIDで見ます");
    struct org o;
    int orc = st->acc->org_get(st, a.org, &o);
    if (orc < 0)
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    struct people l = {NULL, 0, 0, date_today()};
    char month[8];
    snprintf(month, sizeof month, "%04d%02d", l.today.y, l.today.m);
    long long shown, denied;
    enum disclose_status s = disclose_office_people(st, srv_auditq, &a, PURPOSE_CARE, a.org, orc ? "" : o.office_no,
                                                    month, l.today, r->request_id, clock_now_ms(), keep_person, &l,
                                                    &shown, &denied);
    if (s != DISCLOSE_OK) {
        if (l.v)
            sodium_memzero(l.v, l.cap * sizeof *l.v);
        free(l.v);
        return s == DISCLOSE_AUDIT_FAILED
                   ? page_error(r, 503, "表示できません", "アクセス記録を保存できないため、情報を表示できません。しばらくしてから開いてください。")
                   : http_error(r, 500, "internal", "内部エラーが発生しました");
    }
    sort_word = choose(r, "sort", sorts, ARRAY_LEN(sorts));
    const char *filter = choose(r, "filter", filters, ARRAY_LEN(filters));
    x_today = l.today;
    const char *find = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "q");
    if (!find || strlen(find) > MAX_QUERY_VALUE || !utf8_valid(find, strlen(find), NULL))
        find = "";
    qsort(l.v, l.n, sizeof *l.v, cmp_row);

    struct buf h;
    page_start(r, &h, "利用者一覧");
    html_raw(&h, "<h1>利用者一覧</h1><p>");
    html_text(&h, r->who.org.name);
    html_raw(&h, "が担当している方(本人確認をして担当事業所になった方)の、");
    char today[11];
    date_iso(l.today, today);
    h_date(&h, today);
    html_raw(&h, "現在の状況です。この一覧を開いたことも、一人ずつ本人の「だれが見たか」に記録されます。</p>");
    /* the filter: a GET form, so that it works without script and can be bookmarked */
    html_raw(&h, "<form class=\"inline\" method=\"get\" action=\"/office/people\" role=\"search\">"
                 "<div><label for=\"sort\">並べ替え</label><select id=\"sort\" name=\"sort\">");
    options(&h, sorts, ARRAY_LEN(sorts), sort_word);
    html_raw(&h, "</select></div><div><label for=\"filter\">しぼりこみ</label><select id=\"filter\" name=\"filter\">");
    options(&h, filters, ARRAY_LEN(filters), filter);
    html_raw(&h, "</select></div><div><label for=\"q\">氏名・カナ・被保険者番号</label><input type=\"search\" id=\"q\" "
                 "name=\"q\" value=\"");
    html_text(&h, find);
    html_raw(&h, "\"></div><div><button type=\"submit\">表示する</button></div></form>");
    size_t shown_rows = 0;
    for (size_t i = 0; i < l.n; i++)
        shown_rows += wanted(&l.v[i], filter, find);
    html_raw(&h, "<p role=\"status\">");
    html_textf(&h, "%zu 人を表示しています(担当 %lld 人)。", shown_rows, shown);
    if (denied)
        html_textf(&h, "ほかに %lld 人は、同意がないか担当の関係が切れているため表示していません。", denied);
    html_raw(&h, "</p><div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"利用者一覧の表\"><table id=\"people\" class=\"stack\">"
                 "<caption>利用者一覧(");
    for (size_t i = 0; i < ARRAY_LEN(sorts); i++)
        if (!strcmp(sorts[i].word, sort_word))
            html_text(&h, sorts[i].label);
    html_raw(&h, "の順)</caption><thead><tr>");
    sort_header(&h, "kana", "氏名", sort_word, filter);
    sort_header(&h, "no", "保険者番号・被保険者番号", sort_word, filter);
    sort_header(&h, "level", "要介護状態区分", sort_word, filter);
    sort_header(&h, "valid", "認定の有効期間", sort_word, filter);
    sort_header(&h, "burden", "負担割合", sort_word, filter);
    sort_header(&h, "plan", "今月の計画", sort_word, filter);
    bool caremgr = a.role == ROLE_CAREMGR || a.role == ROLE_HOUKATSU;
    if (caremgr)
        html_raw(&h, "<th scope=\"col\">モニタリング</th>");
    html_raw(&h, "</tr></thead><tbody>");
    for (size_t i = 0; i < l.n; i++)
        if (wanted(&l.v[i], filter, find))
            row_html(&h, &l.v[i], caremgr);
    html_raw(&h, "</tbody></table></div>");
    if (!shown_rows)
        html_raw(&h, "<p>条件に合う方はいません。</p>");
    html_raw(&h, "<p class=\"hint\">更新の時期: 認定の有効期間が終わる60日前から更新申請ができます(介護保険法施行規則第39条)。"
                 "今月の計画: 第6表(提供票)がこの事業所から送られているか、実績を受け取ったか。</p>");
    if (l.v)
        sodium_memzero(l.v, l.cap * sizeof *l.v);
    free(l.v);
    return page_send(r, &h, 200);
}
