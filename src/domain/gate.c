/*
 * gate.c - access decision. Pure.
 *
 * RULE-GATE-001 (default deny): only a matrix cell (data/access-matrix.tsv)
 *   whose condition holds allows.
 * RULE-GATE-002 本人: the person sees all own categories.
 * RULE-GATE-003 代理人: a valid, unrevoked proxy within its scope of categories.
 * RULE-GATE-004 保険者: 市町村 staff see what their municipality holds as insurer
 *   of the person (介護保険法 第3条: 市町村 are the insurers).
 * RULE-GATE-005 担当事業所: a provider needs an active care relationship
 *   (本人確認 at contract, registered, not ended, not lapsed) AND an active
 *   consent for the category (platform.md §2: both are required).
 * RULE-GATE-006 医療機関: only while it holds an open 主治医意見書作成依頼
 *   (介護保険法 第27条 第3項) for the person.
 * RULE-GATE-007 break-glass: staff whose role row allows it and who hold the
 *   permission, with an active (24 h) grant for this one person, override
 *   RULE-GATE-005/006 only; the decision is flagged (security.md P5).
 * RULE-GATE-008 consent withdrawal is effective immediately: a withdrawal at
 *   or after a consent's recording cancels it for the categories it names.
 * RULE-GATE-010 a person's withdrawal naming an organisation holds against later
 *   broader consents (the municipality's 包括同意 recorded with a 区分変更 or 更新
 *   application, or one collected on its behalf): such a withdrawal cancels every
 *   consent recorded after it except the person's own (CONSENT_PERSONAL) for that
 *   organisation or for all — granting again is the person's act, and that consent
 *   counts by itself (issue #14). A withdrawal from everyone cancels only what was
 *   recorded up to it, as before (a new application's 包括同意 is the person's renewed
 *   consent).
 * RULE-GATE-009 relationship lapse: no 実績 from the provider for
 *   LAPSE_MONTHS_DEFAULT full months (configurable) ends the relationship.
 */
#include <stdio.h>
#include <string.h>

#include "domain/gate.h"
#include "util/date.h"
#include "util/banned.h"

static bool in_window(int64_t now, int64_t from, int64_t to)
{
    return from <= now && (to == 0 || now < to);
}

static bool has_cat(uint32_t mask, enum category c)
{
    return (mask & CAT_BIT(c)) != 0;
}

bool consent_active(const struct gate_facts *f, const char *org, enum category c, int64_t now,
                    int64_t *id)
{
    for (size_t i = 0; i < f->nconsents; i++) {
        const struct consent *k = &f->consents[i];
        if (!has_cat(k->cats, c) || !in_window(now, k->valid_from, k->valid_to) ||
            k->recorded_ms > now)
            continue;
        if (k->grantee[0] && strcmp(k->grantee, org) != 0)
            continue;
        bool withdrawn = false;
        for (size_t j = 0; j < f->nwithdrawals && !withdrawn; j++) {
            const struct withdrawal *w = &f->withdrawals[j];
            if (!has_cat(w->cats, c) || (w->grantee[0] && strcmp(w->grantee, org) != 0) || w->at_ms > now)
                continue;
            /* RULE-GATE-008: cancels the consents recorded up to its instant */
            bool later = k->recorded_ms > w->at_ms;
            /* RULE-GATE-010: a named withdrawal also holds against later broader consents */
            bool regranted = k->kind == CONSENT_PERSONAL && (!k->grantee[0] || strcmp(k->grantee, org) == 0);
            withdrawn = !later || (w->grantee[0] && !regranted);
        }
        if (!withdrawn) {
            if (id)
                *id = k->id;
            return true;
        }
    }
    return false;
}

/* JST calendar month (y*12 + m-1) of an instant. */
static int jst_month_index(int64_t ms)
{
    struct date d = date_of_jst_ms(ms);
    return d.y * 12 + (d.m - 1);
}

int64_t relationship_lapse_ms(const struct relationship *r, int months)
{
    int ref = jst_month_index(r->started_ms);
    if (r->last_actual_ym > 0) {
        int a = (r->last_actual_ym / 100) * 12 + (r->last_actual_ym % 100 - 1);
        if (a > ref)
            ref = a;
    }
    int lapse = ref + 1 + (months < 0 ? 0 : months);
    struct date first = {lapse / 12, lapse % 12 + 1, 1};
    return date_jst_ms(first);
}

