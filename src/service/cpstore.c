/* cpstore.c - CSV-standard record sets as versioned person records; see cpstore.h. */
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"
#include "service/cpstore.h"
#include "util/buf.h"
#include "util/csv.h"
#include "util/jsonw.h"
#include "util/xalloc.h"
#include "util/banned.h"

const char *const cps_kinds[] = {"cp.UPHOSOKU", "cp.UP1KYO",  "cp.UP2KYO",       "cp.UP3KYO",
                                 "cp.UPPLAN",   "cp.UPSIKYU", "cp.UPJSK",        "cp.UPYOBO",
                                 "cp.UPYOBO_SUB", "cp.UPKIHON", "cp.UPKIHON_SUB1", "cp.UPKIHON_SUB2",
                                 "cp.UPKIHON_IMAGE", NULL};

/* key - the record set a row belongs to (§6); "" for delete files. */
static void key_of(enum cp_file f, char *const *v, unsigned nf, char *out, size_t cap)
{
    switch (f) {
    case CP_UP1KYO:
        snprintf(out, cap, "%s", v[13]);
        break;
    case CP_UP2KYO:
    case CP_UP3KYO:
        snprintf(out, cap, "%s", v[4]);
        break;
    case CP_UPYOBO:
    case CP_UPYOBO_SUB:
    case CP_UPKIHON: /* 相談日 */
    case CP_UPKIHON_SUB1:
    case CP_UPKIHON_SUB2:
        snprintf(out, cap, "%s", v[3]);
        break;
    case CP_UPHOSOKU:
        if (strcmp(v[62], "000000") == 0)
            snprintf(out, cap, "P%s", v[3]);
        else
            snprintf(out, cap, "M%s", v[62]);
        break;
    case CP_UPPLAN:
    case CP_UPSIKYU:
        snprintf(out, cap, "%s", v[4]);
        break;
    case CP_UPJSK: /* month, サービス事業者コード (v4 No.20), サービスコード (No.15): by era (cp_v4_col) */
        snprintf(out, cap, "%s:%s:%.2s", v[4], v[cp_v4_col(nf, 19)], v[cp_v4_col(nf, 14)]);
        break;
    default:
        out[0] = '\0';
    }
}

struct set {
    char insurer[7], insured[11], key[48];
    size_t first, n; /* rows (indices into the file's records, in order) */
    size_t *rows;
};

/* shared - how many leading (*pre) and trailing (*suf) bytes record a shares with
 * record b, cut back to UTF-8 character boundaries so what differs stays text. */
static void shared(const char *a, size_t an, const char *b, size_t bn, size_t *pre, size_t *suf)
{
    size_t m = an < bn ? an : bn, p = 0, q = 0;
    while (p < m && a[p] == b[p])
        p++;
    while (p > 0 && p < an && ((unsigned char)a[p] & 0xC0) == 0x80)
        p--;
    while (q < m - p && a[an - 1 - q] == b[bn - 1 - q])
        q++;
    while (q > 0 && ((unsigned char)a[an - q] & 0xC0) == 0x80)
        q--;
    *pre = p;
    *suf = q;
}

/* cps_body - the set's body: one line of JSON (file, version, terminator, sender,
 * timestamp, "packed"), then the records' text as read (UTF-8), packed: each
 * record as "P S L\n" and L bytes, meaning the first P bytes of the record before
 * it, those L bytes, and its last S bytes. The lines of a 第6表 differ mostly in
 * the day, so a month's plan keeps a fifth or less of its text (docs/exchange.md). */
