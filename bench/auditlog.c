/*
 * bench/auditlog.c - the shared audit log's append (store/auditlog.c) on SQLite and on PostgreSQL
 * in the same run: N entries in batches of B (one durable commit each, signed checkpoints on),
 * from CLIENTS connections at once appending to one insurer (a node each on PostgreSQL;
 * processes of one machine on SQLite). Prints entries/s and commits/s for each and the ratio.
 *
 *   build/default/bench_auditlog SQLITE_FILE POSTGRESQL_URL N B CLIENTS
 *
 * bench/pg-audit.sh makes the throw-away cluster and the file.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/auditlog.h"
#include "store/pg/pg.h"
#include "store/store.h"
#include "util/banned.h"

static const char *sqlite_file, *pg_url;
static long n_total, batch;
static int clients;
static unsigned char sk[AUDIT_SK_BYTES];

struct worker {
    int id;
    bool pg;
    long done;
    int rc;
};

static void fill(struct audit_entry *e, int id, long i)
{
    memset(e, 0, sizeof *e);
    memcpy(e->insurer_no, "122192", 7);
    snprintf(e->insured_no, sizeof e->insured_no, "%010ld", 1000000000L + i % 100000);
    snprintf(e->request_id, sizeof e->request_id, "%08d%024ld", id, i);
    snprintf(e->actor, sizeof e->actor, "token:%d", id);
    snprintf(e->org, sizeof e->org, "bench-kyotaku");
    e->time_ms = 1796000000000LL + i;
    e->role = ROLE_CAREMGR;
    e->category = CAT_SHIKAKU;
    e->purpose = PURPOSE_CARE;
    e->outcome = OUTCOME_ALLOWED;
}

static void *run(void *arg)
{
    struct worker *w = arg;
    char err[512];
    struct db *pg = NULL;
    struct auditlog *L = NULL;
    struct store *st = NULL;
    if (w->pg) {
        if (!(pg = pg_db_open(pg_url, err, sizeof err))) {
            fprintf(stderr, "%s\n", err);
            w->rc = -1;
            return NULL;
        }
        L = auditlog_new(pg, pg_auditlog_sql);
        auditlog_set_signer(L, sk);
    } else {
        if (!(st = store_open_sqlite(sqlite_file, false))) {
            w->rc = -1;
            return NULL;
        }
        st->ops->audit_set_signer(st, sk);
    }
    struct audit_entry *e = calloc((size_t)batch, sizeof *e);
    long mine = n_total / clients;
    for (long i = 0; i < mine && !w->rc; i += batch) {
        long k = mine - i < batch ? mine - i : batch;
        for (long j = 0; j < k; j++)
            fill(&e[j], w->id, i + j);
        int64_t back;
        int rc = w->pg ? auditlog_append(L, e, (size_t)k, &back) : st->ops->audit_append(st, e, (size_t)k);
        if (rc) {
            fprintf(stderr, "append: %s\n", w->pg ? pg_db_errmsg(pg) : store_errmsg(st));
            w->rc = -1;
        }
        w->done += k;
    }
    free(e);
    auditlog_free(L);
    pg_db_close(pg);
    store_close(st);
    return NULL;
}

static double measure(bool pg, double *commits)
{
    struct timespec t0, t1;
    pthread_t th[64];
    struct worker w[64];
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < clients; i++) {
        w[i] = (struct worker){.id = i + 1, .pg = pg};
        if (pthread_create(&th[i], NULL, run, &w[i]))
            exit(1);
    }
    long done = 0;
    for (int i = 0; i < clients; i++) {
        pthread_join(th[i], NULL);
        if (w[i].rc)
            exit(1);
        done += w[i].done;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    *commits = (double)((done + batch - 1) / batch) / s;
    return (double)done / s;
}

int main(int argc, char **argv)
{
    if (argc != 6 || sodium_init() < 0) {
        fprintf(stderr, "usage: bench_auditlog SQLITE_FILE POSTGRESQL_URL N B CLIENTS\n");
        return 2;
    }
    sqlite_file = argv[1];
    pg_url = argv[2];
    n_total = strtol(argv[3], NULL, 10);
    batch = strtol(argv[4], NULL, 10);
    clients = (int)strtol(argv[5], NULL, 10);
    if (n_total < 1 || batch < 1 || clients < 1 || clients > 64)
        return 2;
    unsigned char pk[AUDIT_PK_BYTES];
    crypto_sign_ed25519_keypair(pk, sk);
    struct store *first = store_open_sqlite(sqlite_file, false); /* created and migrated once */
    if (!first)
        return 1;
    store_close(first);
    double cs, cp;
    double es = measure(false, &cs);
    double ep = measure(true, &cp);
    printf("auditlog: %ld entries in batches of %ld from %d connections, signed checkpoints\n", n_total, batch,
           clients);
    printf("  SQLite (synchronous=FULL)        : %9.0f entries/s  %7.0f commits/s\n", es, cs);
    printf("  PostgreSQL (synchronous_commit=on): %9.0f entries/s  %7.0f commits/s\n", ep, cp);
    printf("  ratio PostgreSQL/SQLite          : %9.2f\n", ep / es);
    return 0;
}
