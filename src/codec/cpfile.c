/* cpfile.c - care-plan CSV files in and out; see cpfile.h. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec/cpfile.h"
#include "util/csv.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/banned.h"

static long line_of(const char *p, size_t off)
{
    long line = 1;
    for (size_t i = 0; i < off; i++)
        line += p[i] == '\n';
    return line;
}

/* pua_at - the offset of the first private-use character (外字 after iconv) in UTF-8 text, or -1. */
static long pua_at(const char *s, size_t n)
{
    for (size_t i = 0; i + 2 < n; i++) {
        unsigned char a = (unsigned char)s[i], b = (unsigned char)s[i + 1];
        /* U+E000..U+F8FF is EE 80 80 .. EF A3 BF */
        if (a == 0xEE || (a == 0xEF && b <= 0xA3))
            return (long)i;
    }
    return -1;
}

void cpfile_free(struct cp_filedata *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->r[i].f);
    free(f->r);
    free(f->image);
    free(f->keep);
    for (size_t i = 0; i < CPFILE_MAX_PARTS; i++)
        free(f->text[i]);
    memset(f, 0, sizeof *f);
}

/* add_record - copies the reader's current record (fields, quote mask, raw
 * text) into one allocation. */
static void add_record(struct cp_filedata *out, long line, const struct csv_reader *r, const char *raw,
                       size_t rawlen)
{
    if (out->n == out->cap) {
        out->cap = out->cap ? 2 * out->cap : 64;
        out->r = xrealloc(out->r, out->cap * sizeof *out->r);
    }
    size_t bytes = r->nf * sizeof(char *);
    for (size_t i = 0; i < r->nf; i++)
        bytes += r->field[i].len + 1;
    char **fp = xmalloc(bytes);
    char *p = (char *)(fp + r->nf);
    struct cp_record *rec = &out->r[out->n++];
    rec->line = line;
    rec->nf = (unsigned)r->nf;
    rec->quoted[0] = rec->quoted[1] = 0;
    rec->f = fp;
    for (size_t i = 0; i < r->nf; i++) {
        fp[i] = p;
        memcpy(p, r->field[i].ptr, r->field[i].len);
        p[r->field[i].len] = '\0';
        p += r->field[i].len + 1;
        if (r->f[i].quoted)
            cp_set_quoted(rec, (unsigned)i);
    }
    rec->raw = raw; /* into out->text, which lives as long as the records */
    rec->rawlen = rawlen;
}

void cpfile_add(struct cp_filedata *out, const char *const *fields, unsigned nf)
{
    if (out->n == out->cap) {
        out->cap = out->cap ? 2 * out->cap : 64;
        out->r = xrealloc(out->r, out->cap * sizeof *out->r);
    }
    size_t bytes = nf * sizeof(char *);
    for (unsigned i = 0; i < nf; i++)
        bytes += strlen(fields[i]) + 1;
    char **fp = xmalloc(bytes);
    char *p = (char *)(fp + nf);
    struct cp_record *rec = &out->r[out->n++];
    memset(rec, 0, sizeof *rec);
    rec->line = (long)out->n;
    rec->nf = nf;
    rec->f = fp;
    for (unsigned i = 0; i < nf; i++) {
        size_t len = strlen(fields[i]);
        fp[i] = p;
        memcpy(p, fields[i], len + 1);
        p += len + 1;
        if (out->layout && i < out->layout->ncols && out->layout->cols[i].kind == K_TEXT)
            cp_set_quoted(rec, i);
    }
}

int cpfile_parse_text(const char *src, size_t n, struct cp_filedata *out)
{
    char *text = xmalloc(n + 1);
    memcpy(text, src, n);
    text[n] = '\0';
    free(out->text[0]);
    out->text[0] = text;
    struct csv_reader r;
    csv_init(&r, text, n);
    long line;
    struct csv_error e;
    int got;
    size_t start = r.off;
    while ((got = csv_next(&r, &line, &e)) > 0) {
        add_record(out, line, &r, text + start, r.off - start);
        start = r.off;
    }
    csv_release(&r);
    return got < 0 ? -1 : 0;
}

/* the record's month column for files that carry one in the name */
static int month_column(enum cp_file f)
{
    switch (f) {
    case CP_UPPLAN:
    case CP_UPJSK:
    case CP_UPSIKYU:
        return 5;
    case CP_DLTPLAN:
    case CP_DLTJSK:
        return 4;
    case CP_UPHOSOKU:
        return 63;
    default:
        return 0;
    }
}

