/*
 * burden.c - 負担割合 and 負担限度額.
 *
 * RULE-BURDEN-001 (法 第49条の2, 施行令 第22条の2; benefit-math.md §5.2):
 *   1 第2号 → 1割; 2 非課税 or 生活保護 → 1割;
 *   3 own income ≥ 220万 AND household 65+ (年金収入+その他) ≥ 340万 (single) / 463万 (2+) → 3割;
 *   4 own income ≥ 160万 AND household ≥ 280万 / 346万 → 2割; 5 otherwise 1割.
 *   The two conditions are AND. Period 8/1–7/31.
 * RULE-BURDEN-002 (補足給付, 法 第51条の3; benefit-math.md §6.2): stages 1–3②
 *   by 生活保護/老齢福祉年金, household non-taxation, 年金収入等 and savings.
 */
#include <stdio.h>
#include <string.h>

#include "domain/burden.h"
#include "domain/rates.h"
#include "util/banned.h"

static int get(const char *t, struct date on, long long *v)
{
    return rate_get(t, "-", on, v);
}

/* man_yen - yen as the notices write it: 2200000 → "220万円", 809000 → "80.9万円", 826500 →
 * "82.65万円" (thresholds are whole hundreds of yen or coarser). */
static void man_yen(long long yen, char *out, size_t cap)
{
    long long man = yen / 10000, rest = yen % 10000;
    if (!rest) {
        snprintf(out, cap, "%lld万円", man);
        return;
    }
    char frac[8];
    snprintf(frac, sizeof frac, "%04lld", rest);
    for (size_t n = strlen(frac); n > 0 && frac[n - 1] == '0'; n--)
        frac[n - 1] = '\0';
    snprintf(out, cap, "%lld.%s万円", man, frac);
}

/* The reasons name the thresholds of the dated table in force (issue #17: 「120万円」 was written
 * into the sentence); valid until the next decision in this thread. */
static _Thread_local char reason_buf[256];

/* tier - one tier's three thresholds on 'on': 1 in force (*inc, *hh set), 0 the tier does not exist
 * on that day (no own-income row: 2割 began 2015-08-01, 3割 2018-08-01), -1 the table is missing a
 * row of a tier that exists - never read as "not met", which would give a lower co-payment. */
static int tier(const char *inc_key, const char *hh_key, struct date on, long long *inc, long long *hh)
{
    if (get(inc_key, on, inc))
        return 0;
    return get(hh_key, on, hh) ? -1 : 1;
}

int burden_decide(const struct burden_input *in, struct date on, struct burden_result *out)
{
    long long base;
    if (get("burden_ratio_base", on, &base))
        return -1;
    if (in->dai2go) {
        *out = (struct burden_result){(int)base, 1, "第2号被保険者は1割です"};
        return 0;
    }
    if (in->hikazei || in->seiho) {
        *out = (struct burden_result){(int)base, 2, "市町村民税非課税または生活保護のため1割です"};
        return 0;
    }
    bool single = in->household_65plus <= 1;
    long long inc3, hh3, inc2, hh2;
    int t3 = tier("burden3_own_income", single ? "burden3_household_single" : "burden3_household_multi", on, &inc3, &hh3);
    int t2 = tier("burden2_own_income", single ? "burden2_household_single" : "burden2_household_multi", on, &inc2, &hh2);
    if (t3 < 0 || t2 < 0)
        return -1;
    char a[32], b[32];
    /* RULE-BURDEN-001 step 3: both conditions (AND) */
    if (t3 && in->own_income >= inc3 && in->household_income >= hh3) {
        man_yen(inc3, a, sizeof a);
        man_yen(hh3, b, sizeof b);
        snprintf(reason_buf, sizeof reason_buf, "合計所得金額が%s以上で、世帯の年金収入等が%s以上(%s)のため3割です", a, b,
                 single ? "単身" : "2人以上");
        *out = (struct burden_result){3, 3, reason_buf};
        return 0;
    }
    if (t2 && in->own_income >= inc2 && in->household_income >= hh2) {
        man_yen(inc2, a, sizeof a);
        man_yen(hh2, b, sizeof b);
        snprintf(reason_buf, sizeof reason_buf, "合計所得金額が%s以上で、世帯の年金収入等が%s以上(%s)のため2割です", a, b,
                 single ? "単身" : "2人以上");
        *out = (struct burden_result){2, 4, reason_buf};
        return 0;
    }
    *out = (struct burden_result){(int)base, 5, "2割・3割の基準に該当しないため1割です"};
    return 0;
}

void burden_period(struct date d, struct date *from, struct date *to)
{
    int y = d.m >= 8 ? d.y : d.y - 1;
    *from = (struct date){y, 8, 1};
    *to = (struct date){y + 1, 7, 31};
}

int burden_benefit_rate(int ratio)
{
    return 100 - 10 * ratio;
}

