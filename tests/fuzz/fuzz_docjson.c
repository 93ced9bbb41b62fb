/* fuzz_docjson.c - libFuzzer target for the JSON documents (codec/docjson.c):
 * 認定調査票, 主治医意見書, LIFE feedback, ledger claims (untrusted API bodies
 * and import files) and stored applications. The first byte picks the parser.
 * Whatever parses must run through the domain checks without fault, and its
 * canonical encoding must parse again to the same encoding (a stored body
 * always reads back). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/docjson.h"
#include "util/text.h"

#define SAME(encode, a, b)                                                                        \
    do {                                                                                          \
        char *s1_ = encode(a), *s2_ = NULL;                                                       \
        if (parse_again(s1_, b))                                                                  \
            __builtin_trap();                                                                     \
        s2_ = encode(b);                                                                          \
        if (strcmp(s1_, s2_))                                                                     \
            __builtin_trap();                                                                     \
        free(s1_);                                                                                \
        free(s2_);                                                                                \
    } while (0)

/* a refusal's message and field are UTF-8: they are answered in JSON (jansson refuses anything
 * else, and the caller then got a 500 instead of the reason) */
static void utf8_error(const struct doc_error *e)
{
    if (!utf8_valid(e->msg, strlen(e->msg), NULL) || !utf8_valid(e->field, strlen(e->field), NULL))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    struct doc_error e;
    memset(&e, 0, sizeof e);
    switch (data[0] % 5) {
    case 0: {
        struct chosa *a = malloc(sizeof *a), *b = malloc(sizeof *b);
        if (docjson_chosa(s, n, a, &e) == 0) {
            (void)chosa_check(a, &e);
#define parse_again(x, y) docjson_chosa(x, strlen(x), y, &e)
            SAME(docjson_chosa_encode, a, b);
#undef parse_again
        }
        free(a);
        free(b);
        break;
    }
    case 1: {
        struct ikensho *a = malloc(sizeof *a), *b = malloc(sizeof *b);
        if (docjson_ikensho(s, n, a, &e) == 0) {
            (void)ikensho_check(a, true, &e);
            (void)ikensho_withheld_from_care(a);
#define parse_again(x, y) docjson_ikensho(x, strlen(x), y, &e)
            SAME(docjson_ikensho_encode, a, b);
#undef parse_again
        }
        free(a);
        free(b);
        break;
    }
    case 2: {
        struct life_feedback *a = malloc(sizeof *a), *b = malloc(sizeof *b);
        if (docjson_life(s, n, a, &e) == 0) {
            (void)life_check(a, &e);
#define parse_again(x, y) docjson_life(x, strlen(x), y, &e)
            SAME(docjson_life_encode, a, b);
#undef parse_again
        }
        free(a);
        free(b);
        break;
    }
    case 3: {
        struct ledger_claim a, b;
        if (docjson_claim(s, n, &a, &e) == 0) {
            char note[LEDGER_WHY_BYTES];
            const char *why;
            struct ledger_claim prev = a;
            (void)ledger_accept(&prev, 1, &a, note, &why);
#define parse_again(x, y) docjson_claim(x, strlen(x), y, &e)
            SAME(docjson_claim_encode, &a, &b);
#undef parse_again
        }
        break;
    }
    default: {
        struct application *a = malloc(sizeof *a), *b = malloc(sizeof *b);
        if (docjson_app(s, n, a) == 0) {
            (void)app_stage(a);
            (void)app_days_left(a, (struct date){2026, 4, 1});
#define parse_again(x, y) docjson_app(x, strlen(x), y)
            SAME(docjson_app_encode, a, b);
#undef parse_again
        }
        free(a);
        free(b);
        break;
    }
    }
    utf8_error(&e); /* the refusal's, or the domain check's, or empty */
    return 0;
}
