/* level.c - care levels; see level.h. Limits come from data/rates.tsv (kubun_limit). */
#include <string.h>

#include "domain/level.h"
#include "domain/rates.h"
#include "util/banned.h"

static const struct {
    enum care_level l;
    const char *code;
    const char *name;
    int rank;
} levels[] = {
    {LEVEL_HIGAITO, "01", "非該当", 0}, {LEVEL_JIGYO, "06", "事業対象者", 1},
    {LEVEL_SHIEN1, "12", "要支援1", 2}, {LEVEL_SHIEN2, "13", "要支援2", 3},
    {LEVEL_KEIKA, "11", "経過的要介護", 4}, {LEVEL_KAIGO1, "21", "要介護1", 5},
    {LEVEL_KAIGO2, "22", "要介護2", 6}, {LEVEL_KAIGO3, "23", "要介護3", 7},
    {LEVEL_KAIGO4, "24", "要介護4", 8}, {LEVEL_KAIGO5, "25", "要介護5", 9},
};

int level_parse(const char *s, size_t n, enum care_level *out)
{
    for (size_t i = 0; i < ARRAY_LEN(levels); i++) {
        if ((strlen(levels[i].code) == n && memcmp(levels[i].code, s, n) == 0) ||
            (strlen(levels[i].name) == n && memcmp(levels[i].name, s, n) == 0)) {
            *out = levels[i].l;
            return 0;
        }
    }
    return -1;
}

static int idx(enum care_level l)
{
    for (size_t i = 0; i < ARRAY_LEN(levels); i++)
        if (levels[i].l == l)
            return (int)i;
    return -1;
}

const char *level_code(enum care_level l)
{
    int i = idx(l);
    return i < 0 ? "" : levels[i].code;
}

const char *level_name(enum care_level l)
{
    int i = idx(l);
    return i < 0 ? "" : levels[i].name;
}

int level_cmp(enum care_level a, enum care_level b)
{
    int ra = idx(a) < 0 ? -1 : levels[idx(a)].rank;
    int rb = idx(b) < 0 ? -1 : levels[idx(b)].rank;
    return (ra > rb) - (ra < rb);
}

bool level_certified(enum care_level l)
{
    return l >= LEVEL_SHIEN1 && l <= LEVEL_KAIGO5;
}

long long level_kubun_limit(enum care_level l, struct date on)
{
    long long v;
    if (idx(l) < 0 || rate_get("kubun_limit", level_code(l), on, &v))
        return -1;
    return v;
}
