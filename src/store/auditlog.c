/* auditlog.c - the audit log's logic over the narrow driver; see auditlog.h. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/merkle.h"
#include "store/auditlog.h"
#include "util/date.h"
#include "util/log.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define AUDIT_CKPT_ENTRIES 1000 /* a checkpoint at least every … entries per insurer */
#define AUDIT_CKPT_MS 1000      /* … or every second with new entries */
#define CLOCK_AHEAD_WARN_MS 1000 /* a stored checkpoint this far ahead of our clock is logged */

/* The right edge of each insurer's Merkle tree, kept by the appending connection; caught up
 * from the log when another process appended. */
struct tree_state {
    char insurer_no[INSURER_NO_LEN + 1];
    struct merkle_frontier f;
    int64_t ckpt_size; /* entries covered by the last checkpoint written here */
    int64_t ckpt_ms;
    /* the block being filled: entries blk_base+1 .. blk_base+blk.size */
    int64_t blk_base;
    struct merkle_frontier blk;
};

struct auditlog {
    struct db *db;
    const char *const *sql;
    struct db_stmt *stmt[AL_COUNT];
    bool can_sign;
    unsigned char sk[AUDIT_SK_BYTES];
    int64_t last_now_ms; /* the previous clock reading (P12: steps back) */
    struct tree_state *trees;
    size_t ntrees;
    /* rows waiting for one AL_INSERT_MANY (its parameters point here until it is stepped) */
    struct pending_row {
        char insurer_no[INSURER_NO_LEN + 1];
        int64_t seq;
        size_t len;
        unsigned char canon[AUDIT_CANON_MAX];
        unsigned char leaf[AUDIT_HASH_BYTES];
    } *pending;
    size_t npending;
};

struct auditlog *auditlog_new(struct db *db, const char *const sql[AL_COUNT])
{
    struct auditlog *L = xcalloc(1, sizeof *L);
    L->db = db;
    L->sql = sql;
    return L;
}

void auditlog_free(struct auditlog *L)
{
    if (!L)
        return;
    /* the statements belong to the connection, which finalizes them */
    sodium_memzero(L->sk, sizeof L->sk);
    free(L->trees);
    free(L->pending);
    free(L);
}

void auditlog_set_signer(struct auditlog *L, const unsigned char sk[AUDIT_SK_BYTES])
{
    memcpy(L->sk, sk, AUDIT_SK_BYTES);
    L->can_sign = true;
}

bool auditlog_can_sign(const struct auditlog *L)
{
    return L->can_sign;
}

static struct db_stmt *stmt(struct auditlog *L, enum auditlog_stmt id)
{
    return db_cached(L->db, &L->stmt[id], L->sql[id]);
}

int auditlog_head(struct auditlog *L, const char *insurer, int64_t *seq)
{
    struct db *d = L->db;
    struct db_stmt *q = stmt(L, AL_HEAD);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, insurer);
    int rc = db_step(d, q);
    if (rc == DB_DONE) {
        *seq = 0;
        db_reset(d, q);
        return 0;
    }
    if (rc != DB_ROW)
        return db_fail(d, "audit head");
    *seq = db_col_int64(d, q, 0);
    db_reset(d, q);
    return 0;
}

/* lock_log - the insurer's log held for this transaction before its head is read, where
 * log_begin alone does not hold it (several nodes on one PostgreSQL) */
static int lock_log(struct auditlog *L, const char *insurer)
{
    if (!L->sql[AL_LOCK])
        return 0;
    struct db *d = L->db;
    struct db_stmt *q = stmt(L, AL_LOCK);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, insurer);
    int rc = db_step(d, q);
    db_reset(d, q);
    return rc == DB_DONE ? 0 : db_fail(d, "audit lock");
}

static struct tree_state *tree_for(struct auditlog *L, const char *insurer)
{
    for (size_t i = 0; i < L->ntrees; i++)
        if (strcmp(L->trees[i].insurer_no, insurer) == 0)
            return &L->trees[i];
    L->trees = xrealloc(L->trees, size_mul(L->ntrees + 1, sizeof *L->trees));
    struct tree_state *t = &L->trees[L->ntrees++];
    memset(t, 0, sizeof *t);
    str_cut(t->insurer_no, sizeof t->insurer_no, insurer);
    merkle_frontier_init(&t->f);
    return t;
}

