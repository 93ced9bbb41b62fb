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

#include "util/text.h"
#include "cli/cli.h"
#include "domain/burden.h"
#include "cli/config.h"
#include "codec/cpfile.h"
#include "service/cpstore.h"
#include "service/disclose.h"
#include "service/sheet7plan.h"
#include "domain/numbers.h"
#include "codec/sheet7json.h"
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
    "        kaigo sheet7 --person 保険者番号/被保険者番号 --month YYYYMM [--burden-ratio N]\n"
    "                     [--price 事業所番号=11.40]... [--grade 事業所番号=1]... [--codes ...] [--db PATH]\n"
    "                     [--upsikyu OUTDIR --to 事業所番号:サービス種類 [--stamp YYYYMMDDHHMMSS] [--substitute]]\n"
    "  第7表(サービス利用票別表)を計算して JSON で表示します(FILE が - なら標準入力)。\n"
    "  入力: {\"month\":\"2026-04\",\"care_level\":\"21\",\"benefit_rate\":90,\"offices\":[{\"office_no\":\"1310000001\",\n"
    "         \"service_type\":\"11\",\"unit_price\":\"11.40\",\"lines\":[{\"service_code\":\"111211\",\"units\":396,\"count\":20}]}]}\n"
    "  limit_units は要介護状態区分と月から、limit_exempt はサービスコード表から、unit_price は grade(地域区分)から\n"
    "  補えます。端数処理・超過単位の割当は docs/sheet7.md。\n"
    "  総合事業: 明細に fixed_user_charge(定額の利用者負担、円/回)を付けると利用者負担はその額(限度額を\n"
    "  一部超える行は案分)。事業対象者(care_level \"06\")は保険者の支給限度額を limit_units で指定します。\n"
    "  --codes  サービスコード表(単位数表マスタの19列CSV; 既定は同梱の一部)\n"
    "  --db     事業所が municipality(市町村コード)で指定されたとき、取り込んだ地域区分を引くデータベース\n"
    "  --upsikyu 計算した第7表をケアプランデータ連携の UPSIKYU ファイル(MS932)として OUTDIR に書きます。\n"
    "           入力に insurer_no, insured_no, created(作成年月日), plan_office(居宅の事業所番号)が必要です。\n"
    "           種類別小計(xxAAAA)と総合計(999999)の行を含みます。--stamp を省くと現在時刻。\n"
    "           MS932 にない文字(JIS X 0213 の 𠮷 など)はすべて示して書き出しません。--substitute で 〓 にします。\n"
    "  --person: 取り込んだその月の第6表(予定)から計算し(単位数は6表、なければサービスコード表。区分支給限度\n"
    "           管理の対象かはサービスコード表)、要介護状態区分と区分支給限度基準額は利用者補足情報、単価と\n"
    "           給付率は指定がなければ送信された第7表から取ります。送信された第7表があれば突き合わせ、\n"
    "           差異を示して終了コード 1 を返します。参照はアクセス記録に残ります。\n";

/* load_master - the CSV file into *m; 0, or -1 after FILE:LINE:COLUMN(項目名) messages. */
static void master_err(void *ctx, long line, int column, const char *name, const char *msg)
{
    fprintf(stderr, "%s:%ld:%d(%s): %s\n", (const char *)ctx, line, column, name, msg);
}

const char *codes_default(char *buf, size_t cap)
{
    const char *dir = config()->data_dir;
    snprintf(buf, cap, "%s/service-codes.csv", dir && *dir ? dir : KAIGO_DATA_DIR);
    return buf;
}

