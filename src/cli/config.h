/*
 * config.h - kaigo's settings, read once at start into one structure (config_load, from main
 * before anything else runs) and read-only afterwards.
 *
 * Three sources, the later winning: the configuration file (`key = value`, docs/operations.md
 * lists every key; packaging/kaigo.conf is the shipped, commented one), the environment
 * (KAIGO_<KEY> in upper case), and a command's own flags (cmd_serve.c). The file is the one
 * named by `--config FILE` (before or right after the subcommand), else $KAIGO_CONFIG, else -
 * for a binary running from where it was installed - <sysconfdir>/kaigo/kaigo.conf when it
 * exists. A file that cannot be read, an unknown key or a value out of range is an error
 * naming FILE:LINE (a service must not start on a configuration it misread); an environment
 * value out of range is warned about and the default kept. `kaigo serve` logs the settings in
 * force (config_log). The test hooks (util/hooks.h) are read only by the test build's main.
 */
#ifndef KAIGO_CLI_CONFIG_H
#define KAIGO_CLI_CONFIG_H

#include <stdbool.h>

enum log_format { LOG_TEXT = 0, LOG_JSON };

struct kaigo_config {
    const char *file;     /* the configuration file read, or NULL */
    const char *db;       /* db: the database when --db is not given (NULL: none) */
    const char *listen;   /* listen: serve's HOST:PORT */
    const char *data_dir; /* data_dir: the shipped data (else <exe>/../share/kaigo, else built in) */
    const char *password; /* KAIGO_PASSWORD only (never in a file): a new account's password */
    int print_threads;    /* print_threads: drawing threads of a print batch (0: one a core) */
    int verify_per_minute; /* verify_rate: online token checks per caller a minute */
    /* kaigo serve */
    int threads;           /* threads: 0 = one per core */
    const char *token_file; /* token_file: the operator token (NULL: <db>.operator-token) */
    const char *codes;     /* codes: the service-code master of the 第7表 pages */
    bool secure_cookies;   /* secure_cookies */
    int header_timeout;    /* header_timeout: seconds (0: HEAD_TIMEOUT_S) */
    int max_connections;   /* max_connections (0: CONN_LIMIT) */
    int max_per_address;   /* max_per_address (0: max_connections / 16) */
    const char *access_token_lifetime;  /* "60m" */
    const char *refresh_token_lifetime; /* "8h" */
    const char *log_file;  /* log_file: NULL = stderr (journald) */
    enum log_format log_format;
    bool access_log;       /* access_log */
    const char *tls_cert, *tls_key; /* PEM; both set: kaigo serves HTTPS itself */
    const char *tls_client_ca;      /* PEM CA bundle of office client certificates */
    int min_free_mb;       /* min_free_mb: /readyz is 503 below this much free disk */
};

/* config_args - takes `--config FILE` (or --config=FILE) at argv[1] or argv[2] out of argv;
 * returns the file or NULL. Call before config_load. */
const char *config_args(int *argc, char **argv);
/* config_load - reads the file (see above) and the environment. 0, or -1 after a message
 * naming the file and line. config() is the result. */
int config_load(const char *file);
const struct kaigo_config *config(void);
/* config_parse - the file's text into the configuration (exposed for the unit test): 0, or -1
 * with a message "NAME:LINE: …" in err. */
int config_parse(struct kaigo_config *c, const char *name, const char *text, char *err, size_t cap);
/* config_release - frees the strings config_parse set in c (the fuzz target's; the process's own
 * configuration lives until exit) */
void config_release(struct kaigo_config *c);
/* config_log - one line of the settings in force (never the password). */
void config_log(void);

#endif
