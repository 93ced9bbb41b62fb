/*
 * log.h - the three severities (style.md §8).
 *
 * error() prints and returns -1; die() prints and exits 3 (environment
 * unusable); BUG() prints and aborts (broken invariant). Messages carry
 * record ids, never names or 被保険者番号 in clear.
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

/* log_quiet - suppress info() (used by tests and --quiet). */
void log_set_quiet(int quiet);

#endif
