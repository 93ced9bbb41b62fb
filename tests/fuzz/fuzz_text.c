/* fuzz_text.c - libFuzzer target for UTF-8 validation, CP932 decoding and folding (ascii_fold,
 * address_fold, kana_key: the clerk's カナ search). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    struct buf b;
    size_t off;
    buf_init(&b, 1 << 20);
    if (utf8_valid(p, size, &off)) {
        ascii_fold(p, size, &b);
        if (!buf_failed(&b) && !utf8_valid(b.ptr ? b.ptr : "", b.len, NULL))
            __builtin_trap(); /* folding keeps UTF-8 valid */
        (void)is_katakana_name(p, size);
        /* address_fold keeps UTF-8 valid and is idempotent (a folded address folds to itself) */
        struct buf f1, f2;
        buf_init(&f1, 1 << 20);
        buf_init(&f2, 1 << 20);
        address_fold(p, size, &f1);
        if (!buf_failed(&f1)) {
            if (!utf8_valid(f1.ptr ? f1.ptr : "", f1.len, NULL))
                __builtin_trap();
            address_fold(f1.ptr ? f1.ptr : "", f1.len, &f2);
            if (!buf_failed(&f2) && (f1.len != f2.len || (f1.len && memcmp(f1.ptr, f2.ptr, f1.len))))
                __builtin_trap();
        }
        buf_release(&f1);
        buf_release(&f2);
        /* kana_key keeps UTF-8 valid, leaves no space and no hiragana, and is idempotent (a key keys to itself) */
        struct buf k1, k2;
        buf_init(&k1, 1 << 20);
        buf_init(&k2, 1 << 20);
        kana_key(p, size, &k1);
        if (!buf_failed(&k1)) {
            if (!utf8_valid(k1.ptr ? k1.ptr : "", k1.len, NULL) || (k1.len && memchr(k1.ptr, ' ', k1.len)))
                __builtin_trap();
            for (size_t i = 0; i + 2 < k1.len; i++) {
                const unsigned char *u = (const unsigned char *)k1.ptr + i;
                unsigned cp = ((unsigned)(u[0] & 0x0F) << 12) | ((unsigned)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
                if (u[0] == 0xE3 && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80 &&
                    (cp == 0x3000 || (cp >= 0x3041 && cp <= 0x3096)))
                    __builtin_trap();
            }
            kana_key(k1.ptr ? k1.ptr : "", k1.len, &k2);
            if (!buf_failed(&k2) && (k1.len != k2.len || (k1.len && memcmp(k1.ptr, k2.ptr, k1.len))))
                __builtin_trap();
        }
        buf_release(&k1);
        buf_release(&k2);
    } else if (off > size)
        __builtin_trap();
    buf_reset(&b);
    if (cp932_to_utf8(p, size, &b, &off) == 0 && !buf_failed(&b) &&
        !utf8_valid(b.ptr ? b.ptr : "", b.len, NULL))
        __builtin_trap(); /* decoded CP932 is valid UTF-8 */
    buf_release(&b);
    return 0;
}
