/*
 * burden.h - 負担割合 (1/2/3割) determination and its period, and the
 * 負担限度額認定 stages with their daily limits. Pure; thresholds are dated
 * rows of data/rates.tsv. See docs/rules/burden.md.
 */
#ifndef KAIGO_DOMAIN_BURDEN_H
#define KAIGO_DOMAIN_BURDEN_H

#include <stdbool.h>

#include "util/compiler.h"
#include "util/date.h"

struct burden_input {
    bool dai2go;            /* 第2号被保険者 (40–64) */
    bool hikazei;           /* 市町村民税非課税 */
    bool seiho;             /* 生活保護 */
    long long own_income;   /* 本人の合計所得金額 (yen) */
    long long household_income; /* 世帯の65歳以上の 年金収入+その他の合計所得金額 (yen) */
    int household_65plus;   /* 世帯の第1号被保険者の数 (1 = single) */
};

struct burden_result {
    int ratio;          /* 1, 2 or 3 (割) */
    int step;           /* decision step of benefit-math.md §5.2 that decided it (1–5) */
    const char *reason; /* Japanese, naming the thresholds in force; valid until the next decision in this thread */
};

/* burden_decide - the 負担割合 for a period starting on 'on' (income of the
 * previous year is the caller's input). Returns 0, or -1 if no rule for 'on' or the table lacks
 * a row of a tier in force on 'on' (never read as "tier not met"). */
MUST_CHECK int burden_decide(const struct burden_input *in, struct date on,
                             struct burden_result *out);
/* burden_period - the 8/1–7/31 period containing d. */
void burden_period(struct date d, struct date *from, struct date *to);
/* 給付率 (percent) for a ratio: 90/80/70. */
int burden_benefit_rate(int ratio);

/* 負担限度額 stages (利用者負担段階). */
enum limit_stage { STAGE_NONE = 0, STAGE_1, STAGE_2, STAGE_3A, STAGE_3B, STAGE_4 };
MUST_CHECK int limit_stage_parse(const char *s, size_t n, enum limit_stage *out);
const char *limit_stage_name(enum limit_stage s); /* 第3段階① */
const char *limit_stage_key(enum limit_stage s);  /* "3a" */

struct limit_input {
    bool seiho;              /* 生活保護 */
    bool rofuku_nenkin;      /* 老齢福祉年金受給者 */
    bool household_hikazei;  /* 世帯全員が市町村民税非課税 (配偶者を含む) */
    bool dai2go;
    bool has_spouse;
    long long pension_etc;   /* 年金収入等 (非課税年金を含む) + その他の合計所得金額 */
    long long savings;       /* 預貯金等 (配偶者分を含む) */
};

/* limit_stage_decide - the stage on 'on'; STAGE_4 = not eligible. Returns 0,
 * or -1 if no rule for 'on'. *reason gets a sentence naming the threshold in force, valid until
 * the next decision in this thread. */
MUST_CHECK int limit_stage_decide(const struct limit_input *in, struct date on,
                                  enum limit_stage *out, const char **reason);

/* The items of 負担限度額認定証 (yen/day). */
enum limit_item {
    LIMIT_FOOD_FACILITY,
    LIMIT_FOOD_SHORT,
    LIMIT_ROOM_UNIT_PRIVATE,
    LIMIT_ROOM_UNIT_SEMI,
    LIMIT_ROOM_TRAD_TOKUYO,
    LIMIT_ROOM_TRAD_ROKEN,
    LIMIT_ROOM_MULTI_TOKUYO,
    LIMIT_ROOM_MULTI_ROKEN,     /* no room fee charged */
    LIMIT_ROOM_MULTI_ROKEN_FEE, /* その他型・療養型 老健, Ⅱ型 医療院, 8 m2 or more: from 2025-08-01 */
    LIMIT_ITEM_COUNT
};
const char *limit_item_name(enum limit_item i); /* 食費(施設) */
const char *limit_item_key(enum limit_item i);  /* food_facility */
/* limit_daily - the daily limit of item for stage on 'on' (stage STAGE_4: the
 * 基準費用額). -1 if no row in force (an item that did not exist yet on that day, such as
 * LIMIT_ROOM_MULTI_ROKEN_FEE before 2025-08-01: not printed). */
long long limit_daily(enum limit_item i, enum limit_stage s, struct date on);

#endif
