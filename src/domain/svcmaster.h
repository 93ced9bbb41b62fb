/*
 * svcmaster.h - the service-code master (介護給付費単位数等サービスコード表 /
 * 単位数表マスタ) as kaigo reads it: one row per (サービス種類, サービス項目,
 * 適用開始年月) with its name, units, and whether it counts toward the
 * 区分支給限度基準額 (限度額管理対象区分 "3"; blank = outside, as for 加算 such
 * as サービス提供体制強化加算; benefit-math.md §2).
 *
 * The file format is the 国保連 単位数表マスタ CSV with a header row naming its 19 columns
 * (docs/sheet7.md); svc_row_parse() checks one row's fields, the CLI reads the
 * file. Pure; rows are copied into caller-owned arrays.
 */
#ifndef KAIGO_DOMAIN_SVCMASTER_H
#define KAIGO_DOMAIN_SVCMASTER_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/records.h"
#include "util/buf.h"
#include "util/compiler.h"

#define SVC_COLUMNS 19
#define SVC_MAX_ROWS 200000 /* the national table has some tens of thousands */

struct svc_code {
    char code[7];    /* 種類2 + 項目4 */
    int from_ym, to_ym; /* YYYYMM, inclusive; 999999 = open */
    char name[NAME_BYTES];
    long long units;
    char unit_kind[3]; /* 算定単位 code as given ("01" 1回 …) */
    bool limit_managed; /* counts toward 区分支給限度 */
};

/* svc_column_names - the header the loader expects, in order. */
extern const char *const svc_column_names[SVC_COLUMNS];

/* svc_row_parse - one data row (fields as slices). 0, or -1 with the 1-based
 * column in *col and a Japanese message. */
MUST_CHECK int svc_row_parse(const struct str *f, size_t n, struct svc_code *out, int *col,
                             const char **why) NONNULL(1, 3, 4, 5);

struct svc_master {
    struct svc_code *rows; /* sorted by code, then from_ym (svc_master_sort) */
    size_t n;
};
void svc_master_sort(struct svc_master *m) NONNULL(1);
/* svc_master_parse - the whole file's text (a header row of the 19 column names, then rows) into *m
 * (sorted; rows owned by m, free(m->rows)). 0, or -1 after err(ctx, line, column, name, message)
 * for the first problem; *m is then empty. */
typedef void svc_err_fn(void *ctx, long line, int column, const char *column_name, const char *msg);
MUST_CHECK int svc_master_parse(const char *text, size_t n, struct svc_master *m, svc_err_fn *err, void *ctx)
    NONNULL(1, 3, 4);
/* svc_lookup - the row of code in force in month ym (YYYYMM), or NULL. */
const struct svc_code *svc_lookup(const struct svc_master *m, const char *code, int ym) NONNULL(1, 2);

#endif
