/*
 * config.h - kaigo's settings from its environment, read once at start into one structure
 * (config_load, from main before anything else runs) and read-only afterwards. `kaigo serve`
 * logs them at start (config_log). Every environment variable the shipped binary reads is in
 * config.c; the test hooks (util/hooks.h) are read only by the test build's main.
 */
#ifndef KAIGO_CLI_CONFIG_H
#define KAIGO_CLI_CONFIG_H

struct kaigo_config {
    const char *db;       /* KAIGO_DB: the database when --db is not given (NULL: none) */
    const char *listen;   /* KAIGO_LISTEN: serve's address when --listen is not given */
    const char *data_dir; /* KAIGO_DATA_DIR: the rate tables and service codes (built in otherwise) */
    const char *password; /* KAIGO_PASSWORD: a new account's password when not on stdin */
    int print_threads;    /* KAIGO_PRINT_THREADS: drawing threads of a print batch (0: one a core) */
    int verify_per_minute; /* KAIGO_VERIFY_RATE: online token checks per caller a minute */
};

/* config_load - reads the environment; a value out of its range is warned about and the default
 * kept. Returns the configuration (also config()). */
const struct kaigo_config *config_load(void);
const struct kaigo_config *config(void);
/* config_log - one line of the settings in force (never the password). */
void config_log(void);

#endif
