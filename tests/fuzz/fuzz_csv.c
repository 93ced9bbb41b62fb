/* fuzz_csv.c - libFuzzer target for the strict CSV reader (util/csv.c). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct csv_reader r;
    struct csv_error err;
    long line, last = 0;
    int rc;
    csv_init(&r, (const char *)data, size);
    while ((rc = csv_next(&r, &line, &err)) != 0) {
        if (rc > 0) {
            if (r.nf == 0 || r.nf > CSV_MAX_FIELDS)
                __builtin_trap();
            for (size_t i = 0; i < r.nf; i++)
                if (r.field[i].len > CSV_MAX_FIELD_BYTES)
                    __builtin_trap();
            if (line < last)
                __builtin_trap();
            last = line;
        } else if (!err.message || err.line < 1)
            __builtin_trap();
    }
    csv_release(&r);
    return 0;
}