/* The frontier as stored: the subtree roots of the set bits of size, lowest first. */
static size_t frontier_pack(const struct merkle_frontier *f, unsigned char *out)
{
    size_t n = 0;
    for (int level = 0; level < MERKLE_MAX_PROOF; level++)
        if ((f->size >> level) & 1)
            memcpy(out + AUDIT_HASH_BYTES * n++, f->node[level], AUDIT_HASH_BYTES);
    return n * AUDIT_HASH_BYTES;
}

static bool frontier_unpack(struct merkle_frontier *f, uint64_t size, const unsigned char *p, size_t len)
{
    merkle_frontier_init(f);
    size_t n = 0;
    for (int level = 0; level < MERKLE_MAX_PROOF; level++)
        if ((size >> level) & 1) {
            if ((n + 1) * AUDIT_HASH_BYTES > len)
                return false;
            memcpy(f->node[level], p + AUDIT_HASH_BYTES * n++, AUDIT_HASH_BYTES);
        }
    if (n * AUDIT_HASH_BYTES != len)
        return false;
    f->size = size;
    return true;
}

/* append_leaves - appends to f, which covers entries base+1 .. base+f->size,
 * every stored leaf after them, in order (a gap is an error). */
static int append_leaves(struct auditlog *L, const char *insurer, int64_t base, struct merkle_frontier *f)
{
    struct db *d = L->db;
    struct db_stmt *q = stmt(L, AL_LEAVES_FROM);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, insurer);
    db_bind_int64(d, q, 2, base + (int64_t)f->size);
    int rc;
    while ((rc = db_step(d, q)) == DB_ROW) {
        if (db_col_int64(d, q, 0) != base + (int64_t)f->size + 1 || db_col_bytes(d, q, 1) != AUDIT_HASH_BYTES) {
            db_reset(d, q);
            char msg[128];
            snprintf(msg, sizeof msg, "audit log %s: gap at seq %lld", insurer,
                     (long long)(base + (int64_t)f->size + 1));
            d->drv->set_error(d, msg);
            return -1;
        }
        merkle_frontier_append(f, db_col_blob(d, q, 1));
    }
    db_reset(d, q);
    return rc == DB_DONE ? 0 : db_fail(d, "audit catch-up");
}

/* catch_up - extends frontier f (covering f->size entries) to the log's head:
 * from the newest stored checkpoint when starting cold, then leaf by leaf. (A
 * stored frontier that was tampered with gives wrong roots, which verify finds.) */
static int catch_up(struct auditlog *L, const char *insurer, struct merkle_frontier *f, int64_t head)
{
    struct db *d = L->db;
    if ((int64_t)f->size > head)
        merkle_frontier_init(f); /* the log is shorter than we knew: rebuild */
    if ((int64_t)f->size == head)
        return 0;
    if (f->size == 0) {
        struct db_stmt *c = stmt(L, AL_CKPT_FRONTIER);
        if (!c)
            return -1;
        db_bind_text(d, c, 1, insurer);
        db_bind_int64(d, c, 2, head);
        if (db_step(d, c) == DB_ROW &&
            !frontier_unpack(f, (uint64_t)db_col_int64(d, c, 0), db_col_blob(d, c, 1), db_col_bytes(d, c, 1)))
            merkle_frontier_init(f); /* unusable: reread the log */
        db_reset(d, c);
    }
    return append_leaves(L, insurer, 0, f);
}

