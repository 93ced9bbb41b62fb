/*
 * print_batch.c - kaigo print cards|burden|limit --insurer X [--changed-since D] OUT.pdf:
 * a municipality's batch run (issue #6 §3, docs/paper.md). Every person of the
 * insurer (or those whose records changed since D) with the document in force is
 * read through the gate in chunks (each chunk audited with one group commit before
 * any card is built), printed in parts of PART_PAGES pages. This thread reads, builds
 * and signs each part under serials taken from the insurer's next unused one; the
 * parts are drawn on every core by drawing threads (cairo/pango, one surface and font
 * map per thread); back here, in part order, a part's issue records commit only after
 * its PDF is on disk, then its lines go to the manifest OUT.csv. A serial taken
 * meanwhile by another print of the same insurer makes that commit fail (the run stops
 * and resumes cleanly); serials left out (a card too full for its paper) stay unused.
 * A run that was interrupted is resumed by running the same command again: the
 * persons in the manifest are skipped (not read again), a part left unfinished is
 * redone, and at the end the parts are joined into OUT.pdf (pdfunite). Progress goes
 * to stderr.
 */
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/config.h"
#include "util/hooks.h"
#include "domain/numbers.h"
#include "domain/paperdoc.h"
#include "print/pdf.h"
#include "audit/auditq.h"
#include "service/disclose.h"
#include "store/keyfile.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define PART_PAGES 100
#define MAX_DRAWERS 4 /* drawing threads, at most; one per online core */

typedef int doc_builder(const struct card *, struct date, struct paper_doc *, const char **);

enum part_state { PART_QUEUED, PART_DRAWING, PART_DRAWN, PART_FAILED };

/* A part: its documents, their tokens (serials taken), and what its drawing found. */
struct part {
    int no;
    size_t n;
    struct paper_doc docs[PART_PAGES];
    struct paper_token t[PART_PAGES];
    char tokens[PART_PAGES][PAPER_TOKEN_TEXT_MAX];
    enum part_state state;
    const char *why;
    size_t nunfit; /* documents left out: too full for the paper */
    char unfit[PART_PAGES][11];
    struct part *next; /* in flight, in part order */
};

