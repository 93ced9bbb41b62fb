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
#include "store/cpfile.h"
#include "util/xalloc.h"
#include "util/banned.h"

static const char help[] =
    "使い方: kaigo exchange check FILE... [--rewrite DIR]\n"
    "  ケアプランデータ連携標準仕様(v4.1、CSVバージョン 202407。v3 の 202208 も読みます)の CSV を検査します。\n"
    "  MS932 のみ(外字不可)、見出し行なし、ファイル名の規約、項目ごとの書式、1ファイル1CSVバージョン、\n"
    "  6表・7表・実績は単月。同じ作成日時(14桁)のファイルを送信単位とし、日時順に処理します。\n"
    "  誤りは FILE:行:列(項目名): 内容 で示し、誤りのある送信単位は全体を受け付けません(終了コード 1)。\n"
    "  --rewrite DIR  受け付けたファイルを書き直して DIR に置きます(正しい入力なら同じバイト列)\n";

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

static int write_file(const char *dir, const char *base, const char *p, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, base);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
        fprintf(stderr, "%s: 書き込めません\n", path);
        return -1;
    }
    return 0;
}

int cmd_exchange(int argc, char **argv)
{
    if (argc < 2 || is_help(argv[1]) || strcmp(argv[1], "check") != 0) {
        fputs(help, argc >= 2 && is_help(argv[1]) ? stdout : stderr);
        return argc >= 2 && is_help(argv[1]) ? 0 : EXIT_USAGE;
    }
    const char *outdir = NULL;
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
        const char *stamp = items[u].named ? items[u].name.stamp : "-";
        if (problems) {
            fprintf(stderr, "送信単位 %s: 誤りが %ld 件あるため、%zu ファイルすべてを受け付けません\n", stamp,
                    problems, end - u);
            rc = EXIT_INVALID;
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
                if (write_file(outdir, items[i].base, out, len))
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
    return rc;
}
