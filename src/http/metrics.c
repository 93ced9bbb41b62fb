/* metrics.c - /metrics and /readyz; see metrics.h. */
#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "domain/auth.h"
#include "http/auth.h"
#include "http/conns.h"
#include "http/internal.h"
#include "http/limits.h"
#include "http/metrics.h"
#include "http/server.h"
#include "audit/auditq.h"
#include "store/health.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* the statuses kaigo answers; anything else is counted as "other" */
static const unsigned statuses[] = {200, 201, 204, 206, 301, 302, 303, 304, 400, 401, 403, 404,
                                    405, 409, 410, 413, 414, 415, 422, 429, 431, 500, 503};
#define NSTATUS (sizeof statuses / sizeof statuses[0] + 1)
/* request latency bounds in µs (0.5 ms … 10 s), then +Inf */
static const long bounds_us[] = {500,    1000,   2500,    5000,    10000,   25000,   50000,
                                 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000};
#define NBUCKET (sizeof bounds_us / sizeof bounds_us[0] + 1)

struct route_metrics {
    _Atomic uint64_t status[NSTATUS];
    _Atomic uint64_t bucket[NBUCKET]; /* not cumulative; summed when shown */
    _Atomic uint64_t sum_us;
};

static struct route_metrics *per_route; /* nroutes + 1 (the last: no route) */
static size_t n_routes;

void metrics_init(size_t nroutes)
{
    n_routes = nroutes;
    per_route = xcalloc(nroutes + 1, sizeof *per_route);
}

void metrics_free(void)
{
    free(per_route);
    per_route = NULL;
}

void metrics_request(const struct route *route, unsigned status, long us)
{
    if (!per_route)
        return;
    size_t ri = route ? (size_t)(route - routes) : n_routes;
    if (ri > n_routes)
        ri = n_routes;
    struct route_metrics *m = &per_route[ri];
    size_t si = 0;
    while (si < NSTATUS - 1 && statuses[si] != status)
        si++;
    size_t bi = 0;
    while (bi < NBUCKET - 1 && us > bounds_us[bi])
        bi++;
    atomic_fetch_add_explicit(&m->status[si], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->bucket[bi], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_us, us > 0 ? (uint64_t)us : 0, memory_order_relaxed);
}

