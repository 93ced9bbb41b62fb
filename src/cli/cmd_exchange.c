/*
 * cmd_exchange.c - kaigo exchange check FILE… [--rewrite DIR]: reads files of
 * the ケアプランデータ連携 CSV standard (v4.1, and v3 names/202208), grouped
 * into send units by their 14-digit timestamp and taken in timestamp order;
 * prints every problem as FILE:LINE:COLUMN(項目名): message; a send unit with
 * any problem is rejected whole. --rewrite writes every accepted file again
 * through the writer (same name, MS932), byte-identical for a valid input.
 * Storing, exporting and carrying send units between offices come next (docs/exchange.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/numbers.h"
#include "audit/auditq.h"
#include "codec/cpfile.h"
#include "service/cpstore.h"
#include "service/disclose.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/banned.h"

static const char help[] =
    "使い方: kaigo exchange check FILE... [--rewrite DIR]\n"
    "        kaigo exchange import FILE... [--db PATH]\n"
    "        kaigo exchange export --person 保険者番号/被保険者番号\n"
    "                              (--month YYYYMM | --plan YYYYMMDD | --kihon YYYYMMDD | --jsk YYYYMM)\n"
    "                              --to 事業所番号:サービス種類 [--stamp YYYYMMDDHHMMSS] [--substitute]\n"
    "                              OUTDIR [--db PATH]\n"
    "  ケアプランデータ連携標準仕様(v4.1、CSVバージョン 202407。v3 の 202208 も読みます)の CSV を検査します。\n"
    "  MS932 のみ(外字不可)、見出し行なし、ファイル名の規約、項目ごとの書式、1ファイル1CSVバージョン、\n"
    "  6表・7表・実績は単月。同じ作成日時(14桁)のファイルを送信単位とし、日時順に処理します。\n"
    "  誤りは FILE:行:列(項目名): 内容 で示し、誤りのある送信単位は全体を受け付けません(終了コード 1)。\n"
    "  --rewrite DIR  受け付けたファイルを書き直して DIR に置きます(正しい入力なら同じバイト列)\n"
    "  import: 検査に通った送信単位ごとに(1単位1トランザクション)、利用者ごと・標準仕様のキーごとに記録します。\n"
    "  export: 6表・7表・補足(--month)、1表・2表・3表・補足(--plan)、または介護予防の利用者基本情報と別表1・2\n"
    "          (--kihon 相談日)、またはその月の実績(--jsk)を送信単位として OUTDIR に書き出します\n"
    "          (参照はアクセス記録に残ります。--stamp を省くと取り込んだときの作成日時)。\n"
    "          MS932 にない文字(JIS X 0213 の 𠮷 など)があれば、ファイル・行・項目・被保険者・文字をすべて示し、\n"
    "          送信単位を書き出しません。--substitute を付けると 〓 に置き換えて書き出し、置き換えをすべて示します。\n";

struct ctx {
    const char *file;
    long n;
};

static void report(void *c, long line, int column, const char *name, const char *msg)
{
    struct ctx *x = c;
    x->n++;
    if (line == 0)
        fprintf(stderr, "%s: %s\n", x->file, msg);
    else if (column == 0)
        fprintf(stderr, "%s:%ld: %s\n", x->file, line, msg);
    else
        fprintf(stderr, "%s:%ld:%d(%s): %s\n", x->file, line, column, name, msg);
}

struct item {
    const char *path;
    const char *base;
    struct cp_name name;
    bool named;
};

static int by_stamp(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    int c = strcmp(x->name.stamp, y->name.stamp);
    return c ? c : strcmp(x->base, y->base);
}

/* unit_err - a problem of the send unit as a whole (msg starts with its column when line > 0) */
static void unit_err(void *c, const char *path, long line, const char *msg)
{
    (void)c;
    if (line)
        fprintf(stderr, "%s:%ld:%s\n", path, line, msg);
    else
        fprintf(stderr, "%s: %s\n", path, msg);
}

/* ---- export ------------------------------------------------------------------- */

struct rows {
    struct cps_row *v;
    size_t n;
};

/* keep_row - copies each stored row handed over by the pipeline (valid during the call only). */
static int keep_row(void *c, const char *kind, const char *rkey, const char *body)
{
    struct rows *r = c;
    r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
    r->v[r->n++] = (struct cps_row){xstrdup(kind), xstrdup(rkey), xstrdup(body)};
    return 0;
}

