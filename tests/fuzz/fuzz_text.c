/* fuzz_text.c - libFuzzer target for UTF-8 validation, CP932 decoding and folding. */
#include <stddef.h>
#include <stdint.h>

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
    } else if (off > size)
        __builtin_trap();
    buf_reset(&b);
    if (cp932_to_utf8(p, size, &b, &off) == 0 && !buf_failed(&b) &&
        !utf8_valid(b.ptr ? b.ptr : "", b.len, NULL))
        __builtin_trap(); /* decoded CP932 is valid UTF-8 */
    buf_release(&b);
    return 0;
}
