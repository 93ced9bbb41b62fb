/* fuzz_caseload.c - libFuzzer target for the `kaigo caseload` input
 * (codec/caseloadjson.c) and the caseload rules: whatever parses computes
 * without fault, the tiers add up to the 要介護 cases, 介護予防ケアマネジメント is listed and
 * never counted, and no due date lies
 * before the month of the last visit. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "codec/caseloadjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cl_doc *d = malloc(sizeof *d);
    struct doc_error e;
    if (caseloadjson_parse((const char *)data, size, d, &e) == 0) {
        struct cl_result r;
        const char *why;
        if (caseload_compute(d->cases, d->ncases, 100, d->fee2, d->month, &r, &why) == 0) {
            long long cm = 0; /* 介護予防ケアマネジメント: every 事業対象者, and 要支援 marked so (RULE-CM-004) */
            for (size_t i = 0; i < d->ncases; i++)
                cm += d->cases[i].level == LEVEL_JIGYO ||
                      ((d->cases[i].level == LEVEL_SHIEN1 || d->cases[i].level == LEVEL_SHIEN2) && d->cases[i].yobo_cm);
            if (r.tier_cases[1] + r.tier_cases[2] + r.tier_cases[3] != r.care ||
                r.care + r.support + r.yobo_cm != (long long)d->ncases || r.yobo_cm != cm ||
                r.count_x6 != r.care * 6 + r.support * (6 / r.shien_den))
                __builtin_trap(); /* every case is one of the three; only the first two are counted */
            for (size_t i = 0; i < d->ncases; i++)
                if (!date_is_none(d->cases[i].last_home) &&
                    date_cmp(d->cases[i].home_due, d->cases[i].last_home) < 0)
                    __builtin_trap();
        }
    }
    free(d);
    return 0;
}
