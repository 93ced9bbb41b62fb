/* u-numbers.c - check digits of 保険者番号, 事業所番号, 被保険者番号 (platform.md §4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "domain/numbers.h"

static const struct {
    const char *no;
    int ok;
} insurers[] = {
    {"122192", 1}, /* 市原市 JIS 12219 */
    {"122069", 1}, /* 木更津市 12206 */
    {"121012", 1}, /* 千葉市中央区 12101 (per ward) */
    {"271007", 1}, /* 大阪市 27100, worked example */
    {"271004", 0}, /* the mod-11 LG code of 大阪市: not an insurer number */
    {"122193", 0}, /* wrong check digit */
    {"12219", 0},  /* too short */
    {"1221922", 0},
    {"12219A", 0},
    {"002192", 0}, /* prefecture 00 */
    {"482190", 0}, /* prefecture 48 */
};

static void t_insurer(void **s)
{
    (void)s;
    for (size_t i = 0; i < sizeof insurers / sizeof insurers[0]; i++) {
        const char *why = NULL;
        int rc = insurer_no_check(insurers[i].no, strlen(insurers[i].no), &why);
        if ((rc == 0) != insurers[i].ok)
            fail_msg("%s: expected %s", insurers[i].no, insurers[i].ok ? "valid" : "invalid");
        if (rc)
            assert_non_null(why);
    }
    assert_int_equal(insurer_no_digit("27100"), 7);
    assert_int_equal(insurer_no_digit("2710X"), -1);
}

static void t_provider(void **s)
{
    (void)s;
    char buf[11];
    enum provider_rule rule;
    const char *why;
    /* Check digits worked by hand here (derived vectors, not from a published list): from the
     * right, weights 2,1,2,…; a product's digits are summed; check = (10 − sum mod 10) mod 10.
     * Never computed with provider_no_digit, the function under test. */
    static const struct {
        const char *no;
        const char *work;
    } good[] = {
        /* 6·… from the right: 1·2=2, 0, 0, 0, 1·2=2, 0, 7·2=14→5, 3, 1·2=2 → 14 → 6 */
        {"1370100016", "137010001"},
        /* 6·2=12→3, 0, 0, 0, 0, 0, 9·2=18→9, 7, 2·2=4 → 23 → 7 */
        {"2790000067", "279000006"},
        /* kaigo's demo 居宅介護支援事業所: 1·2=2, 0, 0, 0, 1·2=2, 0, 7·2=14→5, 2, 1·2=2 → 13 → 7 */
        {"1270100017", "127010001"},
        /* 4·2=8, 3, 0, 0, 2·2=4, 1, A=10·2=20→2, 1, 0 → 19 → 1 */
        {"01A1200341", "01A120034"},
    };
    for (size_t b = 0; b < sizeof good / sizeof good[0]; b++) {
        memcpy(buf, good[b].no, 11);
        assert_int_equal(provider_no_check(buf, 10, &rule, &why), 0);
        assert_int_equal(rule, PROVIDER_RULE_GENERAL);
        for (int d = 1; d < 10; d++) { /* every other digit in the check position is refused */
            buf[9] = (char)('0' + (good[b].no[9] - '0' + d) % 10);
            if (provider_no_check(buf, 10, &rule, &why) != -1)
                fail_msg("%s accepted with check digit %c", good[b].work, buf[9]);
        }
    }
    /* Letter value: A=10 at weight 2 → 20 → digits 2+0. 0 1 A 1 2 0 0 3 4:
     * from the right weights 2,1,2,1,2,1,2,1,2 → 4·2=8, 3·1=3, 0, 0, 2·2=4, 1·1=1, A(10)·2=20→2, 1·1=1, 0·2=0
     * sum 19 → check 1. */
    assert_int_equal(provider_no_digit("01A120034", PROVIDER_RULE_GENERAL), 1);
    /* I, O, Q are not used; lower case is not allowed */
    assert_int_equal(provider_no_check("01I1200341", 10, &rule, &why), -1);
    assert_int_equal(provider_no_check("01a1200341", 10, &rule, &why), -1);
    /* letters only in position 3 */
    assert_int_equal(provider_no_check("0A71200341", 10, &rule, &why), -1);
    /* medical class 1: check over 郡市区+番号 (positions 4-9) */
    int mcd = provider_no_digit("131234567", PROVIDER_RULE_MEDICAL);
    /* 2,3,4,5,6,7 from the right weights 2,1,..: 7·2=14→5, 6, 5·2=10→1, 4, 3·2=6, 2 → 24 → 6 */
    assert_int_equal(mcd, 6);
    assert_int_equal(provider_no_check("1312345676", 10, &rule, &why), 0);
    assert_int_equal(rule, PROVIDER_RULE_MEDICAL);
    assert_int_equal(provider_no_check("1312345670", 10, &rule, &why), -1);
    assert_int_equal(provider_no_check("137010001", 9, &rule, &why), -1);
}

static void t_insured(void **s)
{
    (void)s;
    const char *why;
    assert_int_equal(insured_no_check("0000012345", 10, &why), 0);
    assert_int_equal(insured_no_check("H123456789", 10, &why), 0);
    assert_int_equal(insured_no_check("000001234", 9, &why), -1);
    assert_int_equal(insured_no_check("00000 1234", 10, &why), -1);
    assert_int_equal(insured_no_check("000001234a", 10, &why), -1);
    assert_int_equal(insured_no_check_seiho("H123456789", 10, &why), 0);
    assert_int_equal(insured_no_check_seiho("H12345678A", 10, &why), -1);
    assert_int_equal(insured_no_check_seiho("1123456789", 10, &why), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_insurer),
        cmocka_unit_test(t_provider),
        cmocka_unit_test(t_insured),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