/* One stretch of a file's bytes that starts at a record boundary, read on its own
 * (a thread each when the file is split): decode, 外字 check, CSV records and
 * their field checks. Lines are counted from the stretch's start. */
struct part {
    const char *bytes;
    size_t n;
    const struct cp_name *name;
    const struct cp_layout *L;
    cp_err_fn *err;
    void *ctx;
    /* out */
    struct cp_filedata d; /* records and text (d.text[0]) */
    long problems;
    long lfs;        /* line feeds in bytes[0..n) */
    char version[8]; /* the first record's CSV version */
};

/* the characters of a stretch that came in another code than kaigo writes (by text offset) */
struct others {
    size_t n, cap;
    struct cp932_keep *k;
};

static void other_found(void *ctx, size_t off, const unsigned char b[2])
{
    struct others *o = ctx;
    if (o->n == o->cap) {
        o->cap = o->cap ? 2 * o->cap : 16;
        o->k = xrealloc(o->k, o->cap * sizeof *o->k);
    }
    o->k[o->n++] = (struct cp932_keep){off, {b[0], b[1]}};
}

/* keep_others - o's characters given to the records that hold them (records in text order) */
static void keep_others(struct cp_filedata *out, const char *t, const struct others *o)
{
    if (!o->n)
        return;
    out->keep = xmalloc(o->n * sizeof *out->keep);
    size_t r = 0;
    for (size_t i = 0; i < o->n; i++) {
        const char *at = t + o->k[i].off;
        while (r < out->n && out->r[r].raw + out->r[r].rawlen <= at)
            r++;
        if (r == out->n)
            break;
        if (at < out->r[r].raw)
            continue; /* in a record that was refused */
        out->keep[out->nkeep++] = (struct cp_keep){r, (uint32_t)(at - out->r[r].raw), {o->k[i].b[0], o->k[i].b[1]}};
    }
}

static long read_part(struct part *pt)
{
    const struct cp_layout *L = pt->L;
    struct cp_filedata *out = &pt->d;
    cp_err_fn *err = pt->err;
    void *ctx = pt->ctx;
    long problems = 0;
    const char *why;
    struct buf text;
    buf_init(&text, 4 * pt->n + 16);
    size_t bad;
    if (cp932_to_utf8(pt->bytes, pt->n, &text, &bad)) {
        err(ctx, line_of(pt->bytes, bad), 0, "", "Shift-JIS(MS932)として読めないバイトがあります");
        buf_release(&text);
        return pt->problems = 1;
    }
    long pua = pua_at(text.ptr ? text.ptr : "", text.len);
    if (pua >= 0) {
        err(ctx, line_of(text.ptr, (size_t)pua), 0, "", "外字(利用者定義文字)は使えません");
        buf_release(&text);
        return pt->problems = 1;
    }
    const char *t = text.ptr ? text.ptr : "";
    struct others others = {0, 0, NULL};
    (void)cp932_others(pt->bytes, pt->n, t, text.len, other_found, &others);
    const char *nl = memchr(t, '\n', text.len);
    out->crlf = nl && nl > t && nl[-1] == '\r';
    out->final_newline = text.len > 0 && t[text.len - 1] == '\n';
    for (const char *q = t; (q = memchr(q, '\n', text.len - (size_t)(q - t))) != NULL; q++)
        pt->lfs++;

    struct csv_reader r;
    csv_init(&r, t, text.len);
    long line;
    struct csv_error ce;
    int got;
    char *version = pt->version;
    int mcol = month_column(L->file);
    size_t start = r.off;
    while ((got = csv_next(&r, &line, &ce)) > 0) {
        size_t rec_start = start;
        start = r.off;
        if (r.nf != L->ncols) {
            char msg[96];
            snprintf(msg, sizeof msg, "項目数が %zu です(%s は %u 項目、見出し行は付けません)", r.nf, L->prefix,
                     L->ncols);
            err(ctx, line, 0, "", msg);
            problems++;
            continue;
        }
        bool ok = true;
        for (unsigned i = 0; i < L->ncols; i++)
            if (cp_field_check(&L->cols[i], r.field[i], &why)) {
                err(ctx, line, (int)i + 1, L->cols[i].name, why);
                problems++;
                ok = false;
            }
        if (!ok)
            continue;
        /* one CSV version per file, matching the name's era */
        if (!version[0]) {
            snprintf(version, sizeof pt->version, "%.*s", (int)r.field[0].len, r.field[0].ptr);
            if (pt->name->v3 != (strcmp(version, CP_VERSION_V3) == 0)) {
                err(ctx, line, 1, L->cols[0].name,
                    pt->name->v3 ? "v3 のファイル名(サービス種類コードなし)には CSVバージョン 202208 が必要です"
                                 : "サービス種類コード付きのファイル名(v4)に CSVバージョン 202208(v3)は使えません");
                problems++;
            }
        } else if (!str_eq(r.field[0], version)) {
            err(ctx, line, 1, L->cols[0].name, "1ファイルに異なるCSVバージョンのレコードは混在できません");
            problems++;
        }
        if (mcol && !str_eq(r.field[mcol - 1], pt->name->month)) {
            err(ctx, line, mcol, L->cols[mcol - 1].name,
                "ファイル名の年月と一致しません(1ファイルは単月のサービス提供年月のみ)");
            problems++;
        }
        add_record(out, line, &r, t + rec_start, start - rec_start);
    }
    if (got < 0) {
        err(ctx, ce.line, ce.column, "", ce.message);
        problems++;
    }
    csv_release(&r);
    out->text[0] = text.ptr; /* the records' raw text points into it */
    keep_others(out, t, &others);
    free(others.k);
    return pt->problems = problems;
}

