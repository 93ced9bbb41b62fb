/* auditsql.c - kaigo_audit_field(entry, i); see auditsql.h. Built twice: into
 * the store (KAIGO_SQLITE_EXT undefined) and as the loadable extension. */
#ifdef KAIGO_SQLITE_EXT
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1
#endif

#include "store/sqlite/auditsql.h"
#include "domain/audit.h"
#include "util/banned.h"

static void text(sqlite3_context *cx, struct audit_text t)
{
    sqlite3_result_text(cx, t.p, (int)t.n, SQLITE_TRANSIENT);
}

static void field_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    int type = sqlite3_value_type(argv[0]);
    if (type != SQLITE_BLOB && type != SQLITE_TEXT) {
        sqlite3_result_null(cx);
        return;
    }
    const unsigned char *b = sqlite3_value_blob(argv[0]);
    int n = sqlite3_value_bytes(argv[0]);
    struct audit_fields f;
    if (!b || n < 0 || !audit_fields_parse(b, (size_t)n, &f)) {
        sqlite3_result_null(cx);
        return;
    }
    switch ((enum audit_field)sqlite3_value_int(argv[1])) {
    case AF_INSURER_NO: text(cx, f.insurer_no); return;
    case AF_SEQ: sqlite3_result_int64(cx, f.seq); return;
    case AF_TIME_MS: sqlite3_result_int64(cx, f.time_ms); return;
    case AF_ACTOR: text(cx, f.actor); return;
    case AF_ORG: text(cx, f.org); return;
    case AF_ROLE: text(cx, f.role); return;
    case AF_INSURED_NO: text(cx, f.insured_no); return;
    case AF_CATEGORY: text(cx, f.category); return;
    case AF_PURPOSE: text(cx, f.purpose); return;
    case AF_BASIS: text(cx, f.basis); return;
    case AF_OUTCOME: text(cx, f.outcome); return;
    case AF_REQUEST_ID: text(cx, f.request_id); return;
    case AF_FLAGS: sqlite3_result_int64(cx, (sqlite3_int64)f.flags); return;
    case AF_BASIS_REF: text(cx, f.basis_ref); return;
    case AF_COUNT: break;
    }
    sqlite3_result_null(cx);
}

int auditsql_register(sqlite3 *db)
{
    return sqlite3_create_function_v2(db, "kaigo_audit_field", 2,
                                      SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                      field_fn, NULL, NULL, NULL);
}

#ifdef KAIGO_SQLITE_EXT
int sqlite3_extension_init(sqlite3 *db, char **err, const sqlite3_api_routines *api);
int sqlite3_extension_init(sqlite3 *db, char **err, const sqlite3_api_routines *api)
{
    (void)err;
    SQLITE_EXTENSION_INIT2(api);
    return auditsql_register(db);
}
#endif
