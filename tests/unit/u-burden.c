/* u-burden.c - 負担割合 (RULE-BURDEN-001), 負担限度額 stages and daily limits, the rate table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "domain/burden.h"
#include "domain/rates.h"

#define D(y, m, d) {y, m, d}
#define DD(y, m, d) ((struct date){y, m, d})
#define MAN(x) ((long long)(x) * 10000LL)

static const struct {
    const char *name;
    struct burden_input in;
    struct date on;
    int ratio, step;
} cases[] = {
    {"第2号 always 1割", {true, false, false, MAN(900), MAN(900), 1}, D(2024, 8, 1), 1, 1},
    {"非課税 1割", {false, true, false, MAN(300), MAN(500), 1}, D(2024, 8, 1), 1, 2},
    {"生活保護 1割", {false, false, true, MAN(300), MAN(500), 1}, D(2024, 8, 1), 1, 2},
    {"3割 single at thresholds", {false, false, false, MAN(220), MAN(340), 1}, D(2024, 8, 1), 3, 3},
    {"3割 income but household 339.9万 single → 2割", {false, false, false, MAN(220), MAN(340) - 1, 1}, D(2024, 8, 1), 2, 4},
    {"3割 two persons at 463万", {false, false, false, MAN(220), MAN(463), 2}, D(2024, 8, 1), 3, 3},
    {"two persons 462.9万 → 2割", {false, false, false, MAN(220), MAN(463) - 1, 2}, D(2024, 8, 1), 2, 4},
    {"2割 single at 160/280", {false, false, false, MAN(160), MAN(280), 1}, D(2024, 8, 1), 2, 4},
    {"income 159.9万 → 1割", {false, false, false, MAN(160) - 1, MAN(500), 1}, D(2024, 8, 1), 1, 5},
    {"AND: income high, household low → 1割", {false, false, false, MAN(300), MAN(280) - 1, 1}, D(2024, 8, 1), 1, 5},
    {"2割 two persons 346万", {false, false, false, MAN(160), MAN(346), 3}, D(2024, 8, 1), 2, 4},
    {"before 3割 existed (2018-07) → 2割", {false, false, false, MAN(300), MAN(500), 1}, D(2018, 7, 31), 2, 4},
    {"before 2割 existed (2015-07) → 1割", {false, false, false, MAN(300), MAN(500), 1}, D(2015, 7, 31), 1, 5},
};

static void t_burden(void **s)
{
    (void)s;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct burden_result r;
        assert_int_equal(burden_decide(&cases[i].in, cases[i].on, &r), 0);
        if (r.ratio != cases[i].ratio || r.step != cases[i].step)
            fail_msg("%s: got %d割 (step %d)", cases[i].name, r.ratio, r.step);
        assert_non_null(r.reason);
    }
    assert_int_equal(burden_benefit_rate(1), 90);
    assert_int_equal(burden_benefit_rate(3), 70);
    struct date f, t;
    burden_period(DD(2026, 7, 31), &f, &t);
    assert_int_equal(date_cmp(f, DD(2025, 8, 1)), 0);
    assert_int_equal(date_cmp(t, DD(2026, 7, 31)), 0);
    burden_period(DD(2026, 8, 1), &f, &t);
    assert_int_equal(date_cmp(f, DD(2026, 8, 1)), 0);
    assert_int_equal(date_cmp(t, DD(2027, 7, 31)), 0);
}

static void t_stage(void **s)
{
    (void)s;
    static const struct {
        const char *name;
        struct limit_input in;
        struct date on;
        enum limit_stage want;
    } t[] = {
        {"生活保護", {true, false, true, false, false, 0, MAN(5000)}, D(2025, 8, 1), STAGE_1},
        {"課税世帯", {false, false, false, false, false, 0, 0}, D(2025, 8, 1), STAGE_4},
        {"老齢福祉年金", {false, true, true, false, false, MAN(50), MAN(100)}, D(2025, 8, 1), STAGE_1},
        /* issue #17 §0: 80万円 until 2025-07-31 (benefit-math.md §6.1: the municipal pages' 80万円), 80.9万 from 2025-08-01 */
        {"2025-07: 80万 → 第2段階", {false, false, true, false, false, 800000, MAN(100)}, D(2025, 7, 31), STAGE_2},
        {"2025-07: 80万+1 → 第3段階①", {false, false, true, false, false, 800001, MAN(100)}, D(2025, 7, 31), STAGE_3A},
        {"80.9万 → 第2段階", {false, false, true, false, false, 809000, MAN(100)}, D(2025, 8, 1), STAGE_2},
        {"80.9万+1 → 第3段階①", {false, false, true, false, false, 809001, MAN(100)}, D(2025, 8, 1), STAGE_3A},
        {"from 2026-08 threshold 82.65万", {false, false, true, false, false, 826500, MAN(100)}, D(2026, 8, 1), STAGE_2},
        {"120万 → ①", {false, false, true, false, false, MAN(120), MAN(100)}, D(2025, 8, 1), STAGE_3A},
        {"120万+1 → ②", {false, false, true, false, false, MAN(120) + 1, MAN(100)}, D(2025, 8, 1), STAGE_3B},
        {"savings over 650万 single → 対象外", {false, false, true, false, false, 500000, MAN(650) + 1}, D(2025, 8, 1), STAGE_4},
        {"couple 1650万 ok", {false, false, true, false, true, 500000, MAN(1650)}, D(2025, 8, 1), STAGE_2},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        enum limit_stage st;
        const char *why;
        assert_int_equal(limit_stage_decide(&t[i].in, t[i].on, &st, &why), 0);
        if (st != t[i].want)
            fail_msg("%s: got %s", t[i].name, limit_stage_name(st));
    }
    /* the reasons name the threshold of the table in force, not a number written into the sentence */
    static const struct {
        long long pension;
        struct date on;
        const char *says;
    } r[] = {
        {800000, {2025, 7, 31}, "年金収入等が80万円以下のため第2段階です"},
        {809000, {2025, 8, 1}, "年金収入等が80.9万円以下のため第2段階です"},
        {826500, {2026, 8, 1}, "年金収入等が82.65万円以下のため第2段階です"},
        {MAN(120), {2025, 8, 1}, "年金収入等が120万円以下のため第3段階①です"},
        {MAN(120) + 1, {2025, 8, 1}, "年金収入等が120万円を超えるため第3段階②です"},
    };
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
        struct limit_input in = {false, false, true, false, false, r[i].pension, MAN(100)};
        enum limit_stage st;
        const char *why;
        assert_int_equal(limit_stage_decide(&in, r[i].on, &st, &why), 0);
        if (!strstr(why, r[i].says))
            fail_msg("row %zu: %s", i, why);
    }
}

