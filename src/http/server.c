/*
 * server.c - the libmicrohttpd daemon: matching a request to routes.c, authentication,
 * dispatch, the two-call handler and the access log. Handlers live by resource
 * (internal.h lists the files).
 *
 * Threads: MHD's internal epoll thread pool (one per core). Each worker owns a
 * read connection (thread-local, closed when the thread ends); one audit
 * writer thread owns the write connection (audit/auditq.c). Handlers use the
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
#include <sys/resource.h>

#include "domain/wareki.h"
#include "domain/auth.h"
#include "http/auth.h"
#include "codec/cardjson.h"
#include "http/docview.h"
#include "service/certstore.h"
#include "service/cpstore.h"
#include "store/keyfile.h"
#include "codec/docjson.h"
#include "http/conns.h"
#include "http/limits.h"
#include "http/server.h"
#include "http/tokens.h"
#include "http/internal.h"
#include "http/page.h"
#include "http/metrics.h"
#include "http/tls.h"
#include "audit/auditq.h"
#include "store/health.h"
#include "service/disclose.h"
#include "util/jsonflat.h"
#include "util/jsonw.h"
#include "util/log.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/banned.h"

const struct server_config *srv_config;
struct auditq *srv_auditq;
const struct svc_master *srv_codes;
atomic_int srv_stopping;

/* ---- handlers ------------------------------------------------------------ */

/* h_healthz - liveness: the process answers. Whether it can serve (the store writable, the
 * disk not full) is /readyz (metrics.c). */
int h_healthz(struct req *r)
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

int h_insurers(struct req *r)
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

/* ---- routing ------------------------------------------------------------- */

int route_match(const char *pattern, char *path, struct str *params)
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

/* client_cert_refused - with tls_client_ca, an office's API token comes with its office's
 * certificate (http/tls.h): the CN names the 事業所番号 (or a 市町村's 保険者番号, or the
 * organisation id of one with neither). Answers 403 and returns true when it does not. */
static bool client_cert_refused(struct req *r)
{
    char cn[128];
    int v = tls_peer(r->conn, cn, sizeof cn);
    const struct org *o = &r->who.org;
    const char *want = o->office_no[0] ? o->office_no : o->insurer_no[0] ? o->insurer_no : o->id;
    if (v == 1 && strcmp(cn, want) == 0)
        return false;
    http_error(r, 403, v == 0 ? "client_certificate_required" : "client_certificate_refused",
               v == 0 ? "この事業所の API トークンには事業所のクライアント証明書が必要です"
                      : "クライアント証明書を確認できないか、トークンの事業所と一致しません");
    return true;
}

