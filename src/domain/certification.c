/*
 * certification.c - validity periods of 要介護認定.
 *
 * RULE-CERT-001 (施行規則 第38条): new certification: the rest of the
 *   application month plus 6 months (3–12 allowed); exactly N months if the
 *   application is on the 1st. Effective retroactively from the application date.
 * RULE-CERT-002 (法 第29条第2項, 施行規則 第38条): 区分変更: as for new (第52条 is 要支援's).
 * RULE-CERT-003 (施行規則 第41条): renewal: 12 months (3–36; 3–48 when the
 *   level is unchanged, applications from 2021-04-01), starting the day after expiry.
 * RULE-CERT-004: every 認定有効期間 ends on a month-end.
 * RULE-CERT-005 (法 第27条 第11項): decision within 30 days of application.
 * RULE-CERT-006 (施行規則 第39条): renewal filed from 60 days before expiry.
 * Month counts live in data/rates.tsv (cert_months_*).
 */
#include <stdio.h>
#include <string.h>

#include "domain/certification.h"
#include "domain/rates.h"
#include "util/banned.h"

static const struct {
    enum cert_kind k;
    const char *ja, *en, *key;
} kinds[] = {
    {CERT_NEW, "新規", "new", "new"},
    {CERT_CHANGE, "区分変更", "change", "change"},
    {CERT_RENEW, "更新", "renew", "renew"},
};

int cert_kind_parse(const char *s, size_t n, enum cert_kind *out)
{
    for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
        if ((strlen(kinds[i].ja) == n && memcmp(kinds[i].ja, s, n) == 0) ||
            (strlen(kinds[i].en) == n && memcmp(kinds[i].en, s, n) == 0)) {
            *out = kinds[i].k;
            return 0;
        }
    return -1;
}

const char *cert_kind_name(enum cert_kind k)
{
    for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
        if (kinds[i].k == k)
            return kinds[i].ja;
    return "";
}

int cert_range_for(enum cert_kind k, bool same_level, struct date applied, struct cert_range *out)
{
    const char *key = kinds[k].key;
    long long std, min, max;
    if (rate_get("cert_months_standard", key, applied, &std) ||
        rate_get("cert_months_min", key, applied, &min))
        return -1;
    const char *maxkey = (k == CERT_RENEW && same_level) ? "renew_same" : key;
    if (rate_get("cert_months_max", maxkey, applied, &max))
        return -1;
    out->standard = (int)std;
    out->min = (int)min;
    out->max = (int)max;
    return 0;
}

int cert_months(struct date from, struct date to)
{
    if (!date_is_month_end(to) || date_cmp(to, from) < 0)
        return -1;
    int span = (to.y * 12 + to.m) - (from.y * 12 + from.m);
    return from.d == 1 ? span + 1 : span;
}

/* range_why - the allowed range said for this kind of certification (issue #15): 「更新(同じ区分)の
 * 有効期間は3〜48か月です(60か月は認められません)」. The text lives per thread until the next call. */
static const char *range_why(enum cert_kind k, bool same_level, const struct cert_range *r, int months)
{
    static _Thread_local char msg[256];
    snprintf(msg, sizeof msg, "%s%sの有効期間は%d〜%dか月です(%dか月は認められません)", kinds[k].ja,
             k == CERT_RENEW ? (same_level ? "(同じ区分)" : "(区分が変わる場合)") : "", r->min, r->max, months);
    return msg;
}

int cert_period(enum cert_kind k, bool same_level, struct date applied, struct date prev_end,
                int months, struct date *from, struct date *to, const char **why)
{
    struct cert_range r;
    if (cert_range_for(k, same_level, applied, &r)) {
        *why = "申請日に適用される有効期間の規定がありません";
        return -1;
    }
    if (months < r.min || months > r.max) {
        *why = range_why(k, same_level, &r, months);
        return -1;
    }
    if (k == CERT_RENEW) {
        if (date_is_none(prev_end) || !date_is_month_end(prev_end)) {
            *why = "更新には前回の有効期間終了日(月末)が必要です";
            return -1;
        }
        if (date_cmp(applied, cert_renewal_opens(prev_end)) < 0) {
            *why = "更新申請は有効期間満了の60日前から受け付けます";
            return -1;
        }
        *from = date_add_days(prev_end, 1);
        *to = date_month_end(date_add_months(*from, months - 1));
        return 0;
    }
    *from = applied;
    *to = date_month_end(date_add_months(applied, applied.d == 1 ? months - 1 : months));
    return 0;
}

int cert_check_period(enum cert_kind k, bool same_level, struct date applied, struct date from,
                      struct date to, const char **why)
{
    struct cert_range r;
    if (date_cmp(to, from) < 0) {
        *why = "有効期間の終了日が開始日より前です";
        return -1;
    }
    if (!date_is_month_end(to)) {
        *why = "有効期間の終了日は月末でなければなりません";
        return -1;
    }
    if (cert_range_for(k, same_level, applied, &r)) {
        *why = "申請日に適用される有効期間の規定がありません";
        return -1;
    }
    int m = cert_months(from, to);
    if (m < r.min || m > r.max) {
        *why = range_why(k, same_level, &r, m);
        return -1;
    }
    if (k != CERT_RENEW && date_cmp(from, applied) != 0) {
        *why = "新規・区分変更の有効期間は申請日から始まります";
        return -1;
    }
    return 0;
}

struct date cert_decision_due(struct date applied)
{
    long long days;
    if (rate_get("cert_decision_days", "-", applied, &days))
        return DATE_NONE; /* before the Act (2000-04-01): no rule */
    return date_add_days(applied, (int)days);
}

struct date cert_renewal_opens(struct date prev_end)
{
    long long days;
    if (rate_get("cert_renew_window_days", "-", prev_end, &days))
        return DATE_NONE; /* before the Act: no rule */
    return date_add_days(prev_end, -(int)days);
}
