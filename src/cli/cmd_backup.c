/*
 * cmd_backup.c - kaigo backup DEST and kaigo restore BACKUP: a SQLite store's database, its
 * audit log and its public keys (and, when asked, its private keys) as one directory, made
 * while the server runs, and put back only after it has been checked.
 *
 * A backup is written into DEST.partial-PID, every file fsynced, a MANIFEST (SHA-256 and size
 * of each file, the counts of the snapshot) written last, then the directory renamed to DEST
 * and its parent fsynced: a backup killed at any moment leaves no DEST, or a whole one. A
 * restore refuses a directory without a complete MANIFEST, any file whose hash differs, and a
 * target that already exists; it copies into a staging directory beside the target, checks the
 * copy (integrity, the log tied to the registry, the counts, `kaigo audit verify` of the log
 * with the backup's public key) and only then renames the files into place.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "store/sqlite/backup.h"
#include "store/keyfile.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/text.h"
#include "util/banned.h"

static const char help_backup[] =
    "使い方: kaigo backup [--db PATH] [--keys] DEST\n"
    "  データベース・監査ログ・公開鍵を、サーバーを止めずに一つの整合した組として DEST (新しいディレクトリ)\n"
    "  に書き出します。開始した瞬間の状態(復旧時点)の写しで、書き込みは止まりません。MANIFEST(各\n"
    "  ファイルの SHA-256 と件数)を最後に書き、完成してから DEST の名前にします。途中で止まっても\n"
    "  DEST は作られません(DEST.partial-* が残るので消してください)。\n"
    "  --keys  秘密鍵(監査ログの署名鍵・書類の署名鍵・トークン鍵・運用者トークン)も含める。\n"
    "          含めたバックアップは鍵と同じ扱いで保管してください(docs/operations.md)。\n";

static const char help_restore[] =
    "使い方: kaigo restore [--db PATH] BACKUP\n"
    "  kaigo backup の BACKUP を PATH に戻します。PATH とその付属ファイルが既にあれば何もしません。\n"
    "  MANIFEST のハッシュ、データベースの整合性、監査ログと登録データの対応、件数、監査ログの検証\n"
    "  (kaigo audit verify、バックアップの公開鍵で)がすべて通ってから、ファイルを置きます。\n";

#define MANIFEST "MANIFEST"
#define MANIFEST_MAGIC "kaigo-backup 1"
#define BACKUP_NAME "kaigo.db" /* the database's name inside a backup */
#define MAX_FILES 256
#define MANIFEST_MAX (64 * 1024)

static int fsync_path(const char *path, bool dir)
{
    int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* hash_file - SHA-256 (hex) and size of a file */
static int hash_file(const char *path, char hex[65], long long *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    unsigned char buf[65536];
    ssize_t n;
    *size = 0;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        crypto_hash_sha256_update(&st, buf, (size_t)n);
        *size += n;
    }
    close(fd);
    if (n < 0)
        return -1;
    unsigned char h[32];
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(hex, 65, h, sizeof h);
    return 0;
}

/* copy_file - src to a new file dst (mode 0600), fsynced */
static int copy_file(const char *src, const char *dst)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -1;
    int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0) {
        close(in);
        return -1;
    }
    char buf[65536];
    ssize_t n;
    int rc = 0;
    while (rc == 0 && (n = read(in, buf, sizeof buf)) != 0) {
        if (n < 0 || write(out, buf, (size_t)n) != n)
            rc = -1;
    }
    if (fsync(out))
        rc = -1;
    close(in);
    close(out);
    return rc;
}

struct prog {
    bool tty;
    int last;
};

static void on_progress(void *ctx, const char *what, long long done, long long total)
{
    struct prog *p = ctx;
    int pct = total ? (int)(done * 100 / total) : 100;
    if (!p->tty || pct == p->last)
        return;
    p->last = pct;
    fprintf(stderr, "\r  %s: %3d%% (%lld / %lld ページ)", strcmp(what, "audit") ? "登録データ" : "監査ログ", pct,
            done, total);
    if (pct == 100)
        fputc('\n', stderr);
}

/* split_db - the database's directory and base name */
static void split_db(const char *db, char *dir, size_t dcap, const char **base)
{
    const char *slash = strrchr(db, '/');
    if (!slash) {
        snprintf(dir, dcap, ".");
        *base = db;
    } else {
        snprintf(dir, dcap, "%.*s", (int)(slash == db ? 1 : slash - db), db);
        *base = slash + 1;
    }
}

/* The files a backup holds: the database, its log, and the key files beside them (keyfile_side_each);
 * a private key only with --keys (else noted as left behind). */
