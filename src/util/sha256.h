/*
 * sha256.h - SHA-256 (FIPS 180-4) with the x86 SHA extensions when the CPU has
 * them, else portable C. For the audit log's hashes (leaf, chain, Merkle
 * nodes), where hashing was ~40 % of `kaigo audit verify` with libsodium's
 * portable implementation (docs/benchmarks.md). Results are identical to
 * libsodium's crypto_hash_sha256 (tested differentially: u-merkle, fuzz_sha256).
 */
#ifndef KAIGO_UTIL_SHA256_H
#define KAIGO_UTIL_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_BYTES 32

struct sha256 {
    uint32_t h[8];
    uint64_t len;
    unsigned char buf[64];
    size_t fill;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *p, size_t n);
void sha256_final(struct sha256 *c, unsigned char out[SHA256_BYTES]);
void sha256(const void *p, size_t n, unsigned char out[SHA256_BYTES]);

/* sha256_use_hw - whether the SHA extensions are used; tests may turn them off
 * (false) to check the portable code. Returns the previous setting. */
bool sha256_use_hw(bool on);
bool sha256_hw_available(void);

#endif
