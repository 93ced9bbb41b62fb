/*
 * xalloc.h - allocation that never returns NULL (style.md §10).
 *
 * On OOM these print and exit(3); the supervisor restarts kaigo serve.
 * size_mul() dies on overflow: a backstop behind the named input limits.
 */
#ifndef KAIGO_UTIL_XALLOC_H
#define KAIGO_UTIL_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
size_t size_mul(size_t a, size_t b);

#endif
