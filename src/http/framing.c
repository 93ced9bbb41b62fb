/*
 * framing.c - the request head held to RFC 9112 where libmicrohttpd 0.9.75 is lenient.
 * See framing.h.
 *
 * How the head is seen: libmicrohttpd 0.9.75 parses the head in place in its read buffer. The
 * request line starts at the method; each line's CR and LF become NUL (a bare LF becomes one
 * NUL), each field's colon becomes NUL, and the field's name and value point into that block,
 * in order. So a head made only of CRLF-ended lines without continuations leaves exactly two
 * NULs between the end of one line's last string and the start of the next line, and four at
 * the end (the last field's CRLF and the empty line). Anything else there - one NUL (a bare
 * LF), a NUL and more bytes (a NUL inside a value, which libmicrohttpd's strlen cut off), a
 * field outside the block (a continuation line, which libmicrohttpd copies elsewhere) - is a
 * head we refuse. The layout is that release's (src/microhttpd/connection.c,
 * get_next_header_line and process_header_line); tests/e2e/framing.test.mjs sends each case
 * and fails if a later libmicrohttpd lays the head out otherwise.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "http/framing.h"
#include "http/limits.h"
#include "util/banned.h"

static const struct framing_verdict OK = {0, NULL};

static struct framing_verdict refuse(unsigned status, const char *why)
{
    return (struct framing_verdict){status, why};
}

struct framing_verdict framing_target(const char *raw)
{
    if (!raw)
        return OK;
    size_t params = 0;
    const char *q = strchr(raw, '?');
    for (const char *p = raw; *p; p++) {
        /* %00 would end the path or a value at a NUL once unescaped (…/card%00/x served the card)
         */
        if (p[0] == '%' && p[1] == '0' && p[2] == '0')
            return refuse(400, "URL に %00 は使えません");
        if ((unsigned char)*p < 0x21 || (unsigned char)*p == 0x7f)
            return refuse(400, "URL に制御文字は使えません");
        if (q && p > q && *p == '&')
            params++;
    }
    if (q && q[1])
        params++;
    if (params > MAX_QUERY_PARAMS) {
#if MHD_VERSION <= 0x00097500
        /* 0.9.75 splits the query into its connection pool after this call; a few hundred
         * parameters exhaust the pool and it then answered nothing. The target is in its own
         * writable read buffer (it is handed to us as const only by the callback's type):
         * ending the query at its first byte leaves nothing to split. */
        ((char *)q)[1] = '\0';
#endif
        return refuse(414, "URL のパラメータが多すぎます");
    }
    return OK;
}

/* RFC 9110 §5.6.2 token characters */
static bool tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

struct head_walk {
    const char *lo, *hi;  /* the head block: [method, method + header size) */
    const char *prev_end; /* end of the previous line's last string */
    unsigned host, clen, tenc;
    const char *tenc_value;
    struct framing_verdict v;
};

/* exactly two NULs (a CRLF) between the previous line and this field's name */
static bool crlf_before(struct head_walk *w, const char *name)
{
    return name >= w->lo && name < w->hi && name - w->prev_end == 2 && w->prev_end[0] == '\0' &&
           w->prev_end[1] == '\0';
}

static enum MHD_Result walk_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                  size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    struct head_walk *w = cls;
    if (!crlf_before(w, key) || !value || value < key || value + value_size >= w->hi) {
        w->v = refuse(400, "リクエストの行末は CRLF だけです(LF だけの行末や継続行は使えません)");
        return MHD_NO;
    }
    if (key_size == 0) {
        w->v = refuse(400, "ヘッダ名が空です");
        return MHD_NO;
    }
    for (size_t i = 0; i < key_size; i++)
        if (!tchar((unsigned char)key[i])) {
            w->v = refuse(400, "ヘッダ名に使えない文字があります");
            return MHD_NO;
        }
    for (size_t i = 0; i < value_size; i++) {
        unsigned char c = (unsigned char)value[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            w->v = refuse(400, "ヘッダの値に制御文字があります");
            return MHD_NO;
        }
    }
    if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0)
        w->host++;
    else if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
        w->clen++;
    else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        w->tenc++;
        w->tenc_value = value;
    }
    w->prev_end = value + value_size;
    return MHD_YES;
}

struct framing_verdict framing_head(struct MHD_Connection *conn, const char *method,
                                    const char *version)
{
    const union MHD_ConnectionInfo *hs =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    if (!hs || !method || !version)
        return refuse(400, "リクエストの形式が正しくありません");
    struct head_walk w = {.lo = method, .hi = method + hs->header_size};
    w.prev_end = version + strlen(version);
    if (w.prev_end < w.lo || w.prev_end >= w.hi)
        return refuse(400, "リクエストの形式が正しくありません");
    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, walk_field, &w);
    if (w.v.status)
        return w.v;
    /* the last line's CRLF and the empty line's CRLF, and nothing else, end the head */
    if (w.hi - w.prev_end != 4 || memcmp(w.prev_end, "\0\0\0\0", 4) != 0)
        return refuse(400, "リクエストの行末は CRLF だけです(LF だけの行末や継続行は使えません)");
    if (w.host > 1)
        return refuse(400, "Host ヘッダが複数あります");
    if (w.clen > 1)
        return refuse(400, "Content-Length ヘッダが複数あります");
    if (w.tenc > 1)
        return refuse(400, "Transfer-Encoding ヘッダが複数あります");
    if (w.tenc && w.clen)
        return refuse(400, "Content-Length と Transfer-Encoding は同時に使えません");
    /* RFC 9112 §6.1: a coding we do not know leaves the body's length unknown: 400 and close */
    if (w.tenc && strcasecmp(w.tenc_value, "chunked") != 0)
        return refuse(400, "Transfer-Encoding は chunked だけが使えます");
    if (w.tenc && strcmp(version, MHD_HTTP_VERSION_1_1) != 0)
        return refuse(400, "HTTP/1.0 では Transfer-Encoding は使えません");
    return OK;
}
