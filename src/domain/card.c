/*
 * card.c - assemble the 被保険者証 for a date.
 *
 * RULE-CARD-001: the card has no validity of its own (platform.md §3.1); it
 *   shows the certification in force on the date, or the latest one that has
 *   ended if none is in force (as a paper card keeps its last entry).
 * RULE-CARD-002: 区分支給限度基準額 is the one in force on the date for the level.
 * RULE-CARD-003: (三) shows the 給付制限 in force, the current 居宅サービス計画作成
 *   依頼届出 (自己作成 included) and facility stays not yet ended before the date.
 */
#include <string.h>

#include "domain/card.h"
#include "util/banned.h"

static bool in_force(struct date from, struct date to, struct date on)
{
    return date_cmp(from, on) <= 0 && (date_is_none(to) || date_cmp(on, to) <= 0);
}

bool card_qualified(const struct insured *p, struct date on)
{
    return in_force(p->acquired, p->lost, on) && (date_is_none(p->lost) || date_cmp(on, p->lost) < 0);
}

bool card_cert_prefer(const struct certification *c, const struct certification *best, struct date on)
{
    return in_force(c->valid_from, c->valid_to, on) &&
           (!best || !in_force(best->valid_from, best->valid_to, on) || date_cmp(c->valid_from, best->valid_from) > 0);
}

int card_build(const struct card_input *in, struct date on, struct card *out)
{
    memset(out, 0, sizeof *out);
    out->on = on;
    out->person = *in->person;
    if (in->insurer)
        out->insurer = *in->insurer;
    out->kubun_limit = -1;
    for (int i = 0; i < LIMIT_ITEM_COUNT; i++)
        out->limit_daily[i] = -1;
    out->qualified = card_qualified(in->person, on);
    /* 法 第9条: 65歳以上 = 第1号; 40–64 = 第2号 */
    out->dai1 = date_age(in->person->birth, on) >= 65;
    if (date_cmp(on, in->person->acquired) < 0)
        return -1;

    /* (二): the certification in force; else the latest ended before 'on' */
    const struct certification *best = NULL;
    for (size_t i = 0; i < in->ncerts; i++) {
        const struct certification *c = &in->certs[i];
        if (in_force(c->valid_from, c->valid_to, on)) {
            if (card_cert_prefer(c, best, on))
                best = c;
        } else if (date_cmp(c->valid_to, on) < 0 &&
                   (!best || (!in_force(best->valid_from, best->valid_to, on) &&
                              date_cmp(c->valid_to, best->valid_to) > 0)))
            best = c;
    }
    if (best) {
        out->has_cert = true;
        out->cert = *best;
        if (in_force(best->valid_from, best->valid_to, on))
            out->kubun_limit = level_kubun_limit(best->level, on);
    }

    /* 申請中 (介護保険法 第27条; 資格者証 while the application is pending) */
    if (!date_is_none(in->pending_applied) && date_cmp(in->pending_applied, on) <= 0) {
        out->pending = true;
        out->pending_kind = in->pending_kind;
        out->pending_applied = in->pending_applied;
        if (!date_is_none(in->shikakusha) && date_cmp(in->shikakusha, on) <= 0) {
            out->shikakusha = true;
            out->shikakusha_issued = in->shikakusha;
        }
    }

    /* (三) */
    for (size_t i = 0; i < in->nrestrictions && out->nrestrictions < ARRAY_LEN(out->restrictions);
         i++)
        if (in_force(in->restrictions[i].valid_from, in->restrictions[i].valid_to, on))
            out->restrictions[out->nrestrictions++] = in->restrictions[i];
    for (size_t i = 0; i < in->nplans; i++) {
        const struct plan_notice *p = &in->plans[i];
        if (in_force(p->notified, p->ended, on) &&
            (!out->has_plan || date_cmp(p->notified, out->plan.notified) > 0)) {
            out->has_plan = true;
            out->plan = *p;
        }
    }
    for (size_t i = 0; i < in->nstays && out->nstays < ARRAY_LEN(out->stays); i++)
        if (date_cmp(in->stays[i].admitted, on) <= 0)
            out->stays[out->nstays++] = in->stays[i];

    /* 負担割合証 and 負担限度額認定証: the one whose period contains 'on' */
    for (size_t i = 0; i < in->nburdens; i++)
        if (in_force(in->burdens[i].valid_from, in->burdens[i].valid_to, on)) {
            out->has_burden = true;
            out->burden = in->burdens[i];
        }
    for (size_t i = 0; i < in->nlimits; i++)
        if (in_force(in->limits[i].valid_from, in->limits[i].valid_to, on)) {
            out->has_limit = true;
            out->limit = in->limits[i];
        }
    if (out->has_limit)
        for (int i = 0; i < LIMIT_ITEM_COUNT; i++)
            out->limit_daily[i] = limit_daily((enum limit_item)i, out->limit.stage, on);
    return 0;
}

const char *sex_name(enum sex s)
{
    return s == SEX_MALE ? "男" : s == SEX_FEMALE ? "女" : "";
}

const char *restriction_name(enum restriction_kind k)
{
    switch (k) {
    case RESTRICT_PAYMENT_METHOD:
        return "支払方法変更";
    case RESTRICT_REDUCTION:
        return "給付額減額";
    case RESTRICT_SUSPENSION:
        return "保険給付の一時差止";
    }
    return "";
}
