/* pdf.c - paper documents as PDF; see pdf.h. */
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <qrencode.h>
#include <stdint.h>
#include <string.h>

#include "print/pdf.h"
#include "util/banned.h"

#define MM(x) ((x) * 72.0 / 25.4)

/* Where and how large things are drawn, by format. */
struct geometry {
    double page_w, page_h; /* points */
    double margin;         /* around the page (A4) or inside each panel (card) */
    double label_w, pad;   /* the label column, the padding inside a cell */
    double qr;             /* the QR code's side */
    double title_pt, heading_pt, label_pt, value_pt;
};

static const struct geometry A4 = {595.28, 841.89, 56.0, 150.0, 4.0, 120.0, 22.0, 12.0, 9.5, 11.0};

/* The 被保険者証: its three panels side by side on one sheet, as the form is printed and
 * folded. Folded card size: each panel 91 × 128 mm (JIS B7, the size of a card folded in
 * three; docs/paper.md — municipalities' sheets vary, so the size is kept here, not in
 * the drawing). On A4 (landscape) each panel is a third of the sheet, in larger type. */
/* Values as large as each form allows for older readers (issue #15: ≥ 10.5 pt on A4); the fullest
 * card (8 給付制限, 4 stays) still fits (tested), and a card that does not is refused, never cut. */
static const struct geometry CARD = {3 * MM(91.0), MM(128.0), MM(5.0), MM(22.0), 2.2, MM(30.0), 11.0, 8.0, 6.4, 8.0};
static const struct geometry CARD_A4 = {841.89, 595.28, MM(6.0), MM(21.0), 2.6, MM(36.0), 15.0, 11.0, 7.6, 10.5};

int print_format_parse(const char *s, enum print_format *f)
{
    if (!strcmp(s, "a4"))
        *f = PRINT_A4;
    else if (!strcmp(s, "card"))
        *f = PRINT_CARD;
    else
        return -1;
    return 0;
}

/* keep_dates - text with U+2060 WORD JOINER between the characters of each 和暦 date and the
 * から/まで after it, so that a line never breaks inside 「令和9年9月30日まで」 (issue #15); the
 * joiner has no glyph and prints nothing. The caller frees the result. */
static char *keep_dates(const char *t)
{
    static const char *const eras[] = {"明治", "大正", "昭和", "平成", "令和"};
    static const char *const parts[] = {"元", "年", "月", "日", "から", "まで"};
    static const char wj[] = "\u2060";
    size_t n = strlen(t);
    char *out = g_malloc(n * 4 + 1), *o = out;
    size_t i = 0;
    while (i < n) {
        size_t era = 0;
        for (size_t e = 0; e < 5 && !era; e++)
            if (strncmp(t + i, eras[e], strlen(eras[e])) == 0)
                era = strlen(eras[e]);
        if (!era) {
            *o++ = t[i++];
            continue;
        }
        /* the era, then digits and 元年月日, then an optional から or まで: one unbreakable run */
        size_t end = i + era;
        for (;;) {
            size_t step = 0;
            if (t[end] >= '0' && t[end] <= '9')
                step = 1;
            for (size_t p = 0; p < 6 && !step; p++)
                if (strncmp(t + end, parts[p], strlen(parts[p])) == 0)
                    step = strlen(parts[p]);
            if (!step)
                break;
            bool tail = strncmp(t + end, "から", strlen("から")) == 0 || strncmp(t + end, "まで", strlen("まで")) == 0;
            end += step;
            if (tail)
                break;
        }
        for (size_t k = i; k < end;) { /* copy one UTF-8 character, then a joiner unless last */
            size_t len = (unsigned char)t[k] < 0x80 ? 1 : (unsigned char)t[k] < 0xE0 ? 2 : (unsigned char)t[k] < 0xF0 ? 3 : 4;
            memcpy(o, t + k, len);
            o += len;
            k += len;
            if (k < end) {
                memcpy(o, wj, sizeof wj - 1);
                o += sizeof wj - 1;
            }
        }
        i = end;
    }
    *o = '\0';
    return out;
}

static PangoLayout *layout(cairo_t *cr, const char *text, double size, bool bold, double width)
{
    PangoLayout *l = pango_cairo_create_layout(cr);
    PangoFontDescription *f = pango_font_description_new();
    pango_font_description_set_family(f, PRINT_FONT);
    pango_font_description_set_absolute_size(f, size * PANGO_SCALE);
    if (bold)
        pango_font_description_set_weight(f, PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description(l, f);
    pango_font_description_free(f);
    if (width > 0) {
        pango_layout_set_width(l, (int)(width * PANGO_SCALE));
        pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    }
    char *kept = keep_dates(text);
    pango_layout_set_text(l, kept, -1);
    g_free(kept);
    return l;
}

static double height_of(PangoLayout *l)
{
    int w, h;
    pango_layout_get_size(l, &w, &h);
    return (double)h / PANGO_SCALE;
}

static void draw_at(cairo_t *cr, PangoLayout *l, double x, double y)
{
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, l);
}

