/*
 * bench/utf8.c - util/text.c's utf8_valid (ASCII words, the three-byte form on its own) against the
 * byte-at-a-time check it had before, kept here as the baseline, over the same file in the same run.
 * Both must agree on the file. Prints seconds a pass (best of PASSES) and the ratio.
 *
 *   build/default/bench_utf8 /tmp/kaigo-bench-pg-import/csv/insured.csv
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util/text.h"

#define PASSES 7

/* the check before the fast paths: every sequence through the general loop */
static bool baseline_valid(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else
            return false;
        if (i + len > n)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench_utf8 FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f || fseek(f, 0, SEEK_END))
        return 1;
    long n = ftell(f);
    rewind(f);
    char *b = malloc((size_t)n + 1);
    if (!b || fread(b, 1, (size_t)n, f) != (size_t)n)
        return 1;
    fclose(f);
    double best_k = 1e9, best_b = 1e9;
    bool ok_k = true, ok_b = true;
    for (int i = 0; i < PASSES; i++) {
        double t0 = now();
        ok_k &= utf8_valid(b, (size_t)n, NULL);
        double t1 = now();
        ok_b &= baseline_valid(b, (size_t)n);
        double t2 = now();
        best_k = t1 - t0 < best_k ? t1 - t0 : best_k;
        best_b = t2 - t1 < best_b ? t2 - t1 : best_b;
    }
    if (ok_k != ok_b) {
        fprintf(stderr, "bench_utf8: the two checks disagree on %s\n", argv[1]);
        return 1;
    }
    printf("utf8_valid over %ld bytes (valid: %s), best of %d passes\n", n, ok_k ? "yes" : "no", PASSES);
    printf("  utf8_valid (kaigo)        %.4f s\n", best_k);
    printf("  byte-at-a-time (baseline) %.4f s\n", best_b);
    printf("  ratio kaigo/baseline      %.2f\n", best_k / best_b);
    free(b);
    return 0;
}
