/* keyfile.c - Ed25519 keys as files; see keyfile.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store/keyfile.h"
#include "store/store.h"
#include "util/log.h"
#include "util/banned.h"

int paper_key_path(const char *db, const char *insurer_no, char *out, size_t cap)
{
    char suffix[64];
    int w = snprintf(suffix, sizeof suffix, ".paper-key-%s", insurer_no);
    if (w < 0 || (size_t)w >= sizeof suffix)
        return -1;
    return store_side_path(db, suffix, out, cap);
}

/* read_key - the key at path into sk: 0, 1 when there is none, -1 after a message */
static int read_key(const char *path, unsigned char sk[KEYFILE_SK_BYTES])
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 1;
        return error("%s: %s", path, strerror(errno));
    }
    /* a signing key others can read signs for them: refused, never used */
    struct stat sb;
    if (fstat(fd, &sb) || (sb.st_mode & 077)) {
        close(fd);
        return error("%s: 署名鍵を他のユーザーが読めます(mode %o)。chmod 600 してから使ってください", path,
                     (unsigned)(sb.st_mode & 0777));
    }
    ssize_t n = read(fd, sk, KEYFILE_SK_BYTES);
    close(fd);
    return n == KEYFILE_SK_BYTES ? 0 : error("%s: not a signing key", path);
}

/* write_new - data into a new file beside path, fsynced, for linking or renaming into place: its name
 * in tmp; -1 after a message */
static int write_new(const char *path, const void *data, size_t n, mode_t mode, char *tmp, size_t cap)
{
    unsigned char r[8];
    char hex[sizeof r * 2 + 1];
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(hex, sizeof hex, r, sizeof r);
    if ((size_t)snprintf(tmp, cap, "%s.%s.new", path, hex) >= cap)
        return error("path too long");
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0)
        return error("%s: %s", tmp, strerror(errno));
    /* the public key is for verifiers: readable by all, whatever kaigo's umask (077) */
    if (fchmod(fd, mode) || write(fd, data, n) != (ssize_t)n || fsync(fd)) {
        close(fd);
        unlink(tmp);
        return error("%s: write failed", tmp);
    }
    close(fd);
    return 0;
}

/* Several processes may want a key that does not exist yet at once (a server and a print started
 * together, several prints of one insurer: e2e paper). The key appears whole or not at all: written
 * to a file of its own, then linked into place, which fails for all but the first; the others read
 * the first one's. Its .pub is renamed into place after it, so a .pub without its key is a lost key,
 * not one being made. */
int keyfile_load(const char *path, bool create, unsigned char sk[KEYFILE_SK_BYTES])
{
    char pubpath[4200], tmp[4300];
    if ((size_t)snprintf(pubpath, sizeof pubpath, "%s.pub", path) >= sizeof pubpath)
        return error("path too long");
    int r = read_key(path, sk);
    if (r != 1 || !create)
        return r;
    /* a public key without its signing key: the key was lost or not restored (kaigo backup
     * leaves private keys out unless asked). A new key would sign what no verifier of the old
     * one accepts - the log's checkpoints, the printed QR codes - so nothing is created. (Read
     * the key again first: another process may have put both in place since.) */
    struct stat pst;
    if (stat(pubpath, &pst) == 0) {
        if ((r = read_key(path, sk)) != 1)
            return r;
        return error("%s がありません(公開鍵 %s はあります)。別に保管した署名鍵をここに戻してください"
                     "(docs/operations.md「鍵の保管」)",
                     path, pubpath);
    }
    unsigned char pk[KEYFILE_PK_BYTES];
    crypto_sign_keypair(pk, sk);
    if (write_new(path, sk, KEYFILE_SK_BYTES, 0600, tmp, sizeof tmp))
        return -1;
    if (link(tmp, path)) {
        int e = errno;
        unlink(tmp);
        if (e == EEXIST) /* another process made it first: its key is the one */
            return read_key(path, sk) == 0 ? 0 : -1;
        return error("%s: %s", path, strerror(e));
    }
    unlink(tmp);
    char hex[KEYFILE_PK_BYTES * 2 + 2];
    sodium_bin2hex(hex, sizeof hex, pk, sizeof pk);
    size_t hl = strlen(hex);
    hex[hl++] = '\n';
    if (write_new(pubpath, hex, hl, 0644, tmp, sizeof tmp))
        return -1;
    if (rename(tmp, pubpath)) {
        unlink(tmp);
        return error("%s: cannot write the public key", pubpath);
    }
    return 0;
}

int paper_pubkey_load(const char *db, const char *insurer_no, unsigned char pk[KEYFILE_PK_BYTES])
{
    char path[4200], hex[2 * KEYFILE_PK_BYTES + 8] = "";
    if (paper_key_path(db, insurer_no, path, sizeof path - 4))
        return -1;
    memcpy(path + strlen(path), ".pub", 5);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, hex, sizeof hex - 1);
    close(fd);
    size_t bin;
    if (n <= 0 || sodium_hex2bin(pk, KEYFILE_PK_BYTES, hex, strcspn(hex, "\r\n"), NULL, &bin, NULL) ||
        bin != KEYFILE_PK_BYTES)
        return -1;
    return 0;
}

bool keyfile_side_public(const char *s)
{
    return !strcmp(s, ".audit-key.pub") ||
           (!strncmp(s, ".paper-key-", 11) && strlen(s) > 15 && !strcmp(s + strlen(s) - 4, ".pub"));
}

bool keyfile_side_private(const char *s)
{
    return !strcmp(s, ".audit-key") || !strcmp(s, ".token-key") || !strcmp(s, ".token-key.pub") ||
           !strcmp(s, ".operator-token") ||
           (!strncmp(s, ".paper-key-", 11) && strlen(s) > 11 && !strchr(s + 11, '.'));
}

int keyfile_side_each(const char *db, int (*fn)(void *ctx, const char *suffix, bool pub), void *ctx)
{
    char dir[4096];
    const char *slash = strrchr(db, '/'), *base = slash ? slash + 1 : db;
    int l = slash ? snprintf(dir, sizeof dir, "%.*s", (int)(slash == db ? 1 : slash - db), db)
                  : snprintf(dir, sizeof dir, ".");
    if (l < 0 || (size_t)l >= sizeof dir) {
        errno = ENAMETOOLONG;
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    size_t bl = strlen(base);
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        if (strncmp(e->d_name, base, bl) != 0 || e->d_name[bl] != '.')
            continue;
        const char *suf = e->d_name + bl;
        bool pub = keyfile_side_public(suf);
        if (pub || keyfile_side_private(suf))
            rc = fn(ctx, suf, pub);
    }
    closedir(d);
    return rc;
}
