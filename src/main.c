/*
 * main.c - the kaigo binary: a table of subcommands (git's commands[]).
 */
#include <locale.h>
#include <sys/stat.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/config.h"
#include "util/hooks.h"
#include "util/log.h"
#include "util/banned.h"

#ifdef KAIGO_TEST_HOOKS
/* kaigo-test: the test hooks from the environment (util/hooks.h), said on stderr when set.
 * The shipped binary (kaigo) is built without this: no variable here changes its rules. */
#include <stdlib.h>
static struct test_hooks hooks;

static void hooks_from_env(void)
{
    const char *e;
    const char *why;
    if ((e = getenv("KAIGO_TODAY")) && date_parse_iso(e, strlen(e), &hooks.today, &why))
        hooks.today = (struct date){0, 0, 0};
    if ((e = getenv("KAIGO_LAPSE_MONTHS")) && *e) {
        long v = strtol(e, NULL, 10);
        if (v >= 1 && v <= 24)
            hooks.lapse_months = (int)v;
        else
            warn("KAIGO_LAPSE_MONTHS=%s は 1〜24 ではないため既定の値を使います", e);
    }
    if ((e = getenv("KAIGO_AUDIT_EPOCH")) && *e) {
        long long v = strtoll(e, NULL, 10);
        hooks.audit_epoch = v >= 1 && v <= 1000000 ? v : 0;
    }
    if ((e = getenv("KAIGO_PRINT_FAIL_PART")) && *e)
        hooks.print_fail_part = (int)strtol(e, NULL, 10) + 1; /* 0: not set */
    if ((e = getenv("KAIGO_DISK_FULL_FILE")) && *e)
        hooks.disk_full_file = e;
    if ((e = getenv("KAIGO_PRINT_FAIL_FILE")) && *e)
        hooks.print_fail_file = e;
    test_hooks = &hooks;
}
#endif

static const struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"serve", cmd_serve, "HTTP API を起動する (serve the HTTP API)"},
    {"import", cmd_import, "市町村データ(CSV)を一括取込する (bulk import municipal CSV)"},
    {"card", cmd_card, "被保険者証を表示する (show a person's card; audited)"},
    {"insurer", cmd_insurer, "保険者を一覧・名称設定する (list insurers, set names)"},
    {"cert", cmd_cert, "要介護認定の審査中一覧(決定期限順) (certification worklist; audited)"},
    {"ledger", cmd_ledger, "住宅改修・福祉用具購入の残りと支給記録 (renovation/equipment ledger)"},
    {"exchange", cmd_exchange, "ケアプラン連携CSV(標準仕様v4.1)を検査する (check care-plan CSV files)"},
    {"caseload", cmd_caseload, "取扱件数・逓減制・モニタリング期限 (care-manager caseload)"},
    {"sheet7", cmd_sheet7, "第7表(サービス利用票別表)を計算する (compute a 第7表 as JSON)"},
    {"stats", cmd_stats, "市町村の集計表(秘匿付き)を出力する (municipal statistics, suppressed)"},
    {"audit", cmd_audit, "監査ログを検証する (verify the audit log)"},
    {"backup", cmd_backup, "稼働中にバックアップする (online backup: database, audit log, keys)"},
    {"restore", cmd_restore, "バックアップを検証して戻す (verify and restore a backup)"},
    {"migrate", cmd_migrate, "SQLite から PostgreSQL へ移す (move a SQLite store into PostgreSQL)"},
    {"directory", cmd_directory, "保険者→クラスタの一覧を検査する (check the insurer → cluster directory)"},
    {"print", cmd_print, "書類を QR 付きで印刷する (print a document with its signed QR)"},
    {"paper", cmd_paper, "書類署名鍵を作成・公開する (paper signing keys)"},
    {"verify", cmd_verify, "書類の QR 符号を確かめる (verify a paper document's token)"},
    {"org", cmd_access, "組織(市町村・事業所・医療機関)を登録する (organisations)"},
    {"user", cmd_access, "職員・本人・代理人のアカウントを作る (accounts: password + TOTP)"},
    {"token", cmd_access, "事業所ソフト用APIトークンを発行・失効する (API tokens)"},
    {"consent", cmd_access, "同意を登録・撤回する (consents)"},
    {"proxy", cmd_access, "代理人を登録・取消する (proxies)"},
    {"relationship", cmd_access, "本人確認コード・実績・担当終了 (care relationships)"},
    {"ikensho", cmd_access, "主治医意見書作成依頼 (requests to a 医療機関)"},
    {"totp", cmd_access, "TOTPコードを表示する (a TOTP code for a secret; for testing)"},
    {"check", cmd_check, "番号の検証番号を確かめる (validate a number)"},
    {"wareki", cmd_wareki, "和暦と西暦を変換する (convert Japanese era dates)"},
    {"demo", cmd_demo, "合成データを生成する (generate synthetic data)"},
};

static void usage(FILE *f)
{
    fputs("使い方: kaigo <command> [options]   (usage)\n\n", f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].summary);
    fputs("\n各コマンドの詳細は kaigo <command> --help、マニュアルは docs/man/kaigo.1 を参照してください。\n",
          f);
}

int main(int argc, char **argv)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    /* everything kaigo creates holds personal data or keys: the database, its WAL and shared
     * memory (SQLite gives them the database's mode), the audit log, keys, printed PDFs and
     * import working files are 0600, directories 0700 (security.md; docs/security.md) */
    umask(077);
    const char *conf = config_args(&argc, argv);
    if (config_load(conf))
        return EXIT_USAGE;
#ifdef KAIGO_TEST_HOOKS
    hooks_from_env();
#endif
    if (sodium_init() < 0) {
        fputs("kaigo: libsodium init failed\n", stderr);
        return EXIT_INTERNAL;
    }
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
#ifdef KAIGO_TEST_HOOKS
        puts("kaigo 0.1.0 (test build: KAIGO_TODAY, KAIGO_LAPSE_MONTHS, KAIGO_AUDIT_EPOCH, KAIGO_PRINT_FAIL_PART, KAIGO_DISK_FULL_FILE)");
#else
        puts("kaigo 0.1.0");
#endif
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "kaigo: 不明なコマンドです: %s\n\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