bool relationship_active(const struct relationship *r, int64_t now, int months)
{
    return in_window(now, r->started_ms, r->ended_ms) && now < relationship_lapse_ms(r, months);
}

bool proxy_active(const struct proxy *p, int64_t now)
{
    return in_window(now, p->valid_from, p->valid_to) && (p->revoked_ms == 0 || now < p->revoked_ms);
}

static void deny(struct gate_decision *out, const char *why)
{
    out->outcome = OUTCOME_DENIED;
    out->basis = BASIS_NONE;
    out->flags = 0;
    out->ref[0] = '\0';
    out->reason = why;
}

static void allow(struct gate_decision *out, enum basis b, const char *why)
{
    out->outcome = OUTCOME_ALLOWED;
    out->basis = b;
    out->reason = why;
}

static bool same_person(const struct person_key *a, const struct person_key *b)
{
    return strcmp(a->insurer_no, b->insurer_no) == 0 && strcmp(a->insured_no, b->insured_no) == 0;
}

static bool try_care(const struct gate_request *rq, const struct gate_facts *f,
                     struct gate_decision *out)
{
    const char *org = rq->actor.org;
    if (!org[0])
        return false;
    const struct relationship *rel = NULL;
    for (size_t i = 0; i < f->nrels && !rel; i++)
        if (strcmp(f->rels[i].org, org) == 0 &&
            relationship_active(&f->rels[i], f->now_ms, f->lapse_months))
            rel = &f->rels[i];
    if (!rel) {
        deny(out, "担当事業所として登録されていないか、登録が終了・失効しています");
        return false;
    }
    int64_t cid;
    if (!consent_active(f, org, rq->category, f->now_ms, &cid)) {
        deny(out, "この区分について本人の同意がありません(未取得・期間外・撤回)");
        out->consent_missing = true;
        return false;
    }
    allow(out, BASIS_CONSENT, "本人同意と担当事業所登録に基づく参照");
    snprintf(out->ref, sizeof out->ref, "consent:%lld,rel:%lld", (long long)cid, (long long)rel->id);
    return true;
}

static bool try_request(const struct gate_request *rq, const struct gate_facts *f,
                        struct gate_decision *out)
{
    for (size_t i = 0; i < f->nreqs; i++) {
        const struct ikensho_request *q = &f->reqs[i];
        if (rq->actor.org[0] && strcmp(q->org, rq->actor.org) == 0 &&
            in_window(f->now_ms, q->opened_ms, q->closed_ms)) {
            allow(out, BASIS_REQUEST, "主治医意見書作成依頼に基づく参照");
            snprintf(out->ref, sizeof out->ref, "request:%lld", (long long)q->id);
            return true;
        }
    }
    deny(out, "主治医意見書作成依頼を受けていません");
    return false;
}

static bool try_breakglass(const struct gate_request *rq, const struct gate_facts *f,
                           struct gate_decision *out)
{
    if (!access_matrix[rq->actor.role].breakglass || !rq->actor.may_breakglass)
        return false;
    for (size_t i = 0; i < f->nbgs; i++) {
        const struct breakglass *b = &f->bgs[i];
        if (strcmp(b->account, rq->actor.id) == 0 &&
            in_window(f->now_ms, b->started_ms, b->expires_ms)) {
            allow(out, BASIS_BREAKGLASS, "緊急時アクセス(ブレークグラス)による参照");
            out->flags |= GATE_FLAG_BREAKGLASS;
            snprintf(out->ref, sizeof out->ref, "breakglass:%lld", (long long)b->id);
            return true;
        }
    }
    return false;
}

