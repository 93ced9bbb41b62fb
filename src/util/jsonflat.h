/*
 * jsonflat.h - a strict reader for flat JSON objects: string, integer, true,
 * false and null values, no nesting. For record bodies that kaigo itself wrote
 * (codec/codec.c) and for small request bodies (http/respond.c body_json), so as
 * strict as jansson with JSON_REJECT_DUPLICATES on the same bytes (fuzz_jsonflat
 * fails on any disagreement): nesting, invalid UTF-8, leading zeros, a repeated
 * key, \u0000 and integers beyond ±2^53 are refused, never guessed. Values are borrowed
 * slices of the input; strings are unescaped on request into caller storage.
 */
#ifndef KAIGO_UTIL_JSONFLAT_H
#define KAIGO_UTIL_JSONFLAT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/compiler.h"

#define JSONFLAT_MAX_MEMBERS 32
#define JSONFLAT_INT_MAX 9007199254740992ULL /* 2^53 */

enum jf_type { JF_STRING, JF_INT, JF_TRUE, JF_FALSE, JF_NULL };

struct jf_member {
    struct str key;   /* raw (keys never need escapes in our bodies; escaped keys are refused) */
    struct str value; /* raw: for strings, the text between the quotes, still escaped */
    enum jf_type type;
    bool escaped; /* the string contains backslash escapes */
};

struct jsonflat {
    size_t n;
    struct jf_member m[JSONFLAT_MAX_MEMBERS];
};

/* jf_parse - 0, or -1 if s is not one flat object within the limits. */
MUST_CHECK int jf_parse(const char *s, size_t len, struct jsonflat *out);
const struct jf_member *jf_get(const struct jsonflat *j, const char *key);
/* jf_string - unescapes a string member into out (cap bytes incl. NUL); -1 if
 * it does not fit, is not a string, or has a bad escape. \u escapes become UTF-8. */
MUST_CHECK int jf_string(const struct jf_member *m, char *out, size_t cap);
/* jf_int - -1 if not an integer in [-2^53, 2^53]. */
MUST_CHECK int jf_int(const struct jf_member *m, long long *out);

#endif
