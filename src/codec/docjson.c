/* docjson.c - JSON in and out for certification documents, LIFE, applications, claims; see docjson.h. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/wareki.h"
#include "codec/docjson.h"
#include "util/text.h"
#include "util/banned.h"



static int err_set(struct doc_error *err, const char *field, const char *msg)
{
    if (err) {
        str_cut(err->field, sizeof err->field, field);
        str_cut(err->msg, sizeof err->msg, msg);
        /* a message built with snprintf around a long key may end inside a character: the one sink for
         * every refusal makes it UTF-8 (fuzz_docjson's property; the 400 would otherwise be a 500) */
        utf8_scrub(err->msg);
    }
    return -1;
}

static json_t *load(const char *s, size_t n, struct doc_error *err)
{
    if (n > DOC_JSON_MAX) {
        char m[128];
        snprintf(m, sizeof m, "JSONが大きすぎます(上限 %u バイト)", DOC_JSON_MAX);
        err_set(err, "", m);
        return NULL;
    }
    json_error_t je;
    json_t *o = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);
    if (!o) {
        char m[256];
        snprintf(m, sizeof m, "JSONとして読めません(%d行%d列: %s)", je.line, je.column, je.text);
        utf8_scrub(m); /* jansson quotes the input near the error, cut inside a character */
        err_set(err, "", m);
        return NULL;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        err_set(err, "", "JSONオブジェクトで送ってください");
        return NULL;
    }
    return o;
}

/* only_keys - every member of o is one of allowed (NULL-terminated). */
static int only_keys(json_t *o, const char *const *allowed, struct doc_error *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        (void)v;
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, key) == 0;
        if (!ok) {
            char k[61], m[200]; /* the key shortened on a character boundary: "%.60s" cut one in two */
            str_cut(k, sizeof k, key);
            snprintf(m, sizeof m, "項目「%s」は受け付けていません", k);
            return err_set(err, key, m);
        }
    }
    return 0;
}

static int get_str(json_t *o, const char *key, char *out, size_t cap, bool required,
                   struct doc_error *err)
{
    json_t *v = json_object_get(o, key);
    out[0] = '\0';
    if (!v || json_is_null(v)) {
        if (!required)
            return 0;
        char m[128];
        snprintf(m, sizeof m, "%s を指定してください", key);
        return err_set(err, key, m);
    }
    const char *s;
    size_t n;
    char num[32];
    if (json_is_string(v)) {
        s = json_string_value(v);
        n = json_string_length(v);
    } else if (json_is_integer(v)) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        s = num;
        n = strlen(num);
    } else {
        char m[128];
        snprintf(m, sizeof m, "%s は文字列で指定してください", key);
        return err_set(err, key, m);
    }
    if (n == 0 && required) {
        char m[128];
        snprintf(m, sizeof m, "%s が空です", key);
        return err_set(err, key, m);
    }
    if (n >= cap || memchr(s, '\0', n)) {
        char m[160];
        snprintf(m, sizeof m, "%s が長すぎます(上限 %zu バイト、約 %zu 文字)", key, cap - 1, (cap - 1) / 4);
        return err_set(err, key, m);
    }
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

static int get_date(json_t *o, const char *key, struct date *out, bool required, struct doc_error *err)
{
    char buf[40];
    *out = DATE_NONE;
    if (get_str(o, key, buf, sizeof buf, required, err))
        return -1;
    if (!buf[0]) {
        if (!required)
            return 0;
        return err_set(err, key, "日付を指定してください");
    }
    const char *why;
    if (date_parse_any(buf, strlen(buf), out, &why)) {
        char m[200];
        snprintf(m, sizeof m, "%s: %s(YYYY-MM-DD または和暦)", key, why);
        return err_set(err, key, m);
    }
    return 0;
}

static int get_int(json_t *o, const char *key, long long *out, bool required, struct doc_error *err)
{
    json_t *v = json_object_get(o, key);
    *out = 0;
    if (!v || json_is_null(v)) {
        if (!required)
            return 0;
        char m[128];
        snprintf(m, sizeof m, "%s を指定してください", key);
        return err_set(err, key, m);
    }
    if (!json_is_integer(v)) {
        char m[128];
        snprintf(m, sizeof m, "%s は整数で指定してください", key);
        return err_set(err, key, m);
    }
    *out = (long long)json_integer_value(v);
    return 0;
}

