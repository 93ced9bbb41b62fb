/* docview.c - JSON views of applications, surveys, opinions, LIFE and the ledger; see docview.h. */
#include <stdio.h>
#include <string.h>

#include "domain/certdocs.h"
#include "domain/certflow.h"
#include "domain/codes.h"
#include "domain/cpcsv.h"
#include "domain/ledger.h"
#include "domain/sheet7.h"
#include "util/csv.h"
#include "util/text.h"
#include "http/docview.h"
#include "http/internal.h"
#include "service/cpstore.h"
#include "codec/docjson.h"
#include "service/sheet7plan.h"
#include "util/xalloc.h"
#include "util/banned.h"

static void set_date(json_t *o, const char *key, struct date d)
{
    char iso[11];
    if (date_is_none(d))
        json_object_set_new(o, key, json_null());
    else {
        date_iso(d, iso);
        json_object_set_new(o, key, json_string(iso));
    }
}

static char *body_text(json_t *row, size_t *n)
{
    char *s = json_dumps(json_object_get(row, "body"), JSON_COMPACT);
    *n = s ? strlen(s) : 0;
    return s;
}

static json_t *applications(json_t *rows, struct date today)
{
    json_t *out = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        json_t *b = json_deep_copy(json_object_get(row, "body"));
        size_t n;
        char *s = body_text(row, &n);
        struct application *a = xmalloc(sizeof *a);
        if (s && docjson_app(s, n, a) == 0) {
            enum app_stage st = app_stage(a);
            json_object_set_new(b, "kind_name", json_string(cert_kind_name(a->kind)));
            json_object_set_new(b, "stage", json_string(app_stage_code(st)));
            json_object_set_new(b, "stage_name", json_string(app_stage_name(st)));
            set_date(b, "decision_due", cert_decision_due(a->applied));
            if (app_pending(a)) {
                json_object_set_new(b, "days_left", json_integer(app_days_left(a, today)));
                json_object_set_new(b, "needs_postponement", json_boolean(app_needs_postpone(a, today)));
            }
            if (a->level)
                json_object_set_new(b, "level_name", json_string(level_name(a->level)));
        }
        free(a);
        free(s);
        json_array_append_new(out, b);
    }
    return json_pack("{s:o}", "applications", out);
}

/* fixed_item - a fixed-width CSV item into out, or "" when it is longer than out holds (an
 * item beyond its standard width is not this standard's; a prefix of it would mislead). */
static void fixed_item(char *out, size_t cap, struct str f)
{
    if (f.len >= cap) {
        out[0] = '\0';
        return;
    }
    memcpy(out, f.ptr, f.len);
    out[f.len] = '\0';
}

/* answer_label - the item's label for code, copied into out ("" if none). */
static const char *answer_label(const char *answers, const char *code, char *out, size_t cap)
{
    size_t n;
    const char *l = chosa_answer_label(answers, code, &n);
    if (!l)
        n = 0;
    if (n >= cap) /* shortened on a character boundary, never inside one */
        for (n = cap - 1; n > 0 && ((unsigned char)l[n] & 0xC0) == 0x80; n--) {
        }
    if (n)
        memcpy(out, l, n);
    out[n] = '\0';
    return out;
}

static const char *const group_names[] = {"",         "身体機能・起居動作", "生活機能",
                                          "認知機能", "精神・行動障害",     "社会生活への適応",
                                          "特別な医療", "日常生活自立度"};

static json_t *surveys(json_t *rows)
{
    json_t *out = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        size_t n;
        char *s = body_text(row, &n);
        struct chosa *c = xmalloc(sizeof *c);
        struct doc_error e;
        if (s && docjson_chosa(s, n, c, &e) == 0) {
            json_t *o = json_object(), *items = json_array();
            json_object_set_new(o, "application_id", json_string(json_string_value(json_object_get(row, "rkey"))));
            set_date(o, "surveyed", c->surveyed);
            json_object_set_new(o, "investigator", json_string(c->investigator));
            json_object_set_new(o, "place", json_string(c->place));
            json_object_set_new(o, "services_now", json_string(c->services_now));
            json_object_set_new(o, "environment", json_string(c->environment));
            json_object_set_new(o, "overview", json_string(c->overview));
            /* in the form's order */
            for (unsigned k = 0; k < chosa_items_len; k++) {
                const struct code_row *r = &chosa_items[k];
                if (date_cmp(c->surveyed, r->from) < 0 || date_cmp(c->surveyed, r->to) > 0)
                    continue;
                for (size_t j = 0; j < c->n; j++) {
                    if (strcmp(c->a[j].item, r->f[0]))
                        continue;
                    char label[256];
                    int g = r->f[1][0] - '0';
                    json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", r->f[0],
                                                           "group", g >= 1 && g <= 7 ? group_names[g] : "",
                                                           "axis", r->f[2], "name", r->f[3], "answer",
                                                           c->a[j].answer, "answer_label",
                                                           answer_label(r->f[4], c->a[j].answer, label, sizeof label),
                                                           "note", c->a[j].note));
                }
            }
            json_object_set_new(o, "items", items);
            json_array_append_new(out, o);
        }
        free(c);
        free(s);
    }
    return json_pack("{s:o}", "surveys", out);
}

