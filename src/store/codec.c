/* codec.c - canonical JSON bodies of records; see codec.h. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/codec.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

static void put_date(json_t *o, const char *k, struct date d)
{
    if (date_is_none(d))
        return;
    char iso[11];
    date_iso(d, iso);
    json_object_set_new(o, k, json_string(iso));
}

static void put_str(json_t *o, const char *k, const char *v)
{
    if (v[0])
        json_object_set_new(o, k, json_string(v));
}

static char *finish(json_t *o)
{
    char *s = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(o);
    if (!s)
        die("out of memory (json)");
    char *r = xstrdup(s);
    free(s);
    return r;
}

char *codec_encode_row(const struct import_row *row)
{
    json_t *o = json_object();
    switch (row->kind) {
    case IMPORT_INSURED: {
        const struct insured *p = &row->u.insured;
        put_str(o, "name", p->name);
        put_str(o, "kana", p->kana);
        put_date(o, "birth", p->birth);
        json_object_set_new(o, "sex", json_integer(p->sex));
        put_str(o, "postal", p->postal);
        put_str(o, "address", p->address);
        put_date(o, "acquired", p->acquired);
        put_date(o, "lost", p->lost);
        put_date(o, "issued", p->issued);
        break;
    }
    case IMPORT_CERT: {
        const struct certification *c = &row->u.cert;
        json_object_set_new(o, "level", json_string(level_code(c->level)));
        json_object_set_new(o, "kind", json_integer(c->kind));
        put_date(o, "applied", c->applied);
        put_date(o, "certified", c->certified);
        put_date(o, "from", c->valid_from);
        put_date(o, "to", c->valid_to);
        put_str(o, "opinion", c->opinion);
        put_str(o, "services", c->services);
        break;
    }
    case IMPORT_BURDEN:
        json_object_set_new(o, "ratio", json_integer(row->u.burden.ratio));
        put_date(o, "from", row->u.burden.valid_from);
        put_date(o, "to", row->u.burden.valid_to);
        break;
    case IMPORT_LIMIT:
        json_object_set_new(o, "stage", json_string(limit_stage_key(row->u.limit.stage)));
        put_date(o, "from", row->u.limit.valid_from);
        put_date(o, "to", row->u.limit.valid_to);
        break;
    case IMPORT_RESTRICTION:
        json_object_set_new(o, "kind", json_integer(row->u.restriction.kind));
        put_date(o, "from", row->u.restriction.valid_from);
        put_date(o, "to", row->u.restriction.valid_to);
        put_str(o, "detail", row->u.restriction.detail);
        break;
    case IMPORT_PLAN:
        json_object_set_new(o, "self", json_boolean(row->u.plan.self_made));
        put_str(o, "provider", row->u.plan.provider_no);
        put_str(o, "office", row->u.plan.office_name);
        put_date(o, "notified", row->u.plan.notified);
        put_date(o, "ended", row->u.plan.ended);
        break;
    case IMPORT_FACILITY:
        put_str(o, "fkind", row->u.stay.facility_kind);
        put_str(o, "name", row->u.stay.name);
        put_str(o, "provider", row->u.stay.provider_no);
        put_date(o, "admitted", row->u.stay.admitted);
        put_date(o, "discharged", row->u.stay.discharged);
        break;
    case IMPORT_KIND_COUNT:
        break;
    }
    return finish(o);
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
