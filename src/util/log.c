/* log.c - diagnostics to stderr; see log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include "util/log.h"
#include "util/banned.h"

static int quiet;

void log_set_quiet(int q)
{
    quiet = q;
}

/* vreport - one whole line in one write(2): lines from several threads never interleave
 * ("kaigo: warning: kaigo: warning: …" was three stdio calls a line). A line longer than
 * LOG_LINE_MAX is cut at a character boundary and ends in "…". */
#define LOG_LINE_MAX 2048
static void vreport(const char *prefix, const char *fmt, va_list ap) FMT(2, 0);
static void vreport(const char *prefix, const char *fmt, va_list ap)
{
    char line[LOG_LINE_MAX];
    size_t p = strlen(prefix);
    memcpy(line, prefix, p);
    int n = vsnprintf(line + p, sizeof line - p - 1, fmt, ap);
    size_t len = n < 0 ? p : p + (size_t)n;
    if (len > sizeof line - 5) { /* cut: back to a UTF-8 lead byte, then "…" */
        len = sizeof line - 5;
        while (len > p && ((unsigned char)line[len] & 0xC0) == 0x80)
            len--;
        memcpy(line + len, "\xE2\x80\xA6", 3);
        len += 3;
    }
    line[len++] = '\n';
    fflush(stderr); /* whatever stdio holds goes first */
    for (size_t off = 0; off < len;) {
        ssize_t w = write(STDERR_FILENO, line + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
}

int error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("kaigo: error: ", fmt, ap);
    va_end(ap);
    return -1;
}

void log_line(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("", fmt, ap);
    va_end(ap);
}

void warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("kaigo: warning: ", fmt, ap);
    va_end(ap);
}

void info(const char *fmt, ...)
{
    if (quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vreport("kaigo: ", fmt, ap);
    va_end(ap);
}

void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("kaigo: fatal: ", fmt, ap);
    va_end(ap);
    exit(3);
}

void bug_at(const char *file, int line, const char *fmt, ...)
{
    char prefix[256];
    snprintf(prefix, sizeof prefix, "kaigo: BUG at %s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    vreport(prefix, fmt, ap);
    va_end(ap);
    abort();
}