static json_t *opinions(json_t *rows, int withheld)
{
    json_t *out = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        json_t *b = json_deep_copy(json_object_get(row, "body"));
        json_object_set_new(b, "application_id", json_string(json_string_value(json_object_get(row, "rkey"))));
        json_array_append_new(out, b);
    }
    json_t *o = json_pack("{s:o,s:i}", "opinions", out, "withheld", withheld);
    if (withheld)
        json_object_set_new(o, "withheld_reason",
                            json_string("主治医が「介護サービス計画作成等への利用」に同意していない意見書は表示されません"));
    return o;
}

static json_t *life(json_t *rows)
{
    json_t *series = json_object(), *evals = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) { /* rkey = provider:date, so each provider's are in date order */
        json_t *b = json_object_get(row, "body");
        const char *prov = json_string_value(json_object_get(b, "provider_no"));
        const char *date = json_string_value(json_object_get(b, "evaluated"));
        json_array_append_new(evals, json_pack("{s:s?,s:s?,s:O?}", "provider_no", prov, "evaluated", date,
                                               "timing", json_object_get(b, "timing")));
        const char *key;
        json_t *v;
        json_object_foreach(json_object_get(b, "items"), key, v) {
            json_t *arr = json_object_get(series, key);
            if (!arr) {
                arr = json_array();
                json_object_set_new(series, key, arr);
            }
            /* insert in date order across providers */
            size_t at = json_array_size(arr);
            const char *prev;
            while (at > 0 && date &&
                   (prev = json_string_value(json_object_get(json_array_get(arr, at - 1), "date"))) &&
                   strcmp(prev, date) > 0)
                at--; /* a row without a date (not written by kaigo, but stored) stays where it is */
            json_array_insert_new(arr, at, json_pack("{s:s?,s:O,s:s?}", "date", date, "value", v,
                                                     "provider_no", prov));
        }
    }
    return json_pack("{s:o,s:o}", "series", series, "evaluations", evals);
}

static json_t *ledger(json_t *rows, struct date today)
{
    struct ledger_claim *claims = xcalloc(LEDGER_MAX_CLAIMS, sizeof *claims);
    size_t n = 0;
    json_t *arr = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        size_t len;
        char *s = body_text(row, &len);
        struct doc_error e;
        if (s && n < LEDGER_MAX_CLAIMS && docjson_claim(s, len, &claims[n], &e) == 0) {
            json_t *b = json_deep_copy(json_object_get(row, "body"));
            json_object_set_new(b, "kind_name", json_string(ledger_kind_name(claims[n].kind)));
            json_object_set_new(b, "over_limit", json_integer(claims[n].amount - claims[n].accepted));
            json_array_append_new(arr, b);
            n++;
        }
        free(s);
    }
    struct ledger_status *st = xmalloc(sizeof *st);
    json_t *o;
    if (ledger_status(claims, n, today, st) == 0) {
        json_t *j = json_pack("{s:I,s:I,s:I,s:s}", "limit", (json_int_t)st->jutaku_limit, "used",
                              (json_int_t)st->jutaku_used, "remaining", (json_int_t)st->jutaku_remaining,
                              "why", st->jutaku_why);
        if (st->jutaku_any) {
            json_object_set_new(j, "residence", json_string(st->jutaku_residence));
            json_object_set_new(j, "base_level", json_string(level_name(st->jutaku_base_level)));
            json_object_set_new(j, "base_step", json_integer(st->jutaku_base_step));
            json_object_set_new(j, "reset_used", json_boolean(st->jutaku_reset_used));
        }
        json_t *y = json_pack("{s:i,s:I,s:I,s:I,s:s}", "fiscal_year", st->fiscal_year, "limit",
                              (json_int_t)st->yogu_limit, "used", (json_int_t)st->yogu_used, "remaining",
                              (json_int_t)st->yogu_remaining, "why", st->yogu_why);
        o = json_pack("{s:o,s:o,s:o}", "jutaku", j, "yogu", y, "claims", arr);
    } else
        o = json_pack("{s:o,s:n}", "claims", arr, "status");
    set_date(o, "on", today);
    free(st);
    free(claims);
    return o;
}

