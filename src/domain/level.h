/*
 * level.h - 要介護状態区分等 (care levels) and their codes.
 * Codes as in the national interfaces: 01 非該当, 06 事業対象者, 11 経過的要介護,
 * 12/13 要支援1/2, 21–25 要介護1–5 (platform.md §5.1, careplan-csv.md).
 */
#ifndef KAIGO_DOMAIN_LEVEL_H
#define KAIGO_DOMAIN_LEVEL_H

#include <stdbool.h>
#include <stddef.h>

#include "util/compiler.h"
#include "util/date.h"

enum care_level {
    LEVEL_NONE = 0, /* no level recorded */
    LEVEL_HIGAITO,  /* 01 非該当 */
    LEVEL_JIGYO,    /* 06 事業対象者 */
    LEVEL_SHIEN1,   /* 12 */
    LEVEL_SHIEN2,   /* 13 */
    LEVEL_KEIKA,    /* 11 経過的要介護 */
    LEVEL_KAIGO1,   /* 21 */
    LEVEL_KAIGO2,
    LEVEL_KAIGO3,
    LEVEL_KAIGO4,
    LEVEL_KAIGO5, /* 25 */
};

/* level_from_code - "21" → LEVEL_KAIGO1; also accepts the names (要介護1).
 * Returns 0 or -1 (unknown code). */
MUST_CHECK int level_parse(const char *s, size_t n, enum care_level *out);
const char *level_code(enum care_level l); /* "21"; "" for NONE */
const char *level_name(enum care_level l); /* "要介護1" */
/* level_heavier - > 0 if a needs more care than b (ordering of the levels). */
int level_cmp(enum care_level a, enum care_level b);
/* level_certified - true for levels reached by 要介護認定 (要支援1 … 要介護5). */
bool level_certified(enum care_level l);
/* level_kubun_limit - 区分支給限度基準額 (units/month) on 'on'; -1 if none
 * (非該当; 事業対象者, whose limit the municipality sets; a date before the table). */
long long level_kubun_limit(enum care_level l, struct date on);

#endif
