/*
 * cmd_sheet7.c - kaigo sheet7 FILE.json: the 第7表 of one case, computed by the
 * domain engine and printed as JSON (docs/sheet7.md). Reads the service-code
 * master (CSV in the 単位数表マスタ columns) for defaults: --codes FILE, else
 * $KAIGO_DATA_DIR/service-codes.csv, else the shipped subset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/sheet7json.h"
#include "store/store.h"
#include "util/csv.h"
#include "util/xalloc.h"
#include "util/banned.h"

#ifndef KAIGO_DATA_DIR
#define KAIGO_DATA_DIR "data"
#endif
#define MASTER_FILE_MAX (256u << 20)

static const char help[] =
    "使い方: kaigo sheet7 FILE.json [--codes サービスコード表.csv] [--db PATH]\n"
    "  第7表(サービス利用票別表)を計算して JSON で表示します(FILE が - なら標準入力)。\n"
    "  入力: {\"month\":\"2026-04\",\"care_level\":\"21\",\"benefit_rate\":90,\"offices\":[{\"office_no\":\"1310000001\",\n"
    "         \"service_type\":\"11\",\"unit_price\":\"11.40\",\"lines\":[{\"service_code\":\"111211\",\"units\":396,\"count\":20}]}]}\n"
    "  limit_units は要介護状態区分と月から、limit_exempt はサービスコード表から、unit_price は grade(地域区分)から\n"
    "  補えます。端数処理・超過単位の割当は docs/sheet7.md。\n"
    "  --codes  サービスコード表(単位数表マスタの19列CSV; 既定は同梱の一部)\n"
    "  --db     事業所が municipality(市町村コード)で指定されたとき、取り込んだ地域区分を引くデータベース\n";

/* load_master - the CSV file into *m; 0, or -1 after FILE:LINE:COLUMN(項目名) messages. */
static int load_master(const char *path, struct svc_master *m)
{
    size_t n;
    char *text = cli_read_text(path, MASTER_FILE_MAX, &n);
    if (!text)
        return -1;
    struct csv_reader r;
    csv_init(&r, text, n);
    long line;
    struct csv_error e;
    int got = csv_next(&r, &line, &e), rc = 0;
    size_t cap = 0;
    m->rows = NULL;
    m->n = 0;
    if (got <= 0 || r.nf != SVC_COLUMNS) {
        fprintf(stderr, "%s:1:1(%s): 1行目は19列の列名です\n", path, svc_column_names[0]);
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < SVC_COLUMNS; i++)
        if (!str_eq(r.field[i], svc_column_names[i])) {
            fprintf(stderr, "%s:1:%zu(%s): 列名が違います\n", path, i + 1, svc_column_names[i]);
            rc = -1;
        }
    while (rc == 0 && (got = csv_next(&r, &line, &e)) > 0) {
        if (m->n == cap) {
            if (cap >= SVC_MAX_ROWS) {
                fprintf(stderr, "%s:%ld: 行が多すぎます(上限 %d)\n", path, line, SVC_MAX_ROWS);
                rc = -1;
                break;
            }
            cap = cap ? 2 * cap : 1024;
            m->rows = xrealloc(m->rows, cap * sizeof *m->rows);
        }
        int col;
        const char *why;
        if (svc_row_parse(r.field, r.nf, &m->rows[m->n], &col, &why)) {
            fprintf(stderr, "%s:%ld:%d(%s): %s\n", path, line, col,
                    svc_column_names[col >= 1 && col <= SVC_COLUMNS ? col - 1 : 0], why);
            rc = -1;
        } else
            m->n++;
    }
    if (rc == 0 && got < 0) {
        fprintf(stderr, "%s:%ld:%d: %s\n", path, e.line, e.column, e.message);
        rc = -1;
    }
    csv_release(&r);
    free(text);
    if (rc)
        free(m->rows);
    else
        svc_master_sort(m);
    return rc;
}

/* resolve_grades - offices that name their municipality: its imported 地域区分
 * (kaigo import chiiki) for the month, then the grade × 人件費割合 price. */
static int resolve_grades(struct s7_doc *d, const char *db, const char *file)
{
    struct store *st = NULL;
    int rc = 0;
    for (size_t i = 0; i < d->in.noffices && rc == 0; i++) {
        if (!d->municipality[i][0])
            continue;
        if (!st && (!db || !(st = store_open_sqlite(db, true)))) {
            fprintf(stderr, "%s: municipality の地域区分を引くには --db(kaigo import chiiki 済みのデータベース)が必要です\n", file);
            return -1;
        }
        int grade;
        struct date first = {d->in.month.y, d->in.month.m, 1};
        int g = st->ops->chiiki_grade(st, d->municipality[i], first, &grade);
        if (g) {
            fprintf(stderr, "%s: offices[%zu]: 市町村 %s の%sの地域区分がありません(kaigo import chiiki)\n", file, i,
                    d->municipality[i], g < 0 ? "読み込み中にエラー" : "この月");
            rc = -1;
        } else if ((d->in.offices[i].price_x100 = s7_unit_price(d->in.offices[i].service_type, grade, d->in.month)) < 0) {
            fprintf(stderr, "%s: offices[%zu]: この月・サービス種類の単価がありません\n", file, i);
            rc = -1;
        }
    }
    store_close(st);
    return rc;
}

int cmd_sheet7(int argc, char **argv)
{
    const char *file = NULL, *codes = NULL, *db = db_default();
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        } else if ((v = opt_value(argc, argv, &i, "--codes")))
            codes = v;
        else if ((v = opt_value(argc, argv, &i, "--db")))
            db = v;
        else if ((argv[i][0] == '-' && argv[i][1]) || file) {
            fprintf(stderr, "kaigo sheet7: 不明な引数です: %s\n%s", argv[i], help);
            return EXIT_USAGE;
        } else
            file = argv[i];
    }
    if (!file) {
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    char deflt[4096];
    if (!codes) {
        const char *dir = getenv("KAIGO_DATA_DIR");
        snprintf(deflt, sizeof deflt, "%s/service-codes.csv", dir && *dir ? dir : KAIGO_DATA_DIR);
        codes = deflt;
    }
    struct svc_master m;
    if (load_master(codes, &m))
        return EXIT_INVALID;
    size_t n;
    char *text = cli_read_text(file, SHEET7_JSON_MAX, &n);
    if (!text) {
        free(m.rows);
        return EXIT_INVALID;
    }
    struct s7_doc *d = xmalloc(sizeof *d);
    struct doc_error e;
    struct s7_total t;
    char err[S7_ERR_BYTES];
    int rc = 0;
    if (sheet7json_parse(text, n, &m, d, &e)) {
        fprintf(stderr, "%s: %s\n", file, e.msg);
        rc = EXIT_INVALID;
    } else if (resolve_grades(d, db, file)) {
        rc = EXIT_INVALID;
    } else if (sheet7_compute(&d->in, &t, err)) {
        fprintf(stderr, "%s: %s\n", file, err);
        rc = EXIT_INVALID;
    } else {
        char *out = sheet7json_result(d, &t);
        if (!out)
            rc = EXIT_INTERNAL;
        else
            puts(out);
        free(out);
    }
    free(d);
    free(text);
    free(m.rows);
    return rc;
}
