/* csv.c - see csv.h. */
#include <string.h>

#include "util/csv.h"
#include "util/banned.h"

void csv_init(struct csv_reader *r, const char *p, size_t n)
{
    memset(r, 0, sizeof *r);
    r->p = p;
    r->n = n;
    r->line = 1;
    buf_init(&r->unq, CSV_MAX_RECORD_BYTES);
    /* a UTF-8 byte-order mark is not data */
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        r->off = 3;
}

void csv_release(struct csv_reader *r)
{
    buf_release(&r->unq);
}

static int fail(struct csv_reader *r, struct csv_error *err, long line, const char *msg)
{
    err->line = line;
    err->column = (int)r->nf + 1;
    err->message = msg;
    /* resynchronise: skip to just after the next LF */
    while (r->off < r->n && r->p[r->off] != '\n')
        r->off++;
    if (r->off < r->n) {
        r->off++;
    }
    r->line++;
    return -1;
}

int csv_next(struct csv_reader *r, long *line, struct csv_error *err)
{
    const char *p = r->p;
    size_t n = r->n;
    if (r->off >= n)
        return 0;
    long start_line = r->line;
    size_t rec_start = r->off;
    r->nf = 0;
    buf_reset(&r->unq);
    *line = start_line;

    for (;;) {
        if (r->nf == CSV_MAX_FIELDS)
            return fail(r, err, start_line, "列が多すぎます");
        size_t i = r->off;
        if (i < n && p[i] == '"') {
            size_t ustart = r->unq.len;
            i++;
            for (;;) {
                if (i >= n)
                    return fail(r, err, start_line, "引用符(\")が閉じられていません");
                char c = p[i];
                if (c == '"') {
                    if (i + 1 < n && p[i + 1] == '"') {
                        buf_addc(&r->unq, '"');
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (c == '\0')
                    return fail(r, err, start_line, "NUL文字が含まれています");
                if (c == '\n')
                    r->line++;
                buf_addc(&r->unq, c);
                i++;
            }
            if (buf_failed(&r->unq))
                return fail(r, err, start_line, "レコードが長すぎます");
            r->f[r->nf].start = ustart;
            r->f[r->nf].len = r->unq.len - ustart;
            r->f[r->nf].quoted = 1;
        } else {
            size_t s = i;
            while (i < n && p[i] != ',' && p[i] != '\n' && p[i] != '\r') {
                if (p[i] == '"')
                    return fail(r, err, start_line, "引用符で囲まれていない項目に引用符(\")があります");
                if (p[i] == '\0')
                    return fail(r, err, start_line, "NUL文字が含まれています");
                i++;
            }
            r->f[r->nf].start = s;
            r->f[r->nf].len = i - s;
            r->f[r->nf].quoted = 0;
        }
        if (r->f[r->nf].len > CSV_MAX_FIELD_BYTES)
            return fail(r, err, start_line, "項目が長すぎます");
        r->nf++;
        if (i - rec_start > CSV_MAX_RECORD_BYTES)
            return fail(r, err, start_line, "レコードが長すぎます");
        /* after a field: comma, CRLF, LF or end of input */
        if (i >= n) {
            r->off = n;
            break;
        }
        if (p[i] == ',') {
            r->off = i + 1;
            if (r->off >= n) { /* trailing comma at EOF: one more empty field */
                if (r->nf == CSV_MAX_FIELDS)
                    return fail(r, err, start_line, "列が多すぎます");
                r->f[r->nf].start = n;
                r->f[r->nf].len = 0;
                r->f[r->nf].quoted = 0;
                r->nf++;
                break;
            }
            continue;
        }
        if (p[i] == '\n') {
            r->off = i + 1;
            r->line++;
            break;
        }
        if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n') {
            r->off = i + 2;
            r->line++;
            break;
        }
        r->off = i;
        r->nf--; /* the error is in the field just read */
        return fail(r, err, start_line,
                    p[i] == '\r' ? "改行コードが不正です(CRのみ)"
                                 : "引用符の後に余分な文字があります");
    }
    for (size_t k = 0; k < r->nf; k++) {
        const char *base = r->f[k].quoted ? r->unq.ptr : p;
        r->field[k].ptr = base ? base + r->f[k].start : "";
        r->field[k].len = r->f[k].len;
    }
    return 1;
}
