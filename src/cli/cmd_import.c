/*
 * cmd_import.c - kaigo import KIND FILE: municipal bulk import, all-or-nothing.
 *
 * The file is mapped, decoded (UTF-8 or CP932, detected or --encoding), split
 * by util/csv.c and validated row by row by domain/importspec.c. Two threads
 * share the work (the machine has two cores, and writing is as costly as
 * parsing): the main thread parses and validates, a writer thread owns the
 * database connection and writes the rows inside one transaction, and a third
 * short-lived thread hashes the file. At the first error writing stops but
 * validation goes on, so every error is reported (the first --max-errors by
 * line), and at the end the transaction is rolled back: all or nothing. Given a directory of clusters
 * (--db directory:FILE, store/directory.h), the writer moves to an insurer's cluster at its first row
 * (cluster_enter) and each cluster has its own transaction, all committed at the end or all rolled back;
 * a commit that fails after another cluster's succeeded is said, and the same file run again completes
 * it. A record
 * equal to its current version is not written again, so importing the same file
 * twice changes nothing. Errors: FILE:LINE:COLUMN(項目名): message.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "domain/importspec.h"
#include "codec/codec.h"
#include "store/directory.h"
#include "store/store.h"
#include "util/csv.h"
#include "util/log.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define IMPORT_MAX_FILE_BYTES (8ULL << 30) /* 8 GiB */
#define IMPORT_DEFAULT_MAX_ERRORS 100

static const char help[] =
    "使い方: kaigo import KIND FILE [--db PATH] [--encoding auto|utf-8|cp932] [--max-errors N]\n"
    "                    [--dry-run] [--quiet]\n"
    "  KIND: insured (被保険者), certification (要介護認定), burden (負担割合), limit (負担限度額),\n"
    "        restriction (給付制限), plan (居宅サービス計画作成依頼届出), facility (施設入退所)\n"
    "        chosa (認定調査票), life (LIFE 利用者フィードバック), chiiki (地域区分): kaigo import chosa --help\n"
    "  1行目は日本語の列名(docs/import-formats.md)。日付はISO(2024-04-01)または和暦(R6.4.1)。\n"
    "  1件でも誤りがあれば何も書き込みません(全件取込または取込なし)。同じファイルの再取込は変更なし。\n"
    "  --encoding   文字コード (既定 auto: UTF-8 でなければ CP932)\n"
    "  --max-errors 表示するエラーの上限 (既定 100; 件数はすべて数えます)\n"
    "  --dry-run    検証のみ行い、書き込みません\n"
    "  --db directory:FILE  保険者→クラスタの一覧: 各保険者の行をそのクラスタへ書きます(クラスタごとに一つの\n"
    "               トランザクション。一覧にない保険者の行は誤り。docs/deploy.md)\n"
    "終了コード: 0 成功 / 1 入力に誤り(何も書き込んでいない) / 2 使い方の誤り / 3 内部エラー\n";

/* ---- errors from two threads, printed in line order ------------------------ */

struct errrec {
    long line;
    int column;
    char colname[64];
    char msg[256];
};

/* Each source (0 = parser, 1 = writer) reports lines in increasing order, so
 * keeping its first max entries keeps its smallest lines; merging both gives
 * the first max of the file. */
struct errsink {
    pthread_mutex_t mu;
    struct errrec *rec[2];
    size_t n[2];
    long total;
    long max;
};

struct reporter {
    struct errsink *sink;
    int source;
    long line;
};

static void report(void *ctx, int column, const char *colname, const char *msg)
{
    struct reporter *rp = ctx;
    struct errsink *es = rp->sink;
    pthread_mutex_lock(&es->mu);
    es->total++;
    if ((long)es->n[rp->source] < es->max) {
        struct errrec *e = &es->rec[rp->source][es->n[rp->source]++];
        e->line = rp->line;
        e->column = column;
        str_cut(e->colname, sizeof e->colname, colname ? colname : "");
        str_cut(e->msg, sizeof e->msg, msg);
    }
    pthread_mutex_unlock(&es->mu);
}

