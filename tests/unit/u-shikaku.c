/* u-shikaku.c - 資格の異動 (domain/shikaku.c): 取得 (再取得), 喪失, 住所変更, 住所地特例 as the next version of the 資格
 * record, and the refusals that change nothing. Vectors derived here from 介護保険法 第10条・第11条・第13条 (no
 * official worked examples exist for these entries). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "domain/shikaku.h"

#define DD(y, m, d) ((struct date){y, m, d})

static struct insured base(void)
{
    struct insured p;
    memset(&p, 0, sizeof p);
    strcpy(p.name, "近藤　武");
    strcpy(p.postal, "882-8764");
    strcpy(p.address, "北海道函館市北町2丁目24番1号");
    p.birth = DD(1944, 7, 13);
    p.acquired = DD(2009, 7, 12);
    return p;
}

static void t_changes(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        enum shikaku_kind kind;
        struct date on;
        const char *postal, *address;
        bool lost_before; /* the current record is lost on 2025-01-01 */
        bool tokurei_before;
        int rc;
        const char *why; /* part of the reason */
    } t[] = {
        {"住所変更", SHIKAKU_MOVE, {2026, 12, 3}, "040-0001", "北海道函館市五稜郭町1番1号", false, false, 0, NULL},
        {"住所変更: same address", SHIKAKU_MOVE, {2026, 12, 3}, "882-8764", "北海道函館市北町2丁目24番1号", false, false, -1, "同じ"},
        {"住所変更: bad 郵便番号", SHIKAKU_MOVE, {2026, 12, 3}, "0400001", "北海道函館市", false, false, -1, "郵便番号"},
        {"住所変更: no address", SHIKAKU_MOVE, {2026, 12, 3}, "040-0001", "", false, false, -1, "住所を"},
        {"住所変更 after 喪失", SHIKAKU_MOVE, {2026, 12, 3}, "040-0001", "北海道函館市", true, false, -1, "喪失した"},
        {"住所地特例", SHIKAKU_TOKUREI, {2026, 12, 1}, "060-0001", "北海道札幌市中央区北1条西1丁目 特別養護老人ホームさくら", false, false, 0, NULL},
        {"住所地特例 twice", SHIKAKU_TOKUREI, {2026, 12, 1}, "060-0001", "札幌市", false, true, -1, "すでに住所地特例"},
        {"喪失", SHIKAKU_LOSE, {2026, 12, 4}, "", "", false, false, 0, NULL},
        {"喪失 before 取得", SHIKAKU_LOSE, {2009, 7, 12}, "", "", false, false, -1, "取得日より後"},
        {"喪失 twice", SHIKAKU_LOSE, {2026, 12, 4}, "", "", true, false, -1, "すでに"},
        {"再取得", SHIKAKU_ACQUIRE, {2026, 4, 1}, "", "", true, true, 0, NULL},
        {"再取得 before 喪失", SHIKAKU_ACQUIRE, {2024, 4, 1}, "", "", true, false, -1, "喪失日より後"},
        {"取得 while insured", SHIKAKU_ACQUIRE, {2026, 4, 1}, "", "", false, false, -1, "喪失していません"},
        {"no date", SHIKAKU_MOVE, {0, 0, 0}, "040-0001", "函館市", false, false, -1, "日付"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct insured cur = base(), out;
        if (t[i].lost_before)
            cur.lost = DD(2025, 1, 1);
        if (t[i].tokurei_before)
            cur.tokurei = DD(2020, 1, 1);
        struct shikaku_change c;
        memset(&c, 0, sizeof c);
        c.kind = t[i].kind;
        c.on = t[i].on;
        strcpy(c.postal, t[i].postal);
        strcpy(c.address, t[i].address);
        const char *why = NULL;
        int rc = shikaku_apply(&cur, &c, &out, &why);
        if (rc != t[i].rc)
            fail_msg("%s: rc %d", t[i].name, rc);
        if (rc) {
            assert_non_null(why);
            if (!strstr(why, t[i].why))
                fail_msg("%s: %s", t[i].name, why);
            continue;
        }
        switch (t[i].kind) {
        case SHIKAKU_MOVE:
            assert_string_equal(out.address, t[i].address);
            assert_string_equal(out.postal, t[i].postal);
            assert_true(date_is_none(out.tokurei));
            break;
        case SHIKAKU_TOKUREI:
            assert_int_equal(date_cmp(out.tokurei, t[i].on), 0);
            assert_string_equal(out.address, t[i].address);
            break;
        case SHIKAKU_LOSE:
            assert_int_equal(date_cmp(out.lost, t[i].on), 0);
            assert_string_equal(out.address, cur.address);
            break;
        case SHIKAKU_ACQUIRE:
            assert_int_equal(date_cmp(out.acquired, t[i].on), 0);
            assert_true(date_is_none(out.lost));
            assert_true(date_is_none(out.tokurei)); /* a new 資格 here ends a 住所地特例 of the old one */
            break;
        }
        assert_string_equal(out.name, cur.name); /* nothing else changes */
        assert_int_equal(date_cmp(out.birth, cur.birth), 0);
    }
    assert_int_equal(shikaku_kind_from_code("move"), SHIKAKU_MOVE);
    assert_int_equal(shikaku_kind_from_code("tokurei"), SHIKAKU_TOKUREI);
    assert_int_equal(shikaku_kind_from_code("x"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(t_changes)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