static void put_str(json_t *o, const char *key, const char *v)
{
    if (v[0])
        json_object_set_new(o, key, json_string(v));
}
static void put_date(json_t *o, const char *key, struct date d)
{
    if (!date_is_none(d)) {
        char iso[11];
        date_iso(d, iso);
        json_object_set_new(o, key, json_string(iso));
    }
}
static void put_int(json_t *o, const char *key, long long v)
{
    json_object_set_new(o, key, json_integer((json_int_t)v));
}

static char *dump(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    if (!s) {
        fputs("kaigo: out of memory (json)\n", stderr);
        abort();
    }
    return s;
}

/* map_shape - o[member] is an object of at most max entries whose keys fit
 * keycap bytes (the answer map of a survey, the items of a feedback); NULL
 * with *err naming the member otherwise. */
static json_t *map_shape(json_t *o, const char *member, const char *example, size_t max,
                         size_t keycap, struct doc_error *err)
{
    json_t *m = json_object_get(o, member);
    char msg[256];
    const char *key;
    json_t *v;
    if (!json_is_object(m)) {
        snprintf(msg, sizeof msg, "%s は名前と値の組(例: %s)で指定してください", member, example);
        err_set(err, member, msg);
        return NULL;
    }
    if (json_object_size(m) > max) {
        snprintf(msg, sizeof msg, "%s の項目が多すぎます(%zu項目まで)", member, max);
        err_set(err, member, msg);
        return NULL;
    }
    json_object_foreach(m, key, v) {
        (void)v;
        if (strlen(key) >= keycap) {
            char k[41];
            str_cut(k, sizeof k, key);
            snprintf(msg, sizeof msg, "%s の項目名「%s…」が長すぎます", member, k);
            err_set(err, member, msg);
            return NULL;
        }
    }
    return m;
}

/* ---- 認定調査票 ------------------------------------------------------------- */

int docjson_chosa(const char *s, size_t n, struct chosa *c, struct doc_error *err)
{
    static const char *const keys[] = {"surveyed", "investigator", "place", "services_now", "environment",
                                       "overview", "answers", "notes", NULL};
    memset(c, 0, sizeof *c);
    json_t *o = load(s, n, err);
    if (!o)
        return -1;
    int rc = -1;
    if (only_keys(o, keys, err) || get_date(o, "surveyed", &c->surveyed, true, err) ||
        get_str(o, "investigator", c->investigator, sizeof c->investigator, true, err) ||
        get_str(o, "place", c->place, sizeof c->place, false, err) ||
        get_str(o, "services_now", c->services_now, sizeof c->services_now, false, err) ||
        get_str(o, "environment", c->environment, sizeof c->environment, false, err) ||
        get_str(o, "overview", c->overview, sizeof c->overview, false, err))
        goto out;
    json_t *ans = map_shape(o, "answers", "{\"1-3\": \"1\"}", CHOSA_MAX_ITEMS, CHOSA_ITEM_BYTES, err);
    json_t *notes = json_object_get(o, "notes");
    if (!ans || (notes && !map_shape(o, "notes", "{\"1-3\": \"ベッド柵を使う\"}", CHOSA_MAX_ITEMS,
                                     CHOSA_ITEM_BYTES, err)))
        goto out;
    const char *key;
    json_t *v;
    json_object_foreach(ans, key, v) {
        struct chosa_answer *a = &c->a[c->n];
        str_cut(a->item, sizeof a->item, key);
        if (get_str(ans, key, a->answer, sizeof a->answer, true, err) ||
            (notes && get_str(notes, key, a->note, sizeof a->note, false, err)))
            goto out;
        c->n++;
    }
    if (notes) {
        json_object_foreach(notes, key, v) {
            if (!json_object_get(ans, key)) {
                char m[160];
                snprintf(m, sizeof m, "特記事項の項目 %.20s に回答がありません", key);
                err_set(err, key, m);
                goto out;
            }
        }
    }
    rc = 0;
out:
    json_decref(o);
    return rc;
}

