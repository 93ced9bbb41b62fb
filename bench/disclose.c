/*
 * bench/disclose.c - the disclosure pipeline without HTTP: how many audited,
 * access-checked card reads per second the gate, the store and the audit
 * writer sustain, against a baseline of plain existence reads (one indexed
 * SELECT in a read transaction) on the same connections, in the same run.
 *
 *   build/default/bench_disclose DB [SECONDS] [THREADS] [INFLIGHT]     (or: make bench-disclose)
 *
 * DB is the database of bench/http.sh (a 居宅 "bench-kyotaku" with consent
 * and a care relationship for every person). Each thread keeps INFLIGHT
 * asynchronous disclosures in flight (like connections of one HTTP worker)
 * and asks for a different person each time. Prints reads/s for both, the
 * ratio, and µs of CPU per disclosure (process CPU time / reads).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/auditq.h"
#include "service/disclose.h"
#include "util/banned.h"

struct slot {
    struct disclosure d;
    struct card card;
    atomic_int busy;
    struct worker *w;
};

struct worker {
    const char *db;
    struct auditq *aq;
    int inflight;
    double seconds;
    long persons;
    long done;
    long failed;
    unsigned id;
    bool baseline;
    /* a thread with every slot in flight sleeps until one lands (no spinning:
     * on one core a spinning loop would take the writer's time) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int landed;
};


static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void done_cb(void *ctx, enum disclose_status s)
{
    struct slot *sl = ctx;
    struct worker *w = sl->w;
    pthread_mutex_lock(&w->mu);
    atomic_store(&sl->busy, s == DISCLOSE_OK ? 0 : 2);
    w->landed++;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static char insurer[INSURER_NO_LEN + 1];

static void person(long n, long persons, struct person_key *k)
{
    char no[24];
    memset(k, 0, sizeof *k);
    memcpy(k->insurer_no, insurer, sizeof k->insurer_no);
    snprintf(no, sizeof no, "%010ld", 1000000000L + (n * 7919) % persons + 1);
    memcpy(k->insured_no, no, INSURED_NO_LEN);
}

static int first_insurer(void *ctx, const struct insurer *ins, long long persons)
{
    long *n = ctx;
    if (!insurer[0]) {
        memcpy(insurer, ins->insurer_no, sizeof insurer);
        *n = (long)persons;
    }
    return 0;
}

static void *run(void *arg)
{
    struct worker *w = arg;
    struct store *st = store_open(w->db, false);
    if (!st)
        return (void *)1;
    struct slot *slots = calloc((size_t)w->inflight, sizeof *slots);
    for (int i = 0; i < w->inflight; i++)
        slots[i].w = w;
    long n = w->id * 1000003L;
    double end = mono() + w->seconds;
    char rid[] = "bench";
    while (mono() < end) {
        if (!w->baseline) {
            pthread_mutex_lock(&w->mu);
            bool any = false;
            for (int i = 0; i < w->inflight && !any; i++)
                any = atomic_load(&slots[i].busy) != 1;
            while (!any && w->landed == 0)
                pthread_cond_wait(&w->cv, &w->mu);
            w->landed = 0;
            pthread_mutex_unlock(&w->mu);
        }
        for (int i = 0; i < w->inflight; i++) {
            struct slot *sl = &slots[i];
            int b = atomic_load(&sl->busy);
            if (b == 1)
                continue;
            if (b == 2)
                w->failed++;
            struct person_key k;
            person(n++, w->persons, &k);
            if (w->baseline) {
                if (st->ops->read_begin(st) || st->ops->person_exists(st, &k) != 1 ||
                    st->ops->read_end(st))
                    w->failed++;
                w->done++;
                continue;
            }
            memset(&sl->d, 0, sizeof sl->d);
            sl->d.rq.actor.role = ROLE_CAREMGR;
            snprintf(sl->d.rq.actor.id, sizeof sl->d.rq.actor.id, "token:1");
            snprintf(sl->d.rq.actor.org, sizeof sl->d.rq.actor.org, "bench-kyotaku");
            sl->d.rq.person = k;
            sl->d.rq.category = CAT_SHIKAKU;
            sl->d.rq.purpose = PURPOSE_CARE;
            sl->d.request_id = rid;
            sl->d.time_ms = clock_now_ms();
            sl->d.what = WHAT_CARD;
            sl->d.on = date_today();
            sl->d.card = &sl->card;
            atomic_store(&sl->busy, 1);
            disclose_async(st, w->aq, &sl->d, done_cb, sl);
            w->done++;
        }
    }
    for (int i = 0; i < w->inflight; i++) /* let the last ones land */
        while (atomic_load(&slots[i].busy) == 1) {
            struct timespec ts = {0, 100000};
            nanosleep(&ts, NULL);
        }
    free(slots);
    store_close(st);
    return NULL;
}

static double phase(const char *db, struct auditq *aq, bool baseline, double secs, int threads,
                    int inflight, long persons, long *failed, double *cpu_us)
{
    struct worker w[64];
    pthread_t t[64];
    clock_t c0 = clock();
    double t0 = mono();
    for (int i = 0; i < threads; i++) {
        w[i] = (struct worker){db, aq, inflight, secs, persons, 0, 0, (unsigned)i, baseline,
                               PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
        pthread_create(&t[i], NULL, run, &w[i]);
    }
    long total = 0;
    *failed = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        total += w[i].done;
        *failed += w[i].failed;
    }
    double el = mono() - t0;
    *cpu_us = (double)(clock() - c0) / CLOCKS_PER_SEC * 1e6 / (double)total;
    return (double)total / el;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_disclose DB [SECONDS] [THREADS] [INFLIGHT]\n");
        return 2;
    }
    const char *db = argv[1];
    double secs = argc > 2 ? strtod(argv[2], NULL) : 5;
    int threads = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 1;
    int inflight = argc > 4 ? (int)strtol(argv[4], NULL, 10) : 64;
    if (threads < 1 || threads > 64 || inflight < 1 || inflight > 4096 || secs <= 0)
        return 2;
    struct store *st = store_open(db, true);
    if (!st)
        return 3;
    long persons = 0;
    if (st->ops->insurer_list(st, first_insurer, &persons) || persons < 1) {
        fprintf(stderr, "bench_disclose: no insured persons in %s (run bench/http.sh first)\n", db);
        store_close(st);
        return 2;
    }
    store_close(st);
    struct auditq *aq = auditq_start(db);
    if (!aq)
        return 3;
    long f1, f2;
    double c1, c2;
    double base = phase(db, aq, true, secs, threads, inflight, persons, &f1, &c1);
    double disc = phase(db, aq, false, secs, threads, inflight, persons, &f2, &c2);
    unsigned long long batches, entries;
    auditq_stats(aq, &batches, &entries);
    auditq_stop(aq);
    printf("disclose: %d thread(s), %d in flight each, %.0f s per phase\n", threads, inflight, secs);
    printf("  baseline (read txn + existence)  : %9.0f reads/s  %6.1f µs CPU each  (failed %ld)\n", base, c1, f1);
    printf("  card (gate + facts + read + audit): %9.0f reads/s  %6.1f µs CPU each  (not allowed %ld)\n", disc, c2, f2);
    printf("  ratio card/baseline              : %9.2f\n", disc / base);
    printf("  audit: %llu entries in %llu group commits (%.1f per fsync)\n", entries, batches,
           batches ? (double)entries / (double)batches : 0.0);
    return f2 ? 1 : 0;
}
