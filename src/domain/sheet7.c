/*
 * sheet7.c - the 第7表 computation; see sheet7.h.
 *
 * RULE-S7-001 (記載要領): 割引後単位数 rounded half-up.
 * RULE-S7-002 (留意事項通知 「端数処理」): yen = floor(units × unit price).
 * RULE-S7-003 (記載要領): 保険請求額 = floor(費用総額 × 給付率); the user pays the rest.
 * RULE-S7-004: 全額負担分 = floor(units over the limit × unit price), per office × service type.
 * RULE-S7-005 (benefit-math.md §2): the heaviest level of the month sets the limit; add-ons
 *   flagged outside the limit (限度額管理対象外) are not counted toward it.
 * RULE-S7-007 (介護保険法 第115条の45の3: the 第一号事業支給費 is the municipality's to set, and the
 *   総合事業ガイドライン lets it set the user's charge 定率 or 定額; issue #17 §1 - [likely]): a 定額
 *   line's user share is fixed × count, prorated by its in-limit units; the claim is the rest.
 */
#include <stdio.h>
#include <string.h>

#include "util/text.h"
#include "domain/codes.h"
#include "domain/rates.h"
#include "domain/sheet7.h"
#include "util/banned.h"

/* yen_floor - floor(units × price_x100 / 100) for any sign. */
static long long yen_floor(long long units, int price_x100)
{
    long long p = units * price_x100;
    long long q = p / 100;
    if (p % 100 != 0 && p < 0)
        q--;
    return q;
}

/* claim_of - floor(cost × rate / 100) for any sign (RULE-S7-003). */
static long long claim_of(long long cost, int rate)
{
    long long p = cost * rate, q = p / 100;
    return p % 100 != 0 && p < 0 ? q - 1 : q;
}

/* half_up - round-half-up(units × pct / 100), away from zero for negatives (symmetric). */
static long long half_up(long long units, int pct)
{
    long long p = units * pct;
    long long a = p < 0 ? -p : p;
    long long r = (a + 50) / 100;
    return p < 0 ? -r : r;
}

int s7_price_parse(const char *s, size_t n, int *x100)
{
    int whole = 0, frac = 0, fd = 0;
    size_t i = 0;
    if (n == 0 || n > 5)
        return -1;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        whole = whole * 10 + (s[i] - '0');
    if (i == 0 || i > 2)
        return -1;
    if (i < n) {
        if (s[i++] != '.' || i == n)
            return -1;
        for (; i < n; i++, fd++) {
            if (s[i] < '0' || s[i] > '9' || fd == 2)
                return -1;
            frac = frac * 10 + (s[i] - '0');
        }
        if (fd == 1)
            frac *= 10;
    }
    int v = whole * 100 + frac;
    if (v < 100)
        return -1;
    *x100 = v;
    return 0;
}

static int failf(char err[S7_ERR_BYTES], const char *office, const char *code, const char *msg)
{
    if (office && code)
        snprintf(err, S7_ERR_BYTES, "事業所 %s のサービスコード %s: %s", office, code, msg);
    else if (office)
        snprintf(err, S7_ERR_BYTES, "事業所 %s: %s", office, msg);
    else
        snprintf(err, S7_ERR_BYTES, "%s", msg);
    return -1;
}

/* fixed_share_of - RULE-S7-007: a 定額 line's user share, prorated by its in-limit units (after step 3) */
static long long fixed_share_of(const struct s7_line *l)
{
    long long whole = l->fixed_charge * l->count;
    if (l->over == 0 || l->service_units <= 0)
        return whole;
    return whole * (l->service_units - l->over) / l->service_units; /* ≤ 99,999 × 999 × 10^10 < 2^63 */
}

static bool same_sign_within(long long over, long long units)
{
    return units >= 0 ? over >= 0 && over <= units : over <= 0 && over >= units;
}

