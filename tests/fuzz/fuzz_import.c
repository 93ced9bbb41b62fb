/* fuzz_import.c - libFuzzer target for a whole import file: the first byte picks the
 * kind, the rest is CSV (header + rows) validated by domain/importspec.c. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "domain/importspec.h"
#include "util/csv.h"

static void sink(void *ctx, int column, const char *colname, const char *msg)
{
    (void)ctx;
    (void)column;
    if (!colname || !msg)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    enum import_kind kind = (enum import_kind)(data[0] % IMPORT_KIND_COUNT);
    struct csv_reader r;
    struct csv_error err;
    struct import_header h;
    static struct import_row row;
    long line;
    csv_init(&r, (const char *)data + 1, size - 1);
    int rc = csv_next(&r, &line, &err);
    if (rc > 0 && import_header_parse(kind, r.field, r.nf, &h, sink, NULL) == 0) {
        while ((rc = csv_next(&r, &line, &err)) != 0)
            if (rc > 0)
                (void)import_row_parse(&h, r.field, r.nf, (struct date){2026, 11, 25}, &row, sink, NULL);
    }
    csv_release(&r);
    return 0;
}
