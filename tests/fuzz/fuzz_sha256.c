/* fuzz_sha256.c - differential libFuzzer target: util/sha256 (SHA extensions
 * and portable) against libsodium, for any input split at any point. */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/sha256.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char want[32], got[32];
    crypto_hash_sha256(want, data, size);
    size_t cut = size ? data[0] % (size + 1) : 0;
    for (int hw = 0; hw < 2; hw++) {
        sha256_use_hw(hw == 1);
        struct sha256 c;
        sha256_init(&c);
        sha256_update(&c, data, cut);
        sha256_update(&c, data + cut, size - cut);
        sha256_final(&c, got);
        if (memcmp(want, got, 32) != 0)
            __builtin_trap();
    }
    return 0;
}
