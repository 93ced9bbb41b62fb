/* fuzz_svcmaster.c - libFuzzer target for the service-code master rows
 * (domain/svcmaster.c) behind the CSV reader: no fault on any row, a parsed
 * row is well-formed (6-character code, months in order), and lookups of what
 * was loaded find it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/svcmaster.h"
#include "util/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct csv_reader r;
    csv_init(&r, (const char *)data, size);
    struct svc_code rows[64];
    struct svc_master m = {rows, 0};
    long line;
    struct csv_error e;
    while (m.n < 64 && csv_next(&r, &line, &e) > 0) {
        int col;
        const char *why;
        if (svc_row_parse(r.field, r.nf, &rows[m.n], &col, &why) == 0) {
            if (strlen(rows[m.n].code) != 6 || rows[m.n].from_ym > rows[m.n].to_ym)
                __builtin_trap();
            m.n++;
        } else if (col < 1 || col > SVC_COLUMNS || !why)
            __builtin_trap();
    }
    csv_release(&r);
    svc_master_sort(&m);
    for (size_t i = 0; i < m.n; i++)
        if (!svc_lookup(&m, rows[i].code, rows[i].from_ym))
            __builtin_trap();
    return 0;
}
