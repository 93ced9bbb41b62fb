/*
 * page_caseload.c - the 居宅介護支援事業所's 取扱件数 page (issue #18 §1): the office's month from the
 * stored 第6表 (service/caseloadplan.c, as `kaigo caseload --office`): 取扱件数 against the staffing
 * standard (44, or 49 with fee (Ⅱ)) with 要支援 at 1/3 and 介護予防ケアマネジメント not counted, the
 * 逓減制 tiers and units, per care manager as a table and as a bar chart (SVG drawn from the same
 * numbers; the table is the accessible form), and each care manager's cases.
 *
 * SECURITY: every person is decided and audited for 計画 before it is counted (disclose_caseload);
 * the page shows case labels (保険者番号/被保険者番号) and levels, never names.
 * Failure: an audit that cannot be made durable is 503.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/page.h"
#include "codec/caseloadjson.h"
#include "service/caseloadplan.h"
#include "util/xalloc.h"
#include "util/banned.h"

static const char *const tier_name[4] = {"", "(ⅰ)", "(ⅱ)", "(ⅲ)"};

/* chart - caseload per FTE of each care manager as horizontal bars against the standard (SVG: attributes, no
 * inline style, so the CSP holds); aria-hidden, the table before it carries the same numbers */
static void chart(struct buf *h, const struct cl_doc *d, const double *per_fte, int standard)
{
    double top = standard * 1.5;
    for (size_t m = 0; m < d->nmanagers; m++)
        if (per_fte[m] > top)
            top = per_fte[m];
    const int label_w = 180, bar_w = 420, row_h = 34;
    int height = (int)d->nmanagers * row_h + 30;
    html_markupf(h, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"100%%\" aria-hidden=\"true\" focusable=\"false\">",
               label_w + bar_w + 70, height);
    for (size_t m = 0; m < d->nmanagers; m++) {
        int y = (int)m * row_h + 6, w = (int)(per_fte[m] / top * bar_w);
        html_markupf(h, "<text x=\"0\" y=\"%d\" class=\"label\">", y + 18);
        html_text(h, d->managers[m].id);
        html_markupf(h, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"22\" class=\"%s\"></rect>", label_w, y,
                   w > 0 ? w : 1, per_fte[m] > standard ? "over" : "bar");
        html_markupf(h, "<text x=\"%d\" y=\"%d\" class=\"value\">%.2f</text>", label_w + w + 6, y + 18, per_fte[m]);
    }
    int sx = label_w + (int)(standard / top * bar_w);
    html_markupf(h, "<line x1=\"%d\" y1=\"0\" x2=\"%d\" y2=\"%d\" class=\"standard\"></line>"
                  "<text x=\"%d\" y=\"%d\" class=\"value\">基準 %d 件</text></svg>",
               sx, sx, height - 24, sx - 30, height - 6, standard);
}

