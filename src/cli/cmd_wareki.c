/* cmd_wareki.c - kaigo wareki DATE | --parse WAREKI */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/wareki.h"
#include "util/banned.h"

static const char help[] =
    "使い方: kaigo wareki [--short] YYYY-MM-DD     西暦 → 和暦 (例: 2019-05-01 → 令和元年5月1日)\n"
    "        kaigo wareki --parse WAREKI           和暦 → 西暦 (例: 'R6.4.1' → 2024-04-01)\n"
    "        kaigo wareki WAREKI                   同じ(和暦をそのまま渡しても西暦にします)\n"
    "終了コード: 0 成功 / 1 日付の誤り / 2 使い方の誤り\n";

int cmd_wareki(int argc, char **argv)
{
    if (argc == 2 && is_help(argv[1])) {
        fputs(help, stdout);
        return 0;
    }
    const char *why;
    struct date d;
    if (argc == 3 && strcmp(argv[1], "--parse") == 0) {
        if (wareki_parse(argv[2], strlen(argv[2]), &d, &why)) {
            fprintf(stderr, "kaigo wareki: %s: %s\n", argv[2], why);
            return EXIT_INVALID;
        }
        char iso[11];
        date_iso(d, iso);
        puts(iso);
        return 0;
    }
    enum wareki_style style = WAREKI_LONG;
    int i = 1;
    if (argc == 3 && strcmp(argv[1], "--short") == 0) {
        style = WAREKI_SHORT;
        i = 2;
    } else if (argc != 2) {
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    if (date_parse_iso(argv[i], strlen(argv[i]), &d, &why)) {
        /* a 和暦 date given directly (R6.4.1, 令和6年4月1日): its 西暦, as --parse does */
        const char *wwhy = "読めません";
        if (style == WAREKI_LONG && wareki_parse(argv[i], strlen(argv[i]), &d, &wwhy) == 0) {
            char iso[11];
            date_iso(d, iso);
            puts(iso);
            return 0;
        }
        fprintf(stderr, "kaigo wareki: %s: %s(和暦なら: %s)\n", argv[i], why, wwhy);
        return EXIT_INVALID;
    }
    struct buf b;
    buf_init(&b, 64);
    if (wareki_format(d, style, &b)) {
        fprintf(stderr, "kaigo wareki: %s: 明治より前の日付は和暦にできません\n", argv[i]);
        buf_release(&b);
        return EXIT_INVALID;
    }
    puts(b.ptr);
    buf_release(&b);
    return 0;
}
