/*
 * forms67.h - the month's サービス利用票 (第6表) and サービス利用票別表 (第7表) as a PDF shaped like the 様式
 * (居宅サービス計画書 標準様式, 老企第29号 別紙1): A4 landscape; the 第6表 with a header of the person and the
 * month and, per service, its 提供時間帯, サービス内容, 事業所 and the days of the month as the form's grid of
 * 予定 / 実績 rows (a 1 on each day); the 第7表 with a row per service code (単位数, 割引後, 回数, サービス単位,
 * the units over and within the 区分支給限度), the office's totals (単価, 費用総額, 給付率, 保険給付額, 利用者負担)
 * and the month's total. An output adapter like pdf.h: it draws the figures the caller computed
 * (sheet7_compute) and decides nothing. Text shrinks to fit its cell down to FORMS67_MIN_PT and is never
 * cut: a value that still does not fit is an error (PRINT_UNFIT), not a truncated form.
 *
 * Ownership: the caller's structs are read only during the call; the PDF goes to write(ctx, …).
 * Failure: -1 (or PRINT_UNFIT) with a Japanese reason in *why.
 */
#ifndef KAIGO_PRINT_FORMS67_H
#define KAIGO_PRINT_FORMS67_H

#include <stddef.h>
#include <stdint.h>

#include "domain/sheet7.h"

#define FORMS67_MIN_PT 4.5

/* one service line of the 第6表 */
struct form6_line {
    const char *time;    /* 提供時間帯: "09:30〜16:00", or "" */
    const char *service; /* サービス内容: the code's name in the master, or the code */
    const char *office;  /* サービス事業者 事業所名 */
    uint32_t planned, actual; /* bit d-1: 予定 / 実績 on day d */
    int per_day;
};

struct forms67 {
    int year, month;         /* the service month */
    const char *month_text;  /* 「令和8年12月分」 */
    const char *insurer_no, *insured_no, *kana, *name, *birth; /* birth as text (和暦) */
    const char *level;       /* 「要介護2」 */
    long long limit_units;   /* 区分支給限度基準額 (単位/月) */
    const char *valid;       /* 限度額適用期間 as text */
    const char *made;        /* 作成年月日 as text */
    const char *plan_office; /* 居宅介護支援事業者 事業所名 (番号) */
    const struct form6_line *lines;
    size_t nlines;
    int with_actual;         /* the 実績 rows carry days */
    /* the 第7表: the engine's input and output, and per office its name, per line its service name */
    const struct s7_input *s7;
    const struct s7_total *total;
    const char *const *office_names; /* per s7 office */
    const char *const *line_names;   /* per s7 line */
};

typedef int forms67_write_fn(void *ctx, const unsigned char *data, unsigned int len);

/* print_forms67 - the 第6表 page(s) then the 第7表 page(s) */
int print_forms67(const struct forms67 *f, forms67_write_fn *write, void *ctx, const char **why);

#endif