/* qr - the token as a QR code (error correction M), size × size at (x, y): drawn as a
 * one-pixel-per-module image scaled without smoothing, so a page carries a few hundred
 * bytes for it instead of a path of a thousand rectangles (docs/benchmarks.md) */
static int qr(cairo_t *cr, const char *token, double x, double y, double size)
{
    QRcode *q = QRcode_encodeString(token, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q)
        return -1;
    int n = q->width, quiet = 4, w = n + 2 * quiet;
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, w);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
        QRcode_free(q);
        cairo_surface_destroy(img);
        return -1;
    }
    cairo_surface_flush(img);
    unsigned char *px = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    for (int r = 0; r < w; r++)
        for (int c = 0; c < w; c++) {
            bool dark = r >= quiet && r < quiet + n && c >= quiet && c < quiet + n &&
                        (q->data[(r - quiet) * n + (c - quiet)] & 1);
            uint32_t v = dark ? 0x000000u : 0xFFFFFFu;
            memcpy(px + r * stride + c * 4, &v, 4);
        }
    cairo_surface_mark_dirty(img);
    QRcode_free(q);
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, size / w, size / w);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(img);
    return 0;
}

/* A column of ruled rows being drawn: x, w the box; y where the next row goes; nothing
 * may end below 'bottom' (a row that would is refused, never cut). */
struct rows {
    cairo_t *cr;
    const struct geometry *g;
    double x, w, y, bottom;
    const char **why;
};

static const char too_long[] = "内容が用紙に収まりません(切り詰めずに止めました)";

/* row - one or two (label, value) pairs on one ruled row: [label | value] or
 * [label | value | label2 | value2] (生年月日 and 性別 side by side, as on the form),
 * the first value taking 'share' of the width the values have */
static int row(struct rows *r, const char *label, const char *value, const char *label2, const char *value2,
               double share)
{
    const struct geometry *g = r->g;
    double lw2 = label2 ? g->label_w * 0.6 : 0, rest = r->w - g->label_w - lw2;
    double vw = label2 ? rest * share : rest, vw2 = rest - vw;
    double x[4] = {r->x, r->x + g->label_w, r->x + g->label_w + vw, r->x + g->label_w + vw + lw2};
    double w[4] = {g->label_w, vw, lw2, vw2};
    const char *s[4] = {label, value, label2, value2};
    PangoLayout *l[4] = {NULL, NULL, NULL, NULL};
    double h = 0;
    int cells = label2 ? 4 : 2;
    for (int i = 0; i < cells; i++) {
        l[i] = layout(r->cr, s[i], i % 2 ? g->value_pt : g->label_pt, false, w[i] - 2 * g->pad);
        if (height_of(l[i]) > h)
            h = height_of(l[i]);
    }
    h += 2 * g->pad;
    int rc = 0;
    if (r->y + h > r->bottom) {
        *r->why = too_long;
        rc = -1;
    } else {
        for (int i = 0; i < cells; i++) {
            cairo_rectangle(r->cr, x[i], r->y, w[i], h);
            cairo_stroke(r->cr);
            draw_at(r->cr, l[i], x[i] + g->pad, r->y + g->pad);
        }
        r->y += h;
    }
    for (int i = 0; i < cells; i++)
        g_object_unref(l[i]);
    return rc;
}

/* text - a paragraph across the box (a title or a panel's heading), not ruled */
static int text(struct rows *r, const char *s, double pt, bool bold, bool center, double after)
{
    PangoLayout *l = layout(r->cr, s, pt, bold, r->w);
    if (center)
        pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
    double h = height_of(l);
    int rc = 0;
    if (r->y + h > r->bottom) {
        *r->why = too_long;
        rc = -1;
    } else {
        draw_at(r->cr, l, r->x, r->y);
        r->y += h + after;
    }
    g_object_unref(l);
    return rc;
}

/* Labels drawn side by side with the one before them, as on the 被保険者証, and the share
 * of the row's value width the first value takes. */
static const struct {
    const char *first, *second;
    double share;
} paired[] = {{"生年月日", "性別", 0.75}};

static double pairs(const char *a, const char *b)
{
    for (size_t i = 0; i < sizeof paired / sizeof paired[0]; i++)
        if (!strcmp(a, paired[i].first) && !strcmp(b, paired[i].second))
            return paired[i].share;
    return 0;
}

/* panel - the rows of panel p of a 被保険者証 under its heading (一)(二)(三); the
 * insurer's row closes (一) as on the form. */
static int panel(struct rows *r, const struct paper_doc *d, int p)
{
    if (text(r, paper_panel[p], r->g->heading_pt, true, false, r->g->pad))
        return -1;
    for (size_t i = 0; i < d->n; i++) {
        const char *label, *next;
        if (paper_line_panel(d->l[i].label, &label) != p)
            continue;
        double share;
        if (i + 1 < d->n && paper_line_panel(d->l[i + 1].label, &next) == p && (share = pairs(label, next)) > 0) {
            if (row(r, label, d->l[i].value, next, d->l[i + 1].value, share))
                return -1;
            i++;
        } else if (row(r, label, d->l[i].value, NULL, NULL, 1))
            return -1;
    }
    if (p == 0 && row(r, "保険者番号並びに保険者の名称及び印", d->issuer, NULL, NULL, 1))
        return -1;
    r->y += r->g->pad * 3;
    return 0;
}

