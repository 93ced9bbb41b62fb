/*
 * certflow.c - the 要介護認定 workflow; see certflow.h.
 *
 * RULE-FLOW-001 (法 第27条 第1項): one application at a time; 新規 when no
 *   certification is in force, 区分変更 during one, 更新 near its end
 *   (施行規則 第39条: from 60 days before).
 * RULE-FLOW-002 (法 第27条 第2項・第3項): the survey and the physician's
 *   opinion precede the 一次判定; the 一次判定 precedes the board.
 * RULE-FLOW-003 (施行規則 第38条・第41条): the board sets a validity inside the
 *   allowed range; a length other than the standard is recorded with its reason.
 * RULE-FLOW-004 (法 第27条 第11項): decision within 30 days of the application,
 *   otherwise a 延期通知 (reason and expected date) before deciding.
 */
#include <stdio.h>
#include <string.h>

#include "domain/certflow.h"
#include "domain/rates.h"
#include "util/text.h"
#include "util/banned.h"

static int no(const char **why, const char *msg)
{
    *why = msg;
    return -1;
}

#define COPY(dst, src) str_cut((dst), sizeof(dst), (src)) /* inputs are checked to fit by their readers (docjson.c) */

bool app_pending(const struct application *a)
{
    return date_is_none(a->decided) && date_is_none(a->withdrawn);
}

enum app_stage app_stage(const struct application *a)
{
    if (!date_is_none(a->withdrawn))
        return STAGE_WITHDRAWN;
    if (!date_is_none(a->decided))
        return STAGE_DECIDED;
    if (!date_is_none(a->board_on))
        return STAGE_BOARD;
    if (!date_is_none(a->primary_on))
        return STAGE_PRIMARY;
    if (!date_is_none(a->survey_done) && !date_is_none(a->opinion_received))
        return STAGE_READY;
    if (!date_is_none(a->survey_assigned) || !date_is_none(a->opinion_requested) ||
        !date_is_none(a->survey_done))
        return STAGE_INVESTIGATING;
    return STAGE_RECEIVED;
}

static const char *const stage_codes[] = {"", "received", "investigating", "ready", "primary",
                                          "board", "decided", "withdrawn"};
static const char *const stage_names[] = {"",         "申請受付",   "認定調査・意見書依頼中",
                                          "一次判定待ち", "審査会待ち", "決定待ち",
                                          "決定済",     "取下げ"};

const char *app_stage_code(enum app_stage s)
{
    return s >= STAGE_RECEIVED && s <= STAGE_WITHDRAWN ? stage_codes[s] : "";
}
const char *app_stage_name(enum app_stage s)
{
    return s >= STAGE_RECEIVED && s <= STAGE_WITHDRAWN ? stage_names[s] : "";
}

static const char *const filer_codes[] = {"", "person", "proxy", "kyotaku", "houkatsu", "insurer"};

const char *filer_kind_code(enum filer_kind f)
{
    return f >= FILER_PERSON && f <= FILER_INSURER ? filer_codes[f] : "";
}

enum filer_kind filer_kind_from_code(const char *s)
{
    for (int i = FILER_PERSON; i <= FILER_INSURER; i++)
        if (strcmp(s, filer_codes[i]) == 0)
            return (enum filer_kind)i;
    return 0;
}

static bool in_force(const struct prior_cert *p, struct date on)
{
    return p->present && date_cmp(p->from, on) <= 0 && date_cmp(on, p->to) <= 0;
}

int app_file(struct application *a, const struct prior_cert *prior, bool pending_exists,
             const char **why)
{
    if (!date_valid(a->applied))
        return no(why, "申請日を指定してください");
    if (a->filer < FILER_PERSON || a->filer > FILER_INSURER)
        return no(why, "申請者の区分(filer)は person, proxy, kyotaku, houkatsu, insurer のいずれかです");
    if (pending_exists)
        return no(why, "この方には審査中の申請があります(決定または取下げの後に申請してください)");
    a->prev_level = LEVEL_NONE;
    a->prev_from = a->prev_to = DATE_NONE;
    switch (a->kind) {
    case CERT_NEW:
        if (in_force(prior, a->applied))
            return no(why, "認定の有効期間中です。更新申請または区分変更申請として受け付けてください");
        break;
    case CERT_CHANGE:
        if (!in_force(prior, a->applied))
            return no(why, "区分変更申請は認定の有効期間中にのみできます(有効な認定がありません)");
        break;
    case CERT_RENEW:
        if (!prior->present || date_cmp(prior->to, a->applied) < 0)
            return no(why, "更新する認定がありません(有効期間が終了した後は新規申請です)");
        /* 施行規則 第39条: from 60 days before the end */
        if (date_cmp(a->applied, cert_renewal_opens(prior->to)) < 0)
            return no(why, "更新申請は有効期間終了日の60日前から受け付けます");
        break;
    default:
        return no(why, "申請区分は 新規・更新・区分変更 のいずれかです");
    }
    if (prior->present && a->kind != CERT_NEW) {
        a->prev_level = prior->level;
        a->prev_from = prior->from;
        a->prev_to = prior->to;
    }
    return 0;
}

