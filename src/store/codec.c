/* codec.c - canonical JSON bodies of records; see codec.h. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/codec.h"
#include "util/jsonw.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* Encoding uses util/jsonw (not a jansson tree): it is on the import hot path.
 * Keys are written in sorted order, so the bytes equal jansson's
 * JSON_COMPACT | JSON_SORT_KEYS output (tests/unit/u-codec.c checks this). */

static void put_str(struct jsonw *w, const char *k, const char *v)
{
    if (v[0])
        jw_str(w, k, v);
}

static void put_date(struct jsonw *w, const char *k, struct date d)
{
    if (date_is_none(d))
        return;
    char iso[11];
    date_iso(d, iso);
    jw_str(w, k, iso);
}

char *codec_encode_row(const struct import_row *row)
{
    struct jsonw w;
    jw_init(&w, 64 * 1024);
    jw_obj(&w, NULL);
    switch (row->kind) {
    case IMPORT_INSURED: {
        const struct insured *p = &row->u.insured;
        put_date(&w, "acquired", p->acquired);
        put_str(&w, "address", p->address);
        put_date(&w, "birth", p->birth);
        put_date(&w, "issued", p->issued);
        put_str(&w, "kana", p->kana);
        put_date(&w, "lost", p->lost);
        put_str(&w, "name", p->name);
        put_str(&w, "postal", p->postal);
        jw_int(&w, "sex", p->sex);
        break;
    }
    case IMPORT_CERT: {
        const struct certification *c = &row->u.cert;
        put_date(&w, "applied", c->applied);
        put_date(&w, "certified", c->certified);
        put_date(&w, "from", c->valid_from);
        jw_int(&w, "kind", c->kind);
        put_str(&w, "level", level_code(c->level));
        put_str(&w, "opinion", c->opinion);
        put_str(&w, "services", c->services);
        put_date(&w, "to", c->valid_to);
        break;
    }
    case IMPORT_BURDEN:
        put_date(&w, "from", row->u.burden.valid_from);
        jw_int(&w, "ratio", row->u.burden.ratio);
        put_date(&w, "to", row->u.burden.valid_to);
        break;
    case IMPORT_LIMIT:
        put_date(&w, "from", row->u.limit.valid_from);
        put_str(&w, "stage", limit_stage_key(row->u.limit.stage));
        put_date(&w, "to", row->u.limit.valid_to);
        break;
    case IMPORT_RESTRICTION:
        put_str(&w, "detail", row->u.restriction.detail);
        put_date(&w, "from", row->u.restriction.valid_from);
        jw_int(&w, "kind", row->u.restriction.kind);
        put_date(&w, "to", row->u.restriction.valid_to);
        break;
    case IMPORT_PLAN:
        put_date(&w, "ended", row->u.plan.ended);
        put_date(&w, "notified", row->u.plan.notified);
        put_str(&w, "office", row->u.plan.office_name);
        put_str(&w, "provider", row->u.plan.provider_no);
        jw_bool(&w, "self", row->u.plan.self_made);
        break;
    case IMPORT_FACILITY:
        put_date(&w, "admitted", row->u.stay.admitted);
        put_date(&w, "discharged", row->u.stay.discharged);
        put_str(&w, "fkind", row->u.stay.facility_kind);
        put_str(&w, "name", row->u.stay.name);
        put_str(&w, "provider", row->u.stay.provider_no);
        break;
    case IMPORT_KIND_COUNT:
        break;
    }
    jw_end(&w);
    char *out = jw_detach(&w, NULL);
    if (!out)
        BUG("codec: record body over 64 KiB");
    return out;
}

/* ---- decoding ------------------------------------------------------------ */

