/* u-ratelimit.c - the in-memory rate limiter of paper-token checks (once also of logins and 本人確認, now counted in the store; issue 16: the
 * verify limiter's 256 slots never expired, so after 255 callers every new caller shared the last
 * slot - and its limit - with every other; its limit was set without a lock). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "http/ratelimit.h"

static void t_callers_never_share(void **s)
{
    (void)s;
    char who[32];
    /* far more callers than the old table had slots: each has a counter of its own */
    for (int i = 0; i < 1000; i++) {
        snprintf(who, sizeof who, "caller-%d", i);
        if (ratelimit_hit('v', who, 60000, 1000) != 1)
            fail_msg("%s starts at more than 1: a shared counter", who);
    }
    for (int i = 0; i < 1000; i++) {
        snprintf(who, sizeof who, "caller-%d", i);
        assert_int_equal(ratelimit_count('v', who, 1000), 1);
    }
    /* kinds are apart: a login and an address spelled the same */
    assert_int_equal(ratelimit_count('a', "caller-1", 1000), 0);
}

static void t_windows_expire(void **s)
{
    (void)s;
    assert_int_equal(ratelimit_hit('v', "w", 60000, 100000), 1);
    assert_int_equal(ratelimit_hit('v', "w", 60000, 159999), 2);
    assert_int_equal(ratelimit_count('v', "w", 160000), 0); /* a new minute */
    assert_int_equal(ratelimit_hit('v', "w", 60000, 160000), 1);
    /* each key keeps its own window: a 15-minute login counter outlives a minute's checks */
    assert_int_equal(ratelimit_hit('a', "login", 900000, 200000), 1);
    assert_int_equal(ratelimit_hit('v', "other", 60000, 200000), 1);
    assert_int_equal(ratelimit_count('a', "login", 200000 + 120000), 1);
    assert_int_equal(ratelimit_count('v', "other", 200000 + 120000), 0);
}

static void t_full_table_evicts_the_oldest(void **s)
{
    (void)s;
    char who[32];
    int64_t t = 10000000;
    assert_int_equal(ratelimit_hit('i', "victim", 3600000, t), 1);
    for (int i = 0; i < RATELIMIT_SLOTS + 50; i++) {
        snprintf(who, sizeof who, "flood-%d", i);
        if (ratelimit_hit('i', who, 3600000, t + 1 + i) != 1)
            fail_msg("%s shares a counter", who);
    }
    /* the newest keep their counts; the oldest was evicted, never merged into another */
    assert_int_equal(ratelimit_count('i', "flood-4140", t + 5000), 1);
    assert_int_equal(ratelimit_count('i', "victim", t + 5000), 0);
}

#define THREADS 8
#define HITS 20000
static void *hammer(void *arg)
{
    (void)arg;
    for (int i = 0; i < HITS; i++)
        ratelimit_hit('r', "org", 3600000, 50000000);
    return NULL;
}

static void t_threads_count_exactly(void **s)
{
    (void)s;
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, hammer, NULL), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(ratelimit_count('r', "org", 50000000), THREADS * HITS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_callers_never_share), cmocka_unit_test(t_windows_expire),
        cmocka_unit_test(t_full_table_evicts_the_oldest), cmocka_unit_test(t_threads_count_exactly)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
