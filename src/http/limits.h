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
#define CONN_TIMEOUT_S 30              /* idle or slow connections are dropped */
#define CONN_LIMIT 4096
#define PER_IP_CONN_LIMIT 512

#endif
