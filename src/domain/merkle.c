/*
 * merkle.c - RFC 9162 §2.1 Merkle trees; see merkle.h.
 *
 * The recursive definitions are used as written in the RFC (k = the largest
 * power of two smaller than n); they are O(n) per call and meant for proofs
 * over ranges the caller has loaded. The frontier gives the root of an
 * append-only log in O(log n) without keeping the leaves.
 */
#include <sodium.h>
#include <string.h>

#include "domain/audit.h"
#include "domain/merkle.h"
#include "util/banned.h"

static void node_hash(const unsigned char l[MERKLE_HASH], const unsigned char r[MERKLE_HASH],
                      unsigned char out[MERKLE_HASH])
{
    hash_pair(0x01, l, r, out); /* RFC 9162 interior node */
}

/* split - the largest power of two smaller than n (n ≥ 2). */
static uint64_t split(uint64_t n)
{
    uint64_t k = 1;
    while (k << 1 < n)
        k <<= 1;
    return k;
}

void merkle_root(const unsigned char *leaves, uint64_t n,
                 unsigned char out[MERKLE_HASH])
{
    if (n == 0) {
        crypto_hash_sha256(out, (const unsigned char *)"", 0);
        return;
    }
    if (n == 1) {
        memcpy(out, leaves, MERKLE_HASH);
        return;
    }
    uint64_t k = split(n);
    unsigned char l[MERKLE_HASH], r[MERKLE_HASH];
    merkle_root(leaves, k, l);
    merkle_root(leaves + k * MERKLE_HASH, n - k, r);
    node_hash(l, r, out);
}

/* The proofs are built over MTH of ranges D[lo:hi], supplied by the caller:
 * from a flat array of leaves, or from stored block roots and a few leaves. */
static void mth_flat(void *ctx, uint64_t lo, uint64_t hi, unsigned char out[MERKLE_HASH])
{
    merkle_root((const unsigned char *)ctx + lo * MERKLE_HASH, hi - lo, out);
}

/* PATH(m, D[lo:lo+n]) (RFC 9162 §2.1.3.1), m relative to lo */
static int path(merkle_mth_fn *mth, void *ctx, uint64_t lo, uint64_t n, uint64_t m,
                unsigned char *proof, int len)
{
    if (n <= 1)
        return len;
    uint64_t k = split(n);
    if (m < k) {
        len = path(mth, ctx, lo, k, m, proof, len);
        mth(ctx, lo + k, lo + n, proof + (size_t)len * MERKLE_HASH);
    } else {
        len = path(mth, ctx, lo + k, n - k, m - k, proof, len);
        mth(ctx, lo, lo + k, proof + (size_t)len * MERKLE_HASH);
    }
    return len + 1;
}

int merkle_inclusion_proof_by(merkle_mth_fn *mth, void *ctx, uint64_t n, uint64_t m,
                              unsigned char *proof)
{
    if (m >= n)
        return -1;
    return path(mth, ctx, 0, n, m, proof, 0);
}

int merkle_inclusion_proof(const unsigned char *leaves, uint64_t n, uint64_t m,
                           unsigned char *proof)
{
    return merkle_inclusion_proof_by(mth_flat, (void *)leaves, n, m, proof);
}

