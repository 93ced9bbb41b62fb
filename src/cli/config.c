/* config.c - see config.h. */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/config.h"
#include "http/limits.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

#ifndef KAIGO_INSTALL_BINDIR
#define KAIGO_INSTALL_BINDIR "/usr/local/bin"
#endif
#ifndef KAIGO_SYSCONFDIR
#define KAIGO_SYSCONFDIR "/usr/local/etc"
#endif

#define CONFIG_FILE_MAX (256 * 1024) /* a configuration file is a few hundred bytes */
#define CONFIG_LINE_MAX 4096

static struct kaigo_config cfg = {
    .verify_per_minute = VERIFY_PER_MINUTE, .access_log = true, .min_free_mb = MIN_FREE_MB};

enum kind { K_STR, K_INT, K_BOOL, K_FORMAT };

/* Every key of the file; its environment variable is KAIGO_<KEY>. docs/operations.md and
 * packaging/kaigo.conf list the same keys (tests/e2e/config.test.mjs compares them). */
static const struct key {
    const char *name;
    enum kind kind;
    size_t off;
    int lo, hi;
} keys[] = {
#define F(f) offsetof(struct kaigo_config, f)
    {"db", K_STR, F(db), 0, 0},
    {"listen", K_STR, F(listen), 0, 0},
    {"threads", K_INT, F(threads), 0, 256},
    {"token_file", K_STR, F(token_file), 0, 0},
    {"codes", K_STR, F(codes), 0, 0},
    {"data_dir", K_STR, F(data_dir), 0, 0},
    {"secure_cookies", K_BOOL, F(secure_cookies), 0, 0},
    {"header_timeout", K_INT, F(header_timeout), 1, 600},
    {"max_connections", K_INT, F(max_connections), 0, 1000000},
    {"max_per_address", K_INT, F(max_per_address), 0, 1000000},
    {"access_token_lifetime", K_STR, F(access_token_lifetime), 0, 0},
    {"refresh_token_lifetime", K_STR, F(refresh_token_lifetime), 0, 0},
    {"verify_rate", K_INT, F(verify_per_minute), 1, 100000},
    {"print_threads", K_INT, F(print_threads), 0, 64},
    {"log_file", K_STR, F(log_file), 0, 0},
    {"log_format", K_FORMAT, F(log_format), 0, 0},
    {"access_log", K_BOOL, F(access_log), 0, 0},
    {"tls_cert", K_STR, F(tls_cert), 0, 0},
    {"tls_key", K_STR, F(tls_key), 0, 0},
    {"tls_client_ca", K_STR, F(tls_client_ca), 0, 0},
    {"min_free_mb", K_INT, F(min_free_mb), 0, 1000000},
#undef F
};

/* set - one value into its field; NULL, or why it is refused */
static const char *set(struct kaigo_config *c, const struct key *k, const char *v)
{
    void *p = (char *)c + k->off;
    switch (k->kind) {
    case K_STR: /* a string field is NULL or this function's copy: a later source replaces it */
        free((void *)*(const char **)p);
        *(const char **)p = *v ? xstrdup(v) : NULL;
        return NULL;
    case K_INT: {
        char *end;
        errno = 0;
        long n = strtol(v, &end, 10);
        if (!*v || *end || errno || n < k->lo || n > k->hi)
            return "整数の範囲外です";
        *(int *)p = (int)n;
        return NULL;
    }
    case K_BOOL:
        if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on") || !strcmp(v, "1"))
            *(bool *)p = true;
        else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off") || !strcmp(v, "0"))
            *(bool *)p = false;
        else
            return "true か false です";
        return NULL;
    case K_FORMAT:
        if (!strcmp(v, "text"))
            *(enum log_format *)p = LOG_TEXT;
        else if (!strcmp(v, "json"))
            *(enum log_format *)p = LOG_JSON;
        else
            return "text か json です";
        return NULL;
    }
    return "不明な型です";
}

static const struct key *find_key(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strlen(keys[i].name) == len && memcmp(keys[i].name, name, len) == 0)
            return &keys[i];
    return NULL;
}

void config_release(struct kaigo_config *c)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (keys[i].kind == K_STR) {
            const char **f = (const char **)((char *)c + keys[i].off);
            free((void *)*f);
            *f = NULL;
        }
}

static bool blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r';
}

