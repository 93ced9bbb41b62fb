/* tokens.c - short-lived access and refresh tokens; see tokens.h. */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/tokens.h"
#include "store/keyfile.h"
#include "store/store.h"
#include "util/log.h"
#include "util/banned.h"

static unsigned char sk[KEYFILE_SK_BYTES], pk[KEYFILE_PK_BYTES];
static bool ready;
static int64_t access_ms = ACCESS_MINUTES_DEFAULT * 60000LL, refresh_ms = REFRESH_HOURS_DEFAULT * 3600000LL;

int tokens_init(const char *db)
{
    char path[4096];
    if (store_side_path(db, ".token-key", path, sizeof path))
        return -1;
    if (keyfile_load(path, true, sk))
        return -1;
    crypto_sign_ed25519_sk_to_pk(pk, sk);
    ready = true;
    return 0;
}

void tokens_set_lifetimes(int64_t a, int64_t r)
{
    access_ms = a;
    refresh_ms = r;
}
int64_t tokens_access_ms(void)
{
    return access_ms;
}
int64_t tokens_refresh_ms(void)
{
    return refresh_ms;
}

/* the signed message: domain, kind, id, end */
static size_t message(char kind, int64_t id, int64_t end_ms, char *m, size_t cap)
{
    int n = snprintf(m, cap, "kaigo-token-v1|%c|%" PRId64 "|%" PRId64, kind, id, end_ms);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

void token_make(char kind, int64_t id, int64_t end_ms, char out[SHORT_TOKEN_BYTES])
{
    char m[96];
    unsigned char sig[crypto_sign_BYTES];
    char hex[2 * crypto_sign_BYTES + 1];
    size_t n = message(kind, id, end_ms, m, sizeof m);
    crypto_sign_detached(sig, NULL, (const unsigned char *)m, n, sk);
    sodium_bin2hex(hex, sizeof hex, sig, sizeof sig);
    snprintf(out, SHORT_TOKEN_BYTES, "%s%" PRId64 "_%" PRId64 "_%s", kind == 'a' ? ACCESS_PREFIX : REFRESH_PREFIX, id,
             end_ms, hex);
}

/* a decimal integer of 1 to 18 digits ending at *end_char */
static bool number(const char *p, char end_char, int64_t *v, const char **next)
{
    size_t n = 0;
    while (p[n] >= '0' && p[n] <= '9' && n < 19)
        n++;
    if (n == 0 || n > 18 || p[n] != end_char)
        return false;
    *v = strtoll(p, NULL, 10);
    *next = p + n + 1;
    return true;
}

int token_check(const char *t, char kind, int64_t now, int64_t *id, int64_t *end_ms)
{
    const char *prefix = kind == 'a' ? ACCESS_PREFIX : REFRESH_PREFIX;
    size_t pl = strlen(prefix);
    if (!ready || !t || strlen(t) >= SHORT_TOKEN_BYTES || strncmp(t, prefix, pl) != 0)
        return -1;
    const char *p = t + pl, *q;
    int64_t i, e;
    if (!number(p, '_', &i, &q) || i <= 0 || !number(q, '_', &e, &p))
        return -1;
    unsigned char sig[crypto_sign_BYTES];
    size_t sl;
    if (strlen(p) != 2 * crypto_sign_BYTES ||
        sodium_hex2bin(sig, sizeof sig, p, strlen(p), NULL, &sl, NULL) || sl != sizeof sig)
        return -1;
    char m[96];
    size_t n = message(kind, i, e, m, sizeof m);
    if (!n || crypto_sign_verify_detached(sig, (const unsigned char *)m, n, pk))
        return -1;
    if (now >= e)
        return -1; /* ended */
    *id = i;
    *end_ms = e;
    return 0;
}

int64_t lifetime_parse(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    int64_t unit = *end == 's' ? 1000 : *end == 'm' ? 60000 : *end == 'h' ? 3600000 : 0;
    if (end == s || !unit || end[1] || v <= 0)
        return -1;
    int64_t ms = (int64_t)v * unit;
    return ms > 30LL * 86400000 ? -1 : ms;
}
