/* jsonw.c - see jsonw.h. */
#include <string.h>

#include "util/jsonw.h"
#include "util/log.h"
#include "util/banned.h"

void jw_init(struct jsonw *w, size_t max)
{
    buf_init(&w->b, max);
    w->depth = 0;
    w->first[0] = true;
}

static void escaped(struct buf *b, const char *v)
{
    const unsigned char *p = (const unsigned char *)v, *run = p;
    buf_addc(b, '"');
    for (; *p; p++) {
        if (*p >= 0x20 && *p != '"' && *p != '\\')
            continue;
        buf_add(b, run, (size_t)(p - run));
        run = p + 1;
        switch (*p) {
        case '"':
            buf_add(b, "\\\"", 2);
            break;
        case '\\':
            buf_add(b, "\\\\", 2);
            break;
        case '\b':
            buf_add(b, "\\b", 2);
            break;
        case '\f':
            buf_add(b, "\\f", 2);
            break;
        case '\n':
            buf_add(b, "\\n", 2);
            break;
        case '\r':
            buf_add(b, "\\r", 2);
            break;
        case '\t':
            buf_add(b, "\\t", 2);
            break;
        default:
            buf_addf(b, "\\u%04x", *p);
        }
    }
    buf_add(b, run, (size_t)(p - run));
    buf_addc(b, '"');
}

static void member(struct jsonw *w, const char *key)
{
    if (!w->first[w->depth])
        buf_addc(&w->b, ',');
    w->first[w->depth] = false;
    if (key) {
        escaped(&w->b, key);
        buf_addc(&w->b, ':');
    }
}

static void open_(struct jsonw *w, const char *key, char c)
{
    member(w, key);
    if (w->depth + 1 >= JSONW_MAX_DEPTH)
        BUG("jsonw: nesting deeper than %d", JSONW_MAX_DEPTH);
    buf_addc(&w->b, c);
    w->first[++w->depth] = true;
    w->close[w->depth] = c == '{' ? '}' : ']';
}

void jw_obj(struct jsonw *w, const char *key)
{
    open_(w, key, '{');
}

void jw_arr(struct jsonw *w, const char *key)
{
    open_(w, key, '[');
}

void jw_end(struct jsonw *w)
{
    if (w->depth == 0)
        BUG("jsonw: end without begin");
    buf_addc(&w->b, w->close[w->depth--]);
}

void jw_str(struct jsonw *w, const char *key, const char *v)
{
    member(w, key);
    escaped(&w->b, v);
}

void jw_int(struct jsonw *w, const char *key, long long v)
{
    member(w, key);
    /* digits by hand: buf_addf's vsnprintf dominated the writer's profile */
    char d[24];
    size_t i = sizeof d;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        d[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        d[--i] = '-';
    buf_add(&w->b, d + i, sizeof d - i);
}

void jw_bool(struct jsonw *w, const char *key, bool v)
{
    member(w, key);
    buf_adds(&w->b, v ? "true" : "false");
}

void jw_null(struct jsonw *w, const char *key)
{
    member(w, key);
    buf_add(&w->b, "null", 4);
}

char *jw_detach(struct jsonw *w, size_t *len)
{
    return buf_detach(&w->b, len);
}
