/* buf.c - see buf.h. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct str str_from(const char *s)
{
    return (struct str){s, s ? strlen(s) : 0};
}

bool str_eq(struct str a, const char *lit)
{
    size_t n = strlen(lit);
    return a.len == n && memcmp(a.ptr, lit, n) == 0;
}

void buf_init(struct buf *b, size_t max)
{
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->failed = false;
}

void buf_init_fixed(struct buf *b, char *storage, size_t cap)
{
    b->ptr = storage;
    b->len = 0;
    b->cap = cap;
    b->max = cap - 1;
    b->failed = false;
    storage[0] = '\0';
}

void buf_release(struct buf *b)
{
    free(b->ptr);
    buf_init(b, b->max);
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    b->failed = false;
    if (b->ptr)
        b->ptr[0] = '\0';
}

static bool grow(struct buf *b, size_t add)
{
    if (b->failed)
        return false;
    if (add > b->max || b->len > b->max - add) {
        b->failed = true;
        return false;
    }
    size_t need = b->len + add + 1;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > (SIZE_MAX / 2) ? need : cap * 2;
    if (b->max != SIZE_MAX && cap > b->max + 1)
        cap = b->max + 1; /* never more than the limit: 96 MiB allowed is not 128 MiB allocated */
    b->ptr = xrealloc(b->ptr, cap);
    b->cap = cap;
    return true;
}

void buf_add(struct buf *b, const void *p, size_t n)
{
    if (!grow(b, n))
        return;
    if (n)
        memcpy(b->ptr + b->len, p, n);
    b->len += n;
    b->ptr[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

void buf_addc(struct buf *b, char c)
{
    buf_add(b, &c, 1);
}

void buf_addu(struct buf *b, unsigned v)
{
    char d[10]; /* UINT_MAX has 10 digits */
    size_t i = sizeof d;
    do {
        d[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    buf_add(b, d + i, sizeof d - i);
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        buf_add(b, small, (size_t)n);
        return;
    }
    if (!grow(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

bool buf_failed(const struct buf *b)
{
    return b->failed;
}

char *buf_detach(struct buf *b, size_t *len)
{
    if (b->failed) {
        buf_release(b);
        return NULL;
    }
    if (!b->ptr)
        grow(b, 0);
    char *p = b->ptr;
    if (len)
        *len = b->len;
    b->ptr = NULL;
    b->len = b->cap = 0;
    return p;
}