/* plan_item - a 第6表 record's item by its v4 number (0-based), found where a v3 record of 22 items has it
 * (cp_v4_col); empty for an item v3 does not have */
static struct str plan_item(const struct csv_reader *cr, unsigned v4)
{
    int at = cp_v4_col((unsigned)cr->nf, v4);
    return at < 0 || (size_t)at >= cr->nf ? (struct str){"", 0} : cr->field[at];
}

static void no_diff(void *ctx, const char *office_no, const char *type, const char *item, long long sent,
                    long long computed)
{
    (void)ctx, (void)office_no, (void)type, (void)item, (void)sent, (void)computed;
}

static const char *row_body(json_t *rows, const char *kind, const char *rkey)
{
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
        if (!strcmp(jstr_or_empty(json_object_get(row, "kind")), kind) && !strcmp(jstr_or_empty(json_object_get(row, "rkey")), rkey))
            return json_string_value(json_object_get(row, "body"));
    return NULL;
}

static void decode_set(const char *body, enum cp_file f, struct cp_filedata *out)
{
    memset(out, 0, sizeof *out);
    out->layout = cp_layout(f);
    if (body && cps_decode(body, out))
        cpfile_free(out);
}

/* sheet7_of - the month's 第7表 computed from the stored 第6表, its 補足 and the sent 第7表 (prices and 給付率 from
 * it), exactly as `kaigo sheet7 --person` computes it (sheet7_from_plan): the result JSON of `kaigo sheet7`, with
 * "sent" (a sent 第7表 exists) and "differences" (amounts it states otherwise), or {"error": the reason}. NULL
 * without a 第6表. */
static json_t *sheet7_of(json_t *rows, const char *month, const char *plan_body)
{
    if (!plan_body || strlen(month) != 6)
        return NULL;
    if (!srv_codes)
        return json_pack("{s:s}", "error", "サービスコード表が読み込まれていないため、第7表は計算していません");
    char hk[8];
    snprintf(hk, sizeof hk, "M%s", month);
    struct cp_filedata plan, hosoku, sikyu;
    decode_set(plan_body, CP_UPPLAN, &plan);
    decode_set(row_body(rows, "cp.UPHOSOKU", hk), CP_UPHOSOKU, &hosoku);
    decode_set(row_body(rows, "cp.UPSIKYU", month), CP_UPSIKYU, &sikyu);
    struct s7_doc *d = xmalloc(sizeof *d);
    struct s7_total t;
    struct s7_given g;
    memset(&g, 0, sizeof g);
    char why[S7_ERR_BYTES];
    json_t *o = NULL;
    if (sheet7_from_plan(&plan, &hosoku, sikyu.n ? &sikyu : NULL, srv_codes, &g, d, why) ||
        sheet7_compute(&d->in, &t, why)) {
        utf8_scrub(why);
        o = json_pack("{s:s}", "error", why);
    } else {
        char *js = sheet7json_result(d, &t);
        o = js ? json_loads(js, 0, NULL) : NULL;
        free(js);
        if (o) {
            json_object_set_new(o, "sent", json_boolean(sikyu.n > 0));
            if (sikyu.n)
                json_object_set_new(o, "differences", json_integer(sheet7_compare(d, &t, &sikyu, no_diff, NULL)));
        }
    }
    free(d);
    cpfile_free(&plan);
    cpfile_free(&hosoku);
    cpfile_free(&sikyu);
    return o;
}

/* ---- 第1〜3表 (居宅サービス計画書, careplan-csv.md §7.2–7.4) ------------------------------------ */

static json_t *str_or_null(const struct cp_record *r, unsigned i)
{
    return i < r->nf && r->f[i][0] ? json_string(r->f[i]) : json_null();
}