static json_t *load(const char *body)
{
    json_error_t e;
    json_t *o = json_loads(body, 0, &e);
    if (!o || !json_is_object(o)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int get_date(json_t *o, const char *k, struct date *out)
{
    json_t *v = json_object_get(o, k);
    const char *why;
    *out = DATE_NONE;
    if (!v)
        return 0;
    if (!json_is_string(v))
        return -1;
    return date_parse_iso(json_string_value(v), json_string_length(v), out, &why);
}

static int get_str(json_t *o, const char *k, char *out, size_t cap)
{
    json_t *v = json_object_get(o, k);
    out[0] = '\0';
    if (!v)
        return 0;
    if (!json_is_string(v) || json_string_length(v) >= cap)
        return -1;
    memcpy(out, json_string_value(v), json_string_length(v) + 1);
    return 0;
}

static long long get_int(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? json_integer_value(v) : -1;
}

int codec_decode_insured(const char *body, struct insured *p)
{
    json_t *o = load(body);
    if (!o)
        return -1;
    int rc = get_str(o, "name", p->name, sizeof p->name) |
             get_str(o, "kana", p->kana, sizeof p->kana) | get_date(o, "birth", &p->birth) |
             get_str(o, "postal", p->postal, sizeof p->postal) |
             get_str(o, "address", p->address, sizeof p->address) |
             get_date(o, "acquired", &p->acquired) | get_date(o, "lost", &p->lost) |
             get_date(o, "issued", &p->issued);
    p->sex = (enum sex)get_int(o, "sex");
    json_decref(o);
    return rc ? -1 : 0;
}

int codec_decode_cert(const char *body, struct certification *c)
{
    json_t *o = load(body);
    if (!o)
        return -1;
    char lv[8];
    int rc = get_str(o, "level", lv, sizeof lv) | get_date(o, "applied", &c->applied) |
             get_date(o, "certified", &c->certified) | get_date(o, "from", &c->valid_from) |
             get_date(o, "to", &c->valid_to) |
             get_str(o, "opinion", c->opinion, sizeof c->opinion) |
             get_str(o, "services", c->services, sizeof c->services);
    if (!rc && level_parse(lv, strlen(lv), &c->level))
        rc = -1;
    c->kind = (enum cert_kind)get_int(o, "kind");
    json_decref(o);
    return rc ? -1 : 0;
}

int codec_decode_burden(const char *body, struct burden_cert *b)
{
    json_t *o = load(body);
    if (!o)
        return -1;
    int rc = get_date(o, "from", &b->valid_from) | get_date(o, "to", &b->valid_to);
    b->ratio = (int)get_int(o, "ratio");
    json_decref(o);
    return rc || b->ratio < 1 || b->ratio > 3 ? -1 : 0;
}

int codec_decode_limit(const char *body, struct limit_cert *l)
{
    json_t *o = load(body);
    if (!o)
        return -1;
    char st[8];
    int rc = get_str(o, "stage", st, sizeof st) | get_date(o, "from", &l->valid_from) |
             get_date(o, "to", &l->valid_to);
    if (!rc && limit_stage_parse(st, strlen(st), &l->stage))
        rc = -1;
    json_decref(o);
    return rc ? -1 : 0;
}

int codec_decode_restriction(const char *body, struct restriction *x)
{
    json_t *o = load(body);
    if (!o)
        return -1;
    int rc = get_date(o, "from", &x->valid_from) | get_date(o, "to", &x->valid_to) |
             get_str(o, "detail", x->detail, sizeof x->detail);
    x->kind = (enum restriction_kind)get_int(o, "kind");
    json_decref(o);
    return rc ? -1 : 0;
}

int codec_decode_plan(const char *body, struct plan_notice *p)
{
    json_t *o = load(body);
    if (!o)
        return -1;
    int rc = get_str(o, "provider", p->provider_no, sizeof p->provider_no) |
             get_str(o, "office", p->office_name, sizeof p->office_name) |
             get_date(o, "notified", &p->notified) | get_date(o, "ended", &p->ended);
    p->self_made = json_is_true(json_object_get(o, "self"));
    json_decref(o);
    return rc ? -1 : 0;
}

int codec_decode_facility(const char *body, struct facility_stay *f)
{
    json_t *o = load(body);
    if (!o)
        return -1;
    int rc = get_str(o, "fkind", f->facility_kind, sizeof f->facility_kind) |
             get_str(o, "name", f->name, sizeof f->name) |
             get_str(o, "provider", f->provider_no, sizeof f->provider_no) |
             get_date(o, "admitted", &f->admitted) | get_date(o, "discharged", &f->discharged);
    json_decref(o);
    return rc ? -1 : 0;
}
