/* svcmaster.c - service-code master rows and lookups; see svcmaster.h. */
#include <stdlib.h>
#include <string.h>

#include "domain/svcmaster.h"
#include "util/csv.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/banned.h"

const char *const svc_column_names[SVC_COLUMNS] = {
    "保険者番号", "サービス種類コード", "サービス項目コード", "適用開始年月", "適用終了年月",
    "サービス名称", "単位数", "算定単位", "制限日数回数", "算定回数制限期間", "限度額管理対象区分",
    "単位数単価", "給付率", "利用者負担額", "事業対象者実施区分", "支援1受給者実施区分",
    "支援2受給者実施区分", "国保連委託区分", "作成日"};

static bool alnum_upper(struct str s, size_t len)
{
    if (s.len != len)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((s.ptr[i] >= '0' && s.ptr[i] <= '9') || (s.ptr[i] >= 'A' && s.ptr[i] <= 'Z')))
            return false;
    return true;
}

static int ym_of(struct str s, int *out)
{
    if (s.len != 6)
        return -1;
    int v = 0;
    for (size_t i = 0; i < 6; i++) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9')
            return -1;
        v = v * 10 + (s.ptr[i] - '0');
    }
    int m = v % 100;
    if (v != 999999 && (m < 1 || m > 12))
        return -1;
    *out = v;
    return 0;
}

static int fail(int *col, int c, const char **why, const char *msg)
{
    *col = c;
    *why = msg;
    return -1;
}

int svc_row_parse(const struct str *f, size_t n, struct svc_code *out, int *col, const char **why)
{
    memset(out, 0, sizeof *out);
    if (n != SVC_COLUMNS)
        return fail(col, (int)(n < SVC_COLUMNS ? n : SVC_COLUMNS), why, "列の数が19ではありません");
    if (!alnum_upper(f[1], 2))
        return fail(col, 2, why, "サービス種類コードは英数字2桁です");
    if (!alnum_upper(f[2], 4))
        return fail(col, 3, why, "サービス項目コードは英数字4桁です");
    if (ym_of(f[3], &out->from_ym))
        return fail(col, 4, why, "適用開始年月は YYYYMM です");
    if (ym_of(f[4], &out->to_ym) || out->to_ym < out->from_ym)
        return fail(col, 5, why, "適用終了年月は YYYYMM(999999 は期限なし)で、開始以降です");
    if (f[5].len == 0 || f[5].len >= sizeof out->name || !utf8_valid(f[5].ptr, f[5].len, NULL))
        return fail(col, 6, why, "サービス名称が空か長すぎます");
    char num[16];
    if (f[6].len == 0 || f[6].len >= sizeof num)
        return fail(col, 7, why, "単位数は整数です");
    memcpy(num, f[6].ptr, f[6].len);
    num[f[6].len] = '\0';
    char *end;
    long long u = strtoll(num, &end, 10);
    if (*end || u < -9999999 || u > 9999999)
        return fail(col, 7, why, "単位数は整数です");
    if (f[7].len > 2)
        return fail(col, 8, why, "算定単位は2桁までのコードです");
    if (f[10].len > 1)
        return fail(col, 11, why, "限度額管理対象区分は1桁のコードか空欄です");
    memcpy(out->code, f[1].ptr, 2);
    memcpy(out->code + 2, f[2].ptr, 4);
    out->code[6] = '\0';
    memcpy(out->name, f[5].ptr, f[5].len);
    out->units = u;
    memcpy(out->unit_kind, f[7].ptr, f[7].len);
    out->limit_managed = f[10].len == 1 && f[10].ptr[0] == '3';
    return 0;
}

static int cmp_row(const void *a, const void *b)
{
    const struct svc_code *x = a, *y = b;
    int c = strcmp(x->code, y->code);
    return c ? c : (x->from_ym > y->from_ym) - (x->from_ym < y->from_ym);
}

void svc_master_sort(struct svc_master *m)
{
    if (m->n)
        qsort(m->rows, m->n, sizeof *m->rows, cmp_row);
}

const struct svc_code *svc_lookup(const struct svc_master *m, const char *code, int ym)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) { /* the first row of code */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(m->rows[mid].code, code) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < m->n && strcmp(m->rows[i].code, code) == 0; i++)
        if (m->rows[i].from_ym <= ym && ym <= m->rows[i].to_ym)
            return &m->rows[i];
    return NULL;
}

int svc_master_parse(const char *text, size_t n, struct svc_master *m, svc_err_fn *err, void *ctx)
{
    struct csv_reader r;
    csv_init(&r, text, n);
    long line;
    struct csv_error e;
    int got = csv_next(&r, &line, &e), rc = 0;
    size_t cap = 0;
    m->rows = NULL;
    m->n = 0;
    if (got <= 0 || r.nf != SVC_COLUMNS) {
        err(ctx, 1, 1, svc_column_names[0], "1行目は19列の列名です");
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < SVC_COLUMNS; i++)
        if (!str_eq(r.field[i], svc_column_names[i])) {
            err(ctx, 1, (int)i + 1, svc_column_names[i], "列名が違います");
            rc = -1;
        }
    while (rc == 0 && (got = csv_next(&r, &line, &e)) > 0) {
        if (m->n == cap) {
            if (cap >= SVC_MAX_ROWS) {
                err(ctx, line, 0, "", "行が多すぎます");
                rc = -1;
                break;
            }
            cap = cap ? 2 * cap : 1024;
            m->rows = xrealloc(m->rows, cap * sizeof *m->rows);
        }
        int col;
        const char *why;
        if (svc_row_parse(r.field, r.nf, &m->rows[m->n], &col, &why)) {
            err(ctx, line, col, svc_column_names[col >= 1 && col <= SVC_COLUMNS ? col - 1 : 0], why);
            rc = -1;
        } else
            m->n++;
    }
    if (rc == 0 && got < 0) {
        err(ctx, e.line, e.column, "", e.message);
        rc = -1;
    }
    csv_release(&r);
    if (rc) {
        free(m->rows);
        m->rows = NULL;
        m->n = 0;
    } else
        svc_master_sort(m);
    return rc;
}
