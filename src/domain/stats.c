/*
 * stats.c - the statistics tables: layouts, additive lines, filling and finishing; see stats.h.
 */
#include <stdlib.h>
#include <string.h>

#include "domain/stats.h"
#include "util/text.h"
#include "util/banned.h"

const struct st_def st_defs[ST_COUNT] = {
    [ST_NINTEI] = {"nintei", "認定者数(要介護度・年齢階級・性別)",
                   "月末日に要支援1〜要介護5の認定を受けている被保険者の数。年齢は月末日現在。"},
    [ST_DAYS] = {"days", "申請から認定までの日数(申請区分別)",
                 "その月に認定(決定)した件数を、申請日から認定日までの日数で区分。法定期間は30日以内(介護保険法 第27条 第11項)。"},
    [ST_SERVICE] = {"service", "サービス種類別の利用(第6表)",
                    "その月の第6表(サービス利用票)に計画されたサービスの種類ごとの利用者数・事業所数・単位数。"},
    [ST_CASELOAD] = {"caseload", "居宅介護支援事業所の取扱い(第6表)",
                     "その月の第6表を作成した居宅介護支援事業所を、作成した利用者の数で区分。"},
    [ST_JUTAKU] = {"jutaku", "住宅改修・福祉用具購入",
                   "その月に着工・購入した住宅改修・特定福祉用具購入の申請の件数・利用者数・費用額。"},
    [ST_LIFE] = {"life", "LIFE フィードバック(評価時点別)",
                 "その月に評価した LIFE フィードバックの件数・利用者数・事業所数。"},
};

int st_from_code(const char *s)
{
    for (int i = 0; i < ST_COUNT; i++)
        if (s && strcmp(s, st_defs[i].code) == 0)
            return i;
    return -1;
}

/* ---- layouts ---- */

static const enum care_level nintei_levels[] = {LEVEL_SHIEN1, LEVEL_SHIEN2, LEVEL_KAIGO1, LEVEL_KAIGO2,
                                                LEVEL_KAIGO3, LEVEL_KAIGO4, LEVEL_KAIGO5};
#define NL ((int)(sizeof nintei_levels / sizeof nintei_levels[0]))
static const char *const nintei_bands[] = {"40〜64歳", "65〜74歳", "75〜84歳", "85〜94歳", "95歳以上", "計"};
#define NB 6 /* the last is the sum */
static const char *const sexes[] = {"男", "女", "計"};

static const char *const days_rows[] = {"新規", "区分変更", "更新", "計"}; /* cert_kind order */
static const char *const days_cols[] = {"30日以内", "31〜45日", "46〜60日", "61日以上", "計", "30日以内の割合"};
static const char *const case_rows[] = {"1〜9人", "10〜19人", "20〜29人", "30〜39人", "40〜49人", "50人以上", "計"};
static const char *const life_rows[] = {"利用開始時", "利用中", "利用終了時", "その他", "計"};

static void label(char *dst, size_t cap, const char *s)
{
    if (str_copy(dst, cap, s))
        str_cut(dst, cap, s);
}

static void put_line(struct st_table *t, int total, const int *parts, int n)
{
    if (t->nlines >= ST_LINES_MAX || n < 1 || n > SUP_LINE_MAX)
        return; /* layouts below stay within ST_LINES_MAX: u-stats checks every table's count */
    struct sup_line *l = &t->line[t->nlines++];
    l->total = total;
    l->n = n;
    memcpy(l->part, parts, (size_t)n * sizeof *parts);
}

#define IX(r, c) ((r) * ST_COLS_MAX + (c))

/* col_lines - for columns c0..c1: the last row (total) = Σ of the rows above it */
static void col_lines(struct st_table *t, int c0, int c1)
{
    int parts[ST_ROWS_MAX];
    int tr = t->nrows - 1;
    for (int c = c0; c <= c1; c++) {
        for (int r = 0; r < tr; r++)
            parts[r] = IX(r, c);
        put_line(t, IX(tr, c), parts, tr);
    }
}

