/*
 * page_stats.c - the municipal clerk's 集計 page (issue #19 §2): one statistics table of the clerk's
 * insurer and a month, as a table, a bar chart (SVG drawn here from the same finished cells: a hidden
 * cell has no bar and reads 「x」) and a CSV download - all three printed from one st_table that
 * service/stats.c finished (suppressed) before this file sees a number, so they cannot disagree with
 * each other or with `kaigo stats … --csv`.
 *
 * SECURITY: only the insurer's own staff (stats_may); aggregates name nobody, so no person's audit
 * entry - each table built is a security event. Failure: 403 for anyone else, 500 on a store error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/page.h"
#include "service/stats.h"
#include "util/banned.h"

/* the column the chart draws for each table (a row's total) */
static const int chart_col[ST_COUNT] = {[ST_NINTEI] = 17, [ST_DAYS] = 4, [ST_SERVICE] = ST_SVC_PERSONS,
                                        [ST_CASELOAD] = 0, [ST_JUTAKU] = ST_JT_CLAIMS, [ST_LIFE] = ST_LIFE_RECORDS};

struct stats_req {
    int id, ym;
    char month[8];
};

/* stats_params - ?table= and ?month= (default: nintei, this month); -1 after answering 400 */
static int stats_params(struct req *r, struct stats_req *q)
{
    const char *t = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "table");
    const char *m = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "month");
    q->id = t && *t ? st_from_code(t) : ST_NINTEI;
    if (q->id < 0) {
        page_error(r, 400, "集計表がありません", "集計表の名前が正しくありません。一覧から選んでください。");
        return -1;
    }
    struct date today = date_today(), d = {today.y, today.m, 1};
    if (m && *m) {
        char iso[16];
        const char *why;
        snprintf(iso, sizeof iso, "%.7s-01", m);
        if (strlen(m) != 7 || date_parse_iso(iso, strlen(iso), &d, &why)) {
            page_error(r, 400, "年月が正しくありません", "対象年月は 2026-04 の形で指定してください。");
            return -1;
        }
    }
    q->ym = d.y * 100 + d.m;
    snprintf(q->month, sizeof q->month, "%04d-%02d", d.y, d.m);
    return 0;
}

/* build - the finished table of the clerk's insurer, or NULL after answering */
static struct st_table *build(struct req *r, const struct stats_req *q, struct stats_info *info, char why[160])
{
    struct actor a;
    struct store *st = city_clerk(r, &a, "集計");
    if (!st)
        return NULL;
    struct st_table *t;
    enum stats_status s = stats_build(st, &a, a.org_insurer, (enum st_id)q->id, q->ym, clock_now_ms(), &t, info, why);
    if (s == STATS_OK)
        return t;
    if (s == STATS_DENIED)
        page_error(r, 403, "表示できません", why);
    else if (s == STATS_ERROR)
        page_error(r, 500, "内部エラー", "集計できませんでした。しばらくしてからもう一度開いてください。");
    else
        page_error(r, 400, "集計できません", why);
    return NULL;
}

static void cell(struct buf *h, const struct st_table *t, int r, int c, bool th_row)
{
    long long v;
    (void)th_row;
    if (!st_value(t, r, c, &v)) {
        html_raw(h, "<td class=\"num hidden-cell\"><abbr title=\"秘匿\">x</abbr></td>");
        return;
    }
    html_raw(h, "<td class=\"num\">");
    if (t->kind[c] == ST_SHARE_COL)
        html_textf(h, "%lld.%lld%%", v / 10, v % 10);
    else
        h_num(h, v);
    html_raw(h, "</td>");
}

