/*
 * caseloadplan.h - the office's month for the caseload from the stored 第6表 (caseloadplan.c): the cases of
 * codec/caseloadjson.h's document, each person read through the disclosure gate.
 */
#ifndef KAIGO_SERVICE_CASELOADPLAN_H
#define KAIGO_SERVICE_CASELOADPLAN_H

#include "codec/caseloadjson.h"
#include "service/disclose.h"

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
