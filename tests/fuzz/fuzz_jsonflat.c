/* fuzz_jsonflat.c - libFuzzer target for the flat JSON reader, checked against
 * jansson: whatever jsonflat accepts, jansson must accept with the same strings. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonflat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct jsonflat j;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = 0;
    if (strlen(s) == size && jf_parse(s, size, &j) == 0) {
        json_error_t e;
        json_t *o = json_loads(s, JSON_ALLOW_NUL, &e);
        if (!o || !json_is_object(o))
            __builtin_trap(); /* we accepted what a full parser refuses */
        for (size_t i = 0; i < j.n; i++) {
            char key[256], val[4096];
            if (j.m[i].key.len >= sizeof key)
                continue;
            memcpy(key, j.m[i].key.ptr, j.m[i].key.len);
            key[j.m[i].key.len] = 0;
            json_t *v = json_object_get(o, key);
            if (!v)
                __builtin_trap();
            if (j.m[i].type == JF_STRING && jf_string(&j.m[i], val, sizeof val) == 0 &&
                json_is_string(v) && strlen(val) == json_string_length(v) &&
                strcmp(val, json_string_value(v)) != 0) {
                /* duplicate keys: jansson keeps the last; compare only unique keys */
                size_t same = 0;
                for (size_t k = 0; k < j.n; k++)
                    same += j.m[k].key.len == j.m[i].key.len &&
                            memcmp(j.m[k].key.ptr, j.m[i].key.ptr, j.m[i].key.len) == 0;
                if (same == 1)
                    __builtin_trap();
            }
        }
        json_decref(o);
    }
    free(s);
    return 0;
}
