/* directory.h - which PostgreSQL cluster holds which insurer (issue #22; docs/deploy.md "More than one
 * cluster"). When one primary is not enough, insurers are spread over clusters; the directory is a
 * small file, the same on every node, named where a store is named as `directory:FILE`:
 *
 *     # 保険者番号 or 都道府県番号 (2 digits) or *  <TAB or spaces>  the cluster's postgresql:// URL
 *     131016  postgresql://kaigo_app@db-tokyo-a.example/kaigo
 *     13      postgresql://kaigo_app@db-tokyo-b.example/kaigo
 *     *       postgresql://kaigo_app@db-central.example/kaigo
 *
 * An insurer goes to the line of its own number, else of its prefecture (the number's first two
 * digits), else to `*`. Every insurer's rows and audit log live on its cluster only, and no
 * transaction spans two clusters: a command given a directory opens one store per cluster and writes
 * each insurer in its cluster's own transaction.
 *
 * Parsing is strict and bounded (the file is the operator's, but a wrong line would put a
 * municipality's data on the wrong machine): at most DIRECTORY_MAX_BYTES and DIRECTORY_MAX_LINES,
 * DIRECTORY_MAX_CLUSTERS distinct URLs, insurer numbers with their check digit, prefectures 01-47, no
 * key twice, only postgresql:// or postgres:// URLs of at most DIRECTORY_URL_MAX bytes.
 *
 * Ownership: directory_free releases what directory_parse/load made. Failure: -1 with "LINE: why"
 * (load: "FILE:LINE: why") in err; the URL's password is never put in it. */
#ifndef KAIGO_STORE_DIRECTORY_H
#define KAIGO_STORE_DIRECTORY_H

#include <stdbool.h>
#include <stddef.h>

#define DIRECTORY_PREFIX "directory:"
#define DIRECTORY_MAX_BYTES (1u << 20)
#define DIRECTORY_MAX_LINES 4096
#define DIRECTORY_MAX_CLUSTERS 64
#define DIRECTORY_URL_MAX 1024

struct directory_entry {
    char key[7]; /* 6 digits, 2 digits, or "*" */
    int cluster;
};

struct directory {
    size_t nclusters;
    char *url[DIRECTORY_MAX_CLUSTERS];
    size_t nentries;
    struct directory_entry *entry;
};

int directory_parse(const char *text, size_t n, struct directory *d, char *err, size_t cap);
int directory_load(const char *path, struct directory *d, char *err, size_t cap);
/* directory_lookup - the cluster of insurer_no (an index into d->url), or -1 when no line covers it */
int directory_lookup(const struct directory *d, const char *insurer_no);
void directory_free(struct directory *d);
/* directory_path - the file named by where ("directory:FILE"), or NULL when where is not a directory */
const char *directory_path(const char *where);

#endif
