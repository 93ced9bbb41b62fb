/*
 * server.c - libmicrohttpd server, route table, dispatcher, JSON errors.
 *
 * Threads: MHD's internal epoll thread pool (one per core). Each worker owns a
 * read connection (thread-local, closed when the thread ends); one audit
 * writer thread owns the write connection (store/auditq.c). Handlers use the
 * two-call pattern so keep-alive connections are kept.
 */
#include <jansson.h>
#include <stdatomic.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>

#include "domain/wareki.h"
#include "http/cardjson.h"
#include "http/limits.h"
#include "http/server.h"
#include "store/auditq.h"
#include "store/disclose.h"
#include "util/log.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define MAX_PARAMS 4

struct req {
    struct MHD_Connection *conn;
    const struct route *route;
    char request_id[REQUEST_ID_BYTES];
    struct timespec start;
    const char *method;
    struct str params[MAX_PARAMS];
    char *path; /* owned copy the params point into */
    struct buf body;
    bool too_big;
    unsigned status;
    bool responded;
    /* a disclosure waiting for its audit entry (connection suspended) */
    bool waiting;
    struct disclosure *disc;
    struct card *card;
    enum disclose_status dstatus;
};

#define HANDLER_SUSPENDED 1 /* a handler's "I will answer after resume" */

static const struct server_config *config;
static struct auditq *auditq;
static atomic_int stopping; /* set at SIGTERM: no new disclosures */
static pthread_key_t store_key;

/* ---- per-thread read connection ------------------------------------------ */

static void store_key_close(void *p)
{
    store_close(p);
}

static struct store *thread_store(void)
{
    struct store *st = pthread_getspecific(store_key);
    if (!st) {
        st = store_open_sqlite(config->db, false);
        if (st)
            pthread_setspecific(store_key, st);
    }
    return st;
}

/* ---- responses ----------------------------------------------------------- */

static int respond_raw(struct req *r, unsigned status, const char *ctype, char *body, size_t len,
                       const char *extra_name, const char *extra_value)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", ctype);
    MHD_add_response_header(resp, "X-Request-Id", r->request_id);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (extra_name)
        MHD_add_response_header(resp, extra_name, extra_value);
    enum MHD_Result rc = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    r->status = status;
    r->responded = true;
    return rc == MHD_YES ? 0 : -1;
}

static int respond_json(struct req *r, unsigned status, json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!s)
        die("out of memory (json)");
    /* json_dumps allocates with malloc; MHD frees with free(). */
    return respond_raw(r, status, "application/json; charset=utf-8", s, strlen(s), NULL, NULL);
}

static int http_error(struct req *r, unsigned status, const char *code, const char *message)
{
    json_t *e = json_pack("{s:{s:s,s:s,s:s}}", "error", "code", code, "message", message,
                          "request_id", r->request_id);
    char *s = json_dumps(e, JSON_COMPACT);
    json_decref(e);
    if (!s)
        die("out of memory (json)");
    return respond_raw(r, status, "application/json; charset=utf-8", s, strlen(s),
                       status == 401 ? "WWW-Authenticate" : NULL, "Bearer");
}

/* ---- handlers ------------------------------------------------------------ */

static int h_healthz(struct req *r)
{
    return respond_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

struct insurer_list_ctx {
    json_t *arr;
};

static int add_insurer(void *ctx, const struct insurer *ins, long long persons)
{
    struct insurer_list_ctx *c = ctx;
    json_array_append_new(c->arr, json_pack("{s:s,s:s,s:s,s:I}", "insurer_no", ins->insurer_no,
                                            "name", ins->name, "prefecture", ins->prefecture,
                                            "persons", (json_int_t)persons));
    return 0;
}

static int h_insurers(struct req *r)
{
    struct store *st = thread_store();
    if (!st)
        return http_error(r, 503, "unavailable", "データベースに接続できません");
    struct insurer_list_ctx c = {json_array()};
    if (st->ops->insurer_list(st, add_insurer, &c)) {
        json_decref(c.arr);
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    }
    return respond_json(r, 200, json_pack("{s:o}", "insurers", c.arr));
}

static int query_date(struct req *r, struct date *out)
{
    const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "date");
    const char *why;
    if (!v || !*v) {
        *out = date_today();
        return 0;
    }
    size_t n = strlen(v);
    if (n > MAX_QUERY_VALUE || date_parse_any(v, n, out, &why)) {
        http_error(r, 400, "bad_date", "date は YYYY-MM-DD または和暦(例: R6.4.1)で指定してください");
        return -1;
    }
    return 0;
}

