/* u-store.c - the SQLite store: versions, append-only triggers, audit numbering across connections. */
#define _GNU_SOURCE 1 /* sched_setaffinity, for the one-core WAL test */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sched.h>
#include <cmocka.h>
#include <sodium.h>

#include <sqlite3.h>

#include "domain/papertoken.h"
#include "audit/auditq.h"
#include "util/date.h"
#include "util/hooks.h"
#include "store/store.h"
#include "store/keyfile.h"
#include "testdb.h"

#define AUDIT_EPOCH_TEST 64 /* the audit-epoch test hook (util/hooks.h) for this test's index file */

static char path[256];

static int teardown(void **s);

static int setup(void **s)
{
    snprintf(path, sizeof path, "/tmp/kaigo-u-store-%d.db", (int)getpid());
    return teardown(s); /* a clean start: the database and its audit files */
}

static int teardown(void **s)
{
    (void)s;
    testdb_remove(path);
    return 0;
}

static void t_versions(void **s)
{
    (void)s;
    struct store *st = store_open_sqlite(path, false);
    assert_non_null(st);
    struct person_key k = {"122192", "0000000001"};
    int created, changed;
    long long m;
    assert_int_equal(store_insurer_ensure(st, "122192", "test", &created), 0);
    assert_int_equal(created, 1);
    assert_int_equal(store_insurer_ensure(st, "122192", "test", &created), 0);
    assert_int_equal(created, 0);
    struct insurer ins;
    assert_int_equal(st->ops->insurer_get(st, "122192", &ins), 0);
    assert_string_equal(ins.name, "市原市");
    assert_int_equal(st->ops->insurer_get(st, "271007", &ins), STORE_NOTFOUND);
    assert_int_equal(st->ops->person_exists(st, &k), 0);
    assert_int_equal(st->ops->change_begin(st, "test", "unit", &m), 0);
    assert_true(m >= 1);
    assert_int_equal(st->ops->record_put(st, &k, "insured", "", "{\"a\":1}", m, &changed), 0);
    assert_int_equal(changed, 1);
    assert_int_equal(st->ops->record_put(st, &k, "insured", "", "{\"a\":1}", m, &changed), 0);
    assert_int_equal(changed, 0);
    assert_int_equal(st->ops->record_put(st, &k, "insured", "", "{\"a\":2}", m, &changed), 0);
    assert_int_equal(changed, 1);
    assert_int_equal(st->ops->person_exists(st, &k), 1);
    char *body;
    assert_int_equal(st->ops->record_get_current(st, &k, "insured", "", &body), 0);
    assert_string_equal(body, "{\"a\":2}");
    free(body);
    /* an unknown insurer is refused by the foreign key */
    struct person_key k2 = {"271007", "0000000001"};
    assert_int_equal(st->ops->record_put(st, &k2, "insured", "", "{}", m, &changed), -1);
    store_close(st);
}

/* Read snapshots nest: an outer one holds while inner readers begin and end
 * (the server's token + gate + data in one snapshot); a commit by another
 * connection becomes visible only after the outermost end; an unmatched end
 * is an error. */
/* The current records of a person: the newest version of each (kind, rkey),
 * in key order, whatever order the versions were written in. */
struct cur_list {
    char got[512];
};

static int cur_row(void *ctx, const char *kind, const char *rkey, const char *body)
{
    struct cur_list *c = ctx;
    size_t n = strlen(c->got);
    snprintf(c->got + n, sizeof c->got - n, "%s/%s=%s;", kind, rkey, body);
    return 0;
}

