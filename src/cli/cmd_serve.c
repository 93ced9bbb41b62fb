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
#include "store/store.h"
#include "util/log.h"
#include "util/banned.h"

static const char help[] =
    "使い方: kaigo serve [--db PATH] [--listen HOST:PORT] [--token-file PATH] [--threads N] [--quiet]\n"
    "                   [--secure-cookies] [--header-timeout S] [--max-connections N]\n"
    "                   [--max-per-address N] [--access-token-lifetime 60m] [--refresh-token-lifetime 8h]\n"
    "                   [--codes サービスコード表.csv] [--log-file PATH] [--log-format text|json]\n"
    "                   [--tls-cert PEM --tls-key PEM [--tls-client-ca PEM]] [--min-free-mb N]\n"
    "                   (kaigo --config FILE serve …: 設定ファイル。フラグ > 環境変数 KAIGO_* > ファイル)\n"
    "  HTTP API と画面を起動します。/api 以下はログイン(セッション)かAPIトークンが必要です\n"
    "  (運用者トークンは保険者一覧などのマスタ情報のみ)。画面は / から(本人・家族・事業所の事務;\n"
    "  docs/ui.md)。どちらも同じ判定とアクセス記録を通ります。\n"
    "  --db          データベース (既定: $KAIGO_DB)\n"
    "  --listen      待受アドレス (既定: $KAIGO_LISTEN または 127.0.0.1:8080; ポート0で空きポート)\n"
    "  --token-file  運用者トークンのファイル (既定: <db>.operator-token; 無ければ作成, mode 0600)\n"
    "  --threads     ワーカースレッド数 (既定: CPUコア数)\n"
    "  --secure-cookies  セッションCookieに Secure を付ける (TLS終端プロキシの後ろで運用する場合)\n"
    "  --quiet       アクセスログと情報メッセージを出さない(警告とエラーは出す; access_log = false はアクセスログだけ)\n"
    "  --header-timeout   新しい接続がリクエストヘッダを送り終えるまでの秒数 (既定: 10)\n"
    "  --max-connections  同時接続数の上限 (既定: 16384; その 15/16 を超えるとアイドル接続を閉じて空ける)\n"
    "  --max-per-address  1つのアドレスの持ち分 (既定: 上限の 1/16; 超えるとそのアドレスのアイドル接続を閉じて空ける)\n"
    "  --access-token-lifetime   POST /api/v1/token が発行するアクセストークンの有効時間 (既定: 60m)\n"
    "  --refresh-token-lifetime  リフレッシュトークンの有効時間 (既定: 8h)。どちらも 90s・60m・8h の形\n"
    "  --codes       ケアプランの画面で第7表を計算するサービスコード表 (既定: 同梱の一部; 読めなければ第7表は示しません)\n"
    "  --log-file    ログをこのファイルに追記する (既定: 標準エラー出力; SIGHUP で開き直す)\n"
    "  --log-format  text (既定) か json (1行1オブジェクト)\n"
    "  --tls-cert, --tls-key  PEM の証明書と秘密鍵: HTTPS で待ち受ける (TLS 1.2/1.3)\n"
    "  --tls-client-ca  事業所のクライアント証明書を発行した CA (PEM)。指定すると事業所の API トークンは\n"
    "                その事業所の証明書(CN=事業所番号)と一緒でなければ使えません\n"
    "  --min-free-mb 空きディスクがこれを下回ると /readyz が 503 (既定: 256)\n"
    "  /healthz は生存確認、/readyz は書込み可能・監査ログ・空き容量の確認、/metrics は運用者トークンで\n"
    "  Prometheus 形式の計測値です。\n"
    "  標準出力の1行目に待受URLを表示します。SIGINT/SIGTERM で停止、SIGHUP でログファイルを開き直します。\n";

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

/* read_pem - a PEM file's text (NUL-terminated, caller frees); NULL after a message */
static char *read_pem(const char *what, const char *path)
{
    size_t n;
    char *text = cli_read_bytes(path, 1 << 20, &n);
    if (text && !strstr(text, "-----BEGIN ")) {
        error("%s %s は PEM ではありません", what, path);
        free(text);
        return NULL;
    }
    return text;
}

