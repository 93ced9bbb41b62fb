/*
 * server.h - kaigo serve: the libmicrohttpd server, route table and dispatcher.
 *
 * SECURITY: talks to untrusted HTTP clients. Callers are staff or persons with
 * a session (password + TOTP), provider software with an API token, or the
 * operator token (master data only); personal data leaves only through
 * store/disclose.c (audited, durable first). The access log holds method,
 * route pattern, status, timing and request id: never a URL, never personal data.
 */
#ifndef KAIGO_HTTP_SERVER_H
#define KAIGO_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/gate.h"

struct server_config {
    const char *db;
    const char *host; /* "127.0.0.1" */
    unsigned port;    /* 0 = any free port */
    const char *token;
    unsigned threads; /* 0 = one per core */
    bool access_log;
    bool secure_cookies; /* served over TLS (a terminating proxy): cookies get Secure */
};

/* server_run - serves until SIGINT/SIGTERM. Prints
 * "kaigo: listening on http://HOST:PORT" as the first stdout line. Returns 0 or 3. */
int server_run(const struct server_config *cfg);

/* ---- the route table (exposed for the route-walk test) ------------------- */
struct req;
typedef int route_fn(struct req *r);

enum route_auth {
    AUTH_NONE = 0, /* /healthz only */
    AUTH_PUBLIC,   /* POST /api/v1/login only: no credential yet */
    AUTH_ANY,      /* the operator token, an API token or a session */
    AUTH_USER,     /* an API token or a session (never the operator token) */
};

struct route {
    const char *method;
    const char *pattern;  /* segments; {name} binds a parameter */
    enum category category; /* CAT_NONE: not personal data */
    enum route_auth auth;
    size_t max_body;
    route_fn *handler;  /* non-personal routes only */
    route_fn *disclose; /* personal routes: must go through store/disclose.c */
};

extern const struct route routes[];
extern const size_t routes_len;

#endif
