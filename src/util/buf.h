/*
 * buf.h - the one growable byte buffer, always with a maximum (style.md §4).
 *
 * Past its maximum a buffer refuses appends and remembers it (sticky
 * error): check buf_failed() once at the end. The contents are always
 * NUL-terminated. Caller owns the buffer; release with buf_release().
 */
#ifndef KAIGO_UTIL_BUF_H
#define KAIGO_UTIL_BUF_H

#include <stdbool.h>
#include <stddef.h>

#include "util/compiler.h"

struct buf {
    char *ptr;
    size_t len;
    size_t cap;
    size_t max;
    bool failed;
};

/* A borrowed slice; never NUL-terminated by contract. */
struct str {
    const char *ptr;
    size_t len;
};

#define STR(lit) ((struct str){(lit), sizeof(lit) - 1})
struct str str_from(const char *s);
bool str_eq(struct str a, const char *lit);

void buf_init(struct buf *b, size_t max);
/* buf_init_fixed - over caller storage of cap bytes; never grows (appends past
 * cap - 1 bytes fail); never release it. */
void buf_init_fixed(struct buf *b, char *storage, size_t cap);
void buf_release(struct buf *b);
void buf_reset(struct buf *b); /* len = 0, keep memory, clear failure */
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...) FMT(2, 3);
/* buf_addu - v in decimal, no sign or padding: buf_addf(b, "%u", v) without vsnprintf (the
 * card's dates are on the API hot path). */
void buf_addu(struct buf *b, unsigned v);
bool buf_failed(const struct buf *b);
/* buf_detach - returns the contents (caller frees) or NULL if failed. */
char *buf_detach(struct buf *b, size_t *len);

#endif