static int person_param(struct req *r, struct person_key *k)
{
    const char *why;
    struct str ins = r->params[0], no = r->params[1];
    if (insurer_no_check(ins.ptr, ins.len, &why)) {
        http_error(r, 400, "bad_insurer_no", why);
        return -1;
    }
    if (insured_no_check(no.ptr, no.len, &why)) {
        http_error(r, 400, "bad_insured_no", why);
        return -1;
    }
    memset(k, 0, sizeof *k);
    memcpy(k->insurer_no, ins.ptr, INSURER_NO_LEN);
    memcpy(k->insured_no, no.ptr, INSURED_NO_LEN);
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs in the audit writer thread once the entry is durable (or failed). */
static void card_disclosed(void *ctx, enum disclose_status status)
{
    struct req *r = ctx;
    r->dstatus = status;
    MHD_resume_connection(r->conn);
}

static int d_card(struct req *r)
{
    struct person_key k;
    struct date on;
    if (person_param(r, &k) || query_date(r, &on))
        return 0;
    struct store *st = thread_store();
    if (!st)
        return http_error(r, 503, "unavailable", "データベースに接続できません");
    if (stopping)
        return http_error(r, 503, "stopping", "サーバを停止しています");
    struct disclosure *d = r->disc = xcalloc(1, sizeof *d);
    r->card = xmalloc(sizeof *r->card);
    d->rq.actor.role = ROLE_OPERATOR;
    snprintf(d->rq.actor.id, sizeof d->rq.actor.id, "operator-token");
    d->rq.person = k;
    d->rq.category = CAT_SHIKAKU;
    d->rq.purpose = PURPOSE_ADMIN;
    d->request_id = r->request_id;
    d->time_ms = now_ms();
    /* Suspend first: the writer may resume us before disclose_card_async returns. */
    r->waiting = true;
    MHD_suspend_connection(r->conn);
    disclose_card_async(st, auditq, d, on, r->card, card_disclosed, r);
    return HANDLER_SUSPENDED;
}

/* card_respond - after resume: send the card only if its audit entry is durable. */
static void card_respond(struct req *r)
{
    switch (r->dstatus) {
    case DISCLOSE_OK: {
        struct jsonw w;
        jw_init(&w, 1 << 20);
        card_json(&w, r->card);
        size_t len;
        char *body = jw_detach(&w, &len);
        if (!body)
            http_error(r, 500, "internal", "内部エラーが発生しました");
        else
            respond_raw(r, 200, "application/json; charset=utf-8", body, len, NULL, NULL);
        break;
    }
    case DISCLOSE_NOT_FOUND:
        http_error(r, 404, "not_found", "該当する被保険者が見つかりません");
        break;
    case DISCLOSE_DENIED:
        http_error(r, 403, "forbidden", "この情報を参照する権限がありません");
        break;
    case DISCLOSE_AUDIT_FAILED:
        http_error(r, 503, "audit_unavailable", "アクセス記録を保存できないため、情報を開示できません");
        break;
    default:
        http_error(r, 500, "internal", "内部エラーが発生しました");
    }
}

const struct route routes[] = {
    /* method  pattern                                            category     auth  body  handler     disclose */
    {"GET", "/healthz", CAT_NONE, false, 0, h_healthz, NULL},
    {"GET", "/api/v1/insurers", CAT_NONE, true, 0, h_insurers, NULL},
    {"GET", "/api/v1/insurers/{insurer}/insured/{insured}/card", CAT_SHIKAKU, true, 0, NULL, d_card},
};
const size_t routes_len = ARRAY_LEN(routes);

/* ---- routing ------------------------------------------------------------- */

/* match - pattern segments against the path; binds {params}. 1 = match. */
static int match(const char *pattern, char *path, struct str *params)
{
    const char *p = pattern;
    const char *u = path;
    int np = 0;
    while (*p && *u) {
        if (*p != '/' || *u != '/')
            return 0;
        p++;
        u++;
        const char *pe = strchr(p, '/');
        const char *ue = strchr(u, '/');
        size_t pl = pe ? (size_t)(pe - p) : strlen(p);
        size_t ul = ue ? (size_t)(ue - u) : strlen(u);
        if (pl >= 2 && p[0] == '{') {
            if (ul == 0 || np == MAX_PARAMS)
                return 0;
            params[np++] = (struct str){u, ul};
        } else if (pl != ul || memcmp(p, u, pl) != 0)
            return 0;
        p += pl;
        u += ul;
    }
    return *p == '\0' && *u == '\0';
}

static int authorized(struct req *r)
{
    const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
    size_t tl = strlen(config->token);
    if (!h || strncmp(h, "Bearer ", 7) != 0)
        return 0;
    h += 7;
    return strlen(h) == tl && sodium_memcmp(h, config->token, tl) == 0;
}

struct hdr_sum {
    size_t bytes;
    bool bad_name; /* whitespace in a field name (RFC 9112 §5.1: 400) */
};

static enum MHD_Result sum_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    (void)kind;
    struct hdr_sum *s = cls;
    s->bytes += strlen(key) + (value ? strlen(value) : 0) + 4;
    if (strpbrk(key, " \t"))
        s->bad_name = true;
    return MHD_YES;
}

