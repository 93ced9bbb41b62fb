/* u-card.c - card_build picks what is in force on the date (RULE-CARD-001..003). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "domain/card.h"

#define DD(y, m, d) ((struct date){y, m, d})

static struct insured person(void)
{
    struct insured p;
    memset(&p, 0, sizeof p);
    memcpy(p.key.insurer_no, "122192", 7);
    memcpy(p.key.insured_no, "0000000001", 11);
    memcpy(p.name, "髙橋　﨑子", strlen("髙橋　﨑子") + 1);
    p.birth = DD(1959, 6, 10);
    p.acquired = DD(1999, 6, 1);
    return p;
}

static void t_build(void **s)
{
    (void)s;
    struct insured p = person();
    struct insurer ins = {"122192", "市原市", "千葉県", CARD_ISSUE_AGE65, DATE_NONE};
    struct certification certs[3];
    memset(certs, 0, sizeof certs);
    certs[0] = (struct certification){.level = LEVEL_KAIGO1, .valid_from = DD(2022, 4, 1), .valid_to = DD(2023, 3, 31)};
    certs[1] = (struct certification){.level = LEVEL_KAIGO2, .valid_from = DD(2023, 4, 1), .valid_to = DD(2024, 3, 31)};
    /* 区分変更 mid-period: the later start wins while both are in force */
    certs[2] = (struct certification){.level = LEVEL_KAIGO4, .valid_from = DD(2023, 10, 12), .valid_to = DD(2024, 4, 30)};
    struct burden_cert b[2] = {{1, DD(2023, 8, 1), DD(2024, 7, 31)}, {2, DD(2024, 8, 1), DD(2025, 7, 31)}};
    struct limit_cert l[1] = {{STAGE_2, DD(2024, 8, 1), DD(2025, 7, 31)}};
    struct restriction r[1] = {{RESTRICT_REDUCTION, DD(2024, 1, 1), DD(2024, 12, 31), ""}};
    struct plan_notice pl[2];
    memset(pl, 0, sizeof pl);
    pl[0].notified = DD(2022, 4, 1);
    pl[0].ended = DD(2023, 9, 30);
    memcpy(pl[0].provider_no, "1370100017", 11);
    pl[1].notified = DD(2023, 10, 1);
    pl[1].self_made = true;
    struct card_input in = {&ins, &p, certs, 3, b, 2, l, 1, r, 1, pl, 2, NULL, 0, DATE_NONE, 0, DATE_NONE};
    struct card c;

    assert_int_equal(card_build(&in, DD(2022, 12, 1), &c), 0);
    assert_int_equal(c.cert.level, LEVEL_KAIGO1);
    assert_int_equal(c.kubun_limit, 16765);
    assert_false(c.dai1); /* 63 years old: 第2号 */
    assert_false(c.has_burden);
    assert_int_equal(c.nrestrictions, 0);
    assert_true(c.has_plan);
    assert_false(c.plan.self_made);

    assert_int_equal(card_build(&in, DD(2023, 11, 1), &c), 0);
    assert_int_equal(c.cert.level, LEVEL_KAIGO4);
    assert_int_equal(c.kubun_limit, 30938);
    assert_true(c.plan.self_made);

    assert_int_equal(card_build(&in, DD(2024, 8, 1), &c), 0);
    /* expired on 2024-04-30: the card still shows the last one, with no limit */
    assert_int_equal(c.cert.level, LEVEL_KAIGO4);
    assert_int_equal(c.kubun_limit, -1);
    assert_true(c.dai1); /* 65 on 2024-06-09 */
    assert_true(c.has_burden);
    assert_int_equal(c.burden.ratio, 2);
    assert_true(c.has_limit);
    assert_int_equal(c.limit_daily[LIMIT_FOOD_FACILITY], 390);
    assert_int_equal(c.nrestrictions, 1);
    assert_true(c.qualified);

    assert_false(c.pending);

    /* 申請中: a pending application shows from its date; the 資格者証 from its issue */
    in.pending_applied = DD(2024, 7, 10);
    in.pending_kind = CERT_CHANGE;
    in.shikakusha = DD(2024, 7, 20);
    assert_int_equal(card_build(&in, DD(2024, 7, 9), &c), 0);
    assert_false(c.pending);
    assert_int_equal(card_build(&in, DD(2024, 7, 10), &c), 0);
    assert_true(c.pending);
    assert_int_equal(c.pending_kind, CERT_CHANGE);
    assert_false(c.shikakusha);
    assert_int_equal(card_build(&in, DD(2024, 7, 20), &c), 0);
    assert_true(c.shikakusha);
    in.pending_applied = in.shikakusha = DATE_NONE;

    /* boundaries are inclusive: 2024-07-31 is the last day of ratio 1 */
    assert_int_equal(card_build(&in, DD(2024, 7, 31), &c), 0);
    assert_int_equal(c.burden.ratio, 1);

    /* before the person was insured */
    assert_int_equal(card_build(&in, DD(1999, 5, 31), &c), -1);
    assert_false(c.has_cert);

    /* 資格喪失日: not qualified from that day */
    p.lost = DD(2025, 1, 10);
    assert_int_equal(card_build(&in, DD(2025, 1, 9), &c), 0);
    assert_true(c.qualified);
    assert_int_equal(card_build(&in, DD(2025, 1, 10), &c), 0);
    assert_false(c.qualified);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(t_build)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
