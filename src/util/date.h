/*
 * date.h - civil (proleptic Gregorian) dates without time zones.
 *
 * Dates in kaigo are calendar days in Japan (JST); no time-of-day is
 * involved in any insurance rule. A struct date is valid only if
 * date_valid() says so; the functions below assume valid input.
 */
#ifndef KAIGO_UTIL_DATE_H
#define KAIGO_UTIL_DATE_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/compiler.h"

struct date {
    int y, m, d;
};

#define DATE_NONE ((struct date){0, 0, 0})
#define DATE_ISO_LEN 10 /* "YYYY-MM-DD" */

bool date_is_none(struct date a);
bool date_valid(struct date a);
int date_days_in_month(int y, int m);
int date_cmp(struct date a, struct date b);
int32_t date_serial(struct date a);       /* days since 1970-01-01 */
struct date date_from_serial(int32_t days);
/* date_weekday - 0 Sunday … 6 Saturday */
int date_weekday(struct date a);
struct date date_add_days(struct date a, int days);
/* date_add_months - same day-of-month, clamped to the month's end. */
struct date date_add_months(struct date a, int months);
struct date date_month_end(struct date a);
bool date_is_month_end(struct date a);
int date_days_between(struct date from, struct date to); /* to - from */
/* date_age - full years of age on 'on' (民法: a year ends the day before the birthday). */
int date_age(struct date birth, struct date on);
/* Fiscal year (April–March) that contains a: 2025-03-31 → 2024. */
int date_fiscal_year(struct date a);

/* date_parse_iso - strict "YYYY-MM-DD"; returns 0 or -1 (message in *why). */
MUST_CHECK int date_parse_iso(const char *s, size_t n, struct date *out, const char **why);
/* date_iso - writes "YYYY-MM-DD" plus NUL into out (11 bytes). */
void date_iso(struct date a, char out[static 11]);
/* Instants are UTC milliseconds since the epoch. JST is UTC+9 without daylight saving. */
#define DATE_MS_PER_DAY 86400000LL
#define DATE_JST_OFFSET_MS (9LL * 3600 * 1000)
/* date_jst_ms - the instant 00:00 JST of a (a valid date). */
int64_t date_jst_ms(struct date a);
/* date_of_jst_ms - the JST calendar date of an instant. */
struct date date_of_jst_ms(int64_t ms);
/* clock_now_ms - the wall clock (CLOCK_REALTIME) in UTC milliseconds.
 * clock_shift_for_test - adds ms to every later reading, process-wide: the
 * fake clock of the tests that step it backwards (security.md P12). Never
 * called outside tests; there is no option or variable that reaches it. */
int64_t clock_now_ms(void);
void clock_shift_for_test(int64_t ms);

/* date_today - the current date in JST (UTC+9), or KAIGO_TODAY if set (tests). */
struct date date_today(void);

#endif
