/* auditq.c - group-commit audit writer; see auditq.h. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <unistd.h>
#include <stdbool.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <time.h>

#include "audit/auditq.h"
#include "store/health.h"
#include "store/keyfile.h"
#include "store/store.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct auditq {
    pthread_mutex_t mu;
    pthread_cond_t work; /* writer waits for entries */
    pthread_cond_t done; /* blocking appenders wait for their batch */
    struct auditq_ticket **queue;
    size_t n, cap;
    bool closed;
    bool joined;
    bool delaying;     /* the writer is waiting for a batch to fill */
    size_t last_batch; /* entries in the previous batch */
    size_t fill;       /* a delaying writer commits once this many are queued */
    pthread_t thread;
    struct store *st;
    unsigned long long batches, entries;
    struct auditq_metrics m; /* under mu */
    /* the checkpointer: its own connection, so that copying the WAL back into
     * the audit file (and its fsync) never stalls a commit */
    pthread_t ckpt_thread;
    pthread_cond_t ckpt_wake;
    struct store *ckpt_st;
    unsigned long long since_ckpt;
    bool ckpt_stop;
};

#define CKPT_EVERY_ENTRIES 1024 /* ≈ 300 KiB of WAL: small checkpoints keep fsyncs short */
#define CKPT_IDLE_MS 1000
#define CKPT_NICE 5

static void *checkpointer(void *arg)
{
    struct auditq *q = arg;
    /* background work (WAL copy-back, person index epochs): a lower priority than
     * the request threads and the writer, so it smooths out instead of stalling them */
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), CKPT_NICE))
        warn("audit checkpointer: setpriority: %s", strerror(errno));
    pthread_mutex_lock(&q->mu);
    while (!q->ckpt_stop) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += CKPT_IDLE_MS / 1000;
        if (q->since_ckpt < CKPT_EVERY_ENTRIES)
            pthread_cond_timedwait(&q->ckpt_wake, &q->mu, &until);
        if (q->ckpt_stop)
            break;
        if (q->since_ckpt == 0)
            continue;
        q->since_ckpt = 0;
        pthread_mutex_unlock(&q->mu);
        if (q->ckpt_st->ops->audit_checkpoint(q->ckpt_st, false) < 0)
            warn("audit checkpoint: %s", store_errmsg(q->ckpt_st));
        /* the person index follows the log in whole epochs, off the commit path */
        if (q->ckpt_st->ops->audit_index(q->ckpt_st))
            warn("audit person index: %s", store_errmsg(q->ckpt_st));
        q->ckpt_st->ops->settle(q->ckpt_st); /* never hold the log's lock after a failure */
        pthread_mutex_lock(&q->mu);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

const double auditq_commit_bounds_s[AUDITQ_COMMIT_BUCKETS - 1] = {
    0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0};

/* note_batch - the metrics of one batch (under mu) */
static void note_batch(struct auditq_metrics *mt, size_t n, double took, bool ok)
{
    mt->failing = !ok;
    if (!ok) {
        mt->failures++;
        return;
    }
    mt->batches++;
    mt->entries += n;
    size_t b = 0;
    while (b < AUDITQ_SIZE_BUCKETS - 1 && n > ((size_t)1 << b))
        b++;
    mt->size_hist[b]++;
    size_t c = 0;
    while (c < AUDITQ_COMMIT_BUCKETS - 1 && took > auditq_commit_bounds_s[c])
        c++;
    mt->commit_hist[c]++;
    mt->commit_sum_s += took;
}

void auditq_metrics(struct auditq *q, struct auditq_metrics *out)
{
    pthread_mutex_lock(&q->mu);
    *out = q->m;
    out->depth = q->n;
    pthread_mutex_unlock(&q->mu);
    /* cumulative, as Prometheus reads a histogram */
    for (size_t i = 1; i < AUDITQ_SIZE_BUCKETS; i++)
        out->size_hist[i] += out->size_hist[i - 1];
    for (size_t i = 1; i < AUDITQ_COMMIT_BUCKETS; i++)
        out->commit_hist[i] += out->commit_hist[i - 1];
}

