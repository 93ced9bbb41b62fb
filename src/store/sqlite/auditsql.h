/*
 * auditsql.h - the SQL face of the audit table, whose rows keep each entry as
 * its canonical bytes (`entry`): kaigo_audit_field(entry, i) returns field i
 * (AF_* below) as TEXT or INTEGER, or NULL if the bytes are not a canonical
 * entry. The view audit_v (created with the audit schema) names the fields
 * with it. The same file builds the SQLite extension `kaigo_audit.so`, so that
 * an investigator can read the log with the stock sqlite3 shell:
 *   sqlite3 -cmd '.load build/default/kaigo_audit' x.db.audit 'SELECT * FROM audit_v'
 */
#ifndef KAIGO_STORE_AUDITSQL_H
#define KAIGO_STORE_AUDITSQL_H

#include <sqlite3.h>

/* field numbers: the order of the canonical bytes after the tag */
enum audit_field {
    AF_INSURER_NO = 0,
    AF_SEQ,
    AF_TIME_MS,
    AF_ACTOR,
    AF_ORG,
    AF_ROLE,
    AF_INSURED_NO,
    AF_CATEGORY,
    AF_PURPOSE,
    AF_BASIS,
    AF_OUTCOME,
    AF_REQUEST_ID,
    AF_FLAGS,
    AF_BASIS_REF,
    AF_COUNT
};

/* auditsql_register - defines kaigo_audit_field on db (deterministic,
 * innocuous). Returns an SQLite result code. */
int auditsql_register(sqlite3 *db);

#endif