int gate_decide(const struct gate_request *rq, const struct gate_facts *f,
                struct gate_decision *out)
{
    memset(out, 0, sizeof *out);
    deny(out, "規定により許可されていません");
    if (rq->category <= CAT_NONE || rq->category >= CAT_COUNT) {
        out->reason = "データ区分が不正です";
        return 0;
    }
    if (rq->actor.role <= ROLE_NONE || rq->actor.role >= ROLE_COUNT) {
        out->reason = "アクセス権限がありません";
        return 0;
    }
    enum rule rule = access_matrix[rq->actor.role].cell[rq->category];
    if (rule == RULE_DENY) {
        out->reason = "この役割にはこの区分の参照権限がありません";
        return 0;
    }
    if (!f->person_exists) {
        out->outcome = OUTCOME_NOT_FOUND;
        out->reason = "該当する被保険者がいません";
        return 0;
    }
    switch (rule) {
    case RULE_OWN:
        if (same_person(&rq->actor.self, &rq->person))
            allow(out, BASIS_SELF, "本人による参照");
        else
            deny(out, "本人以外の情報です");
        break;
    case RULE_PROXY:
        for (size_t i = 0; i < f->nproxies; i++) {
            const struct proxy *p = &f->proxies[i];
            if (strcmp(p->account, rq->actor.id) == 0 && has_cat(p->cats, rq->category) &&
                proxy_active(p, f->now_ms)) {
                allow(out, BASIS_PROXY, "登録された代理人による参照");
                snprintf(out->ref, sizeof out->ref, "proxy:%lld", (long long)p->id);
                return 0;
            }
        }
        deny(out, "代理権がないか、範囲外・期間外・取消済みです");
        break;
    case RULE_INSURER:
        if (rq->actor.org_insurer[0] && strcmp(rq->actor.org_insurer, rq->person.insurer_no) == 0) {
            allow(out, BASIS_STATUTORY, "保険者としての法定事務(介護保険法)");
            snprintf(out->ref, sizeof out->ref, "insurer:%s", rq->person.insurer_no);
        } else
            deny(out, "他の保険者の被保険者です");
        break;
    case RULE_CARE:
        if (!try_care(rq, f, out))
            try_breakglass(rq, f, out);
        break;
    case RULE_REQUEST:
        if (!try_request(rq, f, out))
            try_breakglass(rq, f, out);
        break;
    case RULE_LOCAL:
        if (rq->purpose == PURPOSE_ADMIN && strncmp(rq->actor.id, "cli:", 4) == 0)
            allow(out, BASIS_OPERATOR, "運用者(ローカルCLI)による事務目的の参照");
        else
            deny(out, "運用者はローカルCLIからの事務目的の参照のみ許可されています");
        break;
    case RULE_PAPER:
        if (f->paper_presented)
            allow(out, BASIS_PAPER, "署名付きの書類(QR)を示しての照会");
        else
            deny(out, "この区分は署名付きの書類を示したときだけ照会できます");
        break;
    case RULE_OPTIN: {
        /* 二次利用 (issue #19 §2): only the person's own opt-in (a consent naming 二次利用, not withdrawn) lets the
         * person's insurer - or the operator - export the person, pseudonymised; never statutory, never "all" */
        int64_t cid;
        bool own = rq->actor.role == ROLE_OPERATOR ||
                   (rq->actor.org_insurer[0] && strcmp(rq->actor.org_insurer, rq->person.insurer_no) == 0);
        if (own && consent_active(f, rq->actor.org, CAT_NIJI, f->now_ms, &cid)) {
            allow(out, BASIS_CONSENT, "本人の同意(二次利用への協力)に基づく仮名加工での提供");
            snprintf(out->ref, sizeof out->ref, "consent:%lld", (long long)cid);
        } else {
            deny(out, own ? "本人が二次利用に同意していません" : "他の保険者の被保険者です");
            out->consent_missing = own;
        }
        break;
    }
    case RULE_DENY:
        break;
    }
    return 0;
}

enum role role_for_org(enum org_kind k)
{
    switch (k) {
    case ORG_INSURER:
        return ROLE_INSURER;
    case ORG_KYOTAKU:
        return ROLE_CAREMGR;
    case ORG_PROVIDER:
        return ROLE_PROVIDER;
    case ORG_FACILITY:
        return ROLE_FACILITY;
    case ORG_MEDICAL:
        return ROLE_CLINICIAN;
    case ORG_HOUKATSU:
        return ROLE_HOUKATSU;
    case ORG_NONE:
    case ORG_KIND_COUNT:
        break;
    }
    return ROLE_NONE;
}

