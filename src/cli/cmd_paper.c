/*
 * cmd_paper.c - the paper bridge from the command line (issue #6, docs/paper.md):
 *   kaigo paper key --insurer X [--db PATH]   an insurer's signing key (created on first
 *                                             use) and the line to publish: "保険者番号 公開鍵"
 *   kaigo verify TOKEN|FILE.png|FILE.pdf [--keys FILE | --db PATH] [--date D]
 *                                             checks a document's QR token offline with the
 *                                             insurer's published key and prints what it asserts
 * A PNG is decoded with zbarimg, a PDF first rendered with pdftoppm (poppler-utils);
 * both are run directly (no shell) with the file name as one argument.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "domain/numbers.h"
#include "domain/paperdoc.h"
#include "domain/papertoken.h"
#include "domain/wareki.h"
#include "store/keyfile.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/spawn.h"
#include "util/banned.h"

static const char key_help[] =
    "使い方: kaigo paper key --insurer 保険者番号 [--db PATH]\n"
    "        kaigo paper revoke --insurer 保険者番号 --serial 番号 [--db PATH]\n"
    "  保険者の書類署名鍵(Ed25519、<db>.paper-key-保険者番号、初回に作成)の公開鍵を\n"
    "  「保険者番号 公開鍵(16進)」の1行で表示します。この行を公開し、事業所は kaigo verify --keys で使います。\n"
    "  revoke: 交付した書類(保険者ごとの番号)を失効させます。オンライン照会はその書類を「失効」と答えます。\n";

static const char verify_help[] =
    "使い方: kaigo verify TOKEN|FILE.png|FILE.pdf [--keys 公開鍵一覧] [--db PATH] [--date YYYY-MM-DD]\n"
    "  書類の QR コードの符号(KG2:… 以前の書類は KG1:…)を保険者の公開鍵で確かめ、書類が示す内容を表示します(オフライン)。\n"
    "  PNG は zbarimg で、PDF は pdftoppm で画像にしてから読み取ります。\n"
    "  --keys  「保険者番号 公開鍵(16進)」の行の一覧(kaigo paper key の出力)\n"
    "  --db    そのデータベースの保険者の鍵(<db>.paper-key-保険者番号.pub)を使います\n"
    "  --date  有効期間を確かめる日(既定: 今日)\n"
    "  終了コード: 0 有効、1 確かめられない・改ざん・期限切れ、2 使い方の誤り\n";

int cmd_paper(int argc, char **argv)
{
    if (argc < 2 || is_help(argv[1])) {
        fputs(key_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    if (strcmp(argv[1], "key") != 0 && strcmp(argv[1], "revoke") != 0) {
        fprintf(stderr, "kaigo paper: 不明なサブコマンドです: %s\n%s", argv[1], key_help);
        return EXIT_USAGE;
    }
    bool revoke = strcmp(argv[1], "revoke") == 0;
    const char *insurer = NULL, *db = db_default(), *serial_s = NULL;
    for (int i = 2; i < argc; i++) {
        const char *v;
        if (is_help(argv[i])) {
            fputs(key_help, stdout);
            return 0;
        } else if ((v = opt_value(argc, argv, &i, "--insurer")))
            insurer = v;
        else if (revoke && (v = opt_value(argc, argv, &i, "--serial")))
            serial_s = v;
        else if ((v = opt_value(argc, argv, &i, "--db")))
            db = v;
        else {
            fprintf(stderr, "kaigo paper key: 不明な引数です: %s\n%s", argv[i], key_help);
            return EXIT_USAGE;
        }
    }
    const char *why;
    char *end = NULL;
    unsigned long serial = serial_s ? strtoul(serial_s, &end, 10) : 0;
    if (insurer && !db)
        return cli_no_db("kaigo paper");
    if (!insurer || !db || (revoke && (!serial_s || *end || serial == 0 || serial > 0xFFFFFFFFul))) {
        fputs(key_help, stderr);
        return EXIT_USAGE;
    }
    if (insurer_no_check(insurer, strlen(insurer), &why)) {
        fprintf(stderr, "kaigo paper: %s\n", why);
        return EXIT_INVALID;
    }
    if (revoke) {
        struct store *st = store_open(db, false);
        if (!st)
            return EXIT_INTERNAL;
        struct actor a;
        cli_actor(&a);
        long long change;
        int rc = st->ops->begin(st) || st->ops->change_begin(st, a.id, "書類の失効", &change) ? -1
                 : st->ops->paper_revoke(st, insurer, (uint32_t)serial, change);
        if (rc == 0 && st->ops->commit(st))
            rc = -1;
        if (rc)
            st->ops->rollback(st);
        if (rc == STORE_NOTFOUND)
            fprintf(stderr, "kaigo paper revoke: 保険者 %s の番号 %lu の書類はないか、失効済みです\n", insurer, serial);
        else if (rc)
            fprintf(stderr, "kaigo paper revoke: 記録できません(%s)\n", store_errmsg(st));
        else
            printf("保険者 %s の番号 %lu の書類を失効させました\n", insurer, serial);
        store_close(st);
        return rc == 0 ? 0 : rc == STORE_NOTFOUND ? EXIT_INVALID : EXIT_INTERNAL;
    }
    char path[4200];
    unsigned char sk[KEYFILE_SK_BYTES], pk[KEYFILE_PK_BYTES];
    if (store_where_usable(db))
        return EXIT_INTERNAL;
    if (paper_key_path(db, insurer, path, sizeof path)) {
        fprintf(stderr, "kaigo paper: 鍵のパスが長すぎます\n");
        return EXIT_INTERNAL;
    }
    if (keyfile_load(path, true, sk))
        return EXIT_INTERNAL;
    crypto_sign_ed25519_sk_to_pk(pk, sk);
    sodium_memzero(sk, sizeof sk);
    char hex[2 * KEYFILE_PK_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, pk, sizeof pk);
    printf("%s %s\n", insurer, hex);
    return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

/* token_of - the argument itself, or the QR code read from a PNG / the first page of a PDF */
static char *token_of(const char *arg, size_t *n)
{
    if (!ends_with(arg, ".png") && !ends_with(arg, ".pdf")) {
        *n = strlen(arg);
        char *t = malloc(*n + 1);
        if (t)
            memcpy(t, arg, *n + 1);
        return t;
    }
    return qr_scan(arg, n);
}