static int open_step(const struct application *a, struct date on, const char **why)
{
    if (!app_pending(a))
        return no(why, date_is_none(a->withdrawn) ? "この申請は既に決定しています"
                                                   : "この申請は取り下げられています");
    if (!date_valid(on))
        return no(why, "日付を指定してください");
    if (date_cmp(on, a->applied) < 0)
        return no(why, "申請日より前の日付は指定できません");
    return 0;
}

int app_assign_survey(struct application *a, const char *investigator, struct date on,
                      struct date planned, const char **why)
{
    if (open_step(a, on, why))
        return -1;
    if (!investigator[0])
        return no(why, "認定調査員(investigator)を指定してください");
    if (!date_is_none(a->primary_on))
        return no(why, "一次判定の後に調査員は変更できません");
    if (!date_is_none(planned) && date_cmp(planned, on) < 0)
        return no(why, "調査予定日は割当日以降にしてください");
    COPY(a->investigator, investigator);
    a->survey_assigned = on;
    a->survey_planned = planned;
    return 0;
}

int app_survey_done(struct application *a, struct date surveyed, const char **why)
{
    if (open_step(a, surveyed, why))
        return -1;
    if (!date_is_none(a->primary_on))
        return no(why, "一次判定の後は認定調査票を差し替えられません");
    if (date_is_none(a->survey_done))
        a->survey_done = surveyed;
    return 0;
}

int app_request_opinion(struct application *a, const char *org, struct date on, const char **why)
{
    if (open_step(a, on, why))
        return -1;
    if (!org[0])
        return no(why, "依頼先の医療機関(organisation)を指定してください");
    if (!date_is_none(a->opinion_received))
        return no(why, "主治医意見書は既に届いています");
    long long days;
    if (rate_get("ikensho_due_days", "-", on, &days))
        return no(why, "この日付に適用される意見書の提出期限の定めがありません");
    COPY(a->opinion_org, org);
    a->opinion_requested = on;
    a->opinion_due = date_add_days(on, (int)days);
    return 0;
}

int app_opinion_received(struct application *a, struct date on, const char **why)
{
    if (open_step(a, on, why))
        return -1;
    if (date_is_none(a->opinion_requested))
        return no(why, "主治医意見書の作成依頼がまだありません");
    if (!date_is_none(a->primary_on))
        return no(why, "一次判定の後は主治医意見書を差し替えられません");
    if (date_is_none(a->opinion_received))
        a->opinion_received = on;
    return 0;
}

int app_primary(struct application *a, struct date on, enum care_level level, int minutes_x10,
                const char **why)
{
    if (open_step(a, on, why))
        return -1;
    if (date_is_none(a->survey_done))
        return no(why, "認定調査票が記録される前に一次判定はできません");
    if (date_is_none(a->opinion_received))
        return no(why, "主治医意見書が届く前に一次判定はできません");
    if (!date_is_none(a->board_on))
        return no(why, "審査会の判定の後に一次判定は変更できません");
    if (level != LEVEL_HIGAITO && !level_certified(level))
        return no(why, "一次判定の結果は 非該当・要支援1〜2・要介護1〜5 のいずれかです");
    if (minutes_x10 < 0 || minutes_x10 > 24 * 60 * 10)
        return no(why, "要介護認定等基準時間(minutes)は 0〜1440 分です");
    if (date_cmp(on, a->survey_done) < 0 || date_cmp(on, a->opinion_received) < 0)
        return no(why, "一次判定日は調査日と意見書の受理日以降にしてください");
    a->primary_on = on;
    a->primary_level = level;
    a->primary_minutes_x10 = minutes_x10;
    return 0;
}

