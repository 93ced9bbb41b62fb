/* u-csv.c - the strict CSV reader and text helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <cmocka.h>

#include "util/csv.h"
#include "util/text.h"

struct expect {
    const char *name;
    const char *in;
    int records;      /* good records expected */
    int errors;       /* errors expected */
    const char *last; /* last field of the last good record */
};

static const struct expect cases[] = {
    {"plain CRLF", "a,b,c\r\nd,e,f\r\n", 2, 0, "f"},
    {"plain LF, no final newline", "a,b\nc,d", 2, 0, "d"},
    {"quoted with comma and quote", "\"a,b\",\"c\"\"d\"\r\n", 1, 0, "c\"d"},
    {"quoted with newline", "\"line1\nline2\",x\n", 1, 0, "x"},
    {"empty fields", ",,\n", 1, 0, ""},
    {"trailing comma at EOF", "a,", 1, 0, ""},
    {"BOM skipped", "\xEF\xBB\xBF" "a,b\n", 1, 0, "b"},
    {"quote inside unquoted", "a\"b,c\nd,e\n", 1, 1, "e"},
    {"text after closing quote", "\"a\"b,c\nd,e\n", 1, 1, "e"},
    {"unterminated quote", "a,\"bc\n", 0, 1, NULL},
    {"bare CR", "a\rb,c\nd\n", 1, 1, "d"},
    {"NUL byte", "a\0b\nc\n", 1, 1, "c"},
};

static void t_cases(void **s)
{
    (void)s;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct expect *e = &cases[i];
        size_t n = strlen(e->in);
        if (strcmp(e->name, "NUL byte") == 0)
            n = 6;
        struct csv_reader r;
        struct csv_error err;
        long line;
        int good = 0, bad = 0, rc;
        char last[64] = "";
        csv_init(&r, e->in, n);
        while ((rc = csv_next(&r, &line, &err)) != 0) {
            if (rc < 0) {
                bad++;
                assert_non_null(err.message);
                assert_true(err.line >= 1);
                continue;
            }
            good++;
            struct str f = r.field[r.nf - 1];
            assert_true(f.len < sizeof last);
            memcpy(last, f.ptr, f.len);
            last[f.len] = 0;
        }
        csv_release(&r);
        if (good != e->records || bad != e->errors)
            fail_msg("%s: %d records %d errors", e->name, good, bad);
        if (e->last)
            assert_string_equal(last, e->last);
    }
}

static void t_lines(void **s)
{
    (void)s;
    const char *in = "h1,h2\n\"multi\nline\",x\nbad\"q,y\nz,w\n";
    struct csv_reader r;
    struct csv_error err;
    long line;
    csv_init(&r, in, strlen(in));
    assert_int_equal(csv_next(&r, &line, &err), 1);
    assert_int_equal(line, 1);
    assert_int_equal(csv_next(&r, &line, &err), 1);
    assert_int_equal(line, 2);
    assert_int_equal(csv_next(&r, &line, &err), -1);
    assert_int_equal(err.line, 4);
    assert_int_equal(err.column, 1);
    assert_int_equal(csv_next(&r, &line, &err), 1);
    assert_int_equal(line, 5);
    assert_int_equal(csv_next(&r, &line, &err), 0);
    csv_release(&r);
}

static void t_limits(void **s)
{
    (void)s;
    char big[CSV_MAX_FIELD_BYTES + 10];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    struct csv_reader r;
    struct csv_error err;
    long line;
    csv_init(&r, big, strlen(big));
    assert_int_equal(csv_next(&r, &line, &err), -1);
    csv_release(&r);
    /* found by fuzz_csv: exactly CSV_MAX_FIELDS fields and a trailing comma at end of input */
    char edge[CSV_MAX_FIELDS + 1];
    memset(edge, ',', CSV_MAX_FIELDS);
    edge[CSV_MAX_FIELDS] = 0;
    csv_init(&r, edge, CSV_MAX_FIELDS);
    assert_int_equal(csv_next(&r, &line, &err), -1);
    csv_release(&r);
    char many[CSV_MAX_FIELDS * 2 + 10];
    memset(many, ',', sizeof many - 1);
    many[sizeof many - 1] = 0;
    csv_init(&r, many, strlen(many));
    assert_int_equal(csv_next(&r, &line, &err), -1);
    csv_release(&r);
}

