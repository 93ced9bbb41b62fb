/* sheet7json.c - `kaigo sheet7` input and output; see sheet7json.h. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"
#include "domain/cpcsv.h"
#include "codec/sheet7json.h"

#include "domain/burden.h"
#include "util/jsonw.h"
#include "util/banned.h"

static int bad(struct doc_error *err, const char *field, const char *msg)
{
    str_cut(err->field, sizeof err->field, field);
    snprintf(err->msg, sizeof err->msg, "%s: %s", field, msg);
    return -1;
}

/* int_member - an optional integer member (absent → *out unchanged, *given false). */
static int int_member(json_t *o, const char *key, long long *out, bool *given, const char *path,
                      struct doc_error *err)
{
    json_t *v = json_object_get(o, key);
    if (given)
        *given = false;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v)) {
        /* the field's path may be longer than a field name holds: cut at a character, never mid-UTF-8 (and no
         * format-truncation warning at -O3, which failed packagers' Release builds: issue #20) */
        char f[DOC_ERR_FIELD_BYTES * 2];
        size_t n = strlen(path);
        if (n >= sizeof f)
            n = sizeof f - 1;
        memcpy(f, path, n);
        f[n] = '\0';
        size_t k = strlen(key);
        if (n + k >= sizeof f)
            k = sizeof f - 1 - n;
        memcpy(f + n, key, k);
        f[n + k] = '\0';
        char cut[DOC_ERR_FIELD_BYTES];
        str_cut(cut, sizeof cut, f);
        return bad(err, cut, "整数で指定してください");
    }
    *out = (long long)json_integer_value(v);
    if (given)
        *given = true;
    return 0;
}

static int str_member(json_t *o, const char *key, char *out, size_t cap, bool required,
                      const char *path, struct doc_error *err)
{
    json_t *v = json_object_get(o, key);
    char f[DOC_ERR_FIELD_BYTES];
    snprintf(f, sizeof f, "%s%s", path, key);
    out[0] = '\0';
    if (!v || json_is_null(v))
        return required ? bad(err, f, "指定してください") : 0;
    if (!json_is_string(v) || json_string_length(v) >= cap)
        return bad(err, f, "文字列(長さの上限あり)で指定してください");
    memcpy(out, json_string_value(v), json_string_length(v) + 1);
    return 0;
}

/* month_of - "2026-04" or "202604". */
static int month_of(const char *s, struct date *out)
{
    size_t n = strlen(s);
    char d[6];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (n == 7 && i == 4) {
            if (s[i] != '-')
                return -1;
            continue;
        }
        if (s[i] < '0' || s[i] > '9' || k == 6)
            return -1;
        d[k++] = s[i];
    }
    if (k != 6 || (n != 6 && n != 7))
        return -1;
    int y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
    int m = (d[4] - '0') * 10 + (d[5] - '0');
    if (y < 2000 || y > 2100 || m < 1 || m > 12)
        return -1;
    *out = (struct date){y, m, 1};
    return 0;
}

static int level_member(json_t *o, struct s7_input *in, struct doc_error *err)
{
    json_t *v = json_object_get(o, "care_level");
    json_t *one[1] = {v};
    size_t n = 1;
    json_t **vals = one;
    if (json_is_array(v)) {
        n = json_array_size(v);
        if (n == 0 || n > S7_MAX_LEVELS)
            return bad(err, "care_level", "1〜4 個の要介護状態区分コードの配列です");
        vals = NULL;
    } else if (!v)
        return 0; /* limit_units must then be given (checked by the engine) */
    for (size_t i = 0; i < n; i++) {
        json_t *x = vals ? vals[0] : json_array_get(v, i);
        if (!json_is_string(x) ||
            level_parse(json_string_value(x), json_string_length(x), &in->levels[in->nlevels]))
            return bad(err, "care_level", "要介護状態区分コード(例: \"21\")か名称(要介護1)です");
        in->nlevels++;
    }
    return 0;
}

static bool digits(const char *s, size_t n)
{
    return strlen(s) == n && strspn(s, "0123456789") == n;
}