int app_board(struct application *a, struct date on, enum care_level level, int months,
              const char *opinion, const char *services, const char *override_reason,
              const char **why)
{
    if (open_step(a, on, why))
        return -1;
    if (date_is_none(a->primary_on))
        return no(why, "一次判定の前に審査会の判定(二次判定)はできません");
    if (date_cmp(on, a->primary_on) < 0)
        return no(why, "審査会の日付は一次判定日以降にしてください");
    if (level != LEVEL_HIGAITO && !level_certified(level))
        return no(why, "二次判定の結果は 非該当・要支援1〜2・要介護1〜5 のいずれかです");
    struct date from = DATE_NONE, to = DATE_NONE;
    if (level_certified(level)) {
        bool same = a->kind == CERT_RENEW && level == a->prev_level;
        struct cert_range r;
        if (cert_range_for(a->kind, same, a->applied, &r))
            return no(why, "申請日に適用される有効期間の定めがありません");
        if (months == 0)
            months = r.standard;
        else if (months != r.standard && !override_reason[0])
            return no(why, "標準と異なる有効期間には理由(override_reason)が必要です");
        if (cert_period(a->kind, same, a->applied, a->prev_to, months, &from, &to, why))
            return -1;
    } else
        months = 0; /* 非該当: no period */
    a->board_on = on;
    a->level = level;
    a->months = months;
    a->valid_from = from;
    a->valid_to = to;
    COPY(a->board_opinion, opinion);
    COPY(a->services, services);
    COPY(a->override_reason, months && override_reason[0] ? override_reason : "");
    return 0;
}

int app_decide(struct application *a, struct date on, struct certification *out, const char **why)
{
    if (open_step(a, on, why))
        return -1;
    if (date_is_none(a->survey_done))
        return no(why, "認定調査の前に決定はできません");
    if (date_is_none(a->board_on))
        return no(why, "審査会の判定(二次判定)の前に決定はできません");
    if (date_cmp(on, a->board_on) < 0)
        return no(why, "決定日は審査会の日付以降にしてください");
    /* 法 第27条 第11項 */
    if (date_cmp(on, cert_decision_due(a->applied)) > 0 && a->npostpone == 0)
        return no(why, "申請から30日を過ぎています。決定の前に延期通知(理由と見込み日)を記録してください");
    a->decided = on;
    memset(out, 0, sizeof *out);
    out->level = a->level;
    out->kind = a->kind;
    out->applied = a->applied;
    out->certified = on;
    out->valid_from = a->valid_from;
    out->valid_to = a->valid_to;
    if (!level_certified(a->level)) { /* 非該当: recorded for the day of the decision */
        out->valid_from = a->applied;
        out->valid_to = on;
    }
    COPY(out->opinion, a->board_opinion);
    COPY(out->services, a->services);
    return 0;
}

int app_postpone(struct application *a, struct date notified, struct date expected,
                 const char *reason, const char **why)
{
    if (open_step(a, notified, why))
        return -1;
    if (!reason[0])
        return no(why, "延期の理由(reason)を記入してください");
    if (!date_valid(expected) || date_cmp(expected, notified) <= 0 ||
        date_cmp(expected, cert_decision_due(a->applied)) <= 0)
        return no(why, "処理見込み日(expected)は通知日と申請から30日の期限より後の日付にしてください");
    if (a->npostpone >= APP_MAX_POSTPONE)
        return no(why, "延期通知の回数が上限に達しています");
    struct postponement *p = &a->postpone[a->npostpone++];
    p->notified = notified;
    p->expected = expected;
    COPY(p->reason, reason);
    return 0;
}

int app_issue_shikakusha(struct application *a, struct date on, const char **why)
{
    if (open_step(a, on, why))
        return -1;
    a->shikakusha = on;
    return 0;
}

int app_withdraw(struct application *a, struct date on, const char **why)
{
    if (open_step(a, on, why))
        return -1;
    a->withdrawn = on;
    return 0;
}

int app_days_left(const struct application *a, struct date today)
{
    return date_days_between(today, cert_decision_due(a->applied));
}

bool app_needs_postpone(const struct application *a, struct date today)
{
    return app_pending(a) && app_days_left(a, today) < 0 && a->npostpone == 0;
}
