/* forms67.c - the 第6表 and 第7表 as a PDF shaped like the 様式; see forms67.h. */
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "print/forms67.h"
#include "print/pdf.h"
#include "util/date.h"
#include "util/text.h"
#include "util/banned.h"

#define PAGE_W 841.89 /* A4 landscape, points */
#define PAGE_H 595.28
#define MARGIN 24.0
#define PAD 1.5

enum align { LEFT, CENTER, RIGHT };

struct sheet {
    cairo_t *cr;
    const char *why;
    int rc; /* 0, or PRINT_UNFIT once something did not fit */
};

static PangoLayout *text_layout(cairo_t *cr, const char *text, double pt, bool bold, double width, enum align a)
{
    PangoLayout *l = pango_cairo_create_layout(cr);
    PangoFontDescription *f = pango_font_description_new();
    pango_font_description_set_family(f, PRINT_FONT);
    pango_font_description_set_absolute_size(f, pt * PANGO_SCALE);
    if (bold)
        pango_font_description_set_weight(f, PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description(l, f);
    pango_font_description_free(f);
    pango_layout_set_width(l, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(l, a == CENTER ? PANGO_ALIGN_CENTER : a == RIGHT ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    pango_layout_set_text(l, text, -1);
    return l;
}

/* cell - a bordered box with text inside, shrunk from pt down to FORMS67_MIN_PT until it fits; never cut */
static void cell(struct sheet *s, double x, double y, double w, double h, const char *text, double pt, enum align a,
                 bool bold)
{
    cairo_set_line_width(s->cr, 0.5);
    cairo_rectangle(s->cr, x, y, w, h);
    cairo_stroke(s->cr);
    if (!text || !*text)
        return;
    for (double size = pt; size >= FORMS67_MIN_PT - 1e-9; size -= 0.5) {
        PangoLayout *l = text_layout(s->cr, text, size, bold, w - 2 * PAD, a);
        PangoRectangle ink, logical;
        pango_layout_get_pixel_extents(l, &ink, &logical);
        if (logical.height <= h - 1 && logical.width <= w - 2 * PAD + 0.5) {
            cairo_move_to(s->cr, x + PAD, y + (h - logical.height) / 2);
            pango_cairo_show_layout(s->cr, l);
            g_object_unref(l);
            return;
        }
        g_object_unref(l);
    }
    s->rc = PRINT_UNFIT;
    s->why = "内容が様式の欄に収まりません(切り詰めずに止めました)";
}

/* plain - text without a box (titles) */
static void plain(struct sheet *s, double x, double y, double w, const char *text, double pt, bool bold, enum align a)
{
    PangoLayout *l = text_layout(s->cr, text, pt, bold, w, a);
    cairo_move_to(s->cr, x, y);
    pango_cairo_show_layout(s->cr, l);
    g_object_unref(l);
}

static void num(char *out, size_t cap, long long v)
{
    group_thousands(v, out, cap);
}

/* labelled - a header box: its label above, its value below */
static void labelled(struct sheet *s, double x, double y, double w, const char *label, const char *value)
{
    cell(s, x, y, w, 12, label, 6.5, CENTER, false);
    cell(s, x, y + 12, w, 20, value, 9, CENTER, false);
}

/* title - a sheet's name at the top left and the month at the top right (「(続き)」 on a later page) */
static void title(struct sheet *s, const struct forms67 *f, const char *name, int page)
{
    char buf[96];
    plain(s, MARGIN, MARGIN, 500, name, 12, true, LEFT);
    snprintf(buf, sizeof buf, "%s%s", f->month_text, page > 1 ? "(続き)" : "");
    plain(s, PAGE_W - MARGIN - 260, MARGIN, 260, buf, 12, true, RIGHT);
}

static const char *const weekdays[] = {"日", "月", "火", "水", "木", "金", "土"};

/* ---- 第6表 -------------------------------------------------------------------------- */

enum { T6_TIME = 58, T6_SERVICE = 120, T6_OFFICE = 110, T6_KIND = 24, T6_TOTAL = 34 };
#define T6_DAY ((PAGE_W - 2 * MARGIN - T6_TIME - T6_SERVICE - T6_OFFICE - T6_KIND - T6_TOTAL) / 31)
#define T6_ROW 13.0

static double sheet6_head(struct sheet *s, const struct forms67 *f, int page)
{
    char buf[96];
    title(s, f, "第6表　サービス利用票(兼居宅(介護予防)サービス計画)", page);
    double y = MARGIN + 22, x = MARGIN;
    char limit[32] = "";
    if (f->limit_units > 0) {
        num(limit, sizeof limit, f->limit_units);
        str_cut(limit + strlen(limit), sizeof limit - strlen(limit), " 単位/月");
    }
    char who[200];
    snprintf(who, sizeof who, "%s\n%s", f->kana ? f->kana : "", f->name ? f->name : "");
    static const double w[] = {64, 78, 150, 96, 70, 96, 160, 80};
    const char *labels[] = {"保険者番号", "被保険者番号", "フリガナ・被保険者氏名", "生年月日", "要介護状態区分",
                            "区分支給限度基準額", "限度額適用期間", "作成年月日"};
    const char *values[] = {f->insurer_no, f->insured_no, who, f->birth, f->level, limit, f->valid, f->made};
    for (size_t i = 0; i < 8; i++) {
        if (i == 2) { /* the name box is two lines */
            cell(s, x, y, w[i], 12, labels[i], 6.5, CENTER, false);
            cell(s, x, y + 12, w[i], 20, values[i] ? values[i] : "", 8, CENTER, false);
        } else
            labelled(s, x, y, w[i], labels[i], values[i] ? values[i] : "");
        x += w[i];
    }
    y += 34;
    cell(s, MARGIN, y, 150, 16, "居宅介護支援事業者事業所名", 6.5, CENTER, false);
    cell(s, MARGIN + 150, y, 400, 16, f->plan_office, 8.5, LEFT, false);
    y += 22;
    /* the grid's head: 日付 and 曜日 */
    x = MARGIN;
    cell(s, x, y, T6_TIME, 24, "提供時間帯", 7, CENTER, false);
    x += T6_TIME;
    cell(s, x, y, T6_SERVICE, 24, "サービス内容", 7, CENTER, false);
    x += T6_SERVICE;
    cell(s, x, y, T6_OFFICE, 24, "サービス事業者\n事業所名", 7, CENTER, false);
    x += T6_OFFICE;
    cell(s, x, y, T6_KIND, 12, "日付", 6, CENTER, false);
    cell(s, x, y + 12, T6_KIND, 12, "曜日", 6, CENTER, false);
    x += T6_KIND;
    int days = date_days_in_month(f->year, f->month);
    int first = date_weekday((struct date){f->year, f->month, 1});
    for (int d = 1; d <= 31; d++, x += T6_DAY) {
        snprintf(buf, sizeof buf, "%d", d);
        cell(s, x, y, T6_DAY, 12, d <= days ? buf : "", 6.5, CENTER, false);
        cell(s, x, y + 12, T6_DAY, 12, d <= days ? weekdays[(first + d - 1) % 7] : "", 6.5, CENTER, false);
    }
    cell(s, x, y, T6_TOTAL, 24, "合計\n回数", 6.5, CENTER, false);
    return y + 24;
}

static void sheet6(struct sheet *s, const struct forms67 *f)
{
    int page = 1;
    double y = sheet6_head(s, f, page);
    int days = date_days_in_month(f->year, f->month);
    for (size_t i = 0; i < f->nlines && s->rc == 0; i++) {
        if (y + 2 * T6_ROW > PAGE_H - MARGIN) {
            cairo_show_page(s->cr);
            y = sheet6_head(s, f, ++page);
        }
        const struct form6_line *l = &f->lines[i];
        double x = MARGIN;
        cell(s, x, y, T6_TIME, 2 * T6_ROW, l->time, 7, CENTER, false);
        x += T6_TIME;
        cell(s, x, y, T6_SERVICE, 2 * T6_ROW, l->service, 7, LEFT, false);
        x += T6_SERVICE;
        cell(s, x, y, T6_OFFICE, 2 * T6_ROW, l->office, 7, LEFT, false);
        x += T6_OFFICE;
        for (int row = 0; row < 2; row++) {
            uint32_t bits = row ? l->actual : l->planned;
            double yy = y + row * T6_ROW, xx = x;
            cell(s, xx, yy, T6_KIND, T6_ROW, row ? "実績" : "予定", 6.5, CENTER, false);
            xx += T6_KIND;
            char c[16];
            snprintf(c, sizeof c, "%d", l->per_day > 0 ? l->per_day : 1);
            int total = 0;
            for (int d = 1; d <= 31; d++, xx += T6_DAY) {
                bool on = d <= days && (bits >> (d - 1) & 1u) && (row == 0 || f->with_actual);
                total += on ? (l->per_day > 0 ? l->per_day : 1) : 0;
                cell(s, xx, yy, T6_DAY, T6_ROW, on ? c : "", 7, CENTER, false);
            }
            snprintf(c, sizeof c, "%d", total);
            cell(s, xx, yy, T6_TOTAL, T6_ROW, row == 0 || f->with_actual ? c : "", 7, RIGHT, false);
        }
        y += 2 * T6_ROW;
    }
}

/* ---- 第7表 -------------------------------------------------------------------------- */

static const double t7w[] = {84, 52, 104, 40, 36, 40, 26, 46, 46, 46, 32, 50, 26, 50, 50, 50};
static const char *const t7h[] = {"事業所名", "事業所番号", "サービス内容/種類", "サービスコード", "単位数",
                                  "割引後\n率% 単位数", "回数", "サービス単位/金額", "区分支給限度基準を超える単位数",
                                  "区分支給限度基準内単位数", "単位数単価", "費用総額(保険対象分)", "給付率(%)",
                                  "保険給付額", "利用者負担(保険対象分)", "利用者負担(全額負担分)"};
#define T7_COLS 16
#define T7_ROW 14.0

static double sheet7_head(struct sheet *s, const struct forms67 *f, int page)
{
    char buf[160];
    title(s, f, "第7表　サービス利用票別表", page);
    snprintf(buf, sizeof buf, "区分支給限度管理・利用者負担計算　被保険者番号 %s %s　%s", f->insurer_no, f->insured_no,
             f->name ? f->name : "");
    plain(s, MARGIN, MARGIN + 18, 600, buf, 8.5, false, LEFT);
    double x = MARGIN, y = MARGIN + 34;
    for (int c = 0; c < T7_COLS; c++) {
        cell(s, x, y, t7w[c], 30, t7h[c], 6.5, CENTER, false);
        x += t7w[c];
    }
    return y + 30;
}

/* row7 - one row of the 第7表: cols[c] or "" */
static void row7(struct sheet *s, double y, const char *const cols[T7_COLS])
{
    double x = MARGIN;
    for (int c = 0; c < T7_COLS; c++) {
        cell(s, x, y, t7w[c], T7_ROW, cols[c] ? cols[c] : "", 7, c <= 3 ? LEFT : RIGHT, false);
        x += t7w[c];
    }
}

static void sheet7(struct sheet *s, const struct forms67 *f)
{
    const struct s7_input *in = f->s7;
    const struct s7_total *t = f->total;
    int page = 1;
    double y = sheet7_head(s, f, page);
    char v[T7_COLS][40];
    const char *cols[T7_COLS];
#define NEXT_ROW()                                                                                                     \
    do {                                                                                                               \
        if (y + T7_ROW > PAGE_H - MARGIN - 40) {                                                                       \
            cairo_show_page(s->cr);                                                                                    \
            y = sheet7_head(s, f, ++page);                                                                             \
        }                                                                                                              \
    } while (0)
    for (size_t o = 0; o < in->noffices && s->rc == 0; o++) {
        const struct s7_office *of = &in->offices[o];
        bool first = true;
        for (size_t i = of->first; i < of->first + of->n; i++) {
            const struct s7_line *l = &in->lines[i];
            NEXT_ROW();
            memset(cols, 0, sizeof cols);
            cols[0] = first && f->office_names ? f->office_names[o] : "";
            cols[1] = first ? of->office_no : "";
            cols[2] = f->line_names && f->line_names[i] ? f->line_names[i] : l->service_code;
            cols[3] = l->service_code;
            num(v[4], sizeof v[4], l->units), cols[4] = v[4];
            if (l->rate_pct != 100) {
                snprintf(v[5], sizeof v[5], "%d%% %lld", l->rate_pct, l->discounted_units);
                cols[5] = v[5];
            }
            num(v[6], sizeof v[6], l->count), cols[6] = v[6];
            num(v[7], sizeof v[7], l->service_units), cols[7] = v[7];
            if (l->limit_exempt) { /* outside the 区分支給限度: its own amounts */
                num(v[11], sizeof v[11], l->ex_total_cost), cols[11] = v[11];
                snprintf(v[12], sizeof v[12], "%d", in->benefit_rate), cols[12] = v[12];
                num(v[13], sizeof v[13], l->ex_claim), cols[13] = v[13];
                num(v[14], sizeof v[14], l->ex_user_share), cols[14] = v[14];
                num(v[15], sizeof v[15], l->ex_full_pay), cols[15] = v[15];
                snprintf(v[10], sizeof v[10], "%d.%02d", of->price_x100 / 100, of->price_x100 % 100), cols[10] = v[10];
            } else {
                num(v[8], sizeof v[8], l->over), cols[8] = v[8];
                num(v[9], sizeof v[9], l->service_units - l->over), cols[9] = v[9];
            }
            row7(s, y, cols);
            y += T7_ROW;
            first = false;
        }
        /* the office's amounts */
        NEXT_ROW();
        memset(cols, 0, sizeof cols);
        cols[2] = "(事業所の合計)";
        num(v[8], sizeof v[8], of->over_limit_units), cols[8] = v[8];
        num(v[9], sizeof v[9], of->in_limit_units), cols[9] = v[9];
        snprintf(v[10], sizeof v[10], "%d.%02d", of->price_x100 / 100, of->price_x100 % 100), cols[10] = v[10];
        num(v[11], sizeof v[11], of->total_cost), cols[11] = v[11];
        snprintf(v[12], sizeof v[12], "%d", in->benefit_rate), cols[12] = v[12];
        num(v[13], sizeof v[13], of->claim), cols[13] = v[13];
        num(v[14], sizeof v[14], of->user_share), cols[14] = v[14];
        num(v[15], sizeof v[15], of->full_pay), cols[15] = v[15];
        row7(s, y, cols);
        y += T7_ROW;
    }
    if (s->rc)
        return;
    NEXT_ROW();
    memset(cols, 0, sizeof cols);
    char lim[96], n[32];
    num(n, sizeof n, t->limit_units);
    snprintf(lim, sizeof lim, "区分支給限度基準額 %s 単位", n);
    cols[0] = "合計";
    cols[2] = lim;
    num(v[8], sizeof v[8], t->over_limit_units), cols[8] = v[8];
    num(v[9], sizeof v[9], t->in_limit_units), cols[9] = v[9];
    num(v[11], sizeof v[11], t->total_cost), cols[11] = v[11];
    num(v[13], sizeof v[13], t->claim), cols[13] = v[13];
    num(v[14], sizeof v[14], t->user_share), cols[14] = v[14];
    num(v[15], sizeof v[15], t->full_pay), cols[15] = v[15];
    row7(s, y, cols);
    y += T7_ROW + 6;
    plain(s, MARGIN, y, PAGE_W - 2 * MARGIN,
          "利用者負担は保険対象分と全額負担分の合計です。円未満は切り捨て(介護報酬の端数処理)。区分支給限度基準を超える"
          "単位数は、ケアマネジャーが選んだサービスに割り当てています。",
          7, false, LEFT);
#undef NEXT_ROW
}

static cairo_status_t to_writer(void *closure, const unsigned char *data, unsigned int len)
{
    struct {
        forms67_write_fn *fn;
        void *ctx;
    } *w = closure;
    return w->fn(w->ctx, data, len) ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

int print_forms67(const struct forms67 *f, forms67_write_fn *write, void *ctx, const char **why)
{
    struct {
        forms67_write_fn *fn;
        void *ctx;
    } w = {write, ctx};
    cairo_surface_t *surf = cairo_pdf_surface_create_for_stream(to_writer, &w, PAGE_W, PAGE_H);
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, "サービス利用票(第6表)・サービス利用票別表(第7表)");
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, "kaigo");
    cairo_t *cr = cairo_create(surf);
    cairo_set_source_rgb(cr, 0, 0, 0);
    struct sheet s = {cr, NULL, 0};
    sheet6(&s, f);
    if (s.rc == 0 && f->s7 && f->total) {
        cairo_show_page(cr);
        sheet7(&s, f);
    }
    cairo_show_page(cr);
    cairo_destroy(cr);
    cairo_surface_finish(surf);
    cairo_status_t st = cairo_surface_status(surf);
    cairo_surface_destroy(surf);
    if (s.rc) {
        *why = s.why;
        return s.rc;
    }
    if (st != CAIRO_STATUS_SUCCESS) {
        *why = "PDF を書けませんでした";
        return -1;
    }
    return 0;
}
