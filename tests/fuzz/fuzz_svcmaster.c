/* fuzz_svcmaster.c - libFuzzer target for the service-code master rows
 * (domain/svcmaster.c) behind the CSV reader: no fault on any row, a parsed
 * row is well-formed (6-character code, months in order), and lookups of what
 * was loaded find it; the whole input read as a master file likewise. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/svcmaster.h"
#include "util/csv.h"

static void count_problem(void *ctx, long line, int column, const char *name, const char *msg)
{
    (void)line, (void)column, (void)name;
    if (!msg)
        __builtin_trap();
    ++*(int *)ctx;
}

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
    /* the whole input as a master file (svc_master_parse, what kaigo sheet7 --codes and kaigo serve
     * --codes read): either refused with one reported problem and nothing kept, or every row found */
    struct svc_master all;
    int problems = 0;
    if (svc_master_parse((const char *)data, size, &all, count_problem, &problems) == 0) {
        if (problems)
            __builtin_trap();
        for (size_t i = 0; i < all.n; i++)
            if (!svc_lookup(&all, all.rows[i].code, all.rows[i].from_ym))
                __builtin_trap();
        free(all.rows);
    } else if (problems != 1 || all.n != 0 || all.rows)
        __builtin_trap();
    return 0;
}