static const char *const cat_codes[CAT_COUNT] = {
    "none", "shikaku", "chosa", "ikensho", "shinsakai", "careplan", "life", "jutaku", "kyufu",
    "accesslog", "paper", "niji"};
static const char *const cat_names[CAT_COUNT] = {
    "なし",     "資格",       "認定調査票",             "主治医意見書", "審査会資料",
    "ケアプラン", "LIFE", "住宅改修・福祉用具", "給付実績",     "アクセス記録", "書類照会", "二次利用"};
static const char *const role_codes[ROLE_COUNT] = {
    "none", "person", "proxy", "insurer", "caremgr", "houkatsu", "provider", "facility", "clinician",
    "operator"};
static const char *const basis_codes[BASIS_COUNT] = {
    "none", "operator", "self", "proxy", "statutory", "consent", "request", "breakglass", "paper"};
static const char *const basis_names[BASIS_COUNT] = {
    "なし", "運用者", "本人", "代理人", "法定(保険者)", "同意・担当事業所", "意見書作成依頼",
    "緊急時アクセス", "署名付き書類の提示"};
static const char *const org_codes[ORG_KIND_COUNT] = {
    "none", "insurer", "kyotaku", "provider", "facility", "medical", "houkatsu"};
static const char *const org_names[ORG_KIND_COUNT] = {
    "なし", "市町村", "居宅介護支援事業所", "介護事業所", "介護保険施設", "医療機関",
    "地域包括支援センター"};

const char *category_code(enum category c)
{
    return c >= 0 && c < CAT_COUNT ? cat_codes[c] : "?";
}

const char *category_name(enum category c)
{
    return c >= 0 && c < CAT_COUNT ? cat_names[c] : "?";
}

enum category category_from_code(const char *s, size_t n)
{
    for (int c = CAT_NONE + 1; c < CAT_COUNT; c++)
        if (strlen(cat_codes[c]) == n && memcmp(cat_codes[c], s, n) == 0)
            return (enum category)c;
    return CAT_NONE;
}

uint32_t cats_parse(const char *s)
{
    if (strcmp(s, "all") == 0)
        return CAT_ALL_MASK;
    uint32_t m = 0;
    while (*s) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        enum category c = category_from_code(s, n);
        if (c == CAT_NONE)
            return 0;
        m |= CAT_BIT(c);
        s += n;
        if (*s == ',')
            s++;
    }
    return m;
}

const char *role_code(enum role r)
{
    return r >= 0 && r < ROLE_COUNT ? role_codes[r] : "?";
}

const char *role_name(enum role r)
{
    return r > 0 && r < ROLE_COUNT ? access_matrix[r].name : "?";
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
    return b >= 0 && b < BASIS_COUNT ? basis_codes[b] : "?";
}

const char *basis_name(enum basis b)
{
    return b >= 0 && b < BASIS_COUNT ? basis_names[b] : "?";
}

const char *outcome_code(enum outcome o)
{
    return o == OUTCOME_ALLOWED    ? "allowed"
           : o == OUTCOME_DENIED   ? "denied"
           : o == OUTCOME_NOT_FOUND ? "not_found"
                                    : "?";
}

const char *org_kind_code(enum org_kind k)
{
    return k >= 0 && k < ORG_KIND_COUNT ? org_codes[k] : "?";
}

const char *org_kind_name(enum org_kind k)
{
    return k >= 0 && k < ORG_KIND_COUNT ? org_names[k] : "?";
}

enum org_kind org_kind_from_code(const char *s)
{
    for (int k = ORG_NONE + 1; k < ORG_KIND_COUNT; k++)
        if (strcmp(org_codes[k], s) == 0)
            return (enum org_kind)k;
    return ORG_NONE;
}

enum role role_from_code(const char *s)
{
    for (int r = ROLE_NONE + 1; r < ROLE_COUNT; r++)
        if (strcmp(role_codes[r], s) == 0)
            return (enum role)r;
    return ROLE_NONE;
}

enum consent_kind consent_kind_from_code(const char *s)
{
    for (int k = CONSENT_MUNICIPAL; k <= CONSENT_PERSONAL; k++)
        if (strcmp(consent_kind_code((enum consent_kind)k), s) == 0)
            return (enum consent_kind)k;
    return 0;
}

