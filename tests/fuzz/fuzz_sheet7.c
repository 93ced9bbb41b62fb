/* fuzz_sheet7.c - libFuzzer target for the 第7表 input (codec/sheet7json.c) and
 * the engine: whatever parses must compute without fault (refusals are fine),
 * and a computed table must satisfy the invariants: per office, claim +
 * user_share = total_cost and the user share is never negative for a
 * non-negative cost. Its UPSIKYU rows (sheet7_csv_rows) have the layout's 37
 * columns, and the last is the grand total. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/sheet7json.h"

struct seen {
    size_t n;
    int last_total;
};

static int row(void *ctx, const char *const f[S7_CSV_COLS])
{
    struct seen *s = ctx;
    for (int i = 0; i < S7_CSV_COLS; i++)
        if (!f[i])
            __builtin_trap();
    s->n++;
    s->last_total = strcmp(f[8], "999999") == 0 && strcmp(f[6], "9999999999") == 0;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct s7_doc *d = malloc(sizeof *d);
    struct doc_error e;
    if (sheet7json_parse((const char *)data, size, NULL, d, &e) == 0) {
        struct s7_total t;
        char err[S7_ERR_BYTES];
        if (sheet7_compute(&d->in, &t, err) == 0) {
            for (size_t i = 0; i < d->in.noffices; i++) {
                const struct s7_office *o = &d->in.offices[i];
                if (o->claim + o->user_share != o->total_cost)
                    __builtin_trap();
                if (o->total_cost >= 0 && (o->user_share < 0 || o->claim < 0))
                    __builtin_trap();
            }
            free(sheet7json_result(d, &t));
            struct seen s = {0, 0};
            if (sheet7_csv_rows(&d->in, &t, &d->id, row, &s) != 0 || s.n < 1 || !s.last_total)
                __builtin_trap();
        }
    }
    free(d);
    return 0;
}
