/* cpstore.c - CSV-standard record sets as versioned person records; see cpstore.h. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/cpstore.h"
#include "util/jsonw.h"
#include "util/xalloc.h"
#include "util/banned.h"

const char *const cps_kinds[] = {"cp.UPHOSOKU", "cp.UP1KYO", "cp.UP2KYO", "cp.UP3KYO",
                                 "cp.UPPLAN",   "cp.UPSIKYU", "cp.UPJSK", NULL};

/* key - the record set a row belongs to (§6); "" for delete files. */
static void key_of(enum cp_file f, char *const *v, char *out, size_t cap)
{
    switch (f) {
    case CP_UP1KYO:
        snprintf(out, cap, "%s", v[13]);
        break;
    case CP_UP2KYO:
    case CP_UP3KYO:
        snprintf(out, cap, "%s", v[4]);
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
    case CP_UPJSK:
        snprintf(out, cap, "%s:%s:%.2s", v[4], v[19], v[14]);
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

static char *encode(const struct cp_filedata *f, const struct set *s)
{
    struct jsonw w;
    jw_init(&w, 256u << 20);
    jw_obj(&w, NULL);
    jw_str(&w, "file", cp_prefix(f->name.file));
    jw_str(&w, "version", f->n ? f->r[s->rows[0]].f[0] : "");
    jw_bool(&w, "crlf", f->crlf);
    jw_bool(&w, "final_newline", f->final_newline);
    jw_str(&w, "from", f->name.from);
    jw_str(&w, "from_kind", f->name.from_kind);
    jw_str(&w, "stamp", f->name.stamp);
    jw_arr(&w, "rows");
    for (size_t i = 0; i < s->n; i++) {
        const struct cp_record *r = &f->r[s->rows[i]];
        jw_obj(&w, NULL);
        jw_int(&w, "q", (long long)r->quoted);
        jw_arr(&w, "f");
        for (unsigned j = 0; j < r->nf; j++)
            jw_str(&w, NULL, r->f[j]);
        jw_end(&w);
        jw_end(&w);
    }
    jw_end(&w);
    jw_end(&w);
    return jw_detach(&w, NULL);
}

static const char *const deleted_body = "{\"deleted\":true}";

static int put(struct store *st, const char *ins, const char *no, const char *kind, const char *rkey,
               const char *body, long long change)
{
    struct person_key k = {{0}, {0}};
    snprintf(k.insurer_no, sizeof k.insurer_no, "%s", ins);
    snprintf(k.insured_no, sizeof k.insured_no, "%s", no);
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
        default:
            break;
        }
        if (rc)
            return -1;
        ++*sets;
    }
    return 0;
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
    for (size_t fi = 0; fi < n; fi++) {
        const struct cp_filedata *f = &files[fi];
        /* persons must be in the registry */
        for (size_t i = 0; i < f->n; i++) {
            struct person_key k = {{0}, {0}};
            snprintf(k.insurer_no, sizeof k.insurer_no, "%s", f->r[i].f[1]);
            snprintf(k.insured_no, sizeof k.insured_no, "%s", f->r[i].f[2]);
            int ex = st->ops->person_exists(st, &k);
            if (ex < 0)
                return -1;
            if (!ex) {
                err(ctx, paths[fi], f->r[i].line, "登録されていない被保険者です(保険者番号・被保険者番号)");
                problems++;
            }
        }
        if (problems)
            continue;
        if (f->name.file == CP_DLT1KYO || f->name.file == CP_DLTPLAN || f->name.file == CP_DLTJSK) {
            if (tombstones(st, f, change, sets))
                return -1;
            continue;
        }
        /* group the rows by (person, key), keeping their order */
        struct set *s = NULL;
        size_t ns = 0;
        for (size_t i = 0; i < f->n; i++) {
            char key[48];
            key_of(f->name.file, f->r[i].f, key, sizeof key);
            size_t j = 0;
            while (j < ns && !(strcmp(s[j].insurer, f->r[i].f[1]) == 0 &&
                               strcmp(s[j].insured, f->r[i].f[2]) == 0 && strcmp(s[j].key, key) == 0))
                j++;
            if (j == ns) {
                s = xrealloc(s, (ns + 1) * sizeof *s);
                memset(&s[ns], 0, sizeof s[ns]);
                snprintf(s[ns].insurer, sizeof s[ns].insurer, "%s", f->r[i].f[1]);
                snprintf(s[ns].insured, sizeof s[ns].insured, "%s", f->r[i].f[2]);
                snprintf(s[ns].key, sizeof s[ns].key, "%s", key);
                ns++;
            }
            s[j].rows = xrealloc(s[j].rows, (s[j].n + 1) * sizeof *s[j].rows);
            s[j].rows[s[j].n++] = i;
        }
        char kind[24];
        snprintf(kind, sizeof kind, "cp.%s", cp_prefix(f->name.file));
        int rc = 0;
        for (size_t j = 0; j < ns && rc == 0; j++) {
            char *body = encode(f, &s[j]);
            rc = !body || put(st, s[j].insurer, s[j].insured, kind, s[j].key, body, change);
            free(body);
            ++*sets;
        }
        for (size_t j = 0; j < ns; j++)
            free(s[j].rows);
        free(s);
        if (rc)
            return -1;
    }
    return problems;
}

int cps_decode(const char *body, struct cp_filedata *out)
{
    json_t *o = json_loads(body, 0, NULL);
    if (!o)
        return -1;
    int rc = -1;
    json_t *rows = json_object_get(o, "rows");
    if (json_is_true(json_object_get(o, "deleted"))) {
        rc = 0;
        goto done;
    }
    if (!json_is_array(rows))
        goto done;
    out->crlf = json_is_true(json_object_get(o, "crlf"));
    out->final_newline = json_is_true(json_object_get(o, "final_newline"));
    const char *from = json_string_value(json_object_get(o, "from"));
    const char *fk = json_string_value(json_object_get(o, "from_kind"));
    const char *stamp = json_string_value(json_object_get(o, "stamp"));
    if (from)
        snprintf(out->name.from, sizeof out->name.from, "%s", from);
    if (fk)
        snprintf(out->name.from_kind, sizeof out->name.from_kind, "%s", fk);
    if (stamp)
        snprintf(out->name.stamp, sizeof out->name.stamp, "%s", stamp);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        json_t *fs = json_object_get(row, "f");
        if (!json_is_array(fs))
            goto done;
        if (out->n == out->cap) {
            out->cap = out->cap ? 2 * out->cap : 16;
            out->r = xrealloc(out->r, out->cap * sizeof *out->r);
        }
        struct cp_record *r = &out->r[out->n++];
        r->line = 0;
        r->quoted = (uint64_t)json_integer_value(json_object_get(row, "q"));
        r->nf = (unsigned)json_array_size(fs);
        r->f = xcalloc(r->nf ? r->nf : 1, sizeof *r->f);
        size_t j;
        json_t *v;
        json_array_foreach(fs, j, v) r->f[j] = xstrdup(json_is_string(v) ? json_string_value(v) : "");
    }
    rc = 0;
done:
    json_decref(o);
    return rc;
}
