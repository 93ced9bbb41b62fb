/* testdb.h - the files of one kaigo database (the registry, the audit log, its index and keys, each
 * with its WAL and shared memory), for unit tests that make and remove their own. */
#ifndef KAIGO_TESTS_TESTDB_H
#define KAIGO_TESTS_TESTDB_H

#include <stdio.h>
#include <unistd.h>

static const char *const testdb_suffixes[] = {"", "-wal", "-shm", ".audit", ".audit-wal", ".audit-shm",
                                              ".audit-idx", ".audit-key", ".audit-key.pub",
                                              ".audit-idx-wal", ".audit-idx-shm", ".token-key",
                                              ".token-key.pub"};
#define TESTDB_FILES (sizeof testdb_suffixes / sizeof testdb_suffixes[0])

static inline void testdb_remove(const char *path)
{
    char p[512];
    for (size_t i = 0; i < TESTDB_FILES; i++) {
        snprintf(p, sizeof p, "%s%s", path, testdb_suffixes[i]);
        unlink(p);
    }
}

#endif