static void *read_part_thread(void *arg)
{
    read_part(arg);
    return NULL;
}

static void quiet(void *ctx, long line, int column, const char *name, const char *msg)
{
    (void)ctx, (void)line, (void)column, (void)name, (void)msg;
}

/* split - up to k stretches of bytes[0..n) that start at record boundaries: after a
 * line feed outside quotes. In MS932 neither '"' nor LF is ever the second byte of
 * a character, so quote parity over the raw bytes tells. (In a file with quoting
 * errors the split may fall inside a record; the caller then reads serially.)
 * Returns the number of stretches; cut[i] is where stretch i starts, cut[k] = n. */
static size_t split(const char *b, size_t n, size_t k, size_t cut[])
{
    size_t m = 0, pos = 0;
    unsigned quotes = 0; /* parity of '"' in b[0..pos) */
    cut[m++] = 0;
    for (size_t i = 1; i < k; i++) {
        size_t target = n / k * i;
        if (target <= pos)
            continue;
        for (; pos < target; pos++)
            quotes ^= b[pos] == '"';
        while (pos < n) {
            char c = b[pos++];
            quotes ^= c == '"';
            if (c == '\n' && !quotes)
                break;
        }
        if (pos >= n)
            break;
        cut[m++] = pos;
    }
    cut[m] = n;
    return m;
}

/* read_parallel - the parts read on their own threads and joined; 0 when every part
 * read without a problem and they agree (one CSV version), else 1 (nothing
 * reported: the caller reads again serially to report in order). */
static long read_parallel(const char *bytes, size_t n, size_t parts, struct cp_filedata *out)
{
    size_t cut[CPFILE_MAX_PARTS + 1];
    size_t m = split(bytes, n, parts, cut);
    struct part pt[CPFILE_MAX_PARTS];
    pthread_t th[CPFILE_MAX_PARTS];
    bool started[CPFILE_MAX_PARTS] = {false};
    memset(pt, 0, sizeof pt);
    for (size_t i = 0; i < m; i++) {
        pt[i] = (struct part){.bytes = bytes + cut[i], .n = cut[i + 1] - cut[i], .name = &out->name,
                              .L = out->layout, .err = quiet};
        pt[i].d.name = out->name;
        pt[i].d.layout = out->layout;
    }
    for (size_t i = 1; i < m; i++)
        started[i] = pthread_create(&th[i], NULL, read_part_thread, &pt[i]) == 0;
    read_part(&pt[0]);
    long problems = 0;
    size_t total = 0;
    for (size_t i = 1; i < m; i++) {
        if (started[i])
            pthread_join(th[i], NULL);
        else
            read_part(&pt[i]); /* no thread to be had: read it here */
    }
    for (size_t i = 0; i < m; i++) {
        problems += pt[i].problems;
        total += pt[i].d.n;
        if (i && pt[i].version[0] && strcmp(pt[i].version, pt[0].version) != 0)
            problems++;
    }
    if (problems == 0) {
        out->crlf = pt[0].d.crlf;
        out->final_newline = pt[m - 1].d.final_newline;
        out->r = xmalloc((total ? total : 1) * sizeof *out->r);
        out->cap = total ? total : 1;
        size_t nkeep = 0;
        for (size_t i = 0; i < m; i++)
            nkeep += pt[i].d.nkeep;
        out->keep = nkeep ? xmalloc(nkeep * sizeof *out->keep) : NULL;
        long line0 = 0;
        for (size_t i = 0; i < m; i++) {
            for (size_t j = 0; j < pt[i].d.nkeep; j++) {
                out->keep[out->nkeep] = pt[i].d.keep[j];
                out->keep[out->nkeep++].rec += out->n;
            }
            free(pt[i].d.keep);
            for (size_t j = 0; j < pt[i].d.n; j++) {
                out->r[out->n] = pt[i].d.r[j];
                out->r[out->n++].line += line0;
            }
            line0 += pt[i].lfs;
            out->text[i] = pt[i].d.text[0];
            free(pt[i].d.r); /* the records' fields now belong to out */
        }
        return 0;
    }
    for (size_t i = 0; i < m; i++)
        cpfile_free(&pt[i].d);
    return 1;
}

