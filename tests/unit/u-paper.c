/* u-paper.c - the signed token on paper documents (domain/papertoken.c): text form,
 * round trip, signature, and every refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "domain/papertoken.h"

static struct paper_token sample(void)
{
    struct paper_token t;
    memset(&t, 0, sizeof t);
    t.kind = PAPER_BURDEN;
    memcpy(t.insurer_no, "122192", 7);
    memcpy(t.insured_no, "0000000001", 11);
    t.serial = 4242;
    t.issued = (struct date){2026, 7, 15};
    t.valid_from = (struct date){2026, 8, 1};
    t.valid_to = (struct date){2027, 7, 31};
    const char printed[] = "介護保険負担割合証 被保険者番号 0000000001 髙橋 﨑子 2割 令和8年8月1日から令和9年7月31日まで";
    paper_content_hash(printed, sizeof printed - 1, t.content_hash);
    return t;
}

static void t_round_trip(void **s)
{
    (void)s;
    unsigned char pk[32], sk[64], pk2[32], sk2[64];
    crypto_sign_keypair(pk, sk);
    crypto_sign_keypair(pk2, sk2);
    struct paper_token t = sample(), back;
    assert_int_equal(paper_token_sign(&t, sk), 0);
    char text[PAPER_TOKEN_TEXT_MAX];
    assert_int_equal(paper_token_text(&t, text), 0);
    assert_int_equal(strlen(text), 172);
    assert_memory_equal(text, "KG1:", 4);
    /* every character is in the QR alphanumeric set (upper case, digits, ':') */
    assert_int_equal(strspn(text + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 168);
    const char *why;
    assert_int_equal(paper_token_parse(text, strlen(text), &back, &why), 0);
    assert_int_equal(back.kind, PAPER_BURDEN);
    assert_string_equal(back.insurer_no, "122192");
    assert_string_equal(back.insured_no, "0000000001");
    assert_int_equal(back.serial, 4242);
    assert_int_equal(date_cmp(back.issued, t.issued), 0);
    assert_int_equal(date_cmp(back.valid_from, t.valid_from), 0);
    assert_int_equal(date_cmp(back.valid_to, t.valid_to), 0);
    assert_memory_equal(back.content_hash, t.content_hash, PAPER_HASH_BYTES);
    assert_true(paper_token_verify(&back, pk));
    /* another insurer's key */
    assert_false(paper_token_verify(&back, pk2));
    /* one character changed anywhere: refused by the parser or by the signature */
    for (size_t i = 4; i < strlen(text); i++) {
        char bad[PAPER_TOKEN_TEXT_MAX];
        memcpy(bad, text, sizeof bad);
        bad[i] = bad[i] == 'A' ? 'B' : 'A';
        struct paper_token x;
        if (paper_token_parse(bad, strlen(bad), &x, &why) == 0)
            assert_false(paper_token_verify(&x, pk));
    }
    /* the printed content is bound: another text, another hash */
    unsigned char h[PAPER_HASH_BYTES];
    paper_content_hash("介護保険負担割合証 1割", strlen("介護保険負担割合証 1割"), h);
    assert_memory_not_equal(h, t.content_hash, PAPER_HASH_BYTES);
    /* no validity: a card (被保険者証 has no expiry of its own) */
    struct paper_token c = sample();
    c.kind = PAPER_CARD;
    c.valid_from = c.valid_to = (struct date){0, 0, 0};
    assert_int_equal(paper_token_sign(&c, sk), 0);
    assert_int_equal(paper_token_text(&c, text), 0);
    assert_int_equal(paper_token_parse(text, strlen(text), &back, &why), 0);
    assert_true(date_is_none(back.valid_to));
    assert_true(paper_token_verify(&back, pk));
}

static void t_refusals(void **s)
{
    (void)s;
    unsigned char pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    struct paper_token t = sample();
    const char *why;
    static const struct {
        const char *in;
        const char *reason;
    } cases[] = {
        {"", "kaigo の書類の符号"},
        {"https://example.jp/", "kaigo の書類の符号"},
        {"KG1:ABC", "長さ"},
        {"KG1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
         "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
         "版"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct paper_token x;
        assert_int_equal(paper_token_parse(cases[i].in, strlen(cases[i].in), &x, &why), -1);
        assert_non_null(strstr(why, cases[i].reason));
    }
    char text[PAPER_TOKEN_TEXT_MAX];
    assert_int_equal(paper_token_sign(&t, sk), 0);
    assert_int_equal(paper_token_text(&t, text), 0);
    text[10] = '1'; /* not base32 */
    struct paper_token x;
    assert_int_equal(paper_token_parse(text, strlen(text), &x, &why), -1);
    assert_non_null(strstr(why, "使えない文字"));
    /* fields that cannot be encoded are refused when signing */
    struct paper_token b = sample();
    memcpy(b.insurer_no, "12219X", 7);
    assert_int_equal(paper_token_sign(&b, sk), -1);
    b = sample();
    b.issued = (struct date){1999, 12, 31};
    assert_int_equal(paper_token_sign(&b, sk), -1);
    b = sample();
    b.kind = (enum paper_kind)9;
    assert_int_equal(paper_token_sign(&b, sk), -1);
    assert_null(paper_kind_name((enum paper_kind)9));
    assert_string_equal(paper_kind_name(PAPER_CARD), "介護保険被保険者証");
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_round_trip),
        cmocka_unit_test(t_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