static void table_html(struct buf *h, const struct st_table *t)
{
    html_raw(h, "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-labelledby=\"stats-caption\">"
                "<table id=\"stats\" class=\"stats\"><caption id=\"stats-caption\">");
    html_text(h, st_defs[t->id].title);
    html_textf(h, "(%04d年%02d月)", t->ym / 100, t->ym % 100);
    html_raw(h, "</caption><thead>");
    bool groups = t->group[0][0] != '\0';
    if (groups) {
        html_raw(h, "<tr><td></td>");
        for (int c = 0; c < t->ncols;) {
            int span = 1;
            while (c + span < t->ncols && strcmp(t->group[c + span], t->group[c]) == 0)
                span++;
            html_markupf(h, "<th scope=\"colgroup\" colspan=\"%d\">", span);
            html_text(h, t->group[c]);
            html_raw(h, "</th>");
            c += span;
        }
        html_raw(h, "</tr>");
    }
    html_raw(h, "<tr><th scope=\"col\">区分</th>");
    for (int c = 0; c < t->ncols; c++) {
        html_raw(h, "<th scope=\"col\">");
        if (groups) {
            html_raw(h, "<span class=\"visually-hidden\">");
            html_text(h, t->group[c]);
            html_raw(h, " </span>");
        }
        html_text(h, t->col[c]);
        html_raw(h, "</th>");
    }
    html_raw(h, "</tr></thead><tbody>");
    for (int r = 0; r < t->nrows; r++) {
        html_raw(h, r == t->nrows - 1 ? "<tr class=\"total\"><th scope=\"row\">" : "<tr><th scope=\"row\">");
        html_text(h, t->row[r]);
        html_raw(h, "</th>");
        for (int c = 0; c < t->ncols; c++)
            cell(h, t, r, c, false);
        html_raw(h, "</tr>");
    }
    html_raw(h, "</tbody></table></div>");
}

/* chart - the rows' totals as horizontal bars (aria-hidden: the table carries the same numbers) */
static void chart(struct buf *h, const struct st_table *t)
{
    int c = chart_col[t->id], rows = t->nrows - 1;
    if (rows < 1)
        return;
    long long top = 1, v;
    for (int r = 0; r < rows; r++)
        if (st_value(t, r, c, &v) && v > top)
            top = v;
    const int label_w = 110, bar_w = 260, row_h = 34;
    int height = rows * row_h + 10;
    html_raw(h, "<figure class=\"chart\"><figcaption>");
    html_text(h, t->col[c]);
    if (t->group[c][0]) {
        html_raw(h, "(");
        html_text(h, t->group[c]);
        html_raw(h, ")");
    }
    html_raw(h, "の棒グラフ。x は秘匿のため描きません。</figcaption>");
    html_markupf(h, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"100%%\" aria-hidden=\"true\" focusable=\"false\">",
                 label_w + bar_w + 60, height);
    for (int r = 0; r < rows; r++) {
        int y = r * row_h + 6;
        html_markupf(h, "<text x=\"0\" y=\"%d\" class=\"label\">", y + 18);
        html_text(h, t->row[r]);
        html_raw(h, "</text>");
        if (st_value(t, r, c, &v)) {
            int w = (int)((double)v / (double)top * bar_w);
            html_markupf(h, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"22\" class=\"bar\"></rect>", label_w, y,
                         w > 0 ? w : 1);
            html_markupf(h, "<text x=\"%d\" y=\"%d\" class=\"value\">%lld</text>", label_w + w + 6, y + 18, v);
        } else
            html_markupf(h, "<text x=\"%d\" y=\"%d\" class=\"value\">x</text>", label_w + 6, y + 18);
    }
    html_raw(h, "</svg></figure>");
}

