/* fuzz_papertoken.c - libFuzzer target for the paper token's text form
 * (domain/papertoken.c): whatever parses must print back to the same text
 * (one text per token), and no input may verify against a fixed key. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sodium.h>

#include "domain/papertoken.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned char pk[32];
    static int init;
    if (!init) {
        unsigned char sk[64], seed[32] = {1};
        if (sodium_init() < 0)
            __builtin_trap();
        crypto_sign_seed_keypair(pk, sk, seed);
        init = 1;
    }
    struct paper_token t;
    const char *why;
    if (paper_token_parse((const char *)data, size, &t, &why) == 0) {
        char text[PAPER_TOKEN_TEXT_MAX];
        if (paper_token_text(&t, text) != 0 || strlen(text) != size || memcmp(text, data, size) != 0)
            __builtin_trap();
        (void)paper_token_verify(&t, pk); /* forging is not expected; it must simply not crash */
    } else if (!why || !*why)
        __builtin_trap();
    return 0;
}