/* key_of - the insurer's public key from a published list ("保険者番号 16進" per line,
 * '#' comments), else the database's key file (paper_pubkey_load) */
static int key_of(const char *insurer, const char *keys, const char *db, unsigned char pk[32])
{
    if (!keys)
        return db ? paper_pubkey_load(db, insurer, pk) : -1;
    size_t n;
    char *text = cli_read_text(keys, 1 << 20, &n);
    if (!text)
        return -1;
    int rc = -1;
    for (char *line = text, *next; rc && line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (line[0] == '#')
            continue;
        size_t w = strcspn(line, " \t"); /* "保険者番号 hex" */
        if (w != strlen(insurer) || strncmp(line, insurer, w) != 0)
            continue;
        const char *hex = line + w + strspn(line + w, " \t");
        size_t bin;
        rc = sodium_hex2bin(pk, 32, hex, strcspn(hex, " \t\r"), NULL, &bin, NULL) || bin != 32 ? -1 : 0;
    }
    free(text);
    return rc;
}

static void print_date(const char *label, struct date d)
{
    struct buf b;
    buf_init(&b, 64);
    char iso[11];
    date_iso(d, iso);
    if (wareki_format(d, WAREKI_LONG, &b) == 0)
        printf("%s: %s(%s)\n", label, b.ptr, iso);
    else
        printf("%s: %s\n", label, iso);
    buf_release(&b);
}

