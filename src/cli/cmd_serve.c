/*
 * cmd_serve.c - kaigo serve: parse options, load or create the operator token
 * (a file of mode 0600), and run the HTTP server.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/config.h"
#include "http/server.h"
#include "http/tokens.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/banned.h"

static const char help[] =
    "使い方: kaigo serve [--db PATH] [--listen HOST:PORT] [--token-file PATH] [--threads N] [--quiet]\n"
    "                   [--secure-cookies] [--header-timeout S] [--max-connections N]\n"
    "                   [--max-per-address N] [--access-token-lifetime 60m] [--refresh-token-lifetime 8h]\n"
    "                   [--codes サービスコード表.csv]\n"
    "  HTTP API と画面を起動します。/api 以下はログイン(セッション)かAPIトークンが必要です\n"
    "  (運用者トークンは保険者一覧などのマスタ情報のみ)。画面は / から(本人・家族・事業所の事務;\n"
    "  docs/ui.md)。どちらも同じ判定とアクセス記録を通ります。\n"
    "  --db          データベース (既定: $KAIGO_DB)\n"
    "  --listen      待受アドレス (既定: $KAIGO_LISTEN または 127.0.0.1:8080; ポート0で空きポート)\n"
    "  --token-file  運用者トークンのファイル (既定: <db>.operator-token; 無ければ作成, mode 0600)\n"
    "  --threads     ワーカースレッド数 (既定: CPUコア数)\n"
    "  --secure-cookies  セッションCookieに Secure を付ける (TLS終端プロキシの後ろで運用する場合)\n"
    "  --quiet       アクセスログを出さない\n"
    "  --header-timeout   新しい接続がリクエストヘッダを送り終えるまでの秒数 (既定: 10)\n"
    "  --max-connections  同時接続数の上限 (既定: 10000)\n"
    "  --max-per-address  1つのアドレスからの同時接続数の上限 (既定: 上限の 1/16)\n"
    "  --access-token-lifetime   POST /api/v1/token が発行するアクセストークンの有効時間 (既定: 60m)\n"
    "  --refresh-token-lifetime  リフレッシュトークンの有効時間 (既定: 8h)。どちらも 90s・60m・8h の形\n"
    "  --codes       ケアプランの画面で第7表を計算するサービスコード表 (既定: 同梱の一部; 読めなければ第7表は示しません)\n"
    "  標準出力の1行目に待受URLを表示します。SIGINT/SIGTERM で停止します。\n";

/* load_token - reads the token (64 hex chars) or creates one. */
static int load_token(const char *path, char out[65])
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        struct stat sb;
        if (fstat(fd, &sb) || (sb.st_mode & 077)) {
            close(fd);
            return error("token file %s: 他のユーザーが読めます(mode %o)。chmod 600 してください",
                         path, (unsigned)(sb.st_mode & 0777));
        }
        ssize_t n = read(fd, out, 64);
        close(fd);
        if (n != 64)
            return error("token file %s: expected 64 hex characters", path);
        out[64] = '\0';
        for (int i = 0; i < 64; i++)
            if (!((out[i] >= '0' && out[i] <= '9') || (out[i] >= 'a' && out[i] <= 'f')))
                return error("token file %s: expected 64 hex characters", path);
        return 0;
    }
    if (errno != ENOENT)
        return error("token file %s: %s", path, strerror(errno));
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, 65, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return error("token file %s: %s", path, strerror(errno));
    if (write(fd, out, 64) != 64 || write(fd, "\n", 1) != 1 || fsync(fd) != 0) {
        close(fd);
        return error("token file %s: write failed", path);
    }
    close(fd);
    info("created operator token file %s (mode 0600)", path);
    return 0;
}