int64_t disk_free_bytes(const char *where)
{
    /* the store's own disk: a SQLite file's directory; for PostgreSQL, what kaigo writes itself
     * (KAIGO_STATE: keys, print jobs) - the database's disk is the cluster's to watch */
    char side[4096];
    const char *path = where;
    if (store_backend_of(where) == STORE_POSTGRESQL) {
        if (store_side_path(where, "", side, sizeof side))
            return -1;
        path = side;
    }
    char dir[4096];
    size_t n = strlen(path);
    if (n >= sizeof dir)
        return -1;
    memcpy(dir, path, n + 1);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        dir[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        memcpy(dir, ".", 2);
    struct statvfs sv;
    if (statvfs(dir, &sv))
        return -1;
    return (int64_t)sv.f_bavail * (int64_t)sv.f_frsize;
}

static void head(struct buf *b, const char *name, const char *type, const char *help)
{
    buf_addf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void render_requests(struct buf *b)
{
    head(b, "kaigo_http_requests_total", "counter", "Requests answered, by route pattern and status.");
    for (size_t i = 0; i <= n_routes; i++) {
        const char *method = i < n_routes ? routes[i].method : "";
        const char *pat = i < n_routes ? routes[i].pattern : "(none)";
        for (size_t s = 0; s < NSTATUS; s++) {
            uint64_t v = atomic_load_explicit(&per_route[i].status[s], memory_order_relaxed);
            if (!v)
                continue;
            char st[16];
            if (s < NSTATUS - 1)
                snprintf(st, sizeof st, "%u", statuses[s]);
            else
                memcpy(st, "other", 6);
            buf_addf(b, "kaigo_http_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"} %llu\n",
                     method, pat, st, (unsigned long long)v);
        }
    }
    head(b, "kaigo_http_request_duration_seconds", "histogram",
         "Time from the request's first byte to its completion, by route pattern.");
    for (size_t i = 0; i <= n_routes; i++) {
        uint64_t c[NBUCKET], total = 0;
        for (size_t k = 0; k < NBUCKET; k++)
            total += c[k] = atomic_load_explicit(&per_route[i].bucket[k], memory_order_relaxed);
        if (!total)
            continue;
        const char *method = i < n_routes ? routes[i].method : "";
        const char *pat = i < n_routes ? routes[i].pattern : "(none)";
        uint64_t cum = 0;
        for (size_t k = 0; k < NBUCKET; k++) {
            cum += c[k];
            char le[24];
            if (k < NBUCKET - 1)
                snprintf(le, sizeof le, "%g", (double)bounds_us[k] / 1e6);
            else
                memcpy(le, "+Inf", 5);
            buf_addf(b,
                     "kaigo_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"%s\"} %llu\n",
                     method, pat, le, (unsigned long long)cum);
        }
        buf_addf(b, "kaigo_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n", method,
                 pat, (double)atomic_load_explicit(&per_route[i].sum_us, memory_order_relaxed) / 1e6);
        buf_addf(b, "kaigo_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %llu\n",
                 method, pat, (unsigned long long)total);
    }
}

static void render_audit(struct buf *b)
{
    if (!srv_auditq)
        return;
    struct auditq_metrics m;
    auditq_metrics(srv_auditq, &m);
    head(b, "kaigo_audit_queue_depth", "gauge", "Audit entries waiting for their group commit.");
    buf_addf(b, "kaigo_audit_queue_depth %zu\n", m.depth);
    head(b, "kaigo_audit_group_commits_total", "counter", "Group commits of the audit log.");
    buf_addf(b, "kaigo_audit_group_commits_total %llu\n", m.batches);
    head(b, "kaigo_audit_entries_total", "counter", "Audit entries made durable.");
    buf_addf(b, "kaigo_audit_entries_total %llu\n", m.entries);
    head(b, "kaigo_audit_commit_failures_total", "counter",
         "Group commits that failed (nothing of them was disclosed).");
    buf_addf(b, "kaigo_audit_commit_failures_total %llu\n", m.failures);
    head(b, "kaigo_audit_log_restarts_total", "counter",
         "Pauses of the audit writer to start the log's WAL from its beginning (its size bound).");
    buf_addf(b, "kaigo_audit_log_restarts_total %llu\n", m.restarts);
    head(b, "kaigo_audit_entries_per_commit", "histogram", "Entries in one group commit.");
    for (size_t k = 0; k < AUDITQ_SIZE_BUCKETS; k++) {
        if (k < AUDITQ_SIZE_BUCKETS - 1)
            buf_addf(b, "kaigo_audit_entries_per_commit_bucket{le=\"%u\"} %llu\n", 1u << k, m.size_hist[k]);
        else
            buf_addf(b, "kaigo_audit_entries_per_commit_bucket{le=\"+Inf\"} %llu\n", m.size_hist[k]);
    }
    buf_addf(b, "kaigo_audit_entries_per_commit_sum %llu\nkaigo_audit_entries_per_commit_count %llu\n", m.entries,
             m.batches);
    head(b, "kaigo_audit_commit_seconds", "histogram",
         "Time of one group commit, its fsync included (synchronous=FULL).");
    for (size_t k = 0; k < AUDITQ_COMMIT_BUCKETS; k++) {
        if (k < AUDITQ_COMMIT_BUCKETS - 1)
            buf_addf(b, "kaigo_audit_commit_seconds_bucket{le=\"%g\"} %llu\n", auditq_commit_bounds_s[k],
                     m.commit_hist[k]);
        else
            buf_addf(b, "kaigo_audit_commit_seconds_bucket{le=\"+Inf\"} %llu\n", m.commit_hist[k]);
    }
    buf_addf(b, "kaigo_audit_commit_seconds_sum %.6f\nkaigo_audit_commit_seconds_count %llu\n",
             m.commit_sum_s, m.batches);
}

int h_metrics(struct req *r)
{
    /* the operator's: counts of routes and sessions are not for offices or persons */
    if (r->who.kind != P_OPERATOR)
        return http_error(r, 403, "forbidden", "運用者トークンが必要です");
    struct buf b;
    buf_init(&b, METRICS_MAX_BYTES);
    render_requests(&b);
    render_audit(&b);
    int64_t free_b = disk_free_bytes(srv_config->db);
    head(&b, "kaigo_disk_free_bytes", "gauge", "Free space on the database's filesystem.");
    buf_addf(&b, "kaigo_disk_free_bytes %lld\n", (long long)free_b);
    head(&b, "kaigo_disk_min_free_bytes", "gauge", "Below this /readyz answers 503 (min_free_mb).");
    buf_addf(&b, "kaigo_disk_min_free_bytes %lld\n", (long long)srv_config->min_free_mb * 1048576LL);
    head(&b, "kaigo_store_writable", "gauge", "1 while the last durable write succeeded.");
    buf_addf(&b, "kaigo_store_writable %d\n", store_health_failing() ? 0 : 1);
    struct store *st = thread_store();
    long long sessions = -1;
    int64_t now = clock_now_ms();
    if (st && st->acc->session_count(st, now - SESSION_IDLE_MS, now - SESSION_ABSOLUTE_MS, &sessions))
        sessions = -1;
    head(&b, "kaigo_sessions_active", "gauge", "Sessions not ended, idle and absolute lifetimes not passed.");
    buf_addf(&b, "kaigo_sessions_active %lld\n", sessions);
    head(&b, "kaigo_store_reads_reused_total", "counter",
         "Read transactions reused because nothing was committed since they began (no WAL lock, no BEGIN).");
    buf_addf(&b, "kaigo_store_reads_reused_total %llu\n", store_reads_reused());
    head(&b, "kaigo_http_connections_open", "gauge", "Connections open now.");
    buf_addf(&b, "kaigo_http_connections_open %u\n", conns_open());
    head(&b, "kaigo_http_connections_evicted_total", "counter",
         "Idle connections shut to make room for a newcomer (an address past its share, or all past the soft bound).");
    buf_addf(&b, "kaigo_http_connections_evicted_total %llu\n", conns_evicted());
    head(&b, "kaigo_http_connections_late_total", "counter", "Connections shut for a request head not complete in time.");
    buf_addf(&b, "kaigo_http_connections_late_total %llu\n", conns_closed_late());
    if (buf_failed(&b)) {
        buf_release(&b);
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    }
    size_t len;
    char *body = buf_detach(&b, &len);
    return respond_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", body, len, NULL, NULL);
}

/* h_readyz - ready for traffic: the database and the audit log can be written and the disk has
 * min_free_mb left. A failing store is probed again at most once a second for the whole process
 * (a flood of probes during an incident must not become a flood of writes). */
int h_readyz(struct req *r)
{
    json_t *why = json_array();
    if (store_health_failing()) {
        static _Atomic int64_t last_probe;
        int64_t now = clock_now_ms(), last = atomic_load(&last_probe);
        bool probe = now - last >= 1000 && atomic_compare_exchange_strong(&last_probe, &last, now);
        struct store *st = probe ? thread_store() : NULL;
        if (!st || st->ops->health_probe(st))
            json_array_append_new(why, json_string("storage_unwritable"));
    }
    if (srv_auditq) {
        struct auditq_metrics m;
        auditq_metrics(srv_auditq, &m);
        if (m.failing && store_health_failing())
            json_array_append_new(why, json_string("audit_unwritable"));
    }
    int64_t free_b = disk_free_bytes(srv_config->db);
    if (free_b >= 0 && free_b < (int64_t)srv_config->min_free_mb * 1048576LL)
        json_array_append_new(why, json_string("disk_low"));
    if (json_array_size(why))
        return respond_json(r, 503, json_pack("{s:s,s:o,s:I}", "status", "unavailable", "reasons", why,
                                              "free_mb", (json_int_t)(free_b / 1048576)));
    json_decref(why);
    return respond_json(r, 200, json_pack("{s:s,s:I}", "status", "ready", "free_mb",
                                          (json_int_t)(free_b / 1048576)));
}
