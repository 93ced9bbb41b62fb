/*
 * ratelimit.h - counting events per key in fixed windows, in memory, for the whole process: the
 * online checks of paper tokens (VERIFY_PER_MINUTE, paper.c), a cap on one node's work. Failed
 * logins and 本人確認 attempts are counted in the store instead, shared by every node (auth.c).
 *
 * Keys are kept only as a keyed hash (a login name or an address never sits in memory in
 * clear). The table has a fixed size; a new key takes a free slot, else one whose window has
 * passed, else the slot whose window started longest ago (evicting a stale counter, never
 * sharing one between keys). Thread-safe (one mutex); never allocates after the first call.
 */
#ifndef KAIGO_HTTP_RATELIMIT_H
#define KAIGO_HTTP_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define RATELIMIT_SLOTS 4096

/* A key is a kind (one letter: 'v' a verifying caller) and a value of any length. */

/* ratelimit_hit - counts one event for the key (in its window of window_ms from its first
 * event) and returns the count including it. */
int ratelimit_hit(char kind, const char *value, int64_t window_ms, int64_t now);
/* ratelimit_count - the count for the key in its current window, without counting. */
int ratelimit_count(char kind, const char *value, int64_t now);

#endif
