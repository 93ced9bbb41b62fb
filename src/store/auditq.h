/*
 * auditq.h - the audit writer: one thread owning one write connection, which
 * commits queued audit entries in batches (group commit, architecture.md §3).
 *
 * auditq_append() blocks until the entry's batch is committed with
 * synchronous=FULL (durable) and returns 0, or -1 if that commit failed; the
 * caller must then disclose nothing. One fsync serves every entry queued
 * while the previous batch was being written.
 */
#ifndef KAIGO_STORE_AUDITQ_H
#define KAIGO_STORE_AUDITQ_H

#include "domain/audit.h"
#include "util/compiler.h"

#define AUDITQ_BATCH_MAX 512

struct auditq;

/* auditq_start - opens its own connection to dbpath and starts the thread;
 * NULL on failure (printed). */
struct auditq *auditq_start(const char *dbpath);
/* auditq_append - sets e->seq; thread-safe. */
MUST_CHECK int auditq_append(struct auditq *q, struct audit_entry *e);
/* auditq_stop - drains the queue, joins the thread, closes. */
void auditq_stop(struct auditq *q);
/* Batches committed so far and entries in them (for benchmarks and tests). */
void auditq_stats(struct auditq *q, unsigned long long *batches, unsigned long long *entries);

#endif
