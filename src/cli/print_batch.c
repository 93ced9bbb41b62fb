/*
 * print_batch.c - kaigo print cards|burden|limit --insurer X [--changed-since D] OUT.pdf:
 * a municipality's batch run (issue #6 §3, docs/paper.md). Every person of the
 * insurer (or those whose records changed since D) with the document in force is
 * read through the gate in chunks (each chunk audited with one group commit before
 * any card is built), printed in parts of PART_PAGES pages: a part's issue records
 * commit only after its PDF is on disk, then its lines go to the manifest OUT.csv.
 * A run that was interrupted is resumed by running the same command again: the
 * persons in the manifest are skipped (not read again), a part left unfinished is
 * redone, and at the end the parts are joined into OUT.pdf (pdfunite). Progress goes
 * to stderr.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "domain/numbers.h"
#include "domain/paperdoc.h"
#include "print/pdf.h"
#include "store/auditq.h"
#include "store/disclose.h"
#include "store/keyfile.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define PART_PAGES 100

typedef int doc_builder(const struct card *, struct date, struct paper_doc *, const char **);

struct batch {
    doc_builder *build;
    const char *out;
    struct store *wst; /* the issue records (a connection of its own: the reads hold theirs) */
    unsigned char sk[KEYFILE_SK_BYTES];
    const char *insurer;
    struct date today;
    enum print_format format;
    FILE *manifest;
    /* persons already printed (from the manifest), sorted */
    char (*done)[11];
    size_t ndone;
    /* the part being filled */
    struct paper_doc *docs;
    size_t n;
    int part;
    long long printed, skipped_none, unfit, total;
    int failed;
};

static int by_no(const void *a, const void *b)
{
    return strcmp(a, b);
}

static bool want(void *ctx, const char *insured_no)
{
    struct batch *b = ctx;
    return b->ndone == 0 || !bsearch(insured_no, b->done, b->ndone, sizeof b->done[0], by_no);
}

static void part_path(const struct batch *b, int part, char *out, size_t cap)
{
    snprintf(out, cap, "%s.part%05d.pdf", b->out, part);
}

static void progress(const struct batch *b)
{
    long long done = b->printed + b->skipped_none + b->unfit;
    fprintf(stderr, "%s印刷中 %lld/%lld 人(印刷 %lld 枚、該当なし %lld 人)%s", isatty(2) ? "\r" : "", done, b->total,
            b->printed, b->skipped_none, isatty(2) ? "" : "\n");
}