/* latest_plan_key - the newest 居宅サービス計画作成（変更）日 of a stored 1表 on or before today ("" if none) */
static const char *latest_plan_key(json_t *rows, struct date today)
{
    char upto[9];
    snprintf(upto, sizeof upto, "%04u%02u%02u", (unsigned)today.y % 10000u, (unsigned)today.m % 100u,
             (unsigned)today.d % 100u);
    const char *best = "";
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *kind = jstr_or_empty(json_object_get(row, "kind")), *rkey = jstr_or_empty(json_object_get(row, "rkey"));
        const char *body = jstr_or_empty(json_object_get(row, "body"));
        if (!strcmp(kind, "cp.UP1KYO") && strlen(rkey) == 8 && strcmp(rkey, upto) <= 0 && strcmp(rkey, best) > 0 &&
            strcmp(body, "{\"deleted\":true}"))
            best = rkey;
    }
    return best;
}

/* plan123 - the 第1表, 第2表 and 第3表 of the latest plan as JSON (the fields by their standard names), or NULL */
static json_t *plan123(json_t *rows, struct date today)
{
    const char *key = latest_plan_key(rows, today);
    if (!*key)
        return NULL;
    struct cp_filedata f1, f2, f3;
    decode_set(row_body(rows, "cp.UP1KYO", key), CP_UP1KYO, &f1);
    decode_set(row_body(rows, "cp.UP2KYO", key), CP_UP2KYO, &f2);
    decode_set(row_body(rows, "cp.UP3KYO", key), CP_UP3KYO, &f3);
    json_t *o = json_pack("{s:s}", "plan_date", key);
    if (f1.n) {
        const struct cp_record *r = &f1.r[0];
        static const struct { unsigned col; const char *name; } k1[] = {
            {3, "made"}, {7, "author"}, {8, "office"}, {12, "office_no"}, {14, "first_made"}, {15, "kubun"},
            {16, "cert_state"}, {17, "certified"}, {18, "valid_from"}, {19, "valid_to"}, {20, "level"}, {21, "intent"},
            {22, "board"}, {23, "policy"}, {24, "seikatsu_reason"}, {25, "other_reason"}};
        json_t *t1 = json_object();
        for (size_t i = 0; i < ARRAY_LEN(k1); i++)
            json_object_set_new(t1, k1[i].name, str_or_null(r, k1[i].col));
        json_object_set_new(o, "kyo1", t1);
    }
    json_t *t2 = json_array();
    for (size_t j = 0; j < f2.n; j++) {
        const struct cp_record *r = &f2.r[j];
        static const struct { unsigned col; const char *name; } k2[] = {
            {5, "need_no"}, {6, "need"}, {7, "goal_no"}, {8, "long_goal"}, {9, "short_goal"}, {10, "long_period"},
            {11, "short_period"}, {12, "item_no"}, {13, "content"}, {14, "insured"}, {15, "kind"}, {17, "office"},
            {18, "frequency"}, {19, "period"}};
        json_t *x = json_object();
        for (size_t i = 0; i < ARRAY_LEN(k2); i++)
            json_object_set_new(x, k2[i].name, str_or_null(r, k2[i].col));
        json_array_append_new(t2, x);
    }
    json_object_set_new(o, "kyo2", t2);
    json_t *t3 = json_array();
    for (size_t j = 0; j < f3.n; j++) {
        const struct cp_record *r = &f3.r[j];
        static const struct { unsigned col; const char *name; } k3[] = {
            {5, "content"}, {6, "dow"}, {7, "start"}, {8, "end"}, {9, "activity"}, {10, "activity_start"},
            {11, "activity_end"}, {12, "other_than_weekly"}};
        json_t *x = json_object();
        for (size_t i = 0; i < ARRAY_LEN(k3); i++)
            json_object_set_new(x, k3[i].name, str_or_null(r, k3[i].col));
        json_array_append_new(t3, x);
    }
    json_object_set_new(o, "kyo3", t3);
    cpfile_free(&f1);
    cpfile_free(&f2);
    cpfile_free(&f3);
    return o;
}

/* careplan - this month's 第6表 (UPPLAN; careplan-csv.md §7.5) in plain words: one line per
 * (service code, office, time) with its days. The month in force, else the latest sent. */