int p_city_stats(struct req *r)
{
    struct stats_req q;
    if (stats_params(r, &q))
        return 0;
    struct stats_info info;
    char why[160];
    struct st_table *t = build(r, &q, &info, why);
    if (!t)
        return 0;
    struct buf h;
    page_start(r, &h, "集計");
    html_raw(&h, "<h1>集計</h1><form class=\"inline\" method=\"get\" action=\"/city/stats\"><div><label for=\"table\">集計表"
                 "</label><select id=\"table\" name=\"table\">");
    for (int i = 0; i < ST_COUNT; i++) {
        html_raw(&h, "<option value=\"");
        html_text(&h, st_defs[i].code);
        html_raw(&h, i == q.id ? "\" selected>" : "\">");
        html_text(&h, st_defs[i].title);
        html_raw(&h, "</option>");
    }
    html_raw(&h, "</select></div><div><label for=\"month\">対象年月</label><input type=\"text\" id=\"month\" name=\"month\" "
                 "inputmode=\"numeric\" maxlength=\"7\" value=\"");
    html_text(&h, q.month);
    html_raw(&h, "\" aria-describedby=\"month-hint\"><span class=\"hint\" id=\"month-hint\">例: 2026-04</span></div>"
                 "<div><button type=\"submit\">表示する</button></div></form>");
    html_raw(&h, "<section class=\"panel\"><h2>");
    html_text(&h, st_defs[q.id].title);
    html_raw(&h, "</h2><p>");
    html_text(&h, st_defs[q.id].about);
    html_raw(&h, "</p>");
    if (why[0])
        page_alerts(&h, NULL, why);
    if (!info.population_known)
        page_alerts(&h, NULL, "この保険者の人口が登録されていないため、すべての値を秘匿しています(kaigo stats population で登録します)。");
    else if (t->rules.none)
        page_alerts(&h, NULL, "人口2,000人未満の保険者のため、集計値は公表できません(すべて x)。");
    table_html(&h, t);
    html_raw(&h, "<p class=\"hint\" id=\"stats-note\">x: 秘匿。介護DBの最小集計単位の原則により、");
    if (!t->rules.none)
        html_textf(&h, "%lld人未満のセル(0は表示)と%lld事業所未満にもとづくセルを秘匿し、合計から逆算できないセルも秘匿しています"
                       "(二次秘匿)。", t->rules.min_cell, t->rules.min_offices);
    else
        html_raw(&h, "すべてのセルを秘匿しています。");
    if (info.population_known) {
        html_raw(&h, "人口 ");
        h_num(&h, info.population);
        html_raw(&h, " 人(");
        char iso[11];
        date_iso(info.population_as_of, iso);
        h_date(&h, iso);
        html_raw(&h, "現在)。");
    }
    html_raw(&h, "</p>");
    chart(&h, t);
    html_raw(&h, "<p><a class=\"button secondary\" href=\"/city/stats.csv?table=");
    html_text(&h, st_defs[q.id].code);
    html_raw(&h, "&amp;month=");
    html_text(&h, q.month);
    html_raw(&h, "\" download>CSV をダウンロード</a> <span class=\"hint\">表と同じ秘匿(x)のまま。kaigo stats ");
    html_text(&h, st_defs[q.id].code);
    html_raw(&h, " --insurer … --month ");
    html_text(&h, q.month);
    html_raw(&h, " --csv と同じ内容です。</span></p></section>");
    html_raw(&h, "<section class=\"panel\" id=\"niji\"><h2>二次利用(仮名加工データ)</h2><p>本人が「統計・研究のための二次利用への協力」"
                 "に同意した人だけの、一人ひとりの行(仮名ID・年齢階級・性別・要介護度・その月のサービス種類と単位数)です。氏名・番号・"
                 "生年月日・住所は含みません。仮名IDは作るたびに変わるため、別に作ったデータとは突き合わせられません。一人ひとりの提供は"
                 "本人の「だれが見たか」に残ります。庁内の分析に限って使い、第三者には渡しません。</p><p><a class=\"button secondary\" "
                 "href=\"/city/stats/export.csv?month=");
    html_text(&h, q.month);
    html_raw(&h, "\" download>二次利用データ(CSV)を作る</a></p></section>");
    free(t);
    return page_send(r, &h, 200);
}

int p_city_stats_csv(struct req *r)
{
    struct stats_req q;
    if (stats_params(r, &q))
        return 0;
    struct stats_info info;
    char why[160];
    struct st_table *t = build(r, &q, &info, why);
    if (!t)
        return 0;
    char *csv = stats_csv(t);
    free(t);
    if (!csv)
        return page_error(r, 500, "内部エラー", "CSV を作れませんでした。");
    char disp[96];
    snprintf(disp, sizeof disp, "attachment; filename=\"kaigo-%s-%.4s%.2s.csv\"", st_defs[q.id].code, q.month,
             q.month + 5);
    return respond_raw(r, 200, "text/csv; charset=utf-8", csv, strlen(csv), "Content-Disposition", disp);
}

int p_city_stats_export(struct req *r)
{
    struct stats_req q;
    if (stats_params(r, &q))
        return 0;
    struct actor a;
    struct store *st = city_clerk(r, &a, "二次利用データ");
    if (!st)
        return 0;
    long long rows, denied;
    char why[160];
    char *csv = stats_export_csv(st, srv_auditq, &a, a.org_insurer, q.ym, r->request_id, clock_now_ms(), &rows, &denied, why);
    if (!csv)
        return page_error(r, 503, "作れませんでした", why);
    char disp[96];
    snprintf(disp, sizeof disp, "attachment; filename=\"kaigo-niji-%.4s%.2s.csv\"", q.month, q.month + 5);
    return respond_raw(r, 200, "text/csv; charset=utf-8", csv, strlen(csv), "Content-Disposition", disp);
}
