/*
 * numbers.h - the numbers of long-term-care insurance and their check digits.
 * Pure; see docs/rules/numbers.md and platform.md §4.
 */
#ifndef KAIGO_DOMAIN_NUMBERS_H
#define KAIGO_DOMAIN_NUMBERS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/compiler.h"

#define INSURER_NO_LEN 6
#define INSURED_NO_LEN 10
#define PROVIDER_NO_LEN 10

/* Each check returns 0 if valid, or -1 with *why set to a static Japanese
 * sentence naming the rule that failed. */
MUST_CHECK int insurer_no_check(const char *s, size_t n, const char **why);
/* prefecture_code_ok - s[0..2) is a 都道府県コード of JIS X 0401, 01 (北海道) to 47 (沖縄県): the first two
 * digits of a 保険者番号 and a 事業所番号, and a line of the insurer → cluster directory */
bool prefecture_code_ok(const char *s);
/* insurer_no_digit - the check digit for a 5-digit JIS code, or -1. */
int insurer_no_digit(const char *jis5);
MUST_CHECK int insured_no_check(const char *s, size_t n, const char **why);
/* The 生保単独 form "H" + 9 digits, valid only in CSV contexts that allow it. */
MUST_CHECK int insured_no_check_seiho(const char *s, size_t n, const char **why);

enum provider_rule {
    PROVIDER_RULE_GENERAL, /* mod 10 (2-1, split) over 9 chars, letters A=10..Z=32 */
    PROVIDER_RULE_MEDICAL, /* 医療機関コード: mod 10 (2-1) over 郡市区+番号 (6 digits) */
};
MUST_CHECK int provider_no_check(const char *s, size_t n, enum provider_rule *rule,
                                 const char **why);
/* provider_no_digit - the check digit for 9 chars under 'rule', or -1. */
int provider_no_digit(const char *s9, enum provider_rule rule);

#endif
