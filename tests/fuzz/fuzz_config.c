/* fuzz_config.c - libFuzzer target for the configuration file parser (cli/config.c): any bytes
 * either parse or are refused with a message naming the line; a parsed file's values are in
 * their ranges, and parsing the same text again gives the same answer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024 || memchr(data, '\0', size))
        return 0; /* config_load refuses NUL bytes and files over 256 KiB before parsing */
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    struct kaigo_config a = {0}, b = {0};
    char err[512], err2[512];
    err[0] = err2[0] = '\0';
    int ra = config_parse(&a, "f.conf", text, err, sizeof err);
    int rb = config_parse(&b, "f.conf", text, err2, sizeof err2);
    if (ra != rb || strcmp(err, err2))
        __builtin_trap();
    if (ra && strncmp(err, "f.conf:", 7))
        __builtin_trap(); /* a refusal names the file and line */
    if (!ra && (a.threads < 0 || a.threads > 256 || a.header_timeout < 0 || a.header_timeout > 600 ||
                a.min_free_mb < 0 || (a.log_format != LOG_TEXT && a.log_format != LOG_JSON)))
        __builtin_trap();
    config_release(&a);
    config_release(&b);
    free(text);
    return 0;
}
