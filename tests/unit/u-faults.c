/* u-faults.c - fault injection at every write, in the manner of SQLite's own tests: the fault VFS
 * (store/sqlite/faultvfs.h) fails the (N+1)-th write from a point on, with SQLITE_FULL (a full disk) or
 * SQLITE_IOERR_WRITE (an I/O error), for N = 0, 1, 2, … until the scenario runs without meeting
 * the fault. The scenario is the two kinds of durable write kaigo makes: an import's batch of
 * records in one transaction, and audit entries through the group-commit writer. After each run
 * (the database closed and opened again) it must hold:
 *   - nothing half-written: the batch is all there or not at all; the database is intact;
 *   - nothing disclosed without its audit entry: every append that said "durable" is in the log,
 *     with the sequence it was given, and nothing that failed is;
 *   - the store opens again and writes again (recovery), and readiness (store/health.h) said
 *     "failing" while writes failed and "ok" after the next good write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "audit/auditq.h"
#include "store/sqlite/faultvfs.h"
#include "store/health.h"
#include "store/store.h"
#include "util/log.h"
#include "testdb.h"

#define RECORDS 20
#define ENTRIES 5

static char path[256];

static void cleanup(void)
{
    testdb_remove(path);
}

/* The starting database is made once and copied for each run: migrations at every one of
 * hundreds of runs were most of the sweep's time. */

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    if (!in)
        return;
    FILE *out = fopen(to, "wb");
    assert_non_null(out);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

static void template_files(bool save)
{
    char a[300], b[320];
    for (size_t i = 0; i < TESTDB_FILES; i++) {
        snprintf(a, sizeof a, "%s%s", path, testdb_suffixes[i]);
        snprintf(b, sizeof b, "%s.tpl%s", path, testdb_suffixes[i]);
        if (save)
            copy_file(a, b);
        else
            copy_file(b, a);
    }
}

static void template_remove(void)
{
    char b[320];
    for (size_t i = 0; i < TESTDB_FILES; i++) {
        snprintf(b, sizeof b, "%s.tpl%s", path, testdb_suffixes[i]);
        unlink(b);
    }
}

static void key_of(int i, struct person_key *k)
{
    memcpy(k->insurer_no, "122192", 7);
    snprintf(k->insured_no, sizeof k->insured_no, "%010u", (unsigned)(i + 1) % 1000000u);
}

static void entry_of(int i, struct audit_entry *e)
{
    memset(e, 0, sizeof *e);
    memcpy(e->insurer_no, "122192", 7);
    snprintf(e->insured_no, sizeof e->insured_no, "%010u", (unsigned)(i + 1) % 1000000u);
    snprintf(e->request_id, sizeof e->request_id, "%016u", (unsigned)i % 1000000u);
    e->role = ROLE_CAREMGR;
    e->category = CAT_SHIKAKU;
    e->purpose = PURPOSE_CARE;
    e->outcome = OUTCOME_ALLOWED;
}

/* Out of memory, SQLite's way: its allocator wrapped, failing the (N+1)-th allocation once (a
 * transient failure, SQLite's default OOM mode; a full disk above is persistent). SQLite then
 * answers SQLITE_NOMEM; kaigo's own allocations abort the process by design (util/xalloc.h) and
 * are not swept here. */
static sqlite3_mem_methods real_mem;
static long oom_left = -1; /* atomic: -1 not armed */
static long oom_faults;

