/* date.c - see date.h. Serial conversion after H. Hinnant's civil algorithms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/date.h"
#include "util/hooks.h"
#include "util/banned.h"

bool date_is_none(struct date a)
{
    return a.y == 0 && a.m == 0 && a.d == 0;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return m == 2 && leap(y) ? 29 : dm[m - 1];
}

bool date_valid(struct date a)
{
    return a.y >= 1 && a.y <= 9999 && a.m >= 1 && a.m <= 12 && a.d >= 1 &&
           a.d <= date_days_in_month(a.y, a.m);
}

int date_cmp(struct date a, struct date b)
{
    if (a.y != b.y)
        return a.y < b.y ? -1 : 1;
    if (a.m != b.m)
        return a.m < b.m ? -1 : 1;
    if (a.d != b.d)
        return a.d < b.d ? -1 : 1;
    return 0;
}

int32_t date_serial(struct date a)
{
    int y = a.y - (a.m <= 2);
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int mp = (a.m + 9) % 12;
    int doy = (153 * mp + 2) / 5 + a.d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct date date_from_serial(int32_t z)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int y = yoe + era * 400;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int d = doy - (153 * mp + 2) / 5 + 1;
    int m = mp < 10 ? mp + 3 : mp - 9;
    return (struct date){y + (m <= 2), m, d};
}

struct date date_add_days(struct date a, int days)
{
    return date_from_serial(date_serial(a) + days);
}

struct date date_add_months(struct date a, int months)
{
    int idx = a.y * 12 + (a.m - 1) + months;
    struct date r = {idx / 12, idx % 12 + 1, a.d};
    int dim = date_days_in_month(r.y, r.m);
    if (r.d > dim)
        r.d = dim;
    return r;
}

struct date date_month_end(struct date a)
{
    return (struct date){a.y, a.m, date_days_in_month(a.y, a.m)};
}

bool date_is_month_end(struct date a)
{
    return a.d == date_days_in_month(a.y, a.m);
}

int date_days_between(struct date from, struct date to)
{
    return (int)(date_serial(to) - date_serial(from));
}

int date_age(struct date birth, struct date on)
{
    /* 年齢計算ニ関スル法律: age increases at the end of the day before the birthday. */
    struct date eve = date_add_days(on, 1);
    int age = eve.y - birth.y;
    if (eve.m < birth.m || (eve.m == birth.m && eve.d < birth.d))
        age--;
    return age;
}

int date_fiscal_year(struct date a)
{
    return a.m >= 4 ? a.y : a.y - 1;
}

static int digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int date_parse_iso(const char *s, size_t n, struct date *out, const char **why)
{
    struct date d;
    if (n != 10 || s[4] != '-' || s[7] != '-' || digits(s, 4, &d.y) || digits(s + 5, 2, &d.m) ||
        digits(s + 8, 2, &d.d)) {
        *why = "日付はYYYY-MM-DD形式で指定してください";
        return -1;
    }
    if (!date_valid(d)) {
        *why = "存在しない日付です";
        return -1;
    }
    *out = d;
    return 0;
}

void date_iso(struct date a, char out[static 11])
{
    /* by hand: this is on the import and API hot paths */
    unsigned y = (unsigned)a.y % 10000u, m = (unsigned)a.m % 100u, d = (unsigned)a.d % 100u;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

int64_t date_jst_ms(struct date a)
{
    return (int64_t)date_serial(a) * DATE_MS_PER_DAY - DATE_JST_OFFSET_MS;
}

struct date date_of_jst_ms(int64_t ms)
{
    int64_t t = ms + DATE_JST_OFFSET_MS;
    int64_t days = t >= 0 ? t / DATE_MS_PER_DAY : -((-t + DATE_MS_PER_DAY - 1) / DATE_MS_PER_DAY);
    return date_from_serial((int32_t)days);
}

static int64_t clock_shift; /* tests only; read and written atomically */

int64_t clock_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 +
           __atomic_load_n(&clock_shift, __ATOMIC_RELAXED);
}

void clock_shift_for_test(int64_t ms)
{
    __atomic_add_fetch(&clock_shift, ms, __ATOMIC_RELAXED);
}

struct date date_today(void)
{
    if (test_hooks && test_hooks->today.y) /* kaigo-test only (util/hooks.h) */
        return test_hooks->today;
    time_t t = time(NULL) + 9 * 3600; /* JST has no daylight saving */
    struct tm tm;
    gmtime_r(&t, &tm);
    return (struct date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

int date_weekday(struct date a)
{
    return (int)(((date_serial(a) % 7) + 4 + 7) % 7); /* 1970-01-01 was a Thursday */
}