static void t_current_versions(void **s)
{
    (void)s;
    struct store *st = store_open_sqlite(path, false);
    assert_non_null(st);
    struct person_key k = {"122192", "0000000003"};
    int created, changed;
    long long m;
    assert_int_equal(store_insurer_ensure(st, "122192", "test", &created), 0);
    assert_int_equal(st->ops->change_begin(st, "test", "unit", &m), 0);
    static const char *puts[][3] = {
        {"insured", "", "{\"v\":1}"},     {"certification", "2024", "{\"c\":1}"},
        {"insured", "", "{\"v\":2}"},     {"certification", "2025", "{\"c\":9}"},
        {"certification", "2024", "{\"c\":2}"}, {"insured", "", "{\"v\":3}"},
        {"burden", "2025", "{\"b\":1}"},
    };
    for (size_t i = 0; i < sizeof puts / sizeof puts[0]; i++)
        assert_int_equal(st->ops->record_put(st, &k, puts[i][0], puts[i][1], puts[i][2], m, &changed), 0);
    /* a document kind is not a card's: it stays out of the current list (record_current) */
    assert_int_equal(st->ops->record_put(st, &k, "ikensho", "2025-1", "{\"i\":1}", m, &changed), 0);
    struct person_key k2 = {"122192", "0000000004"};
    assert_int_equal(st->ops->record_put_first(st, &k2, "insured", "", "{\"w\":1}", m), 0);
    const char *want = "burden/2025={\"b\":1};certification/2024={\"c\":2};"
                       "certification/2025={\"c\":9};insured/={\"v\":3};";
    struct cur_list c = {""};
    assert_int_equal(st->ops->record_list_current(st, &k, cur_row, &c), 0);
    assert_string_equal(c.got, want);
    struct cur_list c2 = {""};
    assert_int_equal(st->ops->record_list_current(st, &k2, cur_row, &c2), 0);
    assert_string_equal(c2.got, "insured/={\"w\":1};");
    assert_int_equal(st->ops->person_exists(st, &k2), 1);
    struct person_key k3 = {"122192", "0000000005"};
    assert_int_equal(st->ops->person_exists(st, &k3), 0);
    /* a change rolled back leaves record_current as it was (one transaction with the version) */
    assert_int_equal(st->ops->begin(st), 0);
    assert_int_equal(st->ops->change_begin(st, "test", "unit", &m), 0);
    assert_int_equal(st->ops->record_put(st, &k, "insured", "", "{\"v\":4}", m, &changed), 0);
    assert_int_equal(changed, 1);
    assert_int_equal(st->ops->rollback(st), 0);
    memset(c.got, 0, sizeof c.got);
    assert_int_equal(st->ops->record_list_current(st, &k, cur_row, &c), 0);
    assert_string_equal(c.got, want);
    store_close(st);
    /* migration 0016 builds record_current from record_versions for a database made before it */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "DROP TABLE record_current; DELETE FROM schema_migrations WHERE version = 16;",
                                  NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_non_null(st = store_open_sqlite(path, false));
    memset(c.got, 0, sizeof c.got);
    assert_int_equal(st->ops->record_list_current(st, &k, cur_row, &c), 0);
    assert_string_equal(c.got, want);
    store_close(st);
}

/* paper serials: the next unused one, one set by a batch that drew first, a taken one refused */
static void t_paper_serials(void **s)
{
    (void)s;
    struct store *st = store_open_sqlite(path, false);
    assert_non_null(st);
    int created;
    long long m;
    assert_int_equal(store_insurer_ensure(st, "122192", "test", &created), 0);
    assert_int_equal(st->ops->change_begin(st, "test", "unit", &m), 0);
    uint32_t next = 0;
    assert_int_equal(st->ops->paper_next_serial(st, "122192", &next), 0);
    assert_int_equal(next, 1);
    struct paper_token t;
    memset(&t, 0, sizeof t);
    t.kind = PAPER_CARD;
    memcpy(t.insurer_no, "122192", 7);
    memcpy(t.insured_no, "0000000003", 11);
    t.issued = (struct date){2026, 11, 25};
    assert_int_equal(st->ops->paper_issue(st, &t, m), 0); /* the next: 1 */
    assert_int_equal(t.serial, 1);
    t.serial = 5; /* a batch's reserved serial */
    assert_int_equal(st->ops->paper_issue(st, &t, m), 0);
    assert_int_equal(t.serial, 5);
    t.serial = 0;
    assert_int_equal(st->ops->paper_issue(st, &t, m), 0);
    assert_int_equal(t.serial, 6);
    assert_int_equal(st->ops->paper_next_serial(st, "122192", &next), 0);
    assert_int_equal(next, 7);
    t.serial = 5; /* taken meanwhile: refused, nothing written */
    assert_int_not_equal(st->ops->paper_issue(st, &t, m), 0);
    assert_int_equal(st->ops->paper_next_serial(st, "122192", &next), 0);
    assert_int_equal(next, 7);
    assert_int_equal(st->ops->paper_next_serial(st, "999999", &next), 0);
    assert_int_equal(next, 1);
    store_close(st);
}

static void t_read_nesting(void **s)
{
    (void)s;
    struct store *st = store_open_sqlite(path, false), *w = store_open_sqlite(path, false);
    assert_non_null(st);
    assert_non_null(w);
    struct person_key k = {"122192", "0000000007"};
    int created, changed;
    long long m;
    assert_int_equal(store_insurer_ensure(w, "122192", "test", &created), 0);
    assert_int_equal(st->ops->read_begin(st), 0);
    assert_int_equal(st->ops->person_exists(st, &k), 0); /* the snapshot starts here */
    assert_int_equal(st->ops->read_begin(st), 0);          /* inner */
    assert_int_equal(w->ops->change_begin(w, "test", "unit", &m), 0);
    assert_int_equal(w->ops->record_put(w, &k, "insured", "", "{}", m, &changed), 0);
    assert_int_equal(st->ops->person_exists(st, &k), 0);   /* still the old snapshot */
    assert_int_equal(st->ops->read_end(st), 0);            /* inner end: no commit */
    assert_int_equal(st->ops->person_exists(st, &k), 0);
    assert_int_equal(st->ops->read_end(st), 0);            /* outer end */
    assert_int_equal(st->ops->person_exists(st, &k), 1);   /* now it is seen */
    assert_int_equal(st->ops->read_end(st), -1);           /* unmatched */
    /* and the store is usable after the error */
    assert_int_equal(st->ops->read_begin(st), 0);
    assert_int_equal(st->ops->person_exists(st, &k), 1);
    assert_int_equal(st->ops->read_end(st), 0);
    store_close(st);
    store_close(w);
}

