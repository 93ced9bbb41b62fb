/* u-paper.c - the signed token on paper documents (domain/papertoken.c): text form,
 * round trip, signature, and every refusal; the 被保険者証's items by panel
 * (domain/paperdoc.c); amounts grouped by thousands (util/text.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "domain/paperdoc.h"
#include "domain/papertoken.h"
#include "util/text.h"

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
    t.ratio = 2; /* what it asserts (version 2) */
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
    assert_int_equal(strlen(text), 176);
    assert_memory_equal(text, "KG2:", 4);
    /* every character is in the QR alphanumeric set (upper case, digits, ':') */
    assert_int_equal(strspn(text + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 172);
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
    assert_int_equal(back.version, 2);
    assert_int_equal(back.ratio, 2);
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

/* Version 2 carries the printed facts: a token whose 割合 or level is changed does not verify, so
 * a forged value printed beside a genuine QR shows up as a difference (issue #14 §3). Version 1
 * tokens (printed before) still verify and assert no facts. Vectors derived here. */
static void t_facts(void **s)
{
    (void)s;
    unsigned char pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    const char *why;
    char text[PAPER_TOKEN_TEXT_MAX];
    struct paper_token t = sample(), back;
    assert_int_equal(paper_token_sign(&t, sk), 0);
    struct paper_token forged = t;
    forged.ratio = 1; /* "1割" printed instead of 2割, the QR copied */
    assert_false(paper_token_verify(&forged, pk));
    struct paper_fact f[3];
    assert_int_equal(paper_token_facts(&t, f), 1);
    assert_string_equal(f[0].label, "利用者負担の割合");
    assert_string_equal(f[0].value, "2割");
    /* a card: level and 申請中 */
    struct paper_token c = sample();
    c.kind = PAPER_CARD;
    c.ratio = 0;
    memcpy(c.level, "21", 3);
    c.pending = true;
    assert_int_equal(paper_token_sign(&c, sk), 0);
    assert_int_equal(paper_token_text(&c, text), 0);
    assert_int_equal(paper_token_parse(text, strlen(text), &back, &why), 0);
    assert_string_equal(back.level, "21");
    assert_true(back.pending);
    assert_true(paper_token_verify(&back, pk));
    assert_int_equal(paper_token_facts(&back, f), 1);
    assert_string_equal(f[0].value, "要介護1(申請中)");
    back.level[1] = '2';
    assert_false(paper_token_verify(&back, pk));
    /* a 認定証: the stage */
    struct paper_token l = sample();
    l.kind = PAPER_LIMIT;
    l.ratio = 0;
    l.stage = STAGE_3A;
    assert_int_equal(paper_token_sign(&l, sk), 0);
    assert_int_equal(paper_token_facts(&l, f), 1);
    assert_string_equal(f[0].value, "第3段階①");
    /* out-of-range facts are not signed */
    struct paper_token bad = sample();
    bad.ratio = 4;
    assert_int_equal(paper_token_sign(&bad, sk), -1);
    bad = sample();
    memcpy(bad.level, "2X", 3);
    assert_int_equal(paper_token_sign(&bad, sk), -1);
    /* version 1: still parsed and verified, no facts; facts cannot be put in it */
    struct paper_token v1 = sample();
    v1.ratio = 0;
    v1.version = 1;
    assert_int_equal(paper_token_sign(&v1, sk), 0);
    assert_int_equal(paper_token_text(&v1, text), 0);
    assert_int_equal(strlen(text), 172);
    assert_memory_equal(text, "KG1:", 4);
    assert_int_equal(paper_token_parse(text, strlen(text), &back, &why), 0);
    assert_int_equal(back.version, 1);
    assert_true(paper_token_verify(&back, pk));
    assert_int_equal(paper_token_facts(&back, f), 0);
    v1.ratio = 2;
    assert_int_equal(paper_token_sign(&v1, sk), -1);
    /* a KG2 text whose padding bits are not zero is refused (one text per token) */
    assert_int_equal(paper_token_sign(&t, sk), 0);
    assert_int_equal(paper_token_text(&t, text), 0);
    char *last = &text[strlen(text) - 1];
    const char *b32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    *last = b32[(strchr(b32, *last) - b32) | 1];
    assert_int_equal(paper_token_parse(text, strlen(text), &back, &why), -1);
}

static struct card card_of(void)
{
    struct card c;
    memset(&c, 0, sizeof c);
    c.qualified = true;
    c.kubun_limit = -1;
    memcpy(c.person.key.insurer_no, "122192", 7);
    memcpy(c.person.key.insured_no, "0000000001", 11);
    memcpy(c.insurer.insurer_no, "122192", 7);
    snprintf(c.person.name, sizeof c.person.name, "髙橋　﨑子");
    c.person.birth = (struct date){1940, 4, 2};
    return c;
}

/* every item of the form's panels, in order, empty where nothing is recorded (様式第一号) */
static void t_card_form(void **s)
{
    (void)s;
    static const char *const form[] = {
        "(一)被保険者番号", "(一)住所", "(一)フリガナ", "(一)氏名", "(一)生年月日", "(一)性別", "(一)交付年月日",
        "(二)要介護状態区分等", "(二)認定年月日", "(二)認定の有効期間", "(二)居宅サービス等 区分支給限度基準額",
        "(二)うち種類支給限度基準額", "(二)認定審査会の意見及びサービスの種類の指定", "(三)給付制限", "(三)期間",
        "(三)居宅介護支援事業者又は介護予防支援事業者及びその事業所の名称", "(三)届出年月日", "(三)介護保険施設等",
        "(三)入所等年月日", "(三)退所等年月日",
    };
    struct card c = card_of();
    static struct paper_doc d;
    const char *why = NULL;
    assert_int_equal(paper_doc_card(&c, (struct date){2026, 11, 25}, &d, &why), 0);
    assert_int_equal(d.n, sizeof form / sizeof form[0]);
    for (size_t i = 0; i < d.n; i++) {
        assert_string_equal(d.l[i].label, form[i]);
        const char *rest;
        int want = !strncmp(form[i], "(一)", strlen("(一)")) ? 0 : !strncmp(form[i], "(二)", strlen("(二)")) ? 1 : 2;
        assert_int_equal(paper_line_panel(d.l[i].label, &rest), want);
        assert_string_equal(rest, form[i] + strlen("(一)"));
        if (i >= 7)
            assert_string_equal(d.l[i].value, ""); /* nothing recorded: the item printed empty */
    }
    /* the most a card holds (8 給付制限, 4 stays, the services line) fits the lines */
    c.has_cert = true;
    c.cert.level = LEVEL_KAIGO3;
    c.cert.valid_from = (struct date){2024, 4, 1};
    c.cert.valid_to = (struct date){2028, 3, 31};
    c.kubun_limit = 27048;
    snprintf(c.cert.services, sizeof c.cert.services, "訪問介護");
    c.nrestrictions = 8;
    for (size_t i = 0; i < 8; i++)
        c.restrictions[i] = (struct restriction){RESTRICT_PAYMENT_METHOD, {2026, 4, 1}, {2027, 3, 31}, "滞納"};
    c.nstays = 4;
    assert_int_equal(paper_doc_card(&c, (struct date){2026, 11, 25}, &d, &why), 0);
    assert_int_equal(d.n, 7 + 7 + 8 * 2 + 2 + 4 * 3);
    assert_string_equal(d.l[10].value, "令和6年4月1日から令和10年3月31日まで 1月当たり 27,048単位");
    /* 申請中: the level in force stays printed beside it (issue #14), and the token carries both */
    c.pending = true;
    c.pending_kind = CERT_CHANGE;
    c.pending_applied = (struct date){2026, 11, 2};
    assert_int_equal(paper_doc_card(&c, (struct date){2026, 11, 25}, &d, &why), 0);
    assert_string_equal(d.l[7].value, "要介護3(申請中: 令和8年11月2日 区分変更申請)");
    struct paper_token tk;
    paper_token_of(&d, &tk);
    assert_string_equal(tk.level, "23");
    assert_true(tk.pending);
    c.has_cert = false; /* a first application: 申請中 alone */
    c.nrestrictions = 0;
    c.nstays = 0;
    assert_int_equal(paper_doc_card(&c, (struct date){2026, 11, 25}, &d, &why), 0);
    assert_string_equal(d.l[7].value, "申請中(令和8年11月2日申請、区分変更)");
    /* a label of no panel */
    const char *rest;
    assert_int_equal(paper_line_panel("交付年月日", &rest), -1);
    assert_string_equal(rest, "交付年月日");
    assert_int_equal(paper_line_panel("(三)期間", &rest), 2);
    assert_string_equal(rest, "期間");
}

/* issue #15: an empty date never reaches a document, every amount is grouped */
static void t_no_empty_dates(void **s)
{
    (void)s;
    struct card c = card_of();
    static struct paper_doc d;
    const char *why = NULL;
    /* a 給付制限 until further notice: 「令和8年2月1日から」, not 「…から0000-00-00まで」 */
    c.nrestrictions = 1;
    c.restrictions[0] = (struct restriction){RESTRICT_PAYMENT_METHOD, {2026, 2, 1}, {0, 0, 0}, ""};
    assert_int_equal(paper_doc_card(&c, (struct date){2026, 11, 25}, &d, &why), 0);
    bool seen = false;
    for (size_t i = 0; i < d.n; i++) {
        assert_null(strstr(d.l[i].value, "0000-00-00"));
        if (!strcmp(d.l[i].label, "(三)期間")) {
            assert_string_equal(d.l[i].value, "令和8年2月1日から");
            seen = true;
        }
    }
    assert_true(seen);
    /* the 負担限度額認定証's daily limits: 1,420円, not 1420円 */
    c.has_limit = true;
    c.limit.stage = STAGE_3A;
    c.limit.valid_from = (struct date){2026, 8, 1};
    c.limit.valid_to = (struct date){2027, 7, 31};
    assert_int_equal(paper_doc_limit(&c, (struct date){2026, 8, 1}, &d, &why), 0);
    int yen = 0;
    for (size_t i = 0; i < d.n; i++) {
        const char *v = d.l[i].value;
        size_t n = strlen(v);
        if (n < 4 || strcmp(v + n - 3, "円") != 0)
            continue;
        yen++;
        long long amount = 0;
        for (const char *p = v; *p && *p != '\xe5'; p++)
            if (*p >= '0' && *p <= '9')
                amount = amount * 10 + (*p - '0');
        if (amount >= 1000)
            assert_non_null(strchr(v, ','));
    }
    assert_true(yen >= 3);
}

/* the access report: every entry, PAPER_ACCESS_PER_PAGE (8) a page, newest first; the cap counted; a period */
static void t_access_pages(void **s)
{
    (void)s;
    struct card c = card_of();
    static struct paper_doc pages[PAPER_ACCESS_MAX_PAGES];
    static struct paper_access e[700];
    for (size_t i = 0; i < 700; i++) {
        memset(&e[i], 0, sizeof e[i]);
        /* 2026-11-01 00:00 JST plus i hours, stored in reverse order */
        e[699 - i].time_ms = (1793458800LL + (int64_t)i * 3600) * 1000;
        snprintf(e[699 - i].org_name, sizeof e[0].org_name, "事業所%zu", i);
        snprintf(e[699 - i].category, sizeof e[0].category, "資格");
        e[699 - i].allowed = i % 10 != 0;
    }
    size_t np = 0;
    const char *why = NULL;
    assert_int_equal(paper_doc_access(&c, e, 30, DATE_NONE, (struct date){2026, 12, 1}, pages, &np, &why), 0);
    assert_int_equal(np, 4);
    assert_string_equal(pages[0].title, "閲覧記録のお知らせ(1/4)");
    assert_string_equal(pages[3].title, "閲覧記録のお知らせ(4/4)");
    size_t entries = 0;
    for (size_t p = 0; p < np; p++)
        for (size_t i = 0; i < pages[p].n; i++)
            entries += strstr(pages[p].l[i].value, " ／ 資格 ／ ") != NULL;
    assert_int_equal(entries, 30);
    /* e[0..29] are the 30 newest of the reversed list: i = 699 … 670; the first printed is the newest */
    assert_non_null(strstr(pages[0].l[5].value, "事業所699"));
    assert_non_null(strstr(pages[3].l[4].value, "新しい順に 25〜30 件目"));
    assert_string_equal(pages[3].l[pages[3].n - 1].label, "ご案内");
    for (size_t p = 0; p < np; p++)
        assert_int_equal(pages[p].kind, PAPER_ACCESS);

    assert_int_equal(paper_doc_access(&c, e, 700, DATE_NONE, (struct date){2026, 12, 1}, pages, &np, &why), 0);
    assert_int_equal(np, PAPER_ACCESS_MAX_PAGES);
    const struct paper_doc *last = &pages[np - 1];
    assert_string_equal(last->l[last->n - 2].label, "それ以前");
    assert_non_null(strstr(last->l[last->n - 2].value, "ほかに 100 件"));

    /* from 2026-11-20 (JST): hours 456 … 699 of the month, 244 entries */
    assert_int_equal(paper_doc_access(&c, e, 700, (struct date){2026, 11, 20}, (struct date){2026, 12, 1}, pages, &np,
                                      &why),
                     0);
    assert_int_equal(np, (244 + 7) / 8);
    assert_non_null(strstr(pages[0].l[3].value, "全 244 件"));
    assert_string_equal(pages[0].l[4].label, "対象期間");
    assert_string_equal(pages[0].l[4].value, "令和8年11月20日以降");

    /* nothing: one page that says so */
    assert_int_equal(paper_doc_access(&c, e, 0, DATE_NONE, (struct date){2026, 12, 1}, pages, &np, &why), 0);
    assert_int_equal(np, 1);
    assert_string_equal(pages[0].title, "閲覧記録のお知らせ");
    assert_non_null(strstr(pages[0].l[3].value, "全 0 件"));
}

static void t_thousands(void **s)
{
    (void)s;
    static const struct {
        long long v;
        const char *want;
    } t[] = {{0, "0"}, {999, "999"}, {1000, "1,000"}, {27048, "27,048"}, {1234567, "1,234,567"}, {-5000, "-5,000"},
             {INT64_MIN, "-9,223,372,036,854,775,808"}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char out[48];
        group_thousands(t[i].v, out, sizeof out);
        assert_string_equal(out, t[i].want);
    }
    char small[4];
    group_thousands(27048, small, sizeof small);
    assert_string_equal(small, "27,");
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_round_trip),
        cmocka_unit_test(t_facts),
        cmocka_unit_test(t_refusals),
        cmocka_unit_test(t_card_form),
        cmocka_unit_test(t_no_empty_dates),
        cmocka_unit_test(t_thousands),
        cmocka_unit_test(t_access_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