static void dispatch(struct req *r)
{
    if (!r->route) {
        /* distinguish 405 from 404 */
        for (size_t i = 0; i < routes_len; i++) {
            struct str tmp[MAX_PARAMS];
            if (match(routes[i].pattern, r->path, tmp)) {
                http_error(r, 405, "method_not_allowed", "このメソッドは使えません");
                return;
            }
        }
        http_error(r, 404, "no_route", "そのURLはありません");
        return;
    }
    if (r->too_big) {
        http_error(r, 413, "body_too_large", "リクエスト本文が大きすぎます");
        return;
    }
    if (r->route->auth && !authorized(r)) {
        http_error(r, 401, "unauthorized", "認証が必要です(Authorization: Bearer <運用者トークン>)");
        return;
    }
    int rc = r->route->category == CAT_NONE ? r->route->handler(r) : r->route->disclose(r);
    if (rc == HANDLER_SUSPENDED)
        return;
    if (!r->responded)
        http_error(r, 500, "internal", "内部エラーが発生しました");
}

static void new_request_id(char out[REQUEST_ID_BYTES])
{
    unsigned char rnd[8];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(out, REQUEST_ID_BYTES, rnd, sizeof rnd);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)cls;
    (void)version;
    struct req *r = *con_cls;
    if (!r) {
        /* First call: headers only. Set up, check header and body limits. */
        r = xcalloc(1, sizeof *r);
        r->conn = conn;
        r->method = method;
        clock_gettime(CLOCK_MONOTONIC, &r->start);
        new_request_id(r->request_id);
        r->path = xstrdup(url);
        *con_cls = r;
        for (size_t i = 0; i < routes_len; i++)
            if (strcmp(routes[i].method, method) == 0 &&
                match(routes[i].pattern, r->path, r->params)) {
                r->route = &routes[i];
                break;
            }
        buf_init(&r->body, r->route ? r->route->max_body : 0);
        if (!r->route) { /* 404 or 405 at once; a body is never read for it */
            dispatch(r);
            return MHD_YES;
        }
        struct hdr_sum hs = {0};
        MHD_get_connection_values(conn, MHD_HEADER_KIND, sum_header, &hs);
        if (hs.bytes > MAX_HEADER_BYTES) {
            http_error(r, 431, "headers_too_large", "リクエストヘッダが大きすぎます");
            return MHD_YES;
        }
        if (hs.bad_name) {
            http_error(r, 400, "bad_request", "ヘッダ名に空白があります");
            return MHD_YES;
        }
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        size_t max = r->route ? r->route->max_body : 0;
        if (cl) {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(cl, &end, 10);
            if (*cl < '0' || *cl > '9' || *end || errno) {
                http_error(r, 400, "bad_request", "Content-Length が不正です");
                return MHD_YES;
            }
            if (v > max) {
                http_error(r, 413, "body_too_large", "リクエスト本文が大きすぎます");
                return MHD_YES;
            }
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->responded) {
            buf_add(&r->body, upload, *upload_size);
            if (buf_failed(&r->body))
                r->too_big = true;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->waiting) { /* resumed: the audit entry is durable, or failed */
        r->waiting = false;
        card_respond(r);
        return MHD_YES;
    }
    if (!r->responded)
        dispatch(r);
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct req *r = *con_cls;
    if (!r)
        return;
    if (config->access_log) {
        struct timespec end;
        clock_gettime(CLOCK_MONOTONIC, &end);
        long us = (end.tv_sec - r->start.tv_sec) * 1000000L + (end.tv_nsec - r->start.tv_nsec) / 1000;
        /* Route pattern, never the URL: the URL carries personal numbers. */
        fprintf(stderr, "access id=%s method=%s route=%s status=%u us=%ld\n", r->request_id,
                r->method, r->route ? r->route->pattern : "-", r->status, us);
    }
    buf_release(&r->body);
    if (r->card) {
        sodium_memzero(r->card, sizeof *r->card);
        free(r->card);
    }
    free(r->disc);
    free(r->path);
    free(r);
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) FMT(2, 0);
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    warn("http: %s", msg);
}

