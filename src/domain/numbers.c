/*
 * numbers.c - check digits of 保険者番号 and 介護保険事業所番号.
 *
 * RULE-NUM-001: 保険者番号 = JIS 市区町村コード 5 digits + 検証番号, modulus 10
 *   weights 2-1 from the rightmost digit, two-digit products split
 *   (保険者番号設定要領, as for 医療保険; platform.md §4.2). Not the mod-11
 *   全国地方公共団体コード check.
 * RULE-NUM-002: 事業所番号 check digit: the same scheme "独自に拡張" over the
 *   first 9 characters with letters A=10 … Z=32 skipping I, O, Q (MHLW 資料13
 *   「総合事業における事業所番号の考え方」).
 * RULE-NUM-003: みなし指定 medical classes (区分 1, 3, 5, 6) use the
 *   医療機関等コード check over 郡市区+番号 (6 digits); we accept either rule
 *   for those classes because real numbers follow both (platform.md §4.5).
 */
#include <string.h>

#include "domain/numbers.h"
#include "util/banned.h"

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Sum of digits of v (v < 100). */
static int split(int v)
{
    return v / 10 + v % 10;
}

/* mod10w21 - weights 2,1,2,… from the rightmost of vals[0..n). */
static int mod10w21(const int *vals, size_t n)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int w = (i % 2 == 0) ? 2 : 1;
        sum += split(vals[n - 1 - i] * w);
    }
    return (10 - sum % 10) % 10;
}

int insurer_no_digit(const char *jis5)
{
    int v[5];
    for (int i = 0; i < 5; i++) {
        if (!is_digit(jis5[i]))
            return -1;
        v[i] = jis5[i] - '0';
    }
    return mod10w21(v, 5);
}

bool prefecture_code_ok(const char *s)
{
    if (!is_digit(s[0]) || !is_digit(s[1]))
        return false;
    int pref = (s[0] - '0') * 10 + (s[1] - '0');
    return pref >= 1 && pref <= 47;
}

int insurer_no_check(const char *s, size_t n, const char **why)
{
    if (n != INSURER_NO_LEN) {
        *why = "保険者番号は6桁の数字です";
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i])) {
            *why = "保険者番号は6桁の数字です";
            return -1;
        }
    if (!prefecture_code_ok(s)) {
        *why = "保険者番号の都道府県番号(先頭2桁)が不正です";
        return -1;
    }
    if (insurer_no_digit(s) != s[5] - '0') {
        *why = "保険者番号の検証番号(6桁目)が一致しません";
        return -1;
    }
    return 0;
}

int insured_no_check(const char *s, size_t n, const char **why)
{
    if (n != INSURED_NO_LEN) {
        *why = "被保険者番号は10桁の英数字です";
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!is_digit(c) && !(c >= 'A' && c <= 'Z')) {
            *why = "被保険者番号は10桁の英数字(半角の数字と大文字)です";
            return -1;
        }
    }
    return 0;
}

int insured_no_check_seiho(const char *s, size_t n, const char **why)
{
    if (n != INSURED_NO_LEN || s[0] != 'H') {
        *why = "生保単独の被保険者番号は H + 9桁の数字です";
        return -1;
    }
    for (size_t i = 1; i < n; i++)
        if (!is_digit(s[i])) {
            *why = "生保単独の被保険者番号は H + 9桁の数字です";
            return -1;
        }
    return 0;
}

/* Letter values A=10 … Z=32, skipping I, O, Q; -1 for anything else. */
static int letter_value(char c)
{
    static const char letters[] = "ABCDEFGHJKLMNPRSTUVWXYZ";
    const char *p = c ? strchr(letters, c) : NULL;
    return p ? 10 + (int)(p - letters) : -1;
}

int provider_no_digit(const char *s9, enum provider_rule rule)
{
    int v[9];
    if (rule == PROVIDER_RULE_MEDICAL) {
        for (int i = 0; i < 6; i++) {
            if (!is_digit(s9[3 + i]))
                return -1;
            v[i] = s9[3 + i] - '0';
        }
        return mod10w21(v, 6);
    }
    for (int i = 0; i < 9; i++) {
        if (is_digit(s9[i]))
            v[i] = s9[i] - '0';
        else if (i == 2 && letter_value(s9[i]) >= 0)
            v[i] = letter_value(s9[i]);
        else
            return -1;
    }
    /* Letter products have up to three digits' worth (32×2 = 64): split() handles < 100. */
    return mod10w21(v, 9);
}

int provider_no_check(const char *s, size_t n, enum provider_rule *rule, const char **why)
{
    if (n != PROVIDER_NO_LEN) {
        *why = "事業所番号は10桁です";
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (i == 2)
            continue;
        if (!is_digit(s[i])) {
            *why = "事業所番号は3桁目(事業所区分)以外は数字です";
            return -1;
        }
    }
    char k = s[2];
    if (!is_digit(k) && letter_value(k) < 0) {
        *why = "事業所区分(3桁目)は数字か英大文字(I・O・Qを除く)です";
        return -1;
    }
    if (!prefecture_code_ok(s)) {
        *why = "事業所番号の都道府県番号(先頭2桁)が不正です";
        return -1;
    }
    int cd = s[9] - '0';
    if (k == '1' || k == '3' || k == '5' || k == '6') {
        if (provider_no_digit(s, PROVIDER_RULE_MEDICAL) == cd) {
            *rule = PROVIDER_RULE_MEDICAL;
            return 0;
        }
        if (provider_no_digit(s, PROVIDER_RULE_GENERAL) == cd) {
            *rule = PROVIDER_RULE_GENERAL;
            return 0;
        }
        *why = "事業所番号の検証番号(10桁目)が一致しません(医療機関等コード方式・事業所番号方式のいずれとも)";
        return -1;
    }
    if (provider_no_digit(s, PROVIDER_RULE_GENERAL) != cd) {
        *why = "事業所番号の検証番号(10桁目)が一致しません";
        return -1;
    }
    *rule = PROVIDER_RULE_GENERAL;
    return 0;
}
