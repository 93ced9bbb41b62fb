/*
 * faultvfs.h - a SQLite VFS over the default one that makes writes fail on demand, in the manner
 * of SQLite's own fault-injection tests: every xWrite, xTruncate and xSync of every file (the
 * database, its WAL, the audit log and its index) fails with SQLITE_FULL or SQLITE_IOERR_WRITE
 * once armed. Test-only: the store's unit tests arm it by count; the test build (kaigo-test)
 * registers it when the disk-full hook names a file, and fails writes while that file exists
 * (tests/e2e/fulldisk.test.mjs). The shipped binary never registers it.
 */
#ifndef KAIGO_STORE_FAULTVFS_H
#define KAIGO_STORE_FAULTVFS_H

#include <stdbool.h>

enum fault_kind { FAULT_FULL, FAULT_IOERR };

/* faultvfs_register - makes the fault VFS SQLite's default (once; later calls do nothing).
 * 0, or -1 if SQLite refused it. */
int faultvfs_register(void);
/* faultvfs_arm - the (after + 1)-th write from now fails, and every one after it, until
 * faultvfs_disarm. */
void faultvfs_arm(enum fault_kind kind, long after);
void faultvfs_disarm(void);
/* faultvfs_flag_file - fail every write while this file exists (NULL: no such file). */
void faultvfs_flag_file(const char *path);
/* faultvfs_faults - writes failed so far. */
long faultvfs_faults(void);

#endif
