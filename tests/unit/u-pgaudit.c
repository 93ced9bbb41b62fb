/* u-pgaudit.c - the shared audit log (store/auditlog.c) on PostgreSQL (store/pg/driver.c) over
 * a throw-away cluster (tests/pg/cluster.sh) with src/store/pg/schema.sql, as the application's
 * role (issue #22):
 *  - the same entries give the same log on PostgreSQL as on SQLite: sequence numbers, canonical
 *    bytes, leaf hashes, block roots and checkpoint roots, byte for byte; every checkpoint's
 *    signature verifies;
 *  - two connections appending to one insurer at once (two kaigo nodes) leave sequence numbers
 *    without gaps, and every checkpoint either wrote is the root of the leaves up to its size
 *    (each caught its tree up with what the other appended). */
#include <pthread.h>
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "domain/merkle.h"
#include "store/auditlog.h"
#include "store/pg/pg.h"
#include "store/store.h"
#include "testpg.h"

static char app_url[256];
static unsigned char sk[AUDIT_SK_BYTES], pk[AUDIT_PK_BYTES];

/* the cluster and one database with the schema (testpg.h), as the application's role */
static int group_setup(void **s)
{
    (void)s;
    if (sodium_init() < 0)
        return -1;
    crypto_sign_ed25519_keypair(pk, sk);
    return testpg_start() || testpg_fresh(app_url, sizeof app_url) ? -1 : 0;
}

static int group_teardown(void **s)
{
    (void)s;
    testpg_stop();
    return 0;
}

static void entry(struct audit_entry *e, const char *insurer, int i)
{
    memset(e, 0, sizeof *e);
    snprintf(e->insurer_no, sizeof e->insurer_no, "%s", insurer);
    snprintf(e->insured_no, sizeof e->insured_no, "%010d", 1000000000 + i % 97);
    snprintf(e->request_id, sizeof e->request_id, "%032d", i);
    snprintf(e->actor, sizeof e->actor, "user:%d", i % 5);
    e->time_ms = 1796000000000LL + i;
    e->role = ROLE_CAREMGR;
    e->category = CAT_SHIKAKU;
    e->purpose = PURPOSE_CARE;
    e->outcome = i % 11 ? OUTCOME_ALLOWED : OUTCOME_DENIED;
}

struct row {
    int64_t seq;
    size_t n;
    unsigned char entry[AUDIT_CANON_MAX], leaf[AUDIT_HASH_BYTES];
};
struct rows {
    struct row *r;
    size_t n, cap;
};

static int take_row(void *ctx, int64_t seq, const unsigned char *e, size_t n, const unsigned char *leaf)
{
    struct rows *rs = ctx;
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 1024;
        rs->r = realloc(rs->r, rs->cap * sizeof *rs->r);
    }
    struct row *r = &rs->r[rs->n++];
    r->seq = seq;
    r->n = n < sizeof r->entry ? n : sizeof r->entry;
    memcpy(r->entry, e, r->n);
    memcpy(r->leaf, leaf, AUDIT_HASH_BYTES);
    return 0;
}

struct ckpts {
    struct audit_checkpoint c[64];
    size_t n;
};
static int take_ckpt(void *ctx, const struct audit_checkpoint *c)
{
    struct ckpts *cs = ctx;
    if (cs->n < 64)
        cs->c[cs->n++] = *c;
    return 0;
}

struct blocks {
    unsigned char root[8][AUDIT_HASH_BYTES];
    size_t n;
};
static int take_block(void *ctx, int64_t blk, const unsigned char root[AUDIT_HASH_BYTES])
{
    struct blocks *b = ctx;
    if (blk == (int64_t)b->n && b->n < 8)
        memcpy(b->root[b->n++], root, AUDIT_HASH_BYTES);
    return 0;
}