char *cps_body(const struct cp_filedata *f, const size_t *rows, size_t n)
{
    struct jsonw w;
    jw_init(&w, 4096);
    jw_obj(&w, NULL);
    jw_str(&w, "file", cp_prefix(f->name.file));
    jw_str(&w, "version", f->n ? f->r[rows[0]].f[0] : "");
    jw_bool(&w, "crlf", f->crlf);
    jw_bool(&w, "final_newline", f->final_newline);
    jw_str(&w, "from", f->name.from);
    jw_str(&w, "from_kind", f->name.from_kind);
    jw_str(&w, "stamp", f->name.stamp);
    jw_int(&w, "rows", (long long)n);
    jw_int(&w, "packed", 1);
    /* characters that came in MS932's other code, to be written back in it: "row:offset:XXXX" */
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        size_t lo = 0, hi = f->nkeep; /* the first keep of record rows[i] */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (f->keep[mid].rec < rows[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < f->nkeep && f->keep[lo].rec == rows[i]; lo++) {
            char k[48];
            snprintf(k, sizeof k, "%zu:%u:%02X%02X", i, (unsigned)f->keep[lo].off, f->keep[lo].b[0],
                     f->keep[lo].b[1]);
            if (!any)
                jw_arr(&w, "ms932");
            any = true;
            jw_str(&w, NULL, k);
        }
    }
    if (any)
        jw_end(&w);
    jw_end(&w);
    size_t hn;
    char *head = jw_detach(&w, &hn);
    if (!head)
        return NULL;
    size_t total = hn + 1;
    for (size_t i = 0; i < n; i++)
        total += f->r[rows[i]].rawlen + 2 + 3 * 21;
    char *body = xmalloc(total + 1), *p = body;
    memcpy(p, head, hn);
    p += hn;
    *p++ = '\n';
    const char *eol = f->crlf ? "\r\n" : "\n";
    const char *prev = "";
    size_t prevlen = 0;
    char *ended[2] = {NULL, NULL}; /* records given a terminator: this one and the one before */
    int k = 0;
    for (size_t i = 0; i < n; i++) {
        const struct cp_record *r = &f->r[rows[i]];
        const char *rec = r->raw;
        size_t len = r->rawlen;
        /* a set taken from the middle of a file ends its last record; the file's last
         * record without a terminator gets one here and loses it again on export */
        if (i + 1 < n && (len == 0 || rec[len - 1] != '\n')) {
            k ^= 1;
            free(ended[k]);
            ended[k] = xmalloc(len + 2);
            memcpy(ended[k], rec, len);
            memcpy(ended[k] + len, eol, strlen(eol));
            len += strlen(eol);
            rec = ended[k];
        }
        size_t pre, suf;
        shared(rec, len, prev, prevlen, &pre, &suf);
        p += snprintf(p, (size_t)(body + total + 1 - p), "%zu %zu %zu\n", pre, suf, len - pre - suf);
        memcpy(p, rec + pre, len - pre - suf);
        p += len - pre - suf;
        prev = rec; /* as the reader rebuilds it */
        prevlen = len;
    }
    *p = '\0';
    free(ended[0]);
    free(ended[1]);
    free(head);
    return body;
}

/* unpack - the records' text of a packed body (after its first line). */
static char *unpack(const char *s, size_t *n)
{
    struct buf b;
    buf_init(&b, (size_t)CPFILE_MAX_BYTES * 4);
    char *prev = NULL; /* the record before, rebuilt */
    size_t prevlen = 0;
    while (*s) {
        char *e;
        unsigned long long pre = strtoull(s, &e, 10), suf, mid;
        if (*e != ' ')
            goto bad;
        suf = strtoull(e + 1, &e, 10);
        if (*e != ' ')
            goto bad;
        mid = strtoull(e + 1, &e, 10);
        if (*e != '\n' || pre > prevlen || suf > prevlen - pre || strnlen(e + 1, mid) < mid)
            goto bad;
        s = e + 1;
        size_t len = (size_t)(pre + mid + suf);
        char *rec = xmalloc(len + 1);
        if (pre)
            memcpy(rec, prev, pre);
        memcpy(rec + pre, s, mid);
        if (suf)
            memcpy(rec + pre + mid, prev + prevlen - suf, suf);
        buf_add(&b, rec, len);
        free(prev);
        prev = rec;
        prevlen = len;
        s += mid;
        if (buf_failed(&b))
            goto bad;
    }
    free(prev);
    *n = b.len;
    return b.ptr ? b.ptr : xcalloc(1, 1);
bad:
    free(prev);
    buf_release(&b);
    return NULL;
}

static const char *const deleted_body = "{\"deleted\":true}";

static int put(struct store *st, const char *ins, const char *no, const char *kind, const char *rkey,
               const char *body, long long change)
{
    struct person_key k = {{0}, {0}};
    str_cut(k.insurer_no, sizeof k.insurer_no, ins);
    str_cut(k.insured_no, sizeof k.insured_no, no);
    int changed;
    return st->ops->record_put(st, &k, kind, rkey, body, change, &changed);
}