/* ident_members - who and when, for writing the table as the UPSIKYU file */
static int ident_members(json_t *o, struct s7_doc *d, struct doc_error *err)
{
    struct s7_ident *id = &d->id;
    memset(id, 0, sizeof *id);
    id->office_names = d->name_of;
    char created[16];
    if (str_member(o, "insurer_no", id->insurer_no, sizeof id->insurer_no, false, "", err) ||
        str_member(o, "insured_no", id->insured_no, sizeof id->insured_no, false, "", err) ||
        str_member(o, "created", created, sizeof created, false, "", err) ||
        str_member(o, "plan_office", id->plan_office, sizeof id->plan_office, false, "", err) ||
        str_member(o, "csv_version", id->version, sizeof id->version, false, "", err))
        return -1;
    if (id->insurer_no[0] && !digits(id->insurer_no, 6))
        return bad(err, "insurer_no", "保険者番号は数字6桁です");
    if (id->insured_no[0] && !digits(id->insured_no, 10) &&
        !(id->insured_no[0] == 'H' && digits(id->insured_no + 1, 9)))
        return bad(err, "insured_no", "被保険者番号は数字10桁(生保単独は H+数字9桁)です");
    if (id->plan_office[0] && !digits(id->plan_office, 10))
        return bad(err, "plan_office", "居宅介護支援事業所の事業所番号は数字10桁です");
    if (created[0]) { /* "2026-03-25" or "20260325" */
        char iso[16];
        if (digits(created, 8))
            snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", created, created + 4, created + 6);
        else
            str_cut(iso, sizeof iso, created);
        struct date dt;
        const char *why;
        if (date_parse_iso(iso, strlen(iso), &dt, &why))
            return bad(err, "created", "作成年月日は \"2026-03-25\" か \"20260325\" です");
        snprintf(id->created, sizeof id->created, "%04d%02d%02d", dt.y, dt.m, dt.d);
    }
    if (!id->version[0])
        memcpy(id->version, "202407", 7);
    else if (!cp_version_known(str_from(id->version)))
        return bad(err, "csv_version", "CSVバージョンは 202407(v4.1)か 202208(v3)です");
    return 0;
}

static int line_parse(json_t *l, const char *path, int ym, const struct svc_master *master,
                      const char *type, struct s7_line *out, struct doc_error *err)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(l))
        return bad(err, path, "明細はオブジェクトです");
    char p[DOC_ERR_FIELD_BYTES + 2];
    snprintf(p, sizeof p, "%.*s.", DOC_ERR_FIELD_BYTES - 1, path);
    if (str_member(l, "service_code", out->service_code, sizeof out->service_code, true, p, err))
        return -1;
    if (strlen(out->service_code) != 6)
        return bad(err, path, "service_code は6桁(種類2+項目4)です");
    const struct svc_code *m = master ? svc_lookup(master, out->service_code, ym) : NULL;
    bool has_units, has_exempt = false;
    long long count = 1, rate = 100;
    out->units = m ? m->units : 0;
    if (int_member(l, "units", &out->units, &has_units, p, err) ||
        int_member(l, "count", &count, NULL, p, err) ||
        int_member(l, "discount_rate", &rate, NULL, p, err) ||
        int_member(l, "over_limit_units", &out->over_limit_units, &out->over_given, p, err) ||
        int_member(l, "fixed_user_charge", &out->fixed_charge, &out->fixed_given, p, err))
        return -1;
    if (out->fixed_given && (out->fixed_charge < 0 || out->fixed_charge > S7_FIXED_MAX))
        return bad(err, path, "fixed_user_charge(総合事業の定額の利用者負担)は 0〜99999 円/回です");
    if (!has_units && !m)
        return bad(err, path, "units がなく、サービスコード表にもこのコードがありません");
    if (count < 0 || count > S7_COUNT_MAX || rate < 1 || rate > 100)
        return bad(err, path, "count は 0〜999、discount_rate(割引後率)は 1〜100 です");
    out->count = count;
    out->rate_pct = (int)rate;
    json_t *ex = json_object_get(l, "limit_exempt");
    if (ex && !json_is_null(ex)) {
        if (!json_is_boolean(ex))
            return bad(err, path, "limit_exempt は true か false です");
        out->limit_exempt = json_is_true(ex);
        has_exempt = true;
    }
    json_t *o30 = json_object_get(l, "over_30_days");
    if (o30 && !json_is_null(o30)) {
        if (!json_is_boolean(o30))
            return bad(err, path, "over_30_days(３０日超)は true か false です");
        out->over_30_days = json_is_true(o30);
    }
    if (!has_exempt) /* from the master: outside the limit unless 限度額管理対象区分 3 */
        out->limit_exempt = m ? !m->limit_managed : false;
    (void)type;
    return 0;
}

