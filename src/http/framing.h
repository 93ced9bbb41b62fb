/*
 * framing.h - the request head held to RFC 9112 where libmicrohttpd 0.9.75 (Debian 12's) is
 * lenient: bare LF, obs-fold, control bytes and NUL in a field, a repeated Host,
 * Content-Length or Transfer-Encoding, a transfer coding other than chunked, %00 in the
 * target, and a flood of query parameters (security.md P21).
 *
 * SECURITY: reads untrusted bytes. Pure checks over what libmicrohttpd holds; no allocation,
 * no I/O. A refusal is an HTTP status and a reason in Japanese for the error body; the
 * caller answers it and closes the connection (a refused head leaves its framing unknown).
 */
#ifndef KAIGO_HTTP_FRAMING_H
#define KAIGO_HTTP_FRAMING_H

#include <microhttpd.h>

struct framing_verdict {
    unsigned status; /* 0: acceptable; else 400, 414 */
    const char *why; /* Japanese, for the error body */
};

/* framing_target - the raw request target, called from MHD_OPTION_URI_LOG_CALLBACK before
 * libmicrohttpd splits off the query or unescapes anything. A target with more than
 * MAX_QUERY_PARAMS parameters has its query emptied in place so that libmicrohttpd does not
 * exhaust its connection pool parsing it (it then answered nothing at all); the caller
 * answers 414 from the verdict. */
struct framing_verdict framing_target(const char *raw);

/* framing_head - the parsed head at the first access-handler call: every field name a
 * token, every value free of control bytes, no duplicates of the fields that frame the
 * message, the only transfer coding "chunked", and the head's line structure exactly
 * "CRLF"-terminated with no continuation lines. */
struct framing_verdict framing_head(struct MHD_Connection *conn, const char *method,
                                    const char *version);

#endif