/* tombstones - the delete files and their cascades (careplan-csv.md §6). */
static int tombstones(struct store *st, const struct cp_filedata *f, long long change, long *sets)
{
    for (size_t i = 0; i < f->n; i++) {
        char *const *v = f->r[i].f;
        char key[48];
        int rc = 0;
        switch (f->name.file) {
        case CP_DLT1KYO:
            snprintf(key, sizeof key, "P%s", v[3]);
            rc = put(st, v[1], v[2], "cp.UP1KYO", v[3], deleted_body, change) ||
                 put(st, v[1], v[2], "cp.UP2KYO", v[3], deleted_body, change) ||
                 put(st, v[1], v[2], "cp.UP3KYO", v[3], deleted_body, change) ||
                 put(st, v[1], v[2], "cp.UPHOSOKU", key, deleted_body, change);
            break;
        case CP_DLTPLAN:
            snprintf(key, sizeof key, "M%s", v[3]);
            rc = put(st, v[1], v[2], "cp.UPPLAN", v[3], deleted_body, change) ||
                 put(st, v[1], v[2], "cp.UPSIKYU", v[3], deleted_body, change) ||
                 put(st, v[1], v[2], "cp.UPHOSOKU", key, deleted_body, change);
            break;
        case CP_DLTJSK:
            snprintf(key, sizeof key, "%s:%s:%s", v[3], v[4], v[5]);
            rc = put(st, v[1], v[2], "cp.UPJSK", key, deleted_body, change);
            break;
        case CP_DLTYOBO: /* the plan and its 別表 */
            rc = put(st, v[1], v[2], "cp.UPYOBO", v[3], deleted_body, change) ||
                 put(st, v[1], v[2], "cp.UPYOBO_SUB", v[3], deleted_body, change);
            break;
        case CP_DLTKIHON: /* 利用者基本情報 and its 別表1, 別表2 */
            rc = put(st, v[1], v[2], "cp.UPKIHON", v[3], deleted_body, change) ||
                 put(st, v[1], v[2], "cp.UPKIHON_SUB1", v[3], deleted_body, change) ||
                 put(st, v[1], v[2], "cp.UPKIHON_SUB2", v[3], deleted_body, change) ||
                 put(st, v[1], v[2], "cp.UPKIHON_IMAGE", v[3], deleted_body, change);
            break;
        default:
            break;
        }
        if (rc)
            return -1;
        ++*sets;
    }
    return 0;
}

/* set_index - (person, key) → set, open addressing over a power-of-two table. */
struct set_index {
    size_t *slot; /* set number + 1; 0 = empty */
    size_t cap;
};

static uint64_t fnv(const char *a, const char *b, const char *c)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *s[3] = {a, b, c}, **p = s; p < s + 3; p++) {
        for (const char *q = *p; *q; q++)
            h = (h ^ (unsigned char)*q) * 1099511628211ULL;
        h = (h ^ '|') * 1099511628211ULL;
    }
    return h;
}

static size_t *find_slot(struct set_index *ix, const struct set *sets, size_t stride, const char *ins,
                         const char *no, const char *key)
{
    size_t i = (size_t)fnv(ins, no, key) & (ix->cap - 1);
    while (ix->slot[i]) {
        const struct set *x = (const struct set *)((const char *)sets + (ix->slot[i] - 1) * stride);
        if (!strcmp(x->insurer, ins) && !strcmp(x->insured, no) && !strcmp(x->key, key))
            break;
        i = (i + 1) & (ix->cap - 1);
    }
    return &ix->slot[i];
}

/* group - one upload file's rows by (person, key), keeping their order; the file's
 * sets go to *all (grown as needed), their row chains into next[] (per row). */
struct pending_set {
    struct set s;
    size_t file;
};
struct pending {
    struct pending_set *v;
    size_t n, cap;
    size_t **next; /* per file: the row after each row in its set, or (size_t)-1 */
};

static void group(const struct cp_filedata *f, size_t fi, struct pending *p)
{
    size_t *next = xmalloc((f->n ? f->n : 1) * sizeof *next);
    size_t *tail = xmalloc((f->n ? f->n : 1) * sizeof *tail);
    p->next[fi] = next;
    struct set_index ix = {NULL, 64};
    while (ix.cap < 2 * f->n)
        ix.cap *= 2;
    ix.slot = xcalloc(ix.cap, sizeof *ix.slot);
    if (!p->v) {
        p->cap = 1024;
        p->v = xmalloc(p->cap * sizeof *p->v);
    }
    size_t base = p->n; /* this file's sets are v[base..] */
    struct set *s = NULL;
    for (size_t i = 0; i < f->n; i++) {
        char key[48];
        key_of(f->name.file, f->r[i].f, f->r[i].nf, key, sizeof key);
        size_t j;
        struct set *last = p->n > base ? &p->v[p->n - 1].s : NULL;
        if (last && !strcmp(last->insured, f->r[i].f[2]) && !strcmp(last->insurer, f->r[i].f[1]) &&
            !strcmp(last->key, key))
            j = p->n - 1 - base; /* the common case: the same set as the row before */
        else {
            size_t *slot = find_slot(&ix, &p->v[base].s, sizeof p->v[0], f->r[i].f[1], f->r[i].f[2], key);
            if (*slot)
                j = *slot - 1;
            else {
                if (p->n == p->cap) {
                    p->cap = p->cap ? 2 * p->cap : 1024;
                    p->v = xrealloc(p->v, p->cap * sizeof *p->v);
                }
                j = p->n++ - base;
                struct pending_set *ps = &p->v[base + j];
                memset(ps, 0, sizeof *ps);
                ps->file = fi;
                str_cut(ps->s.insurer, sizeof ps->s.insurer, f->r[i].f[1]);
                str_cut(ps->s.insured, sizeof ps->s.insured, f->r[i].f[2]);
                str_cut(ps->s.key, sizeof ps->s.key, key);
                ps->s.first = i;
                *slot = j + 1;
            }
        }
        s = &p->v[base + j].s;
        if (s->n)
            next[tail[j]] = i;
        tail[j] = i;
        next[i] = (size_t)-1;
        s->n++;
    }
    free(tail);
    free(ix.slot);
}