static long errors_so_far(struct errsink *es)
{
    pthread_mutex_lock(&es->mu);
    long t = es->total;
    pthread_mutex_unlock(&es->mu);
    return t;
}

static int errcmp(const void *a, const void *b)
{
    const struct errrec *x = a, *y = b;
    return (x->line > y->line) - (x->line < y->line);
}

static void errors_print(struct errsink *es, const char *file)
{
    size_t n = es->n[0] + es->n[1];
    struct errrec *all = xcalloc(n ? n : 1, sizeof *all);
    memcpy(all, es->rec[0], es->n[0] * sizeof *all);
    memcpy(all + es->n[0], es->rec[1], es->n[1] * sizeof *all);
    qsort(all, n, sizeof *all, errcmp); /* stable enough: within a line the order is kept per source */
    for (size_t i = 0; i < n && (long)i < es->max; i++) {
        const struct errrec *e = &all[i];
        if (e->column > 0 && e->colname[0])
            fprintf(stderr, "%s:%ld:%d(%s): %s\n", file, e->line, e->column, e->colname, e->msg);
        else if (e->column > 0)
            fprintf(stderr, "%s:%ld:%d: %s\n", file, e->line, e->column, e->msg);
        else if (e->colname[0])
            fprintf(stderr, "%s:%ld:(%s): %s\n", file, e->line, e->colname, e->msg);
        else
            fprintf(stderr, "%s:%ld: %s\n", file, e->line, e->msg);
    }
    free(all);
}

/* Locate a byte offset as line and column (commas before it on that line + 1). */
static void locate(const char *p, size_t off, long *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (p[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if (p[i] == ',')
            (*col)++;
    }
}

/* ---- duplicate keys within the file -------------------------------------- */

struct keyset {
    uint64_t *h;
    long *line;
    size_t cap, n;
};

static uint64_t fnv(const char *a, const char *b, const char *c)
{
    uint64_t h = 1469598103934665603ULL;
    const char *parts[3] = {a, b, c};
    for (int k = 0; k < 3; k++) {
        for (const char *s = parts[k]; *s; s++)
            h = (h ^ (unsigned char)*s) * 1099511628211ULL;
        h = (h ^ 0xff) * 1099511628211ULL;
    }
    return h ? h : 1;
}

/* keyset_add - 0 if new, else the line that had it first. */
static long keyset_add(struct keyset *ks, uint64_t h, long line)
{
    if (ks->n * 2 >= ks->cap) {
        size_t ncap = ks->cap ? ks->cap * 2 : 1024;
        uint64_t *nh = xcalloc(ncap, sizeof *nh);
        long *nl = xcalloc(ncap, sizeof *nl);
        for (size_t i = 0; i < ks->cap; i++)
            if (ks->h[i]) {
                size_t j = ks->h[i] & (ncap - 1);
                while (nh[j])
                    j = (j + 1) & (ncap - 1);
                nh[j] = ks->h[i];
                nl[j] = ks->line[i];
            }
        free(ks->h);
        free(ks->line);
        ks->h = nh;
        ks->line = nl;
        ks->cap = ncap;
    }
    size_t j = h & (ks->cap - 1);
    while (ks->h[j]) {
        if (ks->h[j] == h)
            return ks->line[j];
        j = (j + 1) & (ks->cap - 1);
    }
    ks->h[j] = h;
    ks->line[j] = line;
    ks->n++;
    return 0;
}

/* ---- progress ------------------------------------------------------------ */

struct progress {
    bool on;
    struct timespec start, last;
    size_t total;
};

static double secs(struct timespec a, struct timespec b)
{
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

static void progress_show(struct progress *pg, size_t done, long rows, bool final)
{
    if (!pg->on)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!final && secs(pg->last, now) < 0.2)
        return;
    pg->last = now;
    double el = secs(pg->start, now);
    double rate = el > 0 ? (double)rows / el : 0;
    double frac = pg->total ? (double)done / (double)pg->total : 1;
    double eta = frac > 0 ? el / frac - el : 0;
    int width = 30, fill = (int)(frac * width);
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\r[%s] %3.0f%% %ld 行 %.0f 行/秒 残り %02d:%02d ", bar, frac * 100, rows, rate,
            (int)eta / 60, (int)eta % 60);
    if (final)
        fputc('\n', stderr);
}

