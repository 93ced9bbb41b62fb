/* u-store.c - the SQLite store: versions, append-only triggers, audit numbering across connections. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "store/auditq.h"
#include "store/store.h"

static char path[256];

static int setup(void **s)
{
    (void)s;
    snprintf(path, sizeof path, "/tmp/kaigo-u-store-%d.db", (int)getpid());
    unlink(path);
    return 0;
}

static int teardown(void **s)
{
    (void)s;
    char p[300];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
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

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_versions),
        cmocka_unit_test(t_audit_two_writers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