/* by_place - the sets in the order of the records table's key (person, kind, key),
 * then file order: the B-tree then grows at one place at a time instead of every
 * file's sets being threaded between the sets already written. */
static const struct cp_filedata *sort_files;
static int by_place(const void *pa, const void *pb)
{
    const struct pending_set *a = pa, *b = pb;
    int c = strcmp(a->s.insurer, b->s.insurer);
    if (!c)
        c = strcmp(a->s.insured, b->s.insured);
    if (!c)
        c = strcmp(cp_prefix(sort_files[a->file].name.file), cp_prefix(sort_files[b->file].name.file));
    if (!c)
        c = strcmp(a->s.key, b->s.key);
    if (!c)
        c = (a->file > b->file) - (a->file < b->file);
    if (!c)
        c = (a->s.first > b->s.first) - (a->s.first < b->s.first);
    return c;
}

/* flush - writes the pending sets in place order and forgets them. */
static int flush(struct store *st, const struct cp_filedata *files, size_t nfiles, struct pending *p,
                 long long change, long *sets)
{
    sort_files = files;
    if (p->n)
        qsort(p->v, p->n, sizeof *p->v, by_place);
    size_t maxrows = 1;
    for (size_t j = 0; j < p->n; j++)
        if (p->v[j].s.n > maxrows)
            maxrows = p->v[j].s.n;
    size_t *rows = xmalloc(maxrows * sizeof *rows);
    int rc = 0;
    for (size_t j = 0; j < p->n && rc == 0; j++) {
        struct set *s = &p->v[j].s;
        const struct cp_filedata *f = &files[p->v[j].file];
        size_t m = 0;
        for (size_t i = s->first; i != (size_t)-1; i = p->next[p->v[j].file][i])
            rows[m++] = i;
        s->rows = rows;
        char kind[24];
        snprintf(kind, sizeof kind, "cp.%s", cp_prefix(f->name.file));
        char *body = cps_body(f, s->rows, s->n);
        rc = !body || put(st, s->insurer, s->insured, kind, s->key, body, change);
        free(body);
        ++*sets;
    }
    free(rows);
    for (size_t i = 0; i < nfiles; i++) {
        free(p->next[i]);
        p->next[i] = NULL;
    }
    p->n = 0;
    return rc ? -1 : 0;
}

/* image_named - the UPKIHON record of the unit whose 家族構成 画像ファイル名 (No.62) names
 * image file img: 0 with *fi, *ri, or -1. */
static int image_named(const struct cp_filedata *files, size_t n, const struct cp_filedata *img, size_t *fi,
                       size_t *ri)
{
    char name[128];
    if (cp_name_format(&img->name, name, sizeof name))
        return -1;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; files[i].name.file == CP_UPKIHON && j < files[i].n; j++)
            if (files[i].r[j].nf > KIHON_IMAGE_COL && strcmp(files[i].r[j].f[KIHON_IMAGE_COL], name) == 0) {
                *fi = i;
                *ri = j;
                return 0;
            }
    return -1;
}

long cps_links(const struct cp_filedata *files, const char *const *paths, size_t n,
               void (*err)(void *ctx, const char *path, long line, const char *msg), void *ctx)
{
    long problems = 0;
    size_t fi, ri;
    for (size_t i = 0; i < n; i++)
        if (files[i].name.file == CP_UPKIHON_IMAGE && image_named(files, n, &files[i], &fi, &ri)) {
            err(ctx, paths[i], 0, "この画像を家族構成 画像ファイル名(UPKIHON 62)に記した利用者基本情報が送信単位にありません");
            problems++;
        }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; files[i].name.file == CP_UPKIHON && j < files[i].n; j++) {
            const char *want = files[i].r[j].nf > KIHON_IMAGE_COL ? files[i].r[j].f[KIHON_IMAGE_COL] : "";
            if (!want[0])
                continue;
            bool found = false;
            for (size_t k = 0; k < n && !found; k++) {
                char name[128];
                found = files[k].name.file == CP_UPKIHON_IMAGE &&
                        cp_name_format(&files[k].name, name, sizeof name) == 0 && strcmp(name, want) == 0;
            }
            if (!found) {
                err(ctx, paths[i], files[i].r[j].line, "62(家族構成 画像ファイル名): その画像ファイルが送信単位にありません");
                problems++;
            }
        }
    return problems;
}

