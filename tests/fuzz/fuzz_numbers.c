/* fuzz_numbers.c - libFuzzer target for the number checks. */
#include <stddef.h>
#include <stdint.h>

#include "domain/numbers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data, *why;
    enum provider_rule rule;
    if (insurer_no_check(s, size, &why) == 0 && size != 6)
        __builtin_trap();
    if (provider_no_check(s, size, &rule, &why) == 0 && size != 10)
        __builtin_trap();
    if (insured_no_check(s, size, &why) == 0 && size != 10)
        __builtin_trap();
    (void)insured_no_check_seiho(s, size, &why);
    return 0;
}