int sheet7_compute(struct s7_input *in, struct s7_total *out, char err[S7_ERR_BYTES])
{
    memset(out, 0, sizeof *out);
    err[0] = '\0';
    if (in->benefit_rate < 0 || in->benefit_rate > 100)
        return failf(err, NULL, NULL, "給付率(benefit_rate)は 0〜100 の整数です(1割負担は 90)");
    if (in->noffices > S7_MAX_OFFICES || in->nlines > S7_MAX_LINES)
        return failf(err, NULL, NULL, "事業所または明細の数が上限を超えています");
    /* RULE-S7-005: the heaviest level of the month */
    enum care_level heavy = LEVEL_NONE;
    for (size_t i = 0; i < in->nlevels; i++)
        if (heavy == LEVEL_NONE || level_cmp(in->levels[i], heavy) > 0)
            heavy = in->levels[i];
    long long limit = in->limit_units;
    if (limit < 0) {
        struct date first = {in->month.y, in->month.m, 1};
        limit = heavy == LEVEL_NONE ? -1 : level_kubun_limit(heavy, first);
        if (limit < 0 && heavy == LEVEL_JIGYO)
            return failf(err, NULL, NULL,
                         "事業対象者の支給限度額は市町村(保険者)が定めます(limit_units に単位数で指定してください)");
        if (limit < 0)
            return failf(err, NULL, NULL,
                         "この要介護状態区分・月の区分支給限度基準額がありません(limit_units を指定してください)");
    }
    out->limit_units = limit;

    /* steps 1–2, and the units that count toward the limit */
    long long counted = 0;
    bool any_given = false;
    for (size_t o = 0; o < in->noffices; o++) {
        struct s7_office *of = &in->offices[o];
        if (of->first > in->nlines || of->n > in->nlines - of->first)
            return failf(err, of->office_no, NULL, "明細の範囲が不正です");
        if (of->price_x100 < 100 || of->price_x100 > 9999)
            return failf(err, of->office_no, NULL, "単位数単価は 1.00〜99.99 です");
        for (size_t p = 0; p < o; p++)
            if (!strcmp(in->offices[p].office_no, of->office_no) &&
                !strcmp(in->offices[p].service_type, of->service_type))
                return failf(err, of->office_no, NULL, "同じ事業所・サービス種類が二度あります");
        for (size_t i = of->first; i < of->first + of->n; i++) {
            struct s7_line *l = &in->lines[i];
            if (l->units < -S7_UNITS_MAX || l->units > S7_UNITS_MAX)
                return failf(err, of->office_no, l->service_code, "単位数が大きすぎます");
            if (l->count < 0 || l->count > S7_COUNT_MAX)
                return failf(err, of->office_no, l->service_code, "回数は 0〜999 です");
            if (l->rate_pct < 1 || l->rate_pct > 100)
                return failf(err, of->office_no, l->service_code, "割引後率は 1〜100(%)です");
            if (strncmp(l->service_code, of->service_type, 2) != 0)
                return failf(err, of->office_no, l->service_code,
                             "サービスコードの先頭2桁がサービス種類と一致しません");
            l->discounted_units = half_up(l->units, l->rate_pct); /* RULE-S7-001 */
            l->service_units = l->discounted_units * l->count;
            if (l->over_given && !same_sign_within(l->over_limit_units, l->service_units))
                return failf(err, of->office_no, l->service_code,
                             "over_limit_units はその行のサービス単位数の範囲(同じ符号)で指定してください");
            if (l->fixed_given && (l->fixed_charge < 0 || l->fixed_charge > S7_FIXED_MAX))
                return failf(err, of->office_no, l->service_code, "定額の利用者負担(fixed_user_charge)は 0〜99999 円/回です");
            if (l->fixed_given && l->units < 0)
                return failf(err, of->office_no, l->service_code, "定額の利用者負担は単位数が正の行にだけ指定できます");
            any_given |= l->over_given;
            if (!l->limit_exempt)
                counted += l->service_units;
        }
    }

    /* step 3: the allocation over the limit */
    long long excess = counted > limit ? counted - limit : 0;
    long long allocated = 0;
    for (size_t i = 0; i < in->nlines; i++) {
        struct s7_line *l = &in->lines[i];
        l->over = any_given && l->over_given ? l->over_limit_units : 0;
        if (!l->limit_exempt)
            allocated += l->over;
    }
    if (any_given && allocated < excess) {
        snprintf(err, S7_ERR_BYTES,
                 "区分支給限度基準額(%lld単位)を%lld単位超えていますが、over_limit_units の割当は%lld単位です",
                 limit, excess, allocated);
        return -1;
    }
    if (!any_given && in->over_first) { /* the line the care manager chose bears it first */
        if (in->over_first > in->nlines || in->lines[in->over_first - 1].limit_exempt) {
            snprintf(err, S7_ERR_BYTES, "限度超過を割り当てる行には、区分支給限度基準額の対象の行を選んでください");
            return -1;
        }
        struct s7_line *l = &in->lines[in->over_first - 1];
        if (l->service_units > 0) {
            l->over = l->service_units < excess ? l->service_units : excess;
            excess -= l->over;
        }
    }
    if (!any_given) /* the documented default: from the last line backwards */
        for (size_t i = in->nlines; i-- > 0 && excess > 0;) {
            struct s7_line *l = &in->lines[i];
            if (l->limit_exempt || l->service_units <= 0 || i + 1 == in->over_first)
                continue;
            l->over = l->service_units < excess ? l->service_units : excess;
            excess -= l->over;
        }

    /* steps 4–7 */
    for (size_t o = 0; o < in->noffices; o++) {
        struct s7_office *of = &in->offices[o];
        long long units = 0, over = 0, rate_units = 0, fixed_share = 0;
        bool any_fixed = false;
        of->in_limit_units = of->over_limit_units = 0;
        for (size_t i = of->first; i < of->first + of->n; i++) {
            struct s7_line *l = &in->lines[i];
            l->fixed_share = l->fixed_given ? fixed_share_of(l) : 0;
            if (l->limit_exempt) {
                l->ex_units = l->service_units - l->over;
                l->ex_total_cost = yen_floor(l->ex_units, of->price_x100);
                l->ex_claim = l->fixed_given ? l->ex_total_cost - l->fixed_share
                                             : claim_of(l->ex_total_cost, in->benefit_rate);
                if (l->ex_claim < 0)
                    return failf(err, of->office_no, l->service_code, "定額の利用者負担がその行の費用総額を超えます");
                l->ex_user_share = l->ex_total_cost - l->ex_claim;
                l->ex_full_pay = yen_floor(l->over, of->price_x100);
                out->total_cost += l->ex_total_cost;
                out->claim += l->ex_claim;
                out->user_share += l->ex_user_share;
                out->full_pay += l->ex_full_pay;
                continue;
            }
            units += l->service_units;
            over += l->over;
            if (l->fixed_given) {
                any_fixed = true;
                fixed_share += l->fixed_share;
            } else
                rate_units += l->service_units - l->over;
        }
        of->in_limit_units = units - over;
        of->over_limit_units = over;
        of->total_cost = yen_floor(of->in_limit_units, of->price_x100); /* RULE-S7-002 */
        if (of->total_cost < 0)
            return failf(err, of->office_no, NULL, "区分支給限度基準内の単位数が負になります");
        if (!any_fixed)
            of->claim = claim_of(of->total_cost, in->benefit_rate);
        else { /* RULE-S7-007: 定率 on the 定率 lines' cost, the 定額 shares from the rest */
            long long rate_cost = yen_floor(rate_units, of->price_x100);
            long long fixed_cost = of->total_cost - rate_cost;
            if (rate_cost < 0)
                return failf(err, of->office_no, NULL,
                             "定額の行がある事業所では、減算(負の単位数)は定率の行の単位数を超えられません");
            if (fixed_cost < fixed_share)
                return failf(err, of->office_no, NULL, "定額の利用者負担の合計が定額の行の費用総額を超えます");
            of->claim = claim_of(rate_cost, in->benefit_rate) + fixed_cost - fixed_share;
        }
        of->user_share = of->total_cost - of->claim;
        of->full_pay = yen_floor(over, of->price_x100); /* RULE-S7-004 */
        out->in_limit_units += of->in_limit_units;
        out->over_limit_units += of->over_limit_units;
        out->total_cost += of->total_cost;
        out->claim += of->claim;
        out->user_share += of->user_share;
        out->full_pay += of->full_pay;
    }
    return 0;
}