/* image_body - a 家族構成 image as stored: one line of JSON with the JPEG in base64. */
static char *image_body(const struct cp_filedata *f)
{
    size_t b64 = sodium_base64_ENCODED_LEN(f->image_len, sodium_base64_VARIANT_ORIGINAL);
    char *enc = xmalloc(b64);
    sodium_bin2base64(enc, b64, f->image, f->image_len, sodium_base64_VARIANT_ORIGINAL);
    struct jsonw w;
    jw_init(&w, b64 + 4096);
    jw_obj(&w, NULL);
    jw_str(&w, "file", cp_prefix(f->name.file));
    jw_str(&w, "from", f->name.from);
    jw_str(&w, "from_kind", f->name.from_kind);
    jw_str(&w, "stamp", f->name.stamp);
    jw_str(&w, "branch", f->name.branch);
    jw_str(&w, "jpeg", enc);
    jw_end(&w);
    free(enc);
    size_t n;
    return jw_detach(&w, &n);
}

long cps_import(struct store *st, const struct actor *a, const struct cp_filedata *files,
                const char *const *paths, size_t n, long *sets,
                void (*err)(void *ctx, const char *path, long line, const char *msg), void *ctx)
{
    long problems = 0;
    *sets = 0;
    long long change;
    if (st->ops->change_begin(st, a->id, "ケアプラン連携CSVの取込", &change))
        return -1;
    /* persons must be in the registry (records of one person usually follow each other) */
    for (size_t fi = 0; fi < n; fi++) {
        const struct cp_filedata *f = &files[fi];
        char last[18] = "";
        bool last_ok = false;
        for (size_t i = 0; i < f->n; i++) {
            char who[18];
            snprintf(who, sizeof who, "%.6s%.10s", f->r[i].f[1], f->r[i].f[2]);
            if (strcmp(who, last) != 0) {
                struct person_key k = {{0}, {0}};
                str_cut(k.insurer_no, sizeof k.insurer_no, f->r[i].f[1]);
                str_cut(k.insured_no, sizeof k.insured_no, f->r[i].f[2]);
                int ex = st->ops->person_exists(st, &k);
                if (ex < 0)
                    return -1;
                memcpy(last, who, sizeof last);
                last_ok = ex == 1;
            }
            if (!last_ok) {
                err(ctx, paths[fi], f->r[i].line, "3(被保険者番号): 登録されていない被保険者です(保険者番号・被保険者番号)");
                problems++;
            }
        }
    }
    if (problems || (problems = cps_links(files, paths, n, err, ctx)) != 0)
        return problems;
    /* upload files' sets are written together in place order; a delete file takes
     * effect where it stands in the unit (the sets before it first) */
    struct pending p = {NULL, 0, 0, xcalloc(n ? n : 1, sizeof(size_t *))};
    int rc = 0;
    for (size_t fi = 0; fi < n && rc == 0; fi++) {
        const struct cp_filedata *f = &files[fi];
        if (f->name.file == CP_DLT1KYO || f->name.file == CP_DLTPLAN || f->name.file == CP_DLTJSK ||
            f->name.file == CP_DLTYOBO || f->name.file == CP_DLTKIHON)
            rc = flush(st, files, n, &p, change, sets) || tombstones(st, f, change, sets);
        else if (f->name.file == CP_UPKIHON_IMAGE) { /* the person and 相談日 of the record naming it */
            size_t ki, kr;
            char *body = image_named(files, n, f, &ki, &kr) ? NULL : image_body(f);
            char *const *v = body ? files[ki].r[kr].f : NULL;
            rc = !body || put(st, v[1], v[2], "cp.UPKIHON_IMAGE", v[3], body, change);
            free(body);
            ++*sets;
        } else
            group(f, fi, &p);
    }
    if (rc == 0)
        rc = flush(st, files, n, &p, change, sets);
    for (size_t i = 0; i < n; i++)
        free(p.next[i]);
    free(p.next);
    free(p.v);
    return rc ? -1 : 0;
}

/* decode_keeps - cps_body's "ms932" list into out->keep (records parsed); -1 if malformed */
static int decode_keeps(const json_t *a, struct cp_filedata *out)
{
    size_t n = json_array_size(a);
    if (!a)
        return 0;
    if (!json_is_array(a))
        return -1;
    out->keep = xmalloc((n ? n : 1) * sizeof *out->keep);
    for (size_t i = 0; i < n; i++) {
        const char *k = json_string_value(json_array_get(a, i));
        char *e;
        if (!k || *k < '0' || *k > '9')
            return -1;
        unsigned long long rec = strtoull(k, &e, 10), off;
        if (*e != ':' || e[1] < '0' || e[1] > '9')
            return -1;
        off = strtoull(e + 1, &e, 10);
        unsigned char b[2];
        size_t bn = 0;
        if (*e != ':' || strlen(e + 1) != 4 || sodium_hex2bin(b, 2, e + 1, 4, NULL, &bn, NULL) || bn != 2 ||
            rec >= out->n || off >= out->r[rec].rawlen || (out->nkeep && rec < out->keep[out->nkeep - 1].rec))
            return -1;
        out->keep[out->nkeep++] = (struct cp_keep){(size_t)rec, (uint32_t)off, {b[0], b[1]}};
    }
    return 0;
}

