/*
 * stats.h - the municipal statistics (集計) kaigo publishes: each table's rows, columns and additive
 * lines, built from counts the store gathers, and suppressed by the one engine (suppress.h) before
 * anything renders it. The page, its chart and the CSV (`kaigo stats`) all print a finished
 * st_table: a suppressed cell has no value to print, only its state (「x」).
 *
 * Only fixed tables over (insurer, month) exist: no free filters or ranges, so two requests can only
 * differ by month (another population) — the differencing of two overlapping selections that free
 * filters allow cannot be made. Each table prints every margin it has and is suppressed as one set
 * of cells and lines.
 *
 * Pure. A table is large (≈ 150 KB): callers allocate it (st_new) and free it.
 */
#ifndef KAIGO_DOMAIN_STATS_H
#define KAIGO_DOMAIN_STATS_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/level.h"
#include "domain/suppress.h"
#include "util/compiler.h"
#include "util/date.h"

#define ST_ROWS_MAX 48
#define ST_COLS_MAX 24
#define ST_LINES_MAX 320
#define ST_LABEL_BYTES 96

enum st_id { ST_NINTEI, ST_DAYS, ST_SERVICE, ST_CASELOAD, ST_JUTAKU, ST_LIFE, ST_COUNT };

struct st_def {
    const char *code;  /* "nintei": the CLI's TABLE and the page's ?table= */
    const char *title; /* 認定者数(要介護度・年齢階級・性別) */
    const char *about; /* what a cell counts, and when */
};
extern const struct st_def st_defs[ST_COUNT];
/* st_from_code - the table of a code, or -1 */
int st_from_code(const char *s);

enum st_col_kind { ST_COUNT_COL, ST_AMOUNT_COL, ST_SHARE_COL };

struct st_table {
    enum st_id id;
    int ym; /* 202612 */
    int nrows, ncols;
    char row[ST_ROWS_MAX][ST_LABEL_BYTES];
    char col[ST_COLS_MAX][ST_LABEL_BYTES];
    char group[ST_COLS_MAX][32]; /* a column's group heading (男 / 女 / 計), or "" */
    enum st_col_kind kind[ST_COLS_MAX];
    int share_num[ST_COLS_MAX], share_den[ST_COLS_MAX]; /* ST_SHARE_COL: columns of its ratio */
    struct sup_cell cell[ST_ROWS_MAX * ST_COLS_MAX];      /* row r, column c at r * ST_COLS_MAX + c */
    size_t nlines;
    struct sup_line line[ST_LINES_MAX];
    struct sup_rules rules;
    bool done;               /* st_finish ran: states are final */
    long long hidden, shown; /* after st_finish: cells hidden / shown (share columns excluded) */
};

static inline struct sup_cell *st_at(struct st_table *t, int r, int c) { return &t->cell[r * ST_COLS_MAX + c]; }
static inline const struct sup_cell *st_cat(const struct st_table *t, int r, int c)
{
    return &t->cell[r * ST_COLS_MAX + c];
}

/* st_new - a zeroed table of id for the month ym, its rows and columns laid out (the service table
 * gets its rows from st_service_row); NULL on no memory. Free with free(). */
struct st_table *st_new(enum st_id id, int ym);

/* ---- filling: the store calls these per person / per office ---- */

/* 認定者数: a person certified (要支援1〜要介護5) on the month's last day; sex 1 男 2 女; age on that
 * day (40- : 第2号 from 40, 第1号 from 65). Persons outside the bands are not counted. */
void st_nintei_add(struct st_table *t, enum care_level level, int age, int sex) NONNULL(1);
/* 申請から決定までの日数: a decision (認定日) in the month; kind 0 新規 1 区分変更 2 更新 (cert_kind) */
void st_days_add(struct st_table *t, int kind, int days) NONNULL(1);
/* サービス種類別の利用: a row for a service type (code "11", name); its row number or -1 when full
 * (at most ST_ROWS_MAX - 1 types; the last row is the total). Fill it with st_put. */
MUST_CHECK int st_service_row(struct st_table *t, const char *code, const char *name) NONNULL(1, 2, 3);
/* st_add_total - the service table's 計 row after its types; its row number, -1 when full */
int st_add_total(struct st_table *t) NONNULL(1);
/* 事業所別の取扱い: one office (居宅介護支援事業所) with the persons whose 第6表 of the month it made */
void st_caseload_add(struct st_table *t, long long persons) NONNULL(1);
/* st_put - one cell of the service, 住宅改修・福祉用具 and LIFE tables (their totals too: distinct persons
 * and offices do not add up), with the persons and 事業所 it rests on (-1: not about them). */
void st_put(struct st_table *t, int r, int c, long long v, long long persons, int offices) NONNULL(1);
/* the columns and rows of those tables */
enum { ST_SVC_PERSONS, ST_SVC_OFFICES, ST_SVC_UNITS };
enum { ST_JT_CLAIMS, ST_JT_PERSONS, ST_JT_AMOUNT };
enum { ST_LIFE_RECORDS, ST_LIFE_PERSONS, ST_LIFE_OFFICES };
#define ST_LIFE_ROWS 4 /* 利用開始時, 利用中, 利用終了時, その他 (then 計) */
/* st_life_row - the row of a 評価時点 */
int st_life_row(const char *timing) NONNULL(1);

/* st_finish - applies the rules (sup_rules_for(population, the month)) and the secondary
 * suppression to every cell; share columns are shown only where both their cells are. -1 if the
 * month has no rules (before the principle's rows) or the engine failed: every cell is hidden then. */
MUST_CHECK int st_finish(struct st_table *t, long long population) NONNULL(1);

/* st_value - a finished cell's value for printing: false if it must be printed as 「x」. A share
 * column's value is in tenths of a percent (963 = 96.3%); false too when its denominator is 0. */
bool st_value(const struct st_table *t, int r, int c, long long *v) NONNULL(1, 4);

#endif
