/* cmd_insurer.c - kaigo insurer list | set-name INSURER NAME | set-policy INSURER [--card-issue …]
 * [--platform-start …] (insurer master data). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/wareki.h"
#include "store/store.h"
#include "util/text.h"
#include "util/banned.h"

static const char help[] =
    "使い方: kaigo insurer list [--db PATH]\n"
    "        kaigo insurer set-name [--db PATH] INSURER NAME\n"
    "        kaigo insurer set-policy [--db PATH] INSURER [--card-issue age65|application]\n"
    "                                 [--platform-start YYYY-MM-DD|none]\n"
    "  set-name: 取込時に自動登録された保険者の名称を設定します(保険者番号は検証番号も確認します)。\n"
    "  set-policy: 被保険者証をいつ交付するか(age65: 65歳到達時に全員へ、application: 要介護認定の申請時に)と、\n"
    "              介護情報基盤の利用開始日を設定します。application の保険者は、一括印刷(print card --insurer)で\n"
    "              認定または申請のある人だけを印刷します。利用開始日は本人と事業所の画面に表示します。\n";

/* day as 令和8年10月1日, into out (cap bytes) */
static void wareki_day(struct date day, char *out, size_t cap)
{
    struct buf b;
    buf_init_fixed(&b, out, cap);
    if (wareki_format(day, WAREKI_LONG, &b) || buf_failed(&b))
        date_iso(day, out);
    else
        out[b.len] = '\0';
}

static int print_one(void *ctx, const struct insurer *ins, long long persons)
{
    (void)ctx;
    char start[64] = "-";
    if (!date_is_none(ins->platform_start))
        wareki_day(ins->platform_start, start, sizeof start);
    printf("%s\t%s\t%s\t%lld人\t証: %s\t基盤の利用開始: %s\n", ins->insurer_no,
           ins->prefecture[0] ? ins->prefecture : "-", ins->name[0] ? ins->name : "(名称未設定)", persons,
           card_issue_name(ins->card_issue), start);
    return 0;
}

static int set_policy(struct store *st, const char *no, const char *issue, const char *start)
{
    struct insurer ins;
    int r = st->ops->insurer_get(st, no, &ins);
    if (r == STORE_NOTFOUND) {
        fprintf(stderr, "kaigo insurer: 保険者 %s は登録されていません\n", no);
        return EXIT_INVALID;
    }
    if (r) {
        fprintf(stderr, "kaigo insurer: %s\n", store_errmsg(st));
        return EXIT_INTERNAL;
    }
    const char *why;
    if (issue && card_issue_parse(issue, &ins.card_issue)) {
        fprintf(stderr, "kaigo insurer: --card-issue は age65(65歳到達時)か application(申請時)です\n");
        return EXIT_USAGE;
    }
    if (start && strcmp(start, "none") == 0)
        ins.platform_start = DATE_NONE;
    else if (start && date_parse_any(start, strlen(start), &ins.platform_start, &why)) {
        fprintf(stderr, "kaigo insurer: --platform-start: %s(YYYY-MM-DD または和暦、none で消します)\n", why);
        return EXIT_USAGE;
    }
    if (st->ops->insurer_set_policy(st, no, ins.card_issue, ins.platform_start)) {
        fprintf(stderr, "kaigo insurer: %s\n", store_errmsg(st));
        return EXIT_INTERNAL;
    }
    char d[64] = "未設定";
    if (!date_is_none(ins.platform_start))
        wareki_day(ins.platform_start, d, sizeof d);
    printf("保険者 %s: 被保険者証は%s、介護情報基盤の利用開始は%s\n", no, card_issue_name(ins.card_issue), d);
    return 0;
}

int cmd_insurer(int argc, char **argv)
{
    if (argc < 2 || is_help(argv[1])) {
        fputs(help, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    const char *db = db_default(), *pos[2] = {0}, *issue = NULL, *start = NULL;
    int np = 0;
    for (int i = 2; i < argc; i++) {
        const char *v;
        if (is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        } else if ((v = opt_value(argc, argv, &i, "--db")))
            db = v;
        else if ((v = opt_value(argc, argv, &i, "--card-issue")))
            issue = v;
        else if ((v = opt_value(argc, argv, &i, "--platform-start")))
            start = v;
        else if (np < 2 && argv[i][0] != '-')
            pos[np++] = argv[i];
        else {
            fputs(help, stderr);
            return EXIT_USAGE;
        }
    }
    if (!db)
        return cli_no_db("kaigo insurer");
    bool list = strcmp(argv[1], "list") == 0, policy = strcmp(argv[1], "set-policy") == 0;
    if (!list && !(policy && np == 1 && (issue || start)) && (strcmp(argv[1], "set-name") != 0 || np != 2)) {
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    const char *why;
    if (!list) {
        if (insurer_no_check(pos[0], strlen(pos[0]), &why)) {
            fprintf(stderr, "kaigo insurer: %s\n", why);
            return EXIT_INVALID;
        }
        size_t n = pos[1] ? strlen(pos[1]) : 0;
        if (!policy && (n == 0 || !utf8_valid(pos[1], n, NULL) || utf8_count(pos[1], n) > NAME_MAX_CHARS)) {
            fprintf(stderr, "kaigo insurer: 名称は1〜%d文字のUTF-8で指定してください\n", NAME_MAX_CHARS);
            return EXIT_INVALID;
        }
    }
    struct store *st = store_open(db, false);
    if (!st)
        return EXIT_INTERNAL;
    int rc = 0;
    if (list) {
        if (st->ops->insurer_list(st, print_one, NULL))
            rc = EXIT_INTERNAL;
    } else if (policy) {
        rc = set_policy(st, pos[0], issue, start);
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
