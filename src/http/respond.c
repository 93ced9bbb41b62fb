/*
 * respond.c - answers, JSON errors, request bodies and the per-thread read connection.
 *
 * Failure behaviour: every helper that fails answers the request itself (an
 * http_error) and returns -1 or NULL; the caller only returns.
 */
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "domain/auth.h"
#include "domain/wareki.h"
#include "codec/cardjson.h"
#include "http/docview.h"
#include "http/internal.h"
#include "http/page.h"
#include "http/limits.h"
#include "audit/auditq.h"
#include "service/certstore.h"
#include "service/cpstore.h"
#include "codec/docjson.h"
#include "store/keyfile.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* ---- per-thread read connection ------------------------------------------ */

static pthread_key_t store_key;

static void store_key_close(void *p)
{
    store_close(p);
}

void thread_store_init(void)
{
    if (pthread_key_create(&store_key, store_key_close))
        die("pthread_key_create failed");
}

struct store *thread_store(void)
{
    struct store *st = pthread_getspecific(store_key);
    if (!st) {
        st = store_open(srv_config->db, false);
        if (st) {
            st->ops->read_reuse(st); /* a worker's reads reuse a snapshot still the newest */
            pthread_setspecific(store_key, st);
        }
    }
    return st;
}

/* ---- responses ----------------------------------------------------------- */

int respond_raw(struct req *r, unsigned status, const char *ctype, char *body, size_t len,
                       const char *extra_name, const char *extra_value)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", ctype);
    MHD_add_response_header(resp, "X-Request-Id", r->request_id);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    /* the pages' policy (docs/ui.md): own origin only, no inline script or style, no framing */
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                            "form-action 'self'; frame-ancestors 'none'");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    if (extra_name)
        MHD_add_response_header(resp, extra_name, extra_value);
    if (srv_config->tls_cert_pem) /* served over TLS by kaigo itself: browsers keep to https */
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    if (r->set_cookie[0])
        MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
    if (r->close)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result rc = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    r->status = status;
    r->responded = true;
    return rc == MHD_YES ? 0 : -1;
}

/* A reply jansson could not build (json_pack refuses invalid UTF-8 and returns NULL, and so does
 * json_dumps when out of memory) is this request's failure, answered 500 - never the server's:
 * die() here took every other connection down with it. */
static const char internal_json[] =
    "{\"error\":{\"code\":\"internal\",\"message\":\"内部エラーが発生しました\"}}";

static int respond_internal(struct req *r)
{
    char *s = strdup(internal_json);
    if (!s)
        return -1;
    warn("request %s: the reply could not be built", r->request_id);
    return respond_raw(r, 500, "application/json; charset=utf-8", s, strlen(s), NULL, NULL);
}

int respond_json(struct req *r, unsigned status, json_t *o)
{
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!s)
        return respond_internal(r);
    /* json_dumps allocates with malloc; MHD frees with free(). */
    return respond_raw(r, status, "application/json; charset=utf-8", s, strlen(s), NULL, NULL);
}

int http_error(struct req *r, unsigned status, const char *code, const char *message)
{
    /* a failure because the database cannot be reached now (a failover) is the service's:
     * 503 with Retry-After, so that clients try again, not 500 */
    struct store *st = pthread_getspecific(store_key);
    bool down = status == 500 && st && st->ops->unavailable && st->ops->unavailable(st);
    if (down) {
        status = 503;
        code = "unavailable";
        message = "データベースに接続できません。しばらくしてから再度お試しください";
    }
    if (r->html) {
        const char *title = status == 404   ? "ページが見つかりません"
                            : status == 403 ? "この操作はできません"
                            : status == 429 ? "しばらくお待ちください"
                            : status >= 500 ? "ただいま表示できません"
                                            : "入力を確かめてください";
        return page_error(r, status, title, message);
    }
    json_t *e = json_pack("{s:{s:s,s:s,s:s}}", "error", "code", code, "message", message,
                          "request_id", r->request_id);
    char *s = e ? json_dumps(e, JSON_COMPACT) : NULL;
    json_decref(e);
    if (!s)
        return respond_internal(r);
    return respond_raw(r, status, "application/json; charset=utf-8", s, strlen(s),
                       status == 401 ? "WWW-Authenticate" : down ? "Retry-After" : NULL, down ? "1" : "Bearer");
}