static int write_checkpoint(struct auditlog *L, const char *insurer, const struct merkle_frontier *f, int64_t now)
{
    struct db *d = L->db;
    struct audit_checkpoint c;
    memset(&c, 0, sizeof c);
    str_cut(c.insurer_no, sizeof c.insurer_no, insurer);
    c.size = (int64_t)f->size;
    c.time_ms = now;
    /* Checkpoint times never go backwards (RFC 9162 verifiers reject that): after a
     * backward clock step the previous time is kept, and the step is reported. */
    struct db_stmt *lt = stmt(L, AL_CKPT_LAST_TIME);
    if (!lt)
        return -1;
    db_bind_text(d, lt, 1, insurer);
    if (db_step(d, lt) == DB_ROW && db_col_int64(d, lt, 0) > now) {
        c.time_ms = db_col_int64(d, lt, 0);
        /* another writer's clock may run a little ahead (nodes agree by NTP to a few ms); a
         * second or more is a step worth a word */
        if (c.time_ms - now >= CLOCK_AHEAD_WARN_MS)
            warn("audit %s: the log's last checkpoint is %lld ms ahead of this clock; its time is kept", insurer,
                 (long long)(c.time_ms - now));
    }
    db_reset(d, lt);
    merkle_frontier_root(f, c.root);
    audit_checkpoint_sign(&c, L->sk);
    struct db_stmt *q = stmt(L, AL_CKPT_INSERT);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, c.insurer_no);
    db_bind_int64(d, q, 2, c.size);
    db_bind_blob(d, q, 3, c.root, AUDIT_HASH_BYTES);
    db_bind_int64(d, q, 4, c.time_ms);
    db_bind_blob(d, q, 5, c.sig, AUDIT_SIG_BYTES);
    unsigned char packed[MERKLE_MAX_PROOF * AUDIT_HASH_BYTES];
    db_bind_blob(d, q, 6, packed, frontier_pack(f, packed));
    if (db_step(d, q) != DB_DONE)
        return db_fail(d, "checkpoint insert");
    return 0;
}

/* block_catch_up - the block being filled (entries *base+1 .. *base+blk->size)
 * brought to the log's head: kept if it already ends there (this connection
 * wrote the last entries), else rebuilt from the stored leaves of the head's
 * block (fewer than AUDIT_BLOCK; another process wrote, or a cold start). */
static int block_catch_up(struct auditlog *L, const char *insurer, int64_t *base, struct merkle_frontier *blk,
                          int64_t head)
{
    if (*base + (int64_t)blk->size == head && (int64_t)blk->size < AUDIT_BLOCK)
        return 0;
    *base = head / AUDIT_BLOCK * AUDIT_BLOCK; /* the log is read inside the write lock: */
    merkle_frontier_init(blk);                /* fewer than AUDIT_BLOCK leaves follow */
    return append_leaves(L, insurer, *base, blk);
}

static int block_insert(struct auditlog *L, const char *insurer, int64_t blk,
                        const unsigned char root[AUDIT_HASH_BYTES])
{
    struct db *d = L->db;
    struct db_stmt *q = stmt(L, AL_BLOCK_INSERT);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, insurer);
    db_bind_int64(d, q, 2, blk);
    db_bind_blob(d, q, 3, root, AUDIT_HASH_BYTES);
    int rc = db_step(d, q);
    db_reset(d, q);
    return rc == DB_DONE ? 0 : db_fail(d, "audit block");
}

/* insert_one - one entry by AL_INSERT */
static int insert_one(struct auditlog *L, const char *insurer, int64_t seq, const unsigned char *canon, size_t len,
                      const unsigned char *leaf)
{
    struct db *d = L->db;
    struct db_stmt *q = stmt(L, AL_INSERT);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, insurer);
    db_bind_int64(d, q, 2, seq);
    db_bind_blob(d, q, 3, canon, len);
    db_bind_blob(d, q, 4, leaf, AUDIT_HASH_BYTES);
    if (db_step(d, q) != DB_DONE)
        return db_fail(d, "audit insert");
    return 0;
}

/* flush_rows - the rows waiting: AL_MANY of them by one AL_INSERT_MANY, fewer one by one */
static int flush_rows(struct auditlog *L)
{
    struct db *d = L->db;
    size_t n = L->npending;
    L->npending = 0;
    if (n < AL_MANY) {
        for (size_t r = 0; r < n; r++) {
            struct pending_row *p = &L->pending[r];
            if (insert_one(L, p->insurer_no, p->seq, p->canon, p->len, p->leaf))
                return -1;
        }
        return 0;
    }
    struct db_stmt *q = stmt(L, AL_INSERT_MANY);
    if (!q)
        return -1;
    for (size_t r = 0; r < AL_MANY; r++) { /* the rows stay put until the next insert_row */
        struct pending_row *p = &L->pending[r];
        int b = (int)(4 * r);
        db_bind_text(d, q, b + 1, p->insurer_no);
        db_bind_int64(d, q, b + 2, p->seq);
        db_bind_blob(d, q, b + 3, p->canon, p->len);
        db_bind_blob(d, q, b + 4, p->leaf, AUDIT_HASH_BYTES);
    }
    if (db_step(d, q) != DB_DONE)
        return db_fail(d, "audit insert");
    return 0;
}

