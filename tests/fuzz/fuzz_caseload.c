/* fuzz_caseload.c - libFuzzer target for the `kaigo caseload` input
 * (store/caseloadjson.c) and the caseload rules: whatever parses computes
 * without fault, the tiers add up to the 要介護 cases, and no due date lies
 * before the month of the last visit. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "store/caseloadjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cl_doc *d = malloc(sizeof *d);
    struct doc_error e;
    if (caseloadjson_parse((const char *)data, size, d, &e) == 0) {
        struct cl_result r;
        const char *why;
        if (caseload_compute(d->cases, d->ncases, 100, d->fee2, d->month, &r, &why) == 0) {
            if (r.tier_cases[1] + r.tier_cases[2] + r.tier_cases[3] != r.care ||
                r.care + r.support != (long long)d->ncases)
                __builtin_trap();
            for (size_t i = 0; i < d->ncases; i++)
                if (!date_is_none(d->cases[i].last_home) &&
                    date_cmp(d->cases[i].home_due, d->cases[i].last_home) < 0)
                    __builtin_trap();
        }
    }
    free(d);
    return 0;
}