int cps_decode(const char *body, struct cp_filedata *out)
{
    const char *nl = strchr(body, '\n');
    json_t *o = json_loadb(body, nl ? (size_t)(nl - body) : strlen(body), 0, NULL);
    if (!o)
        return -1;
    int rc = -1;
    if (json_is_true(json_object_get(o, "deleted"))) {
        rc = 0;
        goto done;
    }
    const char *jpeg = json_string_value(json_object_get(o, "jpeg"));
    if (jpeg) { /* a 家族構成 image */
        size_t jn = strlen(jpeg), bn;
        out->image = xmalloc(jn / 4 * 3 + 3);
        if (sodium_base642bin(out->image, jn / 4 * 3 + 3, jpeg, jn, NULL, &bn, NULL, sodium_base64_VARIANT_ORIGINAL))
            goto done;
        out->image_len = bn;
        const char *from = json_string_value(json_object_get(o, "from"));
        const char *fk = json_string_value(json_object_get(o, "from_kind"));
        const char *stamp = json_string_value(json_object_get(o, "stamp"));
        const char *br = json_string_value(json_object_get(o, "branch"));
        str_cut(out->name.from, sizeof out->name.from, from ? from : "");
        str_cut(out->name.from_kind, sizeof out->name.from_kind, fk ? fk : "");
        str_cut(out->name.stamp, sizeof out->name.stamp, stamp ? stamp : "");
        str_cut(out->name.branch, sizeof out->name.branch, br ? br : "");
        rc = br && strlen(br) == 4 ? 0 : -1;
        goto done;
    }
    if (!nl)
        goto done;
    char *text = NULL;
    size_t tn = 0;
    if (json_integer_value(json_object_get(o, "packed")) == 1 && !(text = unpack(nl + 1, &tn)))
        goto done;
    out->crlf = json_is_true(json_object_get(o, "crlf"));
    out->final_newline = json_is_true(json_object_get(o, "final_newline"));
    const char *from = json_string_value(json_object_get(o, "from"));
    const char *fk = json_string_value(json_object_get(o, "from_kind"));
    const char *stamp = json_string_value(json_object_get(o, "stamp"));
    if (from)
        str_cut(out->name.from, sizeof out->name.from, from);
    if (fk)
        str_cut(out->name.from_kind, sizeof out->name.from_kind, fk);
    if (stamp)
        str_cut(out->name.stamp, sizeof out->name.stamp, stamp);
    rc = text ? cpfile_parse_text(text, tn, out) : cpfile_parse_text(nl + 1, strlen(nl + 1), out);
    free(text);
    if (rc == 0 && decode_keeps(json_object_get(o, "ms932"), out))
        rc = -1;
done:
    json_decref(o);
    return rc;
}

char *cps_plain(const char *body)
{
    const char *nl = strchr(body, '\n');
    json_t *o = nl ? json_loadb(body, (size_t)(nl - body), 0, NULL) : NULL;
    if (!o || json_integer_value(json_object_get(o, "packed")) != 1) {
        json_decref(o);
        return xstrdup(body);
    }
    size_t tn;
    char *text = unpack(nl + 1, &tn), *out = NULL;
    json_object_del(o, "packed");
    char *head = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text && head) {
        size_t hn = strlen(head);
        out = xmalloc(hn + 1 + tn + 1);
        memcpy(out, head, hn);
        out[hn] = '\n';
        memcpy(out + hn + 1, text, tn);
        out[hn + 1 + tn] = '\0';
    }
    free(head);
    free(text);
    json_decref(o);
    return out;
}

/* ---- export ---------------------------------------------------------------------- */

static int unit_order(enum cp_file f)
{
    static const enum cp_file order[] = {CP_UPKIHON, CP_UPKIHON_SUB1, CP_UPKIHON_SUB2, CP_UPKIHON_IMAGE, CP_UP1KYO,
                                         CP_UP2KYO,  CP_UP3KYO,       CP_UPYOBO,       CP_UPYOBO_SUB,
                                         CP_UPHOSOKU, CP_UPPLAN,      CP_UPSIKYU,      CP_UPJSK};
    int n = (int)(sizeof order / sizeof order[0]);
    for (int i = 0; i < n; i++)
        if (order[i] == f)
            return i;
    return n;
}

