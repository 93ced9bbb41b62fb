/*
 * card.h - the electronic 介護保険被保険者証 (three panels, platform.md §3.1),
 * with the 負担割合証 and 負担限度額認定証 content, for one person on one date.
 *
 * card_build() is the one function that decides what the card says. It is
 * pure: the caller (store) loads every record of the person; card_build picks
 * the ones in force on the date. The card borrows nothing: it copies.
 */
#ifndef KAIGO_DOMAIN_CARD_H
#define KAIGO_DOMAIN_CARD_H

#include <stddef.h>

#include "domain/records.h"

#define CARD_MAX_RECORDS 64 /* per kind; a person has far fewer */

struct card_input {
    const struct insurer *insurer;
    const struct insured *person;
    const struct certification *certs;
    size_t ncerts;
    const struct burden_cert *burdens;
    size_t nburdens;
    const struct limit_cert *limits;
    size_t nlimits;
    const struct restriction *restrictions;
    size_t nrestrictions;
    const struct plan_notice *plans;
    size_t nplans;
    const struct facility_stay *stays;
    size_t nstays;
    /* a 要介護認定 application not yet decided (certflow.h): applied NONE if none */
    struct date pending_applied;
    enum cert_kind pending_kind;
    struct date shikakusha; /* 資格者証 issued for it, or none */
};

struct card {
    struct date on;
    /* (一) */
    struct insured person;
    struct insurer insurer;
    bool qualified; /* 資格あり on the date */
    bool dai1;      /* 第1号被保険者 (65+) on the date; else 第2号 */
    /* (二) */
    bool has_cert;
    struct certification cert;
    long long kubun_limit; /* units/month; -1 if none */
    /* 申請中: an application made on or before 'on' awaits its decision; the
     * card (or the 資格者証 issued meanwhile) says so in panel (二) */
    bool pending;
    enum cert_kind pending_kind;
    struct date pending_applied;
    bool shikakusha;
    struct date shikakusha_issued;
    /* (三) */
    size_t nrestrictions;
    struct restriction restrictions[8];
    bool has_plan;
    struct plan_notice plan;
    size_t nstays;
    struct facility_stay stays[4];
    /* 負担割合証 */
    bool has_burden;
    struct burden_cert burden;
    /* 負担限度額認定証 */
    bool has_limit;
    struct limit_cert limit;
    long long limit_daily[LIMIT_ITEM_COUNT];
};

/* card_build - fills *out for 'on'. Returns 0, or -1 if the person was not
 * yet insured on that date (資格取得日 after 'on'); then *out holds panel (一) only. */
int card_build(const struct card_input *in, struct date on, struct card *out);

/* card_qualified - 資格 held on 'on': acquired on or before it and not lost (喪失日 is the first day without it) */
bool card_qualified(const struct insured *p, struct date on);
/* card_cert_prefer - whether certification c should replace *best (NULL: none yet) as the one in force on 'on': in
 * force, and, of two in force (区分変更 overlapping a period), the later start. The card and the statistics count alike. */
bool card_cert_prefer(const struct certification *c, const struct certification *best, struct date on);

#endif
