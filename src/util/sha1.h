/*
 * sha1.h - SHA-1 (FIPS 180-4) and HMAC-SHA1 (RFC 2104), for TOTP only.
 *
 * TOTP (RFC 6238) authenticator apps use HMAC-SHA1 by default and libsodium
 * has no SHA-1. SHA-1's collision weakness does not affect HMAC or TOTP; do
 * not use this for anything else.
 */
#ifndef KAIGO_UTIL_SHA1_H
#define KAIGO_UTIL_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_BYTES 20

void sha1(const void *data, size_t n, unsigned char out[SHA1_BYTES]);
void hmac_sha1(const unsigned char *key, size_t keylen, const void *msg, size_t n,
               unsigned char out[SHA1_BYTES]);

#endif
