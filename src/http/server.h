/*
 * server.h - kaigo serve: the libmicrohttpd server, route table and dispatcher.
 *
 * SECURITY: talks to untrusted HTTP clients. Callers are staff or persons with
 * a session (password + TOTP), provider software with an API token, or the
 * operator token (master data only); personal data leaves only through
 * service/disclose.c (audited, durable first). The access log holds method,
 * route pattern, status, timing and request id: never a URL, never personal data.
 */
#ifndef KAIGO_HTTP_SERVER_H
#define KAIGO_HTTP_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "domain/gate.h"
#include "domain/svcmaster.h"

struct server_config {
    const char *db;
    const char *host; /* "127.0.0.1" */
    unsigned port;    /* 0 = any free port */
    const char *token;
    unsigned threads; /* 0 = one per core */
    bool access_log;
    bool secure_cookies; /* served over TLS (a terminating proxy): cookies get Secure */
    int verify_per_minute; /* online checks of paper tokens per caller (VERIFY_PER_MINUTE) */
    unsigned head_timeout_s;  /* 0: HEAD_TIMEOUT_S */
    unsigned max_connections; /* 0: CONN_LIMIT */
    unsigned max_per_address; /* 0: max_connections / PER_IP_CONN_DIVISOR */
    int64_t access_token_ms;  /* 0: ACCESS_MINUTES_DEFAULT (tokens.h) */
    int64_t refresh_token_ms; /* 0: REFRESH_HOURS_DEFAULT */
    const struct svc_master *codes; /* the service-code master for the 第7表 of the plan pages, or NULL */
    int min_free_mb;          /* /readyz: 503 below this much free disk */
    /* HTTPS (http/tls.h): PEM text, NUL-terminated; NULL for plain HTTP */
    const char *tls_cert_pem, *tls_key_pem;
    const char *tls_client_ca_pem; /* office client certificates' CA, or NULL */
};

/* server_run - serves until SIGINT/SIGTERM (SIGHUP reopens the log file). Prints
 * "kaigo: listening on http://HOST:PORT" as the first stdout line. Returns 0 or 3. */
int server_run(const struct server_config *cfg);
/* server_start / server_stop - the same server without the signal wait, for an in-process
 * harness (tests/fuzz/fuzz_http.c): start returns 0 and the bound port, or 3; one at a time. */
int server_start(const struct server_config *cfg, unsigned *port);
void server_stop(void);

/* ---- the route table (exposed for the route-walk test) ------------------- */
struct req;
typedef int route_fn(struct req *r);

enum route_auth {
    AUTH_NONE = 0, /* /healthz and static assets only */
    AUTH_PUBLIC,   /* the login (API and page): no credential yet */
    AUTH_ANY,      /* the operator token, an API token or a session */
    AUTH_USER,     /* an API token or a session (never the operator token) */
};

/* whom a route is about: the policy that target() applies */
enum route_audience {
    AUD_NONE = 0, /* no person (master data, the caller's own office, a presented token) */
    AUD_SELF,     /* the caller's own person (a person's session): /api/v1/me/…, /me/… */
    AUD_PERSON,   /* the person named by {insurer}/{insured} in the path */
};

enum route_kind {
    ROUTE_API = 0, /* JSON in and out; errors as JSON */
    ROUTE_PAGE,    /* HTML; a missing session redirects to /login; errors as pages */
    ROUTE_ASSET,   /* a static file built into the binary (no personal data) */
};

struct route {
    const char *method;
    const char *pattern;    /* segments; {name} binds a parameter */
    enum category category; /* CAT_NONE: not personal data */
    enum route_auth auth;
    enum route_audience audience;
    enum route_kind kind;
    bool csrf;              /* a page form that changes state: the session's CSRF token and
                               a same-origin request are required (docs/ui.md) */
    size_t max_body;
    route_fn *handler;  /* non-personal routes only */
    route_fn *disclose; /* personal routes: must go through service/disclose.c */
};

extern const struct route routes[];
extern const size_t routes_len;

#endif
