/* hooks.c - see hooks.h. */
#include "util/hooks.h"
#include "util/banned.h"

const struct test_hooks *test_hooks;
