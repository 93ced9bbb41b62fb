/* sha1.c - SHA-1 and HMAC-SHA1; see sha1.h. */
#include <string.h>

#include "util/sha1.h"
#include "util/banned.h"

struct sha1_ctx {
    uint32_t h[5];
    uint64_t len;
    unsigned char blk[64];
    size_t fill;
};

static uint32_t rol(uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

static void block(struct sha1_ctx *c, const unsigned char *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
               p[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = c->h[0], b = c->h[1], d = c->h[3], e = c->h[4], cc = c->h[2];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & cc) | (~b & d);
            k = 0x5A827999;
        } else if (i < 40) {
            f = b ^ cc ^ d;
            k = 0x6ED9EBA1;
        } else if (i < 60) {
            f = (b & cc) | (b & d) | (cc & d);
            k = 0x8F1BBCDC;
        } else {
            f = b ^ cc ^ d;
            k = 0xCA62C1D6;
        }
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d;
        d = cc;
        cc = rol(b, 30);
        b = a;
        a = t;
    }
    c->h[0] += a;
    c->h[1] += b;
    c->h[2] += cc;
    c->h[3] += d;
    c->h[4] += e;
}

static void init(struct sha1_ctx *c)
{
    *c = (struct sha1_ctx){{0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0}, 0, {0}, 0};
}

static void update(struct sha1_ctx *c, const unsigned char *p, size_t n)
{
    c->len += n;
    while (n) {
        size_t take = 64 - c->fill < n ? 64 - c->fill : n;
        memcpy(c->blk + c->fill, p, take);
        c->fill += take;
        p += take;
        n -= take;
        if (c->fill == 64) {
            block(c, c->blk);
            c->fill = 0;
        }
    }
}

static void final(struct sha1_ctx *c, unsigned char out[SHA1_BYTES])
{
    uint64_t bits = c->len * 8;
    unsigned char pad = 0x80, z = 0;
    update(c, &pad, 1);
    while (c->fill != 56)
        update(c, &z, 1);
    unsigned char lb[8];
    for (int i = 0; i < 8; i++)
        lb[i] = (unsigned char)(bits >> (56 - 8 * i));
    update(c, lb, 8);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (unsigned char)(c->h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
        out[4 * i + 3] = (unsigned char)c->h[i];
    }
}

void sha1(const void *data, size_t n, unsigned char out[SHA1_BYTES])
{
    struct sha1_ctx c;
    init(&c);
    update(&c, data, n);
    final(&c, out);
}

void hmac_sha1(const unsigned char *key, size_t keylen, const void *msg, size_t n,
               unsigned char out[SHA1_BYTES])
{
    unsigned char k[64] = {0}, pad[64], inner[SHA1_BYTES];
    if (keylen > 64)
        sha1(key, keylen, k);
    else
        memcpy(k, key, keylen);
    struct sha1_ctx c;
    for (int i = 0; i < 64; i++)
        pad[i] = k[i] ^ 0x36;
    init(&c);
    update(&c, pad, 64);
    update(&c, msg, n);
    final(&c, inner);
    for (int i = 0; i < 64; i++)
        pad[i] = k[i] ^ 0x5c;
    init(&c);
    update(&c, pad, 64);
    update(&c, inner, SHA1_BYTES);
    final(&c, out);
    memset(k, 0, sizeof k);
}