static const struct code_row *service_type(const char *code, struct date on)
{
    for (unsigned i = 0; i < service_types_len; i++)
        if (strcmp(service_types[i].f[0], code) == 0 && date_cmp(service_types[i].from, on) <= 0 &&
            date_cmp(on, service_types[i].to) <= 0)
            return &service_types[i];
    return NULL;
}

const char *s7_service_type_name(const char *code, struct date month)
{
    const struct code_row *r = service_type(code, (struct date){month.y, month.m, 1});
    return r ? r->f[1] : NULL;
}

int s7_unit_price(const char *code, int grade, struct date month)
{
    struct date first = {month.y, month.m, 1};
    const struct code_row *r = service_type(code, first);
    if (!r || grade < 1 || grade > 8)
        return -1;
    char key[16];
    snprintf(key, sizeof key, "%d/%s", grade, r->f[2]);
    long long v;
    return rate_get("chiiki_price", key, first, &v) ? -1 : (int)v;
}

/* ---- the UPSIKYU rows ------------------------------------------------------ */

struct s7_row {
    const char *f[S7_CSV_COLS];
    char v[S7_CSV_COLS][24];
};

static void row_init(struct s7_row *r, const struct s7_input *in, const struct s7_ident *id)
{
    for (int i = 0; i < S7_CSV_COLS; i++) {
        r->v[i][0] = '\0';
        r->f[i] = r->v[i];
    }
    r->f[0] = id->version;
    r->f[1] = id->insurer_no;
    r->f[2] = id->insured_no;
    r->f[3] = id->created;
    snprintf(r->v[4], sizeof r->v[4], "%04d%02d", in->month.y, in->month.m);
    /* No.33 ３０日超区分: written on every row. The 別紙 text copy marks it ○ (its 1：該当、0：非該当 carries the
     * mark), as the 第6表's own ３０日超区分 (No.23) is; kaigo reads files that leave it empty (docs/exchange.md) */
    snprintf(r->v[32], sizeof r->v[32], "0");
    r->f[33] = id->plan_office;
    r->f[34] = "9999999999"; /* careplan-csv.md §7.6 No.35: 「9999999999を固定でセット」 [unverified] */
    r->f[35] = id->plan_office;
}

