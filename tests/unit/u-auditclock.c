/* u-auditclock.c - the audit writer's timed waits do not follow the wall clock (issue 16: they
 * used CLOCK_REALTIME, so a clock stepped back - NTP, an operator - stalled every disclosure for
 * as long as the step). The wall clock is moved here by interposing clock_gettime for the whole
 * test binary (the store is a static library, so its calls bind to this definition): CLOCK_REALTIME
 * reads an hour ahead of the kernel's, which is what a wait computed before a step back of an
 * hour looks like to the kernel. Each entry must still be durable within seconds. */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "audit/auditq.h"
#include "store/store.h"
#include "testdb.h"

static int shifted; /* atomic */

int clock_gettime(clockid_t id, struct timespec *ts)
{
    int rc = (int)syscall(SYS_clock_gettime, id, ts);
    if (rc == 0 && id == CLOCK_REALTIME && __atomic_load_n(&shifted, __ATOMIC_RELAXED))
        ts->tv_sec += 3600;
    return rc;
}

static char path[256];

static void cleanup(void)
{
    testdb_remove(path);
}

struct slot {
    struct audit_entry e;
    struct auditq_ticket t;
    int done; /* atomic */
};

static void done(void *ctx, int rc)
{
    struct slot *s = ctx;
    __atomic_store_n(&s->done, rc ? -1 : 1, __ATOMIC_RELEASE);
}

static void entry(struct slot *s, int i)
{
    memset(s, 0, sizeof *s);
    memcpy(s->e.insurer_no, "122192", 7);
    snprintf(s->e.insured_no, sizeof s->e.insured_no, "%010u", (unsigned)i % 100u);
    snprintf(s->e.request_id, sizeof s->e.request_id, "%016u", (unsigned)i % 1000000u);
    s->e.role = ROLE_CAREMGR;
    s->e.category = CAT_SHIKAKU;
    s->e.purpose = PURPOSE_CARE;
    s->e.outcome = OUTCOME_ALLOWED;
    s->t = (struct auditq_ticket){&s->e, done, s, false, 0};
}

/* wait (on the kernel's monotonic clock, not through the shim) for n slots; false after 5 s */
static int wait_all(struct slot *v, int n)
{
    struct timespec t0, t;
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t0);
    for (;;) {
        int ok = 0;
        for (int i = 0; i < n; i++)
            ok += __atomic_load_n(&v[i].done, __ATOMIC_ACQUIRE) == 1;
        if (ok == n)
            return 1;
        syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t);
        if (t.tv_sec - t0.tv_sec > 5)
            return 0;
        usleep(1000);
    }
}

static void t_wall_clock_step(void **st)
{
    (void)st;
    snprintf(path, sizeof path, "/tmp/kaigo-u-auditclock-%d.db", (int)getpid());
    cleanup();
    struct store *s = store_open_sqlite(path, false);
    assert_non_null(s);
    store_close(s);
    struct auditq *q = auditq_start(path);
    assert_non_null(q);
    __atomic_store_n(&shifted, 1, __ATOMIC_RELAXED);
    /* bursts make the writer busy (a batch of more than one), then a lone entry takes the
     * commit-delay path, whose timed wait is the one that followed the wall clock */
    static struct slot v[64];
    for (int round = 0; round < 8; round++) {
        for (int i = 0; i < 16; i++)
            entry(&v[i], round * 100 + i);
        for (int i = 0; i < 16; i++)
            auditq_submit(q, &v[i].t);
        if (!wait_all(v, 16))
            fail_msg("round %d: a burst was not durable within 5 s", round);
        entry(&v[16], round * 100 + 16);
        auditq_submit(q, &v[16].t);
        if (!wait_all(&v[16], 1)) {
            /* the writer sleeps until the kernel's wall clock passes the shifted deadline:
             * report and leave without joining it */
            print_error("round %d: a lone entry waited past 5 s after a wall-clock step\n", round);
            _exit(1);
        }
    }
    __atomic_store_n(&shifted, 0, __ATOMIC_RELAXED);
    auditq_stop(q);
    cleanup();
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(t_wall_clock_step)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