static void *writer(void *arg)
{
    struct auditq *q = arg;
    struct auditq_ticket *batch[AUDITQ_BATCH_MAX];
    struct audit_entry *ents = xcalloc(AUDITQ_BATCH_MAX, sizeof *ents);
    for (;;) {
        pthread_mutex_lock(&q->mu);
        while (q->n == 0 && !q->closed)
            pthread_cond_wait(&q->work, &q->mu);
        if (q->n == 0 && q->closed) {
            pthread_mutex_unlock(&q->mu);
            break;
        }
        /* Commit delay: when the last batch was busy, wait a little for more
         * entries so that one fsync serves more of them (fewer syncs and thread
         * switches under load); an idle log commits at once. It waits for as many
         * as the last batch had (at most AUDITQ_BATCH_TARGET): with a steady set of
         * clients each batch is answered, comes back and fills the next, and the
         * writer does not sit out the delay for entries that cannot come (64
         * connections never make 128: issue #21, docs/benchmarks.md). */
        q->fill = q->last_batch < AUDITQ_BATCH_TARGET ? q->last_batch : AUDITQ_BATCH_TARGET;
        if (q->n < q->fill && q->last_batch > 1 && !q->closed) {
            struct timespec until;
            clock_gettime(CLOCK_MONOTONIC, &until);
            until.tv_nsec += AUDITQ_COMMIT_DELAY_US * 1000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            q->delaying = true;
            while (q->n < q->fill && !q->closed &&
                   pthread_cond_timedwait(&q->work, &q->mu, &until) == 0)
                ;
            q->delaying = false;
        }
        size_t m = q->n < AUDITQ_BATCH_MAX ? q->n : AUDITQ_BATCH_MAX;
        q->last_batch = m;
        memcpy(batch, q->queue, m * sizeof *batch);
        memmove(q->queue, q->queue + m, (q->n - m) * sizeof *q->queue);
        q->n -= m;
        pthread_mutex_unlock(&q->mu);

        for (size_t i = 0; i < m; i++)
            ents[i] = *batch[i]->entry;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int rc = q->st->ops->audit_append(q->st, ents, m);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        store_health_note(rc == 0);
        if (rc)
            q->st->ops->settle(q->st);
        if (rc)
            warn("audit append failed (%zu entries): %s", m, store_errmsg(q->st));

        pthread_mutex_lock(&q->mu);
        note_batch(&q->m, m, took, rc == 0);
        if (!rc) {
            q->batches++;
            q->entries += m;
            q->since_ckpt += m;
            if (q->since_ckpt >= CKPT_EVERY_ENTRIES)
                pthread_cond_signal(&q->ckpt_wake);
        }
        bool wake = false;
        size_t ncb = 0;
        for (size_t i = 0; i < m; i++) {
            batch[i]->entry->seq = rc ? 0 : ents[i].seq;
            batch[i]->rc = rc ? -1 : 0;
            if (batch[i]->fn)
                batch[ncb++] = batch[i]; /* keep only the asynchronous tickets */
            else {
                /* a blocking appender: its ticket lives on its stack and may be
                 * gone as soon as the lock is released; never touch it again */
                batch[i]->done = true;
                wake = true;
            }
        }
        if (wake)
            pthread_cond_broadcast(&q->done);
        pthread_mutex_unlock(&q->mu);
        /* Callbacks run outside the lock; the ticket may be freed by them. */
        for (size_t i = 0; i < ncb; i++)
            batch[i]->fn(batch[i]->ctx, batch[i]->rc);
        /* The log's size bound. The checkpointer copies the log back without
         * blocking anyone, but only a pause in appending lets the log start again
         * from its beginning, and a writer that never pauses starved any other
         * thread's attempt (t_audit_wal_bounded). So the writer itself, between two
         * batches, restarts the log once it has grown past its bound: a few ms, about
         * once per 8 MiB of log (docs/benchmarks.md). */
        int rs = q->st->ops->audit_checkpoint(q->st, true);
        if (rs < 0) {
            warn("audit checkpoint (restart): %s", store_errmsg(q->st));
            q->st->ops->settle(q->st);
        } else if (rs > 0) {
            pthread_mutex_lock(&q->mu);
            q->m.restarts++;
            pthread_mutex_unlock(&q->mu);
        }
    }
    free(ents);
    return NULL;
}

/* load_key - the log's Ed25519 signing key, <db>.audit-key (keyfile.h), created on
 * first use. Returns 0 or -1 (printed). */
