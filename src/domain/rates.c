/* rates.c - lookups in the generated dated table; see rates.h. */
#include <string.h>

#include "domain/rates.h"
#include "util/banned.h"

const struct rate_row *rate_row_at(const char *table, const char *key, struct date on)
{
    for (unsigned i = 0; i < rate_rows_len; i++) {
        const struct rate_row *r = &rate_rows[i];
        if (strcmp(r->table, table) == 0 && strcmp(r->key, key) == 0 &&
            date_cmp(on, r->from) >= 0 && date_cmp(on, r->to) <= 0)
            return r;
    }
    return NULL;
}

int rate_get(const char *table, const char *key, struct date on, long long *value)
{
    const struct rate_row *r = rate_row_at(table, key, on);
    if (!r)
        return -1;
    *value = r->value;
    return 0;
}
