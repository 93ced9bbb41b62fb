/*
 * cmd_stats.c - kaigo stats: the municipal statistics (集計) for the clerk's spreadsheets, suppressed
 * exactly as on the 集計 page (the same finished st_table; docs/statistics.md), and the insurer's
 * population the suppression depends on.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/numbers.h"
#include "audit/auditq.h"
#include "service/stats.h"
#include "util/banned.h"

static const char help[] =
    "使い方: kaigo stats --list\n"
    "        kaigo stats TABLE --insurer 保険者番号 --month YYYY-MM [--csv] [--db PATH]\n"
    "        kaigo stats population --insurer 保険者番号 --date YYYY-MM-DD --population 人数 [--db PATH]\n"
    "        kaigo stats export --insurer 保険者番号 --month YYYY-MM [--db PATH]\n"
    "  市町村の集計表を出力します。値は介護DBの最小集計単位の原則で秘匿します: 10人未満のセル(0は表示)、\n"
    "  人口2,000人以上2万5,000人未満の市町村では20人未満、人口2,000人未満(または人口が未登録)では\n"
    "  すべての値、3事業所未満にもとづく値。合計から逆算できないよう二次秘匿もします。秘匿したセルは x。\n"
    "  --csv: 見出し行のあと、表側と各セル(整数か x)の CSV(UTF-8、CRLF)。集計ページの CSV と同じです。\n"
    "  population: 保険者の人口(住民基本台帳)を基準日から登録します。集計月の末日以前で最新の値を使います。\n"
    "  export: 二次利用に同意した人だけの仮名加工データ(仮名ID・年齢階級・性別・要介護度・サービス種類・単位数)を\n"
    "  CSV で出力します。仮名IDは出力ごとの鍵で作るため、別の出力とは突き合わせられません。一人ひとりの提供は\n"
    "  アクセス記録に残り、本人の「だれが見たか」に表示されます。\n";

static int list(void)
{
    for (int i = 0; i < ST_COUNT; i++)
        printf("%-9s %s\n          %s\n", st_defs[i].code, st_defs[i].title, st_defs[i].about);
    return 0;
}

static int parse_month(const char *s, int *ym)
{
    char d[16];
    struct date x;
    const char *why;
    if (!s || strlen(s) != 7)
        return -1;
    snprintf(d, sizeof d, "%s-01", s);
    if (date_parse_iso(d, strlen(d), &x, &why))
        return -1;
    *ym = x.y * 100 + x.m;
    return 0;
}

static void print_text(const struct st_table *t, const struct stats_info *info)
{
    printf("%s %04d年%02d月\n", st_defs[t->id].title, t->ym / 100, t->ym % 100);
    fputs("表側", stdout);
    for (int c = 0; c < t->ncols; c++)
        printf("\t%s%s%s", t->group[c], t->group[c][0] ? " " : "", t->col[c]);
    putchar('\n');
    for (int r = 0; r < t->nrows; r++) {
        fputs(t->row[r], stdout);
        for (int c = 0; c < t->ncols; c++) {
            long long v;
            if (!st_value(t, r, c, &v))
                fputs("\tx", stdout);
            else if (t->kind[c] == ST_SHARE_COL)
                printf("\t%lld.%lld%%", v / 10, v % 10);
            else
                printf("\t%lld", v);
        }
        putchar('\n');
    }
    if (info->population_known)
        printf("x: 秘匿(最小集計単位 %lld 人・%lld 事業所、人口 %lld 人)\n", t->rules.min_cell, t->rules.min_offices,
               info->population);
    else
        puts("x: 秘匿(人口が登録されていないため、すべての値を表示しません: kaigo stats population)");
}

int cmd_stats(int argc, char **argv)
{
    const char *db = db_default(), *insurer = NULL, *month = NULL, *date = NULL, *pop = NULL, *table = NULL;
    bool csv = false, want_list = false;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        } else if (strcmp(argv[i], "--list") == 0)
            want_list = true;
        else if (strcmp(argv[i], "--csv") == 0)
            csv = true;
        else if ((v = opt_value(argc, argv, &i, "--db")))
            db = v;
        else if ((v = opt_value(argc, argv, &i, "--insurer")))
            insurer = v;
        else if ((v = opt_value(argc, argv, &i, "--month")))
            month = v;
        else if ((v = opt_value(argc, argv, &i, "--date")))
            date = v;
        else if ((v = opt_value(argc, argv, &i, "--population")))
            pop = v;
        else if (argv[i][0] != '-' && !table)
            table = argv[i];
        else {
            fprintf(stderr, "kaigo stats: 不明な引数です: %s\n%s", argv[i], help);
            return EXIT_USAGE;
        }
    }
    if (want_list)
        return list();
    if (!table || !insurer) {
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    const char *why;
    if (insurer_no_check(insurer, strlen(insurer), &why)) {
        fprintf(stderr, "kaigo stats: %s\n", why);
        return EXIT_INVALID;
    }
    bool population = strcmp(table, "population") == 0, exporting = strcmp(table, "export") == 0;
    int id = population || exporting ? 0 : st_from_code(table), ym = 0;
    struct date as_of = DATE_NONE;
    long long people = 0;
    if (id < 0) {
        fprintf(stderr, "kaigo stats: 集計表 %s はありません(kaigo stats --list)\n", table);
        return EXIT_USAGE;
    }
    if (population) {
        char *end = NULL;
        people = pop ? strtoll(pop, &end, 10) : -1;
        if (!date || date_parse_iso(date, strlen(date), &as_of, &why) || !pop || !*pop || *end || people < 0) {
            fprintf(stderr, "kaigo stats population: --date YYYY-MM-DD と --population 人数(0以上の整数)が必要です\n");
            return EXIT_USAGE;
        }
    } else if (parse_month(month, &ym)) {
        fprintf(stderr, "kaigo stats: --month YYYY-MM が必要です\n");
        return EXIT_USAGE;
    }
    if (!db)
        return cli_no_db("kaigo stats");
    if (exporting) {
        struct store *est;
        struct auditq *aq;
        if (cli_open_audited(db, &est, &aq))
            return EXIT_INTERNAL;
        struct actor ea;
        cli_actor(&ea);
        char rid[REQUEST_ID_BYTES], why2[160];
        cli_request_id(rid);
        long long rows, denied;
        char *rows_csv = stats_export_csv(est, aq, &ea, insurer, ym, rid, clock_now_ms(), &rows, &denied, why2);
        auditq_stop(aq);
        store_close(est);
        if (!rows_csv) {
            fprintf(stderr, "kaigo stats export: %s\n", why2);
            return EXIT_INTERNAL;
        }
        fputs(rows_csv, stdout);
        sodium_memzero(rows_csv, strlen(rows_csv));
        free(rows_csv);
        fprintf(stderr, "kaigo stats export: %lld 人(同意の撤回などで除いた人 %lld 人)\n", rows, denied);
        return fflush(stdout) ? EXIT_INTERNAL : 0;
    }
    struct store *st = store_open(db, false);
    if (!st)
        return EXIT_INTERNAL;
    struct actor a;
    cli_actor(&a);
    char msg[160];
    int rc = 0;
    if (population) {
        enum stats_status s = stats_population_put(st, &a, insurer, as_of, people, clock_now_ms(), msg);
        if (s != STATS_OK) {
            fprintf(stderr, "kaigo stats population: %s\n", msg);
            rc = s == STATS_ERROR ? EXIT_INTERNAL : EXIT_INVALID;
        } else
            printf("保険者 %s の人口 %lld 人(%s から)を登録しました\n", insurer, people, date);
        store_close(st);
        return rc;
    }
    struct st_table *t;
    struct stats_info info;
    enum stats_status s = stats_build(st, &a, insurer, (enum st_id)id, ym, clock_now_ms(), &t, &info, msg);
    store_close(st);
    if (s != STATS_OK) {
        fprintf(stderr, "kaigo stats: %s\n", msg);
        return s == STATS_ERROR ? EXIT_INTERNAL : EXIT_INVALID;
    }
    if (msg[0])
        fprintf(stderr, "kaigo stats: %s\n", msg);
    if (csv) {
        char *text = stats_csv(t);
        if (!text) {
            free(t);
            fputs("kaigo stats: メモリが足りません\n", stderr);
            return EXIT_INTERNAL;
        }
        fputs(text, stdout);
        free(text);
    } else
        print_text(t, &info);
    free(t);
    return fflush(stdout) ? EXIT_INTERNAL : 0;
}
