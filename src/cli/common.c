/* common.c - helpers for the subcommands; see cli.h. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/banned.h"

bool is_help(const char *a)
{
    return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == '\0' && *i + 1 < argc) {
        (*i)++;
        return argv[*i];
    }
    return NULL;
}

const char *db_default(void)
{
    const char *e = getenv("KAIGO_DB");
    return e && *e ? e : NULL;
}

const char *cli_actor_id(void)
{
    static char id[64];
    if (!id[0]) {
        struct passwd *pw = getpwuid(getuid());
        snprintf(id, sizeof id, "cli:%.50s", pw && pw->pw_name ? pw->pw_name : "unknown");
    }
    return id;
}
