/* pdf.c - paper documents as PDF; see pdf.h. */
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <qrencode.h>
#include <stdint.h>
#include <string.h>

#include "print/pdf.h"
#include "util/banned.h"

#define PAGE_W 595.28 /* A4 in points */
#define PAGE_H 841.89
#define MARGIN 56.0
#define LABEL_W 150.0
#define PAD 4.0
#define QR_SIZE 120.0

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
    pango_layout_set_text(l, text, -1);
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

static int page(cairo_t *cr, const struct paper_doc *d, const char *token, const char **why)
{
    double width = PAGE_W - 2 * MARGIN, y = MARGIN;
    cairo_set_source_rgb(cr, 0, 0, 0);
    PangoLayout *t = layout(cr, d->title, 22, true, width);
    pango_layout_set_alignment(t, PANGO_ALIGN_CENTER);
    draw_at(cr, t, MARGIN, y);
    y += height_of(t) + 18;
    g_object_unref(t);
    cairo_set_line_width(cr, 0.8);
    double value_w = width - LABEL_W - 2 * PAD;
    for (size_t i = 0; i < d->n; i++) {
        PangoLayout *a = layout(cr, d->l[i].label, 9.5, false, LABEL_W - 2 * PAD);
        PangoLayout *v = layout(cr, d->l[i].value, 11, false, value_w - PAD);
        double h = height_of(a) > height_of(v) ? height_of(a) : height_of(v);
        h += 2 * PAD;
        if (y + h > PAGE_H - MARGIN - QR_SIZE - 40) {
            g_object_unref(a);
            g_object_unref(v);
            *why = "内容が1ページに収まりません(切り詰めずに止めました)";
            return -1;
        }
        cairo_rectangle(cr, MARGIN, y, LABEL_W, h);
        cairo_rectangle(cr, MARGIN + LABEL_W, y, width - LABEL_W, h);
        cairo_stroke(cr);
        draw_at(cr, a, MARGIN + PAD, y + PAD);
        draw_at(cr, v, MARGIN + LABEL_W + PAD, y + PAD);
        y += h;
        g_object_unref(a);
        g_object_unref(v);
    }
    PangoLayout *is = layout(cr, d->issuer, 12, false, width - QR_SIZE - 20);
    draw_at(cr, is, MARGIN, PAGE_H - MARGIN - QR_SIZE);
    g_object_unref(is);
    if (qr(cr, token, PAGE_W - MARGIN - QR_SIZE, PAGE_H - MARGIN - QR_SIZE - 14, QR_SIZE)) {
        *why = "QR コードを作れません";
        return -1;
    }
    PangoLayout *cap = layout(cr, "確認用コード(kaigo verify)", 8, false, 0);
    draw_at(cr, cap, PAGE_W - MARGIN - QR_SIZE + 4, PAGE_H - MARGIN - 12);
    g_object_unref(cap);
    return 0;
}

int print_pdf(const char *path, const struct paper_doc *docs, const char *const *tokens, size_t n, const char **why)
{
    cairo_surface_t *s = cairo_pdf_surface_create(path, PAGE_W, PAGE_H);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        *why = "PDF を作れません";
        return -1;
    }
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "kaigo");
    cairo_t *cr = cairo_create(s);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = page(cr, &docs[i], tokens[i], why);
        cairo_show_page(cr);
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