/* A tier that exists on a date has all its rows on that date: burden_decide fails on a missing row
 * instead of reading it as "not met" (a lower co-payment). The data is checked day by day over the
 * tiers' whole span. */
static void t_tier_rows(void **s)
{
    (void)s;
    static const char *const tiers[][3] = {
        {"burden2_own_income", "burden2_household_single", "burden2_household_multi"},
        {"burden3_own_income", "burden3_household_single", "burden3_household_multi"},
    };
    for (struct date d = DD(2014, 1, 1); date_cmp(d, DD(2032, 12, 31)) <= 0; d = date_add_days(d, 1))
        for (size_t t = 0; t < 2; t++) {
            long long v;
            if (rate_get(tiers[t][0], "-", d, &v))
                continue;
            if (rate_get(tiers[t][1], "-", d, &v) || rate_get(tiers[t][2], "-", d, &v))
                fail_msg("%s in force on %d-%02d-%02d without its household rows", tiers[t][0], d.y, d.m, d.d);
        }
    /* and the reason names them */
    struct burden_input in = {false, false, false, MAN(220), MAN(340), 1};
    struct burden_result r;
    assert_int_equal(burden_decide(&in, DD(2024, 8, 1), &r), 0);
    assert_non_null(strstr(r.reason, "220万円以上"));
    assert_non_null(strstr(r.reason, "340万円以上(単身)"));
}

