/* ratelimit.c - see ratelimit.h. */
#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "http/ratelimit.h"
#include "util/banned.h"

struct slot {
    unsigned char key[16]; /* keyed BLAKE2b of the key */
    int64_t until_ms;      /* end of its window (first event + its window) */
    int count;             /* 0: free */
};

static struct slot slots[RATELIMIT_SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char hash_key[crypto_generichash_KEYBYTES];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void)
{
    randombytes_buf(hash_key, sizeof hash_key);
}

/* find - key's slot, or (create) a free, expired or the oldest one made key's; lock held */
static struct slot *find(const unsigned char key[16], int64_t window_ms, int64_t now, bool create)
{
    struct slot *victim = NULL;
    for (size_t i = 0; i < RATELIMIT_SLOTS; i++) {
        struct slot *s = &slots[i];
        if (s->count && now >= s->until_ms)
            s->count = 0; /* its window has passed: free */
        if (s->count && memcmp(s->key, key, 16) == 0)
            return s;
        if (!victim || (victim->count && (!s->count || s->until_ms < victim->until_ms)))
            victim = s;
    }
    if (!create)
        return NULL;
    memcpy(victim->key, key, 16);
    victim->count = 0;
    victim->until_ms = now + window_ms;
    return victim;
}

static void hash(char kind, const char *value, unsigned char out[16])
{
    pthread_once(&once, init);
    crypto_generichash_state g;
    crypto_generichash_init(&g, hash_key, sizeof hash_key, 16);
    crypto_generichash_update(&g, (const unsigned char *)&kind, 1);
    crypto_generichash_update(&g, (const unsigned char *)value, strlen(value));
    crypto_generichash_final(&g, out, 16);
}

int ratelimit_hit(char kind, const char *value, int64_t window_ms, int64_t now)
{
    unsigned char k[16];
    hash(kind, value, k);
    pthread_mutex_lock(&lock);
    struct slot *s = find(k, window_ms, now, true);
    int n = ++s->count;
    pthread_mutex_unlock(&lock);
    return n;
}

int ratelimit_count(char kind, const char *value, int64_t now)
{
    unsigned char k[16];
    hash(kind, value, k);
    pthread_mutex_lock(&lock);
    struct slot *s = find(k, 0, now, false);
    int n = s ? s->count : 0;
    pthread_mutex_unlock(&lock);
    return n;
}
