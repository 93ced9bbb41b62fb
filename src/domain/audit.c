/* audit.c - canonical audit bytes and hashes; see audit.h. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "domain/audit.h"
#include "util/sha256.h"
#include "util/banned.h"

/* dec - v in decimal, as printf("%lld") would write it (no printf: this runs
 * for every entry of `kaigo audit verify`). */
static void dec(long long v, char out[24])
{
    char tmp[24];
    size_t n = 0, o = 0;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        out[o++] = '-';
    while (n)
        out[o++] = tmp[--n];
    out[o] = '\0';
}

/* put - one length-prefixed field (at most 255 bytes, and never past the buffer:
 * a longer field can only come from a tampered row, whose hash then differs). */
static size_t put(unsigned char *out, size_t off, const char *s, size_t n)
{
    if (n > 255)
        n = 255;
    if (off + 1 + n > AUDIT_CANON_MAX)
        n = off + 1 <= AUDIT_CANON_MAX ? AUDIT_CANON_MAX - off - 1 : 0;
    if (off >= AUDIT_CANON_MAX)
        return off;
    out[off++] = (unsigned char)n;
    memcpy(out + off, s, n);
    return off + n;
}

#define PUT(f) o = put(out, o, (f).p, (f).n)

size_t audit_canonical_fields(const struct audit_fields *f, unsigned char out[AUDIT_CANON_MAX])
{
    char seq[24], tms[24], fl[24];
    dec(f->seq, seq);
    dec(f->time_ms, tms);
    dec(f->flags, fl);
    size_t o = 0;
    o = put(out, o, "kaigo-audit-2", 13);
    PUT(f->insurer_no);
    o = put(out, o, seq, strlen(seq));
    o = put(out, o, tms, strlen(tms));
    PUT(f->actor);
    PUT(f->org);
    PUT(f->role);
    PUT(f->insured_no);
    PUT(f->category);
    PUT(f->purpose);
    PUT(f->basis);
    PUT(f->outcome);
    PUT(f->request_id);
    o = put(out, o, fl, strlen(fl));
    PUT(f->basis_ref);
    /* a valid entry: ≤ 15 length bytes + 13 + 6 + 20 + 20 + 63 + 31 + 9 + 10 + 9 + 9 + 10 + 9 + 39 + 11 + 47 < 512 */
    return o;
}

static struct audit_text txt(const char *s)
{
    return (struct audit_text){s, strlen(s)};
}

size_t audit_canonical(const struct audit_entry *e, unsigned char out[AUDIT_CANON_MAX])
{
    struct audit_fields f = {
        txt(e->insurer_no), e->seq, e->time_ms, txt(e->actor), txt(e->org), txt(role_code(e->role)),
        txt(e->insured_no), txt(category_code(e->category)), txt(purpose_code(e->purpose)),
        txt(basis_code(e->basis)), txt(outcome_code(e->outcome)), txt(e->request_id), e->flags,
        txt(e->basis_ref)};
    return audit_canonical_fields(&f, out);
}

void audit_leaf_hash(const unsigned char *canon, size_t n, unsigned char out[AUDIT_HASH_BYTES])
{
    struct sha256 st;
    unsigned char z = 0x00;
    sha256_init(&st);
    sha256_update(&st, &z, 1);
    sha256_update(&st, canon, n);
    sha256_final(&st, out);
}

void hash_pair(unsigned char prefix, const unsigned char a[AUDIT_HASH_BYTES],
               const unsigned char b[AUDIT_HASH_BYTES], unsigned char out[AUDIT_HASH_BYTES])
{
    unsigned char m[1 + 2 * AUDIT_HASH_BYTES];
    m[0] = prefix;
    memcpy(m + 1, a, AUDIT_HASH_BYTES);
    memcpy(m + 1 + AUDIT_HASH_BYTES, b, AUDIT_HASH_BYTES);
    sha256(m, sizeof m, out);
}


size_t audit_checkpoint_message(const struct audit_checkpoint *c, char out[AUDIT_CKPT_MSG_MAX])
{
    char hex[AUDIT_HASH_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, c->root, AUDIT_HASH_BYTES);
    int n = snprintf(out, AUDIT_CKPT_MSG_MAX, "kaigo-checkpoint-1\n%s\n%lld\n%s\n%lld\n",
                     c->insurer_no, (long long)c->size, hex, (long long)c->time_ms);
    return n < 0 ? 0 : (size_t)n < AUDIT_CKPT_MSG_MAX ? (size_t)n : AUDIT_CKPT_MSG_MAX - 1;
}

void audit_checkpoint_sign(struct audit_checkpoint *c, const unsigned char sk[AUDIT_SK_BYTES])
{
    char msg[AUDIT_CKPT_MSG_MAX];
    size_t n = audit_checkpoint_message(c, msg);
    crypto_sign_detached(c->sig, NULL, (const unsigned char *)msg, n, sk);
}

bool audit_checkpoint_verify(const struct audit_checkpoint *c, const unsigned char pk[AUDIT_PK_BYTES])
{
    char msg[AUDIT_CKPT_MSG_MAX];
    size_t n = audit_checkpoint_message(c, msg);
    return crypto_sign_verify_detached(c->sig, (const unsigned char *)msg, n, pk) == 0;
}