struct held {
    bool keys, missing_private;
    const char *names[MAX_FILES];
    size_t nn;
    char suffix[MAX_FILES][256];
    size_t nsuffix;
};

static int hold_key(void *ctx, const char *suffix, bool pub)
{
    struct held *h = ctx;
    if (h->nn == MAX_FILES)
        return 1; /* as many as a backup holds */
    if (!pub && !h->keys) {
        h->missing_private = true;
        return 0;
    }
    if (str_copy(h->suffix[h->nsuffix], sizeof h->suffix[h->nsuffix], suffix))
        return 0; /* a name longer than any kaigo makes */
    h->names[h->nn++] = h->suffix[h->nsuffix++];
    return 0;
}

int cmd_backup(int argc, char **argv)
{
    const char *db = db_default(), *dest = NULL;
    bool keys = false;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (is_help(argv[i])) {
            fputs(help_backup, stdout);
            return 0;
        } else if ((v = opt_value(argc, argv, &i, "--db")))
            db = v;
        else if (!strcmp(argv[i], "--keys"))
            keys = true;
        else if (argv[i][0] != '-' && !dest)
            dest = argv[i];
        else {
            fprintf(stderr, "kaigo backup: 不明な引数です: %s\n%s", argv[i], help_backup);
            return EXIT_USAGE;
        }
    }
    if (!db)
        return cli_no_db("kaigo backup");
    if (store_backend_of(db) == STORE_POSTGRESQL) { /* the backup copies the SQLite files */
        fprintf(stderr, "kaigo backup: PostgreSQL の保存先は PostgreSQL の道具でバックアップします"
                        " (pg_basebackup と WAL の保管: docs/postgresql.md)\n");
        return EXIT_USAGE;
    }
    if (store_where_usable(db))
        return EXIT_INTERNAL;
    if (!dest) {
        fputs(help_backup, stderr);
        return EXIT_USAGE;
    }
    struct stat sb;
    if (stat(db, &sb)) {
        fprintf(stderr, "kaigo backup: %s: %s\n", db, strerror(errno));
        return EXIT_INVALID;
    }
    if (lstat(dest, &sb) == 0) {
        fprintf(stderr, "kaigo backup: %s は既にあります(別の名前を指定してください)\n", dest);
        return EXIT_INVALID;
    }
    char part[4096], path[4200], apath[4200];
    if ((size_t)snprintf(part, sizeof part, "%s.partial-%ld", dest, (long)getpid()) >= sizeof part)
        return error("path too long"), EXIT_USAGE;
    if (mkdir(part, 0700)) {
        fprintf(stderr, "kaigo backup: %s: %s\n", part, strerror(errno));
        return EXIT_INTERNAL;
    }
    snprintf(path, sizeof path, "%s/" BACKUP_NAME, part);
    snprintf(apath, sizeof apath, "%s/" BACKUP_NAME ".audit", part);
    struct backup_counts c = {0};
    struct prog pg = {isatty(2), -1};
    char err[512];
    time_t began = time(NULL);
    if (store_backup_sqlite(db, path, apath, &c, on_progress, &pg, err, sizeof err)) {
        fprintf(stderr, "kaigo backup: %s (%s は消してください)\n", err, part);
        return EXIT_INTERNAL;
    }
    /* the keys beside the database */
    char dir[4096];
    const char *base;
    split_db(db, dir, sizeof dir, &base);
    struct held h = {.keys = keys};
    h.names[h.nn++] = "";
    h.names[h.nn++] = ".audit";
    (void)keyfile_side_each(db, hold_key, &h); /* an unreadable directory: no keys, as none were found */
    const char **names = h.names;
    size_t nn = h.nn;
    bool missing_private = h.missing_private;
    struct buf m;
    buf_init(&m, MANIFEST_MAX);
    char when[32];
    struct tm tm;
    gmtime_r(&began, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    buf_addf(&m, MANIFEST_MAGIC "\ncreated %s\naudit-entries %lld\ncheckpoints %lld\nchanges %lld\nrecords %lld\n",
             when, c.audit_entries, c.checkpoints, c.changes, c.persons);
    int rc = 0;
    for (size_t i = 0; i < nn && rc == 0; i++) {
        char src[8800], dst[8800], hex[65];
        long long size;
        snprintf(src, sizeof src, "%s/%s%s", dir, base, names[i]);
        snprintf(dst, sizeof dst, "%s/" BACKUP_NAME "%s", part, names[i]);
        if (i >= 2 && copy_file(src, dst)) {
            fprintf(stderr, "kaigo backup: %s: %s\n", src, strerror(errno));
            rc = -1;
        } else if (hash_file(dst, hex, &size) || (i < 2 && fsync_path(dst, false))) {
            fprintf(stderr, "kaigo backup: %s: %s\n", dst, strerror(errno));
            rc = -1;
        } else
            buf_addf(&m, "file %s %lld " BACKUP_NAME "%s\n", hex, size, names[i]);
    }
    buf_adds(&m, "end\n");
    char mpath[4400];
    snprintf(mpath, sizeof mpath, "%s/" MANIFEST, part);
    int fd = rc ? -1 : open(mpath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (rc || fd < 0 || buf_failed(&m) || write(fd, m.ptr, m.len) != (ssize_t)m.len || fsync(fd) ||
        fsync_path(part, true) || rename(part, dest)) {
        if (fd >= 0)
            close(fd);
        buf_release(&m);
        fprintf(stderr, "kaigo backup: 書き出せませんでした(%s は消してください)\n", part);
        return EXIT_INTERNAL;
    }
    close(fd);
    buf_release(&m);
    char parent[4096];
    const char *dbase;
    split_db(dest, parent, sizeof parent, &dbase);
    if (fsync_path(parent, true))
        warn("backup: %s: fsync of the directory failed", parent);
    printf("バックアップ: %s (復旧時点 %s; 監査ログ %lld 件、変更 %lld 件、ファイル %zu)\n", dest, when,
           c.audit_entries, c.changes, nn + 1);
    if (missing_private)
        printf("注意: 秘密鍵は含めていません。署名鍵(%s.audit-key ほか)は別に保管してください"
               "(--keys で含められます)。\n",
               base);
    return 0;
}

/* ---- restore --------------------------------------------------------------- */

struct entry {
    char hex[65];
    long long size;
    char name[256];
};

/* read_manifest - the files and counts of a backup; -1 after a message */
static int read_manifest(const char *bdir, struct entry *files, size_t *nf, struct backup_counts *c)
{
    char mpath[4400];
    snprintf(mpath, sizeof mpath, "%.4000s/" MANIFEST, bdir);
    FILE *f = fopen(mpath, "re");
    if (!f) {
        fprintf(stderr, "kaigo restore: %s: %s (完成したバックアップではありません)\n", mpath, strerror(errno));
        return -1;
    }
    char line[512];
    bool magic = false, end = false;
    int have = 0;
    *nf = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *sp = strchr(line, ' ');
        if (!magic) {
            magic = !strcmp(line, MANIFEST_MAGIC);
            if (!magic)
                break;
            continue;
        }
        if (!strcmp(line, "end")) {
            end = true;
            break;
        }
        if (!sp)
            continue;
        *sp = '\0';
        const char *v = sp + 1;
        long long *slot = !strcmp(line, "audit-entries") ? &c->audit_entries
                          : !strcmp(line, "checkpoints") ? &c->checkpoints
                          : !strcmp(line, "changes")     ? &c->changes
                          : !strcmp(line, "records")     ? &c->persons
                                                         : NULL;
        if (slot) {
            *slot = atoll(v);
            have++;
        } else if (!strcmp(line, "file") && *nf < MAX_FILES) {
            struct entry *e = &files[*nf];
            const char *s1 = strchr(v, ' ');
            const char *s2 = s1 ? strchr(s1 + 1, ' ') : NULL;
            if (!s1 || !s2 || s1 - v != 64 || strlen(s2 + 1) >= sizeof e->name ||
                strncmp(s2 + 1, BACKUP_NAME, strlen(BACKUP_NAME)) || strchr(s2 + 1, '/'))
                break;
            memcpy(e->hex, v, 64);
            e->hex[64] = '\0';
            e->size = atoll(s1 + 1);
            str_cut(e->name, sizeof e->name, s2 + 1); /* length checked above */
            (*nf)++;
        }
    }
    fclose(f);
    if (!magic || !end || have != 4 || *nf < 2 || strcmp(files[0].name, BACKUP_NAME) ||
        strcmp(files[1].name, BACKUP_NAME ".audit")) {
        fprintf(stderr, "kaigo restore: %s が不完全か形式が違います\n", mpath);
        return -1;
    }
    return 0;
}

