/* u-sheet7.c - the 第7表 computation (RULE-S7-001..005) against the official example
 * 記載例33-1 and the synthetic vector of benefit-math.md §7, and its allocation,
 * level, discount and refusal rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "domain/sheet7.h"

#define DD(y, m, d) ((struct date){y, m, d})

static struct s7_line L(const char *code, long long units, long long count, bool exempt, long long over, bool given)
{
    struct s7_line l;
    memset(&l, 0, sizeof l);
    snprintf(l.service_code, sizeof l.service_code, "%s", code);
    l.units = units;
    l.count = count;
    l.rate_pct = 100;
    l.limit_exempt = exempt;
    l.over_limit_units = over;
    l.over_given = given;
    return l;
}

static struct s7_office O(const char *no, const char *type, int price, size_t first, size_t n)
{
    struct s7_office o;
    memset(&o, 0, sizeof o);
    snprintf(o.office_no, sizeof o.office_no, "%s", no);
    snprintf(o.service_type, sizeof o.service_type, "%s", type);
    o.price_x100 = price;
    o.first = first;
    o.n = n;
    return o;
}

/* benefit-math.md §7.1: MHLW 記載例33-1 (短期入所生活介護, beyond 30 days) */
static void t_kisairei_33_1(void **state)
{
    (void)state;
    struct s7_line lines[] = {
        L("211131", 755, 30, false, 0, true),   /* 単独短期生活Ⅰ3 */
        L("216283", -30, 20, false, 0, true),   /* 長期利用者提供減算 */
        L("216100", 18, 30, true, 0, true),     /* サービス提供体制加算Ⅰ1 (outside the limit) */
        L("211131", 755, 1, false, 755, true),  /* 30日超: fully self-paid */
        L("216283", -30, 1, false, -30, true),
        L("216100", 18, 1, true, 18, true),
    };
    struct s7_office offices[] = {O("9070000060", "21", 1110, 0, 6)};
    struct s7_input in = {DD(2019, 4, 1), {LEVEL_KAIGO3}, 1, 26931, 90, offices, 1, lines, 6, 0};
    struct s7_total t;
    char err[S7_ERR_BYTES];
    assert_int_equal(sheet7_compute(&in, &t, err), 0);
    assert_int_equal(offices[0].in_limit_units, 22050);
    assert_int_equal(offices[0].over_limit_units, 725);
    assert_int_equal(offices[0].total_cost, 244755);
    assert_int_equal(offices[0].claim, 220279); /* 220,279.5 floored */
    assert_int_equal(offices[0].user_share, 24476);
    assert_int_equal(offices[0].full_pay, 8047); /* 8,047.5 floored */
    assert_int_equal(lines[2].ex_units, 540);
    assert_int_equal(lines[2].ex_total_cost, 5994);
    assert_int_equal(lines[2].ex_claim, 5394);
    assert_int_equal(lines[2].ex_user_share, 600);
    assert_int_equal(lines[5].ex_units, 0);
    assert_int_equal(lines[5].ex_full_pay, 199); /* 199.8 floored */
    assert_int_equal(t.total_cost, 244755 + 5994);
    assert_int_equal(t.claim, 220279 + 5394);
    assert_int_equal(t.user_share, 24476 + 600);
    assert_int_equal(t.full_pay, 8047 + 199);
}

/* benefit-math.md §7.2: synthetic, current limit (要介護1, 16,765), 訪問介護 1級地 */
static void t_synthetic(void **state)
{
    (void)state;
    struct s7_line lines[] = {L("111211", 425, 40, false, 0, false)}; /* 17,000 units */
    struct s7_office offices[] = {O("1310000001", "11", 1140, 0, 1)};
    struct s7_input in = {DD(2026, 4, 1), {LEVEL_KAIGO1}, 1, -1, 90, offices, 1, lines, 1, 0};
    struct s7_total t;
    char err[S7_ERR_BYTES];
    assert_int_equal(sheet7_compute(&in, &t, err), 0);
    assert_int_equal(t.limit_units, 16765);
    assert_int_equal(offices[0].in_limit_units, 16765);
    assert_int_equal(offices[0].over_limit_units, 235);
    assert_int_equal(offices[0].total_cost, 191121);
    assert_int_equal(offices[0].claim, 172008);
    assert_int_equal(offices[0].user_share, 19113);
    assert_int_equal(offices[0].full_pay, 2679);
}

