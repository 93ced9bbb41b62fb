/*
 * limits.h - every bound on untrusted HTTP input, in one place.
 */
#ifndef KAIGO_HTTP_LIMITS_H
#define KAIGO_HTTP_LIMITS_H

#define MAX_HEADER_BYTES 16384         /* sum of header names + values → 431 */
#define MHD_CONN_MEMORY (24 * 1024)    /* libmicrohttpd per-connection pool (zeroed per request) */
#define MAX_BODY_DEFAULT 0             /* routes take no body unless they say so */
#define MAX_BODY_PREAUTH 4096          /* before authentication */
#define MAX_QUERY_VALUE 64             /* a date or a code */
#define MAX_QUERY_PARAMS 32          /* parameters in one query string → 414 (framing.c) */
#define MAX_QUERY_TOKEN 256            /* a paper token (KG1: + 168 characters) */
#define VERIFY_PER_MINUTE 60           /* online checks of paper tokens per caller (KAIGO_VERIFY_RATE) */
#define CONN_TIMEOUT_S 30              /* idle connections are dropped; the next head is due within it */
#define HEAD_TIMEOUT_S 10              /* a new connection's first request head (conns.c; --header-timeout) */
#define CONN_LIMIT 10000               /* open connections in all (--max-connections) */
/* one address may hold at most 1/16 of them (--max-per-address): a flood from a few
 * addresses - 8 × 512 filled the old 4096 - leaves room for everyone else */
#define PER_IP_CONN_DIVISOR 16
#define MIN_FREE_MB 256                /* /readyz: 503 below this much free disk (min_free_mb) */
#define METRICS_MAX_BYTES (1 << 20)    /* /metrics text, at most */

#endif