/* ---- file hash, computed on the second core while rows are parsed ---------- */

struct hashjob {
    const char *p;
    size_t n;
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
};

static void *hash_thread(void *arg)
{
    struct hashjob *h = arg;
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *)h->p, h->n);
    sodium_bin2hex(h->hex, sizeof h->hex, digest, sizeof digest);
    return NULL;
}

/* ---- the file ----------------------------------------------------------- */

/* map_file - maps the file read-only (no copy, no zeroed pages); unmap_file() releases. */
static char *map_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error("%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || (unsigned long long)sb.st_size > IMPORT_MAX_FILE_BYTES) {
        error("%s: 通常のファイルではないか、大きすぎます", path);
        close(fd);
        return NULL;
    }
    *len = (size_t)sb.st_size;
    if (*len == 0) {
        close(fd);
        return xcalloc(1, 1); /* empty: a private byte, released by unmap_file */
    }
    char *p = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        error("%s: %s", path, strerror(errno));
        return NULL;
    }
    madvise(p, *len, MADV_SEQUENTIAL);
    return p;
}

static void unmap_file(char *p, size_t len)
{
    if (len == 0)
        free(p);
    else
        munmap(p, len);
}

/* ---- the writer thread ------------------------------------------------------ */

#define QUEUE_LEN 4096

struct item {
    long line;
    struct person_key key;
    char rkey[DATE_ISO_LEN + 1];
    char *body; /* NULL: check only (an error was already found; nothing is written) */
};

/* One store the import writes: the --db store, or with a directory of clusters (store/directory.h) one
 * per cluster, opened and begun at the first row of an insurer on it; each is its own transaction. */
struct cluster {
    const char *where;
    struct store *st;
    long long change_id;
    long rows, changed;
};

struct writer {
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    struct item q[QUEUE_LEN];
    size_t head, n;
    bool done;
    /* owned by the writer thread */
    struct store *st;      /* the current insurer's cluster's store (cl[cur]) */
    long long change_id;   /* and its change */
    const struct directory *dir; /* NULL: one store, cl[0] */
    struct cluster *cl;
    size_t ncl;
    int cur;
    enum import_kind kind;
    const char *author, *reason, *file;
    bool quiet, progress_on;
    struct errsink *errs;
    long changed;
    int dberr;
    struct buf notices; /* insurers registered on first sight: said only once the import is committed */
};

/* Items cross between the threads QUEUE_CHUNK at a time: one lock and at most one wake-up a chunk,
 * where one an item had the two threads waking each other a million times an import (a fifth of
 * the import's CPU time went to the kernel's context switches, measured with perf). */
#define QUEUE_CHUNK 128

/* queue_push - the n items onto the queue, waiting while it is full */
static void queue_push(struct writer *w, const struct item *it, size_t n)
{
    pthread_mutex_lock(&w->mu);
    for (size_t i = 0; i < n;) {
        while (w->n == QUEUE_LEN)
            pthread_cond_wait(&w->not_full, &w->mu);
        for (; i < n && w->n < QUEUE_LEN; i++, w->n++)
            w->q[(w->head + w->n) % QUEUE_LEN] = it[i];
        pthread_cond_signal(&w->not_empty);
    }
    pthread_mutex_unlock(&w->mu);
}

/* queue_pop - up to cap items off the queue into it, waiting while it is empty; 0 once it is empty
 * and done */
static size_t queue_pop(struct writer *w, struct item *it, size_t cap)
{
    pthread_mutex_lock(&w->mu);
    while (w->n == 0 && !w->done)
        pthread_cond_wait(&w->not_empty, &w->mu);
    size_t k = 0;
    for (; k < cap && w->n; k++, w->n--) {
        it[k] = w->q[w->head];
        w->head = (w->head + 1) % QUEUE_LEN;
    }
    if (k)
        pthread_cond_signal(&w->not_full);
    pthread_mutex_unlock(&w->mu);
    return k;
}

