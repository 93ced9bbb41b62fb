/* codec.c - canonical JSON bodies of records; see codec.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "util/jsonflat.h"
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
        put_date(&w, "tokurei", p->tokurei);
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

/* ---- decoding (util/jsonflat: the bodies are flat objects we wrote) ------ */

static int load(const char *body, struct jsonflat *j)
{
    return jf_parse(body, strlen(body), j);
}

/* Absent members are empty / DATE_NONE; present ones must have the right type. */
static int get_date(const struct jsonflat *j, const char *k, struct date *out)
{
    const struct jf_member *m = jf_get(j, k);
    const char *why;
    *out = DATE_NONE;
    if (!m)
        return 0;
    if (m->type != JF_STRING || m->escaped)
        return -1;
    return date_parse_iso(m->value.ptr, m->value.len, out, &why);
}

static int get_str(const struct jsonflat *j, const char *k, char *out, size_t cap)
{
    const struct jf_member *m = jf_get(j, k);
    out[0] = '\0';
    return m ? jf_string(m, out, cap) : 0;
}

static long long get_int(const struct jsonflat *j, const char *k)
{
    long long v;
    return jf_int(jf_get(j, k), &v) ? -1 : v;
}

int codec_decode_insured(const char *body, struct insured *p)
{
    struct jsonflat j;
    if (load(body, &j))
        return -1;
    int rc = get_str(&j, "name", p->name, sizeof p->name) |
             get_str(&j, "kana", p->kana, sizeof p->kana) | get_date(&j, "birth", &p->birth) |
             get_str(&j, "postal", p->postal, sizeof p->postal) |
             get_str(&j, "address", p->address, sizeof p->address) |
             get_date(&j, "acquired", &p->acquired) | get_date(&j, "lost", &p->lost) |
             get_date(&j, "issued", &p->issued) | get_date(&j, "tokurei", &p->tokurei);
    p->sex = (enum sex)get_int(&j, "sex");
    return rc ? -1 : 0;
}

int codec_decode_cert(const char *body, struct certification *c)
{
    struct jsonflat j;
    if (load(body, &j))
        return -1;
    char lv[8];
    int rc = get_str(&j, "level", lv, sizeof lv) | get_date(&j, "applied", &c->applied) |
             get_date(&j, "certified", &c->certified) | get_date(&j, "from", &c->valid_from) |
             get_date(&j, "to", &c->valid_to) |
             get_str(&j, "opinion", c->opinion, sizeof c->opinion) |
             get_str(&j, "services", c->services, sizeof c->services);
    if (!rc && level_parse(lv, strlen(lv), &c->level))
        rc = -1;
    c->kind = (enum cert_kind)get_int(&j, "kind");
    return rc ? -1 : 0;
}

int codec_decode_burden(const char *body, struct burden_cert *b)
{
    struct jsonflat j;
    if (load(body, &j))
        return -1;
    int rc = get_date(&j, "from", &b->valid_from) | get_date(&j, "to", &b->valid_to);
    b->ratio = (int)get_int(&j, "ratio");
    return rc || b->ratio < 1 || b->ratio > 3 ? -1 : 0;
}

int codec_decode_limit(const char *body, struct limit_cert *l)
{
    struct jsonflat j;
    if (load(body, &j))
        return -1;
    char st[8];
    int rc = get_str(&j, "stage", st, sizeof st) | get_date(&j, "from", &l->valid_from) |
             get_date(&j, "to", &l->valid_to);
    if (!rc && limit_stage_parse(st, strlen(st), &l->stage))
        rc = -1;
    return rc ? -1 : 0;
}

int codec_decode_restriction(const char *body, struct restriction *x)
{
    struct jsonflat j;
    if (load(body, &j))
        return -1;
    int rc = get_date(&j, "from", &x->valid_from) | get_date(&j, "to", &x->valid_to) |
             get_str(&j, "detail", x->detail, sizeof x->detail);
    x->kind = (enum restriction_kind)get_int(&j, "kind");
    return rc ? -1 : 0;
}

int codec_decode_plan(const char *body, struct plan_notice *p)
{
    struct jsonflat j;
    if (load(body, &j))
        return -1;
    int rc = get_str(&j, "provider", p->provider_no, sizeof p->provider_no) |
             get_str(&j, "office", p->office_name, sizeof p->office_name) |
             get_date(&j, "notified", &p->notified) | get_date(&j, "ended", &p->ended);
    const struct jf_member *m = jf_get(&j, "self");
    p->self_made = m && m->type == JF_TRUE;
    return rc ? -1 : 0;
}

int codec_decode_facility(const char *body, struct facility_stay *f)
{
    struct jsonflat j;
    if (load(body, &j))
        return -1;
    int rc = get_str(&j, "fkind", f->facility_kind, sizeof f->facility_kind) |
             get_str(&j, "name", f->name, sizeof f->name) |
             get_str(&j, "provider", f->provider_no, sizeof f->provider_no) |
             get_date(&j, "admitted", &f->admitted) | get_date(&j, "discharged", &f->discharged);
    return rc ? -1 : 0;
}
