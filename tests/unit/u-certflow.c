/* u-certflow.c - the 要介護認定 workflow (RULE-FLOW-001..004): every step's
 * preconditions, the value unchanged after a refused step, validity from the
 * board, the 30-day deadline and 延期通知. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "domain/certflow.h"

#define DD(y, m, d) ((struct date){y, m, d})

static struct application fresh(enum cert_kind k, struct date applied)
{
    struct application a;
    memset(&a, 0, sizeof a);
    snprintf(a.id, sizeof a.id, "A-test");
    a.kind = k;
    a.applied = applied;
    a.filer = FILER_PERSON;
    return a;
}

/* REFUSED - the step failed with a reason (in the caller's why_) and changed nothing. */
#define REFUSED(a, call)                                                                          \
    do {                                                                                          \
        struct application before_ = (a);                                                         \
        why_ = NULL;                                                                              \
        assert_int_equal(call, -1);                                                               \
        assert_non_null(why_);                                                                    \
        assert_memory_equal(&before_, &(a), sizeof before_);                                      \
    } while (0)

static void t_file(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        enum cert_kind kind;
        struct date applied;
        bool prior;
        enum care_level level;
        struct date from, to;
        bool pending;
        int ok;
    } t[] = {
        {"new, nothing before", CERT_NEW, {2026, 4, 10}, false, 0, {0}, {0}, false, 1},
        {"new after an expired one", CERT_NEW, {2026, 4, 10}, true, LEVEL_KAIGO1, {2019, 4, 1}, {2020, 3, 31}, false, 1},
        {"new while one is in force", CERT_NEW, {2026, 4, 10}, true, LEVEL_KAIGO1, {2026, 1, 1}, {2026, 12, 31}, false, 0},
        {"change while in force", CERT_CHANGE, {2026, 4, 10}, true, LEVEL_KAIGO1, {2026, 1, 1}, {2026, 12, 31}, false, 1},
        {"change without one in force", CERT_CHANGE, {2026, 4, 10}, true, LEVEL_KAIGO1, {2025, 1, 1}, {2025, 12, 31}, false, 0},
        {"renew 60 days before the end", CERT_RENEW, {2026, 5, 1}, true, LEVEL_KAIGO2, {2022, 7, 1}, {2026, 6, 30}, false, 1},
        {"renew 61 days before the end", CERT_RENEW, {2026, 4, 30}, true, LEVEL_KAIGO2, {2022, 7, 1}, {2026, 6, 30}, false, 0},
        {"renew after the end: new", CERT_RENEW, {2026, 7, 1}, true, LEVEL_KAIGO2, {2022, 7, 1}, {2026, 6, 30}, false, 0},
        {"renew on the last day", CERT_RENEW, {2026, 6, 30}, true, LEVEL_KAIGO2, {2022, 7, 1}, {2026, 6, 30}, false, 1},
        {"one pending application at a time", CERT_NEW, {2026, 4, 10}, false, 0, {0}, {0}, true, 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct application a = fresh(t[i].kind, t[i].applied);
        struct prior_cert p = {t[i].prior, t[i].level, t[i].from, t[i].to};
        const char *why = NULL;
        int rc = app_file(&a, &p, t[i].pending, &why);
        if ((rc == 0) != t[i].ok)
            fail_msg("%s: rc %d (%s)", t[i].name, rc, why ? why : "");
        if (rc == 0 && t[i].kind != CERT_NEW)
            assert_int_equal(a.prev_level, t[i].level);
    }
}

/* through - files a new application and runs every step up to the board. */
static void through_primary(struct application *a)
{
    const char *why;
    struct prior_cert none = {0};
    assert_int_equal(app_file(a, &none, false, &why), 0);
    assert_int_equal(app_stage(a), STAGE_RECEIVED);
    assert_int_equal(app_assign_survey(a, "調査員", DD(2026, 4, 11), DD(2026, 4, 15), &why), 0);
    assert_int_equal(app_stage(a), STAGE_INVESTIGATING);
    assert_int_equal(app_survey_done(a, DD(2026, 4, 15), &why), 0);
    assert_int_equal(app_request_opinion(a, "hosp1", DD(2026, 4, 11), &why), 0);
    assert_true(date_cmp(a->opinion_due, DD(2026, 4, 25)) == 0); /* 14 days */
    assert_int_equal(app_opinion_received(a, DD(2026, 4, 20), &why), 0);
    assert_int_equal(app_stage(a), STAGE_READY);
    assert_int_equal(app_primary(a, DD(2026, 4, 22), LEVEL_KAIGO2, 523, &why), 0);
    assert_int_equal(app_stage(a), STAGE_PRIMARY);
}