int query_date(struct req *r, struct date *out)
{
    const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "date");
    const char *why;
    if (!v || !*v) {
        *out = date_today();
        return 0;
    }
    size_t n = strlen(v);
    if (n > MAX_QUERY_VALUE) {
        http_error(r, 400, "bad_date", "date が長すぎます。YYYY-MM-DD または和暦(例: R6.4.1)で指定してください");
        return -1;
    }
    if (date_parse_any(v, n, out, &why)) {
        /* the reason, as the CLI says it (その元号にその年はありません …) */
        char msg[300];
        snprintf(msg, sizeof msg, "date: %s(YYYY-MM-DD または和暦、例: R6.4.1)", why);
        http_error(r, 400, "bad_date", msg);
        return -1;
    }
    return 0;
}

int person_param(struct req *r, struct person_key *k)
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


/* target - the person a personal route is about: {insurer}/{insured}, or the
 * caller's own person for /me routes. */
int target(struct req *r, struct person_key *k)
{
    if (r->route->audience == AUD_SELF) {
        if (r->who.kind != P_SESSION || r->who.acct.staff || !r->who.acct.person.insurer_no[0]) {
            http_error(r, 403, "forbidden", "本人のアカウントでログインしてください");
            return -1;
        }
        *k = r->who.acct.person;
        return 0;
    }
    return person_param(r, k);
}
void ms_iso(int64_t ms, char out[64])
{
    time_t t = (time_t)(ms / 1000) + 9 * 3600; /* shown in JST */
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d+09:00", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}
/* ---- request bodies -------------------------------------------------------- */

int body_json(struct req *r, struct jsonflat *j)
{
    if (r->body.len == 0 || jf_parse(r->body.ptr, r->body.len, j)) {
        http_error(r, 400, "bad_json", "リクエスト本文はJSONオブジェクト(入れ子なし)で送ってください");
        return -1;
    }
    return 0;
}

/* body_str - a required string member into out; 400 naming it if missing or too long. */
int body_str(struct req *r, const struct jsonflat *j, const char *key, char *out, size_t cap,
                    bool required)
{
    const struct jf_member *m = jf_get(j, key);
    out[0] = '\0';
    if (!m && !required)
        return 0;
    if (!m || jf_string(m, out, cap) || !utf8_valid(out, strlen(out), NULL)) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s を文字列で指定してください(長さの上限は%zu)", key, cap - 1);
        http_error(r, 400, "bad_field", msg);
        return -1;
    }
    return 0;
}

const char *client_address(struct req *r, char out[INET_ADDRSTRLEN])
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, out,
                  INET_ADDRSTRLEN);
    return out;
}

void set_session_cookie(struct req *r, const unsigned char sid[SESSION_ID_BYTES])
{
    char hex[2 * SESSION_ID_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, sid, SESSION_ID_BYTES);
    /* Secure is added when kaigo is served over TLS (behind a terminating proxy: srv_config->secure). */
    snprintf(r->set_cookie, sizeof r->set_cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s",
             SESSION_COOKIE, hex, srv_config->secure_cookies ? "; Secure" : "");
    sodium_memzero(hex, sizeof hex);
}

struct store *store_or_503(struct req *r)
{
    struct store *st = thread_store();
    if (!st)
        http_error(r, 503, "unavailable", "データベースに接続できません");
    return st;
}

/* begin_write - the actor of this request (for person k) and a write
 * transaction on the worker's connection; NULL after answering 503. */
struct store *begin_write(struct req *r, const struct person_key *k, struct actor *a)
{
    struct store *st = store_or_503(r);
    if (!st)
        return NULL;
    principal_actor(&r->who, k, a);
    if (st->ops->begin(st)) {
        http_error(r, 503, "unavailable", "データベースが混み合っています");
        return NULL;
    }
    return st;
}

int body_date(struct req *r, const struct jsonflat *j, const char *key, struct date *out,
                     bool default_today)
{
    char s[40];
    const char *why;
    if (body_str(r, j, key, s, sizeof s, false))
        return -1;
    if (!s[0]) {
        *out = default_today ? date_today() : DATE_NONE;
        return 0;
    }
    if (date_parse_any(s, strlen(s), out, &why)) {
        char msg[200];
        snprintf(msg, sizeof msg, "%s: %s(YYYY-MM-DD または和暦)", key, why);
        http_error(r, 400, "bad_date", msg);
        return -1;
    }
    return 0;
}