char *docjson_chosa_encode(const struct chosa *c)
{
    json_t *o = json_object(), *ans = json_object(), *notes = json_object();
    put_date(o, "surveyed", c->surveyed);
    put_str(o, "investigator", c->investigator);
    put_str(o, "place", c->place);
    put_str(o, "services_now", c->services_now);
    put_str(o, "environment", c->environment);
    put_str(o, "overview", c->overview);
    for (size_t i = 0; i < c->n; i++) {
        json_object_set_new(ans, c->a[i].item, json_string(c->a[i].answer));
        if (c->a[i].note[0])
            json_object_set_new(notes, c->a[i].item, json_string(c->a[i].note));
    }
    json_object_set_new(o, "answers", ans);
    if (json_object_size(notes))
        json_object_set_new(o, "notes", notes);
    else
        json_decref(notes);
    return dump(o);
}

/* ---- 主治医意見書 ------------------------------------------------------------- */

int docjson_ikensho(const char *s, size_t n, struct ikensho *x, struct doc_error *err)
{
    static const char *const keys[] = {
        "written", "doctor", "institution_no", "last_exam", "times", "other_depts",
        "other_depts_text", "consent", "diagnoses", "tokutei", "stability", "course",
        "special_medical", "netakiri", "ninchi", "state", "services", "notes", "form", NULL};
    memset(x, 0, sizeof *x);
    json_t *o = load(s, n, err);
    if (!o)
        return -1;
    int rc = -1;
    long long times;
    char consent[32];
    if (only_keys(o, keys, err) || get_date(o, "written", &x->written, true, err) ||
        get_str(o, "doctor", x->doctor, sizeof x->doctor, true, err) ||
        get_str(o, "institution_no", x->institution_no, sizeof x->institution_no, false, err) ||
        get_date(o, "last_exam", &x->last_exam, true, err) ||
        get_int(o, "times", &times, true, err) ||
        get_str(o, "other_depts_text", x->other_depts_text, sizeof x->other_depts_text, false, err) ||
        get_str(o, "consent", consent, sizeof consent, false, err) ||
        get_str(o, "tokutei", x->tokutei, sizeof x->tokutei, false, err) ||
        get_str(o, "stability", x->stability, sizeof x->stability, false, err) ||
        get_str(o, "course", x->course, sizeof x->course, false, err) ||
        get_str(o, "special_medical", x->special_medical, sizeof x->special_medical, false, err) ||
        get_str(o, "netakiri", x->netakiri, sizeof x->netakiri, false, err) ||
        get_str(o, "ninchi", x->ninchi, sizeof x->ninchi, false, err) ||
        get_str(o, "state", x->state, sizeof x->state, false, err) ||
        get_str(o, "services", x->services, sizeof x->services, false, err) ||
        get_str(o, "notes", x->notes, sizeof x->notes, false, err))
        goto out;
    x->times = times == 1 || times == 2 ? (int)times : 0;
    if (times != 1 && times != 2) {
        err_set(err, "times", "作成回数(times)は 1(初回)か 2(2回目以上)です");
        goto out;
    }
    json_t *od = json_object_get(o, "other_depts");
    if (od && !json_is_boolean(od)) {
        err_set(err, "other_depts", "他科受診(other_depts)は true か false です");
        goto out;
    }
    x->other_depts = od && json_is_true(od);
    if (!consent[0])
        x->consent = IKENSHO_CONSENT_ABSENT;
    else if (strcmp(consent, "同意する") == 0 || strcmp(consent, "agree") == 0)
        x->consent = IKENSHO_CONSENT_YES;
    else if (strcmp(consent, "同意しない") == 0 || strcmp(consent, "disagree") == 0)
        x->consent = IKENSHO_CONSENT_NO;
    else {
        err_set(err, "consent", "consent は「同意する」か「同意しない」です");
        goto out;
    }
    json_t *dg = json_object_get(o, "diagnoses");
    if (dg) {
        if (!json_is_array(dg) || json_array_size(dg) > IKENSHO_MAX_DIAG) {
            err_set(err, "diagnoses", "diagnoses は診断名(name)と発症年月日(onset)の配列(3件まで)です");
            goto out;
        }
        size_t i;
        json_t *d;
        json_array_foreach(dg, i, d) {
            static const char *const dkeys[] = {"name", "onset", NULL};
            if (!json_is_object(d) || only_keys(d, dkeys, err) ||
                get_str(d, "name", x->diag[i].name, sizeof x->diag[i].name, true, err) ||
                get_date(d, "onset", &x->diag[i].onset, false, err)) {
                if (!json_is_object(d))
                    err_set(err, "diagnoses", "diagnoses の要素はオブジェクトです");
                goto out;
            }
            x->ndiag++;
        }
    }
    rc = 0;
out:
    json_decref(o);
    return rc;
}