static void set_int(struct s7_row *r, int col, long long v)
{
    snprintf(r->v[col - 1], sizeof r->v[0], "%lld", v);
}

static void set_price(struct s7_row *r, int price_x100)
{
    snprintf(r->v[22], sizeof r->v[0], "%d.%02d", price_x100 / 100, price_x100 % 100);
}

/* the line's own columns: 単位数, 割引後率 / 割引後単位数 when discounted, 回数, サービス単位 */
static void set_line(struct s7_row *r, const struct s7_line *l)
{
    str_cut(r->v[8], sizeof r->v[0], l->service_code);
    set_int(r, 13, l->units);
    if (l->rate_pct != 100) {
        set_int(r, 14, l->rate_pct);
        set_int(r, 15, l->discounted_units);
    }
    set_int(r, 16, l->count);
    set_int(r, 17, l->service_units);
    if (l->fixed_given)
        set_int(r, 27, l->fixed_charge); /* 定額利用者負担単価金額 */
    if (l->over_30_days)
        set_int(r, 33, 1);
}

/* the amounts: 区分支給限度基準超/内, 単価, 費用総額, 給付率, 請求額, 利用者負担, 全額負担 */
static void set_money(struct s7_row *r, long long over, long long in_limit, int price_x100, long long cost,
                      int rate, long long claim, long long share, long long full)
{
    set_int(r, 21, over);
    set_int(r, 22, in_limit);
    if (price_x100 > 0)
        set_price(r, price_x100);
    set_int(r, 24, cost);
    if (rate > 0)
        set_int(r, 25, rate);
    set_int(r, 26, claim);
    set_int(r, 28, share);
    set_int(r, 29, full);
}

