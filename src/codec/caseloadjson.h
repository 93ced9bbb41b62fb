/*
 * caseloadjson.h - the input of `kaigo caseload` (docs/caseload.md), parsed
 * from untrusted JSON with named limits (≤ CASELOAD_JSON_MAX, ≤ CL_MAX_CASES
 * cases, ≤ CL_MAX_MANAGERS care managers); unknown members are ignored.
 */
#ifndef KAIGO_STORE_CASELOADJSON_H
#define KAIGO_STORE_CASELOADJSON_H

#include "domain/caseload.h"
#include "domain/certdocs.h"

#define CASELOAD_JSON_MAX (8u << 20)
#define CL_MAX_MANAGERS 64

struct cl_manager {
    char id[CL_MANAGER_BYTES];
    int fte_x100;
};

struct cl_doc {
    struct date month;
    bool fee2;
    bool visits_unknown; /* cases from the stored plans: no monitoring visits recorded */
    size_t nmanagers, ncases;
    struct cl_manager managers[CL_MAX_MANAGERS];
    struct cl_case cases[CL_MAX_CASES];
};

MUST_CHECK int caseloadjson_parse(const char *s, size_t n, struct cl_doc *d, struct doc_error *err);

/* caseload_of_manager - care manager m's cases of d copied into mine (d->ncases long), *k of them, and their
 * caseload against the standard (caseload_compute on the copy: d's order is kept). -1 with why. */
MUST_CHECK int caseload_of_manager(const struct cl_doc *d, size_t m, struct cl_case *mine, size_t *k,
                                   struct cl_result *r, const char **why);

#endif