char *docjson_ikensho_encode(const struct ikensho *x)
{
    json_t *o = json_object();
    put_date(o, "written", x->written);
    json_object_set_new(o, "form", json_string(ikensho_form(x->written)));
    put_str(o, "doctor", x->doctor);
    put_str(o, "institution_no", x->institution_no);
    put_date(o, "last_exam", x->last_exam);
    put_int(o, "times", x->times);
    json_object_set_new(o, "other_depts", json_boolean(x->other_depts));
    put_str(o, "other_depts_text", x->other_depts_text);
    if (x->consent != IKENSHO_CONSENT_ABSENT)
        json_object_set_new(o, "consent", json_string(x->consent == IKENSHO_CONSENT_YES ? "同意する" : "同意しない"));
    json_t *dg = json_array();
    for (size_t i = 0; i < x->ndiag; i++) {
        json_t *d = json_object();
        put_str(d, "name", x->diag[i].name);
        put_date(d, "onset", x->diag[i].onset);
        json_array_append_new(dg, d);
    }
    json_object_set_new(o, "diagnoses", dg);
    put_str(o, "tokutei", x->tokutei);
    put_str(o, "stability", x->stability);
    put_str(o, "course", x->course);
    put_str(o, "special_medical", x->special_medical);
    put_str(o, "netakiri", x->netakiri);
    put_str(o, "ninchi", x->ninchi);
    put_str(o, "state", x->state);
    put_str(o, "services", x->services);
    put_str(o, "notes", x->notes);
    return dump(o);
}

/* ---- LIFE ------------------------------------------------------------------ */

int docjson_life(const char *s, size_t n, struct life_feedback *f, struct doc_error *err)
{
    static const char *const keys[] = {"provider_no", "evaluated", "timing", "items", NULL};
    memset(f, 0, sizeof *f);
    json_t *o = load(s, n, err);
    if (!o)
        return -1;
    int rc = -1;
    if (only_keys(o, keys, err) ||
        get_str(o, "provider_no", f->provider_no, sizeof f->provider_no, true, err) ||
        get_date(o, "evaluated", &f->evaluated, true, err) ||
        get_str(o, "timing", f->timing, sizeof f->timing, false, err))
        goto out;
    json_t *items = map_shape(o, "items", "{\"BI合計\": 85}", LIFE_MAX_ITEMS, LIFE_ITEM_BYTES, err);
    if (!items)
        goto out;
    const char *key;
    json_t *v;
    json_object_foreach(items, key, v) {
        struct life_item *it = &f->items[f->n];
        str_cut(it->name, sizeof it->name, key);
        if (json_is_real(v))
            snprintf(it->value, sizeof it->value, "%.10g", json_real_value(v));
        else if (get_str(items, key, it->value, sizeof it->value, true, err))
            goto out;
        f->n++;
    }
    rc = 0;
out:
    json_decref(o);
    return rc;
}

char *docjson_life_encode(const struct life_feedback *f)
{
    json_t *o = json_object(), *items = json_object();
    put_str(o, "provider_no", f->provider_no);
    put_date(o, "evaluated", f->evaluated);
    put_str(o, "timing", f->timing);
    for (size_t i = 0; i < f->n; i++)
        json_object_set_new(items, f->items[i].name, json_string(f->items[i].value));
    json_object_set_new(o, "items", items);
    return dump(o);
}

/* ---- applications (stored bodies) ----------------------------------------------- */

