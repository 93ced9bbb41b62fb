/* fuzz_cpfile.c - libFuzzer target for the care-plan CSV reader (codec/cpfile.c):
 * the first byte picks a file type and how many stretches to read it in; the
 * result must equal the one-stretch read (problem count and records); whatever
 * reads without a problem must be written back (MS932) and read again to the same
 * records, and stored packed (cpstore.c) and decoded to the same records. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/cpfile.h"
#include "service/cpstore.h"

static void quiet(void *ctx, long line, int column, const char *name, const char *msg)
{
    (void)ctx, (void)line, (void)column, (void)name, (void)msg;
}

static void same(const struct cp_filedata *a, const struct cp_filedata *b)
{
    if (a->n != b->n)
        __builtin_trap();
    for (size_t i = 0; i < a->n; i++) {
        if (a->r[i].nf != b->r[i].nf || memcmp(a->r[i].quoted, b->r[i].quoted, sizeof a->r[i].quoted) != 0)
            __builtin_trap();
        for (unsigned j = 0; j < a->r[i].nf; j++)
            if (strcmp(a->r[i].f[j], b->r[i].f[j]) != 0)
                __builtin_trap();
    }
}

static const char *const names[] = {
    "UPHOSOKU_202604_1270100017_43_1370100018_15_20260325120000.CSV",
    "UP1KYO_1270100017_43_1370100018_15_20260325120000.CSV",
    "UP2KYO_1270100017_43_1370100018_15_20260325120000.CSV",
    "UP3KYO_1270100017_43_1370100018_15_20260325120000.CSV",
    "UPPLAN_202604_1270100017_43_1370100018_15_20260325120000.CSV",
    "UPSIKYU_202604_1270100017_43_1370100018_15_20260325120000.CSV",
    "DLTJSK_202604_1370100018_15_1270100017_43_20260325120000.CSV",
    "UPPLAN_202604_1270100017_1370100018_20260325120000.CSV",
    "UPKIHON_1270100017_46_1370100018_15_20260325120000.CSV",
    "UPKIHON_SUB2_1270100017_46_1370100018_15_20260325120000.CSV",
    "UPKIHON_IMAGE_1270100017_46_1370100018_15_20260325120000_0001.jpg",
    "UPSIKYU_202604_1270100017_1370100018_20260325120000.CSV", /* v3: 34 items (issue #17) */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *name = names[data[0] % (sizeof names / sizeof names[0])];
    size_t parts = 2 + (data[0] >> 5) % 3;
    struct cp_filedata a, b, c;
    long pa = cpfile_read_parts(name, (const char *)data + 1, size - 1, 1, &a, quiet, NULL);
    long pc = cpfile_read_parts(name, (const char *)data + 1, size - 1, parts, &c, quiet, NULL);
    if (pa != pc)
        __builtin_trap();
    if (pa == 0) {
        same(&a, &c);
        for (size_t i = 0; i < a.n; i++)
            if (a.r[i].line != c.r[i].line || a.r[i].rawlen != c.r[i].rawlen ||
                memcmp(a.r[i].raw, c.r[i].raw, a.r[i].rawlen) != 0)
                __builtin_trap();
        if (a.nkeep != c.nkeep || (a.nkeep && memcmp(a.keep, c.keep, a.nkeep * sizeof *a.keep) != 0))
            __builtin_trap(); /* the same other codes, in the same records, whatever the parts */
    }
    cpfile_free(&c);
    if (pa == 0) {
        size_t n;
        long bl;
        int bc;
        char *out = cpfile_write(&a, &n, &bl, &bc);
        if (!out)
            __builtin_trap(); /* what came from MS932 goes back to MS932 */
        if (n != size - 1 || memcmp(out, data + 1, n) != 0)
            __builtin_trap(); /* a file (or an image) that reads goes back as it came, byte for byte:
                                 a character MS932 has two codes for in the code it came in */
        if (cpfile_read(name, out, n, &b, quiet, NULL) != 0)
            __builtin_trap();
        same(&a, &b);
        cpfile_free(&b);
        free(out);
        size_t *rows = malloc((a.n ? a.n : 1) * sizeof *rows);
        for (size_t i = 0; i < a.n; i++)
            rows[i] = i;
        char *body = cps_body(&a, rows, a.n);
        memset(&b, 0, sizeof b);
        b.layout = a.layout;
        if (!body || cps_decode(body, &b) != 0)
            __builtin_trap();
        same(&a, &b);
        if (b.nkeep != a.nkeep)
            __builtin_trap(); /* the stored set keeps them */
        cpfile_free(&b);
        free(body);
        free(rows);
    }
    cpfile_free(&a);
    return 0;
}