/* every checkpoint's root is the root of the leaves 1..size, and its signature verifies */
static void check_ckpts(const struct ckpts *cs, const struct rows *rs)
{
    struct merkle_frontier f;
    merkle_frontier_init(&f);
    size_t k = 0;
    assert_true(cs->n > 0);
    for (size_t i = 0; i < rs->n; i++) {
        assert_int_equal(rs->r[i].seq, (int64_t)i + 1); /* no gaps */
        unsigned char leaf[AUDIT_HASH_BYTES];
        audit_leaf_hash(rs->r[i].entry, rs->r[i].n, leaf);
        assert_memory_equal(leaf, rs->r[i].leaf, AUDIT_HASH_BYTES);
        merkle_frontier_append(&f, leaf);
        for (; k < cs->n && cs->c[k].size == (int64_t)f.size; k++) {
            unsigned char root[AUDIT_HASH_BYTES];
            merkle_frontier_root(&f, root);
            assert_memory_equal(root, cs->c[k].root, AUDIT_HASH_BYTES);
            assert_true(audit_checkpoint_verify(&cs->c[k], pk));
        }
    }
    assert_int_equal(k, cs->n); /* no checkpoint past the log */
}

#define SAME_N 2500

static void t_same_as_sqlite(void **s)
{
    (void)s;
    char err[512];
    struct db *pg = pg_db_open(app_url, err, sizeof err);
    if (!pg)
        fail_msg("%s", err);
    struct auditlog *L = auditlog_new(pg, pg_auditlog_sql);
    auditlog_set_signer(L, sk);
    char path[128];
    snprintf(path, sizeof path, "%s/k.db", testpg_work);
    struct store *st = store_open_sqlite(path, false);
    assert_non_null(st);
    assert_int_equal(st->ops->audit_set_signer(st, sk), 0);
    static struct audit_entry a[SAME_N], b[SAME_N];
    for (int i = 0; i < SAME_N; i++) {
        entry(&a[i], i % 2 ? "122192" : "131016", i);
        b[i] = a[i];
    }
    for (int i = 0; i < SAME_N; i += 100) {
        int64_t back;
        if (auditlog_append(L, a + i, 100, &back))
            fail_msg("%s", pg_db_errmsg(pg));
        assert_int_equal(st->ops->audit_append(st, b + i, 100), 0);
    }
    assert_int_equal(auditlog_checkpoint_all(L), 0);
    assert_int_equal(st->ops->audit_checkpoint_all(st), 0);
    for (int i = 0; i < SAME_N; i++)
        assert_int_equal(a[i].seq, b[i].seq);
    const char *ins[] = {"122192", "131016"};
    for (size_t k = 0; k < 2; k++) {
        static struct rows rp, rq;
        rp.n = rq.n = 0;
        assert_int_equal(auditlog_entries_from(L, ins[k], 1, 100000, take_row, &rp), 0);
        assert_int_equal(st->ops->audit_entries_from(st, ins[k], 1, 100000, take_row, &rq), 0);
        assert_int_equal(rp.n, SAME_N / 2);
        assert_int_equal(rq.n, rp.n);
        for (size_t i = 0; i < rp.n; i++) {
            assert_int_equal(rp.r[i].seq, rq.r[i].seq);
            assert_int_equal(rp.r[i].n, rq.r[i].n);
            assert_memory_equal(rp.r[i].entry, rq.r[i].entry, rp.r[i].n);
            assert_memory_equal(rp.r[i].leaf, rq.r[i].leaf, AUDIT_HASH_BYTES);
        }
        struct blocks bp = {.n = 0}, bq = {.n = 0};
        assert_int_equal(auditlog_blocks(L, ins[k], take_block, &bp), 0);
        assert_int_equal(st->ops->audit_blocks(st, ins[k], take_block, &bq), 0);
        assert_int_equal(bp.n, 1); /* 1,250 entries: one whole block of 1,024 */
        assert_int_equal(bq.n, 1);
        assert_memory_equal(bp.root[0], bq.root[0], AUDIT_HASH_BYTES);
        static struct ckpts cp, cq;
        cp.n = cq.n = 0;
        assert_int_equal(auditlog_checkpoints(L, ins[k], take_ckpt, &cp), 0);
        assert_int_equal(st->ops->audit_checkpoints(st, ins[k], take_ckpt, &cq), 0);
        check_ckpts(&cp, &rp);
        check_ckpts(&cq, &rq);
        /* the tail is signed on both: the same size, the same root */
        assert_int_equal(cp.c[cp.n - 1].size, SAME_N / 2);
        assert_int_equal(cq.c[cq.n - 1].size, SAME_N / 2);
        assert_memory_equal(cp.c[cp.n - 1].root, cq.c[cq.n - 1].root, AUDIT_HASH_BYTES);
        int64_t head;
        assert_int_equal(auditlog_head(L, ins[k], &head), 0);
        assert_int_equal(head, SAME_N / 2);
        free(rp.r);
        free(rq.r);
        rp.r = rq.r = NULL;
        rp.cap = rq.cap = 0;
    }
    auditlog_free(L);
    pg_db_close(pg);
    store_close(st);
}

