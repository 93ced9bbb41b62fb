/* fuzz_merkle.c - libFuzzer target for the RFC 9162 proof verifiers: arbitrary
 * sizes, indexes and proof bytes must never crash, loop or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "domain/merkle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 17)
        return 0;
    uint64_t a, b;
    memcpy(&a, data, 8);
    memcpy(&b, data + 8, 8);
    unsigned kind = data[16];
    data += 17;
    size -= 17;
    size_t len = size / MERKLE_HASH;
    if (len > MERKLE_MAX_PROOF + 2)
        len = MERKLE_MAX_PROOF + 2;
    unsigned char r1[MERKLE_HASH] = {0}, r2[MERKLE_HASH] = {1}, leaf[MERKLE_HASH] = {2};
    if (kind & 1)
        (void)merkle_inclusion_verify(a, b, leaf, data, len, r1);
    else
        (void)merkle_consistency_verify(a, b, r1, r2, data, len);
    return 0;
}
