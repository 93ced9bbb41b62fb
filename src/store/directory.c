/* directory.c - the insurer → cluster directory; see directory.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/numbers.h"
#include "store/directory.h"
#include "store/store.h"
#include "util/xalloc.h"
#include "util/banned.h"

const char *directory_path(const char *where)
{
    size_t n = strlen(DIRECTORY_PREFIX);
    return where && strncmp(where, DIRECTORY_PREFIX, n) == 0 ? where + n : NULL;
}

void directory_free(struct directory *d)
{
    for (size_t i = 0; i < d->nclusters; i++)
        free(d->url[i]);
    free(d->entry);
    memset(d, 0, sizeof *d);
}

static int bad(struct directory *d, char *err, size_t cap, long line, const char *why)
{
    snprintf(err, cap, "%ld: %s", line, why);
    directory_free(d);
    return -1;
}

int directory_parse(const char *text, size_t n, struct directory *d, char *err, size_t cap)
{
    memset(d, 0, sizeof *d);
    if (n > DIRECTORY_MAX_BYTES)
        return bad(d, err, cap, 0, "ファイルが大きすぎます");
    size_t cap_entries = 0;
    long line = 0;
    for (size_t off = 0; off < n;) {
        const char *p = text + off, *nl = memchr(p, '\n', n - off);
        size_t len = nl ? (size_t)(nl - p) : n - off;
        off += len + (nl != NULL);
        if (++line > DIRECTORY_MAX_LINES)
            return bad(d, err, cap, line, "行が多すぎます");
        if (len && p[len - 1] == '\r')
            len--;
        if (memchr(p, '\0', len))
            return bad(d, err, cap, line, "NUL 文字があります");
        size_t i = 0;
        while (i < len && (p[i] == ' ' || p[i] == '\t'))
            i++;
        if (i == len || p[i] == '#')
            continue; /* blank or a comment */
        size_t k0 = i;
        while (i < len && p[i] != ' ' && p[i] != '\t')
            i++;
        size_t klen = i - k0;
        while (i < len && (p[i] == ' ' || p[i] == '\t'))
            i++;
        size_t u0 = i;
        while (i < len && p[i] != ' ' && p[i] != '\t')
            i++;
        size_t ulen = i - u0;
        while (i < len && (p[i] == ' ' || p[i] == '\t'))
            i++;
        if (!ulen || i != len)
            return bad(d, err, cap, line, "「保険者番号 URL」の二つを一行に書きます");
        const char *key = p + k0, *why;
        bool all = klen == 1 && key[0] == '*';
        if (!all && klen == 2) {
            if (!prefecture_code_ok(key))
                return bad(d, err, cap, line, "都道府県番号は 01〜47 です");
        } else if (!all && (klen != 6 || insurer_no_check(key, klen, &why)))
            return bad(d, err, cap, line, "保険者番号(6桁、検証番号つき)、都道府県番号(2桁)か * を書きます");
        char url[DIRECTORY_URL_MAX + 1];
        if (ulen > DIRECTORY_URL_MAX)
            return bad(d, err, cap, line, "URL が長すぎます");
        memcpy(url, p + u0, ulen);
        url[ulen] = '\0';
        if (store_backend_of(url) != STORE_POSTGRESQL || directory_path(url))
            return bad(d, err, cap, line, "クラスタは postgresql:// の URL で書きます");
        for (size_t e = 0; e < d->nentries; e++)
            if (strlen(d->entry[e].key) == klen && memcmp(d->entry[e].key, key, klen) == 0)
                return bad(d, err, cap, line, "同じ保険者番号(都道府県番号、*)が二度あります");
        size_t c = 0;
        while (c < d->nclusters && strcmp(d->url[c], url) != 0)
            c++;
        if (c == d->nclusters) {
            if (c == DIRECTORY_MAX_CLUSTERS)
                return bad(d, err, cap, line, "クラスタが多すぎます");
            d->url[d->nclusters++] = xstrdup(url);
        }
        if (d->nentries == cap_entries) {
            cap_entries = cap_entries ? cap_entries * 2 : 16;
            d->entry = xrealloc(d->entry, size_mul(cap_entries, sizeof *d->entry));
        }
        struct directory_entry *e = &d->entry[d->nentries++];
        memcpy(e->key, key, klen);
        e->key[klen] = '\0';
        e->cluster = (int)c;
    }
    if (!d->nentries)
        return bad(d, err, cap, line, "クラスタが一つも書かれていません");
    return 0;
}

int directory_load(const char *path, struct directory *d, char *err, size_t cap)
{
    memset(d, 0, sizeof *d);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, cap, "%s: 開けません: %s", path, strerror(errno));
        return -1;
    }
    char *buf = xmalloc(DIRECTORY_MAX_BYTES + 1);
    size_t n = 0;
    ssize_t r;
    while (n <= DIRECTORY_MAX_BYTES && (r = read(fd, buf + n, DIRECTORY_MAX_BYTES + 1 - n)) > 0)
        n += (size_t)r;
    int e = errno;
    close(fd);
    if (r < 0) {
        snprintf(err, cap, "%s: 読めません: %s", path, strerror(e));
        free(buf);
        return -1;
    }
    char why[256];
    int rc = directory_parse(buf, n, d, why, sizeof why);
    free(buf);
    if (rc)
        snprintf(err, cap, "%s:%s", path, why);
    return rc;
}

int directory_lookup(const struct directory *d, const char *insurer_no)
{
    int pref = -1, all = -1;
    for (size_t i = 0; i < d->nentries; i++) {
        const char *k = d->entry[i].key;
        if (strcmp(k, insurer_no) == 0)
            return d->entry[i].cluster;
        if (k[0] == '*')
            all = d->entry[i].cluster;
        else if (strlen(k) == 2 && strncmp(k, insurer_no, 2) == 0)
            pref = d->entry[i].cluster;
    }
    return pref >= 0 ? pref : all;
}
