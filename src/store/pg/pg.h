/* pg.h - the PostgreSQL side of the narrow driver (store/db.h) over libpq (issue #22).
 *
 * So far it carries the shared audit log (store/auditlog.c): pg_db_open gives a connection the
 * shared logic runs on, pg_auditlog_sql its statements in PostgreSQL's dialect against
 * src/store/pg/schema.sql. The whole store_ops backend is not built yet (store_open refuses a
 * postgresql:// URL).
 *
 * Ownership: a connection belongs to one thread; pg_db_close frees it and its statements.
 * Failure: pg_db_open returns NULL with the reason in err (the URL's password never in it). */
#ifndef KAIGO_STORE_PG_H
#define KAIGO_STORE_PG_H

#include <stddef.h>

#include "store/auditlog.h"
#include "store/db.h"

struct db *pg_db_open(const char *url, char *err, size_t cap);
void pg_db_close(struct db *db);
/* pg_db_errmsg - the last failure recorded on the connection */
const char *pg_db_errmsg(struct db *db);

extern const char *const pg_auditlog_sql[AL_COUNT];

#endif