static json_t *careplan(json_t *rows, struct date today)
{
    char want[7];
    snprintf(want, sizeof want, "%04d%02d", today.y, today.m);
    json_t *pick = NULL;
    const char *pick_key = "";
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *kind = json_string_value(json_object_get(row, "kind"));
        const char *rkey = json_string_value(json_object_get(row, "rkey"));
        if (!kind || !rkey || strcmp(kind, "cp.UPPLAN") != 0 || strcmp(rkey, want) > 0)
            continue;
        if (!pick || strcmp(rkey, pick_key) > 0) {
            pick = row;
            pick_key = rkey;
        }
    }
    json_t *out = json_array();
    const char *body = pick ? json_string_value(json_object_get(pick, "body")) : NULL;
    const char *nl = body ? strchr(body, '\n') : NULL;
    if (!nl) {
        json_t *none = json_pack("{s:n,s:o}", "month", "services", out);
        json_t *p = plan123(rows, today);
        if (none && p)
            json_object_set_new(none, "plan", p);
        return none;
    }
    struct csv_reader cr;
    csv_init(&cr, nl + 1, strlen(nl + 1));
    long line;
    struct csv_error err;
    int rc;
    while ((rc = csv_next(&cr, &line, &err)) == 1) {
        /* v4 item numbers; a v3 (202208) 第6表 of 22 items has them 3 places earlier past No.15 */
        if (cr.nf != 25 && cr.nf != CP_V3_PLAN_ITEMS)
            continue;
        /* the fixed-width items (No.15 code 6, No.20 事業者 10, No.12/13 HHMM, No.10 YYYYMMDD) as
         * they came, or empty when longer than the standard's width - never a prefix */
        char code[8], office[11], start[5], end[5], date[9], day[3];
        fixed_item(code, sizeof code, plan_item(&cr, 14));
        fixed_item(office, sizeof office, plan_item(&cr, 19));
        fixed_item(start, sizeof start, plan_item(&cr, 11));
        fixed_item(end, sizeof end, plan_item(&cr, 12));
        fixed_item(date, sizeof date, plan_item(&cr, 9));
        str_cut(day, sizeof day, strlen(date) == 8 ? date + 6 : "");
        char time[32] = "";
        if (strcmp(start, "9999") != 0 && strlen(start) == 4 && strlen(end) == 4)
            snprintf(time, sizeof time, "%.2s:%.2s〜%.2s:%.2s", start, start + 2, end, end + 2);
        json_t *hit = NULL;
        size_t j;
        json_t *x;
        json_array_foreach(out, j, x) {
            if (!strcmp(json_string_value(json_object_get(x, "code")), code) &&
                !strcmp(json_string_value(json_object_get(x, "office_no")), office) &&
                !strcmp(json_string_value(json_object_get(x, "time")), time))
                hit = x;
        }
        if (!hit) {
            char type[3];
            str_cut(type, sizeof type, code);
            const char *tn = s7_service_type_name(type, today);
            /* No.21 サービス事業所名 has no width in the standard: taken whole (it was cut at 199
             * bytes inside a character, jansson refused it and the NULL took the server down) */
            struct str nm = plan_item(&cr, 20);
            json_t *name = nm.len ? json_stringn(nm.ptr, nm.len) : NULL;
            hit = json_pack("{s:s,s:s,s:s,s:o,s:s,s:s,s:i}", "code", code, "type_name", tn ? tn : type, "office_no",
                            office, "office", name ? name : json_string(office), "time", time, "days", "", "count", 0);
            if (!hit || json_array_append_new(out, hit))
                continue; /* not UTF-8 (the store holds what import validated): not shown as garbage */
        }
        char days[400];
        const char *prev = json_string_value(json_object_get(hit, "days"));
        long d = strtol(day, NULL, 10);
        snprintf(days, sizeof days, "%s%s%ld日", prev, prev[0] ? "、" : "", d);
        json_object_set_new(hit, "days", json_string(days));
        json_object_set_new(hit, "count", json_integer(json_integer_value(json_object_get(hit, "count")) + 1));
    }
    csv_release(&cr);
    json_t *res = json_pack("{s:s,s:o}", "month", pick_key, "services", out);
    json_t *s7 = sheet7_of(rows, pick_key, body);
    if (res && s7)
        json_object_set_new(res, "sheet7", s7);
    json_t *p = plan123(rows, today);
    if (res && p)
        json_object_set_new(res, "plan", p);
    return res;
}

json_t *docview_build(enum category c, json_t *rows, struct date today, int withheld)
{
    switch (c) {
    case CAT_CAREPLAN:
        return careplan(rows, today);
    case CAT_SHINSAKAI:
        return applications(rows, today);
    case CAT_CHOSA:
        return surveys(rows);
    case CAT_IKENSHO:
        return opinions(rows, withheld);
    case CAT_LIFE:
        return life(rows);
    case CAT_JUTAKU:
        return ledger(rows, today);
    default:
        return json_object();
    }
}
