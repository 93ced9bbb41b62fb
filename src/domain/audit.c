/* audit.c - canonical audit bytes and hashes; see audit.h. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "domain/audit.h"
#include "util/banned.h"

static size_t put(unsigned char *out, size_t off, const char *s)
{
    size_t n = strlen(s);
    if (n > 255)
        n = 255;
    out[off++] = (unsigned char)n;
    memcpy(out + off, s, n);
    return off + n;
}

size_t audit_canonical(const struct audit_entry *e, unsigned char out[AUDIT_CANON_MAX])
{
    char seq[24], tms[24];
    snprintf(seq, sizeof seq, "%lld", (long long)e->seq);
    snprintf(tms, sizeof tms, "%lld", (long long)e->time_ms);
    size_t o = 0;
    o = put(out, o, "kaigo-audit-2");
    o = put(out, o, e->insurer_no);
    o = put(out, o, seq);
    o = put(out, o, tms);
    o = put(out, o, e->actor);
    o = put(out, o, e->org);
    o = put(out, o, role_code(e->role));
    o = put(out, o, e->insured_no);
    o = put(out, o, category_code(e->category));
    o = put(out, o, purpose_code(e->purpose));
    o = put(out, o, basis_code(e->basis));
    o = put(out, o, outcome_code(e->outcome));
    o = put(out, o, e->request_id);
    char fl[12];
    snprintf(fl, sizeof fl, "%u", e->flags);
    o = put(out, o, fl);
    o = put(out, o, e->basis_ref);
    /* ≤ 15 length bytes + 13 + 6 + 20 + 20 + 63 + 31 + 9 + 10 + 9 + 9 + 10 + 9 + 39 + 11 + 47 < 512 */
    return o;
}

void audit_leaf_hash(const unsigned char *canon, size_t n, unsigned char out[AUDIT_HASH_BYTES])
{
    crypto_hash_sha256_state st;
    unsigned char z = 0x00;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &z, 1);
    crypto_hash_sha256_update(&st, canon, n);
    crypto_hash_sha256_final(&st, out);
}

void hash_pair(unsigned char prefix, const unsigned char a[AUDIT_HASH_BYTES],
               const unsigned char b[AUDIT_HASH_BYTES], unsigned char out[AUDIT_HASH_BYTES])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &prefix, 1);
    crypto_hash_sha256_update(&st, a, AUDIT_HASH_BYTES);
    crypto_hash_sha256_update(&st, b, AUDIT_HASH_BYTES);
    crypto_hash_sha256_final(&st, out);
}

void audit_chain_hash(const unsigned char prev[AUDIT_HASH_BYTES],
                      const unsigned char leaf[AUDIT_HASH_BYTES], unsigned char out[AUDIT_HASH_BYTES])
{
    hash_pair(0x02, prev, leaf, out);
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