static int load_key(const char *dbpath, unsigned char sk[AUDIT_SK_BYTES])
{
    char path[4096];
    if (store_side_path(dbpath, ".audit-key", path, sizeof path))
        return error("no place for the audit log's key beside the store");
    return keyfile_load(path, true, sk) ? -1 : 0;
}

struct auditq *auditq_start(const char *dbpath)
{
    unsigned char sk[AUDIT_SK_BYTES];
    if (load_key(dbpath, sk))
        return NULL;
    struct store *st = store_open(dbpath, false);
    if (!st)
        return NULL;
    st->ops->audit_set_signer(st, sk);
    sodium_memzero(sk, sizeof sk);
    struct store *ck = store_open(dbpath, false);
    if (!ck || st->ops->audit_appender(st)) {
        store_close(st);
        store_close(ck);
        return NULL;
    }
    struct auditq *q = xcalloc(1, sizeof *q);
    q->st = st;
    q->ckpt_st = ck;
    pthread_mutex_init(&q->mu, NULL);
    /* timed waits on the monotonic clock: a wall-clock step back (NTP, an operator) stalled
     * every disclosure until the wall clock caught up */
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&q->work, &ca);
    pthread_cond_init(&q->done, &ca);
    pthread_cond_init(&q->ckpt_wake, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&q->thread, NULL, writer, q))
        die("audit writer: cannot start thread");
    if (pthread_create(&q->ckpt_thread, NULL, checkpointer, q))
        die("audit checkpointer: cannot start thread");
    return q;
}

/* enqueue - 0, or -1 if closed (the ticket is not queued). Called with mu held. */
static int enqueue(struct auditq *q, struct auditq_ticket *t)
{
    if (q->closed)
        return -1;
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 256;
        q->queue = xrealloc(q->queue, size_mul(q->cap, sizeof *q->queue));
    }
    t->done = false;
    t->rc = -1;
    q->queue[q->n++] = t;
    if (!q->delaying || q->n >= q->fill)
        pthread_cond_signal(&q->work);
    return 0;
}

void auditq_submit(struct auditq *q, struct auditq_ticket *t)
{
    pthread_mutex_lock(&q->mu);
    int rc = enqueue(q, t);
    pthread_mutex_unlock(&q->mu);
    if (rc)
        t->fn(t->ctx, -1);
}

int auditq_append(struct auditq *q, struct audit_entry *e)
{
    struct auditq_ticket t = {e, NULL, NULL, false, -1};
    pthread_mutex_lock(&q->mu);
    if (enqueue(q, &t)) {
        pthread_mutex_unlock(&q->mu);
        return -1;
    }
    while (!t.done)
        pthread_cond_wait(&q->done, &q->mu);
    pthread_mutex_unlock(&q->mu);
    return t.rc;
}

void auditq_stats(struct auditq *q, unsigned long long *batches, unsigned long long *entries)
{
    pthread_mutex_lock(&q->mu);
    *batches = q->batches;
    *entries = q->entries;
    pthread_mutex_unlock(&q->mu);
}

void auditq_close(struct auditq *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->mu);
    q->closed = true;
    pthread_cond_signal(&q->work);
    bool join = !q->joined;
    q->joined = true;
    pthread_mutex_unlock(&q->mu);
    if (!join)
        return;
    pthread_join(q->thread, NULL);
    pthread_mutex_lock(&q->mu);
    q->ckpt_stop = true;
    pthread_cond_signal(&q->ckpt_wake);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->ckpt_thread, NULL);
    q->ckpt_st->ops->settle(q->ckpt_st);
    q->st->ops->settle(q->st);
    /* sign the tail, so that truncation after a clean stop is detectable */
    if (q->st->ops->audit_checkpoint_all(q->st))
        warn("audit: final checkpoint failed: %s", store_errmsg(q->st));
    /* and index whatever whole epochs the run completed (short CLI runs too) */
    if (q->st->ops->audit_index(q->st))
        warn("audit: person index: %s", store_errmsg(q->st));
}

void auditq_free(struct auditq *q)
{
    if (!q)
        return;
    store_close(q->st);
    store_close(q->ckpt_st);
    pthread_cond_destroy(&q->ckpt_wake);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->work);
    pthread_cond_destroy(&q->done);
    free(q->queue);
    free(q);
}
