/* fuzz_jsonflat.c - libFuzzer target for the flat JSON reader, differential against jansson
 * with JSON_REJECT_DUPLICATES (how kaigo's other untrusted bodies are read). Any disagreement
 * traps, with no exceptions worked around:
 *  - what jsonflat accepts, jansson accepts as an object with the same number of members, each
 *    of the same type and value (strings byte for byte, integers exactly);
 *  - what jansson accepts as a flat object within jsonflat's limits (≤ JSONFLAT_MAX_MEMBERS
 *    members of string, integer within ±2^53, true, false or null; no escape in a key, which
 *    kaigo's own bodies never need), jsonflat accepts too. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonflat.h"

/* a key written with an escape: jsonflat refuses those on purpose. Called only on input jansson
 * accepted (valid JSON), so a string is a key exactly when ':' follows it. */
static int key_escaped(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p != '"')
            continue;
        int esc = 0;
        for (p++; *p && *p != '"'; p++)
            if (*p == '\\') {
                esc = 1;
                p++;
            }
        if (!*p)
            return 0;
        const char *c = p + 1;
        while (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r')
            c++;
        if (esc && *c == ':')
            return 1;
    }
    return 0;
}

static int flat_within_limits(json_t *o)
{
    if (!json_is_object(o) || json_object_size(o) > JSONFLAT_MAX_MEMBERS)
        return 0;
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        if (json_is_integer(v)) {
            json_int_t x = json_integer_value(v);
            if (x > (json_int_t)JSONFLAT_INT_MAX || x < -(json_int_t)JSONFLAT_INT_MAX)
                return 0;
        } else if (!json_is_string(v) && !json_is_true(v) && !json_is_false(v) && !json_is_null(v))
            return 0;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct jsonflat j;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = 0;
    if (strlen(s) != size) { /* a raw NUL: both refuse (jansson reads to the first NUL) */
        free(s);
        return 0;
    }
    json_error_t e;
    json_t *o = json_loadb(s, size, JSON_REJECT_DUPLICATES, &e);
    int ours = jf_parse(s, size, &j);
    if (ours == 0) {
        if (!o || !json_is_object(o) || json_object_size(o) != j.n)
            __builtin_trap(); /* we accepted what jansson refuses, or counted otherwise */
        for (size_t i = 0; i < j.n; i++) {
            static char key[65536], val[65536];
            memcpy(key, j.m[i].key.ptr, j.m[i].key.len);
            key[j.m[i].key.len] = 0;
            json_t *v = json_object_get(o, key);
            if (!v)
                __builtin_trap();
            long long x;
            switch (j.m[i].type) {
            case JF_STRING:
                if (!json_is_string(v) || jf_string(&j.m[i], val, sizeof val) ||
                    strlen(val) != json_string_length(v) || strcmp(val, json_string_value(v)))
                    __builtin_trap();
                break;
            case JF_INT:
                if (!json_is_integer(v) || jf_int(&j.m[i], &x) || x != json_integer_value(v))
                    __builtin_trap();
                break;
            case JF_TRUE:
                if (!json_is_true(v))
                    __builtin_trap();
                break;
            case JF_FALSE:
                if (!json_is_false(v))
                    __builtin_trap();
                break;
            case JF_NULL:
                if (!json_is_null(v))
                    __builtin_trap();
                break;
            }
        }
    } else if (o && flat_within_limits(o) && !key_escaped(s)) {
        __builtin_trap(); /* jansson accepted a flat object that we refused */
    }
    json_decref(o);
    free(s);
    return 0;
}
