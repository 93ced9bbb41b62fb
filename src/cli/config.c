/* config.c - see config.h. */
#include <stdlib.h>
#include <string.h>

#include "cli/config.h"
#include "http/limits.h"
#include "util/log.h"
#include "util/banned.h"

static struct kaigo_config cfg = {.verify_per_minute = VERIFY_PER_MINUTE};

static const char *str(const char *name)
{
    const char *e = getenv(name);
    return e && *e ? e : NULL;
}

static int num(const char *name, int lo, int hi, int deflt)
{
    const char *e = str(name);
    if (!e)
        return deflt;
    char *end;
    long v = strtol(e, &end, 10);
    if (*end || v < lo || v > hi) {
        warn("%s=%s は %d〜%d ではないため既定の %d を使います", name, e, lo, hi, deflt);
        return deflt;
    }
    return (int)v;
}

const struct kaigo_config *config_load(void)
{
    cfg.db = str("KAIGO_DB");
    cfg.listen = str("KAIGO_LISTEN");
    cfg.data_dir = str("KAIGO_DATA_DIR");
    cfg.password = getenv("KAIGO_PASSWORD");
    cfg.print_threads = num("KAIGO_PRINT_THREADS", 0, 64, 0);
    cfg.verify_per_minute = num("KAIGO_VERIFY_RATE", 1, 100000, VERIFY_PER_MINUTE);
    return &cfg;
}

const struct kaigo_config *config(void)
{
    return &cfg;
}

void config_log(void)
{
    info("設定: KAIGO_DB=%s KAIGO_LISTEN=%s KAIGO_DATA_DIR=%s KAIGO_PRINT_THREADS=%d "
         "KAIGO_VERIFY_RATE=%d",
         cfg.db ? cfg.db : "-", cfg.listen ? cfg.listen : "-", cfg.data_dir ? cfg.data_dir : "-",
         cfg.print_threads, cfg.verify_per_minute);
}
