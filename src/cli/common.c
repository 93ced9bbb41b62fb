/* common.c - helpers for the subcommands; see cli.h. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"
#include "store/disclose.h"
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

void cli_actor(struct actor *a)
{
    memset(a, 0, sizeof *a);
    a->role = ROLE_OPERATOR;
    snprintf(a->id, sizeof a->id, "%s", cli_actor_id());
}

void cli_request_id(char rid[REQUEST_ID_BYTES])
{
    unsigned char rnd[8];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(rid, REQUEST_ID_BYTES, rnd, sizeof rnd);
}

void cli_disclosure(struct disclosure *d, const struct person_key *k, int category,
                    char rid[REQUEST_ID_BYTES])
{
    memset(d, 0, sizeof *d);
    cli_actor(&d->rq.actor);
    d->rq.person = *k;
    d->rq.category = (enum category)category;
    d->rq.purpose = PURPOSE_ADMIN;
    cli_request_id(rid);
    d->request_id = rid;
    d->time_ms = clock_now_ms();
}
