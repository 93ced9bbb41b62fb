/*
 * limits.h - every bound on untrusted HTTP input, in one place.
 */
#ifndef KAIGO_HTTP_LIMITS_H
#define KAIGO_HTTP_LIMITS_H

#define MAX_HEADER_BYTES 8192          /* sum of header names + values → 431 (nginx: 8 KiB a line) */
#define MHD_CONN_MEMORY (16 * 1024)    /* libmicrohttpd per-connection pool: resident while a connection is open (bench/idle.sh) */
#define MAX_BODY_DEFAULT 0             /* routes take no body unless they say so */
#define MAX_BODY_PREAUTH 4096          /* before authentication */
#define MAX_QUERY_VALUE 64             /* a date or a code */
#define MAX_QUERY_PARAMS 32          /* parameters in one query string → 414 (framing.c) */
#define MAX_QUERY_TOKEN 256            /* a paper token (KG1: + 168 characters) */
#define VERIFY_PER_MINUTE 60           /* online checks of paper tokens per caller (KAIGO_VERIFY_RATE) */
#define CONN_TIMEOUT_S 30              /* idle connections are dropped; the next head is due within it */
#define HEAD_TIMEOUT_S 10              /* a new connection's first request head (conns.c; --header-timeout) */
#define CONN_LIMIT 16384               /* open connections in all (--max-connections): 16.6 KB each idle */
/* one address may hold 1/16 of them (--max-per-address); past that, or past all but 1/16 of the
 * total, a newcomer is served and an idle connection gives way (conns.c) - the flooding address's
 * own first, so a flood displaces only itself */
#define PER_IP_CONN_DIVISOR 16
#define CONN_HEADROOM_DIVISOR 16 /* at least 8: evicted connections close at the next turn */
#define MIN_FREE_MB 256                /* /readyz: 503 below this much free disk (min_free_mb) */
#define METRICS_MAX_BYTES (1 << 20)    /* /metrics text, at most */

#endif