static void t_daily(void **s)
{
    (void)s;
    /* benefit-math.md §6.2, 2024-08-01 .. 2026-07-31 */
    assert_int_equal(limit_daily(LIMIT_FOOD_FACILITY, STAGE_1, DD(2025, 1, 1)), 300);
    assert_int_equal(limit_daily(LIMIT_FOOD_FACILITY, STAGE_3B, DD(2025, 1, 1)), 1360);
    assert_int_equal(limit_daily(LIMIT_FOOD_SHORT, STAGE_3A, DD(2025, 1, 1)), 1000);
    assert_int_equal(limit_daily(LIMIT_ROOM_MULTI_TOKUYO, STAGE_1, DD(2025, 1, 1)), 0);
    assert_int_equal(limit_daily(LIMIT_ROOM_UNIT_PRIVATE, STAGE_4, DD(2025, 1, 1)), 2066);
    assert_int_equal(limit_daily(LIMIT_FOOD_FACILITY, STAGE_4, DD(2025, 1, 1)), 1445);
    /* from 2026-08-01 */
    assert_int_equal(limit_daily(LIMIT_FOOD_FACILITY, STAGE_3B, DD(2026, 8, 1)), 1420);
    assert_int_equal(limit_daily(LIMIT_FOOD_FACILITY, STAGE_3B, DD(2026, 7, 31)), 1360);
    assert_int_equal(limit_daily(LIMIT_ROOM_UNIT_PRIVATE, STAGE_3B, DD(2026, 8, 1)), 1470);
    assert_int_equal(limit_daily(LIMIT_FOOD_FACILITY, STAGE_4, DD(2026, 8, 1)), 1545);
    assert_int_equal(limit_daily(LIMIT_FOOD_FACILITY, STAGE_2, DD(2026, 8, 1)), 390);
    /* 老健・医療院の多床室 (issue #17 §0; benefit-math.md §6.2 "no room fee" 437 / "room fee charged" 697;
     * the room fee from 2025-08-01, 室料相当額控除 of the 令和6年度改定): 437 for all until 2025-07-31 */
    assert_int_equal(limit_daily(LIMIT_ROOM_MULTI_ROKEN, STAGE_4, DD(2024, 8, 1)), 437);
    assert_int_equal(limit_daily(LIMIT_ROOM_MULTI_ROKEN, STAGE_4, DD(2025, 7, 31)), 437);
    assert_int_equal(limit_daily(LIMIT_ROOM_MULTI_ROKEN_FEE, STAGE_4, DD(2025, 7, 31)), -1);
    assert_int_equal(limit_daily(LIMIT_ROOM_MULTI_ROKEN_FEE, STAGE_4, DD(2025, 8, 1)), 697);
    assert_int_equal(limit_daily(LIMIT_ROOM_MULTI_ROKEN, STAGE_4, DD(2025, 8, 1)), 437);
    assert_int_equal(limit_daily(LIMIT_ROOM_MULTI_ROKEN_FEE, STAGE_2, DD(2025, 8, 1)), 430);
    /* from 2026-08 第3段階② +100, except the 多床室 without a room fee (benefit-math.md §6.2) */
    assert_int_equal(limit_daily(LIMIT_ROOM_MULTI_ROKEN_FEE, STAGE_3B, DD(2026, 8, 1)), 530);
    assert_int_equal(limit_daily(LIMIT_ROOM_MULTI_ROKEN, STAGE_3B, DD(2026, 8, 1)), 430);
    assert_int_equal(limit_daily(LIMIT_ROOM_MULTI_TOKUYO, STAGE_3B, DD(2026, 8, 1)), 530);
    /* no table before 2024-08 */
    assert_int_equal(limit_daily(LIMIT_FOOD_FACILITY, STAGE_1, DD(2024, 7, 31)), -1);
}

/* The dated table itself: rows well-formed and no two rows of one key overlap. */
static void t_table(void **s)
{
    (void)s;
    assert_true(rate_rows_len > 50);
    for (unsigned i = 0; i < rate_rows_len; i++) {
        const struct rate_row *a = &rate_rows[i];
        assert_true(date_valid(a->from) && date_valid(a->to));
        assert_true(date_cmp(a->from, a->to) <= 0);
        for (unsigned j = i + 1; j < rate_rows_len; j++) {
            const struct rate_row *b = &rate_rows[j];
            if (strcmp(a->table, b->table) || strcmp(a->key, b->key))
                continue;
            if (date_cmp(a->from, b->to) <= 0 && date_cmp(b->from, a->to) <= 0)
                fail_msg("overlap: %s/%s rows %u and %u", a->table, a->key, i, j);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_burden), cmocka_unit_test(t_stage), cmocka_unit_test(t_tier_rows), cmocka_unit_test(t_daily),
        cmocka_unit_test(t_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
