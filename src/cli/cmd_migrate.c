/* cmd_migrate.c - kaigo migrate --from FILE.db --to postgresql://… : a municipality's SQLite store,
 * its audit log and its keys moved into an empty PostgreSQL database (issue #22; docs/deploy.md).
 *
 * In order, stopping at the first failure:
 *   1. `kaigo audit verify` on the source: a log that does not verify is not carried over;
 *   2. the keys and the operator token beside the SQLite file copied into $KAIGO_STATE (as
 *      kaigo.<suffix>, 0600, published keys 0644); one already there must be the same bytes;
 *   3. every table copied and compared in one PostgreSQL transaction (store/migrate.c);
 *   4. `kaigo audit verify` on the target, with the copied public key.
 * The source is only read. Every writer of it (kaigo serve, imports) must be stopped first.
 *
 * Exit: 0 moved and verified; 1 refused (source does not verify, target not empty, a key differs,
 * the copy differs); 2 usage; 3 failure (connection, disk). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "store/directory.h"
#include "store/keyfile.h"
#include "store/migrate.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/banned.h"

static const char help[] =
    "使い方: kaigo migrate --from FILE.db --to postgresql://… [--quiet]\n"
    "  SQLite のデータベース(FILE.db)と監査ログ(FILE.db.audit)、鍵(FILE.db.audit-key、paper-key-*、\n"
    "  token-key、operator-token)を、空の PostgreSQL データベース(schema.sql を入れたもの)へ移します。\n"
    "  鍵は $KAIGO_STATE に kaigo.<種類> の名前で置きます。移行元は読むだけで変えません。\n"
    "  移行前に移行元の監査ログを検証し、すべての表を一つのトランザクションで写して表ごとに件数と内容を\n"
    "  照合し、移行後に移行先の監査ログを検証します。どこかで失敗すれば移行先には何も残りません。\n"
    "  移行元に書き込むもの(kaigo serve、取込)は先に止めてください。\n"
    "  --to には schema.sql を入れた所有者のロールの URL を指定します(連番を進めるため)。\n"
    "  終了コード: 0 移行して検証済み、1 拒否(検証失敗・移行先が空でない・鍵が違う・照合不一致)、\n"
    "  2 使い方の誤り、3 接続やディスクの失敗。\n";

#define KEY_MAX 4096 /* a key or token file is a few hundred bytes at most */

/* read_small - the whole of a small file; -1 (errno) on failure */
static ssize_t read_small(const char *path, char *out, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, out, cap);
    int e = errno;
    close(fd);
    errno = e;
    return n >= 0 && (size_t)n == cap ? (errno = EFBIG, -1) : n;
}

/* copy_side - from's side file with this suffix into the state directory; 0 copied or already the
 * same, 1 refused (another file of that name), -1 failure */
static int copy_side(const char *from, const char *to, const char *suffix, bool pub)
{
    char src[4096], dst[4096], a[KEY_MAX], b[KEY_MAX];
    int ls = snprintf(src, sizeof src, "%s%s", from, suffix);
    if (ls < 0 || (size_t)ls >= sizeof src || store_side_path(to, suffix, dst, sizeof dst))
        return -1;
    ssize_t n = read_small(src, a, sizeof a);
    if (n < 0) {
        fprintf(stderr, "kaigo migrate: %s を読めません: %s\n", src, strerror(errno));
        return -1;
    }
    ssize_t m = read_small(dst, b, sizeof b);
    if (m >= 0) {
        if (m == n && memcmp(a, b, (size_t)n) == 0)
            return 0;
        fprintf(stderr, "kaigo migrate: %s が既にあり、移行元の %s と違います(上書きしません)\n", dst, src);
        return 1;
    }
    int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, pub ? 0644 : 0600);
    if (fd < 0 || write(fd, a, (size_t)n) != n || fsync(fd)) {
        fprintf(stderr, "kaigo migrate: %s に書けません: %s\n", dst, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(dst);
        }
        return -1;
    }
    if (pub)
        fchmod(fd, 0644); /* the umask kaigo runs under (077) would hide a published key */
    close(fd);
    return 0;
}