struct st_table *st_new(enum st_id id, int ym)
{
    if ((int)id < 0 || id >= ST_COUNT)
        return NULL;
    struct st_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->id = id;
    t->ym = ym;
    for (int i = 0; i < ST_ROWS_MAX * ST_COLS_MAX; i++) {
        t->cell[i].persons = 0;
        t->cell[i].offices = -1;
    }
    switch (id) {
    case ST_NINTEI:
        t->nrows = NL + 1;
        for (int r = 0; r < NL; r++)
            label(t->row[r], ST_LABEL_BYTES, level_name(nintei_levels[r]));
        label(t->row[NL], ST_LABEL_BYTES, "計");
        t->ncols = 3 * NB;
        for (int g = 0; g < 3; g++)
            for (int b = 0; b < NB; b++) {
                label(t->col[g * NB + b], ST_LABEL_BYTES, nintei_bands[b]);
                label(t->group[g * NB + b], sizeof t->group[0], sexes[g]);
            }
        break;
    case ST_DAYS:
        t->nrows = 4;
        for (int r = 0; r < 4; r++)
            label(t->row[r], ST_LABEL_BYTES, days_rows[r]);
        t->ncols = 6;
        for (int c = 0; c < 6; c++)
            label(t->col[c], ST_LABEL_BYTES, days_cols[c]);
        t->kind[5] = ST_SHARE_COL;
        t->share_num[5] = 0;
        t->share_den[5] = 4;
        break;
    case ST_SERVICE:
        t->nrows = 0;
        t->ncols = 3;
        label(t->col[ST_SVC_PERSONS], ST_LABEL_BYTES, "利用者数");
        label(t->col[ST_SVC_OFFICES], ST_LABEL_BYTES, "事業所数");
        label(t->col[ST_SVC_UNITS], ST_LABEL_BYTES, "計画単位数");
        t->kind[ST_SVC_UNITS] = ST_AMOUNT_COL;
        break;
    case ST_CASELOAD:
        t->nrows = 7;
        for (int r = 0; r < 7; r++)
            label(t->row[r], ST_LABEL_BYTES, case_rows[r]);
        t->ncols = 2;
        label(t->col[0], ST_LABEL_BYTES, "事業所数");
        label(t->col[1], ST_LABEL_BYTES, "利用者数");
        break;
    case ST_JUTAKU:
        t->nrows = 3;
        label(t->row[0], ST_LABEL_BYTES, "住宅改修");
        label(t->row[1], ST_LABEL_BYTES, "福祉用具購入");
        label(t->row[2], ST_LABEL_BYTES, "計");
        t->ncols = 3;
        label(t->col[ST_JT_CLAIMS], ST_LABEL_BYTES, "件数");
        label(t->col[ST_JT_PERSONS], ST_LABEL_BYTES, "利用者数");
        label(t->col[ST_JT_AMOUNT], ST_LABEL_BYTES, "費用額(円)");
        t->kind[ST_JT_AMOUNT] = ST_AMOUNT_COL;
        break;
    case ST_LIFE:
        t->nrows = ST_LIFE_ROWS + 1;
        for (int r = 0; r <= ST_LIFE_ROWS; r++)
            label(t->row[r], ST_LABEL_BYTES, life_rows[r]);
        t->ncols = 3;
        label(t->col[ST_LIFE_RECORDS], ST_LABEL_BYTES, "評価件数");
        label(t->col[ST_LIFE_PERSONS], ST_LABEL_BYTES, "利用者数");
        label(t->col[ST_LIFE_OFFICES], ST_LABEL_BYTES, "事業所数");
        break;
    case ST_COUNT:
        break;
    }
    return t;
}

/* ---- filling ---- */

static void bump(struct st_table *t, int r, int c, long long by)
{
    struct sup_cell *x = st_at(t, r, c);
    x->v += by;
    x->persons += by;
}

void st_nintei_add(struct st_table *t, enum care_level level, int age, int sex)
{
    int r = -1, b;
    for (int i = 0; i < NL; i++)
        if (nintei_levels[i] == level)
            r = i;
    if (t->id != ST_NINTEI || r < 0 || (sex != 1 && sex != 2) || age < 40)
        return;
    b = age < 65 ? 0 : age < 75 ? 1 : age < 85 ? 2 : age < 95 ? 3 : 4;
    int g = sex - 1;
    int rows[2] = {r, NL}, cols[4] = {g * NB + b, g * NB + NB - 1, 2 * NB + b, 2 * NB + NB - 1};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 4; j++)
            bump(t, rows[i], cols[j], 1);
}

void st_days_add(struct st_table *t, int kind, int days)
{
    if (t->id != ST_DAYS || kind < 0 || kind > 2 || days < 0)
        return;
    int c = days <= 30 ? 0 : days <= 45 ? 1 : days <= 60 ? 2 : 3;
    int rows[2] = {kind, 3}, cols[2] = {c, 4};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            bump(t, rows[i], cols[j], 1);
}

int st_service_row(struct st_table *t, const char *code, const char *name)
{
    if (t->id != ST_SERVICE || t->nrows >= ST_ROWS_MAX - 1)
        return -1;
    char b[ST_LABEL_BYTES];
    size_t n = strlen(code);
    if (n + 1 < sizeof b) {
        memcpy(b, code, n);
        b[n++] = ' ';
        b[n] = '\0';
        if (str_copy(b + n, sizeof b - n, name))
            str_cut(b + n, sizeof b - n, name);
    } else
        str_cut(b, sizeof b, code);
    label(t->row[t->nrows], ST_LABEL_BYTES, b);
    return t->nrows++;
}

int st_add_total(struct st_table *t)
{
    if (t->nrows >= ST_ROWS_MAX)
        return -1;
    label(t->row[t->nrows], ST_LABEL_BYTES, "計");
    return t->nrows++;
}

