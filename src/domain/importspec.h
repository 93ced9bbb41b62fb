/*
 * importspec.h - municipal bulk-import formats: Japanese column names, the
 * rules each row must pass, and the typed record it becomes. Pure: takes
 * fields already split by util/csv.c and decoded to UTF-8. The formats are
 * documented in docs/import-formats.md (keep the two in step).
 */
#ifndef KAIGO_DOMAIN_IMPORTSPEC_H
#define KAIGO_DOMAIN_IMPORTSPEC_H

#include <stddef.h>

#include "domain/records.h"
#include "util/buf.h"

enum import_kind {
    IMPORT_INSURED,
    IMPORT_CERT,
    IMPORT_BURDEN,
    IMPORT_LIMIT,
    IMPORT_RESTRICTION,
    IMPORT_PLAN,
    IMPORT_FACILITY,
    IMPORT_KIND_COUNT
};

#define IMPORT_MAX_FIELDS 16

/* import_kind_parse - "insured", "certification", "burden", "limit",
 * "restriction", "plan", "facility". */
int import_kind_parse(const char *s, enum import_kind *out);
const char *import_kind_code(enum import_kind k);
/* record kind stored in the registry ("insured", "certification", …) */
const char *import_record_kind(enum import_kind k);

struct import_header {
    enum import_kind kind;
    size_t ncols;
    int field_of_col[IMPORT_MAX_FIELDS + 8]; /* -1 = none */
    int col_of_field[IMPORT_MAX_FIELDS];     /* 0-based column, -1 = absent */
};

/* Error sink: column is 1-based (0 = whole line), name the column's header. */
typedef void import_err_fn(void *ctx, int column, const char *colname, const char *msg);

/* import_header_parse - maps a header row. Returns the number of errors
 * reported (unknown, duplicate or missing required columns). */
int import_header_parse(enum import_kind k, const struct str *cols, size_t n,
                        struct import_header *h, import_err_fn *err, void *ctx);

struct import_row {
    enum import_kind kind;
    struct person_key key;
    char rkey[DATE_ISO_LEN + 1]; /* the record's natural key within the person */
    union {
        struct insured insured;
        struct certification cert;
        struct burden_cert burden;
        struct limit_cert limit;
        struct restriction restriction;
        struct plan_notice plan;
        struct facility_stay stay;
    } u;
};

/* import_row_parse - validates one data row against the header. Returns the
 * number of errors reported (0: *out is complete). 'today' bounds dates that
 * cannot lie in the future (生年月日). */
int import_row_parse(const struct import_header *h, const struct str *fields, size_t n,
                     struct date today, struct import_row *out, import_err_fn *err, void *ctx);

/* Column names for a kind, for documentation and --help (NULL-terminated). */
const char *import_column_name(enum import_kind k, int field);
int import_column_required(enum import_kind k, int field);

#endif
