/* cmd_insurer.c - kaigo insurer list | set-name INSURER NAME (insurer master data). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"
#include "util/text.h"
#include "util/banned.h"

static const char help[] =
    "使い方: kaigo insurer list [--db PATH]\n"
    "        kaigo insurer set-name [--db PATH] INSURER NAME\n"
    "  取込時に自動登録された保険者の名称を設定します(保険者番号は検証番号も確認します)。\n";

static int print_one(void *ctx, const struct insurer *ins, long long persons)
{
    (void)ctx;
    printf("%s\t%s\t%s\t%lld人\n", ins->insurer_no, ins->prefecture[0] ? ins->prefecture : "-",
           ins->name[0] ? ins->name : "(名称未設定)", persons);
    return 0;
}

int cmd_insurer(int argc, char **argv)
{
    if (argc < 2 || is_help(argv[1])) {
        fputs(help, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    const char *db = db_default(), *pos[2] = {0};
    int np = 0;
    for (int i = 2; i < argc; i++) {
        const char *v;
        if (is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        } else if ((v = opt_value(argc, argv, &i, "--db")))
            db = v;
        else if (np < 2)
            pos[np++] = argv[i];
        else {
            fputs(help, stderr);
            return EXIT_USAGE;
        }
    }
    if (!db)
        return cli_no_db("kaigo insurer");
    bool list = strcmp(argv[1], "list") == 0;
    if (!list && (strcmp(argv[1], "set-name") != 0 || np != 2)) {
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    const char *why;
    if (!list) {
        if (insurer_no_check(pos[0], strlen(pos[0]), &why)) {
            fprintf(stderr, "kaigo insurer: %s\n", why);
            return EXIT_INVALID;
        }
        size_t n = strlen(pos[1]);
        if (n == 0 || !utf8_valid(pos[1], n, NULL) || utf8_count(pos[1], n) > NAME_MAX_CHARS) {
            fprintf(stderr, "kaigo insurer: 名称は1〜%d文字のUTF-8で指定してください\n", NAME_MAX_CHARS);
            return EXIT_INVALID;
        }
    }
    struct store *st = store_open_sqlite(db, false);
    if (!st)
        return EXIT_INTERNAL;
    int rc = 0;
    if (list) {
        if (st->ops->insurer_list(st, print_one, NULL))
            rc = EXIT_INTERNAL;
    } else {
        int r = st->ops->insurer_set_name(st, pos[0], pos[1]);
        if (r == STORE_NOTFOUND) {
            fprintf(stderr, "kaigo insurer: 保険者 %s は登録されていません\n", pos[0]);
            rc = EXIT_INVALID;
        } else if (r) {
            fprintf(stderr, "kaigo insurer: %s\n", store_errmsg(st));
            rc = EXIT_INTERNAL;
        } else
            printf("保険者 %s の名称を「%s」に設定しました\n", pos[0], pos[1]);
    }
    store_close(st);
    return rc;
}
