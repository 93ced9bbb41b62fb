/*
 * health.h - whether the store can write at all (a full disk, an I/O error), for readiness:
 * every failed durable write (a commit, an audit batch, a write statement failing with
 * SQLITE_FULL / SQLITE_IOERR) marks the store failing; the next successful one clears it.
 * Process-wide, lock-free.
 */
#ifndef KAIGO_STORE_HEALTH_H
#define KAIGO_STORE_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

void store_health_note(bool ok);
/* store_health_failing - true while the last durable write failed */
bool store_health_failing(void);

#endif
