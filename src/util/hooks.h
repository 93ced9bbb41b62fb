/*
 * hooks.h - the test hooks: a legal "today", the care relationship's lapse, the audit index's
 * epoch, a print part made to fail, a parked read's lifetime. Each changes a rule or injects a
 * fault, so the shipped binary has none: test_hooks stays NULL there. Only the test build's main
 * (kaigo-test, compiled with KAIGO_TEST_HOOKS; src/main.c) sets it, from its environment, once,
 * before any thread starts; unit tests set it directly. Readers treat zero fields as "not set".
 */
#ifndef KAIGO_UTIL_HOOKS_H
#define KAIGO_UTIL_HOOKS_H

#include "util/date.h"

struct test_hooks {
    struct date today;   /* KAIGO_TODAY: date_today() returns it (y == 0: not set) */
    int lapse_months;    /* KAIGO_LAPSE_MONTHS: months without 実績 before a relationship lapses */
    long long audit_epoch; /* KAIGO_AUDIT_EPOCH: entries an audit person-index epoch */
    int print_fail_part; /* KAIGO_PRINT_FAIL_PART + 1: that print part fails after drawing */
    const char *disk_full_file; /* KAIGO_DISK_FULL_FILE: every store write fails while it exists */
    const char *print_fail_file; /* KAIGO_PRINT_FAIL_FILE: every print part fails while it exists */
    long long read_park_us; /* unit tests: a parked read's lifetime (store/sqlite/sqlite.c READ_PARK_MAX_US) */
};

extern const struct test_hooks *test_hooks;

#endif
