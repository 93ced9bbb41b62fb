/*
 * wareki.h - 和暦 (Japanese era) dates for display and for input.
 * Pure. Era first days are data (eras[] in wareki.c), RULE-DATE-001.
 */
#ifndef KAIGO_DOMAIN_WAREKI_H
#define KAIGO_DOMAIN_WAREKI_H

#include <stddef.h>

#include "util/buf.h"
#include "util/compiler.h"
#include "util/date.h"

struct era {
    const char *kanji; /* 令和 */
    char abbr;         /* R */
    struct date first; /* the era's first day (Gregorian) */
};

/* era_of - the era containing d, or NULL before 明治. */
const struct era *era_of(struct date d);

/* wareki_format - appends "令和元年5月1日" (style WAREKI_LONG) or "R1.5.1"
 * (WAREKI_SHORT) to out. Returns -1 for dates before 明治. */
enum wareki_style { WAREKI_LONG, WAREKI_SHORT };
int wareki_format(struct date d, enum wareki_style style, struct buf *out);

/* wareki_parse - accepts 令和6年4月1日, 令和元年5月1日, R6.4.1, H31.4.30,
 * r06.04.01, R6/4/1, and full-width digits. Returns 0, or -1 with *why set:
 * an era year past its end (平成32年, 昭和65年) or a date outside its era
 * (平成31年5月1日) is refused, never silently moved. */
MUST_CHECK int wareki_parse(const char *s, size_t n, struct date *out, const char **why);

/* date_parse_any - ISO "YYYY-MM-DD", "YYYY/MM/DD", "YYYYMMDD" or 和暦. */
MUST_CHECK int date_parse_any(const char *s, size_t n, struct date *out, const char **why);

#endif