/* flush - signs, records and draws the part; its issues commit only with its PDF on disk */
static int flush(struct batch *b)
{
    if (b->n == 0)
        return 0;
    char path[4200], tmp[4300];
    part_path(b, b->part, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    struct paper_token *t = xcalloc(b->n, sizeof *t);
    char(*tokens)[PAPER_TOKEN_TEXT_MAX] = xcalloc(b->n, sizeof *tokens);
    const char **tp = xcalloc(b->n, sizeof *tp);
    struct actor a;
    cli_actor(&a);
    long long change;
    const char *why = "";
    int rc = b->wst->ops->begin(b->wst) || b->wst->ops->change_begin(b->wst, a.id, "書類の一括交付(印刷)", &change);
    for (size_t i = 0; i < b->n && rc == 0; i++) {
        paper_token_of(&b->docs[i], &t[i]);
        rc = b->wst->ops->paper_issue(b->wst, &t[i], change) || paper_token_sign(&t[i], b->sk) ||
             paper_token_text(&t[i], tokens[i]);
        tp[i] = tokens[i];
    }
    size_t bad = 0;
    int drawn = rc == 0 ? print_pdf(tmp, b->docs, tp, b->n, b->format, &bad, &why) : -1;
    if (rc == 0 && drawn == PRINT_UNFIT) {
        /* one person's document does not fit the paper: left out of the part (named on
         * stderr, counted, not in the manifest: a rerun tries again) and the part redone */
        b->wst->ops->rollback(b->wst);
        unlink(tmp);
        fprintf(stderr, "%skaigo print: %s/%s は用紙に収まりません(%s)\n", isatty(2) ? "\n" : "", b->insurer,
                b->docs[bad].insured_no, b->format == PRINT_CARD ? "--format a4 で印刷してください" : why);
        sodium_memzero(&b->docs[bad], sizeof b->docs[bad]);
        memmove(&b->docs[bad], &b->docs[bad + 1], (b->n - bad - 1) * sizeof *b->docs);
        b->n--;
        b->unfit++;
        free(t);
        free(tokens);
        free(tp);
        return flush(b);
    }
    if (rc == 0 && (drawn || rename(tmp, path)))
        rc = -1;
    /* fault injection for the resume test: $KAIGO_PRINT_FAIL_PART fails that part after its
     * PDF is drawn, before its issues commit (as a crash or a full disk would) */
    const char *fail = getenv("KAIGO_PRINT_FAIL_PART");
    if (rc == 0 && fail && strtol(fail, NULL, 10) == b->part) {
        why = "試験用の中断";
        rc = -1;
    }
    if (rc == 0 && b->wst->ops->commit(b->wst))
        rc = -1;
    if (rc) {
        b->wst->ops->rollback(b->wst);
        unlink(tmp);
        unlink(path);
        fprintf(stderr, "\nkaigo print: 部 %d を印刷できません(%s%s)\n", b->part, why, why[0] ? "" : store_errmsg(b->wst));
    } else {
        for (size_t i = 0; i < b->n; i++)
            fprintf(b->manifest, "%d,%u,%s,%s,%04d-%02d-%02d\n", b->part, t[i].serial, t[i].insured_no,
                    paper_kind_name(t[i].kind), t[i].issued.y, t[i].issued.m, t[i].issued.d);
        if (fflush(b->manifest) || fsync(fileno(b->manifest)))
            rc = -1;
        b->printed += (long long)b->n;
        b->part++;
    }
    for (size_t i = 0; i < b->n; i++)
        sodium_memzero(&b->docs[i], sizeof b->docs[i]);
    if (rc == 0) {
        b->n = 0;
        progress(b);
    }
    free(t);
    free(tokens);
    free(tp);
    return rc;
}

static int one(void *ctx, const struct card *c)
{
    struct batch *b = ctx;
    const char *why;
    if (b->build(c, b->today, &b->docs[b->n], &why)) { /* nothing in force for this document */
        b->skipped_none++;
        return 0;
    }
    if (++b->n == PART_PAGES && flush(b))
        return b->failed = 1;
    return 0;
}

/* load_manifest - the persons already printed, and the next part number; the parts
 * after the last one it records (an interrupted part) are removed. */
static int load_manifest(struct batch *b, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0 : -1;
    char line[256];
    size_t cap = 0;
    int last = -1;
    while (fgets(line, sizeof line, f)) {
        char *p = line, *e;
        long part = strtol(p, &e, 10);
        if (e == p || *e != ',')
            continue; /* the header */
        char *no = strchr(e + 1, ',');
        if (!no || strlen(no + 1) < 10)
            continue;
        if (b->ndone == cap) {
            cap = cap ? 2 * cap : 1024;
            b->done = xrealloc(b->done, cap * sizeof *b->done);
        }
        memcpy(b->done[b->ndone], no + 1, 10);
        b->done[b->ndone++][10] = '\0';
        if (part > last)
            last = (int)part;
    }
    fclose(f);
    if (b->ndone)
        qsort(b->done, b->ndone, sizeof b->done[0], by_no);
    b->part = last + 1;
    for (int p = b->part;; p++) { /* an unfinished part, if any */
        char pp[4200], tmp[4300];
        part_path(b, p, pp, sizeof pp);
        snprintf(tmp, sizeof tmp, "%s.tmp", pp);
        bool had = unlink(pp) == 0;
        had |= unlink(tmp) == 0;
        if (!had)
            break;
    }
    return 0;
}

/* join - the parts into OUT.pdf (pdfunite, run without a shell), then removed */
static int join_parts(const struct batch *b)
{
    if (b->part == 0)
        return 0;
    char **argv = xcalloc((size_t)b->part + 3, sizeof *argv);
    argv[0] = "pdfunite";
    for (int p = 0; p < b->part; p++) {
        argv[p + 1] = xmalloc(4200);
        part_path(b, p, argv[p + 1], 4200);
    }
    argv[b->part + 1] = (char *)b->out;
    int rc = -1;
    if (b->part == 1)
        rc = rename(argv[1], b->out);
    else {
        size_t n;
        char *said = cli_run(argv, 1 << 16, &n);
        rc = said ? 0 : -1;
        free(said);
    }
    for (int p = 0; p < b->part; p++) {
        if (rc == 0)
            unlink(argv[p + 1]);
        free(argv[p + 1]);
    }
    free(argv);
    return rc;
}

int print_batch(doc_builder *build, const char *insurer, const char *since, struct date on, int format, const char *out,
                const char *db)
{
    const char *why;
    if (insurer_no_check(insurer, strlen(insurer), &why)) {
        fprintf(stderr, "kaigo print: %s\n", why);
        return EXIT_INVALID;
    }
    struct batch b;
    memset(&b, 0, sizeof b);
    b.build = build;
    b.out = out;
    b.insurer = insurer;
    b.today = date_today();
    b.format = (enum print_format)format;
    char mpath[4200], kpath[4200];
    snprintf(mpath, sizeof mpath, "%s.csv", out);
    if (load_manifest(&b, mpath)) {
        fprintf(stderr, "kaigo print: %s を読めません\n", mpath);
        return EXIT_INTERNAL;
    }
    bool fresh = b.ndone == 0 && access(mpath, F_OK) != 0;
    b.manifest = fopen(mpath, "a");
    if (!b.manifest) {
        fprintf(stderr, "kaigo print: %s に書けません\n", mpath);
        free(b.done);
        return EXIT_INTERNAL;
    }
    if (fresh)
        fputs("部,番号,被保険者番号,書類,交付年月日\n", b.manifest);
    if (b.ndone)
        fprintf(stderr, "kaigo print: 前回の続きから印刷します(印刷済み %zu 人、部 %d から)\n", b.ndone, b.part);
    struct store *st;
    struct auditq *aq;
    int rc = 0;
    if (paper_key_path(db, insurer, kpath, sizeof kpath) || keyfile_load(kpath, true, b.sk) ||
        !(b.wst = store_open_sqlite(db, false))) {
        fclose(b.manifest);
        free(b.done);
        return EXIT_INTERNAL;
    }
    if (cli_open_audited(db, &st, &aq)) {
        store_close(b.wst);
        fclose(b.manifest);
        free(b.done);
        return EXIT_INTERNAL;
    }
    b.docs = xcalloc(PART_PAGES, sizeof *b.docs);
    struct actor a;
    cli_actor(&a);
    char rid[REQUEST_ID_BYTES];
    cli_request_id(rid);
    long long shown, denied;
    enum disclose_status s = disclose_insurer_cards(st, aq, &a, PURPOSE_ADMIN, insurer, since, on, rid,
                                                    clock_now_ms(), want, one, &b, &b.total, &shown, &denied);
    /* b.total is known only after the listing; the progress lines use it from the first part on */
    if (s == DISCLOSE_OK && !b.failed && flush(&b))
        b.failed = 1;
    auditq_stop(aq);
    store_close(st);
    if (s != DISCLOSE_OK || b.failed) {
        if (!b.failed)
            fprintf(stderr, "\nkaigo print: %s\n", s == DISCLOSE_AUDIT_FAILED ? "アクセス記録を保存できないため印刷できません"
                                                                            : "記録を読めませんでした");
        fprintf(stderr, "kaigo print: 中断しました。同じコマンドで続きから印刷できます(%s)\n", mpath);
        rc = EXIT_INTERNAL;
    } else if (join_parts(&b)) {
        fprintf(stderr, "kaigo print: 部をまとめられません(pdfunite)。%s.part*.pdf が残っています\n", out);
        rc = EXIT_INTERNAL;
    } else {
        if (isatty(2))
            fputc('\n', stderr);
        printf("%s: %lld 枚を印刷しました(該当なし %lld 人、参照不可 %lld 人、用紙に収まらない %lld 人、前回までに %zu 人)。"
               "一覧: %s\n",
               out, b.printed, b.skipped_none, denied, b.unfit, b.ndone, mpath);
    }
    fclose(b.manifest);
    sodium_memzero(b.sk, sizeof b.sk);
    store_close(b.wst);
    free(b.docs);
    free(b.done);
    return rc;
}
