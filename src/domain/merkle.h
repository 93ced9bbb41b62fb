/*
 * merkle.h - RFC 9162 (Certificate Transparency v2) Merkle tree hashing over
 * the audit log's leaf hashes: tree heads, inclusion and consistency proofs,
 * and their verification. Pure (libsodium SHA-256). Groundwork for the access
 * issue's signed checkpoints; leaf hashes are audit_leaf_hash() (0x00 prefix),
 * interior nodes SHA-256(0x01 ‖ left ‖ right).
 *
 * Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 strictly: a proof must
 * be consumed exactly, sizes must be ordered and in range; any deviation fails.
 */
#ifndef KAIGO_DOMAIN_MERKLE_H
#define KAIGO_DOMAIN_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/compiler.h"

#define MERKLE_HASH 32
#define MERKLE_MAX_PROOF 64 /* log2 of any tree we can hold, and then some */

/* Leaves and proofs are flat arrays of 32-byte hashes (n × MERKLE_HASH bytes). */

/* merkle_root - MTH(D[0:n]) of n leaf hashes; the empty tree is SHA-256(""). */
void merkle_root(const unsigned char *leaves, uint64_t n, unsigned char out[MERKLE_HASH]);

/* merkle_inclusion_proof - PATH(m, D[0:n]); returns the number of hashes (≤ MERKLE_MAX_PROOF),
 * or -1 if m ≥ n. */
int merkle_inclusion_proof(const unsigned char *leaves, uint64_t n, uint64_t m,
                           unsigned char *proof);
MUST_CHECK bool merkle_inclusion_verify(uint64_t index, uint64_t size,
                                        const unsigned char leaf[MERKLE_HASH],
                                        const unsigned char *proof, size_t len,
                                        const unsigned char root[MERKLE_HASH]);

/* merkle_consistency_proof - PROOF(m, D[0:n]) for 0 < m ≤ n; returns the number
 * of hashes, or -1 if the sizes are out of order. */
int merkle_consistency_proof(const unsigned char *leaves, uint64_t m, uint64_t n,
                             unsigned char *proof);
MUST_CHECK bool merkle_consistency_verify(uint64_t m, uint64_t n,
                                          const unsigned char root1[MERKLE_HASH],
                                          const unsigned char root2[MERKLE_HASH],
                                          const unsigned char *proof, size_t len);

/* The same proofs over any source of subtree hashes: mth(ctx, lo, hi, out)
 * must write MTH(D[lo:hi]). */
typedef void merkle_mth_fn(void *ctx, uint64_t lo, uint64_t hi, unsigned char out[MERKLE_HASH]);
int merkle_inclusion_proof_by(merkle_mth_fn *mth, void *ctx, uint64_t n, uint64_t m,
                              unsigned char *proof);
int merkle_consistency_proof_by(merkle_mth_fn *mth, void *ctx, uint64_t m, uint64_t n,
                                unsigned char *proof);

/* A source for the *_by proofs from stored roots of the complete aligned blocks
 * of 2^bits leaves (block i = leaves i·2^bits …) and single leaves for the rest
 * (the caller loads them on demand; a proof touches at most two blocks' leaves:
 * the proved leaf's and the partial last one). Pass a struct merkle_blocks as ctx. */
struct merkle_blocks {
    int bits;
    const unsigned char *roots; /* nroots × MERKLE_HASH */
    uint64_t nroots;
    void (*leaf)(void *ctx, uint64_t i, unsigned char out[MERKLE_HASH]);
    void *ctx;
};
void merkle_mth_blocks(void *ctx, uint64_t lo, uint64_t hi, unsigned char out[MERKLE_HASH]);

/* The right edge of the tree: append in O(log n), root in O(log n). */
struct merkle_frontier {
    uint64_t size;
    unsigned char node[MERKLE_MAX_PROOF][MERKLE_HASH]; /* perfect subtree roots, by height */
};

void merkle_frontier_init(struct merkle_frontier *f);
void merkle_frontier_append(struct merkle_frontier *f, const unsigned char leaf[MERKLE_HASH]);
void merkle_frontier_root(const struct merkle_frontier *f, unsigned char out[MERKLE_HASH]);
/* merkle_frontier_append_get - appends a leaf; if that completes an aligned
 * perfect subtree of 2^height leaves, writes its root to out and returns true. */
bool merkle_frontier_append_get(struct merkle_frontier *f, const unsigned char leaf[MERKLE_HASH],
                                int height, unsigned char out[MERKLE_HASH]);

/* Independent stretches of the log (kaigo audit verify, one per thread): a
 * stretch that starts at a multiple of a power of two 2^k and holds at most 2^k
 * leaves can build its own frontier from zero; the two then combine.
 * merkle_frontier_push - appends a perfect subtree of 2^height leaves with the
 *   given root; f->size must be a multiple of 2^height.
 * merkle_frontier_join - appends the stretch's frontier `tail` to f (f->size a
 *   multiple of a power of two ≥ tail->size).
 * merkle_frontier_root_over - the root of prefix ‖ tail from the tail's own
 *   merkle_frontier_root() (tail non-empty, same alignment as join). */
void merkle_frontier_push(struct merkle_frontier *f, const unsigned char root[MERKLE_HASH],
                          int height);
void merkle_frontier_join(struct merkle_frontier *f, const struct merkle_frontier *tail);
void merkle_frontier_root_over(const struct merkle_frontier *prefix,
                               const unsigned char tail_root[MERKLE_HASH],
                               unsigned char out[MERKLE_HASH]);

#endif