/* default allocation: the excess comes off the last lines first, across offices */
/* the UPSIKYU rows: one managed line carries the office's amounts itself (no subtotal
 * row); two offices give their rows in input order and one grand total */
struct rows {
    int n;
    char code[8][8], office[8][11], cost[8][12], units[8][12], sum_units[8][12];
};
static int keep(void *ctx, const char *const f[S7_CSV_COLS])
{
    struct rows *r = ctx;
    if (r->n == 8)
        return 1;
    snprintf(r->code[r->n], sizeof r->code[0], "%s", f[8]);
    snprintf(r->office[r->n], sizeof r->office[0], "%s", f[6]);
    snprintf(r->cost[r->n], sizeof r->cost[0], "%s", f[23]);
    snprintf(r->units[r->n], sizeof r->units[0], "%s", f[21]);
    snprintf(r->sum_units[r->n], sizeof r->sum_units[0], "%s", f[16]);
    r->n++;
    return 0;
}

static void t_csv_rows(void **state)
{
    (void)state;
    struct s7_line lines[] = {L("111211", 425, 40, false, 0, false), L("151111", 658, 2, false, 0, false),
                              L("155051", 40, 2, false, 0, false)};
    struct s7_office offices[] = {O("1310000001", "11", 1140, 0, 1), O("1310000002", "15", 1090, 1, 2)};
    struct s7_input in = {DD(2026, 4, 1), {LEVEL_KAIGO5}, 1, -1, 90, offices, 2, lines, 3, 0};
    struct s7_total t;
    char err[S7_ERR_BYTES];
    assert_int_equal(sheet7_compute(&in, &t, err), 0);
    struct s7_ident id = {"202407", "122192", "0000000001", "20260325", "1270100017", NULL};
    struct rows r = {0};
    assert_int_equal(sheet7_csv_rows(&in, &t, &id, keep, &r), 0);
    assert_int_equal(r.n, 5);
    static const char *const codes[] = {"111211", "151111", "155051", "15AAAA", "999999"};
    for (int i = 0; i < 5; i++)
        assert_string_equal(r.code[i], codes[i]);
    assert_string_equal(r.office[4], "9999999999");
    assert_string_equal(r.units[0], "17000"); /* the single line: 区分支給限度基準内単位数 */
    assert_string_equal(r.cost[0], "193800"); /* floor(17000 × 11.40) */
    assert_string_equal(r.cost[1], "");       /* amounts of office 2 on its subtotal */
    assert_string_equal(r.sum_units[3], "1396");
    assert_string_equal(r.units[3], "1396");
    assert_string_equal(r.cost[3], "15216"); /* floor(1396 × 10.90) */
    char total[16];
    snprintf(total, sizeof total, "%lld", t.total_cost);
    assert_string_equal(r.cost[4], total);
    assert_int_equal(t.total_cost, 193800 + 15216);
    /* fn's refusal stops the rows */
    r.n = 8;
    assert_int_equal(sheet7_csv_rows(&in, &t, &id, keep, &r), 1);
}

static void t_default_allocation(void **state)
{
    (void)state;
    struct s7_line lines[] = {
        L("111211", 400, 20, false, 0, false), /* 8,000 */
        L("156111", 700, 8, false, 0, false),  /* 5,600 (通所介護) */
        L("156112", 500, 8, false, 0, false),  /* 4,000 */
        L("156113", 50, 8, true, 0, false),    /* exempt: not counted, not cut */
    };
    struct s7_office offices[] = {O("1310000001", "11", 1140, 0, 1), O("1310000002", "15", 1090, 1, 3)};
    struct s7_input in = {DD(2026, 4, 1), {LEVEL_KAIGO1}, 1, -1, 90, offices, 2, lines, 4, 0};
    struct s7_total t;
    char err[S7_ERR_BYTES];
    assert_int_equal(sheet7_compute(&in, &t, err), 0);
    /* 17,600 − 16,765 = 835 over, all from the last counted line (4,000) */
    assert_int_equal(lines[2].over, 835);
    assert_int_equal(lines[1].over, 0);
    assert_int_equal(lines[3].over, 0);
    assert_int_equal(offices[0].over_limit_units, 0);
    assert_int_equal(offices[1].over_limit_units, 835);
    assert_int_equal(t.in_limit_units, 16765);
    /* a larger excess spills into the line before */
    lines[2] = L("156112", 500, 8, false, 0, false);
    in.limit_units = 10000; /* over 7,600: 4,000 + 3,600 */
    assert_int_equal(sheet7_compute(&in, &t, err), 0);
    assert_int_equal(lines[2].over, 4000);
    assert_int_equal(lines[1].over, 3600);
    assert_int_equal(lines[0].over, 0);
}