int sheet7json_parse(const char *s, size_t n, const struct svc_master *master, struct s7_doc *d,
                     struct doc_error *err)
{
    memset(&d->in, 0, sizeof d->in); /* offices and lines are cleared as they are filled */
    memset(err, 0, sizeof *err);
    if (n > SHEET7_JSON_MAX)
        return bad(err, "", "JSONが大きすぎます");
    json_error_t je;
    json_t *o = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);
    if (!o || !json_is_object(o)) {
        char m[320];
        snprintf(m, sizeof m, "JSONオブジェクトとして読めません(%d行%d列: %.160s)", je.line, je.column,
                 o ? "オブジェクトではありません" : je.text);
        utf8_scrub(m); /* jansson's quote of the input, and the cut at 160 bytes, may split a character */
        json_decref(o);
        return bad(err, "", m);
    }
    int rc = -1;
    struct s7_input *in = &d->in;
    in->offices = d->offices;
    in->lines = d->lines;
    in->limit_units = -1;
    long long rate = 90, ratio = 0;
    bool rate_given, ratio_given;
    char month[16];
    if (str_member(o, "month", month, sizeof month, true, "", err))
        goto out;
    if (month_of(month, &in->month)) {
        bad(err, "month", "対象年月は \"2026-04\" か \"202604\" です");
        goto out;
    }
    if (level_member(o, in, err) || int_member(o, "limit_units", &in->limit_units, NULL, "", err) ||
        int_member(o, "benefit_rate", &rate, &rate_given, "", err) ||
        int_member(o, "burden_ratio", &ratio, &ratio_given, "", err))
        goto out;
    if (ratio_given && !rate_given) { /* 負担割合 1/2/3 → 給付率 90/80/70 */
        if (ratio < 1 || ratio > 3) {
            bad(err, "burden_ratio", "負担割合は 1, 2, 3 です");
            goto out;
        }
        rate = burden_benefit_rate((int)ratio);
    }
    in->benefit_rate = (int)rate;
    if (ident_members(o, d, err))
        goto out;
    json_t *offs = json_object_get(o, "offices");
    if (!json_is_array(offs) || json_array_size(offs) == 0 || json_array_size(offs) > S7_MAX_OFFICES) {
        bad(err, "offices", "事業所(1〜64)の配列が必要です");
        goto out;
    }
    int ym = in->month.y * 100 + in->month.m;
    size_t i;
    json_t *of;
    json_array_foreach(offs, i, of) {
        char path[DOC_ERR_FIELD_BYTES];
        snprintf(path, sizeof path, "offices[%zu].", i);
        struct s7_office *x = &d->offices[in->noffices];
        memset(x, 0, sizeof *x);
        d->municipality[in->noffices][0] = '\0';
        char price[16] = "";
        long long grade = 0;
        bool has_grade;
        if (!json_is_object(of)) {
            bad(err, path, "事業所はオブジェクトです");
            goto out;
        }
        d->name_of[in->noffices] = d->names[in->noffices];
        if (str_member(of, "name", d->names[in->noffices], sizeof d->names[0], false, path, err) ||
            str_member(of, "office_no", x->office_no, sizeof x->office_no, true, path, err) ||
            str_member(of, "service_type", x->service_type, sizeof x->service_type, true, path, err) ||
            int_member(of, "grade", &grade, &has_grade, path, err))
            goto out;
        json_t *pv = json_object_get(of, "unit_price");
        if (json_is_string(pv) && json_string_length(pv) < sizeof price)
            memcpy(price, json_string_value(pv), json_string_length(pv) + 1);
        else if (json_is_real(pv) || json_is_integer(pv))
            snprintf(price, sizeof price, "%.2f", json_number_value(pv));
        else if (pv && !json_is_null(pv)) {
            bad(err, path, "unit_price は \"11.40\" の形式です");
            goto out;
        }
        if (strlen(x->office_no) != 10 || strlen(x->service_type) != 2) {
            bad(err, path, "office_no は10桁、service_type は2桁です");
            goto out;
        }
        if (price[0]) {
            if (s7_price_parse(price, strlen(price), &x->price_x100)) {
                bad(err, path, "unit_price は 1.00〜99.99(小数2桁まで)です");
                goto out;
            }
        } else if (!has_grade && json_is_string(json_object_get(of, "municipality"))) {
            const char *mc = json_string_value(json_object_get(of, "municipality"));
            if (strlen(mc) != 6 || strspn(mc, "0123456789") != 6) {
                bad(err, path, "municipality は市町村コード(数字6桁)です");
                goto out;
            }
            memcpy(d->municipality[in->noffices], mc, 7);
            x->price_x100 = 0; /* resolved by the caller from the imported 地域区分 */
        } else if (has_grade) {
            x->price_x100 = s7_unit_price(x->service_type, (int)grade, in->month);
            if (x->price_x100 < 0) {
                bad(err, path, "この地域区分(grade 1〜8)・サービス種類・月の単価がありません");
                goto out;
            }
        } else {
            bad(err, path, "unit_price、地域区分(grade)、市町村コード(municipality)のいずれかが必要です");
            goto out;
        }
        json_t *lines = json_object_get(of, "lines");
        if (!json_is_array(lines) || in->nlines + json_array_size(lines) > S7_MAX_LINES) {
            bad(err, path, "lines(明細の配列、全体で2048行まで)が必要です");
            goto out;
        }
        x->first = in->nlines;
        size_t j;
        json_t *l;
        json_array_foreach(lines, j, l) {
            char lp[DOC_ERR_FIELD_BYTES];
            snprintf(lp, sizeof lp, "offices[%zu].lines[%zu]", i, j);
            if (line_parse(l, lp, ym, master, x->service_type, &d->lines[in->nlines], err))
                goto out;
            in->nlines++;
        }
        x->n = in->nlines - x->first;
        in->noffices++;
    }
    rc = 0;
