/*
 * certflow.h - the 要介護認定 workflow from application to decision
 * (介護保険法 第27条, platform.md §5.2–5.3). Pure: an application is a value;
 * each step is a function that checks the step is allowed in the current state
 * and returns the next value, or -1 with a Japanese reason and the value
 * unchanged (so an invalid transition changes nothing). The store writes each
 * successful step as a new version of the application record.
 *
 * Steps: 申請受付 (app_file) → 認定調査 (app_assign_survey, app_survey_done)
 * and 主治医意見書依頼 (app_request_opinion, app_opinion_received), in either
 * order → 一次判定 (app_primary; the national algorithm is out of scope, its
 * output is recorded) → 介護認定審査会 (app_board: 二次判定, validity, 意見,
 * サービス種類の指定) → 決定 (app_decide: the certification written to the
 * card's panel (二)). 延期通知 (app_postpone) and 資格者証 (app_issue_shikakusha)
 * at any time before the decision; withdrawal (app_withdraw) likewise.
 */
#ifndef KAIGO_DOMAIN_CERTFLOW_H
#define KAIGO_DOMAIN_CERTFLOW_H

#include <stdbool.h>

#include "domain/records.h"
#include "util/compiler.h"

#define APP_ID_BYTES 24 /* "A20260415-0001" */
#define APP_MAX_POSTPONE 4
#define ACTOR_TEXT_BYTES 64

enum app_stage {
    STAGE_RECEIVED = 1, /* 申請受付 */
    STAGE_INVESTIGATING, /* 認定調査・主治医意見書 (either under way) */
    STAGE_READY,         /* 調査票と意見書がそろった: 一次判定待ち */
    STAGE_PRIMARY,       /* 一次判定済: 審査会待ち */
    STAGE_BOARD,         /* 二次判定済: 決定待ち */
    STAGE_DECIDED,       /* 決定・通知 */
    STAGE_WITHDRAWN,     /* 取下げ */
};

enum filer_kind { FILER_PERSON = 1, FILER_PROXY, FILER_KYOTAKU, FILER_HOUKATSU, FILER_INSURER };

struct postponement { /* 延期通知 (第27条第11項ただし書) */
    struct date notified;
    struct date expected;
    char reason[TEXT_BYTES];
};

struct application {
    char id[APP_ID_BYTES];
    enum cert_kind kind;
    struct date applied;
    enum filer_kind filer;
    char filed_by[ACTOR_TEXT_BYTES]; /* actor id of whoever entered it */
    char filer_org[32];              /* the office that filed on the person's behalf, or "" */
    int64_t consent_id;              /* 包括同意 collected with the application; 0 = none */
    /* the certification this one follows (renewal, change); level NONE if none */
    enum care_level prev_level;
    struct date prev_from, prev_to;
    struct date shikakusha;          /* 資格者証 issued on, or none */
    /* 認定調査 */
    char investigator[NAME_BYTES];
    struct date survey_assigned, survey_planned, survey_done;
    /* 主治医意見書 */
    char opinion_org[32];
    struct date opinion_requested, opinion_due, opinion_received;
    /* 一次判定 */
    struct date primary_on;
    enum care_level primary_level;
    int primary_minutes_x10; /* 要介護認定等基準時間, tenths of a minute */
    /* 介護認定審査会 (二次判定) */
    struct date board_on;
    enum care_level level;
    int months;
    struct date valid_from, valid_to;
    char board_opinion[TEXT_BYTES];
    char services[TEXT_BYTES];
    char override_reason[TEXT_BYTES]; /* validity other than the standard: why */
    /* 決定 */
    struct date decided;
    struct date withdrawn;
    size_t npostpone;
    struct postponement postpone[APP_MAX_POSTPONE];
};

enum app_stage app_stage(const struct application *a) NONNULL(1);
const char *app_stage_code(enum app_stage s);  /* "received" */
const char *app_stage_name(enum app_stage s);  /* "申請受付" */
const char *filer_kind_code(enum filer_kind f);
enum filer_kind filer_kind_from_code(const char *s); /* 0 if unknown */

/* the certification in force or last before, as the store found it */
struct prior_cert {
    bool present;
    enum care_level level;
    struct date from, to;
};

/* app_file - a new application on a->applied (a->kind, a->filer, ids set by
 * the caller) given the person's current certification and any pending
 * application. Renewal: a certification ending on or after the application,
 * filed from 60 days before its end (施行規則 第39条). 区分変更: a
 * certification in force on the application date. 新規: none in force.
 * One pending application per person. */
MUST_CHECK int app_file(struct application *a, const struct prior_cert *prior, bool pending_exists,
                        const char **why) NONNULL(1, 2, 4);
MUST_CHECK int app_assign_survey(struct application *a, const char *investigator, struct date on,
                                 struct date planned, const char **why) NONNULL(1, 2, 5);
/* app_survey_done - the 認定調査票 was recorded (its survey date). Corrections
 * after this only replace the form (a new version), the date stays the first. */
MUST_CHECK int app_survey_done(struct application *a, struct date surveyed, const char **why)
    NONNULL(1, 3);
/* app_request_opinion - 主治医意見書作成依頼 to the 医療機関 org on 'on'; due
 * ikensho_due_days later (data/rates.tsv). */
MUST_CHECK int app_request_opinion(struct application *a, const char *org, struct date on,
                                   const char **why) NONNULL(1, 2, 4);
MUST_CHECK int app_opinion_received(struct application *a, struct date on, const char **why)
    NONNULL(1, 3);
MUST_CHECK int app_primary(struct application *a, struct date on, enum care_level level,
                           int minutes_x10, const char **why) NONNULL(1, 5);
/* app_board - 二次判定: level, and the validity in months (0 = the standard
 * of cert_range_for). A length other than the standard needs a reason and must
 * lie in the allowed range (施行規則 第38条・第41条). */
MUST_CHECK int app_board(struct application *a, struct date on, enum care_level level, int months,
                         const char *opinion, const char *services, const char *override_reason,
                         const char **why) NONNULL(1, 5, 6, 7, 8);
/* app_decide - 決定 on 'on' (第27条第7項): after the board; past the 30-day
 * deadline only with a 延期通知 recorded (第27条第11項). *out is the
 * certification to record (認定年月日 = on). */
MUST_CHECK int app_decide(struct application *a, struct date on, struct certification *out,
                          const char **why) NONNULL(1, 3, 4);
/* app_postpone - 延期通知: notified on or before the decision, with a reason
 * and an expected date after the 30-day deadline and after the notice. */
MUST_CHECK int app_postpone(struct application *a, struct date notified, struct date expected,
                            const char *reason, const char **why) NONNULL(1, 4, 5);
MUST_CHECK int app_issue_shikakusha(struct application *a, struct date on, const char **why)
    NONNULL(1, 3);
MUST_CHECK int app_withdraw(struct application *a, struct date on, const char **why) NONNULL(1, 3);

/* app_pending - not decided and not withdrawn. */
bool app_pending(const struct application *a) NONNULL(1);
/* app_days_left - days from 'today' to the 30-day deadline (negative when past). */
int app_days_left(const struct application *a, struct date today) NONNULL(1);
/* app_needs_postpone - pending, past the deadline on 'today' and no 延期通知 yet. */
bool app_needs_postpone(const struct application *a, struct date today) NONNULL(1);

#endif