static void remove_dir(const char *dir, const struct entry *files, size_t nf)
{
    char p[8800];
    for (size_t i = 0; i < nf; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i].name);
        unlink(p);
        for (const char *x = "-wal\0-shm\0-journal\0"; *x; x += strlen(x) + 1) {
            char q[8900];
            snprintf(q, sizeof q, "%s%s", p, x);
            unlink(q);
        }
    }
    snprintf(p, sizeof p, "%s/" BACKUP_NAME ".audit-idx", dir);
    unlink(p);
    rmdir(dir);
}

int cmd_restore(int argc, char **argv)
{
    const char *db = db_default(), *bdir = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (is_help(argv[i])) {
            fputs(help_restore, stdout);
            return 0;
        } else if ((v = opt_value(argc, argv, &i, "--db")))
            db = v;
        else if (argv[i][0] != '-' && !bdir)
            bdir = argv[i];
        else {
            fprintf(stderr, "kaigo restore: 不明な引数です: %s\n%s", argv[i], help_restore);
            return EXIT_USAGE;
        }
    }
    if (!db)
        return cli_no_db("kaigo restore");
    if (store_backend_of(db) == STORE_POSTGRESQL) { /* the backup copies the SQLite files */
        fprintf(stderr, "kaigo restore: PostgreSQL の保存先は PostgreSQL の道具でバックアップします"
                        " (pg_basebackup と WAL の保管: docs/postgresql.md)\n");
        return EXIT_USAGE;
    }
    if (store_where_usable(db))
        return EXIT_INTERNAL;
    if (!bdir) {
        fputs(help_restore, stderr);
        return EXIT_USAGE;
    }
    static struct entry files[MAX_FILES];
    size_t nf;
    struct backup_counts want = {0};
    if (read_manifest(bdir, files, &nf, &want))
        return EXIT_INVALID;
    /* nothing of the target may exist: a restore never overwrites a database or its log */
    char dir[4096];
    const char *base;
    split_db(db, dir, sizeof dir, &base);
    struct stat sb;
    for (size_t i = 0; i < nf; i++) {
        char t[8800];
        snprintf(t, sizeof t, "%s%s", db, files[i].name + strlen(BACKUP_NAME));
        if (lstat(t, &sb) == 0) {
            fprintf(stderr, "kaigo restore: %s が既にあります。上書きはしません(移動してから戻してください)\n", t);
            return EXIT_INVALID;
        }
    }
    /* staging beside the target (same filesystem: the final renames are atomic) */
    char stage[4200];
    snprintf(stage, sizeof stage, "%s/.kaigo-restore-%ld", dir, (long)getpid());
    if (mkdir(stage, 0700)) {
        fprintf(stderr, "kaigo restore: %s: %s\n", stage, strerror(errno));
        return EXIT_INTERNAL;
    }
    int rc = EXIT_INVALID;
    for (size_t i = 0; i < nf; i++) {
        char src[8800], dst[8800], hex[65];
        long long size;
        snprintf(src, sizeof src, "%s/%s", bdir, files[i].name);
        snprintf(dst, sizeof dst, "%s/%s", stage, files[i].name);
        if (copy_file(src, dst)) {
            fprintf(stderr, "kaigo restore: %s: %s\n", src, strerror(errno));
            goto out;
        }
        if (hash_file(dst, hex, &size) || strcmp(hex, files[i].hex) || size != files[i].size) {
            fprintf(stderr, "kaigo restore: %s: 目録のハッシュと一致しません(壊れたバックアップです)\n", files[i].name);
            goto out;
        }
    }
    char sdb[4400], err[512];
    snprintf(sdb, sizeof sdb, "%s/" BACKUP_NAME, stage);
    if (store_restore_check(sdb, &want, err, sizeof err)) {
        fprintf(stderr, "kaigo restore: %s\n", err);
        goto out;
    }
    /* the log itself: chain, Merkle roots and signatures with the backup's public key */
    char *va[] = {(char *)"audit", (char *)"verify", (char *)"--db", sdb, NULL};
    fflush(stdout);
    if (cmd_audit(4, va) != 0) {
        fprintf(stderr, "kaigo restore: 監査ログの検証に失敗しました。戻しません\n");
        goto out;
    }
    if (store_settle_sqlite(sdb, err, sizeof err)) {
        fprintf(stderr, "kaigo restore: %s\n", err);
        goto out;
    }
    /* in place: the side files first, the database last (a restore stopped half-way leaves no
     * database, and the next one refuses until its files are moved away) */
    for (size_t k = nf; k-- > 0;) {
        char src[8800], dst[8800];
        snprintf(src, sizeof src, "%s/%s", stage, files[k].name);
        snprintf(dst, sizeof dst, "%s%s", db, files[k].name + strlen(BACKUP_NAME));
        if (link(src, dst) || unlink(src)) {
            fprintf(stderr, "kaigo restore: %s: %s\n", dst, strerror(errno));
            rc = EXIT_INTERNAL;
            goto out;
        }
    }
    if (fsync_path(dir, true))
        warn("restore: %s: fsync of the directory failed", dir);
    printf("復元しました: %s (監査ログ %lld 件、変更 %lld 件)。人別索引は起動時に作り直します。\n", db,
           want.audit_entries, want.changes);
    rc = 0;
out:
    remove_dir(stage, files, nf);
    return rc;
}