/* count_opt - a whole number 1..max for an option; -1 after a message */
static int count_opt(const char *name, const char *v, unsigned long max, unsigned *out)
{
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    if (*end || *v < '1' || *v > '9' || n > max) {
        fprintf(stderr, "kaigo serve: %s は 1〜%lu です\n", name, max);
        return -1;
    }
    *out = (unsigned)n;
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    const char *db = db_default(), *listen = config()->listen, *token_file = NULL, *codes = NULL;
    unsigned threads = 0, head_s = 0, max_conns = 0, max_per = 0;
    int64_t access_ms = 0, refresh_ms = 0; /* 0: the defaults of http/tokens.h */
    bool quiet = false, secure = false;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        } else if ((v = opt_value(argc, argv, &i, "--db")))
            db = v;
        else if ((v = opt_value(argc, argv, &i, "--listen")))
            listen = v;
        else if ((v = opt_value(argc, argv, &i, "--token-file")))
            token_file = v;
        else if ((v = opt_value(argc, argv, &i, "--threads"))) {
            char *end;
            unsigned long t = strtoul(v, &end, 10);
            if (*end || t > 256) {
                fprintf(stderr, "kaigo serve: --threads は 0〜256 です\n");
                return EXIT_USAGE;
            }
            threads = (unsigned)t;
        } else if ((v = opt_value(argc, argv, &i, "--header-timeout"))) {
            if (count_opt("--header-timeout", v, 600, &head_s))
                return EXIT_USAGE;
        } else if ((v = opt_value(argc, argv, &i, "--max-connections"))) {
            if (count_opt("--max-connections", v, 1000000, &max_conns))
                return EXIT_USAGE;
        } else if ((v = opt_value(argc, argv, &i, "--max-per-address"))) {
            if (count_opt("--max-per-address", v, 1000000, &max_per))
                return EXIT_USAGE;
        } else if ((v = opt_value(argc, argv, &i, "--access-token-lifetime")) ||
                   (v = opt_value(argc, argv, &i, "--refresh-token-lifetime"))) {
            bool access = strcmp(argv[i - 1], "--access-token-lifetime") == 0 ||
                          strncmp(argv[i], "--access-token-lifetime=", 24) == 0;
            int64_t ms = lifetime_parse(v);
            if (ms < 0) {
                fprintf(stderr, "kaigo serve: %s は 90s・60m・8h の形です(30日まで)\n",
                        access ? "--access-token-lifetime" : "--refresh-token-lifetime");
                return EXIT_USAGE;
            }
            *(access ? &access_ms : &refresh_ms) = ms;
        } else if ((v = opt_value(argc, argv, &i, "--codes")))
            codes = v;
        else if (strcmp(argv[i], "--quiet") == 0)
            quiet = true;
        else if (strcmp(argv[i], "--secure-cookies") == 0)
            secure = true;
        else {
            fprintf(stderr, "kaigo serve: 不明な引数です: %s\n%s", argv[i], help);
            return EXIT_USAGE;
        }
    }
    if (!db)
        return cli_no_db("kaigo serve");
    if (!listen || !*listen)
        listen = "127.0.0.1:8080";
    char host[64];
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof host || colon == listen) {
        fprintf(stderr, "kaigo serve: --listen は HOST:PORT 形式です\n");
        return EXIT_USAGE;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (*end || port > 65535 || colon[1] == '\0') {
        fprintf(stderr, "kaigo serve: ポート番号が不正です\n");
        return EXIT_USAGE;
    }
    struct buf tf;
    buf_init(&tf, 4096);
    if (token_file)
        buf_adds(&tf, token_file);
    else
        buf_addf(&tf, "%s.operator-token", db);
    char token[65];
    if (buf_failed(&tf) || load_token(tf.ptr, token)) {
        buf_release(&tf);
        return EXIT_INTERNAL;
    }
    buf_release(&tf);
    log_set_quiet(quiet);
    config_log();
    if (access_ms > refresh_ms && refresh_ms) {
        fprintf(stderr, "kaigo serve: アクセストークンはリフレッシュトークンより短くしてください\n");
        return EXIT_USAGE;
    }
    /* the 第7表 on the plan pages: the service-code master, read once (the server runs without it) */
    char deflt[4096];
    struct svc_master master = {NULL, 0};
    bool have_codes = load_master(codes ? codes : codes_default(deflt, sizeof deflt), &master) == 0;
    if (!have_codes)
        fprintf(stderr, "kaigo serve: サービスコード表を読めないため、ケアプランの画面に第7表は示しません\n");
    struct server_config cfg = {db,      host,   (unsigned)port, token, threads, !quiet, secure,
                                config()->verify_per_minute, head_s, max_conns, max_per, access_ms, refresh_ms,
                                have_codes ? &master : NULL};
    int rc = server_run(&cfg);
    free(master.rows);
    sodium_memzero(token, sizeof token);
    return rc;
}
