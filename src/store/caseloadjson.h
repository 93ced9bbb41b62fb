/*
 * caseloadjson.h - the input of `kaigo caseload` (docs/caseload.md), parsed
 * from untrusted JSON with named limits (≤ CASELOAD_JSON_MAX, ≤ CL_MAX_CASES
 * cases, ≤ CL_MAX_MANAGERS care managers); unknown members are ignored.
 */
#ifndef KAIGO_STORE_CASELOADJSON_H
#define KAIGO_STORE_CASELOADJSON_H

#include "domain/caseload.h"
#include "domain/certdocs.h"
#include "store/disclose.h"

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

/* What caseload_from_plans met besides the cases. */
struct cl_from_plans {
    long skipped;    /* persons without the month's 補足 (要介護状態区分): not counted */
    bool full;       /* over CL_MAX_CASES cases or CL_MAX_MANAGERS care managers */
    bool long_name;  /* a プラン担当者名 longer than CL_MANAGER_BYTES - 1: never cut (two would merge) */
    long long shown, denied;
};
typedef void cl_skip_fn(void *ctx, const struct person_key *k);

/* caseload_from_plans - d's cases for d->month from the stored 第6表 of every person whose 6表 names
 * office_no as プラン担当業者 (disclose_caseload: each person decided and audited for 計画 first): the
 * care manager from プラン担当者名 (常勤換算 1.0 until the caller sets it), the level from the month's
 * 補足, the contract order from the 1表 (else the 6表's 作成年月日), 介護予防ケアマネジメント from the
 * UPYOBO's 計画種類 (RULE-CM-004). d->visits_unknown is set: kaigo records no monitoring visits. */
MUST_CHECK enum disclose_status caseload_from_plans(struct store *st, struct auditq *aq, const struct actor *a,
                                                    enum purpose purpose, const char *office_no,
                                                    const char *request_id, int64_t now, struct cl_doc *d,
                                                    struct cl_from_plans *out, cl_skip_fn *skip, void *ctx);

#endif