/* the line the care manager chose (over_first) bears the excess first, the rest by the default from
 * the last line backwards; an exempt line cannot be chosen. Vector derived here (the arithmetic of
 * t_default_allocation's lines), not from a 記載例. */
static void t_over_first(void **state)
{
    (void)state;
    struct s7_line lines[] = {
        L("111211", 400, 20, false, 0, false), /* 8,000 */
        L("156111", 700, 8, false, 0, false),  /* 5,600 */
        L("156112", 500, 8, false, 0, false),  /* 4,000 */
        L("156113", 50, 8, true, 0, false),    /* exempt */
    };
    struct s7_office offices[] = {O("1310000001", "11", 1140, 0, 1), O("1310000002", "15", 1090, 1, 3)};
    struct s7_input in = {DD(2026, 4, 1), {LEVEL_KAIGO1}, 1, -1, 90, offices, 2, lines, 4, 1};
    struct s7_total t;
    char err[S7_ERR_BYTES];
    assert_int_equal(sheet7_compute(&in, &t, err), 0);
    assert_int_equal(lines[0].over, 835); /* the 訪問介護 line, not the last one */
    assert_int_equal(lines[2].over, 0);
    assert_int_equal(offices[0].over_limit_units, 835);
    assert_int_equal(offices[1].over_limit_units, 0);
    assert_int_equal(t.in_limit_units, 16765);
    /* more than the chosen line has: it gives all 5,600, the rest from the last line backwards */
    in.over_first = 2;
    in.limit_units = 8000; /* over 9,600 */
    assert_int_equal(sheet7_compute(&in, &t, err), 0);
    assert_int_equal(lines[1].over, 5600);
    assert_int_equal(lines[2].over, 4000);
    assert_int_equal(lines[0].over, 0);
    in.over_first = 4; /* the exempt line */
    assert_int_equal(sheet7_compute(&in, &t, err), -1);
    in.over_first = 9; /* no such line */
    assert_int_equal(sheet7_compute(&in, &t, err), -1);
}

/* the care manager's allocation is used as given; it must cover the excess */
static void t_given_allocation(void **state)
{
    (void)state;
    struct s7_line lines[] = {
        L("111211", 425, 40, false, 235, true), /* the 訪問介護 line takes the excess */
        L("156111", 700, 1, false, 0, true),
    };
    struct s7_office offices[] = {O("1310000001", "11", 1140, 0, 1), O("1310000002", "15", 1090, 1, 1)};
    struct s7_input in = {DD(2026, 4, 1), {LEVEL_KAIGO1}, 1, 16765 + 700, 90, offices, 2, lines, 2, 0};
    struct s7_total t;
    char err[S7_ERR_BYTES];
    assert_int_equal(sheet7_compute(&in, &t, err), 0);
    assert_int_equal(offices[0].over_limit_units, 235);
    assert_int_equal(offices[1].over_limit_units, 0);
    lines[0].over_limit_units = 200; /* 35 units short */
    assert_int_equal(sheet7_compute(&in, &t, err), -1);
    assert_non_null(strstr(err, "235単位超えています"));
    lines[0].over_limit_units = 20000; /* more than the line */
    assert_int_equal(sheet7_compute(&in, &t, err), -1);
    assert_non_null(strstr(err, "111211"));
}