static int level_of(json_t *o, const char *key, enum care_level *out)
{
    char b[8];
    if (get_str(o, key, b, sizeof b, false, NULL))
        return -1;
    *out = LEVEL_NONE;
    return b[0] && level_parse(b, strlen(b), out) ? -1 : 0;
}

int docjson_app(const char *s, size_t n, struct application *a)
{
    memset(a, 0, sizeof *a);
    json_t *o = load(s, n, NULL);
    if (!o)
        return -1;
    long long kind, filer, consent, minutes, months;
    int bad = get_str(o, "id", a->id, sizeof a->id, true, NULL) |
              get_int(o, "kind", &kind, true, NULL) | get_date(o, "applied", &a->applied, true, NULL) |
              get_int(o, "filer", &filer, true, NULL) |
              get_str(o, "filed_by", a->filed_by, sizeof a->filed_by, false, NULL) |
              get_str(o, "filer_org", a->filer_org, sizeof a->filer_org, false, NULL) |
              get_int(o, "consent_id", &consent, false, NULL) |
              level_of(o, "prev_level", &a->prev_level) |
              get_date(o, "prev_from", &a->prev_from, false, NULL) |
              get_date(o, "prev_to", &a->prev_to, false, NULL) |
              get_date(o, "shikakusha", &a->shikakusha, false, NULL) |
              get_str(o, "investigator", a->investigator, sizeof a->investigator, false, NULL) |
              get_date(o, "survey_assigned", &a->survey_assigned, false, NULL) |
              get_date(o, "survey_planned", &a->survey_planned, false, NULL) |
              get_date(o, "survey_done", &a->survey_done, false, NULL) |
              get_str(o, "opinion_org", a->opinion_org, sizeof a->opinion_org, false, NULL) |
              get_date(o, "opinion_requested", &a->opinion_requested, false, NULL) |
              get_date(o, "opinion_due", &a->opinion_due, false, NULL) |
              get_date(o, "opinion_received", &a->opinion_received, false, NULL) |
              get_date(o, "primary_on", &a->primary_on, false, NULL) |
              level_of(o, "primary_level", &a->primary_level) |
              get_int(o, "primary_minutes_x10", &minutes, false, NULL) |
              get_date(o, "board_on", &a->board_on, false, NULL) | level_of(o, "level", &a->level) |
              get_int(o, "months", &months, false, NULL) |
              get_date(o, "valid_from", &a->valid_from, false, NULL) |
              get_date(o, "valid_to", &a->valid_to, false, NULL) |
              get_str(o, "board_opinion", a->board_opinion, sizeof a->board_opinion, false, NULL) |
              get_str(o, "services", a->services, sizeof a->services, false, NULL) |
              get_str(o, "override_reason", a->override_reason, sizeof a->override_reason, false, NULL) |
              get_date(o, "decided", &a->decided, false, NULL) |
              get_date(o, "withdrawn", &a->withdrawn, false, NULL);
    /* a stored body is trusted no further than a received one: an out-of-range kind indexed the
     * names table (cert_kind_name) */
    if (kind < CERT_NEW || kind > CERT_RENEW || filer < FILER_PERSON || filer > FILER_INSURER)
        bad = 1;
    a->kind = (enum cert_kind)kind;
    a->filer = (enum filer_kind)filer;
    a->consent_id = consent;
    a->primary_minutes_x10 = (int)minutes;
    a->months = (int)months;
    json_t *pp = json_object_get(o, "postponements");
    if (pp) {
        size_t i;
        json_t *p;
        if (!json_is_array(pp) || json_array_size(pp) > APP_MAX_POSTPONE)
            bad = 1;
        else
            json_array_foreach(pp, i, p) {
                struct postponement *x = &a->postpone[a->npostpone++];
                bad |= get_date(p, "notified", &x->notified, true, NULL) |
                       get_date(p, "expected", &x->expected, true, NULL) |
                       get_str(p, "reason", x->reason, sizeof x->reason, true, NULL);
            }
    }
    json_decref(o);
    return bad ? -1 : 0;
}

