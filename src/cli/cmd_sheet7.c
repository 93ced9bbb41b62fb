/*
 * cmd_sheet7.c - kaigo sheet7 FILE.json: the 第7表 of one case, computed by the
 * domain engine and printed as JSON (docs/sheet7.md). Reads the service-code
 * master (CSV in the 単位数表マスタ columns) for defaults: --codes FILE, else
 * $KAIGO_DATA_DIR/service-codes.csv, else the shipped subset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "cli/cli.h"
#include "store/cpfile.h"
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
    "                     [--upsikyu OUTDIR --to 事業所番号:サービス種類 [--stamp YYYYMMDDHHMMSS]]\n"
    "  第7表(サービス利用票別表)を計算して JSON で表示します(FILE が - なら標準入力)。\n"
    "  入力: {\"month\":\"2026-04\",\"care_level\":\"21\",\"benefit_rate\":90,\"offices\":[{\"office_no\":\"1310000001\",\n"
    "         \"service_type\":\"11\",\"unit_price\":\"11.40\",\"lines\":[{\"service_code\":\"111211\",\"units\":396,\"count\":20}]}]}\n"
    "  limit_units は要介護状態区分と月から、limit_exempt はサービスコード表から、unit_price は grade(地域区分)から\n"
    "  補えます。端数処理・超過単位の割当は docs/sheet7.md。\n"
    "  --codes  サービスコード表(単位数表マスタの19列CSV; 既定は同梱の一部)\n"
    "  --db     事業所が municipality(市町村コード)で指定されたとき、取り込んだ地域区分を引くデータベース\n"
    "  --upsikyu 計算した第7表をケアプランデータ連携の UPSIKYU ファイル(MS932)として OUTDIR に書きます。\n"
    "           入力に insurer_no, insured_no, created(作成年月日), plan_office(居宅の事業所番号)が必要です。\n"
    "           種類別小計(xxAAAA)と総合計(999999)の行を含みます。--stamp を省くと現在時刻。\n";

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

static void self_check(void *ctx, long line, int column, const char *name, const char *msg)
{
    fprintf(stderr, "%s:%ld:%d(%s): %s\n", (const char *)ctx, line, column, name, msg);
}

static int add_row(void *ctx, const char *const f[S7_CSV_COLS])
{
    cpfile_add(ctx, f, S7_CSV_COLS);
    return 0;
}

/* write_upsikyu - the computed table as OUTDIR/UPSIKYU_….CSV addressed to "office:kind". */
static int write_upsikyu(const struct s7_doc *d, const struct s7_total *t, const char *file, const char *dir,
                         const char *to, const char *stamp)
{
    const struct s7_ident *id = &d->id;
    const char *missing = !id->insurer_no[0] ? "insurer_no"
                          : !id->insured_no[0] ? "insured_no"
                          : !id->created[0]    ? "created"
                          : !id->plan_office[0] ? "plan_office"
                                               : NULL;
    if (missing) {
        fprintf(stderr, "%s: UPSIKYU を書くには %s が必要です\n", file, missing);
        return EXIT_INVALID;
    }
    struct cp_filedata f;
    memset(&f, 0, sizeof f);
    f.name.file = CP_UPSIKYU;
    f.name.v3 = strcmp(id->version, CP_VERSION_V3) == 0;
    snprintf(f.name.month, sizeof f.name.month, "%04d%02d", d->in.month.y, d->in.month.m);
    snprintf(f.name.from, sizeof f.name.from, "%s", id->plan_office);
    snprintf(f.name.to, sizeof f.name.to, "%.10s", to);
    if (!f.name.v3) {
        snprintf(f.name.from_kind, sizeof f.name.from_kind, "43"); /* 居宅介護支援 */
        snprintf(f.name.to_kind, sizeof f.name.to_kind, "%s", to + 11);
    }
    if (stamp)
        snprintf(f.name.stamp, sizeof f.name.stamp, "%s", stamp);
    else {
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(f.name.stamp, sizeof f.name.stamp, "%Y%m%d%H%M%S", &tm);
    }
    f.layout = cp_layout(CP_UPSIKYU);
    f.crlf = true;
    f.final_newline = true;
    int rc = 0;
    char name[128];
    size_t len;
    long bl;
    int bc;
    char *bytes = NULL;
    if (sheet7_csv_rows(&d->in, t, id, add_row, &f) || cp_name_format(&f.name, name, sizeof name)) {
        fprintf(stderr, "%s: UPSIKYU のファイル名を作れません(--to, --stamp)\n", file);
        rc = EXIT_USAGE;
    } else if (!(bytes = cpfile_write(&f, &len, &bl, &bc))) {
        fprintf(stderr, "%s: %ld 行 %d 列に MS932 にない文字があるため書き出せません\n", file, bl, bc);
        rc = EXIT_INVALID;
    } else {
        /* what is written must read as a valid file (widths of the standard: a 6-digit 単位数, …) */
        struct cp_filedata chk;
        long problems = cpfile_read(name, bytes, len, &chk, self_check, name);
        cpfile_free(&chk);
        if (problems) {
            fprintf(stderr, "%s: 計算した第7表が UPSIKYU の項目の桁数に収まらないため書き出しません\n", file);
            rc = EXIT_INVALID;
        } else if (cli_write_file(dir, name, bytes, len))
            rc = EXIT_INTERNAL;
    }
    if (rc == 0)
        fprintf(stderr, "%s/%s\n", dir, name);
    free(bytes);
    cpfile_free(&f);
    return rc;
}

int cmd_sheet7(int argc, char **argv)
{
    const char *file = NULL, *codes = NULL, *db = db_default(), *outdir = NULL, *to = NULL, *stamp = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        } else if ((v = opt_value(argc, argv, &i, "--codes")))
            codes = v;
        else if ((v = opt_value(argc, argv, &i, "--db")))
            db = v;
        else if ((v = opt_value(argc, argv, &i, "--upsikyu")))
            outdir = v;
        else if ((v = opt_value(argc, argv, &i, "--to")))
            to = v;
        else if ((v = opt_value(argc, argv, &i, "--stamp")))
            stamp = v;
        else if ((argv[i][0] == '-' && argv[i][1]) || file) {
            fprintf(stderr, "kaigo sheet7: 不明な引数です: %s\n%s", argv[i], help);
            return EXIT_USAGE;
        } else
            file = argv[i];
    }
    if (!file || (outdir && (!to || strlen(to) != 13 || to[10] != ':')) || (!outdir && (to || stamp)) ||
        (stamp && strlen(stamp) != 14)) {
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
        if (rc == 0 && outdir)
            rc = write_upsikyu(d, &t, file, outdir, to, stamp);
    }
    free(d);
    free(text);
    free(m.rows);
    return rc;
}
