/* fuzz_directory.c - libFuzzer target for the insurer → cluster directory (store/directory.c): any
 * bytes either parse or are refused with a line; what parses has every entry pointing at a cluster it
 * holds, whose URL is a postgresql:// one within the limit, and every lookup answers one of them or -1. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "store/directory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct directory d;
    char err[256];
    if (directory_parse((const char *)data, size, &d, err, sizeof err)) {
        if (!err[0] || d.nclusters || d.nentries)
            __builtin_trap(); /* refused: said why, kept nothing */
        return 0;
    }
    if (!d.nentries || !d.nclusters || d.nclusters > DIRECTORY_MAX_CLUSTERS)
        __builtin_trap();
    for (size_t i = 0; i < d.nclusters; i++)
        if (strlen(d.url[i]) > DIRECTORY_URL_MAX || strncmp(d.url[i], "postgres", 8) != 0)
            __builtin_trap();
    for (size_t i = 0; i < d.nentries; i++) {
        if (d.entry[i].cluster < 0 || (size_t)d.entry[i].cluster >= d.nclusters)
            __builtin_trap();
        if (strlen(d.entry[i].key) == 6 && directory_lookup(&d, d.entry[i].key) != d.entry[i].cluster)
            __builtin_trap(); /* an insurer's own line always wins */
    }
    static const char *const probe[] = {"122192", "271007", "131016", "012021"};
    for (size_t i = 0; i < sizeof probe / sizeof *probe; i++) {
        int c = directory_lookup(&d, probe[i]);
        if (c < -1 || c >= (int)d.nclusters)
            __builtin_trap();
    }
    directory_free(&d);
    return 0;
}
