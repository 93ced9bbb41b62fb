/* fuzz_audit_entry.c - libFuzzer target for audit_fields_parse (the stored
 * audit entry, read back by verify, the access report and the SQL function):
 * never reads out of bounds, and whatever parses is canonical — writing the
 * parsed fields gives back exactly the input bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "domain/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct audit_fields f;
    if (!audit_fields_parse(data, size, &f))
        return 0;
    unsigned char out[AUDIT_CANON_MAX];
    if (size > AUDIT_CANON_MAX)
        __builtin_trap(); /* canonical bytes never exceed the maximum... */
    size_t n = audit_canonical_fields(&f, out);
    if (n != size || memcmp(out, data, size) != 0)
        __builtin_trap();
    return 0;
}