int load_master(const char *path, struct svc_master *m)
{
    size_t n;
    char *text = cli_read_text(path, MASTER_FILE_MAX, &n);
    if (!text)
        return -1;
    int rc = svc_master_parse(text, n, m, master_err, (void *)path);
    free(text);
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
        if (!st && (!db || !(st = store_open(db, true)))) {
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
    struct cp_filedata *d = ctx;
    if (!d->name.v3) {
        cpfile_add(ctx, f, S7_CSV_COLS);
        return 0;
    }
    /* a v3 (202208) 第7表 has 34 items: without v4.0's TAISコード, 福祉用具届出コード, 用具名称 (Nos.10-12) */
    const char *v3[CP_V3_SIKYU_ITEMS];
    unsigned n = 0;
    for (unsigned i = 0; i < S7_CSV_COLS && n < CP_V3_SIKYU_ITEMS; i++)
        if (cp_v4_col(CP_V3_SIKYU_ITEMS, i) >= 0)
            v3[n++] = f[i];
    cpfile_add(ctx, v3, n);
    return 0;
}

/* write_upsikyu - the computed table as OUTDIR/UPSIKYU_….CSV addressed to "office:kind". */
static int write_upsikyu(const struct s7_doc *d, const struct s7_total *t, const char *file, const char *dir,
                         const char *to, const char *stamp, bool substitute)
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
    str_cut(f.name.from, sizeof f.name.from, id->plan_office);
    snprintf(f.name.to, sizeof f.name.to, "%.10s", to);
    if (!f.name.v3) {
        snprintf(f.name.from_kind, sizeof f.name.from_kind, "43"); /* 居宅介護支援 */
        str_cut(f.name.to_kind, sizeof f.name.to_kind, to + 11);
    }
    if (stamp)
        str_cut(f.name.stamp, sizeof f.name.stamp, stamp);
    else {
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(f.name.stamp, sizeof f.name.stamp, "%Y%m%d%H%M%S", &tm);
    }
    f.layout = cp_layout_era(CP_UPSIKYU, f.name.v3);
    f.crlf = true;
    f.final_newline = true;
    int rc = 0;
    char name[128];
    size_t len, unmappable = 0;
    struct cli_unmap ur = {substitute, 0};
    char *bytes = NULL;
    if (sheet7_csv_rows(&d->in, t, id, add_row, &f) || cp_name_format(&f.name, name, sizeof name)) {
        fprintf(stderr, "%s: UPSIKYU のファイル名を作れません(--to, --stamp)\n", file);
        rc = EXIT_USAGE;
    } else if (!(bytes = cpfile_write_ex(&f, name, &len, substitute, cli_unmappable, &ur, &unmappable))) {
        fprintf(stderr, "%s: MS932 にない文字が %zu 文字あるため書き出せません(--substitute で 〓 に置き換えます)\n",
                file, unmappable);
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

/* ---- from the stored 第6表 ------------------------------------------------------- */

struct kept {
    char *plan, *hosoku, *sikyu;
    const char *month;
};

/* keep - the month's 6表, 補足 and 7表 among the person's stored sets (valid during the call only) */
static int keep(void *c, const char *kind, const char *rkey, const char *body)
{
    struct kept *k = c;
    char **slot = !strcmp(kind, "cp.UPPLAN") && !strcmp(rkey, k->month)                        ? &k->plan
                  : !strcmp(kind, "cp.UPSIKYU") && !strcmp(rkey, k->month)                     ? &k->sikyu
                  : !strcmp(kind, "cp.UPHOSOKU") && rkey[0] == 'M' && !strcmp(rkey + 1, k->month) ? &k->hosoku
                                                                                                : NULL;
    if (slot) {
        free(*slot);
        *slot = xstrdup(body);
    }
    return 0;
}

static void decode(const char *body, enum cp_file f, struct cp_filedata *out)
{
    memset(out, 0, sizeof *out);
    out->layout = cp_layout(f);
    if (body && cps_decode(body, out))
        cpfile_free(out);
}

static void diff(void *ctx, const char *office, const char *type, const char *item, long long sent, long long computed)
{
    (void)ctx;
    char was[32];
    snprintf(was, sizeof was, sent < 0 ? "なし" : "%lld", sent);
    if (office[0])
        fprintf(stderr, "差異: 事業所 %s 種類 %s %s 送信 %s / 計算 %lld\n", office, type, item, was, computed);
    else
        fprintf(stderr, "差異: 総合計 %s 送信 %s / 計算 %lld\n", item, was, computed);
}

/* given_price - "1310000001=11.40" (unit price) or, with grade, "1310000001=1" (地域区分) */
static int given_price(const char *arg, bool grade, struct s7_given *g)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq - arg != 10 || g->nprices == S7_MAX_OFFICES)
        return -1;
    size_t i = g->nprices;
    memcpy(g->prices[i].office_no, arg, 10);
    g->prices[i].office_no[10] = '\0';
    g->prices[i].price_x100 = 0;
    g->prices[i].grade = 0;
    if (grade) {
        char *end;
        long v = strtol(eq + 1, &end, 10);
        if (*end || v < 1 || v > 8)
            return -1;
        g->prices[i].grade = (int)v;
    } else if (s7_price_parse(eq + 1, strlen(eq + 1), &g->prices[i].price_x100))
        return -1;
    g->nprices++;
    return 0;
}

/* from_store - the person's month through the gate (計画, audited), computed and checked
 * against the sent 第7表. */
