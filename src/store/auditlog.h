/* auditlog.h - the audit log's logic, once for every backend (issue #22): per-insurer
 * sequence numbers without gaps, canonical entries and their leaf hashes, the Merkle tree's
 * right edge kept per insurer and caught up when another process or node appended, signed
 * checkpoints in the same transaction as the entries they cover, block roots, and the
 * readers verify uses. Written over the narrow driver (store/db.h); a backend gives the
 * connection and its SQL for the statements below (sqlite.c: sqlite_auditlog_sql).
 *
 * Ownership: an auditlog belongs to one connection and one thread, as the connection does;
 * auditlog_free zeroes the signing key. Failure: -1 with the driver's message recorded (the
 * store's errmsg); an append that fails leaves nothing of its batch (one transaction) and the
 * kept tree state unchanged. */
#ifndef KAIGO_STORE_AUDITLOG_H
#define KAIGO_STORE_AUDITLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/audit.h"
#include "store/db.h"
#include "store/store.h"

/* The statements, by id: each backend's table gives their SQL in its dialect. */
enum auditlog_stmt {
    AL_LOCK,          /* (insurer): holds the insurer's log for this transaction where log_begin does not
                       * (PostgreSQL: a row lock); no SQL = nothing to do (SQLite: the file's lock) */
    AL_HEAD,          /* (insurer) → seq of the newest entry; no row for an empty log */
    AL_INSERT,        /* (insurer, seq, entry, leaf_hash) */
    AL_LEAVES_FROM,   /* (insurer, after seq) → seq, leaf_hash in order */
    AL_ITER_FROM,     /* (insurer, from seq, limit) → seq, entry, leaf_hash in order */
    AL_BLOCK_INSERT,  /* (insurer, blk, root) */
    AL_BLOCK_LIST,    /* (insurer) → blk, root in order */
    AL_CKPT_INSERT,   /* (insurer, size, root, time, signature, frontier); a size already signed is kept */
    AL_CKPT_LAST_TIME, /* (insurer) → time_ms of the largest checkpoint */
    AL_CKPT_FRONTIER, /* (insurer, at most size) → size, frontier of the largest such checkpoint */
    AL_CKPT_LIST,     /* (insurer) → size, root, time_ms, signature in order of size */
    AL_INSERT_MANY,   /* AL_MANY rows of AL_INSERT's four parameters in one statement; no SQL = one
                       * row a statement (SQLite: no round trip to save) */
    AL_COUNT
};

#define AL_MANY 8 /* rows of AL_INSERT_MANY: a batch of 64 entries is 8 round trips, not 64 */

struct auditlog;

struct auditlog *auditlog_new(struct db *db, const char *const sql[AL_COUNT]);
void auditlog_free(struct auditlog *L);
/* auditlog_set_signer - from now on each append also signs checkpoints (the key is copied) */
void auditlog_set_signer(struct auditlog *L, const unsigned char sk[AUDIT_SK_BYTES]);
bool auditlog_can_sign(const struct auditlog *L);
/* auditlog_append - entries e[0..n) in one transaction, their seq set; *clock_back_ms is how
 * far the clock went back since this log's previous append (0 if it did not: the caller
 * records the step, security.md P12). */
int auditlog_append(struct auditlog *L, struct audit_entry *e, size_t n, int64_t *clock_back_ms);
/* auditlog_checkpoint_all - a checkpoint for every insurer this connection appended to whose
 * entries are not all covered (a clean stop signs the tail). */
int auditlog_checkpoint_all(struct auditlog *L);
int auditlog_head(struct auditlog *L, const char *insurer, int64_t *seq);
int auditlog_checkpoints(struct auditlog *L, const char *insurer, store_checkpoint_fn *fn, void *ctx);
int auditlog_entries_from(struct auditlog *L, const char *insurer, int64_t from, int64_t limit,
                          store_audit_raw_fn *fn, void *ctx);
int auditlog_blocks(struct auditlog *L, const char *insurer,
                    int (*fn)(void *ctx, int64_t blk, const unsigned char root[AUDIT_HASH_BYTES]), void *ctx);

/* The store_ops members over st->log, for every backend (AUDITLOG_OPS fills them in a backend's
 * table). al_append records a step back of the clock as a security event after the commit
 * (security.md P12). */
int al_append(struct store *st, struct audit_entry *e, size_t n);
int al_set_signer(struct store *st, const unsigned char sk[AUDIT_SK_BYTES]);
int al_checkpoint_all(struct store *st);
int al_checkpoints(struct store *st, const char *insurer, store_checkpoint_fn *fn, void *ctx);
int al_entries_from(struct store *st, const char *insurer, int64_t from, int64_t limit, store_audit_raw_fn *fn,
                    void *ctx);
int al_blocks(struct store *st, const char *insurer,
              int (*fn)(void *ctx, int64_t blk, const unsigned char root[AUDIT_HASH_BYTES]), void *ctx);
int al_head_seq(struct store *st, const char *insurer, int64_t *seq);

#define AUDITLOG_OPS                                                                                \
    .audit_append = al_append, .audit_set_signer = al_set_signer, .audit_checkpoint_all = al_checkpoint_all, \
    .audit_checkpoints = al_checkpoints, .audit_entries_from = al_entries_from, .audit_blocks = al_blocks,   \
    .audit_head_seq = al_head_seq

#endif
