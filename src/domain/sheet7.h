/*
 * sheet7.h - the 第7表 (サービス利用票別表) computation: pure, integer
 * arithmetic, the rounding of benefit-math.md §3.
 *
 * Input: the month, the care level(s) of the month (the heaviest one's
 * 区分支給限度基準額 applies to the whole month), the limit (defaults from the
 * level and the month), the 給付率, and per office × service type its unit
 * price and its lines (service code, units, 割引後率, count, whether the code
 * is outside the limit, and optionally the care manager's allocation of units
 * to 全額負担). Output: per line the discounted and service units; per office
 * × service type the units within and over the limit and the yen amounts;
 * per limit-exempt line its own amounts; the totals.
 *
 *   割引後単位数   = round-half-up(単位数 × 割引後率 / 100)          (§3 step 1)
 *   サービス単位数 = 割引後単位数 × 回数                                (step 2)
 *   超過の割当     = the care manager's over_limit_units per line, or by
 *                    default the excess over the limit taken from the line
 *                    the care manager chose (over_first), then from the last
 *                    line backwards (offices and lines in input order)  (step 3)
 *   費用総額       = floor(区分支給限度基準内単位数 × 単価)              (step 4)
 *   保険請求額     = floor(費用総額 × 給付率 / 100)                      (step 5)
 *   利用者負担     = 費用総額 − 保険請求額                               (step 6)
 *   全額負担分     = floor(超過単位数 × 単価)                            (step 7)
 * A limit-exempt line (加算 outside 区分支給限度) is priced on its own; its
 * over_limit_units, if any, are fully self-paid (e.g. 30日超 in 記載例33-1).
 *
 * 総合事業 (介護予防・日常生活支援総合事業, service types A1–A9 at the municipality's
 * prices): a line may carry a 定額 user charge, yen per count (fixed_charge). Its user
 * share is fixed × count, or floor(fixed × count × its in-limit units ÷ its units) when
 * only part of it is within the limit; the office's claim is then
 *   floor(定率 lines' in-limit units × 単価) × 給付率 (step 5, as above)
 *   + (費用総額 − that 定率 cost − the 定額 shares),
 * and 利用者負担 = 費用総額 − 保険請求額 as always. Over-limit units are 全額負担 as any.
 * A 事業対象者 (care level 06) has no national limit: the insurer's goes in limit_units.
 *
 * Failure: -1 with a Japanese message naming the office and line; the output
 * is then unspecified.
 */
#ifndef KAIGO_DOMAIN_SHEET7_H
#define KAIGO_DOMAIN_SHEET7_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/level.h"
#include "util/compiler.h"
#include "util/date.h"

#define S7_MAX_OFFICES 64
#define S7_MAX_LINES 2048
#define S7_MAX_LEVELS 4
#define S7_UNITS_MAX 10000000LL  /* per line, per count: no service is near it */
#define S7_COUNT_MAX 999         /* 回数／日数 is 3 digits (v4) */
#define S7_ERR_BYTES 320
#define S7_FIXED_MAX 99999LL     /* 定額利用者負担 yen per count: municipal charges are hundreds */

struct s7_line {
    char service_code[7];
    long long units;     /* 単位数 per time (a reduction is negative) */
    int rate_pct;        /* 割引後率 (%), 100 = no discount */
    long long count;     /* 回数／日数 */
    bool limit_exempt;   /* outside 区分支給限度 (限度額管理対象外) */
    bool over_given;     /* over_limit_units was given */
    long long over_limit_units;
    bool over_30_days;   /* a 短期入所 line of days beyond 30 in a row (UPSIKYU No.33 ３０日超区分 1) */
    bool fixed_given;    /* 総合事業 定額: the user pays fixed_charge yen per count */
    long long fixed_charge;
    /* out */
    long long discounted_units, service_units;
    long long over;      /* units allocated over the limit / fully self-paid */
    long long fixed_share; /* 定額 lines: the user's share of the line (yen) */
    /* out, limit-exempt lines only */
    long long ex_units, ex_total_cost, ex_claim, ex_user_share, ex_full_pay;
};