int sheet7_csv_rows(const struct s7_input *in, const struct s7_total *t, const struct s7_ident *id,
                    s7_row_fn *fn, void *ctx)
{
    struct s7_row r;
    int rc;
    for (size_t o = 0; o < in->noffices; o++) {
        const struct s7_office *of = &in->offices[o];
        const char *name = id->office_names && id->office_names[o] ? id->office_names[o] : "";
        size_t managed = 0, fixed = 0;
        long long units = 0;
        for (size_t i = of->first; i < of->first + of->n; i++)
            if (!in->lines[i].limit_exempt) {
                managed++;
                fixed += in->lines[i].fixed_given;
                units += in->lines[i].service_units;
            }
        /* 記載例6: an office of 定額 lines only leaves 給付率 empty (no rate is applied) */
        int rate = managed && fixed == managed ? 0 : in->benefit_rate;
        for (size_t i = of->first; i < of->first + of->n; i++) {
            const struct s7_line *l = &in->lines[i];
            if (l->limit_exempt)
                continue;
            row_init(&r, in, id);
            r.f[5] = name;
            str_cut(r.v[6], sizeof r.v[0], of->office_no);
            set_line(&r, l);
            set_int(&r, 18, l->service_units); /* 給付管理単位数 */
            set_int(&r, 21, l->over);          /* the care manager's allocation on this line */
            set_int(&r, 22, l->service_units - l->over);
            if (managed == 1)
                set_money(&r, of->over_limit_units, of->in_limit_units, of->price_x100, of->total_cost, rate,
                          of->claim, of->user_share, of->full_pay);
            if ((rc = fn(ctx, r.f)) != 0)
                return rc;
        }
        if (managed > 1) { /* 種類別小計: required when the type has more than one code row (§8.2) */
            row_init(&r, in, id);
            r.f[5] = name;
            str_cut(r.v[6], sizeof r.v[0], of->office_no);
            snprintf(r.v[8], sizeof r.v[0], "%.2sAAAA", of->service_type);
            set_int(&r, 13, 0);
            set_int(&r, 16, 0);
            set_int(&r, 17, units);
            set_int(&r, 18, units);
            set_money(&r, of->over_limit_units, of->in_limit_units, of->price_x100, of->total_cost, rate,
                      of->claim, of->user_share, of->full_pay);
            if ((rc = fn(ctx, r.f)) != 0)
                return rc;
        }
        for (size_t i = of->first; i < of->first + of->n; i++) { /* outside 区分支給限度: priced alone */
            const struct s7_line *l = &in->lines[i];
            if (!l->limit_exempt)
                continue;
            row_init(&r, in, id);
            r.f[5] = name;
            str_cut(r.v[6], sizeof r.v[0], of->office_no);
            set_line(&r, l);
            set_money(&r, l->over, l->ex_units, of->price_x100, l->ex_total_cost,
                      l->fixed_given ? 0 : in->benefit_rate, l->ex_claim, l->ex_user_share, l->ex_full_pay);
            if ((rc = fn(ctx, r.f)) != 0)
                return rc;
        }
    }
    row_init(&r, in, id); /* the grand total (§8.2: always required) */
    snprintf(r.v[6], sizeof r.v[0], "9999999999");
    snprintf(r.v[8], sizeof r.v[0], "999999");
    set_int(&r, 13, 0);
    set_int(&r, 16, 0);
    set_money(&r, t->over_limit_units, t->in_limit_units, 0, t->total_cost, 0, t->claim, t->user_share,
              t->full_pay);
    return fn(ctx, r.f);
}
