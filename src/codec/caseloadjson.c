/* caseloadjson.c - `kaigo caseload` input; see caseloadjson.h. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "util/text.h"
#include "domain/wareki.h"
#include "codec/caseloadjson.h"
#include "util/banned.h"

static int bad(struct doc_error *e, const char *field, const char *msg)
{
    str_cut(e->field, sizeof e->field, field);
    snprintf(e->msg, sizeof e->msg, "%s: %s", field, msg);
    return -1;
}

static int date_member(json_t *o, const char *key, struct date *out, bool required, const char *path,
                       struct doc_error *e)
{
    json_t *v = json_object_get(o, key);
    char f[DOC_ERR_FIELD_BYTES];
    snprintf(f, sizeof f, "%s%s", path, key);
    *out = DATE_NONE;
    if (!v || json_is_null(v))
        return required ? bad(e, f, "日付を指定してください") : 0;
    const char *why;
    if (!json_is_string(v) || date_parse_any(json_string_value(v), json_string_length(v), out, &why))
        return bad(e, f, "日付は YYYY-MM-DD または和暦です");
    return 0;
}

/* atoi_safe - n decimal digits, or -1. */
static int atoi_safe(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int fte_of(json_t *v, int *out)
{
    if (!json_is_number(v))
        return -1;
    double x = json_number_value(v);
    if (!(x > 0 && x <= 1000))
        return -1;
    *out = (int)(x * 100 + 0.5); /* 常勤換算 to hundredths */
    return *out > 0 ? 0 : -1;
}

int caseloadjson_parse(const char *s, size_t n, struct cl_doc *d, struct doc_error *e)
{
    memset(e, 0, sizeof *e);
    d->nmanagers = d->ncases = 0;
    d->fee2 = false;
    if (n > CASELOAD_JSON_MAX)
        return bad(e, "", "JSONが大きすぎます");
    json_error_t je;
    json_t *o = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(o)) {
        json_decref(o);
        return bad(e, "", "JSONオブジェクトとして読めません");
    }
    int rc = -1;
    json_t *m = json_object_get(o, "month");
    const char *ms = json_string_value(m);
    int y, mo;
    if (!ms || strlen(ms) != 7 || ms[4] != '-' || (y = atoi_safe(ms, 4)) < 2000 ||
        (mo = atoi_safe(ms + 5, 2)) < 1 || mo > 12) {
        bad(e, "month", "対象月は \"2026-04\" の形式です");
        goto out;
    }
    d->month = (struct date){y, mo, 1};
    json_t *fee = json_object_get(o, "fee");
    if (fee && !(json_is_string(fee) && (!strcmp(json_string_value(fee), "I") || !strcmp(json_string_value(fee), "II")))) {
        bad(e, "fee", "居宅介護支援費の区分は \"I\" か \"II\"(連携システム+事務職員)です");
        goto out;
    }
    d->fee2 = fee && !strcmp(json_string_value(fee), "II");
    json_t *mg = json_object_get(o, "managers"), *cs = json_object_get(o, "cases");
    if (!json_is_array(mg) || json_array_size(mg) == 0 || json_array_size(mg) > CL_MAX_MANAGERS) {
        bad(e, "managers", "ケアマネジャー(1〜64人)の配列 [{\"id\",\"fte\"}] が必要です");
        goto out;
    }
    if (!json_is_array(cs) || json_array_size(cs) > CL_MAX_CASES) {
        bad(e, "cases", "利用者の配列(4096件まで)が必要です");
        goto out;
    }
    size_t i;
    json_t *x;
    json_array_foreach(mg, i, x) {
        char path[32];
        snprintf(path, sizeof path, "managers[%zu]", i);
        const char *id = json_string_value(json_object_get(x, "id"));
        struct cl_manager *c = &d->managers[d->nmanagers];
        if (!id || !*id || strlen(id) >= sizeof c->id || fte_of(json_object_get(x, "fte"), &c->fte_x100)) {
            bad(e, path, "id(48バイトまで)と常勤換算 fte(0より大きい数)が必要です");
            goto out;
        }
        str_cut(c->id, sizeof c->id, id);
        d->nmanagers++;
    }
    json_array_foreach(cs, i, x) {
        char path[40];
        snprintf(path, sizeof path, "cases[%zu].", i);
        struct cl_case *c = &d->cases[d->ncases];
        memset(c, 0, sizeof *c);
        const char *id = json_string_value(json_object_get(x, "id"));
        const char *mgr = json_string_value(json_object_get(x, "manager"));
        const char *lv = json_string_value(json_object_get(x, "level"));
        if (!json_is_object(x) || !id || !*id || strlen(id) >= sizeof c->id || !mgr || strlen(mgr) >= sizeof c->manager ||
            !lv || level_parse(lv, strlen(lv), &c->level)) {
            bad(e, path, "id、manager、level(要介護状態区分コード)が必要です");
            goto out;
        }
        str_cut(c->id, sizeof c->id, id);
        str_cut(c->manager, sizeof c->manager, mgr);
        bool known = false;
        for (size_t k = 0; k < d->nmanagers && !known; k++)
            known = !strcmp(d->managers[k].id, mgr);
        if (!known) {
            bad(e, path, "manager が managers にありません");
            goto out;
        }
        if (date_member(x, "contract", &c->contract, true, path, e) ||
            date_member(x, "last_home_visit", &c->last_home, false, path, e))
            goto out;
        json_t *v = json_object_get(x, "video_ok");
        if (v && !json_is_boolean(v)) {
            bad(e, path, "video_ok は true か false です");
            goto out;
        }
        c->video_ok = json_is_true(v);
        v = json_object_get(x, "yobo_cm");
        if (v && !json_is_boolean(v)) {
            bad(e, path, "yobo_cm(介護予防ケアマネジメント)は true か false です");
            goto out;
        }
        c->yobo_cm = json_is_true(v);
        d->ncases++;
    }
    rc = 0;
out:
    json_decref(o);
    return rc;
}