enum proxy_kind proxy_kind_from_code(const char *s)
{
    for (int k = PROXY_FAMILY; k <= PROXY_VOLUNTARY; k++)
        if (strcmp(proxy_kind_code((enum proxy_kind)k), s) == 0)
            return (enum proxy_kind)k;
    return 0;
}

const char *proxy_kind_name(enum proxy_kind k)
{
    return k == PROXY_FAMILY     ? "家族"
           : k == PROXY_GUARDIAN ? "成年後見人"
           : k == PROXY_VOLUNTARY ? "任意代理人"
                                  : "代理人";
}

const char *consent_kind_name(enum consent_kind k)
{
    return k == CONSENT_MUNICIPAL   ? "市町村が申請時に受けた包括同意"
           : k == CONSENT_ON_BEHALF ? "事業所が市町村に代わって受けた包括同意"
           : k == CONSENT_PERSONAL  ? "ご本人の同意"
                                    : "同意";
}

enum purpose purpose_for_role(enum role r)
{
    return r == ROLE_PERSON ? PURPOSE_SELF : r == ROLE_INSURER || r == ROLE_OPERATOR ? PURPOSE_ADMIN : PURPOSE_CARE;
}

/* purposes as recorded in the audit log (purpose_code), said for the person */
const char *purpose_name_of_code(const char *code)
{
    static const struct {
        const char *code, *name;
    } t[] = {{"admin", "保険者の事務"},     {"care", "介護サービスの提供"}, {"self", "本人の閲覧"},
             {"emergency", "緊急時の対応"}, {"print", "印刷"},             {"local", "運用者の作業"}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(t[i].code, code) == 0)
            return t[i].name;
    return code;
}

const char *outcome_name_of_code(const char *code)
{
    return strcmp(code, "allowed") == 0  ? "表示"
           : strcmp(code, "denied") == 0 ? "拒否"
           : strcmp(code, "not_found") == 0 ? "該当なし"
                                            : code;
}

const char *consent_kind_code(enum consent_kind k)
{
    return k == CONSENT_MUNICIPAL   ? "municipal"
           : k == CONSENT_ON_BEHALF ? "on_behalf"
           : k == CONSENT_PERSONAL  ? "personal"
                                    : "?";
}

const char *proxy_kind_code(enum proxy_kind k)
{
    return k == PROXY_FAMILY     ? "family"
           : k == PROXY_GUARDIAN ? "guardian"
           : k == PROXY_VOLUNTARY ? "voluntary"
                                  : "?";
}

bool gate_doc_visible(const struct gate_request *rq, unsigned doc_flags)
{
    if (!(doc_flags & DOC_PHYSICIAN_REFUSED))
        return true;
    switch (rq->actor.role) {
    case ROLE_CAREMGR:
    case ROLE_HOUKATSU:
    case ROLE_PROVIDER:
    case ROLE_FACILITY:
        return false; /* RULE-DOC-003 */
    default:
        return true;
    }
}

static bool insurer_of(const struct actor *a, const struct person_key *k)
{
    return (a->role == ROLE_INSURER && strcmp(a->org_insurer, k->insurer_no) == 0) ||
           (a->role == ROLE_OPERATOR && strncmp(a->id, "cli:", 4) == 0);
}

bool gate_may_write(const struct actor *a, const struct person_key *k, enum write_action w,
                    const struct write_facts *f)
{
    switch (w) {
    case WRITE_APPLY: /* 法 第27条 第1項: the person, the insurer's counter, or an office on the person's behalf */
        if (insurer_of(a, k))
            return true;
        if (a->role == ROLE_PERSON)
            return strcmp(a->self.insurer_no, k->insurer_no) == 0 &&
                   strcmp(a->self.insured_no, k->insured_no) == 0;
        return (a->role == ROLE_CAREMGR || a->role == ROLE_HOUKATSU) && a->org[0] &&
               f->identity_verified;
    case WRITE_STEP:
        return insurer_of(a, k);
    case WRITE_OPINION: /* 法 第27条 第3項: the requested 医療機関, or the insurer transcribing paper */
        return insurer_of(a, k) || (a->role == ROLE_CLINICIAN && a->org[0] && f->opinion_org &&
                                    strcmp(a->org, f->opinion_org) == 0 && f->pending);
    }
    return false;
}
