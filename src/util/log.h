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

#endif
