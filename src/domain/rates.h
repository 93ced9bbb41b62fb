/*
 * rates.h - the dated rate table (data/rates.tsv, generated into C).
 *
 * Every rate or threshold that a revision can change is looked up here by
 * (table, key, date); code never holds the number itself.
 */
#ifndef KAIGO_DOMAIN_RATES_H
#define KAIGO_DOMAIN_RATES_H

#include "util/compiler.h"
#include "util/date.h"

struct rate_row {
    const char *table;
    const char *key;
    struct date from, to; /* inclusive */
    long long value;
    const char *source;
};

extern const struct rate_row rate_rows[];
extern const unsigned rate_rows_len;

/* rate_get - the value of (table, key) in force on 'on'. Returns 0, or -1
 * if no row covers that date (the rule did not exist yet, or the table has
 * no data for it). */
MUST_CHECK int rate_get(const char *table, const char *key, struct date on, long long *value);
/* rate_row_at - the row itself (for citing the source), or NULL. */
const struct rate_row *rate_row_at(const char *table, const char *key, struct date on);

#endif