/* insert_row - one entry into the log: at once where the dialect has no AL_INSERT_MANY (SQLite),
 * else kept until AL_MANY wait and inserted by one statement (a round trip each on PostgreSQL);
 * flush_rows inserts the rest before the batch's checkpoints and commit. */
static int insert_row(struct auditlog *L, const char *insurer, int64_t seq, const unsigned char *canon, size_t len,
                      const unsigned char leaf[AUDIT_HASH_BYTES])
{
    if (!L->sql[AL_INSERT_MANY])
        return insert_one(L, insurer, seq, canon, len, leaf);
    if (!L->pending)
        L->pending = xcalloc(AL_MANY, sizeof *L->pending);
    struct pending_row *p = &L->pending[L->npending++];
    str_cut(p->insurer_no, sizeof p->insurer_no, insurer);
    p->seq = seq;
    p->len = len;
    memcpy(p->canon, canon, len);
    memcpy(p->leaf, leaf, AUDIT_HASH_BYTES);
    return L->npending == AL_MANY ? flush_rows(L) : 0;
}

int auditlog_append(struct auditlog *L, struct audit_entry *e, size_t n, int64_t *clock_back_ms)
{
    struct db *d = L->db;
    *clock_back_ms = 0;
    /* The head of each insurer's log is read once per batch, inside the write
     * transaction, so two processes appending to one log serialise correctly. */
    struct head {
        char insurer_no[INSURER_NO_LEN + 1];
        int64_t seq;
        struct merkle_frontier f; /* working copy; kept only if the commit succeeds */
        bool ckpt;                /* a checkpoint was written for it in this batch */
        int64_t blk_base;         /* working copies of the block being filled */
        struct merkle_frontier blk;
    } *heads = xcalloc(8, sizeof *heads);
    size_t nheads = 0, cap = 8;
    if (d->drv->log_begin(d)) {
        free(heads);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char leaf[AUDIT_HASH_BYTES];
        unsigned char canon[AUDIT_CANON_MAX];
        struct head *h = NULL;
        for (size_t k = 0; k < nheads && !h; k++)
            if (strcmp(heads[k].insurer_no, e[i].insurer_no) == 0)
                h = &heads[k];
        if (!h) {
            if (nheads == cap) {
                cap *= 2;
                heads = xrealloc(heads, size_mul(cap, sizeof *heads));
            }
            h = &heads[nheads++];
            str_cut(h->insurer_no, sizeof h->insurer_no, e[i].insurer_no);
            if (lock_log(L, h->insurer_no) || auditlog_head(L, h->insurer_no, &h->seq))
                goto fail;
            struct tree_state *t = tree_for(L, h->insurer_no);
            h->blk_base = t->blk_base;
            h->blk = t->blk;
            if (block_catch_up(L, h->insurer_no, &h->blk_base, &h->blk, h->seq))
                goto fail;
            if (L->can_sign) {
                h->f = tree_for(L, h->insurer_no)->f;
                if (catch_up(L, h->insurer_no, &h->f, h->seq))
                    goto fail;
            }
        }
        e[i].seq = h->seq + 1;
        size_t len = audit_canonical(&e[i], canon);
        audit_leaf_hash(canon, len, leaf);
        if (insert_row(L, e[i].insurer_no, e[i].seq, canon, len, leaf))
            goto fail;
        h->seq = e[i].seq;
        if (L->can_sign)
            merkle_frontier_append(&h->f, leaf);
        merkle_frontier_append(&h->blk, leaf);
        if ((int64_t)h->blk.size == AUDIT_BLOCK) { /* a complete block: its root is the top node */
            if (block_insert(L, h->insurer_no, h->blk_base / AUDIT_BLOCK, h->blk.node[AUDIT_BLOCK_BITS]))
                goto fail;
            h->blk_base += AUDIT_BLOCK;
            merkle_frontier_init(&h->blk);
        }
    }
    if (flush_rows(L))
        goto fail;
    /* Read the clock once every log of the batch is held (SQLite holds the file from log_begin;
     * PostgreSQL each insurer's row from its first entry): checkpoint times then follow commit
     * order. Read earlier, a node that waited for another's lock stamped an older time. */
    int64_t now = clock_now_ms();
    /* security.md P12: a clock that steps back changes no order (entries are
     * ordered by seq) but is recorded as a security event after the commit */
    int64_t back = L->last_now_ms > now ? L->last_now_ms - now : 0;
    /* Signed tree heads, in the same transaction as the entries they cover. */
    for (size_t k = 0; L->can_sign && k < nheads; k++) {
        struct tree_state *t = tree_for(L, heads[k].insurer_no);
        if (t->ckpt_ms == 0 || (int64_t)heads[k].f.size - t->ckpt_size >= AUDIT_CKPT_ENTRIES ||
            now - t->ckpt_ms >= AUDIT_CKPT_MS) {
            if (write_checkpoint(L, heads[k].insurer_no, &heads[k].f, now))
                goto fail;
            heads[k].ckpt = true;
        }
    }
    if (d->drv->commit(d))
        goto fail;
    L->last_now_ms = now; /* the latest reading, so one step is one event */
    *clock_back_ms = n > 0 ? back : 0;
    for (size_t k = 0; k < nheads; k++) {
        struct tree_state *t = tree_for(L, heads[k].insurer_no);
        t->blk_base = heads[k].blk_base;
        t->blk = heads[k].blk;
        if (!L->can_sign)
            continue;
        t->f = heads[k].f;
        if (heads[k].ckpt) {
            t->ckpt_size = (int64_t)heads[k].f.size;
            t->ckpt_ms = now;
        }
    }
    free(heads);
    return 0;
fail:
    L->npending = 0;
    d->drv->rollback(d);
    free(heads);
    return -1;
}