struct s7_office {
    char office_no[11];
    char service_type[3];
    int price_x100;      /* 単位数単価 × 100: 11.40 → 1140 */
    size_t first, n;     /* its lines: lines[first .. first + n) */
    /* out */
    long long in_limit_units, over_limit_units, total_cost, claim, user_share, full_pay;
};

struct s7_input {
    struct date month;   /* any day of the service month */
    enum care_level levels[S7_MAX_LEVELS];
    size_t nlevels;
    long long limit_units; /* < 0: from the heaviest level and the month */
    int benefit_rate;      /* 給付率 %: 90 / 80 / 70 */
    struct s7_office *offices;
    size_t noffices;
    struct s7_line *lines;
    size_t nlines;
    /* the care manager's choice of the line that bears the units over the limit first (its index
     * + 1; 0 = none): it takes as much of the excess as it has, the rest goes by the default from
     * the last line backwards. Ignored when any line gives over_limit_units. */
    size_t over_first;
};

struct s7_total {
    long long limit_units;
    long long in_limit_units, over_limit_units;
    long long total_cost, claim, user_share, full_pay;
};

MUST_CHECK int sheet7_compute(struct s7_input *in, struct s7_total *out, char err[S7_ERR_BYTES])
    NONNULL(1, 2, 3);

/* The 第7表 as rows of the CSV standard's UPSIKYU file (careplan-csv.md §7.6, §8.2).
 * Per office × service type in input order: a row per limit-managed line (its
 * units over / within the limit as allocated to it, 区分支給限度基準超 / 内); when
 * there is more than one, the office's amounts (区分支給限度基準内/超, 単価,
 * 費用総額, 給付率, 請求額, 利用者負担) go on a <種類>AAAA subtotal row after them,
 * else on the single line's row; then a row per limit-exempt line with its own
 * amounts (給付管理単位数 Null). Last the grand total (999999 / 9999999999) with
 * the totals. Subtotal and total rows: 単位数 0, 回数 0, rates Null. EEEE and ZZZZ
 * rows are optional and not written. Columns 34–36 (事業所コード, 入力者コード,
 * 更新業者コード) take the care manager's office, 9999999999 and the care manager's
 * office ([unverified] which column takes the fixed 9999999999). */
#define S7_CSV_COLS 37
struct s7_ident {
    char version[7];     /* CSVバージョン: "202407" */
    char insurer_no[7], insured_no[11];
    char created[9];     /* 作成年月日 YYYYMMDD */
    char plan_office[11]; /* the 居宅介護支援事業所's 事業所番号 */
    const char *const *office_names; /* per office, or NULL (empty) */
};
typedef int s7_row_fn(void *ctx, const char *const f[S7_CSV_COLS]);
/* sheet7_csv_rows - calls fn per row after sheet7_compute; stops and returns
 * fn's non-zero value, else 0. */
int sheet7_csv_rows(const struct s7_input *in, const struct s7_total *t, const struct s7_ident *id,
                    s7_row_fn *fn, void *ctx) NONNULL(1, 2, 3, 4);

/* s7_unit_price - the 1単位の単価 (×100) of a service type at an office of
 * 地域区分 grade 1–7 (8 = その他) in the month: the grade × 人件費割合 table
 * (data/rates.tsv chiiki_price, data/service-types.tsv). -1 if either is unknown. */
int s7_unit_price(const char *service_type, int grade, struct date month);
/* s7_service_type_name - "訪問介護", or NULL for an unknown type. */
const char *s7_service_type_name(const char *service_type, struct date month);

/* s7_price_parse - "11.40" / "10" / "10.5" → 1140 / 1000 / 1050; -1 unless 1.00–99.99 with ≤ 2 decimals. */
MUST_CHECK int s7_price_parse(const char *s, size_t n, int *x100);

#endif
