/* u-directory.c - the insurer → cluster directory (store/directory.h): which line an insurer goes to
 * (its own number, else its prefecture's, else *), and every malformed file refused with its line.
 * The insurer numbers are real ones with their check digits (u-numbers.c); the URLs are examples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "store/directory.h"

#define A "postgresql://kaigo_app@a.example/kaigo"
#define B "postgresql://kaigo_app@b.example/kaigo"
#define C "postgres://kaigo_app@c.example/kaigo"

static void t_lookup(void **s)
{
    (void)s;
    static const char text[] = "# 保険者番号\tURL\n"
                               "122192\t" B "\n"
                               "\n"
                               "  12   " A "  \r\n"
                               "27\t" C "\n"
                               "*\t" A "\n";
    struct directory d;
    char err[256] = "";
    assert_int_equal(directory_parse(text, sizeof text - 1, &d, err, sizeof err), 0);
    assert_int_equal(d.nclusters, 3); /* A named twice is one cluster */
    static const struct {
        const char *insurer, *url;
    } want[] = {
        {"122192", B}, /* its own line before its prefecture's */
        {"122069", A}, /* 千葉県 (12) */
        {"271007", C}, /* 大阪府 (27) */
        {"131016", A}, /* 東京都: no line of its own or its prefecture's: * */
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        int c = directory_lookup(&d, want[i].insurer);
        assert_true(c >= 0);
        assert_string_equal(d.url[c], want[i].url);
    }
    directory_free(&d);
    /* without *, an insurer no line covers has no cluster */
    static const char strict[] = "122192 " A "\n";
    assert_int_equal(directory_parse(strict, sizeof strict - 1, &d, err, sizeof err), 0);
    assert_int_equal(directory_lookup(&d, "271007"), -1);
    assert_int_equal(directory_lookup(&d, "122192"), 0);
    directory_free(&d);
}

static void t_refused(void **s)
{
    (void)s;
    static const struct {
        const char *text, *err; /* err: the start of the message, with its line */
    } bad[] = {
        {"", "0: クラスタが一つも書かれていません"},
        {"# only a comment\n", "1: クラスタが一つも書かれていません"},
        {"122193 " A "\n", "1: 保険者番号"},             /* wrong check digit */
        {"12219 " A "\n", "1: 保険者番号"},              /* 5 digits */
        {"00 " A "\n", "1: 都道府県番号は 01〜47 です"}, /* prefecture 00 */
        {"48 " A "\n", "1: 都道府県番号は 01〜47 です"},
        {"1a " A "\n", "1: 都道府県番号は 01〜47 です"},
        {"*\n", "1: 「保険者番号 URL」の二つを一行に書きます"},
        {"* " A " extra\n", "1: 「保険者番号 URL」の二つを一行に書きます"},
        {"* /var/lib/kaigo/kaigo.db\n", "1: クラスタは postgresql:// の URL で書きます"},
        {"* directory:/etc/kaigo/clusters.tsv\n", "1: クラスタは postgresql:// の URL で書きます"},
        {"* " A "\n122192 " B "\n* " B "\n", "3: 同じ保険者番号"},
        {"12 " A "\n12 " A "\n", "2: 同じ保険者番号"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct directory d;
        char err[256] = "";
        if (directory_parse(bad[i].text, strlen(bad[i].text), &d, err, sizeof err) != -1)
            fail_msg("accepted: %s", bad[i].text);
        if (strncmp(err, bad[i].err, strlen(bad[i].err)) != 0)
            fail_msg("%s: said \"%s\", want \"%s…\"", bad[i].text, err, bad[i].err);
        assert_int_equal(d.nclusters, 0);
    }
    /* a NUL inside a line */
    static const char nul[] = "* post\0gresql://x\n";
    struct directory d;
    char err[256];
    assert_int_equal(directory_parse(nul, sizeof nul - 1, &d, err, sizeof err), -1);
}

static void t_limits(void **s)
{
    (void)s;
    struct directory d;
    char err[256];
    /* DIRECTORY_MAX_CLUSTERS distinct URLs, then one more */
    size_t cap = (DIRECTORY_MAX_CLUSTERS + 2) * 64;
    char *t = malloc(cap);
    size_t n = 0;
    for (int i = 1; i <= DIRECTORY_MAX_CLUSTERS + 1 && i <= 47; i++)
        n += (size_t)snprintf(t + n, cap - n, "%02d postgresql://h%d/kaigo\n", i, i);
    assert_int_equal(directory_parse(t, n, &d, err, sizeof err), 0); /* 47 prefectures: under the limit */
    directory_free(&d);
    free(t);
    /* a URL past DIRECTORY_URL_MAX */
    size_t ulen = DIRECTORY_URL_MAX + 20;
    t = malloc(ulen + 8);
    memcpy(t, "* postgresql://", 15);
    memset(t + 15, 'h', ulen - 15);
    t[ulen] = '\n';
    assert_int_equal(directory_parse(t, ulen + 1, &d, err, sizeof err), -1);
    assert_non_null(strstr(err, "URL が長すぎます"));
    free(t);
    /* more lines than DIRECTORY_MAX_LINES */
    t = malloc(DIRECTORY_MAX_LINES + 2);
    memset(t, '\n', DIRECTORY_MAX_LINES + 1);
    assert_int_equal(directory_parse(t, DIRECTORY_MAX_LINES + 1, &d, err, sizeof err), -1);
    assert_non_null(strstr(err, "行が多すぎます"));
    free(t);
    assert_null(directory_path("/var/lib/kaigo/kaigo.db"));
    assert_string_equal(directory_path("directory:/etc/kaigo/clusters.tsv"), "/etc/kaigo/clusters.tsv");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_lookup),
        cmocka_unit_test(t_refused),
        cmocka_unit_test(t_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
