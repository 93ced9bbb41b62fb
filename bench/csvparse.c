/*
 * bench/csvparse.c - the baseline of bench/exchange.sh: decode the same MS932
 * files with iconv (util/text.c) and split them into CSV fields (util/csv.c),
 * doing nothing else. Prints files, records and seconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util/buf.h"
#include "util/csv.h"
#include "util/text.h"

int main(int argc, char **argv)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long records = 0, fields = 0;
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f)
            return 1;
        struct buf raw, u;
        buf_init(&raw, 1u << 30);
        char chunk[1 << 16];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
            buf_add(&raw, chunk, n);
        fclose(f);
        buf_init(&u, 1u << 31);
        size_t bad;
        if (cp932_to_utf8(raw.ptr, raw.len, &u, &bad))
            return 1;
        struct csv_reader r;
        csv_init(&r, u.ptr, u.len);
        long line;
        struct csv_error e;
        while (csv_next(&r, &line, &e) > 0) {
            records++;
            fields += (long)r.nf;
        }
        csv_release(&r);
        buf_release(&raw);
        buf_release(&u);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%d files %ld records %ld fields %.3f s\n", argc - 1, records, fields,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return 0;
}
