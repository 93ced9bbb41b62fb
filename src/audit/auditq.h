/*
 * auditq.h - the audit writer: one thread owning one write connection, which
 * commits queued audit entries in batches (group commit, architecture.md §3).
 *
 * An entry is durable when its batch has been committed with
 * synchronous=FULL. auditq_submit() queues an entry and returns at once; the
 * ticket's callback runs exactly once, in the writer thread, after the batch
 * committed (rc 0) or failed (rc -1), or at once in the caller if the queue is
 * closed (rc -1). auditq_append() is the blocking form. One fsync serves every
 * entry queued while the previous batch was being written.
 */
#ifndef KAIGO_STORE_AUDITQ_H
#define KAIGO_STORE_AUDITQ_H

#include <stdbool.h>

#include "domain/audit.h"
#include "util/compiler.h"

#define AUDITQ_BATCH_MAX 512
#define AUDITQ_BATCH_TARGET 128     /* a busy writer waits for this many … */
#define AUDITQ_COMMIT_DELAY_US 1500 /* … or this long, before it commits */

struct auditq;

typedef void auditq_done_fn(void *ctx, int rc);

/* Caller-owned; must stay valid until the callback has run. */
struct auditq_ticket {
    struct audit_entry *entry; /* seq is set before the callback runs */
    auditq_done_fn *fn;
    void *ctx;
    /* private */
    bool done;
    int rc;
};

/* auditq_start - opens its own connection to dbpath and starts the thread;
 * NULL on failure (printed). */
struct auditq *auditq_start(const char *dbpath);
void auditq_submit(struct auditq *q, struct auditq_ticket *t) NONNULL(1, 2);
/* auditq_append - blocks until durable; 0, or -1 (then nothing may be disclosed). */
MUST_CHECK int auditq_append(struct auditq *q, struct audit_entry *e);
/* auditq_close - refuses new entries, commits what is queued (running every
 * callback), and joins the thread. auditq_free() then releases it. */
void auditq_close(struct auditq *q);
void auditq_free(struct auditq *q);
static inline void auditq_stop(struct auditq *q)
{
    if (q) {
        auditq_close(q);
        auditq_free(q);
    }
}
/* Batches committed so far and entries in them (for benchmarks and tests). */
void auditq_stats(struct auditq *q, unsigned long long *batches, unsigned long long *entries);

/* What /metrics shows of the writer: a copy taken under its lock. Histograms count
 * observations at or below each bound (the last, +Inf, is all of them). */
#define AUDITQ_SIZE_BUCKETS 11   /* entries per group commit: 1, 2, 4, … 512, +Inf */
#define AUDITQ_COMMIT_BUCKETS 12 /* a batch's commit with its fsync: 0.25 ms … 1 s, +Inf */
extern const double auditq_commit_bounds_s[AUDITQ_COMMIT_BUCKETS - 1];
struct auditq_metrics {
    unsigned long long batches, entries, failures;
    unsigned long long restarts; /* the writer paused to restart the log (its size bound) */
    size_t depth; /* entries waiting for their batch */
    bool failing; /* the last batch failed */
    unsigned long long size_hist[AUDITQ_SIZE_BUCKETS];
    unsigned long long commit_hist[AUDITQ_COMMIT_BUCKETS];
    double commit_sum_s;
};
void auditq_metrics(struct auditq *q, struct auditq_metrics *out);

#endif
