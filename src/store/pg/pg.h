/* pg.h - the PostgreSQL side of the narrow driver (store/db.h) over libpq (issue #22).
 *
 * pg_db_open gives a connection the shared logic (store/auditlog.c, records.c, access.c) runs
 * on, pg_auditlog_sql the audit log's statements in PostgreSQL's dialect against
 * src/store/pg/schema.sql; store.c builds the store_ops backend on it. A connection lost
 * between transactions is made again by itself (driver.c).
 *
 * Ownership: a connection belongs to one thread; pg_db_close frees it and its statements.
 * Failure: pg_db_open returns NULL with the reason in err (the URL's password never in it). */
#ifndef KAIGO_STORE_PG_H
#define KAIGO_STORE_PG_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "store/auditlog.h"
#include "store/db.h"

struct db *pg_db_open(const char *url, char *err, size_t cap);
/* pg_db_open_session - pg_db_open, then session (one SET, or "") on this connection and on every
 * one made again after a loss (driver.c: reconnecting) */
struct db *pg_db_open_session(const char *url, const char *session, char *err, size_t cap);
void pg_db_close(struct db *db);
/* pg_db_copy - COPY … FROM STDIN (copy_sql) of data[0..len), rows in COPY's text format; inside
 * the caller's transaction, never reconnecting; -1 with the server's message recorded */
int pg_db_copy(struct db *db, const char *copy_sql, const char *data, size_t len);
/* pg_db_copy_stream - rows appended to a COPY … FROM STDIN (copy_sql, compared by address) that
 * stays open, so that the server stores them while the caller makes the next; the connection's
 * next statement, COMMIT or another COPY ends it first, and fails with the COPY's message if the
 * server refused its rows (COMMIT then rolls back); ROLLBACK aborts it */
int pg_db_copy_stream(struct db *db, const char *copy_sql, const char *data, size_t len);
/* pg_db_copying - the COPY copy_sql (by address) is the one left open by pg_db_copy_stream */
bool pg_db_copying(struct db *db, const char *copy_sql);
/* COPY's binary format (FORMAT binary), appended to a buffer: the header once before a COPY's
 * first row, then each row as its field count and its fields. The import's rows go this way: the
 * server neither scans them for delimiters nor unescapes them (docs/benchmarks.md). */
void pg_copy_bin_header(struct buf *b);
void pg_copy_bin_row(struct buf *b, int fields);
void pg_copy_bin_text(struct buf *b, const char *s); /* s's bytes without its NUL (a text field) */
void pg_copy_bin_int4(struct buf *b, int32_t v);
void pg_copy_bin_int8(struct buf *b, int64_t v);
/* pg_copy_text - s[0..n) as a field in COPY's text format (backslash, tab, newline and carriage
 * return escaped) appended to b: the one writer of COPY rows (pg/store.c's import, store/migrate.c) */
struct buf;
void pg_copy_text(struct buf *b, const char *s, size_t n);
/* pg_db_lost - the connection is lost (and not yet made again) */
bool pg_db_lost(struct db *db);
/* pg_db_errmsg - the last failure recorded on the connection */
const char *pg_db_errmsg(struct db *db);

extern const char *const pg_auditlog_sql[AL_COUNT];

#endif