char *docjson_app_encode(const struct application *a)
{
    json_t *o = json_object();
    put_str(o, "id", a->id);
    put_int(o, "kind", a->kind);
    put_date(o, "applied", a->applied);
    put_int(o, "filer", a->filer);
    put_str(o, "filed_by", a->filed_by);
    put_str(o, "filer_org", a->filer_org);
    if (a->consent_id)
        put_int(o, "consent_id", a->consent_id);
    put_str(o, "prev_level", level_code(a->prev_level));
    put_date(o, "prev_from", a->prev_from);
    put_date(o, "prev_to", a->prev_to);
    put_date(o, "shikakusha", a->shikakusha);
    put_str(o, "investigator", a->investigator);
    put_date(o, "survey_assigned", a->survey_assigned);
    put_date(o, "survey_planned", a->survey_planned);
    put_date(o, "survey_done", a->survey_done);
    put_str(o, "opinion_org", a->opinion_org);
    put_date(o, "opinion_requested", a->opinion_requested);
    put_date(o, "opinion_due", a->opinion_due);
    put_date(o, "opinion_received", a->opinion_received);
    put_date(o, "primary_on", a->primary_on);
    put_str(o, "primary_level", level_code(a->primary_level));
    if (!date_is_none(a->primary_on))
        put_int(o, "primary_minutes_x10", a->primary_minutes_x10);
    put_date(o, "board_on", a->board_on);
    put_str(o, "level", level_code(a->level));
    if (a->months)
        put_int(o, "months", a->months);
    put_date(o, "valid_from", a->valid_from);
    put_date(o, "valid_to", a->valid_to);
    put_str(o, "board_opinion", a->board_opinion);
    put_str(o, "services", a->services);
    put_str(o, "override_reason", a->override_reason);
    put_date(o, "decided", a->decided);
    put_date(o, "withdrawn", a->withdrawn);
    if (a->npostpone) {
        json_t *pp = json_array();
        for (size_t i = 0; i < a->npostpone; i++) {
            json_t *p = json_object();
            put_date(p, "notified", a->postpone[i].notified);
            put_date(p, "expected", a->postpone[i].expected);
            put_str(p, "reason", a->postpone[i].reason);
            json_array_append_new(pp, p);
        }
        json_object_set_new(o, "postponements", pp);
    }
    return dump(o);
}

/* ---- ledger claims ----------------------------------------------------------- */

int docjson_claim(const char *s, size_t n, struct ledger_claim *c, struct doc_error *err)
{
    static const char *const keys[] = {"id", "kind", "date", "amount", "accepted", "residence",
                                       "category", "level", NULL};
    memset(c, 0, sizeof *c);
    json_t *o = load(s, n, err);
    if (!o)
        return -1;
    char kind[16];
    int rc = -1;
    if (only_keys(o, keys, err) || get_str(o, "id", c->id, sizeof c->id, false, err) ||
        get_str(o, "kind", kind, sizeof kind, true, err) ||
        get_date(o, "date", &c->date, true, err) || get_int(o, "amount", &c->amount, true, err) ||
        get_int(o, "accepted", &c->accepted, false, err) ||
        get_str(o, "residence", c->residence, sizeof c->residence, false, err) ||
        get_str(o, "category", c->category, sizeof c->category, false, err))
        goto out;
    if (level_of(o, "level", &c->level)) {
        err_set(err, "level", "level は要介護状態区分コード(例: 21)です");
        goto out;
    }
    c->kind = ledger_kind_from_code(kind);
    if (!c->kind) {
        err_set(err, "kind", "kind は jutaku(住宅改修)か yogu(福祉用具購入)です");
        goto out;
    }
    rc = 0;
out:
    json_decref(o);
    return rc;
}

char *docjson_claim_encode(const struct ledger_claim *c)
{
    json_t *o = json_object();
    put_str(o, "id", c->id);
    put_str(o, "kind", ledger_kind_code(c->kind));
    put_date(o, "date", c->date);
    put_int(o, "amount", c->amount);
    put_int(o, "accepted", c->accepted);
    put_str(o, "residence", c->residence);
    put_str(o, "category", c->category);
    put_str(o, "level", level_code(c->level));
    return dump(o);
}