struct batch {
    doc_builder *build;
    const char *out;
    struct store *wst; /* the issue records (a connection of its own: the reads hold theirs) */
    unsigned char sk[KEYFILE_SK_BYTES];
    const char *insurer;
    struct date today;
    enum print_format format;
    uint32_t next_serial;
    FILE *manifest;
    /* persons already printed (from the manifest), sorted */
    char (*done)[11];
    size_t ndone;
    /* the part being filled, and the parts in flight (oldest first) */
    struct part *filling;
    int part; /* the next part's number */
    struct part *head, *tail;
    size_t inflight;
    /* the drawing threads */
    pthread_mutex_t mu;
    pthread_cond_t work, drawn;
    pthread_t drawer[MAX_DRAWERS];
    int ndrawers;
    bool stop;
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

/* progress - a bar, the share and the counts on stderr (one line rewritten on a terminal) */
static void progress(const struct batch *b)
{
    long long done = b->printed + b->skipped_none + b->unfit;
    int pct = b->total > 0 ? (int)(done * 100 / b->total) : 0, fill = pct / 5;
    char bar[21];
    for (int i = 0; i < 20; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[20] = '\0';
    fprintf(stderr, "%s印刷中 [%s] %3d%% %lld/%lld 人(印刷 %lld 枚、該当なし %lld 人)%s", isatty(2) ? "\r" : "", bar,
            pct > 100 ? 100 : pct, done, b->total, b->printed, b->skipped_none, isatty(2) ? "" : "\n");
}

/* draw - a drawing thread's work on one part: its PDF to OUT.partNNNNN.pdf (through a
 * .tmp renamed when whole; no file when every document was left out); a document too
 * full for the paper is left out and the part drawn again. No database, nothing shared
 * but the part, whose state the caller sets under the lock. */
static enum part_state draw(const struct batch *b, struct part *p)
{
    char path[4200], tmp[4300];
    part_path(b, p->no, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    for (;;) {
        const char *tp[PART_PAGES];
        for (size_t i = 0; i < p->n; i++)
            tp[i] = p->tokens[i];
        size_t bad = 0;
        const char *why = "";
        int rc = p->n ? print_pdf(tmp, p->docs, tp, p->n, b->format, &bad, &why) : 0;
        if (rc == PRINT_UNFIT) {
            memcpy(p->unfit[p->nunfit++], p->docs[bad].insured_no, 11);
            sodium_memzero(&p->docs[bad], sizeof p->docs[bad]);
            memmove(&p->docs[bad], &p->docs[bad + 1], (p->n - bad - 1) * sizeof p->docs[0]);
            memmove(&p->t[bad], &p->t[bad + 1], (p->n - bad - 1) * sizeof p->t[0]);
            memmove(p->tokens[bad], p->tokens[bad + 1], (p->n - bad - 1) * sizeof p->tokens[0]);
            p->n--;
            continue;
        }
        if (rc == 0 && p->n && rename(tmp, path)) {
            rc = -1;
            why = "PDF を置けません";
        }
        if (rc || p->n == 0)
            unlink(tmp);
        if (rc)
            p->why = why;
        return rc ? PART_FAILED : PART_DRAWN;
    }
}

static void *drawer(void *arg)
{
    struct batch *b = arg;
    pthread_mutex_lock(&b->mu);
    for (;;) {
        struct part *p = b->head;
        while (p && p->state != PART_QUEUED)
            p = p->next;
        if (!p) {
            if (b->stop)
                break;
            pthread_cond_wait(&b->work, &b->mu);
            continue;
        }
        p->state = PART_DRAWING;
        pthread_mutex_unlock(&b->mu);
        enum part_state st = draw(b, p);
        pthread_mutex_lock(&b->mu);
        p->state = st;
        pthread_cond_broadcast(&b->drawn);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

/* commit_part - the oldest part, once drawn: its issue records commit (the PDF is on
 * disk), then its manifest lines. -1 stops the run (the part's PDF removed). */
static int commit_part(struct batch *b, struct part *p)
{
    char path[4200];
    part_path(b, p->no, path, sizeof path);
    for (size_t i = 0; i < p->nunfit; i++) {
        fprintf(stderr, "%skaigo print: %s/%s は用紙に収まりません(%s)\n", isatty(2) ? "\n" : "", b->insurer, p->unfit[i],
                b->format == PRINT_CARD ? "--format a4 で印刷してください" : "切り詰めずに止めました");
        b->unfit++;
    }
    const char *why = p->why ? p->why : "";
    int rc = p->state == PART_DRAWN ? 0 : -1;
    /* fault injection for the resume test (kaigo-test only, util/hooks.h): that part fails
     * after its PDF is drawn, before its issues are recorded (as a crash or a full disk would) */
    if (rc == 0 && test_hooks &&
        (test_hooks->print_fail_part == p->no + 1 ||
         (test_hooks->print_fail_file && access(test_hooks->print_fail_file, F_OK) == 0))) {
        why = "試験用の中断";
        rc = -1;
    }
    if (rc == 0)
        rc = print_record(b->wst, p->t, p->n, "書類の一括交付(印刷)");
    if (rc) {
        unlink(path);
        fprintf(stderr, "\nkaigo print: 部 %d を印刷できません(%s%s)\n", p->no, why,
                why[0] || p->state != PART_DRAWN ? "" : store_errmsg(b->wst));
        return -1;
    }
    for (size_t i = 0; i < p->n; i++)
        fprintf(b->manifest, "%d,%u,%s,%s,%04d-%02d-%02d\n", p->no, p->t[i].serial, p->t[i].insured_no,
                paper_kind_name(p->t[i].kind), p->t[i].issued.y, p->t[i].issued.m, p->t[i].issued.d);
    if (fflush(b->manifest) || fsync(fileno(b->manifest)))
        return -1;
    b->printed += (long long)p->n;
    progress(b);
    return 0;
}

/* settle - commits the drawn parts at the head, in order; with 'wait', until no more
 * than 'keep' parts are in flight. -1 when a part failed (the run stops). */
static int settle(struct batch *b, size_t keep)
{
    pthread_mutex_lock(&b->mu);
    int rc = 0;
    while (b->head && rc == 0) {
        struct part *p = b->head;
        if (p->state == PART_QUEUED || p->state == PART_DRAWING) {
            if (b->inflight <= keep)
                break;
            pthread_cond_wait(&b->drawn, &b->mu);
            continue;
        }
        b->head = p->next;
        if (!b->head)
            b->tail = NULL;
        b->inflight--;
        pthread_mutex_unlock(&b->mu);
        rc = commit_part(b, p);
        for (size_t i = 0; i < p->n; i++)
            sodium_memzero(&p->docs[i], sizeof p->docs[i]);
        free(p);
        pthread_mutex_lock(&b->mu);
    }
    pthread_mutex_unlock(&b->mu);
    return rc;
}

/* submit - the filled part: serials taken, signed, queued for a drawing thread; then
 * the drawn parts at the head committed, waiting while too many are in flight */
static int submit(struct batch *b)
{
    struct part *p = b->filling;
    if (!p || p->n == 0)
        return 0;
    b->filling = NULL;
    p->no = b->part++;
    if (print_sign(p->docs, p->n, b->next_serial, b->sk, p->t, p->tokens)) {
        sodium_memzero(p->docs, sizeof p->docs);
        free(p);
        return -1;
    }
    b->next_serial += (uint32_t)p->n;
    pthread_mutex_lock(&b->mu);
    p->state = PART_QUEUED;
    if (b->tail)
        b->tail->next = p;
    else
        b->head = p;
    b->tail = p;
    b->inflight++;
    pthread_cond_signal(&b->work);
    pthread_mutex_unlock(&b->mu);
    return settle(b, (size_t)b->ndrawers + 1);
}

static int one(void *ctx, const struct card *c)
{
    struct batch *b = ctx;
    const char *why;
    if (!b->filling)
        b->filling = xcalloc(1, sizeof *b->filling);
    struct part *p = b->filling;
    if (b->build(c, b->today, &p->docs[p->n], &why)) { /* nothing in force for this document */
        b->skipped_none++;
        return 0;
    }
    if (++p->n == PART_PAGES && submit(b))
        return b->failed = 1;
    return 0;
}

/* drawers_start - one drawing thread per online core (at most MAX_DRAWERS; $KAIGO_PRINT_THREADS
 * sets the number, for the benchmark's comparison) */
static int drawers_start(struct batch *b)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (config()->print_threads > 0)
        n = config()->print_threads;
    if (n < 1)
        n = 1;
    if (n > MAX_DRAWERS)
        n = MAX_DRAWERS;
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->work, NULL);
    pthread_cond_init(&b->drawn, NULL);
    for (b->ndrawers = 0; b->ndrawers < n; b->ndrawers++)
        if (pthread_create(&b->drawer[b->ndrawers], NULL, drawer, b))
            break;
    return b->ndrawers > 0 ? 0 : -1;
}

/* drawers_stop - after the parts in flight are settled (or abandoned on failure) */
static void drawers_stop(struct batch *b)
{
    pthread_mutex_lock(&b->mu);
    b->stop = true;
    for (struct part *p = b->head; p; p = p->next)
        if (p->state == PART_QUEUED)
            p->state = PART_FAILED; /* abandoned: the run stopped before it */
    pthread_cond_broadcast(&b->work);
    pthread_mutex_unlock(&b->mu);
    for (int i = 0; i < b->ndrawers; i++)
        pthread_join(b->drawer[i], NULL);
    while (b->head) { /* what a failed run left drawn but not committed: removed */
        struct part *p = b->head;
        char path[4200];
        part_path(b, p->no, path, sizeof path);
        unlink(path);
        b->head = p->next;
        sodium_memzero(p->docs, sizeof p->docs);
        free(p);
    }
    if (b->filling) {
        sodium_memzero(b->filling->docs, sizeof b->filling->docs);
        free(b->filling);
    }
    pthread_cond_destroy(&b->drawn);
    pthread_cond_destroy(&b->work);
    pthread_mutex_destroy(&b->mu);
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
    char **argv = xcalloc((size_t)b->part + 3, sizeof *argv);
    int n = 0; /* the parts with a file (a part whose documents were all left out has none) */
    argv[0] = "pdfunite";
    for (int p = 0; p < b->part; p++) {
        char *path = xmalloc(4200);
        part_path(b, p, path, 4200);
        if (access(path, F_OK) == 0)
            argv[++n] = path;
        else
            free(path);
    }
    argv[n + 1] = (char *)b->out;
    int rc = 0;
    if (n == 1)
        rc = rename(argv[1], b->out);
    else if (n > 1) {
        size_t len;
        char *said = cli_run(argv, 1 << 16, &len);
        rc = said ? 0 : -1;
        free(said);
    }
    for (int p = 1; p <= n; p++) {
        if (rc == 0)
            unlink(argv[p]);
        free(argv[p]);
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
        !(b.wst = store_open(db, false))) {
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
    if (b.wst->ops->paper_next_serial(b.wst, insurer, &b.next_serial) || drawers_start(&b)) {
        auditq_stop(aq);
        store_close(st);
        store_close(b.wst);
        fclose(b.manifest);
        free(b.done);
        return EXIT_INTERNAL;
    }
    struct insurer ins;
    if (st->ops->insurer_get(st, insurer, &ins) == 0 && ins.card_issue == CARD_ISSUE_APPLICATION)
        fprintf(stderr, "kaigo print: 保険者 %s は被保険者証を%sするため、認定または申請のある人だけを印刷します"
                        "(kaigo insurer set-policy)\n", insurer, card_issue_name(ins.card_issue));
    struct actor a;
    cli_actor(&a);
    char rid[REQUEST_ID_BYTES];
    cli_request_id(rid);
    long long shown, denied;
    enum disclose_status s = disclose_insurer_cards(st, aq, &a, PURPOSE_ADMIN, insurer, since, on, rid,
                                                    clock_now_ms(), want, one, &b, &b.total, &shown, &denied);
    /* b.total is known only after the listing; the progress lines use it from the first part on */
    if (s == DISCLOSE_OK && !b.failed && (submit(&b) || settle(&b, 0)))
        b.failed = 1;
    drawers_stop(&b);
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
        if (b.printed == 0 && b.ndone > 0) /* a re-run of a finished batch (issue #15) */
            fprintf(stderr, "kaigo print: この一括印刷は前回までに終わっています(%zu 人、一覧 %s)。"
                            "もう一度印刷するときは、別の出力ファイル名で実行してください(新しい番号で交付されます)\n",
                    b.ndone, mpath);
    }
    fclose(b.manifest);
    sodium_memzero(b.sk, sizeof b.sk);
    store_close(b.wst);
    free(b.done);
    return rc;
}