static void rows_free(struct rows *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free((char *)r->v[i].kind);
        free((char *)r->v[i].rkey);
        free((char *)r->v[i].body);
    }
    free(r->v);
}

struct outdir {
    const char *dir;
    int rc;
};

static int to_dir(void *c, const char *name, const char *bytes, size_t len)
{
    struct outdir *o = c;
    if (cli_write_file(o->dir, name, bytes, len))
        return o->rc = -1;
    printf("%s/%s\n", o->dir, name);
    return 0;
}

static int export_unit(int argc, char **argv)
{
    const char *db = db_default(), *person = NULL, *month = NULL, *plan = NULL, *kihon = NULL, *jsk = NULL,
               *to = NULL, *stamp = NULL, *outdir = NULL;
    bool substitute = false;
    for (int i = 2; i < argc; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--db")))
            db = v;
        else if ((v = opt_value(argc, argv, &i, "--person")))
            person = v;
        else if ((v = opt_value(argc, argv, &i, "--month")))
            month = v;
        else if ((v = opt_value(argc, argv, &i, "--plan")))
            plan = v;
        else if ((v = opt_value(argc, argv, &i, "--kihon")))
            kihon = v;
        else if ((v = opt_value(argc, argv, &i, "--jsk")))
            jsk = v;
        else if ((v = opt_value(argc, argv, &i, "--to")))
            to = v;
        else if ((v = opt_value(argc, argv, &i, "--stamp")))
            stamp = v;
        else if (strcmp(argv[i], "--substitute") == 0)
            substitute = true;
        else if (argv[i][0] == '-' || outdir) {
            fprintf(stderr, "kaigo exchange export: 不明な引数です: %s\n", argv[i]);
            return EXIT_USAGE;
        } else
            outdir = argv[i];
    }
    if (!db && person && to && outdir)
        return cli_no_db("kaigo exchange export");
    if (!db || !person || !to || !outdir || (!!month + !!plan + !!kihon + !!jsk) != 1 || strlen(to) != 13 ||
        to[10] != ':' || (stamp && strlen(stamp) != 14) || (month && strlen(month) != 6) ||
        (plan && strlen(plan) != 8) || (kihon && strlen(kihon) != 8) || (jsk && strlen(jsk) != 6)) {
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    struct person_key k;
    struct rows rows = {NULL, 0};
    int rc = cli_person(person, &k, "kaigo exchange export");
    if (rc == 0)
        rc = cli_read_docs(db, &k, CAT_CAREPLAN, keep_row, &rows, "kaigo exchange export");
    if (rc == 0) {
        const char *why;
        char what[24], office[11];
        snprintf(what, sizeof what, "%s:%s", month ? "month" : plan ? "plan" : kihon ? "kihon" : "jsk",
                 month ? month : plan ? plan : kihon ? kihon : jsk);
        snprintf(office, sizeof office, "%.10s", to);
        struct outdir o = {outdir, 0};
        struct cli_unmap ur = {substitute, 0};
        struct cp_write_opts w = {substitute, cli_unmappable, &ur};
        if (cps_export(rows.v, rows.n, what, office, to + 11, stamp, &w, to_dir, &o, &why)) {
            fprintf(stderr, "kaigo exchange export: %s\n", why);
            rc = o.rc ? EXIT_INTERNAL : EXIT_INVALID;
        } else if (ur.n)
            fprintf(stderr, "kaigo exchange export: %zu 文字を 〓 に置き換えて書き出しました\n", ur.n);
    }
    rows_free(&rows);
    return rc;
}

int cmd_exchange(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "export") == 0)
        return export_unit(argc, argv);
    bool import = argc >= 2 && strcmp(argv[1], "import") == 0;
    if (argc < 2 || is_help(argv[1]) || (strcmp(argv[1], "check") != 0 && !import)) {
        fputs(help, argc >= 2 && is_help(argv[1]) ? stdout : stderr);
        return argc >= 2 && is_help(argv[1]) ? 0 : EXIT_USAGE;
    }
    const char *outdir = NULL, *db = db_default();
    struct item *items = xcalloc((size_t)argc, sizeof *items);
    size_t n = 0;
    for (int i = 2; i < argc; i++) {
        const char *v;
        if (is_help(argv[i])) {
            fputs(help, stdout);
            free(items);
            return 0;
        } else if ((v = opt_value(argc, argv, &i, "--rewrite")))
            outdir = v;
        else if ((v = opt_value(argc, argv, &i, "--db")))
            db = v;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "kaigo exchange: 不明な引数です: %s\n%s", argv[i], help);
            free(items);
            return EXIT_USAGE;
        } else {
            items[n].path = argv[i];
            const char *b = strrchr(argv[i], '/');
            items[n].base = b ? b + 1 : argv[i];
            const char *why;
            items[n].named = cp_name_parse(items[n].base, &items[n].name, &why) == 0;
            n++;
        }
    }
    if (!n) {
        fputs(help, stderr);
        free(items);
        return EXIT_USAGE;
    }
    qsort(items, n, sizeof *items, by_stamp); /* send units in timestamp order */
    int rc = 0;
    struct store *st = NULL;
    struct actor a;
    cli_actor(&a);
    if (import) {
        if (!db) {
            fputs("kaigo exchange import: --db か KAIGO_DB でデータベースを指定してください\n", stderr);
            free(items);
            return EXIT_USAGE;
        }
        if (!(st = store_open(db, false))) {
            free(items);
            return EXIT_INTERNAL;
        }
    }
    for (size_t u = 0; u < n;) {
        size_t end = u + 1;
        while (end < n && items[u].named && items[end].named &&
               strcmp(items[end].name.stamp, items[u].name.stamp) == 0)
            end++;
        struct cp_filedata *fd = xcalloc(end - u, sizeof *fd);
        long problems = 0, records = 0;
        for (size_t i = u; i < end; i++) {
            size_t len;
            char *bytes = cli_read_bytes(items[i].path, CPFILE_MAX_BYTES, &len);
            struct ctx c = {items[i].path, 0};
            if (!bytes) {
                problems++;
                continue;
            }
            if (cpfile_read(items[i].path, bytes, len, &fd[i - u], report, &c) != 0)
                problems += c.n ? c.n : 1;
            records += (long)fd[i - u].n;
            free(bytes);
        }
        if (!problems) { /* 家族構成 images and the records naming them */
            const char **paths = xcalloc(end - u, sizeof *paths);
            for (size_t i = u; i < end; i++)
                paths[i - u] = items[i].path;
            problems = cps_links(fd, paths, end - u, unit_err, NULL);
            free(paths);
        }
        const char *stamp = items[u].named ? items[u].name.stamp : "-";
        if (problems) {
            fprintf(stderr, "送信単位 %s: 誤りが %ld 件あるため、%zu ファイルすべてを受け付けません\n", stamp,
                    problems, end - u);
            rc = EXIT_INVALID;
        } else if (import) { /* one transaction per send unit: all or nothing */
            const char **paths = xcalloc(end - u, sizeof *paths);
            for (size_t i = u; i < end; i++)
                paths[i - u] = items[i].path;
            long sets = 0, bad = -1;
            if (st->ops->begin(st) == 0) {
                bad = cps_import(st, &a, fd, paths, end - u, &sets, unit_err, NULL);
                if (bad == 0 && st->ops->commit(st))
                    bad = -1;
                if (bad != 0)
                    st->ops->rollback(st);
            }
            free(paths);
            if (bad < 0) {
                fprintf(stderr, "送信単位 %s: データベースに書き込めません(%s)\n", stamp, store_errmsg(st));
                rc = EXIT_INTERNAL;
            } else if (bad > 0) {
                fprintf(stderr, "送信単位 %s: 誤りが %ld 件あるため、%zu ファイルすべてを受け付けません\n", stamp,
                        bad, end - u);
                rc = EXIT_INVALID;
            } else
                printf("送信単位 %s: %zu ファイル、%ld レコードを取り込みました(記録 %ld 件)\n", stamp, end - u,
                       records, sets);
        } else {
            printf("送信単位 %s: %zu ファイル、%ld レコードを受け付けました\n", stamp, end - u, records);
            for (size_t i = u; outdir && i < end; i++) {
                size_t len;
                long bl;
                int bc;
                char *out = cpfile_write(&fd[i - u], &len, &bl, &bc);
                if (!out) {
                    fprintf(stderr, "%s:%ld:%d: MS932 にない文字があるため書き出せません\n", items[i].path, bl, bc);
                    rc = EXIT_INVALID;
                    continue;
                }
                if (cli_write_file(outdir, items[i].base, out, len))
                    rc = EXIT_INTERNAL;
                free(out);
            }
        }
        for (size_t i = u; i < end; i++)
            cpfile_free(&fd[i - u]);
        free(fd);
        u = end;
    }
    free(items);
    store_close(st);
    return rc;
}
