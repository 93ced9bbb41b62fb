/*
 * bench/auditgen.c - fills an audit log with N synthetic entries through the
 * real audit writer (group commit, signed checkpoints, the person index built
 * in epochs by the checkpointer), for bench/verify.sh.
 *
 *   build/default/bench_auditgen DB N [PERSONS]
 *
 * Entries look like the HTTP benchmark's: a 居宅's API token reading the card
 * of one of PERSONS persons (default 100,000) of insurer 012021 under consent.
 * Prints progress to stderr; exits non-zero if any entry failed.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/auditq.h"
#include "util/banned.h"

#define WAVE 4096

struct wave {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int pending, failed;
};

static void done(void *ctx, int rc)
{
    struct wave *w = ctx;
    pthread_mutex_lock(&w->mu);
    if (rc)
        w->failed++;
    if (--w->pending == 0)
        pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_auditgen DB N [PERSONS]\n");
        return 2;
    }
    long n = strtol(argv[2], NULL, 10), persons = argc > 3 ? strtol(argv[3], NULL, 10) : 100000;
    if (n < 1 || persons < 1 || persons > 999999999)
        return 2;
    struct auditq *q = auditq_start(argv[1]);
    if (!q)
        return 1;
    static struct audit_entry e[WAVE];
    static struct auditq_ticket t[WAVE];
    struct wave w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    unsigned long long x = 88172645463325252ULL; /* xorshift: the same log every run */
    for (long done_n = 0; done_n < n;) {
        int k = n - done_n < WAVE ? (int)(n - done_n) : WAVE;
        w.pending = k;
        for (int i = 0; i < k; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            unsigned p = (unsigned)(x % (unsigned long long)persons) + 1; /* < 10^9 */
            memset(&e[i], 0, sizeof e[i]);
            snprintf(e[i].insurer_no, sizeof e[i].insurer_no, "012021");
            snprintf(e[i].actor, sizeof e[i].actor, "token:1");
            snprintf(e[i].org, sizeof e[i].org, "bench-kyotaku");
            e[i].role = ROLE_CAREMGR;
            snprintf(e[i].insured_no, sizeof e[i].insured_no, "1%09u", p);
            e[i].category = CAT_SHIKAKU;
            e[i].purpose = PURPOSE_CARE;
            e[i].basis = BASIS_CONSENT;
            e[i].outcome = OUTCOME_ALLOWED;
            snprintf(e[i].basis_ref, sizeof e[i].basis_ref, "consent:%u,rel:%u", p, p);
            snprintf(e[i].request_id, sizeof e[i].request_id, "%016llx", x);
            e[i].time_ms = 1795621158238LL + done_n + i;
            t[i] = (struct auditq_ticket){.entry = &e[i], .fn = done, .ctx = &w};
            auditq_submit(q, &t[i]);
        }
        pthread_mutex_lock(&w.mu);
        while (w.pending > 0)
            pthread_cond_wait(&w.cv, &w.mu);
        pthread_mutex_unlock(&w.mu);
        done_n += k;
        if (done_n % (WAVE * 32) == 0 || done_n == n)
            fprintf(stderr, "\r監査記録を生成中: %ld / %ld", done_n, n);
    }
    fprintf(stderr, "\n");
    auditq_stop(q);
    if (w.failed) {
        fprintf(stderr, "bench_auditgen: %d entries failed\n", w.failed);
        return 1;
    }
    return 0;
}
