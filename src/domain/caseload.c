/*
 * caseload.c - 取扱件数, 逓減制 and monitoring; see caseload.h.
 *
 * RULE-CM-001 (指定居宅介護支援等の事業の人員及び運営に関する基準 第2条; 令和6年改定): 44 cases per care manager,
 *   49 with ケアプランデータ連携システム and 事務職員; 介護予防支援 cases weigh 1/3 (1/2 before 2024-04).
 * RULE-CM-002 (居宅介護支援費 逓減制, 令和6年告示): (Ⅰ) (ⅰ) under 45, (ⅱ) 45 to under 60, (ⅲ) 60+;
 *   (Ⅱ) (ⅰ) under 50, (ⅱ) 50 to under 60, (ⅲ) 60+; per 常勤換算, cases in contract order.
 *   令和6年度介護報酬改定に関するQ&A(Vol.1) 問114 (厚生労働省 事務連絡 2024-03-15) works the boundary: case k
 *   (1-based, contract order) is (ⅰ) while k < 45 × 常勤換算 - at 1.6 that is cases 1-71 (72 - 1), at 2.5 cases
 *   1-112 (112.5, 端数切捨て) - and (ⅱ) while k < 60 × 常勤換算 (2.5: 113-149, then 150 on (ⅲ)).
 * RULE-CM-004 (人員基準 第2条第1項 and 居宅介護支援費 注 (令和6年告示): the cases are 指定居宅介護支援's users
 *   plus 指定介護予防支援's (法第58条第1項) × 1/3 - nothing else is named): 介護予防ケアマネジメント (第1号介護予防
 *   支援事業, 法第115条の45第1項第1号ニ), which every 事業対象者 receives, is another service and is not counted.
 *   [likely]: no Q&A saying so in words was found (docs/caseload.md).
 * RULE-CM-003 (運営基準 第13条第14号; 令和6年改定): monitoring home visit monthly (要介護), or every 2
 *   months with video monitoring whose conditions are recorded; 要支援 every 3 months, or 6 with video.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/caseload.h"
#include "domain/rates.h"
#include "util/banned.h"

static int cmp_contract(const void *a, const void *b)
{
    const struct cl_case *x = a, *y = b;
    int c = date_cmp(x->contract, y->contract);
    return c ? c : strcmp(x->id, y->id);
}

static bool is_support(enum care_level l)
{
    return l == LEVEL_SHIEN1 || l == LEVEL_SHIEN2 || l == LEVEL_JIGYO;
}

static bool is_care(enum care_level l)
{
    return l >= LEVEL_KEIKA && l <= LEVEL_KAIGO5;
}

struct date monitor_due(enum care_level level, struct date last_home, bool video_ok, struct date month, bool *overdue)
{
    /* monitoring (RULE-CM-003): the next home visit's month */
    struct date first = {month.y, month.m, 1}, due, month_end = date_month_end(first);
    const char *key = is_care(level) ? (video_ok ? "care_video" : "care") : (video_ok ? "support_video" : "support");
    long long every;
    if (rate_get("monitor_home_months", key, first, &every))
        every = is_care(level) ? 1 : 3;
    if (date_is_none(last_home))
        due = month_end; /* never visited: this month */
    else
        due = date_month_end(date_add_months((struct date){last_home.y, last_home.m, 1}, (int)every));
    *overdue = date_cmp(due, month_end) < 0;
    return due;
}

int caseload_compute(struct cl_case *cases, size_t n, int fte_x100, bool fee2, struct date month,
                     struct cl_result *out, const char **why)
{
    memset(out, 0, sizeof *out);
    struct date first = {month.y, month.m, 1};
    long long den, std, b2, b3;
    if (rate_get("caseload_shien_den", "-", first, &den) ||
        rate_get("caseload_standard", fee2 ? "renkei" : "basic", first, &std) ||
        rate_get("kyotaku_tier", fee2 ? "II/2" : "I/2", first, &b2) ||
        rate_get("kyotaku_tier", fee2 ? "II/3" : "I/3", first, &b3)) {
        *why = "この月の取扱件数・逓減制の定めがありません(令和6年4月以降を扱います)";
        return -1;
    }
    if (fte_x100 <= 0 || fte_x100 > 100000) {
        *why = "常勤換算(fte)は 0 より大きい数です";
        return -1;
    }
    if (n > CL_MAX_CASES) {
        *why = "利用者が多すぎます";
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (!is_care(cases[i].level) && !is_support(cases[i].level)) {
            *why = "要介護状態区分は 要支援1・2、事業対象者、要介護1〜5 のいずれかです";
            return -1;
        }
    qsort(cases, n, sizeof *cases, cmp_contract);
    out->shien_den = (int)den;
    out->fte_x100 = fte_x100;
    out->standard = (int)std;
    long long w_support = 6 / den; /* in sixths: 3 (1/2) or 2 (1/3) */
    long long run = 0;             /* the running count before a case, in sixths */
    for (size_t i = 0; i < n; i++) {
        struct cl_case *c = &cases[i];
        c->home_due = monitor_due(c->level, c->last_home, c->video_ok, first, &c->overdue);
        if (c->level == LEVEL_JIGYO || (is_support(c->level) && c->yobo_cm)) { /* RULE-CM-004 */
            c->tier = 0;
            c->units = 0;
            out->yobo_cm++;
            continue;
        }
        if (is_support(c->level)) {
            c->tier = 0;
            c->units = 0;
            out->support++;
            run += w_support;
            continue;
        }
        /* RULE-CM-002 (Q&A Vol.1 問114): this case's own position k = run/6 + 1, and it is (ⅰ) while
         * k < boundary × fte/100  ⇔  (run + 6) × 100 < boundary × fte_x100 × 6 (exact in integers) */
        long long k6 = run + 6;
        if (k6 * 100 < b2 * fte_x100 * 6)
            c->tier = 1;
        else if (k6 * 100 < b3 * fte_x100 * 6)
            c->tier = 2;
        else
            c->tier = 3;
        char k[16];
        snprintf(k, sizeof k, "%s/%d/%s", fee2 ? "II" : "I", c->tier,
                 level_cmp(c->level, LEVEL_KAIGO2) <= 0 ? "12" : "35");
        if (rate_get("kyotaku_units", k, first, &c->units))
            c->units = 0;
        out->tier_cases[c->tier]++;
        out->units += c->units;
        out->care++;
        run += 6;
    }
    out->count_x6 = run;
    out->per_fte = (double)run / 6.0 / ((double)fte_x100 / 100.0);
    /* 人員基準: 取扱件数 per care manager over the standard */
    out->over_standard = run * 100 > std * fte_x100 * 6;
    return 0;
}
