/*
 * wareki.c - 和暦.
 *
 * RULE-DATE-001 era first days (元号法; 明治 from 改元の詔, 慶応4年9月8日 =
 * 1868-10-23 Gregorian; dates before 1873 were written in the lunar
 * calendar and are not converted here):
 *   明治 1868-10-23, 大正 1912-07-30, 昭和 1926-12-25,
 *   平成 1989-01-08 (平成改元政令), 令和 2019-05-01 (令和改元政令).
 * The first year of an era is written 元年.
 */
#include <string.h>

#include "domain/wareki.h"
#include "util/text.h"
#include "util/banned.h"

static const struct era eras[] = {
    {"明治", 'M', {1868, 10, 23}}, {"大正", 'T', {1912, 7, 30}}, {"昭和", 'S', {1926, 12, 25}},
    {"平成", 'H', {1989, 1, 8}},   {"令和", 'R', {2019, 5, 1}},
};
#define NERAS ((int)ARRAY_LEN(eras))

const struct era *era_of(struct date d)
{
    for (int i = NERAS - 1; i >= 0; i--)
        if (date_cmp(d, eras[i].first) >= 0)
            return &eras[i];
    return NULL;
}

int wareki_format(struct date d, enum wareki_style style, struct buf *out)
{
    const struct era *e = era_of(d);
    if (!e)
        return -1;
    int ey = d.y - e->first.y + 1;
    if (style == WAREKI_SHORT) {
        buf_addf(out, "%c%d.%d.%d", e->abbr, ey, d.m, d.d);
        return 0;
    }
    buf_adds(out, e->kanji); /* by hand, not buf_addf: every date of a card read comes here */
    if (ey == 1)
        buf_adds(out, "元");
    else
        buf_addu(out, (unsigned)ey);
    buf_adds(out, "年");
    buf_addu(out, (unsigned)d.m);
    buf_adds(out, "月");
    buf_addu(out, (unsigned)d.d);
    buf_adds(out, "日");
    return 0;
}

/* A tiny cursor over folded ASCII text. */
struct cur {
    const char *p;
    size_t n, i;
};

static int num(struct cur *c, int *v)
{
    size_t s = c->i;
    int x = 0;
    while (c->i < c->n && c->p[c->i] >= '0' && c->p[c->i] <= '9' && c->i - s < 5)
        x = x * 10 + (c->p[c->i++] - '0');
    if (c->i == s)
        return -1;
    *v = x;
    return 0;
}

static int lit(struct cur *c, const char *s)
{
    size_t k = strlen(s);
    if (c->n - c->i >= k && memcmp(c->p + c->i, s, k) == 0) {
        c->i += k;
        return 0;
    }
    return -1;
}

static int era_end_check(const struct era *e, int ey, struct date *d, const char **why)
{
    if (ey < 1) {
        *why = "和暦の年が不正です";
        return -1;
    }
    d->y = e->first.y + ey - 1;
    if (!date_valid(*d)) {
        *why = "存在しない日付です";
        return -1;
    }
    if (date_cmp(*d, e->first) < 0) {
        *why = "その元号の始まりより前の日付です";
        return -1;
    }
    const struct era *next = e + 1 < eras + NERAS ? e + 1 : NULL;
    if (next && date_cmp(*d, next->first) >= 0) {
        *why = (next->first.y - e->first.y + 1 < ey) ? "その元号にその年はありません(元号の終了後です)"
                                                     : "その元号の終了後の日付です";
        return -1;
    }
    return 0;
}

int wareki_parse(const char *s, size_t n, struct date *out, const char **why)
{
    struct buf folded;
    buf_init(&folded, 256);
    if (n > 128 || !utf8_valid(s, n, NULL)) {
        *why = "和暦の日付として読めません";
        return -1;
    }
    ascii_fold(s, n, &folded);
    struct cur c = {folded.ptr ? folded.ptr : "", folded.len, 0};
    const struct era *e = NULL;
    int rc = -1;
    *why = "和暦の日付として読めません(例: 令和6年4月1日, R6.4.1)";
    for (int i = 0; i < NERAS && !e; i++) {
        if (lit(&c, eras[i].kanji) == 0)
            e = &eras[i];
        else if (c.n > 0 && (c.p[0] == eras[i].abbr || c.p[0] == eras[i].abbr + 32)) {
            c.i = 1;
            e = &eras[i];
        }
    }
    if (!e)
        goto out;
    int ey, m, d;
    if (lit(&c, "元") == 0)
        ey = 1;
    else if (num(&c, &ey))
        goto out;
    if (lit(&c, "年") == 0) {
        if (num(&c, &m) || lit(&c, "月") || num(&c, &d) || lit(&c, "日"))
            goto out;
    } else if (lit(&c, ".") == 0 || lit(&c, "/") == 0) {
        char sep = c.p[c.i - 1];
        char sp[2] = {sep, 0};
        if (num(&c, &m) || lit(&c, sp) || num(&c, &d))
            goto out;
    } else
        goto out;
    if (c.i != c.n)
        goto out;
    struct date r = {0, m, d};
    if (era_end_check(e, ey, &r, why))
        goto out;
    *out = r;
    rc = 0;
out:
    buf_release(&folded);
    return rc;
}

int date_parse_any(const char *s, size_t n, struct date *out, const char **why)
{
    if (n == 10 && s[4] == '-')
        return date_parse_iso(s, n, out, why);
    if (n == 10 && s[4] == '/' && s[7] == '/') {
        char t[10];
        memcpy(t, s, 10);
        t[4] = t[7] = '-';
        return date_parse_iso(t, 10, out, why);
    }
    if (n == 8) {
        int all = 1;
        for (size_t i = 0; i < 8; i++)
            all &= s[i] >= '0' && s[i] <= '9';
        if (all) {
            char t[10] = {s[0], s[1], s[2], s[3], '-', s[4], s[5], '-', s[6], s[7]};
            return date_parse_iso(t, 10, out, why);
        }
    }
    return wareki_parse(s, n, out, why);
}
