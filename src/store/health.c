/* health.c - see health.h. */
#include <stdatomic.h>

#include "store/health.h"
#include "util/banned.h"

static atomic_ullong fails, oks; /* counts; the newest event wins by a sequence */
static atomic_ullong seq, last_fail, last_ok;

void store_health_note(bool ok)
{
    unsigned long long n = atomic_fetch_add(&seq, 1) + 1;
    atomic_store(ok ? &last_ok : &last_fail, n);
    atomic_fetch_add(ok ? &oks : &fails, 1);
}

bool store_health_failing(void)
{
    return atomic_load(&last_fail) > atomic_load(&last_ok);
}