int p_office_caseload(struct req *r)
{
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    struct actor a;
    principal_actor(&r->who, NULL, &a);
    struct org o;
    int orc = r->who.acct.staff && a.role == ROLE_CAREMGR ? st->acc->org_get(st, a.org, &o) : STORE_NOTFOUND;
    if (orc < 0)
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    if (orc || !o.office_no[0])
        return http_error(r, 403, "forbidden", "取扱件数は事業所番号を登録した居宅介護支援事業所の職員のIDで見ます");
    struct cl_doc *d = xcalloc(1, sizeof *d);
    struct date today = date_today();
    d->month = (struct date){today.y, today.m, 1};
    const char *ym = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "month");
    if (ym && *ym) {
        char iso[16];
        const char *why;
        snprintf(iso, sizeof iso, "%.7s-01", ym);
        if (strlen(ym) != 7 || date_parse_iso(iso, strlen(iso), &d->month, &why)) {
            free(d);
            return http_error(r, 400, "bad_date", "対象年月は 2026-04 の形で指定してください");
        }
    }
    const char *fee = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "fee");
    d->fee2 = fee && strcmp(fee, "II") == 0;
    struct cl_from_plans x;
    enum disclose_status s = caseload_from_plans(st, srv_auditq, &a, PURPOSE_CARE, o.office_no, r->request_id,
                                                 clock_now_ms(), d, &x, NULL, NULL);
    if (s != DISCLOSE_OK) {
        free(d);
        return s == DISCLOSE_AUDIT_FAILED
                   ? page_error(r, 503, "表示できません", "アクセス記録を保存できないため、情報を表示できません。しばらくしてから開いてください。")
                   : http_error(r, 500, "internal", "内部エラーが発生しました");
    }
    struct buf h;
    page_start(r, &h, "取扱件数");
    html_raw(&h, "<h1>取扱件数</h1><form class=\"inline\" method=\"get\" action=\"/office/caseload\"><div><label for=\"month\">"
                 "対象年月</label><input type=\"text\" id=\"month\" name=\"month\" inputmode=\"numeric\" maxlength=\"7\" value=\"");
    html_textf(&h, "%04d-%02d", d->month.y, d->month.m);
    html_raw(&h, "\" aria-describedby=\"month-hint\"><span class=\"hint\" id=\"month-hint\">例: 2026-04</span></div><div><label "
                 "for=\"fee\">居宅介護支援費</label><select id=\"fee\" name=\"fee\"><option value=\"I\"");
    html_raw(&h, d->fee2 ? ">(Ⅰ)</option><option value=\"II\" selected>" : " selected>(Ⅰ)</option><option value=\"II\">");
    html_raw(&h, "(Ⅱ) 連携システムと事務職員</option></select></div><div><button type=\"submit\">表示する</button></div></form>");
    if (x.long_name || x.full) {
        html_raw(&h, "<div class=\"alert error\" role=\"alert\"><p>");
        html_raw(&h, x.long_name ? "第6表のプラン担当者名が長すぎるため数えられません。" : "利用者または担当者が多すぎるため数えられません。");
        html_raw(&h, "</p></div>");
        free(d);
        return page_send(r, &h, 200);
    }
    if (d->ncases == 0) {
        html_raw(&h, "<p role=\"status\">この月の第6表(この事業所がプラン担当業者のもの)がまだありません。</p>");
        free(d);
        return page_send(r, &h, 200);
    }
    int fte = (int)d->nmanagers * 100; /* 常勤換算 1.0 per care manager: kaigo has no staffing record */
    struct cl_result office;
    const char *why = NULL;
    if (caseload_compute(d->cases, d->ncases, fte, d->fee2, d->month, &office, &why)) {
        html_raw(&h, "<div class=\"alert error\" role=\"alert\"><p>");
        html_text(&h, why);
        html_raw(&h, "</p></div>");
        free(d);
        return page_send(r, &h, 200);
    }
    html_raw(&h, "<section class=\"panel\"><h2>事業所</h2><table id=\"office-caseload\" class=\"pairs\"><tbody><tr><th scope=\"row\">要介護</th>"
                 "<td>");
    html_textf(&h, "%lld 件", office.care);
    html_raw(&h, "</td></tr><tr><th scope=\"row\">要支援(指定介護予防支援)</th><td>");
    html_textf(&h, "%lld 件 × 1/%d", office.support, office.shien_den);
    html_raw(&h, "</td></tr><tr><th scope=\"row\">介護予防ケアマネジメント(数えません)</th><td>");
    html_textf(&h, "%lld 件", office.yobo_cm);
    html_raw(&h, "</td></tr><tr><th scope=\"row\">常勤換算</th><td>");
    html_textf(&h, "%.2f 人", fte / 100.0);
    html_raw(&h, "</td></tr><tr><th scope=\"row\">1人あたりの取扱件数</th><td>");
    html_textf(&h, "%.2f 件(基準 %d 件)", office.per_fte, office.standard);
    html_raw(&h, office.over_standard ? " <span class=\"badge ng\">基準超過</span>" : " <span class=\"badge ok\">基準内</span>");
    html_raw(&h, "</td></tr><tr><th scope=\"row\">逓減制</th><td>");
    for (int t = 1; t <= 3; t++)
        html_textf(&h, "%s %lld 件%s", tier_name[t], office.tier_cases[t], t < 3 ? "、" : "");
    html_raw(&h, "</td></tr><tr><th scope=\"row\">居宅介護支援費</th><td>");
    h_num(&h, office.units);
    html_raw(&h, " 単位</td></tr></tbody></table><p class=\"hint\">常勤換算は担当者ごとに 1.0 人として計算しています"
                 "(異なる場合は kaigo caseload --office … --fte 担当者名=0.5)。</p>");
    if (x.skipped || x.denied) {
        html_raw(&h, "<p role=\"status\">");
        if (x.skipped)
            html_textf(&h, "%ld 人は、この月の利用者補足情報(要介護状態区分)がないため数えていません。", x.skipped);
        if (x.denied)
            html_textf(&h, "%lld 人は、同意がないか担当の関係が切れているため数えていません。", x.denied);
        html_raw(&h, "</p>");
    }
    html_raw(&h, "</section>");
    /* per care manager: the table first (the accessible form), then the same numbers as a chart */
    double *per = xcalloc(d->nmanagers ? d->nmanagers : 1, sizeof *per);
    struct cl_case *mine = xmalloc(d->ncases * sizeof *mine);
    html_raw(&h, "<section class=\"panel\"><h2>担当者ごと</h2><table id=\"manager-caseload\"><thead><tr><th scope=\"col\">担当者"
                 "</th><th scope=\"col\">要介護</th><th scope=\"col\">要支援</th><th scope=\"col\">1人あたり</th>"
                 "<th scope=\"col\">基準</th></tr></thead><tbody>");
    for (size_t m = 0; m < d->nmanagers; m++) {
        size_t k;
        struct cl_result cm;
        if (caseload_of_manager(d, m, mine, &k, &cm, &why))
            continue;
        per[m] = cm.per_fte;
        html_raw(&h, "<tr><th scope=\"row\">");
        html_text(&h, d->managers[m].id);
        html_markupf(&h, "</th><td class=\"num\">%lld 件</td><td class=\"num\">%lld 件</td><td class=\"num\">%.2f 件</td><td>",
                   cm.care, cm.support, cm.per_fte);
        html_raw(&h, cm.over_standard ? "<span class=\"badge ng\">基準超過</span>" : "<span class=\"badge ok\">基準内</span>");
        html_raw(&h, "</td></tr>");
    }
    html_raw(&h, "</tbody></table><figure><figcaption>担当者ごとの1人あたり取扱件数(上の表と同じ数)</figcaption>");
    chart(&h, d, per, office.standard);
    html_raw(&h, "</figure></section>");
    /* the cases in contract order with their tier: labels, never names */
    html_raw(&h, "<section class=\"panel\"><h2>利用者(契約順)</h2><div class=\"table-scroll\" tabindex=\"0\" role=\"region\" "
                 "aria-label=\"利用者の逓減制の区分\"><table id=\"cases\"><thead><tr><th scope=\"col\">利用者(保険者番号/被保険者番号)</th>"
                 "<th scope=\"col\">担当者</th><th scope=\"col\">要介護状態区分</th><th scope=\"col\">逓減制</th><th scope=\"col\">単位</th>"
                 "</tr></thead><tbody>");
    for (size_t i = 0; i < d->ncases; i++) {
        const struct cl_case *c = &d->cases[i];
        html_raw(&h, "<tr><th scope=\"row\">");
        html_text(&h, c->id);
        html_raw(&h, "</th><td>");
        html_text(&h, c->manager);
        html_raw(&h, "</td><td>");
        html_text(&h, level_name(c->level));
        html_raw(&h, "</td><td>");
        html_raw(&h, c->level == LEVEL_JIGYO || c->yobo_cm ? "介護予防ケアマネジメント(数えない)"
                     : c->tier                                ? tier_name[c->tier]
                                                              : "要支援(1/3)");
        html_raw(&h, "</td><td class=\"num\">");
        if (c->units)
            h_num(&h, c->units);
        else
            html_raw(&h, "―");
        html_raw(&h, "</td></tr>");
    }
    html_raw(&h, "</tbody></table></div></section>");
    /* モニタリング (運営基準 第13条第14号): the next home visit's month-end from the last one the office recorded
     * (data/rates.tsv monitor_home_months: 要介護 every month, 要支援 every 3; with テレビ電話 every 2 / 6) */
    size_t due = 0, overdue = 0;
    for (size_t i = 0; i < d->ncases; i++) {
        char end[11], today_iso[11];
        date_iso(d->cases[i].home_due, end);
        date_iso(date_month_end(d->month), today_iso);
        due += !strcmp(end, today_iso);
        overdue += d->cases[i].overdue;
    }
    html_raw(&h, "<section class=\"panel\"><h2 id=\"monitoring-h\">モニタリング訪問の予定</h2><p role=\"status\">");
    html_textf(&h, "今月が期限 %zu 人、期限超過 %zu 人。", due, overdue);
    html_raw(&h, "</p><div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-labelledby=\"monitoring-h\">"
                 "<table id=\"monitoring\" class=\"stack\"><thead><tr><th scope=\"col\">利用者(保険者番号/被保険者番号)</th>"
                 "<th scope=\"col\">担当者</th><th scope=\"col\">前回の居宅訪問</th><th scope=\"col\">次の訪問の期限</th>"
                 "<th scope=\"col\">記録</th></tr></thead><tbody>");
    for (size_t i = 0; i < d->ncases; i++) {
        const struct cl_case *c = &d->cases[i];
        char iso[11];
        html_raw(&h, "<tr><th scope=\"row\">");
        html_text(&h, c->id);
        html_raw(&h, "</th><td data-label=\"担当者\">");
        html_text(&h, c->manager);
        html_raw(&h, "</td><td data-label=\"前回の居宅訪問\">");
        if (date_is_none(c->last_home))
            html_raw(&h, "記録なし");
        else {
            date_iso(c->last_home, iso);
            h_date(&h, iso);
        }
        html_raw(&h, c->video_ok ? "(その後テレビ電話)" : "");
        html_raw(&h, "</td><td data-label=\"次の訪問の期限\">");
        date_iso(c->home_due, iso);
        h_date(&h, iso);
        html_raw(&h, c->overdue ? " <span class=\"badge ng\">期限超過</span>" : "");
        html_raw(&h, "</td><td data-label=\"記録\"><a href=\"/office/plan/");
        const char *slash = strchr(c->id, '/');
        if (slash) {
            html_textf(&h, "%.*s", (int)(slash - c->id), c->id);
            html_raw(&h, "/");
            html_text(&h, slash + 1);
        }
        html_raw(&h, "#visit\">訪問を記録</a></td></tr>");
    }
    html_raw(&h, "</tbody></table></div></section>");
    free(mine);
    free(per);
    free(d);
    return page_send(r, &h, 200);
}
