/* fuzz_where.c - libFuzzer target for what --db / KAIGO_DB names (store/open.c): the backend
 * chosen and the form printed. Traps unless:
 *  - the printed form of anything fits its buffer, NUL included; a file path, and a directory of
 *    clusters (directory:FILE, PostgreSQL's but a file's path), is printed as it is;
 *  - a password does not survive: the userspec password as libpq reads it (between the first ':'
 *    and the first '@' before any '/'), and the value of each ?password= or &password= parameter
 *    (up to the next '&'), occur in the printed form fewer times than in the input whenever they
 *    are at least 4 bytes without '*' (shorter ones occur by chance; '*' is what hides them). */
#define _GNU_SOURCE /* memmem */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

#define WHERE_MAX 2048

static size_t count(const char *hay, const char *needle, size_t n)
{
    size_t c = 0;
    for (const char *p = hay; (p = memmem(p, strlen(p), needle, n)); p += n)
        c++;
    return c;
}

/* the secret s[0..n) must be printed fewer times than it was given */
static void hidden(const char *in, const char *out, const char *s, size_t n)
{
    if (n < 4 || memchr(s, '*', n))
        return;
    char secret[WHERE_MAX + 1];
    memcpy(secret, s, n);
    if (count(out, secret, n) >= count(in, secret, n))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > WHERE_MAX)
        return 0;
    char in[WHERE_MAX + 1];
    memcpy(in, data, size);
    in[size] = '\0';
    static const size_t caps[] = {1, 2, 8, 64, 512};
    for (size_t i = 0; i < sizeof caps / sizeof *caps; i++) {
        char small[512];
        memset(small, 'Z', sizeof small);
        store_where_redact(in, small, caps[i]);
        if (!memchr(small, '\0', caps[i]))
            __builtin_trap();
    }
    static char out[WHERE_MAX * 4];
    store_where_redact(in, out, sizeof out);
    if (store_backend_of(in) != STORE_POSTGRESQL || strncmp(in, "directory:", 10) == 0) {
        if (strcmp(out, in) != 0)
            __builtin_trap();
        return 0;
    }
    const char *auth = strstr(in, "://") + 3;
    const char *at = auth + strcspn(auth, "@/");
    if (*at == '@') {
        const char *colon = memchr(auth, ':', (size_t)(at - auth));
        if (colon)
            hidden(in, out, colon + 1, (size_t)(at - colon - 1));
    }
    for (const char *p = strchr(in, '?'); p && (p = strstr(p, "password=")); p += 9)
        if (p[-1] == '?' || p[-1] == '&')
            hidden(in, out, p + 9, strcspn(p + 9, "&"));
    return 0;
}