static size_t auto_parts(size_t n)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t k = cpus > 0 ? (size_t)cpus : 1;
    if (k > CPFILE_MAX_PARTS)
        k = CPFILE_MAX_PARTS;
    if (k > n / CPFILE_PART_MIN_BYTES)
        k = n / CPFILE_PART_MIN_BYTES;
    return k ? k : 1;
}

long cpfile_read_parts(const char *fname, const char *bytes, size_t n, size_t parts, struct cp_filedata *out,
                       cp_err_fn *err, void *ctx)
{
    memset(out, 0, sizeof *out);
    const char *base = strrchr(fname, '/');
    base = base ? base + 1 : fname;
    const char *why;
    if (cp_name_parse(base, &out->name, &why)) {
        err(ctx, 0, 0, "", why);
        return 1;
    }
    if (out->name.file == CP_UPKIHON_IMAGE) { /* 家族構成 画像: JPEG bytes, linked by UPKIHON No.62 */
        if (n > CPFILE_IMAGE_MAX || n < 4 || memcmp(bytes, "\xFF\xD8\xFF", 3) != 0) {
            err(ctx, 0, 0, "", n > CPFILE_IMAGE_MAX ? "画像が大きすぎます(16 MiB まで)" : "JPEG 画像ではありません");
            return 1;
        }
        out->image = xmalloc(n);
        memcpy(out->image, bytes, n);
        out->image_len = n;
        return 0;
    }
    /* a v3 name (no service types, CSVバージョン 202208) reads by the v3 layout: the 第6表/実績 of 22 items
     * and the 第7表 of 34 (issue #17: every genuine v3 file was refused against the v4 counts) */
    out->layout = cp_layout_era(out->name.file, out->name.v3);
    if (!out->layout) {
        err(ctx, 0, 0, "", "このファイル種別のレイアウトはまだ読み込めません");
        return 1;
    }
    if (n > CPFILE_MAX_BYTES) {
        err(ctx, 0, 0, "", "ファイルが大きすぎます");
        return 1;
    }
    if (parts == 0)
        parts = auto_parts(n);
    if (parts > CPFILE_MAX_PARTS)
        parts = CPFILE_MAX_PARTS;
    if (parts > 1 && read_parallel(bytes, n, parts, out) == 0)
        return 0;
    /* one part: the whole file, problems reported in order */
    struct cp_name name = out->name;
    const struct cp_layout *L = out->layout;
    struct part pt = {.bytes = bytes, .n = n, .name = &name, .L = L, .err = err, .ctx = ctx};
    pt.d.name = name;
    pt.d.layout = L;
    long problems = read_part(&pt);
    *out = pt.d;
    return problems;
}

long cpfile_read(const char *fname, const char *bytes, size_t n, struct cp_filedata *out,
                 cp_err_fn *err, void *ctx)
{
    return cpfile_read_parts(fname, bytes, n, 0, out, err, ctx);
}

/* where a byte of the written text stands: its record (by the records' start offsets) and its
 * column (unquoted commas before it in the record) */
struct unmap_ctx {
    const struct cp_filedata *f;
    const char *fname;
    const char *text;
    const size_t *rec_off;
    cp_unmappable_fn *fn;
    void *ctx;
};

