/* cmd_directory.c - kaigo directory check FILE | lookup FILE INSURER… : the insurer → cluster directory
 * (store/directory.h) checked before it is put on the nodes, and which cluster an insurer is on (for
 * scripts and the front's routing). URLs are shown without their passwords.
 * Exit: 0; 1 the file is refused or an insurer has no cluster; 2 usage. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/directory.h"
#include "store/store.h"
#include "util/banned.h"

static const char help[] =
    "使い方: kaigo directory check FILE\n"
    "        kaigo directory lookup FILE INSURER...\n"
    "  保険者→クラスタの一覧(各行「保険者番号 URL」、保険者番号の代わりに都道府県番号2桁か * も可)を検査します。\n"
    "  check   形式を検査し、クラスタごとに割り当てた行の数を示します(誤りは FILE:行 で示します)。\n"
    "  lookup  各保険者のクラスタを示します(自分の行、なければ都道府県の行、なければ * の行)。\n"
    "  一覧は --db directory:FILE として kaigo import と kaigo audit に渡します(docs/deploy.md)。\n";

int cmd_directory(int argc, char **argv)
{
    if (argc < 2 || is_help(argv[1])) {
        fputs(help, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    bool check = !strcmp(argv[1], "check"), lookup = !strcmp(argv[1], "lookup");
    if ((!check && !lookup) || argc < 3 || (check && argc != 3) || (lookup && argc < 4)) {
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    struct directory d;
    char why[1024];
    if (directory_load(argv[2], &d, why, sizeof why)) {
        fprintf(stderr, "kaigo directory: %s\n", why);
        return EXIT_INVALID;
    }
    int rc = 0;
    char shown[DIRECTORY_URL_MAX + 1];
    if (check) {
        for (size_t c = 0; c < d.nclusters; c++) {
            size_t lines = 0;
            for (size_t i = 0; i < d.nentries; i++)
                lines += d.entry[i].cluster == (int)c;
            store_where_redact(d.url[c], shown, sizeof shown);
            printf("クラスタ %zu: %s (%zu 行)\n", c + 1, shown, lines);
        }
        printf("検査成功: %zu 行, クラスタ %zu 個\n", d.nentries, d.nclusters);
    }
    for (int i = 3; lookup && i < argc; i++) {
        int c = directory_lookup(&d, argv[i]);
        if (c < 0) {
            printf("%s\t(クラスタなし)\n", argv[i]);
            rc = EXIT_INVALID;
            continue;
        }
        store_where_redact(d.url[c], shown, sizeof shown);
        printf("%s\t%s\n", argv[i], shown);
    }
    directory_free(&d);
    return rc;
}
