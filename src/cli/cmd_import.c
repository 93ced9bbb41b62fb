/*
 * cmd_import.c - kaigo import KIND FILE: municipal bulk import, all-or-nothing.
 *
 * The file is read whole, decoded (UTF-8 or CP932, detected or --encoding),
 * split by util/csv.c and validated row by row by domain/importspec.c. Rows
 * are written inside one transaction as they pass; at the first error writing
 * stops, validation goes on (so that every error is reported, up to
 * --max-errors shown), and at the end the transaction is rolled back. A
 * record equal to its current version is not written again, so importing the
 * same file twice changes nothing. Errors: FILE:LINE:COLUMN(項目名): message.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "domain/importspec.h"
#include "store/codec.h"
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
    "  1行目は日本語の列名(docs/import-formats.md)。日付はISO(2024-04-01)または和暦(R6.4.1)。\n"
    "  1件でも誤りがあれば何も書き込みません(全件取込または取込なし)。同じファイルの再取込は変更なし。\n"
    "  --encoding   文字コード (既定 auto: UTF-8 でなければ CP932)\n"
    "  --max-errors 表示するエラーの上限 (既定 100; 件数はすべて数えます)\n"
    "  --dry-run    検証のみ行い、書き込みません\n"
    "終了コード: 0 成功 / 1 入力に誤り(何も書き込んでいない) / 2 使い方の誤り / 3 内部エラー\n";

struct importer {
    const char *file;
    long line;
    long errors;
    long max_errors;
    const char *text; /* decoded UTF-8, for locating encoding errors */
};

static void report(void *ctx, int column, const char *colname, const char *msg)
{
    struct importer *im = ctx;
    im->errors++;
    if (im->errors > im->max_errors)
        return;
    if (column > 0 && colname && *colname)
        fprintf(stderr, "%s:%ld:%d(%s): %s\n", im->file, im->line, column, colname, msg);
    else if (column > 0)
        fprintf(stderr, "%s:%ld:%d: %s\n", im->file, im->line, column, msg);
    else if (colname && *colname)
        fprintf(stderr, "%s:%ld:(%s): %s\n", im->file, im->line, colname, msg);
    else
        fprintf(stderr, "%s:%ld: %s\n", im->file, im->line, msg);
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

/* ---- main ---------------------------------------------------------------- */

static char *read_file(const char *path, size_t *len)
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
    size_t n = (size_t)sb.st_size;
    char *p = xmalloc(n + 1);
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r <= 0) {
            error("%s: 読み込みに失敗しました", path);
            free(p);
            close(fd);
            return NULL;
        }
        got += (size_t)r;
    }
    close(fd);
    p[n] = '\0';
    *len = n;
    return p;
}