static int from_store(const char *db, const char *person, const char *month, const struct svc_master *m,
                      const struct s7_given *g, struct s7_doc *d, struct s7_total *t, long *differences)
{
    struct person_key k;
    int rc = cli_person(person, &k, "kaigo sheet7");
    struct kept kp = {NULL, NULL, NULL, month};
    if (rc == 0)
        rc = cli_read_docs(db, &k, CAT_CAREPLAN, keep, &kp, "kaigo sheet7");
    if (rc == 0) {
        struct cp_filedata plan, hosoku, sikyu;
        decode(kp.plan, CP_UPPLAN, &plan);
        decode(kp.hosoku, CP_UPHOSOKU, &hosoku);
        decode(kp.sikyu, CP_UPSIKYU, &sikyu);
        char err[S7_ERR_BYTES];
        if (sheet7_from_plan(&plan, &hosoku, sikyu.n ? &sikyu : NULL, m, g, d, err) ||
            sheet7_compute(&d->in, t, err)) {
            fprintf(stderr, "kaigo sheet7: %s/%s %s: %s\n", k.insurer_no, k.insured_no, month, err);
            rc = EXIT_INVALID;
        } else if (sikyu.n)
            *differences = sheet7_compare(d, t, &sikyu, diff, NULL);
        else {
            fprintf(stderr, "kaigo sheet7: 送信された第7表がないため、計算だけを示します\n");
            *differences = -1;
        }
        cpfile_free(&plan);
        cpfile_free(&hosoku);
        cpfile_free(&sikyu);
    }
    free(kp.plan);
    free(kp.hosoku);
    free(kp.sikyu);
    return rc;
}

int cmd_sheet7(int argc, char **argv)
{
    const char *file = NULL, *codes = NULL, *db = db_default(), *outdir = NULL, *to = NULL, *stamp = NULL,
               *person = NULL, *month = NULL;
    bool substitute = false;
    struct s7_given g;
    memset(&g, 0, sizeof g);
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
        else if (strcmp(argv[i], "--substitute") == 0)
            substitute = true;
        else if ((v = opt_value(argc, argv, &i, "--person")))
            person = v;
        else if ((v = opt_value(argc, argv, &i, "--month")))
            month = v;
        else if ((v = opt_value(argc, argv, &i, "--burden-ratio"))) {
            if (strlen(v) != 1 || v[0] < '1' || v[0] > '3') {
                fprintf(stderr, "kaigo sheet7: --burden-ratio は 1, 2, 3 です\n");
                return EXIT_USAGE;
            }
            g.benefit_rate = burden_benefit_rate(v[0] - '0');
        } else if (!strncmp(argv[i], "--price", 7) || !strncmp(argv[i], "--grade", 7)) {
            bool grade = argv[i][2] == 'g';
            if (!(v = opt_value(argc, argv, &i, grade ? "--grade" : "--price")) || given_price(v, grade, &g)) {
                fprintf(stderr, "kaigo sheet7: %s は 事業所番号(10桁)=単価(11.40) か =地域区分(1〜8)です\n",
                        v ? v : argv[i]);
                return EXIT_USAGE;
            }
        } else if ((argv[i][0] == '-' && argv[i][1]) || file) {
            fprintf(stderr, "kaigo sheet7: 不明な引数です: %s\n%s", argv[i], help);
            return EXIT_USAGE;
        } else
            file = argv[i];
    }
    if (person && month && !db)
        return cli_no_db("kaigo sheet7");
    if (!file == !person || (person && (!month || strlen(month) != 6 || !db)) ||
        (outdir && (!to || strlen(to) != 13 || to[10] != ':')) || (!outdir && (to || stamp)) ||
        (stamp && strlen(stamp) != 14)) {
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    char deflt[4096];
    if (!codes)
        codes = codes_default(deflt, sizeof deflt);
    struct svc_master m;
    if (load_master(codes, &m))
        return EXIT_INVALID;
    struct s7_doc *d = xmalloc(sizeof *d);
    struct s7_total t;
    char err[S7_ERR_BYTES];
    int rc = 0;
    long differences = 0;
    char *text = NULL;
    if (person) {
        rc = from_store(db, person, month, &m, &g, d, &t, &differences);
        file = person;
    } else {
        size_t n;
        struct doc_error e;
        if (!(text = cli_read_text(file, SHEET7_JSON_MAX, &n)))
            rc = EXIT_INVALID;
        else if (sheet7json_parse(text, n, &m, d, &e)) {
            fprintf(stderr, "%s: %s\n", file, e.msg);
            rc = EXIT_INVALID;
        } else if (resolve_grades(d, db, file)) {
            rc = EXIT_INVALID;
        } else if (sheet7_compute(&d->in, &t, err)) {
            fprintf(stderr, "%s: %s\n", file, err);
            rc = EXIT_INVALID;
        }
    }
    if (rc == 0) {
        char *out = sheet7json_result(d, &t);
        if (!out)
            rc = EXIT_INTERNAL;
        else
            puts(out);
        free(out);
        if (rc == 0 && outdir)
            rc = write_upsikyu(d, &t, file, outdir, to, stamp, substitute);
        if (rc == 0 && differences > 0) {
            fprintf(stderr, "kaigo sheet7: 送信された第7表と %ld 箇所が異なります\n", differences);
            rc = EXIT_INVALID;
        } else if (rc == 0 && differences == 0 && person)
            fprintf(stderr, "kaigo sheet7: 送信された第7表と一致します\n");
    }
    free(d);
    free(text);
    free(m.rows);
    return rc;
}
