/*
 * bench/sheet7.c - 第7表 computation rate on one core, against a baseline of
 * merely parsing the same input (issue #5 §6).
 *
 *   bench_sheet7 [PERSONS] [RUNS]      (make bench-sheet7 pins it to CPU 0)
 *
 * Builds PERSONS synthetic cases in memory (3 offices: 訪問介護, 通所介護 with an
 * add-on outside the limit, 福祉用具貸与; 10 lines; some over the limit so the
 * default allocation runs), then times, alternating, (a) parsing every case
 * (codec/sheet7json.c) and (b) parsing, computing (domain/sheet7.c) and writing
 * the result JSON. Prints persons/min for both, the best of RUNS, and b/a.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec/sheet7json.h"
#include "util/xalloc.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static char *make_case(unsigned i)
{
    char *s = xmalloc(2048);
    unsigned visits = 18 + i % 12, days = 8 + i % 5;
    snprintf(s, 2048,
             "{\"month\":\"2026-%02u\",\"care_level\":\"%s\",\"benefit_rate\":%u,\"offices\":["
             "{\"office_no\":\"13%08u\",\"service_type\":\"11\",\"grade\":%u,\"lines\":["
             "{\"service_code\":\"111211\",\"units\":387,\"count\":%u},"
             "{\"service_code\":\"112111\",\"units\":179,\"count\":%u},"
             "{\"service_code\":\"111111\",\"units\":244,\"count\":4},"
             "{\"service_code\":\"116100\",\"units\":100,\"count\":1,\"limit_exempt\":true}]},"
             "{\"office_no\":\"13%08u\",\"service_type\":\"15\",\"grade\":%u,\"lines\":["
             "{\"service_code\":\"151111\",\"units\":658,\"count\":%u},"
             "{\"service_code\":\"155011\",\"units\":40,\"count\":%u},"
             "{\"service_code\":\"156101\",\"units\":22,\"count\":%u,\"limit_exempt\":true}]},"
             "{\"office_no\":\"13%08u\",\"service_type\":\"17\",\"unit_price\":\"10.00\",\"lines\":["
             "{\"service_code\":\"171001\",\"units\":600,\"count\":1},"
             "{\"service_code\":\"171002\",\"units\":300,\"count\":1},"
             "{\"service_code\":\"171003\",\"units\":150,\"count\":1}]}]}",
             1 + i % 12, i % 3 == 0 ? "21" : i % 3 == 1 ? "22" : "23", i % 10 == 0 ? 80 : 90,
             i % 1000000, 1 + i % 8, visits, visits / 2, (i + 1) % 1000000, 1 + i % 8, days, days,
             days, (i + 2) % 1000000);
    return s;
}

int main(int argc, char **argv)
{
    unsigned persons = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 200000;
    int runs = argc > 2 ? atoi(argv[2]) : 3;
    char **in = xmalloc(persons * sizeof *in);
    size_t bytes = 0;
    for (unsigned i = 0; i < persons; i++) {
        in[i] = make_case(i);
        bytes += strlen(in[i]);
    }
    struct s7_doc *d = xmalloc(sizeof *d);
    double best_parse = 1e30, best_full = 1e30;
    unsigned long long sink = 0;
    for (int r = 0; r < runs; r++) {
        double t0 = now_s();
        for (unsigned i = 0; i < persons; i++) {
            struct doc_error e;
            if (sheet7json_parse(in[i], strlen(in[i]), NULL, d, &e)) {
                fprintf(stderr, "case %u: %s\n", i, e.msg);
                return 1;
            }
            sink += d->in.nlines;
        }
        double t1 = now_s();
        for (unsigned i = 0; i < persons; i++) {
            struct doc_error e;
            struct s7_total t;
            char err[S7_ERR_BYTES];
            if (sheet7json_parse(in[i], strlen(in[i]), NULL, d, &e) || sheet7_compute(&d->in, &t, err)) {
                fprintf(stderr, "case %u: %s%s\n", i, e.msg, err);
                return 1;
            }
            char *out = sheet7json_result(d, &t);
            sink += strlen(out) + (unsigned long long)t.total_cost;
            free(out);
        }
        double t2 = now_s();
        if (t1 - t0 < best_parse)
            best_parse = t1 - t0;
        if (t2 - t1 < best_full)
            best_full = t2 - t1;
    }
    double parse_rate = persons / best_parse * 60, full_rate = persons / best_full * 60;
    printf("bench_sheet7 persons=%u runs=%d input=%.1f MB (sink %llu)\n", persons, runs, bytes / 1e6, sink % 10);
    printf("  baseline  parse only                 %.2f s  %12.0f persons/min\n", best_parse, parse_rate);
    printf("  kaigo     parse + 第7表 + JSON out     %.2f s  %12.0f persons/min  (%.2f µs/person)\n", best_full,
           full_rate, best_full / persons * 1e6);
    printf("  ratio     kaigo / baseline = %.2f   (target: >= 1,000,000 persons/min on one core)\n",
           full_rate / parse_rate);
    for (unsigned i = 0; i < persons; i++)
        free(in[i]);
    free(in);
    free(d);
    return 0;
}
