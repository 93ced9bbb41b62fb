/*
 * cmd_audit.c - kaigo audit verify: recompute every insurer's audit log.
 *
 * For each insurer, entries must be numbered 1, 2, 3, … without gaps; each
 * leaf hash must equal SHA-256(0x00 ‖ canonical bytes of the row) and each
 * chain hash SHA-256(0x02 ‖ previous chain ‖ leaf). The first failure is
 * reported with its sequence number and the exit code is 1. (Truncation of
 * the tail is detected against signed checkpoints, added by the access issue.)
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"
#include "util/banned.h"

static const char help[] =
    "使い方: kaigo audit verify [--db PATH] [--insurer INSURER]\n"
    "  保険者ごとの監査ログ(ハッシュ連鎖)を先頭から再計算して検証します。\n"
    "  改ざん・削除・挿入・並べ替えがあれば最初の不正な連番を示して終了コード1で終わります。\n";

struct vctx {
    int64_t expect;
    unsigned char prev[AUDIT_HASH_BYTES];
    int bad;
    long long entries;
    const char *insurer;
};

static int check_one(void *ctx, const struct audit_entry *e, const unsigned char leaf[32],
                     const unsigned char chain[32])
{
    struct vctx *v = ctx;
    unsigned char canon[AUDIT_CANON_MAX], l[32], c[32];
    if (e->seq != v->expect) {
        printf("保険者 %s: 連番 %lld: 連番が飛んでいるか重複しています(期待値 %lld)\n", v->insurer,
               (long long)e->seq, (long long)v->expect);
        v->bad = 1;
        return 1;
    }
    size_t n = audit_canonical(e, canon);
    audit_leaf_hash(canon, n, l);
    if (sodium_memcmp(l, leaf, 32) != 0) {
        printf("保険者 %s: 連番 %lld: 記録内容がハッシュと一致しません(改ざん)\n", v->insurer,
               (long long)e->seq);
        v->bad = 1;
        return 1;
    }
    audit_chain_hash(v->prev, l, c);
    if (sodium_memcmp(c, chain, 32) != 0) {
        printf("保険者 %s: 連番 %lld: ハッシュ連鎖が途切れています(削除・挿入・並べ替え)\n",
               v->insurer, (long long)e->seq);
        v->bad = 1;
        return 1;
    }
    memcpy(v->prev, c, 32);
    v->expect++;
    v->entries++;
    return 0;
}

struct allctx {
    struct store *st;
    const char *only;
    int bad;
    int err;
    long long entries;
    int logs;
};

static int verify_insurer(void *ctx, const char *no)
{
    struct allctx *a = ctx;
    if (a->only && strcmp(a->only, no) != 0)
        return 0;
    struct vctx v = {1, {0}, 0, 0, no};
    if (a->st->ops->audit_iter(a->st, no, check_one, &v)) {
        a->err = 1;
        return 1;
    }
    a->logs++;
    a->entries += v.entries;
    if (v.bad)
        a->bad = 1;
    else
        printf("保険者 %s: %lld 件 OK\n", no, v.entries);
    return 0;
}

int cmd_audit(int argc, char **argv)
{
    if (argc < 2 || is_help(argv[1])) {
        fputs(help, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    if (strcmp(argv[1], "verify") != 0) {
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    const char *db = db_default(), *only = NULL;
    for (int i = 2; i < argc; i++) {
        const char *v;
        if (is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        } else if ((v = opt_value(argc, argv, &i, "--db")))
            db = v;
        else if ((v = opt_value(argc, argv, &i, "--insurer")))
            only = v;
        else {
            fputs(help, stderr);
            return EXIT_USAGE;
        }
    }
    if (!db) {
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    struct store *st = store_open_sqlite(db, true);
    if (!st)
        return EXIT_INTERNAL;
    struct allctx a = {st, only, 0, 0, 0, 0};
    if (st->ops->audit_insurers(st, verify_insurer, &a) || a.err) {
        fprintf(stderr, "kaigo audit verify: %s\n", store_errmsg(st));
        store_close(st);
        return EXIT_INTERNAL;
    }
    store_close(st);
    if (a.bad) {
        printf("検証失敗: 監査ログが改ざんされています\n");
        return EXIT_INVALID;
    }
    printf("検証成功: %d 保険者, %lld 件\n", a.logs, a.entries);
    return 0;
}
