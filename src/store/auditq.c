/* auditq.c - group-commit audit writer; see auditq.h. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "store/auditq.h"
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
    pthread_t thread;
    struct store *st;
    unsigned long long batches, entries;
};

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
        size_t m = q->n < AUDITQ_BATCH_MAX ? q->n : AUDITQ_BATCH_MAX;
        memcpy(batch, q->queue, m * sizeof *batch);
        memmove(q->queue, q->queue + m, (q->n - m) * sizeof *q->queue);
        q->n -= m;
        pthread_mutex_unlock(&q->mu);

        for (size_t i = 0; i < m; i++)
            ents[i] = *batch[i]->entry;
        int rc = q->st->ops->audit_append(q->st, ents, m);
        if (rc)
            warn("audit append failed (%zu entries): %s", m, store_errmsg(q->st));

        pthread_mutex_lock(&q->mu);
        if (!rc) {
            q->batches++;
            q->entries += m;
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
    }
    free(ents);
    return NULL;
}

struct auditq *auditq_start(const char *dbpath)
{
    struct store *st = store_open_sqlite(dbpath, false);
    if (!st)
        return NULL;
    struct auditq *q = xcalloc(1, sizeof *q);
    q->st = st;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->work, NULL);
    pthread_cond_init(&q->done, NULL);
    if (pthread_create(&q->thread, NULL, writer, q)) {
        store_close(st);
        free(q);
        error("audit writer: cannot start thread");
        return NULL;
    }
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
    if (join)
        pthread_join(q->thread, NULL);
}

void auditq_free(struct auditq *q)
{
    if (!q)
        return;
    store_close(q->st);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->work);
    pthread_cond_destroy(&q->done);
    free(q->queue);
    free(q);
}