out:
    json_decref(o);
    return rc;
}

static void money(struct jsonw *w, long long in_limit, long long over, long long cost, long long claim,
                  long long share, long long full)
{
    jw_int(w, "in_limit_units", in_limit);
    jw_int(w, "over_limit_units", over);
    jw_int(w, "total_cost", cost);
    jw_int(w, "claim", claim);
    jw_int(w, "user_share", share);
    jw_int(w, "full_pay", full);
}

char *sheet7json_result(const struct s7_doc *d, const struct s7_total *t)
{
    const struct s7_input *in = &d->in;
    struct jsonw w;
    char buf[16];
    jw_init(&w, 64u << 20);
    jw_obj(&w, NULL);
    snprintf(buf, sizeof buf, "%04d-%02d", in->month.y, in->month.m);
    jw_str(&w, "month", buf);
    jw_int(&w, "limit_units", t->limit_units);
    jw_int(&w, "benefit_rate", in->benefit_rate);
    jw_arr(&w, "offices");
    for (size_t o = 0; o < in->noffices; o++) {
        const struct s7_office *of = &in->offices[o];
        jw_obj(&w, NULL);
        jw_str(&w, "office_no", of->office_no);
        jw_str(&w, "service_type", of->service_type);
        const char *name = s7_service_type_name(of->service_type, in->month);
        if (name)
            jw_str(&w, "service_type_name", name);
        snprintf(buf, sizeof buf, "%d.%02d", of->price_x100 / 100, of->price_x100 % 100);
        jw_str(&w, "unit_price", buf);
        money(&w, of->in_limit_units, of->over_limit_units, of->total_cost, of->claim, of->user_share,
              of->full_pay);
        jw_arr(&w, "lines");
        for (size_t i = of->first; i < of->first + of->n; i++) {
            const struct s7_line *l = &in->lines[i];
            jw_obj(&w, NULL);
            jw_str(&w, "service_code", l->service_code);
            jw_int(&w, "units", l->units);
            jw_int(&w, "discount_rate", l->rate_pct);
            jw_int(&w, "discounted_units", l->discounted_units);
            jw_int(&w, "count", l->count);
            jw_int(&w, "service_units", l->service_units);
            jw_bool(&w, "limit_exempt", l->limit_exempt);
            jw_int(&w, "over_limit_units", l->over);
            if (l->over_30_days)
                jw_bool(&w, "over_30_days", true);
            if (l->fixed_given) { /* 総合事業 定額 */
                jw_int(&w, "fixed_user_charge", l->fixed_charge);
                jw_int(&w, "fixed_user_share", l->fixed_share);
            }
            jw_end(&w);
        }
        jw_end(&w);
        jw_end(&w);
    }
    jw_end(&w);
    jw_arr(&w, "limit_exempt_lines");
    for (size_t o = 0; o < in->noffices; o++) {
        const struct s7_office *of = &in->offices[o];
        for (size_t i = of->first; i < of->first + of->n; i++) {
            const struct s7_line *l = &in->lines[i];
            if (!l->limit_exempt)
                continue;
            jw_obj(&w, NULL);
            jw_str(&w, "office_no", of->office_no);
            jw_str(&w, "service_code", l->service_code);
            jw_int(&w, "units", l->ex_units);
            jw_int(&w, "total_cost", l->ex_total_cost);
            jw_int(&w, "claim", l->ex_claim);
            jw_int(&w, "user_share", l->ex_user_share);
            jw_int(&w, "full_pay", l->ex_full_pay);
            jw_end(&w);
        }
    }
    jw_end(&w);
    jw_obj(&w, "total");
    money(&w, t->in_limit_units, t->over_limit_units, t->total_cost, t->claim, t->user_share,
          t->full_pay);
    jw_end(&w);
    jw_end(&w);
    return jw_detach(&w, NULL);
}