int cmd_import(int argc, char **argv)
{
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
            if (*end || max_errors < 0) {
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
    if (!db || np != 2 || import_kind_parse(pos[0], &kind) ||
        (strcmp(enc, "auto") && strcmp(enc, "utf-8") && strcmp(enc, "cp932"))) {
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    const char *file = pos[1];
    struct importer im = {file, 1, 0, max_errors, NULL};

    size_t rawlen;
    char *raw = read_file(file, &rawlen);
    if (!raw)
        return EXIT_INVALID;
    struct hashjob hj = {raw, rawlen, ""};
    pthread_t hasher;
    if (pthread_create(&hasher, NULL, hash_thread, &hj))
        die("cannot start a thread");

    /* Decode to UTF-8. */
    struct buf conv;
    buf_init(&conv, (size_t)IMPORT_MAX_FILE_BYTES * 2);
    const char *text = raw;
    size_t textlen = rawlen, bad;
    bool is_utf8 = utf8_valid(raw, rawlen, &bad);
    if (strcmp(enc, "utf-8") == 0 && !is_utf8) {
        int col;
        locate(raw, bad, &im.line, &col);
        report(&im, col, "", "UTF-8 として不正なバイトがあります(--encoding cp932 を試してください)");
    } else if (strcmp(enc, "cp932") == 0 || (!is_utf8 && strcmp(enc, "auto") == 0)) {
        if (cp932_to_utf8(raw, rawlen, &conv, &bad)) {
            int col;
            locate(raw, bad, &im.line, &col);
            report(&im, col, "",
                   strcmp(enc, "auto") == 0 ? "文字コードが不正です(UTF-8 でも CP932 でもありません)"
                                            : "CP932 として不正なバイトがあります");
        } else {
            text = conv.ptr ? conv.ptr : "";
            textlen = conv.len;
        }
    }
    if (im.errors) {
        fprintf(stderr, "%s: エラー 1 件: 何も取り込んでいません\n", file);
        pthread_join(hasher, NULL);
        free(raw);
        buf_release(&conv);
        return EXIT_INVALID;
    }

    struct store *st = store_open_sqlite(db, false);
    if (!st) {
        pthread_join(hasher, NULL);
        free(raw);
        buf_release(&conv);
        return EXIT_INTERNAL;
    }
    if (st->ops->begin(st)) {
        error("%s", store_errmsg(st));
        store_close(st);
        pthread_join(hasher, NULL);
        free(raw);
        buf_release(&conv);
        return EXIT_INTERNAL;
    }

    struct csv_reader r;
    struct csv_error ce;
    struct import_header h;
    struct import_row *row = xmalloc(sizeof *row);
    struct keyset ks = {0};
    struct progress pg = {isatty(2) && !quiet, {0, 0}, {0, 0}, textlen};
    clock_gettime(CLOCK_MONOTONIC, &pg.start);
    char author[96], reason[96];
    long long run_id = 0;
    snprintf(author, sizeof author, "import:%s", cli_actor_id());
    if (st->ops->import_run_begin(st, import_kind_code(kind), author, &run_id)) {
        error("database: %s", store_errmsg(st));
        st->ops->rollback(st);
        store_close(st);
        pthread_join(hasher, NULL);
        free(raw);
        buf_release(&conv);
        return EXIT_INTERNAL;
    }
    /* The version's reason names the run; import_runs holds the file's SHA-256. */
    snprintf(reason, sizeof reason, "import run %lld (%s)", run_id, import_kind_code(kind));
    struct version_meta meta = {author, reason};
    long rows = 0, changed = 0, dberr = 0;
    char last_insurer[INSURER_NO_LEN + 1] = "";
    /* Insurers seen in this file, and whether each had no record of this kind
     * before it: then no row can have a current version (duplicates within the
     * file are refused), and the lookup per row is skipped. */
    struct seen {
        char no[INSURER_NO_LEN + 1];
        int fresh;
    } *seen = NULL;
    size_t nseen = 0;
    int fresh = 0;
    int rc;

    csv_init(&r, text, textlen);
    /* Header row. */
    rc = csv_next(&r, &im.line, &ce);
    if (rc == 0) {
        im.line = 1;
        report(&im, 0, "", "ファイルが空です(1行目に列名が必要です)");
    } else if (rc < 0) {
        im.line = ce.line;
        report(&im, ce.column, "", ce.message);
    } else
        import_header_parse(kind, r.field, r.nf, &h, report, &im);
    bool header_ok = im.errors == 0;

    while (header_ok && (rc = csv_next(&r, &im.line, &ce)) != 0) {
        progress_show(&pg, r.off, rows, false);
        if (rc < 0) {
            long keep = im.line;
            im.line = ce.line;
            report(&im, ce.column, "", ce.message);
            im.line = keep;
            continue;
        }
        if (r.nf == 1 && r.field[0].len == 0)
            continue; /* blank line */
        rows++;
        if (import_row_parse(&h, r.field, r.nf, date_today(), row, report, &im))
            continue;
        long first = keyset_add(&ks, fnv(row->key.insurer_no, row->key.insured_no, row->rkey), im.line);
        if (first) {
            char msg[160];
            snprintf(msg, sizeof msg, "キーが重複しています(%ld行目と同じ被保険者・開始日)", first);
            report(&im, 0, "", msg);
            continue;
        }
        if (dberr)
            continue;
        if (strcmp(last_insurer, row->key.insurer_no) != 0) {
            int created;
            if (store_insurer_ensure(st, row->key.insurer_no, author, &created)) {
                dberr = 1;
                continue;
            }
            if (created && !quiet) {
                struct insurer ins;
                if (st->ops->insurer_get(st, row->key.insurer_no, &ins) == 0)
                    fprintf(stderr, "%s%s:%ld: お知らせ: 保険者 %s を新規登録しました(名称: %s)\n",
                            pg.on ? "\n" : "", file, im.line, ins.insurer_no,
                            ins.name[0] ? ins.name : "未設定 — kaigo insurer set-name で設定してください");
            }
            memcpy(last_insurer, row->key.insurer_no, sizeof last_insurer);
            size_t si = 0;
            while (si < nseen && strcmp(seen[si].no, last_insurer) != 0)
                si++;
            if (si == nseen) {
                seen = xrealloc(seen, size_mul(nseen + 1, sizeof *seen));
                memcpy(seen[si].no, last_insurer, sizeof last_insurer);
                seen[si].fresh = st->ops->kind_empty(st, last_insurer, import_record_kind(kind));
                nseen++;
                if (seen[si].fresh < 0) {
                    dberr = 1;
                    continue;
                }
            }
            fresh = seen[si].fresh;
        }
        if (kind != IMPORT_INSURED) {
            int ex = st->ops->person_exists(st, &row->key);
            if (ex < 0) {
                dberr = 1;
                continue;
            }
            if (ex == 0) {
                report(&im, 2, "被保険者番号", "この被保険者は登録されていません(先に insured を取り込んでください)");
                continue;
            }
        }
        if (im.errors)
            continue; /* keep validating; nothing more is written (rolled back at the end) */
        char *body = codec_encode_row(row);
        int ch = 1;
        if (fresh ? st->ops->record_put_first(st, &row->key, import_record_kind(kind), row->rkey,
                                              body, &meta)
                  : st->ops->record_put(st, &row->key, import_record_kind(kind), row->rkey, body,
                                        &meta, &ch))
            dberr = 1;
        free(body);
        changed += ch;
    }
    progress_show(&pg, textlen, rows, true);
    csv_release(&r);
    free(row);
    free(ks.h);
    free(ks.line);
    free(seen);

    int exit_code = 0;
    pthread_join(hasher, NULL);
    if (dberr) {
        error("database: %s", store_errmsg(st));
        st->ops->rollback(st);
        fprintf(stderr, "%s: データベースエラーのため何も取り込んでいません\n", file);
        exit_code = EXIT_INTERNAL;
    } else if (im.errors) {
        st->ops->rollback(st);
        if (im.errors > im.max_errors)
            fprintf(stderr, "%s: ほか %ld 件のエラー(表示は --max-errors %ld 件まで)\n", file,
                    im.errors - im.max_errors, im.max_errors);
        fprintf(stderr, "%s: エラー %ld 件: 何も取り込んでいません\n", file, im.errors);
        exit_code = EXIT_INVALID;
    } else if (dry) {
        st->ops->rollback(st);
        printf("%s: 検証のみ: %ld 行すべて正常 (書き込んでいません)\n", file, rows);
    } else if (st->ops->import_run_finish(st, run_id, hj.hex, rows, changed) ||
               st->ops->commit(st)) {
        error("database: %s", store_errmsg(st));
        st->ops->rollback(st);
        exit_code = EXIT_INTERNAL;
    } else
        printf("%s: %ld 行を取り込みました(新規・変更 %ld 行, 変更なし %ld 行)\n", file, rows, changed,
               rows - changed);
    store_close(st);
    free(raw);
    buf_release(&conv);
    return exit_code;
}