static void *oom_malloc(int n)
{
    long r = __atomic_load_n(&oom_left, __ATOMIC_SEQ_CST);
    while (r >= 0 && !__atomic_compare_exchange_n(&oom_left, &r, r > 0 ? r - 1 : 0, false,
                                                  __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        ;
    if (r == 0) {
        long zero = 0;
        if (__atomic_compare_exchange_n(&oom_left, &zero, -1, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST)) {
            __atomic_add_fetch(&oom_faults, 1, __ATOMIC_SEQ_CST);
            return NULL;
        }
    }
    return real_mem.xMalloc(n);
}
static void *oom_realloc(void *p, int n)
{
    long zero = 0;
    if (n > real_mem.xSize(p) &&
        __atomic_compare_exchange_n(&oom_left, &zero, -1, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        __atomic_add_fetch(&oom_faults, 1, __ATOMIC_SEQ_CST);
        return NULL;
    }
    return real_mem.xRealloc(p, n);
}

#define FAULT_OOM 99

static void arm(int kind, long after)
{
    if (kind == FAULT_OOM)
        __atomic_store_n(&oom_left, after, __ATOMIC_SEQ_CST);
    else
        faultvfs_arm((enum fault_kind)kind, after);
}
static void disarm(void)
{
    __atomic_store_n(&oom_left, -1, __ATOMIC_SEQ_CST);
    faultvfs_disarm();
}
static long faults(void)
{
    return faultvfs_faults() + __atomic_load_n(&oom_faults, __ATOMIC_SEQ_CST);
}

/* one run with the fault after `after` writes; returns whether the fault was met */
static int run(int kind, long after)
{
    cleanup();
    template_files(false);
    struct store *st = store_open_sqlite(path, false);
    assert_non_null(st);
    struct auditq *q = auditq_start(path);
    assert_non_null(q);
    long f0 = faults();
    arm(kind, after);

    /* an import's batch: one transaction */
    long long m;
    int changed, batch_ok = st->ops->begin(st) == 0 &&
                            st->ops->change_begin(st, "test", "faults", &m) == 0;
    for (int i = 0; batch_ok && i < RECORDS; i++) {
        struct person_key k;
        key_of(i, &k);
        batch_ok = st->ops->record_put(st, &k, "insured", "", "{\"a\":1}", m, &changed) == 0;
    }
    if (batch_ok)
        batch_ok = st->ops->commit(st) == 0;
    if (!batch_ok) { /* as every caller does: a failed commit is rolled back */
        st->ops->rollback(st);
        st->ops->settle(st); /* as the server does after a 5xx (server.c on_completed) */
    }
    bool failing_seen = store_health_failing();

    /* audit entries, each durable or refused */
    struct audit_entry e[ENTRIES];
    int ok[ENTRIES];
    for (int i = 0; i < ENTRIES; i++) {
        entry_of(i, &e[i]);
        ok[i] = auditq_append(q, &e[i]) == 0;
        failing_seen = failing_seen || store_health_failing();
    }
    disarm();
    int met = faults() > f0;
    auditq_stop(q);
    store_close(st);

    /* opened again: all or nothing, every durable entry there, intact */
    st = store_open_sqlite(path, false);
    if (!st)
        fail_msg("after %ld writes (%s): the store does not open again", after,
                 kind == FAULT_FULL ? "full" : "ioerr");
    int present = 0;
    for (int i = 0; i < RECORDS; i++) {
        struct person_key k;
        key_of(i, &k);
        present += st->ops->person_exists(st, &k) == 1;
    }
    if (present != (batch_ok ? RECORDS : 0) && !(batch_ok == 0 && present == RECORDS))
        fail_msg("after %ld writes: %d of %d records (commit said %s)", after, present, RECORDS,
                 batch_ok ? "ok" : "failed");
    if (!batch_ok && present == RECORDS)
        /* a commit reported failed whose data is there: allowed only when the fault hit after the
         * commit record was durable (SQLite then reports the checkpoint/WAL reset failure) */
        print_message("after %ld writes: commit reported a failure after it was durable\n", after);
    int64_t head = 0;
    assert_int_equal(st->ops->audit_head_seq(st, "122192", &head), 0);
    int durable = 0;
    for (int i = 0; i < ENTRIES; i++)
        durable += ok[i];
    if (head < durable)
        fail_msg("after %ld writes: %d entries said durable, the log holds %lld", after, durable,
                 (long long)head);
    for (int i = 0; i < ENTRIES; i++)
        if (ok[i] && (e[i].seq < 1 || e[i].seq > head))
            fail_msg("after %ld writes: entry %d said durable as seq %lld, not in the log", after, i,
                     (long long)e[i].seq);
    /* and it writes again; readiness follows */
    struct audit_entry again;
    entry_of(99, &again);
    assert_int_equal(st->ops->audit_append(st, &again, 1), 0);
    assert_int_equal(st->ops->begin(st), 0);
    assert_int_equal(st->ops->commit(st), 0);
    assert_false(store_health_failing());
    if (met && !failing_seen && batch_ok + durable < 1 + ENTRIES)
        fail_msg("after %ld writes: writes failed but readiness never said so", after);
    store_close(st);

    sqlite3 *db;
    char *got = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *ic;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &ic, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(ic), SQLITE_ROW);
    got = strdup((const char *)sqlite3_column_text(ic, 0));
    sqlite3_finalize(ic);
    sqlite3_close(db);
    if (strcmp(got, "ok") != 0)
        fail_msg("after %ld writes: integrity_check: %s", after, got);
    free(got);
    return met;
}

static void sweep(int kind)
{
    snprintf(path, sizeof path, "/tmp/kaigo-u-faults-%d.db", (int)getpid());
    assert_int_equal(faultvfs_register(), 0);
    log_set_quiet(1);
    cleanup();
    struct store *st = store_open_sqlite(path, false);
    assert_non_null(st);
    int created;
    assert_int_equal(store_insurer_ensure(st, "122192", "test", &created), 0);
    store_close(st);
    struct auditq *q0 = auditq_start(path); /* the log's key and first checkpoint */
    assert_non_null(q0);
    auditq_stop(q0);
    template_files(true);
    long after = 0;
    int runs = 0;
    while (run(kind, after)) {
        runs++;
        after++;
        if (after > 5000)
            fail_msg("the scenario never ran without the fault");
    }
    template_remove();
    print_message("%s: the fault at each of %d points\n",
                  kind == FAULT_FULL ? "SQLITE_FULL" : kind == FAULT_IOERR ? "SQLITE_IOERR" : "SQLITE_NOMEM", runs);
    assert_true(runs > 10); /* the sweep reached into the scenario's writes */
    cleanup();
}

static void t_disk_full(void **s)
{
    (void)s;
    sweep(FAULT_FULL);
}

static void t_io_error(void **s)
{
    (void)s;
    sweep(FAULT_IOERR);
}

static void t_out_of_memory(void **s)
{
    (void)s;
    sweep(FAULT_OOM);
}

int main(void)
{
    umask(077); /* as kaigo's main: key files copied here must stay private (store/keyfile.c) */
    /* SQLite's allocator is chosen before it starts */
    sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_mem);
    sqlite3_mem_methods m = real_mem;
    m.xMalloc = oom_malloc;
    m.xRealloc = oom_realloc;
    sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
    const struct CMUnitTest tests[] = {cmocka_unit_test(t_disk_full), cmocka_unit_test(t_io_error),
                                       cmocka_unit_test(t_out_of_memory)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