int config_parse(struct kaigo_config *c, const char *name, const char *text, char *err, size_t cap)
{
    int lineno = 0;
    for (const char *p = text; *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        lineno++;
        if (len >= CONFIG_LINE_MAX) {
            snprintf(err, cap, "%s:%d: 行が長すぎます", name, lineno);
            return -1;
        }
        char line[CONFIG_LINE_MAX];
        memcpy(line, p, len);
        line[len] = '\0';
        p += len + (eol ? 1 : 0);
        char *s = line;
        while (blank(*s))
            s++;
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, cap, "%s:%d: 「キー = 値」の形ではありません", name, lineno);
            return -1;
        }
        char *ke = eq;
        while (ke > s && blank(ke[-1]))
            ke--;
        char *v = eq + 1;
        while (blank(*v))
            v++;
        size_t vl = strlen(v);
        while (vl && blank(v[vl - 1]))
            v[--vl] = '\0';
        if (vl >= 2 && ((v[0] == '"' && v[vl - 1] == '"') || (v[0] == '\'' && v[vl - 1] == '\''))) {
            v[vl - 1] = '\0';
            v++;
        }
        const struct key *k = find_key(s, (size_t)(ke - s));
        if (!k) {
            *ke = '\0';
            snprintf(err, cap, "%s:%d: 不明な設定項目です: %.64s", name, lineno, s);
            return -1;
        }
        const char *why = set(c, k, v);
        if (why) {
            snprintf(err, cap, "%s:%d: %s: %s (%.64s)", name, lineno, k->name, why, v);
            return -1;
        }
    }
    return 0;
}

/* exe_dir - the directory of this binary (/proc/self/exe), or "" */
static void exe_dir(char *out, size_t cap)
{
    ssize_t n = readlink("/proc/self/exe", out, cap - 1);
    out[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(out, '/');
    if (slash)
        *slash = '\0';
    else
        out[0] = '\0';
}

static bool exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

const char *config_args(int *argc, char **argv)
{
    for (int i = 1; i <= 2 && i < *argc; i++) {
        const char *v = NULL;
        int take = 0;
        if (strcmp(argv[i], "--config") == 0 && i + 1 < *argc) {
            v = argv[i + 1];
            take = 2;
        } else if (strncmp(argv[i], "--config=", 9) == 0) {
            v = argv[i] + 9;
            take = 1;
        }
        if (take) {
            memmove(argv + i, argv + i + take, (size_t)(*argc - i - take + 1) * sizeof *argv);
            *argc -= take;
            return v;
        }
    }
    return NULL;
}

int config_load(const char *file)
{
    char dir[PATH_MAX];
    exe_dir(dir, sizeof dir);
    static char deflt[PATH_MAX + 32];
    if (!file)
        file = getenv("KAIGO_CONFIG") && *getenv("KAIGO_CONFIG") ? getenv("KAIGO_CONFIG") : NULL;
    if (!file && strcmp(dir, KAIGO_INSTALL_BINDIR) == 0) {
        /* an installed binary reads the system's file when there is one */
        snprintf(deflt, sizeof deflt, "%s/kaigo/kaigo.conf", KAIGO_SYSCONFDIR);
        /* the file is root:kaigo 0640: a user outside the group runs kaigo without it (their
         * commands name --db themselves); a named file that cannot be read is an error */
        if (access(deflt, R_OK) == 0)
            file = deflt;
    }
    if (file) {
        size_t n;
        char *text = cli_read_bytes(file, CONFIG_FILE_MAX, &n);
        if (!text)
            return -1;
        if (memchr(text, '\0', n)) {
            free(text);
            return error("設定ファイル %s: NUL 文字があります", file);
        }
        char err[512];
        int rc = config_parse(&cfg, file, text, err, sizeof err);
        free(text);
        if (rc)
            return error("%s", err);
        cfg.file = xstrdup(file);
    }
    /* the environment over the file */
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char env[64] = "KAIGO_";
        size_t l = 6;
        for (const char *s = keys[i].name; *s && l < sizeof env - 1; s++)
            env[l++] = (char)(*s >= 'a' && *s <= 'z' ? *s - 32 : *s);
        env[l] = '\0';
        const char *e = getenv(env);
        if (!e || !*e)
            continue;
        const char *why = set(&cfg, &keys[i], e);
        if (why)
            warn("%s=%s: %s。この値は使いません", env, e, why);
    }
    cfg.password = getenv("KAIGO_PASSWORD");
    /* an installed (or relocated) binary's data sits beside it: <exe>/../share/kaigo */
    if (!cfg.data_dir && dir[0]) {
        char d[PATH_MAX + 64];
        snprintf(d, sizeof d, "%s/../share/kaigo/service-codes.csv", dir);
        if (exists(d)) {
            d[strlen(d) - strlen("/service-codes.csv")] = '\0';
            cfg.data_dir = xstrdup(d);
        }
    }
    return 0;
}

const struct kaigo_config *config(void)
{
    return &cfg;
}

void config_log(void)
{
    info("設定: file=%s db=%s listen=%s data_dir=%s threads=%d print_threads=%d verify_rate=%d "
         "log_file=%s log_format=%s tls=%s client_ca=%s min_free_mb=%d",
         cfg.file ? cfg.file : "-", cfg.db ? cfg.db : "-", cfg.listen ? cfg.listen : "-",
         cfg.data_dir ? cfg.data_dir : "-", cfg.threads, cfg.print_threads, cfg.verify_per_minute,
         cfg.log_file ? cfg.log_file : "-", cfg.log_format == LOG_JSON ? "json" : "text",
         cfg.tls_cert ? "on" : "off", cfg.tls_client_ca ? "on" : "off", cfg.min_free_mb);
}