/* wanted - the stored set belongs to the unit asked for. */
static bool wanted(enum cp_file f, const char *rkey, const char *what)
{
    const char *arg = strchr(what, ':');
    if (!arg)
        return false;
    arg++;
    if (!strncmp(what, "month:", 6))
        return (f == CP_UPPLAN || f == CP_UPSIKYU) ? !strcmp(rkey, arg)
               : f == CP_UPHOSOKU                  ? rkey[0] == 'M' && !strcmp(rkey + 1, arg)
                                                   : false;
    if (!strncmp(what, "plan:", 5))
        return (f == CP_UP1KYO || f == CP_UP2KYO || f == CP_UP3KYO || f == CP_UPYOBO || f == CP_UPYOBO_SUB)
                   ? !strcmp(rkey, arg)
               : f == CP_UPHOSOKU ? rkey[0] == 'P' && !strcmp(rkey + 1, arg)
                                  : false;
    if (!strncmp(what, "jsk:", 4))
        return f == CP_UPJSK && !strncmp(rkey, arg, strlen(arg)) && rkey[strlen(arg)] == ':';
    if (!strncmp(what, "kihon:", 6))
        return (f == CP_UPKIHON || f == CP_UPKIHON_SUB1 || f == CP_UPKIHON_SUB2 || f == CP_UPKIHON_IMAGE) &&
               !strcmp(rkey, arg);
    return false;
}

int cps_export(const struct cps_row *rows, size_t n, const char *what, const char *to, const char *to_kind,
               const char *stamp, const struct cp_write_opts *w, cps_file_fn *fn, void *ctx, const char **why)
{
    struct cp_filedata *f = xcalloc(n ? n : 1, sizeof *f);
    size_t nf = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (strncmp(rows[i].kind, "cp.", 3) != 0)
            continue;
        enum cp_file k = cp_file_from_prefix(rows[i].kind + 3, strlen(rows[i].kind + 3));
        if (!wanted(k, rows[i].rkey, what))
            continue;
        struct cp_filedata *d = &f[nf];
        d->name.file = k;
        d->layout = cp_layout(k);
        if (cps_decode(rows[i].body, d)) {
            *why = "記録が壊れています";
            rc = -1;
        } else if (d->n == 0 && !d->image)
            cpfile_free(d); /* deleted */
        else
            nf++;
    }
    if (rc == 0 && nf == 0) {
        *why = "書き出す記録がありません";
        rc = -1;
    }
    for (size_t i = 1; rc == 0 && i < nf; i++) /* the unit's order */
        for (size_t j = i; j > 0 && unit_order(f[j].name.file) < unit_order(f[j - 1].name.file); j--) {
            struct cp_filedata t = f[j];
            f[j] = f[j - 1];
            f[j - 1] = t;
        }
    char unit_stamp[15] = "";
    if (nf)
        str_cut(unit_stamp, sizeof unit_stamp, stamp ? stamp : f[0].name.stamp);
    const char *arg = strchr(what, ':');
    /* the 家族構成 image travels under this unit's name: UPKIHON No.62 names it so */
    char image_name[128] = "";
    for (size_t i = 0; i < nf; i++)
        if (f[i].image) {
            struct cp_name nm = f[i].name;
            str_cut(nm.to, sizeof nm.to, to);
            str_cut(nm.to_kind, sizeof nm.to_kind, to_kind);
            str_cut(nm.stamp, sizeof nm.stamp, unit_stamp);
            if (cp_name_format(&nm, image_name, sizeof image_name))
                image_name[0] = '\0';
        }
    for (size_t i = 0; rc == 0 && image_name[0] && i < nf; i++)
        for (size_t j = 0; f[i].name.file == CP_UPKIHON && j < f[i].n; j++) {
            struct cp_record *r = &f[i].r[j];
            if (r->nf > KIHON_IMAGE_COL && r->f[KIHON_IMAGE_COL][0] && strcmp(r->f[KIHON_IMAGE_COL], image_name)) {
                const char *fields[CSV_MAX_FIELDS];
                for (unsigned c = 0; c < r->nf && c < CSV_MAX_FIELDS; c++)
                    fields[c] = c == KIHON_IMAGE_COL ? image_name : r->f[c];
                struct cp_filedata one;
                memset(&one, 0, sizeof one);
                one.layout = f[i].layout;
                cpfile_add(&one, fields, r->nf);
                uint64_t q0 = r->quoted[0], q1 = r->quoted[1];
                free(r->f);
                *r = one.r[0];
                r->quoted[0] = q0; /* quoted as received; written from its fields */
                r->quoted[1] = q1;
                free(one.r);
            }
        }
    for (size_t i = 0; rc == 0 && i < nf; i++) {
        struct cp_filedata *d = &f[i];
        d->name.v3 = !d->image && strcmp(d->r[0].f[0], CP_VERSION_V3) == 0;
        d->layout = cp_layout_era(d->name.file, d->name.v3);
        str_cut(d->name.to, sizeof d->name.to, to);
        str_cut(d->name.to_kind, sizeof d->name.to_kind, d->name.v3 ? "" : to_kind);
        str_cut(d->name.stamp, sizeof d->name.stamp, unit_stamp);
        if (d->name.v3)
            d->name.from_kind[0] = '\0';
        d->name.month[0] = '\0';
        if (d->name.file == CP_UPHOSOKU)
            str_cut(d->name.month, sizeof d->name.month, strncmp(what, "plan:", 5) ? arg + 1 : "000000");
        else if (d->layout && d->layout->month_in_name)
            str_cut(d->name.month, sizeof d->name.month, arg + 1);
        char name[128];
        size_t len;
        size_t unmappable = 0;
        if (cp_name_format(&d->name, name, sizeof name)) {
            *why = "ファイル名を作れません";
            rc = -1;
            break;
        }
        char *bytes = cpfile_write_ex(d, name, &len, w && w->substitute, w ? w->fn : NULL, w ? w->ctx : NULL,
                                      &unmappable);
        if (!bytes) {
            *why = "MS932 にない文字があるため書き出せません(置き換えを選ぶと 〓 にして書き出します)";
            rc = -1;
            break;
        }
        if (fn(ctx, name, bytes, len)) {
            *why = "書き出せません";
            rc = -1;
        }
        free(bytes);
    }
    for (size_t i = 0; i < nf; i++)
        cpfile_free(&f[i]);
    free(f);
    return rc;
}

