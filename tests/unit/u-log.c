/* u-log.c - diagnostics from many threads at once come out as whole lines (issue 16: three stdio
 * calls a line interleaved as "kaigo: warning: kaigo: warning: …"). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/log.h"

#define THREADS 8
#define LINES 2000

static void *spam(void *arg)
{
    long id = (long)arg;
    for (int i = 0; i < LINES; i++) {
        if (i % 2)
            warn("thread %ld line %d %s", id, i, "ああああああああああああああああああああ");
        else
            log_line("access thread=%ld line=%d %s", id, i, "status=200 us=123");
    }
    return NULL;
}

static void t_whole_lines(void **s)
{
    (void)s;
    char path[] = "/tmp/kaigo-u-log-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    int saved = dup(STDERR_FILENO);
    fflush(stderr);
    dup2(fd, STDERR_FILENO);
    pthread_t th[THREADS];
    for (long i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, spam, (void *)i), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    FILE *f = fdopen(fd, "r");
    rewind(f);
    char line[4096];
    long n = 0;
    while (fgets(line, sizeof line, f)) {
        n++;
        long id;
        int k;
        int ok = sscanf(line, "kaigo: warning: thread %ld line %d ああああああああああああああああああああ\n", &id, &k) == 2 ||
                 sscanf(line, "access thread=%ld line=%d status=200 us=123\n", &id, &k) == 2;
        if (!ok || line[strlen(line) - 1] != '\n' || strstr(line + 1, "kaigo:") || strstr(line + 1, "access"))
            fail_msg("line %ld is not whole: %s", n, line);
    }
    fclose(f);
    unlink(path);
    assert_int_equal(n, THREADS * LINES);
}

/* a line longer than the limit is cut at a character boundary and marked, never split */
static void t_long_line(void **s)
{
    (void)s;
    char path[] = "/tmp/kaigo-u-log-XXXXXX";
    int fd = mkstemp(path);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    char *big = malloc(9000);
    for (int i = 0; i < 3000; i++)
        memcpy(big + 3 * i, "あ", 3);
    big[8999] = 0;
    warn("%s", big);
    dup2(saved, STDERR_FILENO);
    close(saved);
    FILE *f = fdopen(fd, "r");
    rewind(f);
    char line[16384];
    assert_non_null(fgets(line, sizeof line, f));
    size_t len = strlen(line);
    assert_true(len <= 2048);
    assert_memory_equal(line + len - 4, "…\n", 4);
    assert_null(fgets(line, sizeof line, f)); /* one line */
    fclose(f);
    unlink(path);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(t_whole_lines), cmocka_unit_test(t_long_line)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
