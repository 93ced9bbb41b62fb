/* auth.c - password policy, TOTP, session expiry; see auth.h. Pure. */
#include <string.h>

#include "domain/auth.h"
#include "util/sha1.h"
#include "util/banned.h"

const char *password_policy(const char *pw, bool second_factor)
{
    size_t bytes = strlen(pw), chars = 0;
    bool lower = false, upper = false, digit = false, symbol = false;
    if (bytes > PASSWORD_MAX_BYTES)
        return "パスワードが長すぎます";
    for (const unsigned char *p = (const unsigned char *)pw; *p; p++) {
        if ((*p & 0xC0) != 0x80)
            chars++;
        if (*p >= 'a' && *p <= 'z')
            lower = true;
        else if (*p >= 'A' && *p <= 'Z')
            upper = true;
        else if (*p >= '0' && *p <= '9')
            digit = true;
        else if (*p > ' ' && *p < 0x7f)
            symbol = true;
    }
    if (chars >= PASSWORD_MIN_ALONE)
        return NULL;
    if (!second_factor)
        return "パスワードは13文字以上にしてください";
    if (chars < PASSWORD_MIN_WITH_2FA)
        return "パスワードは8文字以上(英字・数字・記号を含む)、または13文字以上にしてください";
    if (!(lower || upper) || !digit || !symbol)
        return "8〜12文字のパスワードには英字・数字・記号をすべて含めてください";
    return NULL;
}

uint32_t totp_code(const unsigned char *secret, size_t n, int64_t t_seconds)
{
    uint64_t step = (uint64_t)(t_seconds / TOTP_STEP_S);
    unsigned char msg[8], mac[SHA1_BYTES];
    for (int i = 0; i < 8; i++)
        msg[i] = (unsigned char)(step >> (56 - 8 * i));
    hmac_sha1(secret, n, msg, sizeof msg, mac);
    int off = mac[SHA1_BYTES - 1] & 0x0f;
    uint32_t bin = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
                   (uint32_t)mac[off + 2] << 8 | mac[off + 3];
    return bin % 1000000u; /* TOTP_DIGITS = 6 */
}

bool totp_check(const unsigned char *secret, size_t n, const char *code, int64_t t_seconds,
                int64_t *last_step)
{
    if (strlen(code) != TOTP_DIGITS)
        return false;
    uint32_t want = 0;
    for (int i = 0; i < TOTP_DIGITS; i++) {
        if (code[i] < '0' || code[i] > '9')
            return false;
        want = want * 10 + (uint32_t)(code[i] - '0');
    }
    int64_t step = t_seconds / TOTP_STEP_S;
    bool ok = false;
    int64_t matched = 0;
    /* every candidate is computed, so the time taken does not depend on which matched */
    for (int64_t s = step - TOTP_SKEW_STEPS; s <= step + TOTP_SKEW_STEPS; s++) {
        uint32_t c = totp_code(secret, n, s * TOTP_STEP_S);
        if (c == want && s > *last_step && !ok) {
            ok = true;
            matched = s;
        }
    }
    if (ok)
        *last_step = matched;
    return ok;
}

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int base32_encode(const unsigned char *in, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            if (o + 1 >= cap)
                return -1;
            out[o++] = b32[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits) {
        if (o + 1 >= cap)
            return -1;
        out[o++] = b32[(acc << (5 - bits)) & 31];
    }
    out[o] = '\0';
    return (int)o;
}

int base32_decode(const char *in, unsigned char *out, size_t cap)
{
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (; *in; in++) {
        const char *p = strchr(b32, *in >= 'a' && *in <= 'z' ? *in - 32 : *in);
        if (!p || !*in)
            return -1;
        acc = (acc << 5) | (uint32_t)(p - b32);
        bits += 5;
        if (bits >= 8) {
            if (o >= cap)
                return -1;
            out[o++] = (unsigned char)(acc >> (bits - 8));
            bits -= 8;
        }
    }
    return (int)o;
}

bool session_alive(int64_t created_ms, int64_t last_seen_ms, int64_t now_ms)
{
    return now_ms >= created_ms && now_ms - created_ms < SESSION_ABSOLUTE_MS &&
           now_ms - last_seen_ms < SESSION_IDLE_MS;
}