struct keys_copy {
    const char *from, *to;
    int n;
    bool said; /* copy_side said why it stopped */
};

static int copy_one(void *ctx, const char *suffix, bool pub)
{
    struct keys_copy *k = ctx;
    int rc = copy_side(k->from, k->to, suffix, pub);
    k->n += rc == 0;
    k->said = rc != 0;
    return rc;
}

/* copy_keys - every key file beside from (keyfile_side_each); 0, 1 refused, -1 failure */
static int copy_keys(const char *from, const char *to, bool quiet)
{
    struct keys_copy k = {from, to, 0, false};
    int rc = keyfile_side_each(from, copy_one, &k);
    if (rc < 0 && !k.said)
        fprintf(stderr, "kaigo migrate: %s の鍵の置き場所を読めません: %s\n", from, strerror(errno));
    if (rc == 0 && !quiet)
        printf("鍵: %d 個を $KAIGO_STATE へ写しました\n", k.n);
    return rc;
}

/* verify - kaigo audit verify --db where (its own report on stdout); its exit code */
static int verify(const char *where, const char *label)
{
    printf("%s:\n", label);
    fflush(stdout);
    char *args[] = {"audit", "verify", "--db", (char *)where, NULL};
    int rc = cmd_audit(4, args);
    fflush(stdout);
    return rc;
}

struct progress {
    bool quiet;
    int tables;
    long long rows;
};

static void on_table(void *ctx, const struct migrate_table *t, bool done)
{
    struct progress *p = ctx;
    if (done) {
        p->tables++;
        p->rows += t->rows;
    }
    if (p->quiet)
        return;
    if (done)
        printf("  %-22s %12lld 行 照合一致\n", t->name, t->rows);
    else
        fprintf(stderr, "  %-22s %12lld 行…\n", t->name, t->rows);
    fflush(stdout);
}

int cmd_migrate(int argc, char **argv)
{
    const char *from = NULL, *to = NULL;
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        } else if ((v = opt_value(argc, argv, &i, "--from")))
            from = v;
        else if ((v = opt_value(argc, argv, &i, "--to")))
            to = v;
        else if (!strcmp(argv[i], "--quiet"))
            quiet = true;
        else {
            fputs(help, stderr);
            return EXIT_USAGE;
        }
    }
    if (!from || !to || store_backend_of(from) != STORE_SQLITE || store_backend_of(to) != STORE_POSTGRESQL ||
        directory_path(to)) {
        fputs("kaigo migrate: --from に SQLite のファイル、--to に postgresql:// の URL を指定します\n", stderr);
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    if (store_where_usable(to))
        return EXIT_USAGE;
    struct stat sb;
    if (stat(from, &sb) || !S_ISREG(sb.st_mode)) {
        fprintf(stderr, "kaigo migrate: %s: SQLite のファイルがありません\n", from);
        return EXIT_INVALID;
    }
    int rc = verify(from, "移行元の監査ログ");
    if (rc) {
        fprintf(stderr, "kaigo migrate: 移行元の監査ログが検証できないため移行しません\n");
        return rc == EXIT_INVALID ? EXIT_INVALID : EXIT_INTERNAL;
    }
    if ((rc = copy_keys(from, to, quiet)))
        return rc > 0 ? EXIT_INVALID : EXIT_INTERNAL;
    char err[1024];
    struct progress p = {quiet, 0, 0};
    if (!quiet)
        puts("表:");
    if ((rc = store_migrate(from, to, on_table, &p, err, sizeof err))) {
        fprintf(stderr, "kaigo migrate: %s (移行先には何も書いていません)\n", err);
        return rc > 0 ? EXIT_INVALID : EXIT_INTERNAL;
    }
    if ((rc = verify(to, "移行先の監査ログ"))) {
        fprintf(stderr, "kaigo migrate: 移行先の監査ログの検証に失敗しました\n");
        return rc == EXIT_INVALID ? EXIT_INVALID : EXIT_INTERNAL;
    }
    printf("移行しました: %d 表, %lld 行。監査ログは移行の前後とも検証に成功しました\n", p.tables, p.rows);
    return 0;
}