int server_run(const struct server_config *cfg)
{
    config = cfg;
    if (sodium_init() < 0)
        die("libsodium init failed");
    if (pthread_key_create(&store_key, store_key_close))
        die("pthread_key_create failed");
    /* Open once in this thread to run migrations before workers start. */
    struct store *first = store_open_sqlite(cfg->db, false);
    if (!first)
        return 3;
    store_close(first);
    auditq = auditq_start(cfg->db);
    if (!auditq)
        return 3;

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)cfg->port);
    if (inet_pton(AF_INET, cfg->host, &addr.sin_addr) != 1) {
        error("listen address %s is not an IPv4 address", cfg->host);
        auditq_stop(auditq);
        return 3;
    }
    unsigned threads = cfg->threads ? cfg->threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1)
        threads = 1;
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
            MHD_ALLOW_SUSPEND_RESUME,
        0, NULL, NULL,
        on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_STRICT_FOR_CLIENT, (int)1, /* Host required, no spaces in the URL */
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)MHD_CONN_MEMORY,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)CONN_LIMIT, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PER_IP_CONN_LIMIT,
        MHD_OPTION_END);
    if (!d) {
        error("cannot listen on %s:%u", cfg->host, cfg->port);
        auditq_stop(auditq);
        return 3;
    }
    const union MHD_DaemonInfo *dinfo = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("kaigo: listening on http://%s:%u\n", cfg->host, dinfo ? dinfo->port : cfg->port);
    fflush(stdout);

    int sig;
    sigwait(&set, &sig);
    info("stopping (signal %d)", sig);
    /* New disclosures are refused; queued ones complete and their connections
     * resume (MHD requires none suspended at stop); then the daemon stops. */
    stopping = 1;
    auditq_close(auditq);
    unsigned long long batches, entries;
    auditq_stats(auditq, &batches, &entries);
    fprintf(stderr, "kaigo: audit: %llu entries in %llu group commits\n", entries, batches);
    MHD_stop_daemon(d);
    auditq_free(auditq);
    auditq = NULL;
    return 0;
}