/* security.md P12: the clock steps back between two audited reads. The order
 * stays the sequence order, checkpoint times never go back, and the step is a
 * security event. */
static void t_clock_step(void **s)
{
    (void)s;
    struct auditq *q = auditq_start(path);
    assert_non_null(q);
    struct audit_entry e[3];
    for (int i = 0; i < 3; i++) {
        memset(&e[i], 0, sizeof e[i]);
        snprintf(e[i].insurer_no, sizeof e[i].insurer_no, "122192");
        snprintf(e[i].insured_no, sizeof e[i].insured_no, "0000000001");
        snprintf(e[i].actor, sizeof e[i].actor, "cli:test");
        e[i].role = ROLE_OPERATOR;
        e[i].category = CAT_SHIKAKU;
        e[i].purpose = PURPOSE_ADMIN;
        e[i].outcome = OUTCOME_ALLOWED;
        e[i].basis = BASIS_OPERATOR;
        e[i].time_ms = clock_now_ms();
        assert_int_equal(auditq_append(q, &e[i]), 0);
        assert_int_equal(e[i].seq, i + 1);
        if (i == 0)
            clock_shift_for_test(-60000); /* a minute back */
    }
    auditq_stop(q);
    clock_shift_for_test(60000);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char a[300];
    snprintf(a, sizeof a, "ATTACH '%s.audit' AS audit", path);
    assert_int_equal(sqlite3_exec(db, a, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    /* one event, naming the step */
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*), max(detail) FROM security_events WHERE kind = 'clock_step'",
                                        -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    assert_non_null(strstr((const char *)sqlite3_column_text(st, 1), "went back"));
    sqlite3_finalize(st);
    /* checkpoint times never decrease */
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM audit.checkpoints c1 JOIN audit.checkpoints c2"
                                            " ON c2.tree_size > c1.tree_size WHERE c2.time_ms < c1.time_ms",
                                        -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    /* three entries in sequence order whatever their times */
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(seq) FROM audit.audit_log", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "1,2,3");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void t_audit_two_writers(void **s)
{
    (void)s;
    /* Two writers (two processes in real life: serve and the CLI) continue one
     * insurer's numbering; the head is read inside the write transaction. */
    struct auditq *a = auditq_start(path), *b = auditq_start(path);
    assert_non_null(a);
    assert_non_null(b);
    for (int i = 0; i < 10; i++) {
        struct audit_entry e;
        memset(&e, 0, sizeof e);
        memcpy(e.insurer_no, "122192", 7);
        memcpy(e.insured_no, "0000000001", 11);
        e.role = ROLE_OPERATOR;
        e.category = CAT_SHIKAKU;
        e.purpose = PURPOSE_ADMIN;
        e.outcome = OUTCOME_ALLOWED;
        e.basis = BASIS_OPERATOR;
        assert_int_equal(auditq_append(i % 2 ? a : b, &e), 0);
        assert_int_equal(e.seq, i + 1);
    }
    unsigned long long batches, entries;
    auditq_stats(a, &batches, &entries);
    assert_int_equal(entries, 5);
    auditq_stop(a);
    auditq_stop(b);
    struct store *st = store_open_sqlite(path, false);
    long long n;
    struct person_key k = {"122192", "0000000001"};
    assert_int_equal(st->ops->audit_count_person(st, &k, &n), 0);
    assert_int_equal(n, 10);
    store_close(st);
}

/* Many threads, blocking and asynchronous appends mixed: every entry gets a
 * distinct sequence number, the log has no gaps, and no ticket is touched after
 * its owner was released (run under ASan with detect_stack_use_after_return). */
#include <pthread.h>
#define STRESS_THREADS 8
#define STRESS_EACH 300

struct async_slot {
    struct audit_entry e;
    struct auditq_ticket t;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done, rc;
};

static void async_done(void *ctx, int rc)
{
    struct async_slot *a = ctx;
    pthread_mutex_lock(&a->mu);
    a->done = 1;
    a->rc = rc;
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

static struct auditq *stress_q;
static int64_t seen_seq[STRESS_THREADS * STRESS_EACH + 1];

static void *stress(void *arg)
{
    long id = (long)arg;
    for (int i = 0; i < STRESS_EACH; i++) {
        struct audit_entry e;
        memset(&e, 0, sizeof e);
        memcpy(e.insurer_no, "271007", 7);
        memcpy(e.insured_no, "0000000002", 11);
        e.role = ROLE_OPERATOR;
        e.category = CAT_SHIKAKU;
        e.purpose = PURPOSE_ADMIN;
        e.outcome = OUTCOME_DENIED;
        int64_t seq;
        if ((i + id) % 2) {
            if (auditq_append(stress_q, &e))
                return (void *)1;
            seq = e.seq;
        } else {
            struct async_slot *a = calloc(1, sizeof *a);
            a->e = e;
            pthread_mutex_init(&a->mu, NULL);
            pthread_cond_init(&a->cv, NULL);
            a->t = (struct auditq_ticket){&a->e, async_done, a, false, -1};
            auditq_submit(stress_q, &a->t);
            pthread_mutex_lock(&a->mu);
            while (!a->done)
                pthread_cond_wait(&a->cv, &a->mu);
            pthread_mutex_unlock(&a->mu);
            if (a->rc)
                return (void *)1;
            seq = a->e.seq;
            pthread_mutex_destroy(&a->mu);
            pthread_cond_destroy(&a->cv);
            free(a);
        }
        if (seq < 1 || seq > STRESS_THREADS * STRESS_EACH || __atomic_exchange_n(&seen_seq[seq], 1, __ATOMIC_SEQ_CST))
            return (void *)2; /* out of range or given twice */
    }
    return NULL;
}

static void t_audit_stress(void **s)
{
    (void)s;
    stress_q = auditq_start(path);
    assert_non_null(stress_q);
    pthread_t th[STRESS_THREADS];
    for (long i = 0; i < STRESS_THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, stress, (void *)i), 0);
    for (int i = 0; i < STRESS_THREADS; i++) {
        void *rv;
        pthread_join(th[i], &rv);
        assert_null(rv);
    }
    unsigned long long batches, entries;
    auditq_stats(stress_q, &batches, &entries);
    assert_int_equal(entries, STRESS_THREADS * STRESS_EACH);
    assert_true(batches < entries); /* group commit did group */
    auditq_stop(stress_q);
    for (int i = 1; i <= STRESS_THREADS * STRESS_EACH; i++)
        assert_int_equal(seen_seq[i], 1);
}

/* Sustained appends: the audit WAL stays bounded (a passive checkpoint never
 * catches a busy writer; without the RESTART step the file grew by every frame). */
#define WAL_ENTRIES 60000
static int wal_done;
static int wal_failed; /* counted here, asserted in the test's own thread: cmocka's asserts
                        * longjmp, and from the audit writer's thread that is undefined */

static void wal_cb(void *ctx, int rc)
{
    (void)ctx;
    if (rc)
        __atomic_add_fetch(&wal_failed, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&wal_done, 1, __ATOMIC_RELAXED);
}

static int wal_stop; /* atomic */

/* a reader on the log all the time, as the person's report and verify are */
static void *wal_reader(void *arg)
{
    struct store *st = arg;
    while (!__atomic_load_n(&wal_stop, __ATOMIC_RELAXED)) {
        int64_t head;
        if (st->ops->audit_head_seq(st, "122192", &head))
            return (void *)1;
    }
    return NULL;
}

static void t_audit_wal_bounded(void **s)
{
    (void)s;
    /* one core for everything, as a loaded server: the checkpointer (nice 5)
     * then rarely finishes a passive checkpoint before the writer moves on */
    cpu_set_t one, saved;
    sched_getaffinity(0, sizeof saved, &saved);
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
    sched_setaffinity(0, sizeof one, &one);
    struct store *rd = store_open_sqlite(path, false);
    assert_non_null(rd);
    pthread_t rt;
    __atomic_store_n(&wal_stop, 0, __ATOMIC_RELAXED);
    assert_int_equal(pthread_create(&rt, NULL, wal_reader, rd), 0);
    struct auditq *q = auditq_start(path);
    assert_non_null(q);
    char walpath[300];
    long long wal_max = 0;
    snprintf(walpath, sizeof walpath, "%s.audit-wal", path);
    struct audit_entry *e = calloc(WAL_ENTRIES, sizeof *e);
    struct auditq_ticket *t = calloc(WAL_ENTRIES, sizeof *t);
    assert_non_null(e);
    assert_non_null(t);
    for (int i = 0; i < WAL_ENTRIES; i++) {
        memcpy(e[i].insurer_no, "122192", 7);
        snprintf(e[i].insured_no, sizeof e[i].insured_no, "%010d", i % 1000);
        snprintf(e[i].request_id, sizeof e[i].request_id, "%032d", i);
        e[i].role = ROLE_CAREMGR;
        e[i].category = CAT_SHIKAKU;
        e[i].purpose = PURPOSE_CARE;
        e[i].outcome = OUTCOME_ALLOWED;
        t[i] = (struct auditq_ticket){&e[i], wal_cb, NULL, false, 0};
        auditq_submit(q, &t[i]);
        if (i % 1000 == 0) { /* the largest the WAL gets while the log is busy */
            struct stat sb;
            if (stat(walpath, &sb) == 0 && (long long)sb.st_size > wal_max)
                wal_max = (long long)sb.st_size;
        }
        /* like many request threads: small batches, the writer never idle */
        while (__atomic_load_n(&wal_done, __ATOMIC_RELAXED) < i - 24)
            usleep(50);
    }
    struct auditq_metrics m;
    auditq_metrics(q, &m);
    auditq_stop(q);
    __atomic_store_n(&wal_stop, 1, __ATOMIC_RELAXED);
    void *rv;
    pthread_join(rt, &rv);
    assert_null(rv);
    store_close(rd);
    sched_setaffinity(0, sizeof saved, &saved);
    assert_int_equal(wal_done, WAL_ENTRIES);
    assert_int_equal(wal_failed, 0);
    /* ~330 bytes an entry, ~30 MB of frames in all; bounded near 2,048 frames (8 MiB) */
    print_message("audit WAL at most %lld bytes; %llu restarts by the writer in %llu commits\n", wal_max,
                  m.restarts, m.batches);
    if (wal_max > 16LL << 20)
        fail_msg("audit WAL grew to %lld bytes", wal_max);
    free(e);
    free(t);
}

/* The person index: the report is exactly the person's log rows whether the
 * entries are indexed (whole epochs), in the tail, or half and half; a removed or
 * altered index row is caught by audit_index_check (verify). */
struct collect {
    int64_t seqs[8192];
    size_t n;
};

static int collect_row(void *ctx, const struct access_row *r)
{
    struct collect *c = ctx;
    if (c->n < 8192)
        c->seqs[c->n++] = r->seq;
    return 0;
}

static void expect_report(struct store *st, const struct person_key *k, int who, long total)
{
    static struct collect c;
    c.n = 0;
    assert_int_equal(st->acc->person_access(st, k, collect_row, &c), 0);
    /* entry i (seq i+1) is about person i % 7 */
    size_t want = 0;
    for (long i = 0; i < total; i++)
        if (i % 7 == who) {
            assert_true(want < c.n);
            assert_int_equal(c.seqs[want], i + 1);
            want++;
        }
    assert_int_equal(c.n, want);
}

/* Parked reads (issue #21, store/sqlite/sqlite.c): a worker's read snapshot kept after read_end is
 * reused only while nothing has been committed since it began. With a lifetime long enough that
 * age never decides, a write by another connection (as another process's would) must be seen by
 * the very next read, and the owner's own write must be durable at once (visible to another
 * connection); with a short lifetime the reaper ends a parked snapshot that nobody reuses, so
 * that a TRUNCATE checkpoint - refused while a reader holds the WAL - then succeeds. */
static void put_insured(struct store *st, const struct person_key *k, const char *body)
{
    long long m;
    assert_int_equal(st->ops->change_begin(st, "test", "unit", &m), 0);
    assert_int_equal(st->ops->record_put_first(st, k, "insured", "", body, m), 0);
}

static int exists_in_read(struct store *st, const struct person_key *k)
{
    assert_int_equal(st->ops->read_begin(st), 0);
    int e = st->ops->person_exists(st, k);
    assert_int_equal(st->ops->read_end(st), 0);
    return e;
}

/* truncate_busy - 1 when a TRUNCATE checkpoint could not empty the WAL (a reader holds it) */
static int truncate_busy(sqlite3 *db)
{
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA main.wal_checkpoint(TRUNCATE)", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int busy = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return busy;
}

/* shm_dms_held_by_us - seen from another process, a lock is held on <db>-shm's dead-man
 * switch byte (SQLite's unix VFS: byte 128, taken shared by every process with the shm open) */
static bool shm_dms_held_by_us(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        char shm[300];
        snprintf(shm, sizeof shm, "%s-shm", path);
        int fd = open(shm, O_RDWR);
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 128, .l_len = 1};
        _exit(fd >= 0 && fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK && fl.l_pid == getppid() ? 0 : 1);
    }
    int st = 0;
    return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void t_read_reuse(void **s)
{
    (void)s;
    /* a lifetime long enough that age decides nothing in the first part, short enough that the
     * reaper's turn comes within the second part's wait */
    static const struct test_hooks park = {.read_park_us = 1000000};
    test_hooks = &park;
    struct store *a = store_open_sqlite(path, false), *b = store_open_sqlite(path, false);
    assert_non_null(a);
    assert_non_null(b);
    a->ops->read_reuse(a);
    test_hooks = NULL;
    /* the process still holds SQLite's locks on <db>-shm after read_reuse (it once opened and
     * closed a descriptor of its own there, which dropped all of them: another process then
     * truncated the -shm as its first opener and the server died of SIGBUS) */
    assert_true(shm_dms_held_by_us());
    int created;
    assert_int_equal(store_insurer_ensure(b, "122192", "test", &created), 0);
    struct person_key k1 = {"122192", "0000000021"}, k2 = {"122192", "0000000022"};
    /* nothing written between them: the second and third reads reuse the first's snapshot */
    unsigned long long r0 = store_reads_reused();
    for (int i = 0; i < 3; i++)
        assert_int_equal(exists_in_read(a, &k1), 0);
    assert_int_equal(store_reads_reused() - r0, 2);
    /* another connection commits: the next read sees it, on a new snapshot */
    put_insured(b, &k1, "{\"v\":1}");
    r0 = store_reads_reused();
    assert_int_equal(exists_in_read(a, &k1), 1);
    assert_int_equal(store_reads_reused(), r0);
    /* a parked snapshot, then the owner writes: durable at once, seen by the other connection */
    assert_int_equal(exists_in_read(a, &k2), 0);
    put_insured(a, &k2, "{\"v\":2}");
    assert_int_equal(exists_in_read(b, &k2), 1);
    assert_int_equal(exists_in_read(a, &k2), 1);

    /* the reaper: a snapshot parked past its lifetime is ended without its owner. While it is
     * parked on WAL frames a TRUNCATE checkpoint (it waits for every reader to leave the WAL)
     * is refused; once the reaper has ended it, the checkpoint succeeds. */
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    struct person_key k3 = {"122192", "0000000023"};
    put_insured(b, &k3, "{\"v\":3}");
    assert_int_equal(exists_in_read(a, &k3), 1); /* parked now, reading the WAL */
    assert_int_equal(truncate_busy(raw), 1);
    int busy = 1;
    for (int i = 0; i < 100 && busy; i++) { /* up to 5 s; the reaper needs ≈ 1-2 s */
        usleep(50000);
        busy = truncate_busy(raw);
    }
    assert_int_equal(busy, 0);
    assert_int_equal(exists_in_read(a, &k3), 1);
    sqlite3_close(raw);
    a->ops->close(a);
    b->ops->close(b);
}

static void t_person_index(void **s)
{
    (void)s;
    const long total = 3 * AUDIT_EPOCH_TEST + 100;
    static const struct test_hooks h = {.audit_epoch = AUDIT_EPOCH_TEST};
    test_hooks = &h;
    struct store *st = store_open_sqlite(path, false);
    test_hooks = NULL;
    assert_non_null(st);
    static struct audit_entry e[3 * AUDIT_EPOCH_TEST + 100];
    for (long i = 0; i < total; i++) {
        memset(&e[i], 0, sizeof e[i]);
        memcpy(e[i].insurer_no, "122192", 7);
        snprintf(e[i].insured_no, sizeof e[i].insured_no, "%010ld", i % 7);
        e[i].role = ROLE_CAREMGR;
        e[i].category = CAT_SHIKAKU;
        e[i].purpose = PURPOSE_CARE;
        e[i].outcome = OUTCOME_DENIED;
    }
    assert_int_equal(st->ops->audit_append(st, e, (size_t)total), 0);
    struct person_key k = {"122192", "0000000003"};
    expect_report(st, &k, 3, total); /* nothing indexed: all tail */
    assert_int_equal(st->ops->audit_index(st), 0);
    long long indexed, head;
    bool ok;
    assert_int_equal(st->ops->audit_index_check(st, "122192", &indexed, &head, &ok), 0);
    assert_true(ok);
    assert_int_equal(indexed, 4 * AUDIT_EPOCH_TEST); /* every complete epoch (292 = 4 × 64 + 36) */
    assert_int_equal(head, total);
    expect_report(st, &k, 3, total); /* three epochs indexed + tail */
    k.insured_no[9] = '0';
    expect_report(st, &k, 0, total);
    store_close(st);
    /* remove one index row behind the store's back: verify's check fails */
    char ip[300], cmd[400];
    snprintf(ip, sizeof ip, "%s.audit-idx", path);
    snprintf(cmd, sizeof cmd, "sqlite3 %s \"DELETE FROM person_epoch WHERE seq = 5\"", ip);
    assert_int_equal(system(cmd), 0);
    st = store_open_sqlite(path, false);
    assert_int_equal(st->ops->audit_index_check(st, "122192", &indexed, &head, &ok), 0);
    assert_false(ok);
    store_close(st);
    /* move a row to another person: also caught */
    snprintf(cmd, sizeof cmd,
             "sqlite3 %s \"INSERT INTO person_epoch VALUES ('122192', 0, '0000000006', 5)\"", ip);
    assert_int_equal(system(cmd), 0);
    st = store_open_sqlite(path, false);
    assert_int_equal(st->ops->audit_index_check(st, "122192", &indexed, &head, &ok), 0);
    assert_false(ok);
    store_close(st);
}

/* store_open's choice of backend and what may be printed of where. Vectors written here
 * from libpq's URI syntax (PostgreSQL 15 §34.1.1.2: postgresql://[userspec@][hostspec]
 * [/dbname][?paramspec], userspec = user[:password]); derived by hand, not from a source's
 * worked example. */
/* together - n processes forked and released at the same moment, each exiting with work(ctx); every one
 * must exit 0 (what names the test's case in a failure) */
static void together(int n, int (*work)(void *ctx), void *ctx, const char *what)
{
    int go[2];
    assert_int_equal(pipe(go), 0);
    pid_t kid[16];
    assert_true(n <= 16);
    for (int i = 0; i < n; i++) {
        kid[i] = fork();
        assert_true(kid[i] >= 0);
        if (kid[i] == 0) {
            char c;
            close(go[1]);
            if (read(go[0], &c, 1) != 0) /* released together when the parent closes its end */
                _exit(3);
            _exit(work(ctx));
        }
    }
    close(go[0]);
    close(go[1]);
    for (int i = 0; i < n; i++) {
        int status;
        assert_int_equal(waitpid(kid[i], &status, 0), kid[i]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail_msg("%s: process %d of %d failed (status %d)", what, i, n, status);
    }
}

/* open_fresh - one process's open of the new database: whole schema, or not 0 */
static int open_fresh(void *ctx)
{
    struct store *st = store_open_sqlite(ctx, false);
    if (!st)
        return 1;
    int n = st->ops->kind_empty(st, "122192", "insured") == 1 ? 0 : 2; /* the schema is whole */
    store_close(st);
    return n;
}

/* Several processes opening one new database at once (the server and a first import started together,
 * two nodes' first start): each applies the missing migrations only once the write lock is its own and
 * finds them applied by the one before it. Before, all but the first failed with "table … already exists"
 * in migration 0001. */
static void t_concurrent_create(void **s)
{
    (void)s;
    for (int round = 0; round < 3; round++) {
        char fresh[128], what[64];
        snprintf(fresh, sizeof fresh, "/tmp/kaigo-u-store-create-%d-%d.db", (int)getpid(), round);
        snprintf(what, sizeof what, "round %d: opening the new database", round);
        testdb_remove(fresh);
        together(4, open_fresh, fresh, what);
        struct store *st = store_open_sqlite(fresh, false);
        assert_non_null(st);
        store_close(st);
        testdb_remove(fresh);
    }
}

/* get_key - one process's key, written to the pipe for the parent to compare */
struct key_job {
    const char *path;
    int out;
};

static int get_key(void *ctx)
{
    struct key_job *j = ctx;
    unsigned char sk[KEYFILE_SK_BYTES];
    if (keyfile_load(j->path, true, sk))
        return 1;
    return write(j->out, sk, sizeof sk) == (ssize_t)sizeof sk ? 0 : 2;
}

/* Processes that need a key not made yet, at once (a server and a print started together, several
 * prints of one insurer): every one gets the same whole key. Before, the others read the first one's file
 * while it was being written ("not a signing key") or failed to create it. */
static void t_key_created_once(void **s)
{
    (void)s;
    enum { N = 6 };
    for (int round = 0; round < 5; round++) {
        char key[128], pub[140], what[64];
        snprintf(key, sizeof key, "/tmp/kaigo-u-store-key-%d-%d", (int)getpid(), round);
        snprintf(pub, sizeof pub, "%s.pub", key);
        snprintf(what, sizeof what, "round %d: getting the new key", round);
        unlink(key);
        unlink(pub);
        int got[2];
        assert_int_equal(pipe(got), 0);
        struct key_job job = {key, got[1]};
        together(N, get_key, &job, what);
        close(got[1]);
        unsigned char first[KEYFILE_SK_BYTES], other[KEYFILE_SK_BYTES], stored[KEYFILE_SK_BYTES];
        assert_int_equal(read(got[0], first, sizeof first), (ssize_t)sizeof first);
        for (int i = 1; i < N; i++) {
            assert_int_equal(read(got[0], other, sizeof other), (ssize_t)sizeof other);
            assert_memory_equal(first, other, sizeof first); /* one key for all */
        }
        close(got[0]);
        assert_int_equal(keyfile_load(key, false, stored), 0);
        assert_memory_equal(first, stored, sizeof first);
        struct stat sb;
        assert_int_equal(stat(key, &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0600);
        assert_int_equal(stat(pub, &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0644);
        unlink(key);
        unlink(pub);
    }
}

static void t_store_where(void **s)
{
    (void)s;
    static const struct {
        const char *where;
        enum store_backend backend;
        const char *shown;
    } v[] = {
        {"/var/lib/kaigo/kaigo.db", STORE_SQLITE, "/var/lib/kaigo/kaigo.db"},
        {"kaigo.db", STORE_SQLITE, "kaigo.db"},
        {"./postgresql:/x.db", STORE_SQLITE, "./postgresql:/x.db"},
        {"postgresql://", STORE_POSTGRESQL, "postgresql://"},
        {"postgresql://db.example/kaigo", STORE_POSTGRESQL, "postgresql://db.example/kaigo"},
        {"postgresql://kaigo@127.0.0.1:5432/k", STORE_POSTGRESQL, "postgresql://kaigo@127.0.0.1:5432/k"},
        {"postgresql://kaigo:pw@127.0.0.1/k", STORE_POSTGRESQL, "postgresql://kaigo:***@127.0.0.1/k"},
        {"postgres://u:p@ss:w@h/d?sslmode=require", STORE_POSTGRESQL, "postgres://u:***@h/d?sslmode=require"},
        {"postgresql://u:pw@h1,h2:5433/d", STORE_POSTGRESQL, "postgresql://u:***@h1,h2:5433/d"},
        {"postgresql://h/d?user=u&password=x", STORE_POSTGRESQL, "postgresql://h/d?user=u&password=***"},
        {"postgresql://u:pa?ss@h/d", STORE_POSTGRESQL, "postgresql://u:***@h/d"},
        /* a directory of clusters (store/directory.h): PostgreSQL's, its file's path shown as it is */
        {"directory:/etc/kaigo/clusters.tsv", STORE_POSTGRESQL, "directory:/etc/kaigo/clusters.tsv"},
        {"directory:a:b@c", STORE_POSTGRESQL, "directory:a:b@c"},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        char out[256];
        assert_int_equal(store_backend_of(v[i].where), v[i].backend);
        store_where_redact(v[i].where, out, sizeof out);
        assert_string_equal(out, v[i].shown);
    }
    /* files beside the store: a SQLite file has them; a URL's are in $KAIGO_STATE (an absolute
     * directory), and without it there is no place for them */
    char p[64];
    assert_int_equal(store_side_path("/d/k.db", ".audit-key", p, sizeof p), 0);
    assert_string_equal(p, "/d/k.db.audit-key");
    assert_int_equal(store_side_path("/d/k.db", ".audit-key", p, 10), -1);
    unsetenv("KAIGO_STATE");
    assert_int_equal(store_side_path("postgresql://h/d", ".audit-key", p, sizeof p), -1);
    assert_int_equal(store_where_usable("postgresql://h/d"), -1);
    setenv("KAIGO_STATE", "relative/dir", 1);
    assert_int_equal(store_side_path("postgresql://h/d", ".audit-key", p, sizeof p), -1);
    setenv("KAIGO_STATE", "/srv/kaigo", 1);
    assert_int_equal(store_side_path("postgresql://h/d", ".audit-key", p, sizeof p), 0);
    assert_string_equal(p, "/srv/kaigo/kaigo.audit-key");
    assert_int_equal(store_where_usable("postgresql://h/d"), -1); /* no such directory */
    /* a URL is never created as a file of that name: without a state directory it is refused,
     * with one it is a connection that fails (nothing listens on port 1) */
    unsetenv("KAIGO_STATE");
    assert_null(store_open("postgresql://u:pw@127.0.0.1:1/none", false));
    setenv("KAIGO_STATE", "/tmp", 1);
    assert_null(store_open("postgresql://u:pw@127.0.0.1:1/none", false));
    unsetenv("KAIGO_STATE");
    struct stat sb;
    assert_int_not_equal(stat("postgresql:", &sb), 0);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_versions),
        cmocka_unit_test(t_store_where),
        cmocka_unit_test(t_concurrent_create),
        cmocka_unit_test(t_key_created_once),
        cmocka_unit_test_setup_teardown(t_current_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(t_read_nesting, setup, teardown),
        cmocka_unit_test_setup_teardown(t_read_reuse, setup, teardown),
        cmocka_unit_test_setup_teardown(t_paper_serials, setup, teardown),
        cmocka_unit_test_setup_teardown(t_clock_step, setup, teardown),
        cmocka_unit_test(t_audit_two_writers),
        cmocka_unit_test(t_audit_stress),
        cmocka_unit_test_setup_teardown(t_person_index, setup, teardown),
        cmocka_unit_test_setup_teardown(t_audit_wal_bounded, setup, teardown),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
