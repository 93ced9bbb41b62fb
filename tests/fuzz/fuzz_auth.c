/* fuzz_auth.c - libFuzzer target for the authentication parsers: the Cookie
 * header (session id), base32 (TOTP secrets), TOTP codes, category lists and
 * the password policy. Properties: no crash, a found session id is 64
 * characters, base32 round-trips. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/auth.h"
#include "domain/gate.h"
#include "http/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0'; /* header values and arguments are C strings */
    char hex[2 * SESSION_ID_BYTES + 1];
    if (cookie_session(s, hex) && strlen(hex) != 2 * SESSION_ID_BYTES)
        __builtin_trap();
    unsigned char raw[64], back[64];
    int n = base32_decode(s, raw, sizeof raw);
    if (n > 0) {
        char enc[128];
        if (base32_encode(raw, (size_t)n, enc, sizeof enc) < 0)
            __builtin_trap();
        if (base32_decode(enc, back, sizeof back) != n || memcmp(raw, back, (size_t)n) != 0)
            __builtin_trap();
    }
    int64_t last = 0;
    (void)totp_check((const unsigned char *)"12345678901234567890", 20, s, 1111111109, &last);
    (void)cats_parse(s);
    (void)password_policy(s, true);
    (void)category_from_code(s, strlen(s));
    free(s);
    return 0;
}
