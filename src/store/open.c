/* open.c - store_open: where a store lives (a file path or a postgresql:// URL) chooses
 * its backend. Every command and the server open their store here, never a backend by
 * name, so that `--db` and KAIGO_DB take either form everywhere (issue #22).
 *
 * Failure: NULL after printing the reason; a URL is printed without its password. */
#include <stdbool.h>
#include <string.h>

#include "store/store.h"
#include "util/log.h"
#include "util/text.h"
#include "util/banned.h"

/* The schemes libpq accepts for a connection URI (PostgreSQL 15, §34.1.1). */
static const char *const pg_schemes[] = {"postgresql://", "postgres://"};

enum store_backend store_backend_of(const char *where)
{
    for (size_t i = 0; i < sizeof pg_schemes / sizeof *pg_schemes; i++)
        if (strncmp(where, pg_schemes[i], strlen(pg_schemes[i])) == 0)
            return STORE_POSTGRESQL;
    return STORE_SQLITE;
}

/* put - appends n bytes of p to out (cap bytes with the NUL), cutting at the end */
static void put(char *out, size_t cap, size_t *len, const char *p, size_t n)
{
    if (*len + n >= cap)
        n = cap - 1 - *len;
    memcpy(out + *len, p, n);
    *len += n;
    out[*len] = '\0';
}

void store_where_redact(const char *where, char *out, size_t cap)
{
    if (cap == 0)
        return;
    if (store_backend_of(where) != STORE_POSTGRESQL) {
        str_cut(out, cap, where);
        return;
    }
    /* scheme://[user[:password]@]hosts[/db][?k=v&…]: the password is between the first ':'
     * of the userspec and the authority's last '@' (a password may hold '@' or ':'), or the
     * value of a password= parameter. */
    size_t len = 0;
    out[0] = '\0';
    const char *auth = strstr(where, "://") + 3;
    size_t alen = strcspn(auth, "/?#");
    const char *at = NULL;
    for (const char *p = auth; p < auth + alen; p++)
        if (*p == '@')
            at = p;
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    const char *p = where;
    if (colon) {
        put(out, cap, &len, p, (size_t)(colon + 1 - p));
        put(out, cap, &len, "***", 3);
        p = at;
    }
    const char *q = strchr(p, '?');
    if (!q) {
        put(out, cap, &len, p, strlen(p));
        return;
    }
    put(out, cap, &len, p, (size_t)(q + 1 - p));
    for (p = q + 1; *p;) {
        size_t n = strcspn(p, "&");
        if (n >= 9 && strncmp(p, "password=", 9) == 0) {
            put(out, cap, &len, "password=***", 12);
        } else {
            put(out, cap, &len, p, n);
        }
        p += n;
        if (*p == '&')
            put(out, cap, &len, p++, 1);
    }
}

int store_side_path(const char *where, const char *suffix, char *out, size_t cap)
{
    if (store_backend_of(where) != STORE_SQLITE)
        return -1;
    size_t a = strlen(where), b = strlen(suffix);
    if (a + b >= cap)
        return -1;
    memcpy(out, where, a);
    memcpy(out + a, suffix, b + 1);
    return 0;
}

int store_where_usable(const char *where)
{
    if (store_backend_of(where) == STORE_SQLITE)
        return 0;
    char shown[512];
    store_where_redact(where, shown, sizeof shown);
    /* Refused, not ignored: the URL must never be taken for a file name. */
    error("%s: PostgreSQL の保存先はこのビルドではまだ使えません (issue #22: the PostgreSQL backend is "
          "being built); use a SQLite file for --db", shown);
    return -1;
}

struct store *store_open(const char *where, bool readonly)
{
    if (store_where_usable(where))
        return NULL;
    return store_open_sqlite(where, readonly);
}