static void t_order(void **state)
{
    (void)state;
    struct application a = fresh(CERT_NEW, DD(2026, 4, 10));
    struct prior_cert none = {0};
    struct certification c;
    const char *why_;
    assert_int_equal(app_file(&a, &none, false, &why_), 0);
    /* nothing before its turn, and the value is unchanged */
    REFUSED(a, app_decide(&a, DD(2026, 4, 20), &c, &why_));
    REFUSED(a, app_primary(&a, DD(2026, 4, 20), LEVEL_KAIGO1, 100, &why_));
    REFUSED(a, app_board(&a, DD(2026, 4, 20), LEVEL_KAIGO1, 0, "", "", "", &why_));
    REFUSED(a, app_opinion_received(&a, DD(2026, 4, 20), &why_)); /* not requested */
    REFUSED(a, app_assign_survey(&a, "", DD(2026, 4, 11), DATE_NONE, &why_));
    REFUSED(a, app_assign_survey(&a, "調査員", DD(2026, 4, 9), DATE_NONE, &why_)); /* before applied */
    assert_int_equal(app_survey_done(&a, DD(2026, 4, 15), &why_), 0);
    REFUSED(a, app_primary(&a, DD(2026, 4, 20), LEVEL_KAIGO1, 100, &why_)); /* no opinion yet */
    assert_int_equal(app_request_opinion(&a, "hosp1", DD(2026, 4, 11), &why_), 0);
    assert_int_equal(app_opinion_received(&a, DD(2026, 4, 18), &why_), 0);
    REFUSED(a, app_primary(&a, DD(2026, 4, 14), LEVEL_KAIGO1, 100, &why_)); /* before the survey */
    REFUSED(a, app_primary(&a, DD(2026, 4, 20), LEVEL_JIGYO, 100, &why_));
    REFUSED(a, app_primary(&a, DD(2026, 4, 20), LEVEL_KAIGO1, 14401, &why_));
    assert_int_equal(app_primary(&a, DD(2026, 4, 20), LEVEL_KAIGO1, 400, &why_), 0);
    REFUSED(a, app_survey_done(&a, DD(2026, 4, 21), &why_)); /* the survey is frozen now */
    REFUSED(a, app_decide(&a, DD(2026, 4, 25), &c, &why_));  /* no board yet */
}

static void t_board_validity(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        enum cert_kind kind;
        enum care_level prev, level;
        int months;
        const char *reason;
        int ok;
        struct date from, to;
    } t[] = {
        {"new standard 6", CERT_NEW, 0, LEVEL_KAIGO2, 0, "", 1, {2026, 4, 10}, {2026, 10, 31}},
        {"new 12 with reason", CERT_NEW, 0, LEVEL_KAIGO2, 12, "安定", 1, {2026, 4, 10}, {2027, 4, 30}},
        {"new 12 without reason", CERT_NEW, 0, LEVEL_KAIGO2, 12, "", 0, {0}, {0}},
        {"new 13 outside the range", CERT_NEW, 0, LEVEL_KAIGO2, 13, "長期", 0, {0}, {0}},
        {"new 2 outside the range", CERT_NEW, 0, LEVEL_KAIGO2, 2, "短期", 0, {0}, {0}},
        {"renew same level 48", CERT_RENEW, LEVEL_KAIGO2, LEVEL_KAIGO2, 48, "安定", 1, {2026, 7, 1}, {2030, 6, 30}},
        {"renew other level 48", CERT_RENEW, LEVEL_KAIGO2, LEVEL_KAIGO3, 48, "安定", 0, {0}, {0}},
        {"renew other level 36", CERT_RENEW, LEVEL_KAIGO2, LEVEL_KAIGO3, 36, "安定", 1, {2026, 7, 1}, {2029, 6, 30}},
        {"非該当: no period", CERT_NEW, 0, LEVEL_HIGAITO, 0, "", 1, {0}, {0}},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct application a = fresh(t[i].kind, t[i].kind == CERT_RENEW ? DD(2026, 5, 15) : DD(2026, 4, 10));
        struct prior_cert p = {t[i].kind == CERT_RENEW, t[i].prev, DD(2022, 7, 1), DD(2026, 6, 30)};
        const char *why = NULL;
        assert_int_equal(app_file(&a, &p, false, &why), 0);
        a.survey_done = a.opinion_received = a.primary_on = a.applied;
        int rc = app_board(&a, date_add_days(a.applied, 20), t[i].level, t[i].months, "", "", t[i].reason, &why);
        if ((rc == 0) != t[i].ok)
            fail_msg("%s: rc %d (%s)", t[i].name, rc, why ? why : "");
        if (rc == 0 && (date_cmp(a.valid_from, t[i].from) || date_cmp(a.valid_to, t[i].to)))
            fail_msg("%s: %d-%d-%d .. %d-%d-%d", t[i].name, a.valid_from.y, a.valid_from.m,
                     a.valid_from.d, a.valid_to.y, a.valid_to.m, a.valid_to.d);
        if (rc == 0 && t[i].months && strcmp(a.override_reason, t[i].reason))
            fail_msg("%s: the override's reason is not recorded", t[i].name);
    }
}

