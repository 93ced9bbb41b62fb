/* cmd_check.c - kaigo check KIND VALUE: validate a number for scripts and users. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/numbers.h"
#include "util/buf.h"
#include "util/text.h"
#include "util/banned.h"

static const char help[] =
    "使い方: kaigo check KIND VALUE\n"
    "  KIND: insurer-no (保険者番号 6桁、検証番号あり), provider-no (事業所番号 10桁、検証番号あり),\n"
    "        insured-no (被保険者番号 10桁: 全国共通の検証番号はなく、形式だけを確かめます)\n"
    "終了コード: 0 正しい / 1 誤り(理由を表示) / 2 使い方の誤り\n";

int cmd_check(int argc, char **argv)
{
    if (argc == 2 && is_help(argv[1])) {
        fputs(help, stdout);
        return 0;
    }
    if (argc != 3) {
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    const char *kind = argv[1];
    const char *why = NULL;
    /* full-width digits and letters read as in import (１２２１９２ → 122192) */
    struct buf folded;
    buf_init(&folded, 256);
    ascii_fold(argv[2], strlen(argv[2]), &folded);
    buf_addc(&folded, '\0');
    const char *v = buf_failed(&folded) ? argv[2] : folded.ptr;
    size_t n = strlen(v);
    int rc;
    if (strcmp(kind, "insurer-no") == 0)
        rc = insurer_no_check(v, n, &why);
    else if (strcmp(kind, "insured-no") == 0)
        rc = insured_no_check(v, n, &why);
    else if (strcmp(kind, "provider-no") == 0) {
        enum provider_rule rule;
        rc = provider_no_check(v, n, &rule, &why);
        if (rc == 0) {
            printf("%s: 正しい事業所番号です (%s)\n", v,
                   rule == PROVIDER_RULE_MEDICAL ? "医療機関等コード方式" : "事業所番号方式");
            buf_release(&folded);
            return 0;
        }
    } else {
        fprintf(stderr, "kaigo check: 不明な種類です: %s\n%s", kind, help);
        buf_release(&folded);
        return EXIT_USAGE;
    }
    if (rc)
        printf("%s: 誤り: %s\n", v, why);
    else if (strcmp(kind, "insured-no") == 0)
        /* 被保険者番号 has no national check digit (each insurer numbers its own): only the form is
         * checked, and the answer must not claim more (issue #17) */
        printf("%s: 形式は正しい(検証番号はありません)\n", v);
    else
        printf("%s: 正しい番号です\n", v);
    buf_release(&folded);
    return rc ? EXIT_INVALID : 0;
}
