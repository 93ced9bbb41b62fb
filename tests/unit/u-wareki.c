/* u-wareki.c - 和暦 formatting and parsing, era boundaries (RULE-DATE-001). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "domain/wareki.h"

static const struct {
    struct date d;
    const char *lng, *shrt;
} fmt[] = {
    {{2019, 5, 1}, "令和元年5月1日", "R1.5.1"},
    {{2019, 4, 30}, "平成31年4月30日", "H31.4.30"},
    {{1989, 1, 8}, "平成元年1月8日", "H1.1.8"},
    {{1989, 1, 7}, "昭和64年1月7日", "S64.1.7"},
    {{1926, 12, 25}, "昭和元年12月25日", "S1.12.25"},
    {{1926, 12, 24}, "大正15年12月24日", "T15.12.24"},
    {{1912, 7, 30}, "大正元年7月30日", "T1.7.30"},
    {{1912, 7, 29}, "明治45年7月29日", "M45.7.29"},
    {{2024, 4, 1}, "令和6年4月1日", "R6.4.1"},
};

/* weekdays from the calendar (not from the code): 1970-01-01 a Thursday, the day before a Wednesday,
 * 2026-12-01 a Tuesday, 2000-02-29 a Tuesday, 2019-05-01 (令和元年) a Wednesday */
static void t_weekday(void **s)
{
    (void)s;
    assert_int_equal(date_weekday((struct date){1970, 1, 1}), 4);
    assert_int_equal(date_weekday((struct date){1969, 12, 31}), 3);
    assert_int_equal(date_weekday((struct date){2026, 12, 1}), 2);
    assert_int_equal(date_weekday((struct date){2000, 2, 29}), 2);
    assert_int_equal(date_weekday((struct date){2019, 5, 1}), 3);
}

static void t_format(void **s)
{
    (void)s;
    for (size_t i = 0; i < sizeof fmt / sizeof fmt[0]; i++) {
        struct buf b;
        buf_init(&b, 64);
        assert_int_equal(wareki_format(fmt[i].d, WAREKI_LONG, &b), 0);
        assert_string_equal(b.ptr, fmt[i].lng);
        buf_reset(&b);
        assert_int_equal(wareki_format(fmt[i].d, WAREKI_SHORT, &b), 0);
        assert_string_equal(b.ptr, fmt[i].shrt);
        buf_release(&b);
    }
    struct buf b;
    buf_init(&b, 64);
    assert_int_equal(wareki_format((struct date){1868, 1, 1}, WAREKI_LONG, &b), -1);
    buf_release(&b);
}

/* buf_addu: the digits wareki_format writes by hand (0, one digit, a carry, UINT_MAX) */
static void t_addu(void **s)
{
    (void)s;
    struct buf b;
    buf_init(&b, 64);
    buf_addu(&b, 0);
    buf_addc(&b, ' ');
    buf_addu(&b, 7);
    buf_addc(&b, ' ');
    buf_addu(&b, 10);
    buf_addc(&b, ' ');
    buf_addu(&b, 4294967295u);
    assert_string_equal(b.ptr, "0 7 10 4294967295");
    buf_release(&b);
    char small[4];
    buf_init_fixed(&b, small, sizeof small);
    buf_addu(&b, 1234); /* 4 digits do not fit 3 + NUL: the buffer fails, nothing half-written */
    assert_true(buf_failed(&b));
}

static const struct {
    const char *in;
    int ok;
    struct date d;
} parse[] = {
    {"令和6年4月1日", 1, {2024, 4, 1}},
    {"令和元年5月1日", 1, {2019, 5, 1}},
    {"R6.4.1", 1, {2024, 4, 1}},
    {"r06.04.01", 1, {2024, 4, 1}},
    {"R6/4/1", 1, {2024, 4, 1}},
    {"H31.4.30", 1, {2019, 4, 30}},
    {"Ｒ６．４．１", 1, {2024, 4, 1}}, /* full-width */
    {"昭和64年1月7日", 1, {1989, 1, 7}},
    {"S19.7.13", 1, {1944, 7, 13}},
    {"平成32年1月1日", 0, {0, 0, 0}}, /* 平成 ended in its 31st year */
    {"昭和65年1月1日", 0, {0, 0, 0}},
    {"H31.5.1", 0, {0, 0, 0}},       /* that day is 令和 */
    {"S64.1.8", 0, {0, 0, 0}},
    {"R1.4.30", 0, {0, 0, 0}},       /* before 令和 */
    {"R6.2.30", 0, {0, 0, 0}},
    {"R0.1.1", 0, {0, 0, 0}},
    {"X6.4.1", 0, {0, 0, 0}},
    {"R6.4.1x", 0, {0, 0, 0}},
    {"令和6年4月", 0, {0, 0, 0}},
    {"", 0, {0, 0, 0}},
};

static void t_parse(void **s)
{
    (void)s;
    for (size_t i = 0; i < sizeof parse / sizeof parse[0]; i++) {
        struct date d = {0, 0, 0};
        const char *why = NULL;
        int rc = wareki_parse(parse[i].in, strlen(parse[i].in), &d, &why);
        if ((rc == 0) != parse[i].ok)
            fail_msg("%s: expected %s", parse[i].in, parse[i].ok ? "ok" : "error");
        if (rc == 0)
            assert_int_equal(date_cmp(d, parse[i].d), 0);
        else
            assert_non_null(why);
    }
}

static void t_any(void **s)
{
    (void)s;
    struct date d;
    const char *why;
    assert_int_equal(date_parse_any("2024-04-01", 10, &d, &why), 0);
    assert_int_equal(date_parse_any("2024/04/01", 10, &d, &why), 0);
    assert_int_equal(date_parse_any("20240401", 8, &d, &why), 0);
    assert_int_equal(date_cmp(d, (struct date){2024, 4, 1}), 0);
    assert_int_equal(date_parse_any("2023-02-29", 10, &d, &why), -1);
    assert_int_equal(date_parse_any("2024-02-29", 10, &d, &why), 0);
}

static void t_dates(void **s)
{
    (void)s;
    /* serial round trip over a wide range */
    for (int32_t z = -800000; z < 3000000; z += 97)
        assert_int_equal(date_serial(date_from_serial(z)), z);
    assert_int_equal(date_serial((struct date){1970, 1, 1}), 0);
    struct date a = date_add_months((struct date){2024, 1, 31}, 1);
    assert_int_equal(date_cmp(a, (struct date){2024, 2, 29}), 0);
    /* 年齢計算ニ関スル法律: one turns 65 the day before the 65th birthday */
    assert_int_equal(date_age((struct date){1960, 4, 2}, (struct date){2025, 4, 1}), 65);
    assert_int_equal(date_age((struct date){1960, 4, 2}, (struct date){2025, 3, 31}), 64);
    assert_int_equal(date_fiscal_year((struct date){2025, 3, 31}), 2024);
    assert_int_equal(date_fiscal_year((struct date){2025, 4, 1}), 2025);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_weekday),
        cmocka_unit_test(t_format),
        cmocka_unit_test(t_addu),
        cmocka_unit_test(t_parse),
        cmocka_unit_test(t_any),
        cmocka_unit_test(t_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