/* RFC 9162 §2.1.3.2 */
bool merkle_inclusion_verify(uint64_t index, uint64_t size, const unsigned char leaf[MERKLE_HASH],
                             const unsigned char *proof, size_t len,
                             const unsigned char root[MERKLE_HASH])
{
    if (index >= size || len > MERKLE_MAX_PROOF)
        return false;
    uint64_t fn = index, sn = size - 1;
    unsigned char r[MERKLE_HASH];
    memcpy(r, leaf, MERKLE_HASH);
    for (size_t i = 0; i < len; i++) {
        if (sn == 0)
            return false; /* proof longer than the path */
        if ((fn & 1) || fn == sn) {
            node_hash(proof + i * MERKLE_HASH, r, r);
            if (!(fn & 1))
                while (fn != 0 && !(fn & 1)) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else
            node_hash(r, proof + i * MERKLE_HASH, r);
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && sodium_memcmp(r, root, MERKLE_HASH) == 0;
}

/* SUBPROOF(m, D[lo:lo+n], b) (RFC 9162 §2.1.4.1) */
static int subproof(merkle_mth_fn *mth, void *ctx, uint64_t lo, uint64_t m, uint64_t n, bool b,
                    unsigned char *proof, int len)
{
    if (m == n) {
        if (!b)
            mth(ctx, lo, lo + n, proof + (size_t)len++ * MERKLE_HASH);
        return len;
    }
    uint64_t k = split(n);
    if (m <= k) {
        len = subproof(mth, ctx, lo, m, k, b, proof, len);
        mth(ctx, lo + k, lo + n, proof + (size_t)len++ * MERKLE_HASH);
    } else {
        len = subproof(mth, ctx, lo + k, m - k, n - k, false, proof, len);
        mth(ctx, lo, lo + k, proof + (size_t)len++ * MERKLE_HASH);
    }
    return len;
}

int merkle_consistency_proof_by(merkle_mth_fn *mth, void *ctx, uint64_t m, uint64_t n,
                                unsigned char *proof)
{
    if (m == 0 || m > n)
        return -1;
    return subproof(mth, ctx, 0, m, n, true, proof, 0);
}

int merkle_consistency_proof(const unsigned char *leaves, uint64_t m, uint64_t n,
                             unsigned char *proof)
{
    return merkle_consistency_proof_by(mth_flat, (void *)leaves, m, n, proof);
}

void merkle_mth_blocks(void *ctx, uint64_t lo, uint64_t hi, unsigned char out[MERKLE_HASH])
{
    const struct merkle_blocks *b = ctx;
    uint64_t n = hi - lo, size = (uint64_t)1 << b->bits;
    if (n == 0) {
        crypto_hash_sha256(out, (const unsigned char *)"", 0);
        return;
    }
    if (n == 1) {
        b->leaf(b->ctx, lo, out);
        return;
    }
    /* a perfect, aligned range of whole stored blocks: the tree over their roots */
    if ((n & (n - 1)) == 0 && n >= size && lo % n == 0 && hi / size <= b->nroots) {
        merkle_root(b->roots + lo / size * MERKLE_HASH, n / size, out);
        return;
    }
    uint64_t k = split(n);
    unsigned char l[MERKLE_HASH], r[MERKLE_HASH];
    merkle_mth_blocks(ctx, lo, lo + k, l);
    merkle_mth_blocks(ctx, lo + k, hi, r);
    node_hash(l, r, out);
}

/* RFC 9162 §2.1.4.2 */
bool merkle_consistency_verify(uint64_t m, uint64_t n, const unsigned char root1[MERKLE_HASH],
                               const unsigned char root2[MERKLE_HASH],
                               const unsigned char *proof, size_t len)
{
    if (m == 0 || m > n || len > MERKLE_MAX_PROOF)
        return false;
    if (m == n)
        return len == 0 && sodium_memcmp(root1, root2, MERKLE_HASH) == 0;
    if (len == 0)
        return false;
    /* If m is an exact power of two, prepend first_hash to the proof. */
    const unsigned char *p[MERKLE_MAX_PROOF + 1];
    size_t pl = 0;
    if ((m & (m - 1)) == 0)
        p[pl++] = root1;
    for (size_t i = 0; i < len; i++)
        p[pl++] = proof + i * MERKLE_HASH;
    uint64_t fn = m - 1, sn = n - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    unsigned char fr[MERKLE_HASH], sr[MERKLE_HASH];
    memcpy(fr, p[0], MERKLE_HASH);
    memcpy(sr, p[0], MERKLE_HASH);
    for (size_t i = 1; i < pl; i++) {
        if (sn == 0)
            return false; /* proof longer than needed */
        if ((fn & 1) || fn == sn) {
            node_hash(p[i], fr, fr);
            node_hash(p[i], sr, sr);
            if (!(fn & 1))
                while (fn != 0 && !(fn & 1)) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else
            node_hash(sr, p[i], sr);
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && sodium_memcmp(fr, root1, MERKLE_HASH) == 0 &&
           sodium_memcmp(sr, root2, MERKLE_HASH) == 0;
}

void merkle_frontier_init(struct merkle_frontier *f)
{
    memset(f, 0, sizeof *f);
}

/* push - appends a perfect subtree of 2^height leaves, merging it with every
 * complete subtree on the right edge; if the merging forms the node at level
 * `want`, that node is copied to out and true returned. */
static bool push(struct merkle_frontier *f, const unsigned char root[MERKLE_HASH], int height,
                 int want, unsigned char out[MERKLE_HASH])
{
    unsigned char h[MERKLE_HASH];
    memcpy(h, root, MERKLE_HASH);
    uint64_t s = f->size >> height;
    int level = height;
    bool got = false;
    for (;;) {
        if (level == want) {
            memcpy(out, h, MERKLE_HASH);
            got = true;
        }
        if (!(s & 1))
            break;
        node_hash(f->node[level], h, h);
        s >>= 1;
        level++;
    }
    memcpy(f->node[level], h, MERKLE_HASH);
    f->size += (uint64_t)1 << height;
    return got;
}

void merkle_frontier_push(struct merkle_frontier *f, const unsigned char root[MERKLE_HASH],
                          int height)
{
    (void)push(f, root, height, -1, NULL);
}

void merkle_frontier_append(struct merkle_frontier *f, const unsigned char leaf[MERKLE_HASH])
{
    merkle_frontier_push(f, leaf, 0);
}

bool merkle_frontier_append_get(struct merkle_frontier *f, const unsigned char leaf[MERKLE_HASH],
                                int height, unsigned char out[MERKLE_HASH])
{
    return push(f, leaf, 0, height, out);
}

void merkle_frontier_join(struct merkle_frontier *f, const struct merkle_frontier *tail)
{
    /* the tail's perfect subtrees, largest first: each lands on a boundary of
     * its own size because f was aligned to one at least as large */
    for (int level = MERKLE_MAX_PROOF - 1; level >= 0; level--)
        if ((tail->size >> level) & 1)
            merkle_frontier_push(f, tail->node[level], level);
}

void merkle_frontier_root_over(const struct merkle_frontier *prefix,
                               const unsigned char tail_root[MERKLE_HASH],
                               unsigned char out[MERKLE_HASH])
{
    /* the tail's subtrees are all lower than the prefix's: the fold of the
     * joined edge is the tail's fold, continued through the prefix's nodes */
    unsigned char h[MERKLE_HASH];
    memcpy(h, tail_root, MERKLE_HASH);
    for (int level = 0; level < MERKLE_MAX_PROOF; level++)
        if ((prefix->size >> level) & 1)
            node_hash(prefix->node[level], h, h);
    memcpy(out, h, MERKLE_HASH);
}

void merkle_frontier_root(const struct merkle_frontier *f, unsigned char out[MERKLE_HASH])
{
    if (f->size == 0) {
        crypto_hash_sha256(out, (const unsigned char *)"", 0);
        return;
    }
    /* fold the perfect subtrees from the smallest (rightmost) to the largest */
    unsigned char h[MERKLE_HASH];
    bool have = false;
    for (int level = 0; level < MERKLE_MAX_PROOF; level++) {
        if (!((f->size >> level) & 1))
            continue;
        if (!have) {
            memcpy(h, f->node[level], MERKLE_HASH);
            have = true;
        } else
            node_hash(f->node[level], h, h);
    }
    memcpy(out, h, MERKLE_HASH);
}
