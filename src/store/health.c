/* health.c - see health.h. */
#include <stdatomic.h>

#include "store/health.h"
#include "util/banned.h"

static atomic_ullong fails, oks; /* counts; the newest event wins by a sequence */
static atomic_ullong seq, last_fail, last_ok;

void store_health_note(bool ok)
{
    unsigned long long n = atomic_fetch_add(&seq, 1) + 1;
    atomic_ullong *slot = ok ? &last_ok : &last_fail;
    unsigned long long cur = atomic_load(slot);
    /* store only if newer: a delayed older note must not overwrite a newer one */
    while (cur < n && !atomic_compare_exchange_weak(slot, &cur, n))
        ;
    atomic_fetch_add(ok ? &oks : &fails, 1);
}

bool store_health_failing(void)
{
    return atomic_load(&last_fail) > atomic_load(&last_ok);
}