/* RULE-S7-005: a change of level within the month → the heavier level's limit */
static void t_levels(void **state)
{
    (void)state;
    struct s7_line lines[] = {L("111211", 400, 45, false, 0, false)}; /* 18,000 */
    struct s7_office offices[] = {O("1310000001", "11", 1000, 0, 1)};
    struct s7_input in = {DD(2026, 4, 1), {LEVEL_KAIGO1, LEVEL_KAIGO2}, 2, -1, 80, offices, 1, lines, 1, 0};
    struct s7_total t;
    char err[S7_ERR_BYTES];
    assert_int_equal(sheet7_compute(&in, &t, err), 0);
    assert_int_equal(t.limit_units, 19705);
    assert_int_equal(t.over_limit_units, 0);
    assert_int_equal(offices[0].total_cost, 180000);
    assert_int_equal(offices[0].claim, 144000); /* 給付率 80 */
    in.levels[0] = LEVEL_KAIGO3; /* order does not matter */
    assert_int_equal(sheet7_compute(&in, &t, err), 0);
    assert_int_equal(t.limit_units, 27048);
    in.month = DD(2019, 9, 15); /* the older table for an older month */
    assert_int_equal(sheet7_compute(&in, &t, err), 0);
    assert_int_equal(t.limit_units, 26931);
}

/* RULE-S7-001: 割引後単位数 half-up; yen floored per office */
static void t_discount_and_rounding(void **state)
{
    (void)state;
    static const struct {
        long long units;
        int pct;
        long long want;
    } t[] = {{425, 95, 404}, /* 403.75 → 404 */ {250, 90, 225}, {271, 95, 257} /* 257.45 → 257 */,
             {-30, 95, -29} /* −28.5 → −29 (half away from zero) */, {1, 50, 1} /* 0.5 → 1 */};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        /* a base line keeps the office's total positive when the tested line is a reduction */
        struct s7_line lines[] = {L("111211", 1000, 1, false, 0, false), L("111212", t[i].units, 1, false, 0, false)};
        lines[1].rate_pct = t[i].pct;
        struct s7_office offices[] = {O("1310000001", "11", 1140, 0, 2)};
        struct s7_input in = {DD(2026, 4, 1), {LEVEL_KAIGO5}, 1, -1, 90, offices, 1, lines, 2, 0};
        struct s7_total tt;
        char err[S7_ERR_BYTES];
        assert_int_equal(sheet7_compute(&in, &tt, err), 0);
        if (lines[1].discounted_units != t[i].want)
            fail_msg("%lld × %d%%: %lld, want %lld", t[i].units, t[i].pct, lines[1].discounted_units, t[i].want);
        assert_int_equal(offices[0].total_cost, (1000 + t[i].want) * 1140 / 100);
    }
}

static void t_refusals(void **state)
{
    (void)state;
    struct s7_line lines[] = {L("111211", 400, 10, false, 0, false)};
    struct s7_office offices[] = {O("1310000001", "11", 1140, 0, 1), O("1310000001", "11", 1140, 0, 1)};
    struct s7_input in = {DD(2026, 4, 1), {LEVEL_KAIGO1}, 1, -1, 90, offices, 1, lines, 1, 0};
    struct s7_total t;
    char err[S7_ERR_BYTES];
    in.noffices = 2;
    assert_int_equal(sheet7_compute(&in, &t, err), -1); /* the same office and type twice */
    in.noffices = 1;
    snprintf(lines[0].service_code, sizeof lines[0].service_code, "151111");
    assert_int_equal(sheet7_compute(&in, &t, err), -1); /* code of another type */
    assert_non_null(strstr(err, "先頭2桁"));
    snprintf(lines[0].service_code, sizeof lines[0].service_code, "111211");
    lines[0].count = 1000;
    assert_int_equal(sheet7_compute(&in, &t, err), -1);
    lines[0].count = 10;
    in.levels[0] = LEVEL_JIGYO; /* the municipality sets it: limit_units needed */
    assert_int_equal(sheet7_compute(&in, &t, err), -1);
    assert_non_null(strstr(err, "limit_units"));
    in.limit_units = 5000;
    assert_int_equal(sheet7_compute(&in, &t, err), 0);
    in.benefit_rate = 101;
    assert_int_equal(sheet7_compute(&in, &t, err), -1);
}