static void on_unmappable(void *c, size_t off, unsigned cp)
{
    struct unmap_ctx *x = c;
    size_t lo = 0, hi = x->f->n; /* the last record starting at or before off */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->rec_off[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    const struct cp_record *rec = &x->f->r[lo];
    int col = 1;
    bool q = false;
    for (size_t i = x->rec_off[lo]; i < off; i++) {
        if (x->text[i] == '"')
            q = !q;
        else if (x->text[i] == ',' && !q)
            col++;
    }
    if (!x->fn)
        return;
    const struct cp_layout *L = x->f->layout;
    struct cp_unmappable u = {x->fname, rec->line, col, L && (unsigned)col <= L->ncols ? L->cols[col - 1].name : "",
                              rec->nf > 2 ? rec->f[1] : "", rec->nf > 2 ? rec->f[2] : "", cp};
    x->fn(x->ctx, &u);
}

char *cpfile_write_ex(const struct cp_filedata *f, const char *fname, size_t *n, bool substitute,
                      cp_unmappable_fn *fn, void *ctx, size_t *count)
{
    *count = 0;
    if (f->image) { /* the image as received */
        char *copy = xmalloc(f->image_len ? f->image_len : 1);
        memcpy(copy, f->image, f->image_len);
        *n = f->image_len;
        return copy;
    }
    struct buf u, out;
    buf_init(&u, 1u << 30);
    size_t *rec_off = xcalloc(f->n ? f->n : 1, sizeof *rec_off);
    const char *eol = f->crlf ? "\r\n" : "\n";
    for (size_t i = 0; i < f->n; i++) {
        const struct cp_record *rec = &f->r[i];
        rec_off[i] = u.len;
        if (rec->raw) { /* as read: the same text (its terminator included) */
            buf_add(&u, rec->raw, rec->rawlen);
            continue;
        }
        for (unsigned j = 0; j < rec->nf; j++) {
            if (j)
                buf_addc(&u, ',');
            /* a free-text field is quoted (and one that was quoted stays so) */
            bool q = cp_quoted(rec, j);
            if (q) {
                buf_addc(&u, '"');
                for (const char *p = rec->f[j]; *p; p++) {
                    if (*p == '"')
                        buf_addc(&u, '"');
                    buf_addc(&u, *p);
                }
                buf_addc(&u, '"');
            } else
                buf_adds(&u, rec->f[j]);
        }
        if (i + 1 < f->n || f->final_newline)
            buf_adds(&u, eol);
    }
    /* the characters that came in their other code go back in it (a record written from its text) */
    struct cp932_keep *keep = xmalloc((f->nkeep ? f->nkeep : 1) * sizeof *keep);
    size_t nkeep = 0;
    for (size_t i = 0; i < f->nkeep; i++) {
        const struct cp_keep *k = &f->keep[i];
        if (k->rec < f->n && f->r[k->rec].raw && k->off < f->r[k->rec].rawlen)
            keep[nkeep++] = (struct cp932_keep){rec_off[k->rec] + k->off, {k->b[0], k->b[1]}};
    }
    buf_init(&out, 2 * u.len + 16);
    struct unmap_ctx x = {f, fname ? fname : "", u.ptr ? u.ptr : "", rec_off, fn, ctx};
    *count = utf8_to_cp932_keep(u.ptr ? u.ptr : "", u.len, &out, substitute ? CP_SUBSTITUTE : NULL, on_unmappable, &x,
                                keep, nkeep);
    free(keep);
    free(rec_off);
    buf_release(&u);
    if (*count && !substitute) {
        buf_release(&out);
        return NULL;
    }
    *n = out.len;
    char *p = out.ptr;
    if (!p)
        p = xcalloc(1, 1);
    return p;
}

struct first_bad {
    long line;
    int column;
};

static void note_first(void *ctx, const struct cp_unmappable *u)
{
    struct first_bad *b = ctx;
    if (!b->line) {
        b->line = u->line;
        b->column = u->column;
    }
}

char *cpfile_write(const struct cp_filedata *f, size_t *n, long *bad_line, int *bad_column)
{
    struct first_bad b = {0, 0};
    size_t count;
    char *p = cpfile_write_ex(f, NULL, n, false, note_first, &b, &count);
    *bad_line = b.line;
    *bad_column = b.column;
    return p;
}
