/*
 * plan6.h - a month's 第6表 (サービス利用票) as the care manager edits it and the provider answers it:
 * lines of (事業所, サービスコード, 開始・終了時刻, 回数 a day) with the days of the month they fall on,
 * turned into and out of the CSV standard's records (UPPLAN 予定 / UPJSK 実績: one record per day ×
 * code, careplan-csv.md §7.5), with the 利用者補足情報 (UPHOSOKU, §7.1) made from the card, and the
 * send unit (6表 + 7表 + 補足, §5.2) written as MS932 files through cpfile, so a unit made on a page
 * passes every check an uploaded one does.
 *
 * Ownership: p6_* fill caller-owned structs; cp_filedata outputs are freed with cpfile_free, file
 * bytes with free. Failure: -1 with a Japanese reason in why (S7_ERR_BYTES), outputs unspecified.
 */
#ifndef KAIGO_STORE_PLAN6_H
#define KAIGO_STORE_PLAN6_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/card.h"
#include "codec/cpfile.h"
#include "codec/sheet7json.h"
#include "service/sheet7plan.h"

#define P6_MAX_LINES 60   /* a month's 第6表 lines on the editor (30 is a heavy month) */
#define P6_NAME_MAX 120   /* bytes of an office's name on a line */

struct p6_line {
    char office_no[11];
    char office_name[P6_NAME_MAX + 1];
    char code[7];        /* サービスコード: 種類2 + 項目4 */
    char start[5], end[5]; /* HHMM, or 9999 for a service without a time */
    int per_day;         /* サービス回数 (times a day), 1–99 */
    uint32_t days;       /* bit d-1: on day d of the month */
    bool over30;         /* ３０日超区分 */
};

struct p6_month {
    int ym;              /* 202612 */
    char plan_office[11]; /* from a stored set: プラン担当業者コード (No.6), the care manager's office */
    char cm_name[64];     /* プラン担当者名 (No.7) */
    size_t n;
    struct p6_line lines[P6_MAX_LINES];
};

/* Who and what the records name: the person (from the card), the care manager's office, the
 * date the plan was made. */
struct p6_who {
    const struct card *card;
    char plan_office[11];  /* the 居宅介護支援事業所's 事業所番号 */
    char cm_name[64];      /* プラン担当者名 */
    char made[9];          /* 作成年月日 YYYYMMDD */
};

/* p6_days_in_month - 28–31 */
int p6_days_in_month(int ym);
/* p6_line_days - how many days the line is on */
int p6_line_days(const struct p6_line *l);
/* p6_from_set - the lines of a stored 第6表 or 実績 set (records of one month; same office, code,
 * times and 回数 on several days make one line), only those of office_no unless it is NULL. -1 if
 * a record's day or month is not the set's. */
MUST_CHECK int p6_from_set(const struct cp_filedata *set, const char *office_no, struct p6_month *m,
                           char why[S7_ERR_BYTES]);
/* p6_check - every line complete (office number with its check digit, a code whose first two
 * digits are a known service type, times HHMM or 9999, 回数 1–99, at least one day, no day past
 * the month). */
MUST_CHECK int p6_check(const struct p6_month *m, char why[S7_ERR_BYTES]);
/* The editor's form (untrusted; docs/ui.md): per line index i (< P6_FORM_LINES) o<i> 事業所番号, n<i> 事業所名,
 * c<i> サービスコード, s<i>/e<i> 開始/終了 ("09:30" or "0930"; empty = 9999), k<i> 1日の回数, d<i> a day (repeated),
 * x<i> 削除, t<i> 30日超; p<事業所番号> 単位数単価 ("11.40"), g<事業所番号> its 地域区分 (1–7 級地, 8 その他: the
 * price from the grade × 人件費割合 when none is typed); over "事業所番号:サービスコード". */
#define P6_FORM_LINES (P6_MAX_LINES + 3) /* the lines and three empty ones for new services */
#define P6_OVER_BYTES 24
struct p6_field {
    const char *name, *value; /* NUL-terminated */
};
/* p6_form - the lines of the form in index order into m (m->ym set by the caller; blank lines and
 * lines marked 削除 dropped; with actual, lines without a day too), the prices into g, the chosen
 * line into over. Every field is bounded (lengths, 1–99, days of the month); p6_check then checks
 * what the lines mean. -1 with the reason in why. */
MUST_CHECK int p6_form(const struct p6_field *f, size_t n, bool actual, struct p6_month *m, struct s7_given *g,
                       char over[P6_OVER_BYTES], char why[S7_ERR_BYTES]);
/* p6_records - the month as UPPLAN (actual false) or UPJSK records into out (out->layout set
 * here); 単位数 (No.8) from the master when it has the code. */
void p6_records(const struct p6_month *m, const struct p6_who *w, const struct svc_master *master, bool actual,
                struct cp_filedata *out);
/* p6_hosoku - the month's 利用者補足情報 (UPHOSOKU) from the card: name, sex, birth, the
 * certification's level, period and 区分支給限度基準額, the office as 同意書受付業者. */
void p6_hosoku(const struct p6_month *m, const struct p6_who *w, struct cp_filedata *out);
/* p6_benefit_rate - 給付率 from the card's 負担割合 (1割 90, 2割 80, 3割 70); 0 without one */
int p6_benefit_rate(const struct card *c);

/* p6_compute - the 第7表 of the edited month (sheet7_from_plan on the records above, so the same
 * engine and the same figures as `kaigo sheet7`): prices per office as given (or the sent 第7表's:
 * sikyu may be NULL), over_office/over_code the 7表 line that bears the excess first ("" = the
 * default); with as_sent (and no line chosen) the sent 第7表's allocation is kept. */
MUST_CHECK int p6_compute(const struct p6_month *m, const struct p6_who *w, const struct svc_master *master,
                          const struct cp_filedata *sikyu, const struct s7_given *given, const char *over_office,
                          const char *over_code, bool as_sent, struct s7_doc *d, struct s7_total *t, char why[S7_ERR_BYTES]);

/* One file of a send unit: its name and MS932 bytes (owned). */
struct p6_file {
    char name[128];
    char *bytes;
    size_t len;
};
/* p6_unit - the send unit to one office (to, its service type to_kind): UPHOSOKU + UPPLAN +
 * UPSIKYU of the month stamped 'stamp' (14 digits), as cpfile writes them (strict MS932: a
 * character outside it is an error naming it). files[3]; free with p6_unit_free. */
MUST_CHECK int p6_unit(const struct p6_month *m, const struct p6_who *w, const struct svc_master *master,
                       const struct s7_doc *d, const struct s7_total *t, const char *to, const char *to_kind,
                       const char *stamp, struct p6_file files[3], char why[S7_ERR_BYTES]);
/* p6_actual_file - the 実績 (UPJSK) of the month from the provider (from, kind from_kind) to the
 * care manager's office, as one file. */
MUST_CHECK int p6_actual_file(const struct p6_month *m, const struct p6_who *w, const struct svc_master *master,
                              const char *from, const char *from_kind, const char *stamp, struct p6_file *out,
                              char why[S7_ERR_BYTES]);
void p6_unit_free(struct p6_file *files, size_t n);

#endif