static void t_deadline(void **state)
{
    (void)state;
    struct application a = fresh(CERT_NEW, DD(2026, 3, 1));
    through_primary(&a); /* dates after 3/1 are fine: the steps only need order */
    const char *why, *why_;
    struct certification c;
    assert_int_equal(app_board(&a, DD(2026, 4, 22), LEVEL_KAIGO2, 0, "意見", "通所", "", &why), 0);
    assert_int_equal(app_stage(&a), STAGE_BOARD);
    /* 第27条第11項: due 2026-03-31 */
    assert_int_equal(app_days_left(&a, DD(2026, 3, 31)), 0);
    assert_int_equal(app_days_left(&a, DD(2026, 4, 5)), -5);
    assert_false(app_needs_postpone(&a, DD(2026, 3, 31)));
    assert_true(app_needs_postpone(&a, DD(2026, 4, 1)));
    REFUSED(a, app_decide(&a, DD(2026, 4, 23), &c, &why_));
    REFUSED(a, app_postpone(&a, DD(2026, 3, 30), DD(2026, 3, 31), "遅れ", &why_)); /* not after the deadline */
    REFUSED(a, app_postpone(&a, DD(2026, 3, 30), DD(2026, 4, 30), "", &why_));     /* no reason */
    assert_int_equal(app_postpone(&a, DD(2026, 3, 30), DD(2026, 4, 30), "意見書の遅れ", &why), 0);
    assert_false(app_needs_postpone(&a, DD(2026, 4, 5)));
    assert_int_equal(app_decide(&a, DD(2026, 4, 23), &c, &why), 0);
    assert_int_equal(c.level, LEVEL_KAIGO2);
    assert_true(date_cmp(c.certified, DD(2026, 4, 23)) == 0);
    assert_true(date_cmp(c.valid_from, DD(2026, 3, 1)) == 0);
    assert_true(date_cmp(c.valid_to, DD(2026, 8, 31)) == 0);
    assert_string_equal(c.opinion, "意見");
    assert_int_equal(app_stage(&a), STAGE_DECIDED);
    assert_false(app_pending(&a));
    /* nothing after the decision */
    REFUSED(a, app_postpone(&a, DD(2026, 4, 24), DD(2026, 5, 30), "x", &why_));
    REFUSED(a, app_withdraw(&a, DD(2026, 4, 24), &why_));
    REFUSED(a, app_issue_shikakusha(&a, DD(2026, 4, 24), &why_));
}

static void t_withdraw_and_names(void **state)
{
    (void)state;
    struct application a = fresh(CERT_NEW, DD(2026, 4, 10));
    const char *why;
    struct prior_cert none = {0};
    assert_int_equal(app_file(&a, &none, false, &why), 0);
    assert_int_equal(app_issue_shikakusha(&a, DD(2026, 4, 10), &why), 0);
    assert_int_equal(app_withdraw(&a, DD(2026, 4, 12), &why), 0);
    assert_int_equal(app_stage(&a), STAGE_WITHDRAWN);
    assert_false(app_pending(&a));
    assert_false(app_needs_postpone(&a, DD(2026, 6, 1)));
    for (int s = STAGE_RECEIVED; s <= STAGE_WITHDRAWN; s++) {
        assert_true(app_stage_code((enum app_stage)s)[0] != '\0');
        assert_true(app_stage_name((enum app_stage)s)[0] != '\0');
    }
    for (int f = FILER_PERSON; f <= FILER_INSURER; f++)
        assert_int_equal(filer_kind_from_code(filer_kind_code((enum filer_kind)f)), f);
    assert_int_equal(filer_kind_from_code("nobody"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_file),     cmocka_unit_test(t_order),
        cmocka_unit_test(t_board_validity), cmocka_unit_test(t_deadline),
        cmocka_unit_test(t_withdraw_and_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
