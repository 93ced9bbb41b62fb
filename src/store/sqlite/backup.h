/*
 * backup.h - an online copy of a SQLite store: the registry database and its audit log as one
 * consistent set, while the server runs (SQLite's online backup API), and the checks a restore
 * makes before the copy is put in place.
 *
 * Consistency: both files are copied inside one read transaction of one connection that has
 * the log attached, so each is the snapshot of one moment - the moment the backup began (the
 * recovery point). Entries committed to the log after that moment are not in the copy; an
 * entry is never half in it. Writers are not blocked (WAL). The person index (.audit-idx) is
 * derived from the log and not copied: kaigo rebuilds it.
 *
 * PostgreSQL (issue 22) is backed up with its own tools (pg_basebackup / WAL archiving); these
 * functions are for the SQLite store only. Failure behaviour: -1 with a message in err; a copy
 * left half-written is the caller's to remove (cli/cmd_backup.c writes into a directory it
 * renames into place only when complete).
 */
#ifndef KAIGO_STORE_BACKUP_H
#define KAIGO_STORE_BACKUP_H

#include <stddef.h>

struct backup_counts {
    long long audit_entries; /* rows of the audit log, every insurer */
    long long checkpoints;   /* signed checkpoints */
    long long changes;       /* the registry's change records */
    long long persons;       /* persons registered (資格 records, current or not) */
};

/* progress: called after each step with the pages copied and in all of the file being copied */
typedef void backup_progress_fn(void *ctx, const char *what, long long done, long long total);

/* store_backup_sqlite - copies db to dest_db and db's audit log (<db>.audit) to dest_audit
 * (neither may exist), from one read snapshot; the counts of that snapshot in *counts. */
int store_backup_sqlite(const char *db, const char *dest_db, const char *dest_audit,
                        struct backup_counts *counts, backup_progress_fn *progress, void *ctx,
                        char *err, size_t cap);

/* store_restore_check - a copy at db (with <db>.audit beside it) is whole: both files pass
 * PRAGMA integrity_check, the registry its foreign keys, the log is the one the registry is
 * tied to (file id), and the counts equal want's. Opens both read-only; writes nothing. */
int store_restore_check(const char *db, const struct backup_counts *want, char *err, size_t cap);

/* store_settle_sqlite - whatever a WAL beside db or its log holds copied back into the files
 * (wal_checkpoint TRUNCATE), so that the files alone are the whole database. 0 or -1. */
int store_settle_sqlite(const char *db, char *err, size_t cap);

#endif
