/* fuzz_html.c - libFuzzer target for the pages' escaping writer (util/html.c): whatever
 * bytes a person's record holds, the escaped text contains no markup character, and
 * unescaping it gives the input back (NUL bytes are dropped); a percent-encoded query value
 * holds only unreserved characters and '%'. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf b;
    buf_init(&b, 16 * size + 16);
    html_textn(&b, (const char *)data, size);
    if (buf_failed(&b))
        __builtin_trap();
    /* no raw markup characters survive */
    for (size_t i = 0; i < b.len; i++)
        if (b.ptr[i] == '<' || b.ptr[i] == '>' || b.ptr[i] == '"' || b.ptr[i] == '\'' || b.ptr[i] == '\0')
            __builtin_trap();
    /* unescape: the input without its NUL bytes */
    static const struct {
        const char *ent;
        char c;
    } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
    size_t j = 0;
    for (size_t i = 0; i < b.len;) {
        char c = b.ptr[i];
        if (c == '&') {
            size_t k = 0;
            while (k < 5 && strncmp(b.ptr + i, ents[k].ent, strlen(ents[k].ent)) != 0)
                k++;
            if (k == 5)
                __builtin_trap(); /* a bare '&' */
            c = ents[k].c;
            i += strlen(ents[k].ent);
        } else
            i++;
        while (j < size && data[j] == 0)
            j++;
        if (j >= size || (char)data[j] != c)
            __builtin_trap();
        j++;
    }
    while (j < size && data[j] == 0)
        j++;
    if (j != size)
        __builtin_trap();
    buf_release(&b);
    /* a query value */
    char *s = (char *)malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    buf_init(&b, 3 * size + 16);
    html_url_component(&b, s);
    for (size_t i = 0; i < b.len; i++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%", b.ptr[i]) || !b.ptr[i])
            __builtin_trap();
    buf_release(&b);
    free(s);
    return 0;
}
