/* migrate.h - a municipality's SQLite store moved into PostgreSQL (kaigo migrate, issue #22).
 *
 * store_migrate copies every table of the SQLite database at `from` and of its audit log
 * (<from>.audit: entries, signed checkpoints, block roots) into the PostgreSQL database at `to`,
 * which must hold kaigo's schema (src/store/pg/schema.sql) and no data, in one transaction: a
 * failure anywhere leaves `to` as it was. Each table is read back inside that transaction and
 * compared with its source (rows and a digest of every row); a difference rolls everything back.
 *
 * Which tables: MIGRATE_TABLES in migrate.c, in an order that satisfies the foreign keys. A table of
 * either schema that is neither copied nor named as left out (schema bookkeeping, the health probe,
 * SQLite's link between its two files, PostgreSQL's derived heads and unused person index) fails
 * the migration: a new table is never dropped on the way without a decision.
 *
 * The caller's part (cli/cmd_migrate.c): the keys beside the SQLite file, `kaigo audit verify`
 * before and after, and stopping every writer of `from` first (its two files are read as two
 * snapshots).
 *
 * Returns 0; 1 refused (the source does not verify its schema, the target is not empty, a table is
 * unknown, the copy differs), -1 failure (connection, database error); both with the reason in err
 * (never a personal value; a URL is not put in it) and `to` unchanged. */
#ifndef KAIGO_STORE_MIGRATE_H
#define KAIGO_STORE_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* one table's outcome: rows copied and whether the read-back equalled the source */
struct migrate_table {
    const char *name; /* PostgreSQL's name of the table */
    long long rows;
    bool equal;
};

/* migrate_progress_fn - after each MIGRATE_PROGRESS_ROWS rows of a table (done false) and at its
 * end, once it was compared (done true) */
typedef void migrate_progress_fn(void *ctx, const struct migrate_table *t, bool done);
#define MIGRATE_PROGRESS_ROWS 100000

int store_migrate(const char *from, const char *to, migrate_progress_fn *fn, void *ctx, char *err, size_t cap);

#endif
