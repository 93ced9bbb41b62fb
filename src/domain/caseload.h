/*
 * caseload.h - care managers' caseload (取扱件数), the 逓減制 tiers of 居宅介護支援費,
 * and the monitoring schedule (platform.md §6). Pure; every number is a dated
 * row of data/rates.tsv (caseload_*, kyotaku_*, monitor_*).
 *
 * 取扱件数 of an office for a month = (要介護 cases + 要支援 cases / den) / 常勤換算,
 * den = 2 before 2024-04 and 3 from it. 介護予防ケアマネジメント (総合事業's 第1号介護予防支援
 *事業: every 事業対象者, and a 要支援 case marked yobo_cm) is not 指定介護予防支援 and is not
 * counted (RULE-CM-004). The tiers are assigned case by case in
 * contract order: a 要介護 case is (ⅰ) while the running count before it (要支援
 * weighted) is below the (ⅱ) boundary × 常勤換算, (ⅱ) below the (ⅲ) boundary ×
 * 常勤換算, else (ⅲ). Fee (Ⅱ) (連携システム and 事務職員) moves the first boundary
 * from 45 to 50; the staffing standard moves from 44 to 49.
 */
#ifndef KAIGO_DOMAIN_CASELOAD_H
#define KAIGO_DOMAIN_CASELOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/level.h"
#include "util/compiler.h"
#include "util/date.h"

#define CL_MAX_CASES 4096
#define CL_ID_BYTES 48
#define CL_MANAGER_BYTES 192 /* プラン担当者名 (UPPLAN No.7, free text): 63 全角 characters */

struct cl_case {
    char id[CL_ID_BYTES];      /* the caller's label (a case number), never a name */
    char manager[CL_MANAGER_BYTES]; /* care manager label */
    enum care_level level;
    struct date contract;      /* 契約日: the order of the tiers */
    /* monitoring */
    struct date last_home;     /* last home visit (居宅訪問), or none */
    bool video_ok;             /* all conditions for video monitoring recorded */
    bool yobo_cm;              /* a 要支援 case of 介護予防ケアマネジメント (総合事業), not 指定介護予防支援 */
    /* out */
    int tier;                  /* 1–3 for 要介護 cases; 0 for 要支援 */
    long long units;           /* 居宅介護支援費 units for the month (要介護) */
    struct date home_due;      /* the month-end by which the next home visit is due */
    bool overdue;
};

struct cl_result {
    long long care, support;   /* cases counted: 要介護, 指定介護予防支援 */
    long long yobo_cm;         /* 介護予防ケアマネジメント cases (事業対象者, or 要支援 marked yobo_cm): not counted */
    int fte_x100;              /* 常勤換算 × 100 */
    long long count_x6;        /* 取扱件数 × 6 (要介護 6, 要支援 6/den: exact) */
    double per_fte;            /* 取扱件数 / 常勤換算, for display */
    int standard;              /* 44 or 49 per care manager */
    bool over_standard;        /* per_fte > standard */
    long long tier_cases[4];   /* [1..3] 要介護 cases per tier */
    long long units;           /* total units */
    int shien_den;
};

/* caseload_compute - the month's caseload of one office (cases in any order;
 * they are processed in contract order) and each case's tier, units and
 * monitoring due date relative to 'month'. fee2: 居宅介護支援費(Ⅱ). -1 with a
 * Japanese reason when a rule is missing for the month or the input is invalid. */
MUST_CHECK int caseload_compute(struct cl_case *cases, size_t n, int fte_x100, bool fee2,
                                struct date month, struct cl_result *out, const char **why)
    NONNULL(1, 6, 7);

/* monitor_due - RULE-CM-003: the month-end by which the next home visit (モニタリング, 運営基準 第13条第14号) is due,
 * from the last one (none: this month) - every monitor_home_months months by level and テレビ電話 - and whether
 * that lies before the end of 'month' (overdue). The caseload and the 利用者一覧 share it. */
struct date monitor_due(enum care_level level, struct date last_home, bool video_ok, struct date month, bool *overdue);

#endif
