/* cardjson.c - see cardjson.h. Written with util/jsonw (a hot path of the API). */
#include <string.h>

#include "domain/wareki.h"
#include "codec/cardjson.h"
#include "util/banned.h"

static void date_(struct jsonw *w, const char *k, struct date d)
{
    if (date_is_none(d)) {
        jw_null(w, k);
        return;
    }
    char iso[11], key[64], wk[64];
    date_iso(d, iso);
    jw_str(w, k, iso);
    struct buf b;
    buf_init_fixed(&b, wk, sizeof wk);
    size_t kl = strlen(k);
    if (kl + 8 <= sizeof key && wareki_format(d, WAREKI_LONG, &b) == 0 && !buf_failed(&b)) {
        memcpy(key, k, kl);
        memcpy(key + kl, "_wareki", 8);
        jw_str(w, key, b.ptr);
    }
}

static void str_or_null(struct jsonw *w, const char *k, const char *v)
{
    if (v[0])
        jw_str(w, k, v);
    else
        jw_null(w, k);
}

void card_json(struct jsonw *w, const struct card *c)
{
    jw_obj(w, NULL);
    date_(w, "date", c->on);

    jw_obj(w, "panel1");
    jw_str(w, "insured_no", c->person.key.insured_no);
    jw_str(w, "name", c->person.name);
    jw_str(w, "kana", c->person.kana);
    date_(w, "birth", c->person.birth);
    jw_str(w, "sex", sex_name(c->person.sex));
    jw_str(w, "postal", c->person.postal);
    jw_str(w, "address", c->person.address);
    date_(w, "issued", c->person.issued);
    date_(w, "acquired", c->person.acquired);
    date_(w, "lost", c->person.lost);
    jw_bool(w, "qualified", c->qualified);
    jw_str(w, "insured_kind", c->dai1 ? "第1号被保険者" : "第2号被保険者");
    jw_str(w, "insurer_no", c->person.key.insurer_no);
    str_or_null(w, "insurer_name", c->insurer.name);
    jw_end(w);

    /* the insurer's policy (migration 0012): when it issues the paper 被保険者証, and the day it starts on
     * the 介護情報基盤 (null while not known) */
    jw_obj(w, "insurer");
    jw_str(w, "card_issue", card_issue_code(c->insurer.card_issue));
    jw_str(w, "card_issue_name", card_issue_name(c->insurer.card_issue));
    date_(w, "platform_start", c->insurer.platform_start);
    jw_end(w);

    if (c->has_cert) {
        jw_obj(w, "panel2");
        jw_str(w, "level_code", level_code(c->cert.level));
        jw_str(w, "level", level_name(c->cert.level));
        date_(w, "certified", c->cert.certified);
        date_(w, "valid_from", c->cert.valid_from);
        date_(w, "valid_to", c->cert.valid_to);
        jw_bool(w, "in_force",
                date_cmp(c->cert.valid_from, c->on) <= 0 &&
                    (date_is_none(c->cert.valid_to) || date_cmp(c->on, c->cert.valid_to) <= 0));
        if (c->kubun_limit >= 0)
            jw_int(w, "kubun_limit_units", c->kubun_limit);
        else
            jw_null(w, "kubun_limit_units");
        str_or_null(w, "opinion", c->cert.opinion);
        str_or_null(w, "designated_services", c->cert.services);
        jw_end(w);
    } else
        jw_null(w, "panel2");
    if (c->pending) {
        jw_obj(w, "application");
        jw_str(w, "status", "申請中");
        jw_str(w, "kind", cert_kind_name(c->pending_kind));
        date_(w, "applied", c->pending_applied);
        jw_bool(w, "shikakusha", c->shikakusha);
        if (c->shikakusha)
            date_(w, "shikakusha_issued", c->shikakusha_issued);
        jw_end(w);
    } else
        jw_null(w, "application");

    jw_obj(w, "panel3");
    jw_arr(w, "restrictions");
    for (size_t i = 0; i < c->nrestrictions; i++) {
        jw_obj(w, NULL);
        jw_str(w, "kind", restriction_name(c->restrictions[i].kind));
        date_(w, "valid_from", c->restrictions[i].valid_from);
        date_(w, "valid_to", c->restrictions[i].valid_to);
        str_or_null(w, "detail", c->restrictions[i].detail);
        jw_end(w);
    }
    jw_end(w);
    if (c->has_plan) {
        jw_obj(w, "care_plan_office");
        jw_bool(w, "self_made", c->plan.self_made);
        str_or_null(w, "provider_no", c->plan.provider_no);
        if (c->plan.self_made)
            jw_str(w, "office_name", "自己作成");
        else
            str_or_null(w, "office_name", c->plan.office_name);
        date_(w, "notified", c->plan.notified);
        jw_end(w);
    } else
        jw_null(w, "care_plan_office");
    jw_arr(w, "facilities");
    for (size_t i = 0; i < c->nstays; i++) {
        jw_obj(w, NULL);
        jw_str(w, "kind", c->stays[i].facility_kind);
        jw_str(w, "name", c->stays[i].name);
        date_(w, "admitted", c->stays[i].admitted);
        date_(w, "discharged", c->stays[i].discharged);
        jw_end(w);
    }
    jw_end(w);
    jw_end(w);

    if (c->has_burden) {
        jw_obj(w, "burden");
        jw_int(w, "ratio", c->burden.ratio);
        jw_int(w, "benefit_rate", burden_benefit_rate(c->burden.ratio));
        date_(w, "valid_from", c->burden.valid_from);
        date_(w, "valid_to", c->burden.valid_to);
        jw_end(w);
    } else
        jw_null(w, "burden");

    if (c->has_limit) {
        jw_obj(w, "limit");
        jw_str(w, "stage", limit_stage_name(c->limit.stage));
        date_(w, "valid_from", c->limit.valid_from);
        date_(w, "valid_to", c->limit.valid_to);
        jw_arr(w, "daily_limits");
        for (int i = 0; i < LIMIT_ITEM_COUNT; i++) {
            if (c->limit_daily[i] < 0)
                continue; /* not in force on the date (室料負担あり 多床室 before 2025-08-01) */
            jw_obj(w, NULL);
            jw_str(w, "item", limit_item_name((enum limit_item)i));
            jw_int(w, "yen_per_day", c->limit_daily[i]);
            jw_end(w);
        }
        jw_end(w);
        jw_end(w);
    } else
        jw_null(w, "limit");
    jw_end(w);
}
