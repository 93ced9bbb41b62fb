/* cardjson.c - see cardjson.h. */
#include <string.h>

#include "domain/wareki.h"
#include "http/cardjson.h"
#include "util/banned.h"

static void put_date(json_t *o, const char *k, struct date d)
{
    if (date_is_none(d)) {
        json_object_set_new(o, k, json_null());
        return;
    }
    char iso[11];
    date_iso(d, iso);
    json_object_set_new(o, k, json_string(iso));
    struct buf b;
    buf_init(&b, 64);
    char wk[64];
    if (strlen(k) + 8 < sizeof wk && wareki_format(d, WAREKI_LONG, &b) == 0 && !buf_failed(&b)) {
        memcpy(wk, k, strlen(k));
        memcpy(wk + strlen(k), "_wareki", 8);
        json_object_set_new(o, wk, json_string(b.ptr));
    }
    buf_release(&b);
}

static json_t *str_or_null(const char *s)
{
    return s[0] ? json_string(s) : json_null();
}

json_t *card_json(const struct card *c)
{
    json_t *o = json_object();
    put_date(o, "date", c->on);

    json_t *p1 = json_object();
    json_object_set_new(p1, "insured_no", json_string(c->person.key.insured_no));
    json_object_set_new(p1, "name", json_string(c->person.name));
    json_object_set_new(p1, "kana", json_string(c->person.kana));
    put_date(p1, "birth", c->person.birth);
    json_object_set_new(p1, "sex", json_string(sex_name(c->person.sex)));
    json_object_set_new(p1, "postal", json_string(c->person.postal));
    json_object_set_new(p1, "address", json_string(c->person.address));
    put_date(p1, "issued", c->person.issued);
    put_date(p1, "acquired", c->person.acquired);
    put_date(p1, "lost", c->person.lost);
    json_object_set_new(p1, "qualified", json_boolean(c->qualified));
    json_object_set_new(p1, "insured_kind", json_string(c->dai1 ? "第1号被保険者" : "第2号被保険者"));
    json_object_set_new(p1, "insurer_no", json_string(c->person.key.insurer_no));
    json_object_set_new(p1, "insurer_name", str_or_null(c->insurer.name));
    json_object_set_new(o, "panel1", p1);

    json_t *p2 = json_object();
    if (c->has_cert) {
        json_object_set_new(p2, "level_code", json_string(level_code(c->cert.level)));
        json_object_set_new(p2, "level", json_string(level_name(c->cert.level)));
        put_date(p2, "certified", c->cert.certified);
        put_date(p2, "valid_from", c->cert.valid_from);
        put_date(p2, "valid_to", c->cert.valid_to);
        json_object_set_new(p2, "in_force",
                            json_boolean(date_cmp(c->cert.valid_from, c->on) <= 0 &&
                                         (date_is_none(c->cert.valid_to) ||
                                          date_cmp(c->on, c->cert.valid_to) <= 0)));
        json_object_set_new(p2, "kubun_limit_units",
                            c->kubun_limit >= 0 ? json_integer(c->kubun_limit) : json_null());
        json_object_set_new(p2, "opinion", str_or_null(c->cert.opinion));
        json_object_set_new(p2, "designated_services", str_or_null(c->cert.services));
    }
    json_object_set_new(o, "panel2", c->has_cert ? p2 : (json_decref(p2), json_null()));

    json_t *p3 = json_object();
    json_t *rs = json_array();
    for (size_t i = 0; i < c->nrestrictions; i++) {
        json_t *r = json_object();
        json_object_set_new(r, "kind", json_string(restriction_name(c->restrictions[i].kind)));
        put_date(r, "valid_from", c->restrictions[i].valid_from);
        put_date(r, "valid_to", c->restrictions[i].valid_to);
        json_object_set_new(r, "detail", str_or_null(c->restrictions[i].detail));
        json_array_append_new(rs, r);
    }
    json_object_set_new(p3, "restrictions", rs);
    if (c->has_plan) {
        json_t *pl = json_object();
        json_object_set_new(pl, "self_made", json_boolean(c->plan.self_made));
        json_object_set_new(pl, "provider_no", str_or_null(c->plan.provider_no));
        json_object_set_new(pl, "office_name",
                            c->plan.self_made ? json_string("自己作成") : str_or_null(c->plan.office_name));
        put_date(pl, "notified", c->plan.notified);
        json_object_set_new(p3, "care_plan_office", pl);
    } else
        json_object_set_new(p3, "care_plan_office", json_null());
    json_t *ss = json_array();
    for (size_t i = 0; i < c->nstays; i++) {
        json_t *s = json_object();
        json_object_set_new(s, "kind", json_string(c->stays[i].facility_kind));
        json_object_set_new(s, "name", json_string(c->stays[i].name));
        put_date(s, "admitted", c->stays[i].admitted);
        put_date(s, "discharged", c->stays[i].discharged);
        json_array_append_new(ss, s);
    }
    json_object_set_new(p3, "facilities", ss);
    json_object_set_new(o, "panel3", p3);

    if (c->has_burden) {
        json_t *b = json_object();
        json_object_set_new(b, "ratio", json_integer(c->burden.ratio));
        json_object_set_new(b, "benefit_rate", json_integer(burden_benefit_rate(c->burden.ratio)));
        put_date(b, "valid_from", c->burden.valid_from);
        put_date(b, "valid_to", c->burden.valid_to);
        json_object_set_new(o, "burden", b);
    } else
        json_object_set_new(o, "burden", json_null());

    if (c->has_limit) {
        json_t *l = json_object();
        json_object_set_new(l, "stage", json_string(limit_stage_name(c->limit.stage)));
        put_date(l, "valid_from", c->limit.valid_from);
        put_date(l, "valid_to", c->limit.valid_to);
        json_t *items = json_array();
        for (int i = 0; i < LIMIT_ITEM_COUNT; i++) {
            json_t *it = json_object();
            json_object_set_new(it, "item", json_string(limit_item_name((enum limit_item)i)));
            json_object_set_new(it, "yen_per_day", c->limit_daily[i] >= 0
                                                      ? json_integer(c->limit_daily[i])
                                                      : json_null());
            json_array_append_new(items, it);
        }
        json_object_set_new(l, "daily_limits", items);
        json_object_set_new(o, "limit", l);
    } else
        json_object_set_new(o, "limit", json_null());
    return o;
}