static const struct {
    enum limit_stage s;
    const char *name, *key, *alt;
} stages[] = {
    {STAGE_1, "第1段階", "1", "1"},      {STAGE_2, "第2段階", "2", "2"},
    {STAGE_3A, "第3段階①", "3a", "31"}, {STAGE_3B, "第3段階②", "3b", "32"},
    {STAGE_4, "第4段階", "4", "4"},
};

int limit_stage_parse(const char *s, size_t n, enum limit_stage *out)
{
    for (size_t i = 0; i < ARRAY_LEN(stages); i++) {
        const char *c[3] = {stages[i].name, stages[i].key, stages[i].alt};
        for (int k = 0; k < 3; k++)
            if (strlen(c[k]) == n && memcmp(c[k], s, n) == 0) {
                *out = stages[i].s;
                return 0;
            }
    }
    return -1;
}

const char *limit_stage_name(enum limit_stage s)
{
    for (size_t i = 0; i < ARRAY_LEN(stages); i++)
        if (stages[i].s == s)
            return stages[i].name;
    return "";
}

const char *limit_stage_key(enum limit_stage s)
{
    for (size_t i = 0; i < ARRAY_LEN(stages); i++)
        if (stages[i].s == s)
            return stages[i].key;
    return "";
}

static bool savings_ok(const struct limit_input *in, const char *stage_key, struct date on)
{
    long long cap;
    const char *key = in->dai2go ? "dai2go" : stage_key;
    if (rate_get(in->has_spouse ? "limit_savings_couple" : "limit_savings_single", key, on, &cap))
        return false;
    return in->savings <= cap;
}

int limit_stage_decide(const struct limit_input *in, struct date on, enum limit_stage *out,
                       const char **reason)
{
    long long t2, t3;
    if (get("limit_stage2_pension", on, &t2) || get("limit_stage3a_pension", on, &t3))
        return -1;
    if (in->seiho) {
        *out = STAGE_1;
        *reason = "生活保護受給者は第1段階です";
        return 0;
    }
    if (!in->household_hikazei) {
        *out = STAGE_4;
        *reason = "世帯に市町村民税課税者がいるため対象外(第4段階)です";
        return 0;
    }
    enum limit_stage s;
    if (in->rofuku_nenkin)
        s = STAGE_1;
    else if (in->pension_etc <= t2)
        s = STAGE_2;
    else if (in->pension_etc <= t3)
        s = STAGE_3A;
    else
        s = STAGE_3B;
    if (!savings_ok(in, limit_stage_key(s), on)) {
        *out = STAGE_4;
        *reason = "預貯金等が基準額を超えるため対象外(第4段階)です";
        return 0;
    }
    *out = s;
    char a[32];
    man_yen(s == STAGE_2 ? t2 : t3, a, sizeof a);
    if (s == STAGE_1)
        *reason = "老齢福祉年金受給者で世帯全員非課税のため第1段階です";
    else {
        snprintf(reason_buf, sizeof reason_buf, "世帯全員非課税で年金収入等が%s%sため%sです", a,
                 s == STAGE_3B ? "を超える" : "以下の", limit_stage_name(s));
        *reason = reason_buf;
    }
    return 0;
}

static const struct {
    const char *name, *key;
} items[LIMIT_ITEM_COUNT] = {
    [LIMIT_FOOD_FACILITY] = {"食費(施設)", "food_facility"},
    [LIMIT_FOOD_SHORT] = {"食費(短期入所)", "food_short"},
    [LIMIT_ROOM_UNIT_PRIVATE] = {"居住費 ユニット型個室", "room_unit_private"},
    [LIMIT_ROOM_UNIT_SEMI] = {"居住費 ユニット型個室的多床室", "room_unit_semi"},
    [LIMIT_ROOM_TRAD_TOKUYO] = {"居住費 従来型個室(特養等)", "room_trad_tokuyo"},
    [LIMIT_ROOM_TRAD_ROKEN] = {"居住費 従来型個室(老健・医療院等)", "room_trad_roken"},
    [LIMIT_ROOM_MULTI_TOKUYO] = {"居住費 多床室(特養等)", "room_multi_tokuyo"},
    [LIMIT_ROOM_MULTI_ROKEN] = {"居住費 多床室(老健・医療院等)", "room_multi_roken"},
    [LIMIT_ROOM_MULTI_ROKEN_FEE] = {"居住費 多床室(老健・医療院等、室料負担あり)", "room_multi_roken_fee"},
};

const char *limit_item_name(enum limit_item i)
{
    return items[i].name;
}

const char *limit_item_key(enum limit_item i)
{
    return items[i].key;
}

long long limit_daily(enum limit_item i, enum limit_stage s, struct date on)
{
    char key[64];
    const char *sk = s == STAGE_4 ? "base" : limit_stage_key(s);
    if (!*sk)
        return -1;
    size_t a = strlen(items[i].key), b = strlen(sk);
    if (a + b + 2 > sizeof key)
        return -1;
    memcpy(key, items[i].key, a);
    key[a] = '.';
    memcpy(key + a + 1, sk, b + 1);
    long long v;
    return rate_get("limit_daily", key, on, &v) ? -1 : v;
}
