/* fuzz_framing.c - libFuzzer target for framing_target, the check of the raw request target
 * (src/http/framing.c): the bytes libmicrohttpd hands to the URI callback before it splits off
 * the query or unescapes anything. The rest of the head (framing_head) walks libmicrohttpd's own
 * parse and is fuzzed through the real server by fuzz_http.
 * Properties (from RFC 9112 and docs/security.md §3, not from the code): an accepted target has
 * no control byte, no DEL and no "%00"; a refusal is 400 or 414 with a reason; a 414 is a query
 * of more than MAX_QUERY_PARAMS parameters, left empty so that libmicrohttpd splits nothing. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/framing.h"
#include "http/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0'; /* the callback's target is a C string */
    size_t n = strlen(s);
    char *copy = strdup(s);
    if (!copy) {
        free(s);
        return 0;
    }
    struct framing_verdict v = framing_target(s);
    if (v.status == 0) {
        if (v.why || strstr(copy, "%00"))
            __builtin_trap();
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)copy[i] < 0x21 || (unsigned char)copy[i] == 0x7f)
                __builtin_trap();
        if (strcmp(s, copy) != 0) /* an accepted target is left as it came */
            __builtin_trap();
    } else if ((v.status != 400 && v.status != 414) || !v.why || !*v.why) {
        __builtin_trap();
    } else if (v.status == 414) {
        /* count the parameters independently: '&'-separated fields of a non-empty query */
        const char *q = strchr(copy, '?');
        size_t params = 0;
        if (q && q[1]) {
            params = 1;
            for (const char *p = q + 1; *p; p++)
                params += *p == '&';
        }
        if (params <= MAX_QUERY_PARAMS)
            __builtin_trap();
#if MHD_VERSION <= 0x00097500
        const char *q2 = strchr(s, '?');
        if (!q2 || q2[1] != '\0') /* the query is emptied in place (0.9.75) */
            __builtin_trap();
#endif
    }
    free(copy);
    free(s);
    return 0;
}