/* The writer's end of the queue: the items of the chunk taken last, one at a time */
struct taker {
    struct item it[QUEUE_CHUNK];
    size_t n, at;
};

static bool queue_take(struct writer *w, struct taker *t, struct item *it)
{
    if (t->at == t->n) {
        t->n = queue_pop(w, t->it, QUEUE_CHUNK);
        t->at = 0;
        if (t->n == 0)
            return false;
    }
    *it = t->it[t->at++];
    return true;
}

/* Rows of a kind an insurer had none of go to the store in batches of this many
 * (record_put_first_batch: one COPY on PostgreSQL instead of two INSERTs a row). */
#define IMPORT_BATCH 2000

struct batch {
    struct item it[IMPORT_BATCH];
    struct record_row row[IMPORT_BATCH];
    size_t n;
};

/* batch_flush - the batch to the store (when nothing failed so far); frees its bodies */
static void batch_flush(struct writer *w, struct batch *b)
{
    if (b->n && !w->dberr && !errors_so_far(w->errs) &&
        w->st->ops->record_put_first_batch(w->st, b->row, b->n, w->change_id))
        w->dberr = 1;
    for (size_t i = 0; i < b->n; i++)
        free(b->it[i].body);
    b->n = 0;
}

/* write_item - it's record, unless an error was found already; its body is taken (freed, or kept
 * by the batch of first versions when the insurer had none of this kind: fresh) */
static void write_item(struct writer *w, struct batch *batch, struct item *it, int fresh)
{
    if (!it->body || w->dberr || errors_so_far(w->errs))
        goto done; /* nothing more is written; rolled back at the end */
    int ch = 1;
    const char *rk = import_record_kind(w->kind);
    if (fresh) { /* the body now belongs to the batch */
        struct item *b = &batch->it[batch->n];
        *b = *it;
        batch->row[batch->n++] = (struct record_row){b->key, rk, b->rkey, b->body};
        it->body = NULL;
        if (batch->n == IMPORT_BATCH)
            batch_flush(w, batch);
    } else if (w->st->ops->record_put(w->st, &it->key, rk, it->rkey, it->body, w->change_id, &ch))
        w->dberr = 1;
    w->changed += ch;
    w->cl[w->cur].changed += ch;
done:
    free(it->body);
    it->body = NULL;
}

/* Rows of a kind other than insured name a person who must exist; they wait here, all of one
 * insurer, to be looked up together (persons_exist: one statement on PostgreSQL, where a round
 * trip a row held the import to ≈ 13,000 rows/s), then are reported or written in line order. */
struct pending {
    struct item it[IMPORT_BATCH];
    struct person_key key[IMPORT_BATCH];
    bool exists[IMPORT_BATCH];
    size_t n;
};

static void pending_flush(struct writer *w, struct pending *p, struct batch *batch, int fresh, struct reporter *rp)
{
    if (p->n && !w->dberr) {
        for (size_t i = 0; i < p->n; i++)
            p->key[i] = p->it[i].key;
        if (w->st->ops->persons_exist(w->st, p->key, p->n, p->exists))
            w->dberr = 1;
    }
    for (size_t i = 0; i < p->n; i++) {
        rp->line = p->it[i].line;
        if (!w->dberr && !p->exists[i])
            report(rp, 2, "被保険者番号", "この被保険者は登録されていません(先に insured を取り込んでください)");
        else
            write_item(w, batch, &p->it[i], fresh);
        free(p->it[i].body);
    }
    p->n = 0;
}

/* cluster_enter - the writer moves to cluster c: its store opened and its transaction and change begun
 * on first use; -1 on failure (w->st then names the store whose message says why, or is NULL) */
static int cluster_enter(struct writer *w, int c)
{
    struct cluster *k = &w->cl[c];
    w->cur = c;
    if (!k->st) {
        if (!(k->st = store_open(k->where, false)))
            return w->st = NULL, -1;
        if (k->st->ops->begin(k->st) || k->st->ops->change_begin(k->st, w->author, w->reason, &k->change_id))
            return w->st = k->st, -1;
    }
    w->st = k->st;
    w->change_id = k->change_id;
    return 0;
}

