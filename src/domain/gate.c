/*
 * gate.c - access decision. Pure.
 *
 * RULE-GATE-001 (default deny): only the rules below allow.
 * RULE-GATE-002 (暫定, until the access issue): the operator (token holder,
 *   or the local CLI operator who can read the database file anyway) may
 *   read 資格 for administration; every such read is audited with basis
 *   "operator". No other role exists yet, so everything else is denied.
 * A person who does not exist gives OUTCOME_NOT_FOUND, audited like a denial.
 */
#include "domain/gate.h"
#include "util/banned.h"

int gate_decide(const struct gate_request *rq, const struct gate_facts *facts,
                struct gate_decision *out)
{
    *out = (struct gate_decision){OUTCOME_DENIED, BASIS_NONE, "規定により許可されていません"};
    if (rq->category <= CAT_NONE || rq->category >= CAT_COUNT) {
        out->reason = "データ区分が不正です";
        return 0;
    }
    if (rq->actor.role != ROLE_OPERATOR) {
        out->reason = "アクセス権限がありません";
        return 0;
    }
    if (rq->category != CAT_SHIKAKU || rq->purpose != PURPOSE_ADMIN) {
        out->reason = "運用者は資格情報の事務目的の参照のみ許可されています";
        return 0;
    }
    if (!facts->person_exists) {
        *out = (struct gate_decision){OUTCOME_NOT_FOUND, BASIS_NONE, "該当する被保険者がいません"};
        return 0;
    }
    *out = (struct gate_decision){OUTCOME_ALLOWED, BASIS_OPERATOR, "運用者による事務目的の参照"};
    return 0;
}

static const char *const cat_codes[CAT_COUNT] = {
    "none", "shikaku", "chosa", "ikensho", "shinsakai", "careplan", "life", "jutaku", "kyufu",
    "accesslog"};
static const char *const cat_names[CAT_COUNT] = {
    "なし",     "資格",       "認定調査票",             "主治医意見書", "審査会資料",
    "ケアプラン", "LIFE", "住宅改修・福祉用具", "給付実績",     "アクセス記録"};

const char *category_code(enum category c)
{
    return c >= 0 && c < CAT_COUNT ? cat_codes[c] : "?";
}

const char *category_name(enum category c)
{
    return c >= 0 && c < CAT_COUNT ? cat_names[c] : "?";
}

const char *role_code(enum role r)
{
    return r == ROLE_OPERATOR ? "operator" : r == ROLE_NONE ? "none" : "?";
}

const char *purpose_code(enum purpose p)
{
    switch (p) {
    case PURPOSE_ADMIN:
        return "admin";
    case PURPOSE_CARE:
        return "care";
    case PURPOSE_SELF:
        return "self";
    case PURPOSE_EMERGENCY:
        return "emergency";
    }
    return "?";
}

const char *basis_code(enum basis b)
{
    return b == BASIS_OPERATOR ? "operator" : b == BASIS_NONE ? "none" : "?";
}

const char *outcome_code(enum outcome o)
{
    return o == OUTCOME_ALLOWED    ? "allowed"
           : o == OUTCOME_DENIED   ? "denied"
           : o == OUTCOME_NOT_FOUND ? "not_found"
                                    : "?";
}