/* authenticate - resolves the caller and applies the route's requirement. */
static int authenticate(struct req *r)
{
    if (r->route->auth == AUTH_NONE || r->route->auth == AUTH_PUBLIC)
        return 0;
    struct store *st = store_or_503(r);
    if (!st)
        return -1;
    if (auth_resolve(st, MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization"),
                     MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Cookie"),
                     srv_config->token, clock_now_ms(), &r->who)) {
        http_error(r, 500, "internal", "内部エラーが発生しました");
        return -1;
    }
    if (r->route->kind == ROUTE_PAGE && r->who.kind != P_SESSION) {
        /* pages are for people with a session; an expired one is said so on the login page */
        char hex[2 * SESSION_ID_BYTES + 1];
        bool had =
            cookie_session(MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Cookie"), hex);
        sodium_memzero(hex, sizeof hex);
        page_redirect(r, had ? "/login?expired=1" : "/login");
        return -1;
    }
    bool ok = r->route->auth == AUTH_ANY ? r->who.kind != P_NONE
                                         : r->who.kind == P_TOKEN || r->who.kind == P_SESSION;
    if (!ok) {
        http_error(
            r, 401, "unauthorized",
            "認証が必要です(ログインするか、Authorization: Bearer <APIトークン> を付けてください)");
        return -1;
    }
    if (srv_config->tls_client_ca_pem && r->who.kind == P_TOKEN && client_cert_refused(r))
        return -1;
    return 0;
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
            if (route_match(routes[i].pattern, r->path, tmp)) {
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
    /* a page's form: read (named limits), then same-origin and, for a session's forms, CSRF */
    if (r->route->kind == ROUTE_PAGE && strcmp(r->method, "POST") == 0) {
        if (form_read(r))
            return;
        if (r->route->auth == AUTH_PUBLIC && !page_post_ok(r))
            return;
    }
    /* A personal GET with an API token only reads until it is suspended for its
     * audit entry: the token, the facts and the data in one snapshot, so the
     * read locks are taken once (a session may write its last-seen time, so
     * it gets no outer snapshot). Ended before the request is suspended. */
    struct store *snap = NULL;
    if (r->route->category != CAT_NONE && strcmp(r->method, "GET") == 0 &&
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization") &&
        !MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Cookie")) {
        snap = thread_store();
        if (snap && snap->ops->read_begin(snap))
            snap = NULL; /* each reader then takes its own */
    }
    int rc = HANDLER_DONE;
    /* a large-body route authenticated at the first call too (before reading the body); it is
     * asked again now, so that a session or token revoked during a slow upload does not count */
    if (authenticate(r) || (r->route->csrf && !page_post_ok(r)))
        ;
    else if (r->route->kind == ROUTE_API && r->who.kind == P_SESSION &&
             strcmp(r->method, "GET") != 0 && !same_origin(r))
        /* the API with a browser's session cookie: a state change must come from this site too
         * (SameSite=Strict still sends the cookie from a sibling subdomain) */
        http_error(r, 403, "cross_origin", "ほかのサイトからの操作は受け付けません");
    else
        rc = r->route->category == CAT_NONE ? r->route->handler(r) : r->route->disclose(r);
    if (snap && snap->ops->read_end(snap))
        warn("read_end: %s", snap->ops->errmsg(snap));
    if (rc == HANDLER_SUSPENDED || r->responded)
        return;
    http_error(r, 500, "internal", "内部エラーが発生しました");
}

/* new_request_id - 8 random bytes in hex. Drawn from a per-thread buffer filled 512 ids at a
 * time: libsodium asks the kernel (getrandom) on every call, a system call per request. */
static void new_request_id(char out[REQUEST_ID_BYTES])
{
    static _Thread_local unsigned char pool[512 * 8];
    static _Thread_local size_t used = sizeof pool;
    if (used == sizeof pool) {
        randombytes_buf(pool, sizeof pool);
        used = 0;
    }
    sodium_bin2hex(out, REQUEST_ID_BYTES, pool + used, 8);
    sodium_memzero(pool + used, 8);
    used += 8;
}

/* on_target - the raw request target, before libmicrohttpd splits or unescapes it
 * (MHD_OPTION_URI_LOG_CALLBACK): the request's state starts here, with the target's verdict. */
static void *on_target(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    struct req *r = xcalloc(1, sizeof *r);
    clock_gettime(CLOCK_MONOTONIC, &r->start);
    r->frame = framing_target(uri);
    r->target_end = uri ? uri + strlen(uri) : NULL;
    return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)cls;
    struct req *r = *con_cls;
    if (!r) /* on_target made it; a libmicrohttpd that skips the URI callback gets one here */
        *con_cls = r = xcalloc(1, sizeof *r);
    if (!r->started) {
        /* First call: headers only. Set up, check framing, header and body limits. */
        r->started = true;
        conns_head_done(conn);
        r->conn = conn;
        r->method = method;
        new_request_id(r->request_id);
        r->path = xstrdup(url);
        /* errors as pages for page routes and for any URL outside the API */
        r->html = strncmp(url, "/api/", 5) != 0 && strcmp(url, "/healthz") != 0;
        for (size_t i = 0; i < routes_len; i++)
            if (strcmp(routes[i].method, method) == 0 &&
                route_match(routes[i].pattern, r->path, r->params)) {
                r->route = &routes[i];
                break;
            }
        if (r->route)
            r->html = r->route->kind != ROUTE_API;
        size_t max = r->route ? r->route->max_body : 0;
        /* before the caller is known, a body is small: the login's (security.md P21) */
        if (r->route && r->route->auth == AUTH_PUBLIC && max > MAX_BODY_PREAUTH)
            max = MAX_BODY_PREAUTH;
        buf_init(&r->body, max);
        /* a malformed head before anything else (a 404 too): 400 and close */
        struct framing_verdict fv =
            r->frame.status ? r->frame : framing_head(conn, method, version);
        /* the request line is "METHOD SP target SP version" with no NUL inside: the target
         * starts right after the method's one space and its C string ends right before the
         * version (a raw NUL cut it short: "GET /card\0/x" matched /card, and the query behind
         * a NUL escaped the parameter limit) */
        if (!fv.status && (!r->target_end || url != method + strlen(method) + 1 ||
                           !*version || version != r->target_end + 1))
            fv = (struct framing_verdict){400, "リクエスト行の形式が正しくありません"};
        if (fv.status) {
            r->close = true;
            r->html = false;
            http_error(r, fv.status, fv.status == 414 ? "uri_too_long" : "bad_request", fv.why);
            return MHD_YES;
        }
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
        /* A route that takes more than MAX_BODY_PREAUTH learns who calls before it reads a
         * byte of the body: an anonymous client cannot make us hold 96 MiB on each of
         * hundreds of connections. A refusal here is answered at once; libmicrohttpd then
         * closes the connection instead of reading the body. */
        if (max > MAX_BODY_PREAUTH && r->route->auth != AUTH_NONE) {
            if (authenticate(r))
                return MHD_YES;
            r->authed = true;
        }
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
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
        disclosure_respond(r);
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
    (void)toe;
    struct req *r = *con_cls;
    conns_request_done(conn);
    if (!r)
        return;
    if (r->status >= 500) { /* a failure may have left a transaction or statement holding locks */
        struct store *st = thread_store();
        if (st)
            st->ops->settle(st);
    }
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    long us = (end.tv_sec - r->start.tv_sec) * 1000000L + (end.tv_nsec - r->start.tv_nsec) / 1000;
    metrics_request(r->route, r->status, us);
    if (srv_config->access_log) {
        /* Route pattern, never the URL: the URL carries personal numbers. */
        log_access(r->started ? r->request_id : "-", r->method ? r->method : "-",
                   r->route ? r->route->pattern : "-", r->status, us);
    }
    buf_release(&r->body);
    if (r->card) {
        sodium_memzero(r->card, sizeof *r->card);
        free(r->card);
    }
    free(r->dlv);
    form_free(r->form);
    free(r->page_ctx); /* a page's own state when its renderer did not run (a refusal, an error) */
    wipe_rows(r);
    sodium_memzero(&r->who, sizeof r->who);
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

static struct MHD_Daemon *daemon_running;

int server_start(const struct server_config *cfg, unsigned *port)
{
    srv_config = cfg;
    if (sodium_init() < 0)
        die("libsodium init failed");
    auth_init();
    /* the key of the short-lived access and refresh tokens (<db>.token-key), and their lifetimes */
    if (tokens_init(cfg->db))
        return 3;
    tokens_set_lifetimes(cfg->access_token_ms ? cfg->access_token_ms : ACCESS_MINUTES_DEFAULT * 60000LL,
                         cfg->refresh_token_ms ? cfg->refresh_token_ms : REFRESH_HOURS_DEFAULT * 3600000LL);
    thread_store_init();
    /* Open once in this thread to run migrations before workers start. */
    struct store *first = store_open(cfg->db, false);
    if (!first)
        return 3;
    store_close(first);
    srv_codes = cfg->codes; /* read-only while serving */
    srv_auditq = auditq_start(cfg->db);
    if (!srv_auditq)
        return 3;

    signal(SIGPIPE, SIG_IGN);

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)cfg->port);
    if (inet_pton(AF_INET, cfg->host, &addr.sin_addr) != 1) {
        error("listen address %s is not an IPv4 address", cfg->host);
        auditq_stop(srv_auditq);
        return 3;
    }
    unsigned threads = cfg->threads ? cfg->threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1)
        threads = 1;
    unsigned conns = cfg->max_connections ? cfg->max_connections : CONN_LIMIT;
    /* a descriptor a connection, plus the databases, the log and some slack */
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < conns + 256) {
        nofile.rlim_cur = nofile.rlim_max < conns + 256 ? nofile.rlim_max : conns + 256;
        setrlimit(RLIMIT_NOFILE, &nofile);
        if (nofile.rlim_cur < conns + 256) {
            warn("open files are limited to %llu: at most %llu connections",
                 (unsigned long long)nofile.rlim_cur, (unsigned long long)nofile.rlim_cur - 256);
            conns = nofile.rlim_cur > 512 ? (unsigned)(nofile.rlim_cur - 256) : 256;
        }
    }
    unsigned per_ip = cfg->max_per_address ? cfg->max_per_address : conns / PER_IP_CONN_DIVISOR;
    if (per_ip < 1)
        per_ip = 1;
    /* conns.c makes room from the soft bounds on; libmicrohttpd's own, above them, only
     * catch what arrives faster than evicted connections close */
    unsigned headroom = conns / CONN_HEADROOM_DIVISOR < 8 ? 8 : conns / CONN_HEADROOM_DIVISOR;
    unsigned soft = conns > 2 * headroom ? conns - headroom : conns / 2;
    unsigned per_ip_hard = per_ip > conns / 2 ? conns : 2 * per_ip;
    if (conns_start(cfg->head_timeout_s ? cfg->head_timeout_s : HEAD_TIMEOUT_S, per_ip, soft)) {
        auditq_stop(srv_auditq);
        return 3;
    }
    info("connections: %u in all, %u per address; a request head within %u s, idle %u s", conns,
         per_ip, cfg->head_timeout_s ? cfg->head_timeout_s : HEAD_TIMEOUT_S, CONN_TIMEOUT_S);
    struct MHD_OptionItem opts[24];
    size_t no = 0;