/* caption - what the QR code is for, in words the person knows (not a command name) */
static void caption(cairo_t *cr, const struct geometry *g, enum paper_kind kind, double x, double y)
{
    bool card = kind == PAPER_CARD || kind == PAPER_BURDEN || kind == PAPER_LIMIT;
    PangoLayout *cap = layout(cr, card ? "この証の内容を確認するためのコード" : "この書類の内容を確認するためのコード",
                              g->label_pt * 0.85, false, 0);
    draw_at(cr, cap, x, y);
    g_object_unref(cap);
}

/* page_a4 - one document on A4 (portrait): the title, its rows, the issuer and the QR
 * code at the foot */
static int page_a4(cairo_t *cr, const struct paper_doc *d, const char *token, const char **why)
{
    const struct geometry *g = &A4;
    struct rows r = {cr, g, g->margin, g->page_w - 2 * g->margin, g->margin, g->page_h - g->margin - g->qr - 40, why};
    if (text(&r, d->title, g->title_pt, true, true, 18))
        return -1;
    for (size_t i = 0; i < d->n; i++)
        if (row(&r, d->l[i].label, d->l[i].value, NULL, NULL, 1))
            return -1;
    PangoLayout *is = layout(cr, d->issuer, 12, false, r.w - g->qr - 20);
    draw_at(cr, is, g->margin, g->page_h - g->margin - g->qr);
    g_object_unref(is);
    if (qr(cr, token, g->page_w - g->margin - g->qr, g->page_h - g->margin - g->qr - 14, g->qr)) {
        *why = "QR コードを作れません";
        return -1;
    }
    caption(cr, g, d->kind, g->page_w - g->margin - g->qr + 4, g->page_h - g->margin - 12);
    return 0;
}

/* page_card - a 被保険者証 on sheet g: (一)(二)(三) side by side, the title at the head
 * of (一), dashed fold lines between the panels, the QR code at the foot of (三) */
static int page_card(cairo_t *cr, const struct geometry *g, const struct paper_doc *d, const char *token,
                     const char **why)
{
    double pw = g->page_w / PAPER_PANELS;
    cairo_save(cr);
    cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
    double dash = 3.0;
    cairo_set_dash(cr, &dash, 1, 0);
    for (int p = 1; p < PAPER_PANELS; p++) {
        cairo_move_to(cr, p * pw, 0);
        cairo_line_to(cr, p * pw, g->page_h);
    }
    cairo_stroke(cr);
    cairo_restore(cr);
    /* the QR at the foot of (一), which holds the fewest lines: (三) keeps its whole height for
     * 給付制限 and stays, so the values can be as large as the form allows (issue #15) */
    for (int p = 0; p < PAPER_PANELS; p++) {
        double bottom = g->page_h - g->margin - (p == 0 ? g->qr + 2 * g->pad : 0);
        struct rows r = {cr, g, p * pw + g->margin, pw - 2 * g->margin, g->margin, bottom, why};
        if (p == 0 && text(&r, d->title, g->title_pt, true, true, 2 * g->pad))
            return -1;
        if (panel(&r, d, p))
            return -1;
    }
    double x = pw - g->margin - g->qr, y = g->page_h - g->margin - g->qr;
    if (qr(cr, token, x, y, g->qr)) {
        *why = "QR コードを作れません";
        return -1;
    }
    caption(cr, g, d->kind, g->margin, g->page_h - g->margin - g->label_pt);
    return 0;
}

int print_pdf(const char *path, const struct paper_doc *docs, const char *const *tokens, size_t n,
              enum print_format format, size_t *failed, const char **why)
{
    for (size_t i = 0; i < n; i++)
        if (format == PRINT_CARD && docs[i].kind != PAPER_CARD) {
            *why = "カードの大きさ(--format card)で印刷できるのは被保険者証だけです";
            return -1;
        }
    cairo_surface_t *s = cairo_pdf_surface_create(path, A4.page_w, A4.page_h);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        *why = "PDF を作れません";
        return -1;
    }
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "kaigo");
    cairo_t *cr = cairo_create(s);
    int rc = 0;
    size_t i;
    for (i = 0; i < n && rc == 0; i++) {
        const struct geometry *g = docs[i].kind != PAPER_CARD ? &A4 : format == PRINT_CARD ? &CARD : &CARD_A4;
        cairo_pdf_surface_set_size(s, g->page_w, g->page_h);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, g == &CARD ? 0.5 : 0.8);
        rc = g == &A4 ? page_a4(cr, &docs[i], tokens[i], why) : page_card(cr, g, &docs[i], tokens[i], why);
        cairo_show_page(cr);
        if (rc && failed)
            *failed = i;
        if (rc && *why == too_long)
            rc = PRINT_UNFIT;
    }
    cairo_destroy(cr);
    cairo_surface_finish(s);
    if (rc == 0 && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        *why = "PDF を書き込めません";
        rc = -1;
    }
    cairo_surface_destroy(s);
    return rc;
}