#define NODE_BATCHES 100
#define NODE_BATCH 10

struct node {
    int id;
    int rc;
    char err[512];
};

static void *node_main(void *arg)
{
    struct node *nd = arg;
    struct db *pg = pg_db_open(app_url, nd->err, sizeof nd->err);
    if (!pg) {
        nd->rc = -1;
        return NULL;
    }
    struct auditlog *L = auditlog_new(pg, pg_auditlog_sql);
    auditlog_set_signer(L, sk);
    for (int b = 0; b < NODE_BATCHES && !nd->rc; b++) {
        struct audit_entry e[NODE_BATCH];
        for (int i = 0; i < NODE_BATCH; i++)
            entry(&e[i], "271007", nd->id * 100000 + b * NODE_BATCH + i);
        int64_t back;
        if (auditlog_append(L, e, NODE_BATCH, &back)) {
            snprintf(nd->err, sizeof nd->err, "%s", pg_db_errmsg(pg));
            nd->rc = -1;
        }
    }
    if (!nd->rc && auditlog_checkpoint_all(L)) {
        snprintf(nd->err, sizeof nd->err, "%s", pg_db_errmsg(pg));
        nd->rc = -1;
    }
    auditlog_free(L);
    pg_db_close(pg);
    return NULL;
}

static void t_two_nodes(void **s)
{
    (void)s;
    struct node nd[2] = {{.id = 1}, {.id = 2}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, node_main, &nd[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 2; i++)
        if (nd[i].rc)
            fail_msg("node %d: %s", i + 1, nd[i].err);
    char err[512];
    struct db *pg = pg_db_open(app_url, err, sizeof err);
    assert_non_null(pg);
    struct auditlog *L = auditlog_new(pg, pg_auditlog_sql);
    static struct rows rs;
    static struct ckpts cs;
    assert_int_equal(auditlog_entries_from(L, "271007", 1, 100000, take_row, &rs), 0);
    assert_int_equal(rs.n, 2 * NODE_BATCHES * NODE_BATCH);
    assert_int_equal(auditlog_checkpoints(L, "271007", take_ckpt, &cs), 0);
    check_ckpts(&cs, &rs); /* no gaps; every root of both nodes is the root of its prefix */
    /* both nodes' entries are there, each once */
    int mine[2] = {0, 0};
    for (size_t i = 0; i < rs.n; i++) {
        struct audit_fields f;
        assert_true(audit_fields_parse(rs.r[i].entry, rs.r[i].n, &f));
        mine[f.request_id.p[26] == '1' ? 0 : 1]++;
    }
    assert_int_equal(mine[0], NODE_BATCHES * NODE_BATCH);
    assert_int_equal(mine[1], NODE_BATCHES * NODE_BATCH);
    free(rs.r);
    auditlog_free(L);
    pg_db_close(pg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_same_as_sqlite),
        cmocka_unit_test(t_two_nodes),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
