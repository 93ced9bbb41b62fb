/* testpg.h - a throw-away PostgreSQL cluster for unit tests (tests/pg/cluster.sh) with kaigo's
 * schema installed once in a template database, and a fresh database made from it for each test
 * (CREATE DATABASE … TEMPLATE: a copy of the files, ≈ 0.1 s). The application connects as
 * kaigo_app, a role that is no superuser and holds only kaigo_rw's grants.
 *
 * Needs KAIGO_SRC_DIR defined (the source tree: cluster.sh and schema.sql). testpg_start returns
 * -1 (and the test fails) when PostgreSQL 15 is not installed: `make test` installs it. */
#ifndef KAIGO_TESTS_TESTPG_H
#define KAIGO_TESTS_TESTPG_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char testpg_work[64], testpg_admin[256], testpg_app[256];
static int testpg_n;

__attribute__((format(printf, 1, 2))) static int testpg_sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd);
}

static int testpg_line(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int ok = fgets(out, (int)cap, f) != NULL;
    fclose(f);
    out[strcspn(out, "\n")] = '\0';
    return ok ? 0 : -1;
}

/* testpg_url - url with its database name (after the last '/') replaced by db */
static void testpg_url(const char *url, const char *db, char *out, size_t cap)
{
    const char *slash = strrchr(url, '/');
    snprintf(out, cap, "%.*s/%s", (int)(slash - url), url, db);
}

/* testpg_start - the cluster, and the database kaigo_tmpl with the schema, as the template */
static int testpg_start(void)
{
    snprintf(testpg_work, sizeof testpg_work, "/tmp/kaigo-testpg.XXXXXX");
    if (!mkdtemp(testpg_work) || chmod(testpg_work, 0711))
        return -1;
    char p[128], admin_kaigo[256];
    snprintf(p, sizeof p, "%s/pg/admin-url", testpg_work);
    if (testpg_sh("%s/tests/pg/cluster.sh start %s/pg >/dev/null", KAIGO_SRC_DIR, testpg_work) ||
        testpg_line(p, admin_kaigo, sizeof admin_kaigo))
        return -1;
    snprintf(p, sizeof p, "%s/pg/url", testpg_work);
    if (testpg_line(p, testpg_app, sizeof testpg_app))
        return -1;
    testpg_url(admin_kaigo, "postgres", testpg_admin, sizeof testpg_admin);
    char tmpl[256];
    testpg_url(admin_kaigo, "kaigo_tmpl", tmpl, sizeof tmpl);
    if (testpg_sh("psql -X -q -v ON_ERROR_STOP=1 '%s' -c 'CREATE DATABASE kaigo_tmpl' >/dev/null", testpg_admin) ||
        testpg_sh("PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 '%s'"
                  " -c 'REVOKE ALL ON SCHEMA public FROM PUBLIC' -c 'GRANT USAGE ON SCHEMA public TO kaigo_app'"
                  " -f %s/src/store/pg/schema.sql -c 'GRANT kaigo_rw TO kaigo_app' >/dev/null",
                  tmpl, KAIGO_SRC_DIR))
        return -1;
    return 0;
}

/* testpg_fresh - a new database with the schema and nothing else; its application URL in out */
static int testpg_fresh(char *out, size_t cap)
{
    char name[32];
    snprintf(name, sizeof name, "t%d", ++testpg_n);
    if (testpg_sh("psql -X -q -v ON_ERROR_STOP=1 '%s' -c 'CREATE DATABASE %s TEMPLATE kaigo_tmpl' >/dev/null",
                  testpg_admin, name))
        return -1;
    testpg_url(testpg_app, name, out, cap);
    return 0;
}

static void testpg_stop(void)
{
    if (!testpg_work[0])
        return;
    testpg_sh("%s/tests/pg/cluster.sh stop %s/pg >/dev/null 2>&1", KAIGO_SRC_DIR, testpg_work);
    testpg_sh("rm -rf %s", testpg_work);
}

#endif