/* verify_one - one token: signature with the insurer's key, what it asserts, validity on 'on'. */
static int verify_one(const char *text, size_t n, const char *keys, const char *db, struct date on)
{
    const char *why;
    struct paper_token t;
    int rc = 0;
    unsigned char pk[32];
    if (paper_token_parse(text, n, &t, &why)) {
        fprintf(stderr, "kaigo verify: 読み取れません: %s\n", why);
        rc = EXIT_INVALID;
    } else if (key_of(t.insurer_no, keys, db, pk)) {
        fprintf(stderr, "kaigo verify: 保険者 %s の公開鍵がありません(--keys か --db)\n", t.insurer_no);
        rc = EXIT_INVALID;
    } else if (!paper_token_verify(&t, pk)) {
        fprintf(stderr, "kaigo verify: 署名が一致しません(書き換えられたか、別の保険者の鍵で作られた符号です)\n");
        rc = EXIT_INVALID;
    } else {
        printf("署名を確認しました(保険者 %s の鍵)\n", t.insurer_no);
        printf("書類: %s\n", paper_kind_name(t.kind));
        printf("保険者番号: %s\n被保険者番号: %s\n番号: %u\n", t.insurer_no, t.insured_no, t.serial);
        print_date("交付年月日", t.issued);
        if (!date_is_none(t.valid_from))
            print_date("有効期間(開始)", t.valid_from);
        if (!date_is_none(t.valid_to))
            print_date("有効期間(終了)", t.valid_to);
        /* what the paper must show: compare with the printed values (a forged level or 割合
         * beside a genuine QR differs here) */
        struct paper_fact facts[3];
        size_t nf = paper_token_facts(&t, facts);
        for (size_t i = 0; i < nf; i++)
            printf("%s: %s\n", facts[i].label, facts[i].value);
        if (nf)
            printf("(紙に印刷された内容が上と同じか確かめてください)\n");
        char hex[2 * PAPER_HASH_BYTES + 1];
        sodium_bin2hex(hex, sizeof hex, t.content_hash, sizeof t.content_hash);
        printf("印字内容の要約(SHA-256 先頭16バイト): %s\n", hex);
        if (!date_is_none(t.valid_to) && date_cmp(on, t.valid_to) > 0) {
            printf("結果: 有効期間が過ぎています\n");
            rc = EXIT_INVALID;
        } else if (!date_is_none(t.valid_from) && date_cmp(on, t.valid_from) < 0) {
            printf("結果: まだ有効期間の前です\n");
            rc = EXIT_INVALID;
        } else
            printf("結果: 署名と有効期間は有効です(失効・再交付はオフラインでは確かめられません)\n");
    }
    return rc;
}

int cmd_verify(int argc, char **argv)
{
    const char *arg = NULL, *keys = NULL, *db = db_default(), *on_s = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (is_help(argv[i])) {
            fputs(verify_help, stdout);
            return 0;
        } else if ((v = opt_value(argc, argv, &i, "--keys")))
            keys = v;
        else if ((v = opt_value(argc, argv, &i, "--db")))
            db = v;
        else if ((v = opt_value(argc, argv, &i, "--date")))
            on_s = v;
        else if (arg || (argv[i][0] == '-' && argv[i][1] == '-')) {
            fprintf(stderr, "kaigo verify: 不明な引数です: %s\n%s", argv[i], verify_help);
            return EXIT_USAGE;
        } else
            arg = argv[i];
    }
    const char *why;
    struct date on = date_today();
    if (arg && !keys && !db) {
        fputs("kaigo verify: 保険者の公開鍵がありません。--keys 公開鍵一覧(kaigo paper key の行)か --db を指定してください\n", stderr);
        return EXIT_USAGE;
    }
    if (!arg || (on_s && date_parse_iso(on_s, strlen(on_s), &on, &why))) {
        fputs(verify_help, stderr);
        return EXIT_USAGE;
    }
    /* a PDF: every page's code is checked, each said by its page (issue #15) */
    int pages = ends_with(arg, ".pdf") ? pdf_pages(arg) : 1;
    if (pages < 1)
        pages = 1;
    int rc = 0;
    for (int p = 1; p <= pages; p++) {
        size_t n;
        char *text = pages > 1 ? qr_scan_page(arg, p, &n) : token_of(arg, &n);
        if (pages > 1)
            printf("%s== %d / %d ページ ==\n", p > 1 ? "\n" : "", p, pages);
        if (!text) {
            fprintf(stderr, "kaigo verify: %s%s から QR コードを読み取れません。QR コード全体が写るように 200 dpi 以上でスキャンした PNG・JPEG か PDF を渡してください\n",
                    arg, pages > 1 ? (p == 1 ? "(1ページ目)" : "(このページ)") : "");
            rc = EXIT_INVALID;
            continue;
        }
        int r1 = verify_one(text, n, keys, db, on);
        if (r1)
            rc = r1;
        free(text);
    }
    return rc;
}