static void *writer_thread(void *arg)
{
    struct writer *w = arg;
    struct reporter rp = {w->errs, 1, 0};
    char last_insurer[INSURER_NO_LEN + 1] = "";
    /* Insurers seen in this file, and whether each had no record of this kind
     * before: then no row can have a current version (duplicates within the
     * file are refused), and the lookup per row is skipped. */
    struct seen {
        char no[INSURER_NO_LEN + 1];
        int fresh;
    } *seen = NULL;
    size_t nseen = 0;
    int fresh = 0;
    struct batch *batch = xcalloc(1, sizeof *batch);
    struct pending *pend = xcalloc(1, sizeof *pend);
    struct taker *tk = xcalloc(1, sizeof *tk);
    struct item it;
    while (queue_take(w, tk, &it)) {
        rp.line = it.line;
        if (w->dberr)
            goto next;
        if (strcmp(last_insurer, it.key.insurer_no) != 0) {
            pending_flush(w, pend, batch, fresh, &rp); /* with the previous insurer's fresh */
            rp.line = it.line;
            if (w->dberr)
                goto next;
            int c = w->dir ? directory_lookup(w->dir, it.key.insurer_no) : 0;
            if (c < 0) { /* every row of it is refused (the next row of it comes here again) */
                report(&rp, 1, "保険者番号", "この保険者のクラスタがクラスタの一覧 (directory) にありません");
                last_insurer[0] = '\0';
                goto next;
            }
            if (c != w->cur || !w->st) {
                batch_flush(w, batch); /* its rows carry the change of the cluster they were made for */
                if (w->dberr || cluster_enter(w, c)) {
                    w->dberr = 1;
                    goto next;
                }
            }
            struct store *st = w->st;
            int created;
            if (store_insurer_ensure(st, it.key.insurer_no, w->author, &created)) {
                w->dberr = 1;
                goto next;
            }
            if (created && !w->quiet) {
                struct insurer ins;
                if (st->ops->insurer_get(st, it.key.insurer_no, &ins) == 0)
                    buf_addf(&w->notices, "%s:%ld: お知らせ: 保険者 %s を新規登録しました(名称: %s)\n", w->file,
                             it.line, ins.insurer_no,
                             ins.name[0] ? ins.name : "未設定 — kaigo insurer set-name で設定してください");
            }
            memcpy(last_insurer, it.key.insurer_no, sizeof last_insurer);
            size_t si = 0;
            while (si < nseen && strcmp(seen[si].no, last_insurer) != 0)
                si++;
            if (si == nseen) {
                seen = xrealloc(seen, size_mul(nseen + 1, sizeof *seen));
                memcpy(seen[si].no, last_insurer, sizeof last_insurer);
                seen[si].fresh = st->ops->kind_empty(st, last_insurer, import_record_kind(w->kind));
                nseen++;
                if (seen[si].fresh < 0) {
                    w->dberr = 1;
                    goto next;
                }
            }
            fresh = seen[si].fresh;
        }
        w->cl[w->cur].rows++;
        if (w->kind != IMPORT_INSURED) { /* looked up with the others of its insurer */
            pend->it[pend->n++] = it;
            it.body = NULL;
            if (pend->n == IMPORT_BATCH)
                pending_flush(w, pend, batch, fresh, &rp);
            goto next;
        }
        write_item(w, batch, &it, fresh);
    next:
        free(it.body);
    }
    pending_flush(w, pend, batch, fresh, &rp);
    free(pend);
    free(tk);
    batch_flush(w, batch);
    free(batch);
    free(seen);
    return NULL;
}

/* ---- main ---------------------------------------------------------------- */

static int finish(int code, char *raw, size_t rawlen, struct buf *conv, pthread_t *hasher,
                  struct errsink *errs)
{
    if (hasher)
        pthread_join(*hasher, NULL);
    free(errs->rec[0]);
    free(errs->rec[1]);
    pthread_mutex_destroy(&errs->mu);
    unmap_file(raw, rawlen);
    buf_release(conv);
    return code;
}

