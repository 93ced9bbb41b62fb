/*
 * sheet7plan.h - the 第7表 of a person's month from what the exchange stored
 * (docs/sheet7.md "From the stored 第6表"): the 第6表 (UPPLAN) lines grouped per
 * office × service type and service code (回数 summed), units and the limit flag
 * from the service-code master, the level and 区分支給限度基準額 from the month's
 * 利用者補足情報 (UPHOSOKU), and the unit price and 給付率 as given or, failing
 * that, as the sent 第7表 (UPSIKYU) states them. And the differences between a
 * computed table and the sent one.
 *
 * Failure: -1 with a Japanese reason in why (a code missing from the master, an
 * office without a price, no level); *d is then unspecified.
 */
#ifndef KAIGO_STORE_SHEET7PLAN_H
#define KAIGO_STORE_SHEET7PLAN_H

#include "codec/cpfile.h"
#include "codec/sheet7json.h"

struct s7_given {
    int benefit_rate; /* 90/80/70, or 0: from the sent 第7表 */
    size_t nprices;
    struct {
        char office_no[11];
        int price_x100; /* > 0, or 0 with grade */
        int grade;      /* 地域区分 1–8, or 0 */
    } prices[S7_MAX_OFFICES];
};

/* s7_fail - the reason (printf) into why; returns -1 (shared by the readers of stored sets) */
int s7_fail(char why[S7_ERR_BYTES], const char *fmt, ...) FMT(2, 3);

/* sheet7_from_plan - *d from the stored sets (hosoku and sikyu may be NULL). */
MUST_CHECK int sheet7_from_plan(const struct cp_filedata *plan, const struct cp_filedata *hosoku,
                                const struct cp_filedata *sikyu, const struct svc_master *master,
                                const struct s7_given *given, struct s7_doc *d, char why[S7_ERR_BYTES]);

/* s7_diff_fn - one amount that differs: office "" for the grand total. */
typedef void s7_diff_fn(void *ctx, const char *office_no, const char *service_type, const char *item,
                        long long sent, long long computed);

/* sheet7_compare - calls fn for each amount of the sent 第7表 (per office × type:
 * its AAAA subtotal row, or its single line's row; and the 999999 total) that is
 * not what the engine computed, or that the sent table lacks. Returns how many. */
long sheet7_compare(const struct s7_doc *d, const struct s7_total *t, const struct cp_filedata *sikyu,
                    s7_diff_fn *fn, void *ctx);

#endif
