/* u-caseload.c - 取扱件数, the 逓減制 tiers of 居宅介護支援費, the staffing standard
 * and the monitoring schedule (RULE-CM-001..003). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "domain/caseload.h"

#define DD(y, m, d) ((struct date){y, m, d})

static struct cl_case cases[300];

static size_t fill(int care, int support, bool support_first, enum care_level level)
{
    size_t n = 0;
    for (int i = 0; i < care + support; i++) {
        struct cl_case *c = &cases[n++];
        memset(c, 0, sizeof *c);
        bool sup = support_first ? i < support : i >= care;
        snprintf(c->id, sizeof c->id, "c%03d", i);
        c->level = sup ? LEVEL_SHIEN1 : level;
        c->contract = date_add_days(DD(2020, 1, 1), i); /* contract order = input order */
        c->last_home = DD(2026, 4, 2);
    }
    return n;
}

static void t_tiers(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int care, support;
        bool support_first;
        int fte_x100;
        bool fee2;
        long long t1, t2, t3, units;
        bool over;
    } t[] = {
        /* 令和6年度介護報酬改定に関するQ&A(Vol.1) 問114 (厚生労働省 事務連絡 2024-03-15), its two worked examples:
         * 【例1】80 cases at 1.6: 45 × 1.6 = 72, 72 - 1 = 71 → cases 1-71 (ⅰ), 72-80 (ⅱ) */
        {"問114 例1: 80 cases, 1.6 FTE", 80, 0, false, 160, false, 71, 9, 0, 71 * 1086 + 9 * 544, true},
        /* 【例2】160 cases at 2.5: 112.5 → 112 (端数切捨て) (ⅰ); 60 × 2.5 = 150, 150 - 1 = 149 → 113-149 (ⅱ),
         * 150-160 (ⅲ) */
        {"問114 例2: 160 cases, 2.5 FTE", 160, 0, false, 250, false, 112, 37, 11, 112 * 1086 + 37 * 544 + 11 * 326, true},
        /* derived here from the same rule (k < 45 × FTE, k < 60 × FTE), not from a source's worked example: */
        {"50 要介護1, 1.0 FTE, (Ⅰ)", 50, 0, false, 100, false, 44, 6, 0, 44 * 1086 + 6 * 544, true},
        {"(Ⅱ) moves the boundary to 50", 50, 0, false, 100, true, 49, 1, 0, 49 * 1086 + 527, true},
        {"65 cases: from the 60th (ⅲ)", 65, 0, false, 100, false, 44, 15, 6, 44 * 1086 + 15 * 544 + 6 * 326, true},
        /* 6 要支援 first weigh 2 (1/3 each): the j-th 要介護 case is case 2 + j, (ⅰ) while 2 + j < 45 */
        {"要支援 weigh 1/3 in contract order", 44, 6, true, 100, false, 42, 2, 0, 42 * 1086 + 2 * 544, true},
        {"44 cases: within the standard", 44, 0, false, 100, false, 44, 0, 0, 44 * 1086, false},
        {"45 cases: the 45th is (ⅱ)", 45, 0, false, 100, false, 44, 1, 0, 44 * 1086 + 544, true},
        {"45 with (Ⅱ): within 49", 45, 0, false, 100, true, 45, 0, 0, 45 * 1086, false},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        size_t n = fill(t[i].care, t[i].support, t[i].support_first, LEVEL_KAIGO1);
        struct cl_result r;
        const char *why;
        assert_int_equal(caseload_compute(cases, n, t[i].fte_x100, t[i].fee2, DD(2026, 4, 1), &r, &why), 0);
        if (r.tier_cases[1] != t[i].t1 || r.tier_cases[2] != t[i].t2 || r.tier_cases[3] != t[i].t3 ||
            r.units != t[i].units || r.over_standard != t[i].over)
            fail_msg("%s: tiers %lld/%lld/%lld units %lld over %d", t[i].name, r.tier_cases[1], r.tier_cases[2],
                     r.tier_cases[3], r.units, r.over_standard);
        assert_int_equal(r.care, t[i].care);
        assert_int_equal(r.support, t[i].support);
    }
}

static void t_levels_and_dates(void **state)
{
    (void)state;
    size_t n = fill(2, 0, false, LEVEL_KAIGO3);
    struct cl_result r;
    const char *why;
    assert_int_equal(caseload_compute(cases, n, 100, false, DD(2026, 4, 1), &r, &why), 0);
    assert_int_equal(r.units, 2 * 1411); /* 要介護3–5 */
    assert_int_equal(r.shien_den, 3);
    /* before the 2024 revision the tiers are not modelled; 1/2 weighting is data */
    assert_int_equal(caseload_compute(cases, n, 100, false, DD(2024, 3, 1), &r, &why), -1);
    assert_non_null(strstr(why, "令和6年4月"));
    assert_int_equal(caseload_compute(cases, n, 0, false, DD(2026, 4, 1), &r, &why), -1);
    cases[0].level = LEVEL_HIGAITO;
    assert_int_equal(caseload_compute(cases, n, 100, false, DD(2026, 4, 1), &r, &why), -1);
}