#define OPT(o, v, p) opts[no++] = (struct MHD_OptionItem){(o), (intptr_t)(v), (p)}
    OPT(MHD_OPTION_EXTERNAL_LOGGER, 0, NULL); /* the four callbacks: filled in below */
    OPT(MHD_OPTION_URI_LOG_CALLBACK, 0, NULL);
    OPT(MHD_OPTION_NOTIFY_CONNECTION, 0, NULL);
    OPT(MHD_OPTION_NOTIFY_COMPLETED, 0, NULL);
    OPT(MHD_OPTION_STRICT_FOR_CLIENT, 1, NULL); /* Host required, no spaces in the URL */
    OPT(MHD_OPTION_SOCK_ADDR, 0, &addr);
    OPT(MHD_OPTION_THREAD_POOL_SIZE, threads, NULL);
    OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, MHD_CONN_MEMORY, NULL);
    OPT(MHD_OPTION_CONNECTION_TIMEOUT, CONN_TIMEOUT_S, NULL);
    OPT(MHD_OPTION_CONNECTION_LIMIT, conns, NULL);
    OPT(MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip_hard, NULL);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
                     MHD_ALLOW_SUSPEND_RESUME;
    if (cfg->tls_cert_pem && cfg->tls_key_pem) {
        flags |= MHD_USE_TLS;
        OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)cfg->tls_cert_pem);
        OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)cfg->tls_key_pem);
        /* TLS 1.2 and 1.3 only, GnuTLS's secure set */
        OPT(MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)"SECURE:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2");
        if (cfg->tls_client_ca_pem)
            OPT(MHD_OPTION_HTTPS_MEM_TRUST, 0, (void *)cfg->tls_client_ca_pem);
    }
    OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
    /* the callbacks: an option of two arguments carries the function as its value and its
     * closure as ptr_value (libmicrohttpd's MHD_OPTION_ARRAY) */
    opts[0].value = (intptr_t)mhd_log;
    opts[1].value = (intptr_t)on_target;
    opts[2].value = (intptr_t)conns_notify;
    opts[3].value = (intptr_t)on_completed;
    metrics_init(routes_len);
    struct MHD_Daemon *d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
                                            MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (!d) {
        error("cannot listen on %s:%u%s", cfg->host, cfg->port,
              cfg->tls_cert_pem ? " (TLS: 証明書と鍵を確かめてください)" : "");
        metrics_free();
        conns_stop();
        auditq_stop(srv_auditq);
        return 3;
    }
    const union MHD_DaemonInfo *dinfo = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    *port = dinfo ? dinfo->port : cfg->port;
    daemon_running = d;
    return 0;
}

void server_stop(void)
{
    /* New disclosures are refused; queued ones complete and their connections
     * resume (MHD requires none suspended at stop); then the daemon stops. */
    srv_stopping = 1;
    auditq_close(srv_auditq);
    unsigned long long batches, entries;
    auditq_stats(srv_auditq, &batches, &entries);
    info("audit: %llu entries in %llu group commits", entries, batches);
    MHD_stop_daemon(daemon_running);
    daemon_running = NULL;
    conns_stop();
    info("connections shut for a late request head: %llu, to make room: %llu", conns_closed_late(),
         conns_evicted());
    auditq_free(srv_auditq);
    srv_auditq = NULL;
    metrics_free();
}

int server_run(const struct server_config *cfg)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* before any thread starts: they inherit it */
    unsigned port;
    int rc = server_start(cfg, &port);
    if (rc)
        return rc;
    printf("kaigo: listening on %s://%s:%u\n", cfg->tls_cert_pem ? "https" : "http", cfg->host, port);
    fflush(stdout);
    int sig;
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
        log_reopen(); /* logrotate moved the file: a new one, nothing lost */
    info("stopping (signal %d)", sig);
    server_stop();
    return 0;
}
