/* log.c - diagnostics to stderr; see log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/log.h"
#include "util/banned.h"

static int quiet;

void log_set_quiet(int q)
{
    quiet = q;
}

static void vreport(const char *prefix, const char *fmt, va_list ap) FMT(2, 0);
static void vreport(const char *prefix, const char *fmt, va_list ap)
{
    fputs(prefix, stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("kaigo: error: ", fmt, ap);
    va_end(ap);
    return -1;
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
    va_list ap;
    fprintf(stderr, "kaigo: BUG at %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}