int auditlog_checkpoint_all(struct auditlog *L)
{
    struct db *d = L->db;
    if (!L->can_sign)
        return 0;
    if (d->drv->log_begin(d))
        return -1;
    int64_t now = clock_now_ms();
    for (size_t i = 0; i < L->ntrees; i++) {
        struct tree_state *t = &L->trees[i];
        int64_t head;
        if (lock_log(L, t->insurer_no) || auditlog_head(L, t->insurer_no, &head) ||
            catch_up(L, t->insurer_no, &t->f, head))
            goto fail;
        if ((int64_t)t->f.size > t->ckpt_size && write_checkpoint(L, t->insurer_no, &t->f, now))
            goto fail;
    }
    if (d->drv->commit(d))
        goto fail;
    for (size_t i = 0; i < L->ntrees; i++) {
        L->trees[i].ckpt_size = (int64_t)L->trees[i].f.size;
        L->trees[i].ckpt_ms = now;
    }
    return 0;
fail:
    d->drv->rollback(d);
    return -1;
}

int auditlog_checkpoints(struct auditlog *L, const char *insurer, store_checkpoint_fn *fn, void *ctx)
{
    struct db *d = L->db;
    struct db_stmt *q = stmt(L, AL_CKPT_LIST);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, insurer);
    int rc;
    while ((rc = db_step(d, q)) == DB_ROW) {
        struct audit_checkpoint c;
        memset(&c, 0, sizeof c);
        str_cut(c.insurer_no, sizeof c.insurer_no, insurer);
        c.size = db_col_int64(d, q, 0);
        if (db_col_bytes(d, q, 1) == AUDIT_HASH_BYTES)
            memcpy(c.root, db_col_blob(d, q, 1), AUDIT_HASH_BYTES);
        c.time_ms = db_col_int64(d, q, 2);
        if (db_col_bytes(d, q, 3) == AUDIT_SIG_BYTES)
            memcpy(c.sig, db_col_blob(d, q, 3), AUDIT_SIG_BYTES);
        if (fn(ctx, &c))
            break;
    }
    db_reset(d, q);
    return rc == DB_DONE || rc == DB_ROW ? 0 : db_fail(d, "audit checkpoints");
}