static void t_text(void **s)
{
    (void)s;
    assert_true(utf8_valid("髙橋𠮷", strlen("髙橋𠮷"), NULL));
    size_t off;
    assert_false(utf8_valid("ab\xC0\x80", 4, &off)); /* overlong */
    assert_int_equal(off, 2);
    assert_false(utf8_valid("\xED\xA0\x80", 3, NULL)); /* surrogate */
    assert_false(utf8_valid("\xE3\x81", 2, NULL));     /* truncated */
    /* the fast paths (eight ASCII bytes at a time, the three-byte form on its own): RFC 3629 §4's
     * ranges, and the offset of the first bad sequence after a long ASCII run */
    static const struct {
        const char *s;
        size_t n;
        bool ok;
        size_t off;
    } u8[] = {
        {"\xE0\xA0\x80", 3, true, 0},                       /* U+0800, the first three-byte */
        {"\xE0\x9F\xBF", 3, false, 0},                      /* overlong U+07FF */
        {"\xED\x9F\xBF", 3, true, 0},                       /* U+D7FF, below the surrogates */
        {"\xEF\xBF\xBF", 3, true, 0},                       /* U+FFFF */
        {"\xE3\x81\x41", 3, false, 0},                      /* third byte not a continuation */
        {"abcdefghijklmnop\xFF", 17, false, 16},            /* after two ASCII words */
        {"abcdefghijklmnopqrstuvw\xE3\x81", 25, false, 23}, /* truncated after a run */
        {"abcdefgh\xE3\x81\x82" "abcdefgh\xF0\x9F\x98\x80", 23, true, 0},
        {"abcdefgh\xF4\x90\x80\x80", 12, false, 8}, /* above U+10FFFF */
    };
    for (size_t i = 0; i < sizeof u8 / sizeof u8[0]; i++) {
        size_t o = 99;
        assert_int_equal(utf8_valid(u8[i].s, u8[i].n, &o), u8[i].ok);
        if (!u8[i].ok)
            assert_int_equal(o, u8[i].off);
    }
    struct buf b;
    buf_init(&b, 1024);
    assert_int_equal(cp932_to_utf8("\xFB\xFC\x8B\xB4", 4, &b, &off), 0); /* 髙 (IBM extension FBFC) + 橋 */
    assert_string_equal(b.ptr, "髙橋");
    buf_reset(&b);
    assert_int_equal(cp932_to_utf8("ab\x81\x20", 4, &b, &off), -1);
    assert_int_equal(off, 2);
    buf_reset(&b);
    assert_int_equal(utf8_to_cp932("𠮷", strlen("𠮷"), &b, &off), -1); /* outside CP932 */
    buf_reset(&b);
    ascii_fold("Ｒ６．４．１　ａ", strlen("Ｒ６．４．１　ａ"), &b);
    assert_string_equal(b.ptr, "R6.4.1 a");
    buf_release(&b);
    assert_true(is_katakana_name("ヤマダ　タロウ", strlen("ヤマダ　タロウ")));
    assert_true(is_katakana_name("ヴァン・デ・ベルデ", strlen("ヴァン・デ・ベルデ")));
    assert_false(is_katakana_name("やまだ", strlen("やまだ")));
    assert_false(is_katakana_name("ﾔﾏﾀﾞ", strlen("ﾔﾏﾀﾞ")));
    assert_false(is_katakana_name("", 0));
    assert_false(is_katakana_name("ヤマダ1", strlen("ヤマダ1")));
    assert_int_equal(utf8_count("髙橋𠮷a", strlen("髙橋𠮷a")), 4);
    /* 半角カナ → 全角, with voiced marks combined */
    static const struct {
        const char *in, *out;
    } kana[] = {
        {"ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ"}, {"ｶﾞｷﾞｸﾞｹﾞｺﾞ", "ガギグゲゴ"}, {"ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ", "パピプペポ"},
        {"ﾊﾞﾋﾞﾌﾞﾍﾞﾎﾞ", "バビブベボ"}, {"ｳﾞｧﾝ", "ヴァン"}, {"ｯｰｨ", "ッーィ"}, {"ﾄﾞﾁﾞﾂﾞ", "ドヂヅ"},
        {"髙橋　ﾀｶﾊｼ", "髙橋　タカハシ"}, {"ｱﾞ", "ア゛"},
    };
    for (size_t i = 0; i < sizeof kana / sizeof kana[0]; i++) {
        struct buf kb;
        buf_init(&kb, 256);
        kana_fold(kana[i].in, strlen(kana[i].in), &kb);
        assert_string_equal(kb.ptr, kana[i].out);
        buf_release(&kb);
    }
}

static void t_buf(void **s)
{
    (void)s;
    struct buf b;
    buf_init(&b, 8);
    buf_adds(&b, "1234");
    buf_addf(&b, "%d", 5678);
    assert_false(buf_failed(&b));
    buf_addc(&b, 'x'); /* over the maximum: sticky failure */
    assert_true(buf_failed(&b));
    buf_adds(&b, "");
    assert_true(buf_failed(&b));
    assert_null(buf_detach(&b, NULL));
    buf_init(&b, 1 << 20);
    for (int i = 0; i < 1000; i++)
        buf_addf(&b, "%04d", i);
    size_t len;
    char *p = buf_detach(&b, &len);
    assert_int_equal(len, 4000);
    assert_memory_equal(p + 3996, "0999", 4);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_cases), cmocka_unit_test(t_lines), cmocka_unit_test(t_limits),
        cmocka_unit_test(t_text),  cmocka_unit_test(t_buf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