/* RULE-CM-004: 介護予防ケアマネジメント (事業対象者; 要支援 marked yobo_cm) is not 指定介護予防支援 and is not
 * counted - the text of 人員基準 第2条 and the 告示 names only 指定介護予防支援 (vector DERIVED from that text) */
static void t_yobo_cm(void **state)
{
    (void)state;
    size_t n = fill(44, 3, false, LEVEL_KAIGO1); /* 44 要介護 + 3 要支援 = 45 at 1.0: over the standard */
    struct cl_result r;
    const char *why;
    assert_int_equal(caseload_compute(cases, n, 100, false, DD(2026, 4, 1), &r, &why), 0);
    assert_int_equal(r.count_x6, 45 * 6);
    assert_true(r.over_standard);
    assert_int_equal(r.tier_cases[2], 0);
    for (size_t i = 44; i < n; i++) /* the three are 事業対象者: none counted */
        cases[i].level = LEVEL_JIGYO;
    assert_int_equal(caseload_compute(cases, n, 100, false, DD(2026, 4, 1), &r, &why), 0);
    assert_int_equal(r.count_x6, 44 * 6);
    assert_int_equal(r.support, 0);
    assert_int_equal(r.yobo_cm, 3);
    assert_false(r.over_standard);
    n = fill(44, 3, true, LEVEL_KAIGO1); /* 要支援 first: 44 + 1 = 45 → the last 要介護 case is k = 45: (ⅱ) */
    assert_int_equal(caseload_compute(cases, n, 100, false, DD(2026, 4, 1), &r, &why), 0);
    assert_int_equal(r.tier_cases[2], 1);
    for (size_t i = 0; i < n; i++)
        cases[i].yobo_cm = cases[i].level == LEVEL_SHIEN1; /* 介護予防ケアマネジメント for those 要支援 */
    assert_int_equal(caseload_compute(cases, n, 100, false, DD(2026, 4, 1), &r, &why), 0);
    assert_int_equal(r.tier_cases[2], 0);
    assert_int_equal(r.tier_cases[1], 44);
    assert_int_equal(r.yobo_cm, 3);
    for (size_t i = 0; i < n; i++)
        cases[i].yobo_cm = false;
}

static void t_monitoring(void **state)
{
    (void)state;
    static const struct {
        enum care_level level;
        struct date last;
        bool video;
        struct date month, due;
        bool overdue;
    } t[] = {
        {LEVEL_KAIGO2, {2026, 3, 15}, false, {2026, 4, 1}, {2026, 4, 30}, false},
        {LEVEL_KAIGO2, {2026, 3, 15}, false, {2026, 5, 1}, {2026, 4, 30}, true},
        {LEVEL_KAIGO2, {2026, 3, 15}, true, {2026, 5, 1}, {2026, 5, 31}, false}, /* video: every 2 months */
        {LEVEL_KAIGO2, {2026, 3, 15}, true, {2026, 6, 1}, {2026, 5, 31}, true},
        {LEVEL_SHIEN2, {2026, 1, 10}, false, {2026, 4, 1}, {2026, 4, 30}, false},  /* 要支援: 3 months */
        {LEVEL_SHIEN2, {2026, 1, 10}, true, {2026, 6, 1}, {2026, 7, 31}, false},   /* with video: 6 */
        {LEVEL_KAIGO1, {0, 0, 0}, false, {2026, 4, 1}, {2026, 4, 30}, false},      /* never: this month */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct cl_case c;
        memset(&c, 0, sizeof c);
        snprintf(c.id, sizeof c.id, "m%zu", i);
        c.level = t[i].level;
        c.contract = DD(2025, 1, 1);
        c.last_home = t[i].last;
        c.video_ok = t[i].video;
        struct cl_result r;
        const char *why;
        assert_int_equal(caseload_compute(&c, 1, 100, false, t[i].month, &r, &why), 0);
        if (date_cmp(c.home_due, t[i].due) || c.overdue != t[i].overdue)
            fail_msg("row %zu: due %d-%d-%d overdue %d", i, c.home_due.y, c.home_due.m, c.home_due.d, c.overdue);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(t_tiers), cmocka_unit_test(t_levels_and_dates),
                                       cmocka_unit_test(t_monitoring), cmocka_unit_test(t_yobo_cm)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
