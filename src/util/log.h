/*
 * log.h - the three severities (style.md §8).
 *
 * error() prints and returns -1; die() prints and exits 3 (environment
 * unusable); BUG() prints and aborts (broken invariant). Messages carry
 * record ids, never names or 被保険者番号 in clear. Each line goes to stderr in
 * one write(2), so lines from several threads never interleave.
 */
#ifndef KAIGO_UTIL_LOG_H
#define KAIGO_UTIL_LOG_H

#include <stdbool.h>

#include "util/compiler.h"

int error(const char *fmt, ...) FMT(1, 2);
void warn(const char *fmt, ...) FMT(1, 2);
void info(const char *fmt, ...) FMT(1, 2);
NORETURN void die(const char *fmt, ...) FMT(1, 2);
NORETURN void bug_at(const char *file, int line, const char *fmt, ...) FMT(3, 4);
#define BUG(...) bug_at(__FILE__, __LINE__, __VA_ARGS__)
/* log_line - a line as it is (the access log), written like the others: whole, in one write. */
void log_line(const char *fmt, ...) FMT(1, 2);

/* log_quiet - suppress info() (used by tests and --quiet). */
void log_set_quiet(int quiet);

/* log_open - from now on every line goes to path (appended, created 0600; stderr too is
 * pointed at it, so that a library's own messages land there as well), each line prefixed
 * with its UTC time; json: each line one JSON object {"time","level","msg"} (access lines
 * with their fields). path NULL: stderr as before (journald stamps the time). 0, or -1 after
 * a message (nothing changed). */
int log_open(const char *path, bool json);
/* log_reopen - the same path opened again (after logrotate moved it: SIGHUP); the switch is
 * one dup2, so a line being written goes wholly to the old file or the new. 0 or -1. */
int log_reopen(void);
/* log_access - one request: id, method, route pattern (never the URL), status, microseconds */
void log_access(const char *id, const char *method, const char *route, unsigned status, long us);

#endif