void st_caseload_add(struct st_table *t, long long persons)
{
    if (t->id != ST_CASELOAD || persons < 1)
        return;
    int r = persons < 10 ? 0 : persons < 20 ? 1 : persons < 30 ? 2 : persons < 40 ? 3 : persons < 50 ? 4 : 5;
    for (int i = 0; i < 2; i++) {
        int rr = i ? 6 : r;
        struct sup_cell *o = st_at(t, rr, 0), *p = st_at(t, rr, 1);
        o->v += 1;
        o->persons = -1;
        o->offices = (int)o->v;
        p->v += persons;
        p->persons += persons;
        p->offices = (int)o->v;
    }
}

void st_put(struct st_table *t, int r, int c, long long v, long long persons, int offices)
{
    if (r < 0 || r >= ST_ROWS_MAX || c < 0 || c >= ST_COLS_MAX)
        return;
    struct sup_cell *x = st_at(t, r, c);
    x->v = v;
    x->persons = persons;
    x->offices = offices;
}

int st_life_row(const char *timing)
{
    for (int r = 0; r < 3; r++)
        if (strcmp(timing, life_rows[r]) == 0)
            return r;
    return 3;
}

/* ---- finishing ---- */

static void lines_of(struct st_table *t)
{
    int parts[ST_COLS_MAX];
    t->nlines = 0;
    switch (t->id) {
    case ST_NINTEI:
        col_lines(t, 0, t->ncols - 1);
        for (int r = 0; r < t->nrows; r++) {
            for (int g = 0; g < 3; g++) {
                for (int b = 0; b < NB - 1; b++)
                    parts[b] = IX(r, g * NB + b);
                put_line(t, IX(r, g * NB + NB - 1), parts, NB - 1);
            }
            for (int b = 0; b < NB; b++) {
                parts[0] = IX(r, b);
                parts[1] = IX(r, NB + b);
                put_line(t, IX(r, 2 * NB + b), parts, 2);
            }
        }
        break;
    case ST_DAYS:
        col_lines(t, 0, 4);
        for (int r = 0; r < t->nrows; r++) {
            for (int c = 0; c < 4; c++)
                parts[c] = IX(r, c);
            put_line(t, IX(r, 4), parts, 4);
        }
        break;
    case ST_SERVICE:
        if (t->nrows > 1)
            col_lines(t, ST_SVC_UNITS, ST_SVC_UNITS);
        break;
    case ST_CASELOAD:
        col_lines(t, 0, 1);
        break;
    case ST_JUTAKU:
        col_lines(t, ST_JT_CLAIMS, ST_JT_CLAIMS);
        col_lines(t, ST_JT_AMOUNT, ST_JT_AMOUNT);
        break;
    case ST_LIFE:
        col_lines(t, ST_LIFE_RECORDS, ST_LIFE_RECORDS);
        break;
    case ST_COUNT:
        break;
    }
}

int st_finish(struct st_table *t, long long population)
{
    struct date on = {t->ym / 100, t->ym % 100, 1};
    int rc = 0;
    lines_of(t);
    if (!date_valid(on) || sup_rules_for(population, on, &t->rules)) {
        memset(&t->rules, 0, sizeof t->rules);
        t->rules.none = true;
        t->rules.population = population;
        rc = -1;
    }
    /* the share columns are not published cells of their own: hide them from the engine */
    for (int r = 0; r < ST_ROWS_MAX; r++)
        for (int c = 0; c < ST_COLS_MAX; c++)
            if (c >= t->ncols || r >= t->nrows || t->kind[c] == ST_SHARE_COL) {
                struct sup_cell *x = st_at(t, r, c);
                x->v = 0;
                x->persons = 0;
                x->offices = -1;
            }
    if (sup_apply(t->cell, ST_ROWS_MAX * ST_COLS_MAX, t->line, t->nlines, &t->rules))
        rc = -1;
    t->hidden = t->shown = 0;
    for (int r = 0; r < t->nrows; r++)
        for (int c = 0; c < t->ncols; c++)
            if (t->kind[c] != ST_SHARE_COL) {
                if (st_at(t, r, c)->st == SUP_SHOWN)
                    t->shown++;
                else
                    t->hidden++;
            }
    t->done = true;
    return rc;
}

bool st_value(const struct st_table *t, int r, int c, long long *v)
{
    *v = 0;
    if (!t->done || r < 0 || r >= t->nrows || c < 0 || c >= t->ncols)
        return false;
    if (t->kind[c] == ST_SHARE_COL) {
        const struct sup_cell *n = st_cat(t, r, t->share_num[c]), *d = st_cat(t, r, t->share_den[c]);
        if (n->st != SUP_SHOWN || d->st != SUP_SHOWN || d->v <= 0)
            return false;
        *v = (n->v * 1000 + d->v / 2) / d->v;
        return true;
    }
    const struct sup_cell *x = st_cat(t, r, c);
    if (x->st != SUP_SHOWN)
        return false;
    *v = x->v;
    return true;
}