/* ---- deliveries -------------------------------------------------------------------- */

/* what_of - the unit a row travels in, from its set's key (key_of): "plan:" + plan date,
 * "month:" + 対象年月, "jsk:" + 対象年月; -1 for delete files. */
static int what_of(enum cp_file f, char *const *v, unsigned nf, char *out, size_t cap)
{
    char key[48];
    key_of(f, v, nf, key, sizeof key);
    switch (f) {
    case CP_UP1KYO:
    case CP_UP2KYO:
    case CP_UP3KYO:
    case CP_UPYOBO:
    case CP_UPYOBO_SUB:
        snprintf(out, cap, "plan:%.8s", key);
        return 0;
    case CP_UPHOSOKU: /* "P" + plan date or "M" + month */
        snprintf(out, cap, "%s:%.8s", key[0] == 'P' ? "plan" : "month", key + 1);
        return 0;
    case CP_UPPLAN:
    case CP_UPSIKYU:
        snprintf(out, cap, "month:%.6s", key);
        return 0;
    case CP_UPJSK: /* month:office:type */
        snprintf(out, cap, "jsk:%.6s", key);
        return 0;
    case CP_UPKIHON: /* 相談日 */
    case CP_UPKIHON_SUB1:
    case CP_UPKIHON_SUB2:
        snprintf(out, cap, "kihon:%.8s", key);
        return 0;
    default:
        return -1;
    }
}

long cps_deliveries(struct store *st, const struct cp_filedata *files, const char *const *paths,
                    size_t n, const char *from_org, int64_t now,
                    void (*err)(void *ctx, const char *path, long line, const char *msg), void *ctx)
{
    long problems = 0;
    for (size_t fi = 0; fi < n; fi++) {
        const struct cp_filedata *f = &files[fi];
        struct org to;
        int rc = st->acc->org_by_office(st, f->name.to, &to);
        if (rc < 0)
            return -1;
        if (rc == STORE_NOTFOUND) {
            err(ctx, paths[fi], 0, "送信先の事業所番号が kaigo に登録されていません");
            problems++;
            continue;
        }
        for (size_t i = 0; i < f->n; i++) {
            char *const *v = f->r[i].f;
            struct delivery d;
            memset(&d, 0, sizeof d);
            str_cut(d.person.insurer_no, sizeof d.person.insurer_no, v[1]);
            str_cut(d.person.insured_no, sizeof d.person.insured_no, v[2]);
            if (what_of(f->name.file, v, f->r[i].nf, d.what, sizeof d.what))
                continue; /* deletions travel as stored state, not as files */
            str_cut(d.to_org, sizeof d.to_org, to.id);
            str_cut(d.stamp, sizeof d.stamp, f->name.stamp);
            str_cut(d.to_kind, sizeof d.to_kind, f->name.to_kind);
            str_cut(d.from_org, sizeof d.from_org, from_org);
            d.created_ms = now;
            if (st->acc->delivery_add(st, &d))
                return -1;
        }
    }
    return problems;
}
