/*
 * jsonw.h - a small streaming JSON writer over struct buf (compact output).
 *
 * For hot paths (record bodies, API responses) where building a jansson tree
 * costs more than the work itself. Strings must be valid UTF-8 (they are
 * written raw); ", \ and control characters are escaped as jansson does
 * (\b \f \n \r \t, else \u00XX). Keys are written in the order given. Nesting
 * is limited to JSONW_MAX_DEPTH; deeper is a BUG.
 */
#ifndef KAIGO_UTIL_JSONW_H
#define KAIGO_UTIL_JSONW_H

#include <stdbool.h>

#include "util/buf.h"

#define JSONW_MAX_DEPTH 16

struct jsonw {
    struct buf b;
    int depth;
    bool first[JSONW_MAX_DEPTH];
    char close[JSONW_MAX_DEPTH];
};

void jw_init(struct jsonw *w, size_t max);
/* key is NULL for array elements and the top-level value */
void jw_obj(struct jsonw *w, const char *key);
void jw_arr(struct jsonw *w, const char *key);
void jw_end(struct jsonw *w); /* closes the innermost object or array */
void jw_str(struct jsonw *w, const char *key, const char *v);
void jw_int(struct jsonw *w, const char *key, long long v);
void jw_bool(struct jsonw *w, const char *key, bool v);
void jw_null(struct jsonw *w, const char *key);
/* jw_detach - the text (caller frees), or NULL if over the maximum. */
char *jw_detach(struct jsonw *w, size_t *len);

#endif