/* RULE-S7-007 against 記載例6 「事業対象者が保険者独自(定額)サービスを受けた場合のサービス利用票別表(計画単位数を
 * 超過した場合)」 of 「平成27年度制度改正における様式記載例パターン」 (read in a transcription, vdocuments.mx; the
 * issuer is not visible there - docs/sheet7.md): limit 10,473 set by the municipality, 10.35 円, three A4 (訪問型
 * 独自/定額) services - 401 単位 at 414 円/回 × 5, 401 at 777 円/回 × 5, 871 at 871 円/回 × 8 at another office; the
 * care manager puts the 505 units over the limit on the 777 円 line. The codes are the example's ◇◆ placeholders. */
static void t_kisairei6_teigaku(void **state)
{
    (void)state;
    struct s7_line lines[] = {L("A41001", 401, 5, false, 0, true), L("A41002", 401, 5, false, 505, true),
                              L("A41003", 871, 8, false, 0, true)};
    lines[0].fixed_given = lines[1].fixed_given = lines[2].fixed_given = true;
    lines[0].fixed_charge = 414;
    lines[1].fixed_charge = 777;
    lines[2].fixed_charge = 871;
    struct s7_office offices[] = {O("90A0100040", "A4", 1035, 0, 2), O("90A0100060", "A4", 1035, 2, 1)};
    struct s7_input in = {DD(2015, 4, 1), {LEVEL_JIGYO}, 1, 10473, 90, offices, 2, lines, 3, 0};
    struct s7_total t;
    char err[S7_ERR_BYTES];
    assert_int_equal(sheet7_compute(&in, &t, err), 0);
    assert_int_equal(lines[0].fixed_share, 2070);
    assert_int_equal(lines[1].fixed_share, 2906); /* 777 × 1,500 ÷ 401 = 2,906.48 */
    assert_int_equal(offices[0].over_limit_units, 505);
    assert_int_equal(offices[0].total_cost, 36276);
    assert_int_equal(offices[0].claim, 31300);
    assert_int_equal(offices[0].user_share, 4976);
    assert_int_equal(offices[0].full_pay, 5226);
    assert_int_equal(offices[1].total_cost, 72118);
    assert_int_equal(offices[1].claim, 65150);
    assert_int_equal(offices[1].user_share, 6968);
    assert_int_equal(t.in_limit_units, 10473);
    assert_int_equal(t.over_limit_units, 505);
}

/* RULE-S7-007: 総合事業 with a 定額 line over the 事業対象者's limit. DERIVED vector (worked by hand from the
 * rule of issue #17 §1, not from an MHLW 記載例: none with 定額 over the limit was found; docs/rules/sheet7.md):
 * limit 5,032 (the insurer's), 通所型独自サービス (A6, 定率) 1,798 units and 通所型サービス独自/定額 (A8) 300 units ×
 * 12 at 250 円/回, both at 10.00 円. 5,398 units: 366 over, taken from the A8 line (the last). */