int cmd_serve(int argc, char **argv)
{
    const struct kaigo_config *c = config();
    const char *db = db_default(), *listen = c->listen, *token_file = c->token_file, *codes = c->codes;
    const char *log_file = c->log_file, *tls_cert = c->tls_cert, *tls_key = c->tls_key,
               *tls_ca = c->tls_client_ca;
    enum log_format log_format = c->log_format;
    unsigned threads = (unsigned)c->threads, head_s = (unsigned)c->header_timeout,
             max_conns = (unsigned)c->max_connections, max_per = (unsigned)c->max_per_address,
             min_free = (unsigned)c->min_free_mb;
    int64_t access_ms = 0, refresh_ms = 0; /* 0: the defaults of http/tokens.h */
    bool quiet = false, access_log = c->access_log, secure = c->secure_cookies;
    if (c->access_token_lifetime && (access_ms = lifetime_parse(c->access_token_lifetime)) < 0) {
        fprintf(stderr, "kaigo serve: access_token_lifetime は 90s・60m・8h の形です(30日まで)\n");
        return EXIT_USAGE;
    }
    if (c->refresh_token_lifetime && (refresh_ms = lifetime_parse(c->refresh_token_lifetime)) < 0) {
        fprintf(stderr, "kaigo serve: refresh_token_lifetime は 90s・60m・8h の形です(30日まで)\n");
        return EXIT_USAGE;
    }
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
        else if ((v = opt_value(argc, argv, &i, "--log-file")))
            log_file = v;
        else if ((v = opt_value(argc, argv, &i, "--log-format"))) {
            if (strcmp(v, "text") && strcmp(v, "json")) {
                fprintf(stderr, "kaigo serve: --log-format は text か json です\n");
                return EXIT_USAGE;
            }
            log_format = strcmp(v, "json") == 0 ? LOG_JSON : LOG_TEXT;
        } else if ((v = opt_value(argc, argv, &i, "--tls-cert")))
            tls_cert = v;
        else if ((v = opt_value(argc, argv, &i, "--tls-key")))
            tls_key = v;
        else if ((v = opt_value(argc, argv, &i, "--tls-client-ca")))
            tls_ca = v;
        else if ((v = opt_value(argc, argv, &i, "--min-free-mb"))) {
            char *end;
            unsigned long t = strtoul(v, &end, 10);
            if (*end || !*v || t > 1000000) {
                fprintf(stderr, "kaigo serve: --min-free-mb は 0〜1000000 です\n");
                return EXIT_USAGE;
            }
            min_free = (unsigned)t;
        } else if ((v = opt_value(argc, argv, &i, "--threads"))) {            char *end;
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
    if (store_where_usable(db))
        return EXIT_INTERNAL;
    char side[4200], token[65];
    if (!token_file && store_side_path(db, ".operator-token", side, sizeof side)) {
        fprintf(stderr, "kaigo serve: データベースのパスが長すぎます\n");
        return EXIT_INTERNAL;
    }
    if (load_token(token_file ? token_file : side, token))
        return EXIT_INTERNAL;
    log_set_quiet(quiet);
    if (log_open(log_file, log_format == LOG_JSON))
        return EXIT_INTERNAL;
    config_log();
    if (!tls_cert != !tls_key) {
        fprintf(stderr, "kaigo serve: HTTPS には --tls-cert と --tls-key の両方が必要です\n");
        return EXIT_USAGE;
    }
    if (tls_ca && !tls_cert) {
        fprintf(stderr, "kaigo serve: --tls-client-ca は HTTPS (--tls-cert, --tls-key) で使います\n");
        return EXIT_USAGE;
    }
    if (tls_cert)
        secure = true; /* served over TLS: cookies get Secure, the origin is https */
    char *cert_pem = NULL, *key_pem = NULL, *ca_pem = NULL;
    if (tls_cert && (!(cert_pem = read_pem("証明書", tls_cert)) || !(key_pem = read_pem("秘密鍵", tls_key)) ||
                     (tls_ca && !(ca_pem = read_pem("CA 証明書", tls_ca))))) {
        free(cert_pem);
        free(key_pem);
        return EXIT_USAGE;
    }
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
    struct server_config cfg = {db,      host,   (unsigned)port, token, threads, access_log && !quiet, secure,
                                config()->verify_per_minute, head_s, max_conns, max_per, access_ms, refresh_ms,
                                have_codes ? &master : NULL, (int)min_free, cert_pem, key_pem, ca_pem};
    int rc = server_run(&cfg);
    free(master.rows);
    if (key_pem)
        sodium_memzero(key_pem, strlen(key_pem));
    free(cert_pem);
    free(key_pem);
    free(ca_pem);
    sodium_memzero(token, sizeof token);
    return rc;
}
