/* fuzz_date.c - libFuzzer target for date parsing (ISO and 和暦) with a round trip. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "domain/wareki.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct date d;
    const char *why;
    if (date_parse_any((const char *)data, size, &d, &why) == 0) {
        if (!date_valid(d))
            __builtin_trap();
        struct buf b;
        buf_init(&b, 128);
        if (wareki_format(d, WAREKI_LONG, &b) == 0) {
            struct date back;
            if (wareki_parse(b.ptr, b.len, &back, &why) || date_cmp(back, d))
                __builtin_trap(); /* every formatted date parses back to itself */
        }
        buf_release(&b);
    }
    return 0;
}