static void t_sogo_fixed(void **state)
{
    (void)state;
    struct s7_line lines[] = {L("A61111", 1798, 1, false, 0, false), L("A81001", 300, 12, false, 0, false)};
    lines[1].fixed_given = true;
    lines[1].fixed_charge = 250;
    struct s7_office offices[] = {O("1310000001", "A6", 1000, 0, 1), O("1310000002", "A8", 1000, 1, 1)};
    struct s7_input in = {DD(2026, 4, 1), {LEVEL_JIGYO}, 1, 5032, 90, offices, 2, lines, 2, 0};
    struct s7_total t;
    char err[S7_ERR_BYTES];
    assert_int_equal(sheet7_compute(&in, &t, err), 0);
    assert_int_equal(lines[1].over, 366);
    assert_int_equal(offices[0].total_cost, 17980); /* 定率 as before */
    assert_int_equal(offices[0].claim, 16182);
    assert_int_equal(offices[0].user_share, 1798);
    assert_int_equal(offices[1].in_limit_units, 3234);
    assert_int_equal(offices[1].total_cost, 32340);
    assert_int_equal(lines[1].fixed_share, 2695); /* floor(250 × 12 × 3,234 ÷ 3,600) = floor(2,695.0) */
    assert_int_equal(offices[1].user_share, 2695);
    assert_int_equal(offices[1].claim, 29645); /* 費用総額 − the 定額 share */
    assert_int_equal(offices[1].full_pay, 3660); /* 366 over × 10.00 */
    assert_int_equal(t.total_cost, 50320);
    assert_int_equal(t.claim, 45827);
    assert_int_equal(t.user_share, 4493);
    assert_int_equal(t.full_pay, 3660);
    /* within the limit the share is the whole fixed × count */
    in.limit_units = 6000;
    assert_int_equal(sheet7_compute(&in, &t, err), 0);
    assert_int_equal(lines[1].fixed_share, 3000);
    assert_int_equal(offices[1].claim, 36000 - 3000);
    /* a 定額 and a 定率 line at one office (DERIVED): 定率 on floor(rate units × 単価), the rest less the 定額 */
    struct s7_line mix[] = {L("A21111", 1176, 1, false, 0, false), L("A21201", 251, 3, false, 0, false)};
    mix[1].fixed_given = true;
    mix[1].fixed_charge = 200;
    struct s7_office one[] = {O("1310000003", "A2", 1072, 0, 2)};
    struct s7_input m = {DD(2026, 4, 1), {LEVEL_SHIEN1}, 1, -1, 80, one, 1, mix, 2, 0};
    assert_int_equal(sheet7_compute(&m, &t, err), 0);
    assert_int_equal(one[0].total_cost, 20678); /* floor(1,929 × 10.72) = floor(20,678.88) */
    /* 定率: floor(1,176 × 10.72) = 12,606 → claim floor(12,606 × 0.8) = 10,084; 定額 cost 20,678 − 12,606 = 8,072 */
    assert_int_equal(one[0].claim, 10084 + 8072 - 600);
    assert_int_equal(one[0].user_share, 20678 - (10084 + 8072 - 600));
    /* refusals: the 定額 above the lines' cost; a negative or too large charge; a reduction line */
    mix[1].fixed_charge = 3000;
    assert_int_equal(sheet7_compute(&m, &t, err), -1);
    assert_non_null(strstr(err, "定額"));
    mix[1].fixed_charge = -1;
    assert_int_equal(sheet7_compute(&m, &t, err), -1);
    mix[1].fixed_charge = S7_FIXED_MAX + 1;
    assert_int_equal(sheet7_compute(&m, &t, err), -1);
    mix[1].fixed_charge = 200;
    mix[1].units = -251;
    assert_int_equal(sheet7_compute(&m, &t, err), -1);
    /* a reduction larger than the office's 定率 lines, beside a 定額 line: refused, not a negative claim */
    mix[1].units = 251;
    mix[0].units = -100;
    assert_int_equal(sheet7_compute(&m, &t, err), -1);
    assert_non_null(strstr(err, "減算"));
    /* 事業対象者 without the insurer's limit: said so */
    in.limit_units = -1;
    assert_int_equal(sheet7_compute(&in, &t, err), -1);
    assert_non_null(strstr(err, "事業対象者"));
}

static void t_price(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int want; /* -1 refused */
    } t[] = {{"11.40", 1140}, {"10", 1000}, {"10.5", 1050}, {"99.99", 9999}, {"1.00", 100},
             {"0.99", -1},    {"100", -1},  {"11.405", -1}, {"11.", -1},     {".5", -1},
             {"1a", -1},      {"", -1},     {"-1", -1}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int v = 0;
        int rc = s7_price_parse(t[i].s, strlen(t[i].s), &v);
        if (t[i].want < 0 ? rc != -1 : rc != 0 || v != t[i].want)
            fail_msg("%s: rc %d v %d", t[i].s, rc, v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_kisairei_33_1),     cmocka_unit_test(t_synthetic),
        cmocka_unit_test(t_default_allocation),
        cmocka_unit_test(t_over_first),
        cmocka_unit_test(t_csv_rows), cmocka_unit_test(t_given_allocation),
        cmocka_unit_test(t_levels),             cmocka_unit_test(t_discount_and_rounding),
        cmocka_unit_test(t_refusals),           cmocka_unit_test(t_price),
        cmocka_unit_test(t_sogo_fixed),         cmocka_unit_test(t_kisairei6_teigaku),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
