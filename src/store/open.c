/* open.c - store_open: where a store lives (a file path or a postgresql:// URL) chooses
 * its backend. Every command and the server open their store here, never a backend by
 * name, so that `--db` and KAIGO_DB take either form everywhere (issue #22).
 *
 * A PostgreSQL store keeps its side files (keys, the operator token, print jobs) in the directory
 * $KAIGO_STATE, as kaigo.<suffix>; a SQLite store beside its file.
 *
 * Failure: NULL after printing the reason; a URL is printed without its password. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/directory.h"
#include "store/store.h"
#include "util/log.h"
#include "util/text.h"
#include "util/banned.h"

/* The schemes libpq accepts for a connection URI (PostgreSQL 15, §34.1.1). */
static const char *const pg_schemes[] = {"postgresql://", "postgres://"};

enum store_backend store_backend_of(const char *where)
{
    if (directory_path(where))
        return STORE_POSTGRESQL; /* clusters of PostgreSQL (store/directory.h): side files in $KAIGO_STATE */
    for (size_t i = 0; i < sizeof pg_schemes / sizeof *pg_schemes; i++)
        if (strncmp(where, pg_schemes[i], strlen(pg_schemes[i])) == 0)
            return STORE_POSTGRESQL;
    return STORE_SQLITE;
}

#define WHERE_SHOWN_MAX 4096 /* a longer URL is shown as its scheme only */

void store_where_redact(const char *where, char *out, size_t cap)
{
    if (cap == 0)
        return;
    if (store_backend_of(where) != STORE_POSTGRESQL || directory_path(where)) {
        str_cut(out, cap, where); /* a file's path holds no secret */
        return;
    }
    size_t n = strlen(where);
    if (n > WHERE_SHOWN_MAX) {
        str_cut(out, cap, where[8] == ':' ? "postgres://…" : "postgresql://…");
        return;
    }
    /* Which bytes are secret, by every reading of scheme://[user[:password]@]hosts[/db][?k=v&…]:
     * - the userspec's password, from its first ':' to an '@' before the first '/'. libpq takes
     *   the first such '@'; a person who wrote a bare '@' in a password meant the last, so the
     *   last is taken: more is hidden, never less;
     * - the value of every password= parameter, up to the next '&', wherever a '?' or '&'
     *   precedes it (also inside what was read as a userspec). */
    bool hide[WHERE_SHOWN_MAX] = {false};
    const char *auth = strstr(where, "://") + 3;
    size_t alen = strcspn(auth, "/");
    const char *at = NULL;
    for (const char *p = auth; p < auth + alen; p++)
        if (*p == '@')
            at = p;
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (colon)
        for (const char *p = colon + 1; p < at; p++)
            hide[p - where] = true;
    for (const char *p = auth; (p = strstr(p, "password=")); p += 9)
        if (p[-1] == '?' || p[-1] == '&')
            for (const char *v = p + 9; *v && *v != '&'; v++)
                hide[v - where] = true;
    /* each run of hidden bytes is shown as one "***" */
    size_t len = 0;
    for (size_t i = 0; i < n && len + 1 < cap; i++) {
        if (!hide[i]) {
            out[len++] = where[i];
            continue;
        }
        if (i > 0 && hide[i - 1])
            continue;
        for (const char *m = "***"; *m && len + 1 < cap; m++)
            out[len++] = *m;
    }
    out[len] = '\0';
}

/* state_dir - where a PostgreSQL store's side files are: $KAIGO_STATE, an absolute path (the
 * same keys on every node: a deployment's secret, not a node's state); NULL if unset */
static const char *state_dir(void)
{
    const char *d = getenv("KAIGO_STATE");
    return d && d[0] == '/' ? d : NULL;
}

int store_side_path(const char *where, const char *suffix, char *out, size_t cap)
{
    const char *base = where, *name = "";
    if (store_backend_of(where) == STORE_POSTGRESQL) {
        if (!(base = state_dir()))
            return -1;
        name = "/kaigo";
    }
    size_t a = strlen(base), m = strlen(name), b = strlen(suffix);
    if (a + m + b >= cap)
        return -1;
    memcpy(out, base, a);
    memcpy(out + a, name, m);
    memcpy(out + a + m, suffix, b + 1);
    return 0;
}

int store_where_usable(const char *where)
{
    if (store_backend_of(where) == STORE_SQLITE)
        return 0;
    const char *dir = state_dir();
    struct stat sb;
    if (dir && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
        return 0;
    char shown[512];
    store_where_redact(where, shown, sizeof shown);
    /* the keys (audit log, paper, tokens) and print jobs have no place inside PostgreSQL */
    error("%s: PostgreSQL の保存先を使うには、鍵などを置くディレクトリを環境変数 KAIGO_STATE に絶対パスで"
          "指定してください (KAIGO_STATE=%s%s)", shown, dir ? dir : getenv("KAIGO_STATE") ? getenv("KAIGO_STATE") : "",
          dir ? ": not a directory" : ": unset or not absolute");
    return -1;
}

struct store *store_open(const char *where, bool readonly)
{
    if (directory_path(where)) {
        /* a directory names one store per cluster: only the commands that take it open each */
        error("%s: 保存先の一覧 (directory:) はこのコマンドでは使えません。取込 (kaigo import) と監査ログの検証 "
              "(kaigo audit verify) のほかは、保険者のクラスタの URL を指定してください", where);
        return NULL;
    }
    if (store_where_usable(where))
        return NULL;
    if (store_backend_of(where) == STORE_POSTGRESQL)
        return store_open_pg(where, readonly);
    return store_open_sqlite(where, readonly);
}