int cmd_import(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "chosa") == 0 || strcmp(argv[1], "life") == 0 ||
                      strcmp(argv[1], "chiiki") == 0))
        return cert_import(argc, argv); /* documents: cli/cmd_cert.c */
    const char *db = db_default(), *enc = "auto", *pos[2] = {0};
    long max_errors = IMPORT_DEFAULT_MAX_ERRORS;
    bool dry = false, quiet = false;
    int np = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        } else if ((v = opt_value(argc, argv, &i, "--db")))
            db = v;
        else if ((v = opt_value(argc, argv, &i, "--encoding")))
            enc = v;
        else if ((v = opt_value(argc, argv, &i, "--max-errors"))) {
            char *end;
            max_errors = strtol(v, &end, 10);
            if (*end || max_errors < 0 || max_errors > 1000000) {
                fputs(help, stderr);
                return EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "--dry-run") == 0)
            dry = true;
        else if (strcmp(argv[i], "--quiet") == 0)
            quiet = true;
        else if (argv[i][0] == '-' || np == 2) {
            fprintf(stderr, "kaigo import: 不明な引数です: %s\n%s", argv[i], help);
            return EXIT_USAGE;
        } else
            pos[np++] = argv[i];
    }
    enum import_kind kind;
    if (np == 2 && import_kind_parse(pos[0], &kind)) {
        fprintf(stderr, "kaigo import: 不明な種類です: %s (insured, certification, burden, limit, "
                        "restriction, plan, facility)\n", pos[0]);
        return EXIT_USAGE;
    }
    if (strcmp(enc, "auto") && strcmp(enc, "utf-8") && strcmp(enc, "cp932")) {
        fprintf(stderr, "kaigo import: --encoding は auto, utf-8, cp932 のいずれかです\n");
        return EXIT_USAGE;
    }
    if (!db && np == 2)
        return cli_no_db("kaigo import");
    if (!db || np != 2) {
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    const char *file = pos[1];
    struct errsink errs = {.max = max_errors};
    pthread_mutex_init(&errs.mu, NULL);
    errs.rec[0] = xcalloc((size_t)max_errors + 1, sizeof(struct errrec));
    errs.rec[1] = xcalloc((size_t)max_errors + 1, sizeof(struct errrec));
    struct reporter rp = {&errs, 0, 1};

    size_t rawlen;
    char *raw = map_file(file, &rawlen);
    if (!raw) {
        free(errs.rec[0]);
        free(errs.rec[1]);
        return EXIT_INVALID;
    }
    struct buf conv;
    buf_init(&conv, (size_t)IMPORT_MAX_FILE_BYTES * 2);
    struct hashjob hj = {raw, rawlen, ""};
    pthread_t hasher;
    if (pthread_create(&hasher, NULL, hash_thread, &hj))
        die("cannot start a thread");

    /* Decode to UTF-8. */
    const char *text = raw;
    size_t textlen = rawlen, bad;
    bool is_utf8 = utf8_valid(raw, rawlen, &bad);
    int col;
    if (strcmp(enc, "utf-8") == 0 && !is_utf8) {
        locate(raw, bad, &rp.line, &col);
        report(&rp, col, "", "UTF-8 として不正なバイトがあります(--encoding cp932 を試してください)");
    } else if (strcmp(enc, "cp932") == 0 || (!is_utf8 && strcmp(enc, "auto") == 0)) {
        if (cp932_to_utf8(raw, rawlen, &conv, &bad)) {
            locate(raw, bad, &rp.line, &col);
            report(&rp, col, "",
                   strcmp(enc, "auto") == 0 ? "文字コードが不正です(UTF-8 でも CP932 でもありません)"
                                            : "CP932 として不正なバイトがあります");
        } else {
            text = conv.ptr ? conv.ptr : "";
            textlen = conv.len;
        }
    }
    if (errs.total) {
        errors_print(&errs, file);
        fprintf(stderr, "%s: エラー 1 件: 何も取り込んでいません\n", file);
        return finish(EXIT_INVALID, raw, rawlen, &conv, &hasher, &errs);
    }

    char author[96], reason[160];
    snprintf(author, sizeof author, "import:%s", cli_actor_id());
    const char *base = strrchr(file, '/');
    snprintf(reason, sizeof reason, "import %s %.100s", import_kind_code(kind), base ? base + 1 : file);
    /* the stores written: the one of --db, begun now; or, for a directory of clusters, one per cluster,
     * begun by the writer at the first row of an insurer on it (cluster_enter) */
    struct directory dir;
    const char *dir_file = directory_path(db);
    struct cluster one = {db, NULL, 0, 0, 0}, *cl = &one;
    size_t ncl = 1;
    if (dir_file) {
        if (cli_directory("kaigo import", db, &dir))
            return finish(EXIT_USAGE, raw, rawlen, &conv, &hasher, &errs);
        ncl = dir.nclusters;
        cl = xcalloc(ncl, sizeof *cl);
        for (size_t i = 0; i < ncl; i++)
            cl[i].where = dir.url[i];
    } else if (!(one.st = store_open(db, false)))
        return finish(EXIT_INTERNAL, raw, rawlen, &conv, &hasher, &errs);
    else if (one.st->ops->begin(one.st) || one.st->ops->change_begin(one.st, author, reason, &one.change_id)) {
        error("database: %s", store_errmsg(one.st));
        one.st->ops->rollback(one.st);
        store_close(one.st);
        return finish(EXIT_INTERNAL, raw, rawlen, &conv, &hasher, &errs);
    }

    struct progress pg = {isatty(2) && !quiet, {0, 0}, {0, 0}, textlen};
    clock_gettime(CLOCK_MONOTONIC, &pg.start);
    struct writer *w = xcalloc(1, sizeof *w);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->not_empty, NULL);
    pthread_cond_init(&w->not_full, NULL);
    w->st = one.st;
    w->change_id = one.change_id;
    w->dir = dir_file ? &dir : NULL;
    w->cl = cl;
    w->ncl = ncl;
    w->cur = dir_file ? -1 : 0;
    w->kind = kind;
    w->author = author;
    w->reason = reason;
    w->file = file;
    w->quiet = quiet;
    w->progress_on = pg.on;
    w->errs = &errs;
    buf_init(&w->notices, 1 << 20);
    pthread_t wt;
    if (pthread_create(&wt, NULL, writer_thread, w))
        die("cannot start a thread");

    struct csv_reader r;
    struct csv_error ce;
    struct import_header h;
    struct import_row *row = xmalloc(sizeof *row);
    struct keyset ks = {0};
    struct item *out = xcalloc(QUEUE_CHUNK, sizeof *out); /* the chunk being filled for the writer */
    size_t nout = 0;
    struct date today = date_today();
    long rows = 0;
    int rc;

    csv_init(&r, text, textlen);
    rc = csv_next(&r, &rp.line, &ce); /* the header row */
    if (rc == 0) {
        rp.line = 1;
        report(&rp, 0, "", "ファイルが空です(1行目に列名が必要です)");
    } else if (rc < 0) {
        rp.line = ce.line;
        report(&rp, ce.column, "", ce.message);
    } else
        import_header_parse(kind, r.field, r.nf, &h, report, &rp);
    bool header_ok = errs.total == 0;

    while (header_ok && (rc = csv_next(&r, &rp.line, &ce)) != 0) {
        progress_show(&pg, r.off, rows, false);
        if (rc < 0) {
            long keep = rp.line;
            rp.line = ce.line;
            report(&rp, ce.column, "", ce.message);
            rp.line = keep;
            continue;
        }
        if (r.nf == 1 && r.field[0].len == 0)
            continue; /* blank line */
        rows++;
        if (import_row_parse(&h, r.field, r.nf, today, row, report, &rp))
            continue;
        long first = keyset_add(&ks, fnv(row->key.insurer_no, row->key.insured_no, row->rkey), rp.line);
        if (first) {
            char msg[160];
            snprintf(msg, sizeof msg, "キーが重複しています(%ld行目と同じ被保険者・開始日)", first);
            report(&rp, 0, "", msg);
            continue;
        }
        struct item it = {rp.line, row->key, "", NULL};
        memcpy(it.rkey, row->rkey, sizeof it.rkey);
        if (!errors_so_far(&errs))
            it.body = codec_encode_row(row);
        out[nout++] = it;
        if (nout == QUEUE_CHUNK) {
            queue_push(w, out, nout);
            nout = 0;
        }
    }
    queue_push(w, out, nout);
    free(out);
    pthread_mutex_lock(&w->mu);
    w->done = true;
    pthread_cond_signal(&w->not_empty);
    pthread_mutex_unlock(&w->mu);
    pthread_join(wt, NULL);
    progress_show(&pg, textlen, rows, true);
    csv_release(&r);
    free(row);
    free(ks.h);
    free(ks.line);
    pthread_join(hasher, NULL);

    int exit_code = 0;
    if (w->dberr) {
        if (w->st)
            error("database: %s", store_errmsg(w->st));
        fprintf(stderr, "%s: データベースエラーのため何も取り込んでいません\n", file);
        exit_code = EXIT_INTERNAL;
    } else if (errs.total) {
        errors_print(&errs, file);
        if (errs.total > errs.max)
            fprintf(stderr, "%s: ほか %ld 件のエラー(表示は --max-errors %ld 件まで)\n", file,
                    errs.total - errs.max, errs.max);
        fprintf(stderr, "%s: エラー %ld 件: 何も取り込んでいません\n", file, errs.total);
        exit_code = EXIT_INVALID;
    } else if (dry)
        printf("%s: 検証のみ: %ld 行すべて正常 (書き込んでいません)\n", file, rows);
    else if (pg.on)
        fputs("書き込みを確定しています(コミット)…\n", stderr);
    /* commit each cluster's transaction (one, without a directory), or roll every one back */
    size_t committed = 0;
    for (size_t i = 0; i < ncl; i++) {
        struct store *st = cl[i].st;
        if (!st)
            continue;
        if (exit_code || dry) {
            st->ops->rollback(st);
            continue;
        }
        if (st->ops->import_run_add(st, cl[i].change_id, import_kind_code(kind), hj.hex, cl[i].rows, cl[i].changed) ||
            st->ops->commit(st)) {
            error("database: %s", store_errmsg(st));
            st->ops->rollback(st);
            exit_code = EXIT_INTERNAL;
            if (committed) { /* a directory's earlier clusters are committed: say which, and how to finish */
                char shown[512];
                store_where_redact(cl[i].where, shown, sizeof shown);
                fprintf(stderr, "%s: クラスタ %s の確定に失敗しました。ほかの %zu クラスタは確定済みです。"
                                "同じファイルをもう一度取り込めば残りが入ります(取込済みの行は「変更なし」になります)\n",
                        file, shown, committed);
            }
            continue;
        }
        committed++;
    }
    if (!exit_code && !dry) {
        if (w->notices.len) /* registered only now that the import is committed (issue #15) */
            fputs(w->notices.ptr, stderr);
        printf("%s: %ld 行を取り込みました(新規・変更 %ld 行, 変更なし %ld 行)\n", file, rows,
               w->changed, rows - w->changed);
        for (size_t i = 0; dir_file && i < ncl; i++) {
            char shown[512];
            store_where_redact(cl[i].where, shown, sizeof shown);
            printf("  クラスタ %s: %ld 行(新規・変更 %ld 行)\n", shown, cl[i].rows, cl[i].changed);
        }
    }
    buf_release(&w->notices);
    for (size_t i = 0; i < ncl; i++)
        store_close(cl[i].st);
    if (dir_file) {
        free(cl);
        directory_free(&dir);
    }
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->not_empty);
    pthread_cond_destroy(&w->not_full);
    free(w);
    return finish(exit_code, raw, rawlen, &conv, NULL, &errs);
}