int auditlog_entries_from(struct auditlog *L, const char *insurer, int64_t from, int64_t limit,
                          store_audit_raw_fn *fn, void *ctx)
{
    struct db *d = L->db;
    struct db_stmt *q = stmt(L, AL_ITER_FROM);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, insurer);
    db_bind_int64(d, q, 2, from);
    db_bind_int64(d, q, 3, limit);
    static const unsigned char zero[AUDIT_HASH_BYTES];
    int rc;
    while ((rc = db_step(d, q)) == DB_ROW) {
        const unsigned char *entry = db_col_blob(d, q, 1);
        size_t n = db_col_bytes(d, q, 1);
        const unsigned char *leaf = db_col_bytes(d, q, 2) == AUDIT_HASH_BYTES ? db_col_blob(d, q, 2) : zero;
        if (fn(ctx, db_col_int64(d, q, 0), entry ? entry : zero, entry ? n : 0, leaf))
            break;
    }
    db_reset(d, q);
    return rc == DB_ROW || rc == DB_DONE ? 0 : db_fail(d, "audit_entries");
}

int auditlog_blocks(struct auditlog *L, const char *insurer,
                    int (*fn)(void *ctx, int64_t blk, const unsigned char root[AUDIT_HASH_BYTES]), void *ctx)
{
    struct db *d = L->db;
    struct db_stmt *q = stmt(L, AL_BLOCK_LIST);
    if (!q)
        return -1;
    db_bind_text(d, q, 1, insurer);
    static const unsigned char zero[AUDIT_HASH_BYTES];
    int rc;
    while ((rc = db_step(d, q)) == DB_ROW) {
        const unsigned char *root = db_col_bytes(d, q, 1) == AUDIT_HASH_BYTES ? db_col_blob(d, q, 1) : zero;
        if (fn(ctx, db_col_int64(d, q, 0), root))
            break;
    }
    db_reset(d, q);
    return rc == DB_ROW || rc == DB_DONE ? 0 : db_fail(d, "audit blocks");
}

/* ---- the store_ops members (AUDITLOG_OPS) ------------------------------------------------------ */

int al_append(struct store *st, struct audit_entry *e, size_t n)
{
    int64_t back;
    if (auditlog_append(st->log, e, n, &back))
        return -1;
    if (back > 0) { /* security.md P12: recorded after the commit */
        char detail[96];
        snprintf(detail, sizeof detail, "the clock went back %lld ms (audit %s seq %lld)", (long long)back,
                 e[n - 1].insurer_no, (long long)e[n - 1].seq);
        warn("audit: %s", detail);
        if (st->acc->security_event(st, clock_now_ms(), "clock_step", "audit", "", detail))
            warn("audit: the clock step could not be recorded: %s", store_errmsg(st));
    }
    return 0;
}

int al_set_signer(struct store *st, const unsigned char sk[AUDIT_SK_BYTES])
{
    auditlog_set_signer(st->log, sk);
    return 0;
}

int al_checkpoint_all(struct store *st)
{
    return auditlog_checkpoint_all(st->log);
}

int al_checkpoints(struct store *st, const char *insurer, store_checkpoint_fn *fn, void *ctx)
{
    return auditlog_checkpoints(st->log, insurer, fn, ctx);
}

int al_entries_from(struct store *st, const char *insurer, int64_t from, int64_t limit, store_audit_raw_fn *fn,
                    void *ctx)
{
    return auditlog_entries_from(st->log, insurer, from, limit, fn, ctx);
}

int al_blocks(struct store *st, const char *insurer,
              int (*fn)(void *ctx, int64_t blk, const unsigned char root[AUDIT_HASH_BYTES]), void *ctx)
{
    return auditlog_blocks(st->log, insurer, fn, ctx);
}

int al_head_seq(struct store *st, const char *insurer, int64_t *seq)
{
    return auditlog_head(st->log, insurer, seq);
}
