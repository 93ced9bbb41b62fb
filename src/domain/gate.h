/*
 * gate.h - the access decision for every disclosure of a person's data.
 *
 * gate_decide() is pure: (actor, person, category, purpose, facts, now) →
 * allow or deny with the basis and the record it relied on. It never reads
 * data or the clock; the disclosure pipeline (service/disclose.c) loads the
 * facts (the person's consents and withdrawals, the actor's care
 * relationships, proxy registrations, break-glass grants and 意見書 requests),
 * calls it, audits, and only then loads and returns the data.
 *
 * The role × category matrix is one data table, data/access-matrix.tsv,
 * generated into access_matrix[] (tools/gen-matrix.awk) and into
 * docs/access-matrix.md. Default deny: a cell not in the table, an unknown
 * role or category, or a missing fact is a refusal.
 *
 * Times are UTC milliseconds since the epoch; validity intervals are half-open
 * [from, to) with 0 meaning "open". Month boundaries (relationship lapse) are
 * taken in JST (UTC+9, no daylight saving).
 */
#ifndef KAIGO_DOMAIN_GATE_H
#define KAIGO_DOMAIN_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/records.h"
#include "util/compiler.h"

enum category {
    CAT_NONE = 0, /* not personal data (health, insurer master) */
    CAT_SHIKAKU,  /* 資格: the card incl. 負担割合/負担限度額 */
    CAT_CHOSA,    /* 認定調査票 */
    CAT_IKENSHO,  /* 主治医意見書 */
    CAT_SHINSAKAI,
    CAT_CAREPLAN,
    CAT_LIFE,
    CAT_JUTAKU, /* 住宅改修・福祉用具 */
    CAT_KYUFU,  /* 給付実績 */
    CAT_ACCESSLOG,
    CAT_PAPER,  /* 書類照会: the status of a printed document (its signed QR) */
    CAT_NIJI,   /* 二次利用: a pseudonymised export for statistics and research, only with the person's opt-in */
    CAT_COUNT
};

#define CAT_BIT(c) (1u << (c))
/* every category of care and administration; 二次利用 is never part of "all": it is opted into by itself */
#define CAT_ALL_MASK (((1u << CAT_COUNT) - 1u) & ~1u & ~CAT_BIT(CAT_NIJI))

enum role {
    ROLE_NONE = 0,
    ROLE_PERSON,    /* 本人 */
    ROLE_PROXY,     /* 代理人 acting for a person */
    ROLE_INSURER,   /* 市町村 (保険者) staff */
    ROLE_CAREMGR,   /* 居宅介護支援事業所 */
    ROLE_HOUKATSU,  /* 地域包括支援センター */
    ROLE_PROVIDER,  /* 介護事業所 */
    ROLE_FACILITY,  /* 介護保険施設 */
    ROLE_CLINICIAN, /* 医療機関 */
    ROLE_OPERATOR,  /* the local CLI operator */
    ROLE_COUNT
};

/* organisation kinds; a staff account's role follows from its organisation */
enum org_kind {
    ORG_NONE = 0,
    ORG_INSURER,  /* 市町村 */
    ORG_KYOTAKU,  /* 居宅介護支援事業所 */
    ORG_PROVIDER, /* 介護事業所 */
    ORG_FACILITY, /* 介護保険施設 (特養/老健/介護医療院) */
    ORG_MEDICAL,  /* 医療機関 */
    ORG_HOUKATSU, /* 地域包括支援センター */
    ORG_KIND_COUNT
};

enum rule { RULE_DENY = 0, RULE_OWN, RULE_PROXY, RULE_INSURER, RULE_CARE, RULE_REQUEST, RULE_LOCAL, RULE_PAPER, RULE_OPTIN };

struct matrix_row {
    enum rule cell[CAT_COUNT];
    bool breakglass; /* staff of this role may break the glass */
    const char *name;
};
extern const struct matrix_row access_matrix[ROLE_COUNT];

enum purpose { PURPOSE_ADMIN = 1, PURPOSE_CARE, PURPOSE_SELF, PURPOSE_EMERGENCY };
enum basis {
    BASIS_NONE = 0,
    BASIS_OPERATOR,  /* local CLI */
    BASIS_SELF,      /* the person */
    BASIS_PROXY,     /* a registered proxy, within scope */
    BASIS_STATUTORY, /* the insurer's statutory duty */
    BASIS_CONSENT,   /* consent + care relationship */
    BASIS_REQUEST,   /* open 主治医意見書作成依頼 */
    BASIS_BREAKGLASS,
    BASIS_PAPER, /* a signed paper document of the person, presented */
    BASIS_COUNT
};
enum outcome { OUTCOME_ALLOWED = 1, OUTCOME_DENIED, OUTCOME_NOT_FOUND };

#define ACTOR_ID_BYTES 64
#define ORG_ID_BYTES 32
#define BASIS_REF_BYTES 48

struct actor {
    enum role role;
    char id[ACTOR_ID_BYTES]; /* "user:12", "token:5", "cli:uid=1000" */
    char org[ORG_ID_BYTES];  /* organisation id; "" for persons, proxies and the CLI */
    char org_insurer[INSURER_NO_LEN + 1]; /* ROLE_INSURER: the insurer the org is */
    struct person_key self;  /* ROLE_PERSON: who the account is */
    bool may_breakglass;     /* account permission */
};

struct gate_request {
    struct actor actor;
    struct person_key person;
    enum category category;
    enum purpose purpose;
};

/* ---- facts (records loaded by the pipeline; all for this person) ---------- */

enum consent_kind {
    CONSENT_MUNICIPAL = 1, /* 包括同意, collected by the 市町村 at 申請/更新 */
    CONSENT_ON_BEHALF,     /* 包括同意 collected by a 居宅/施設 for the 市町村 */
    CONSENT_PERSONAL,      /* the person's own choice */
};

struct consent {
    int64_t id;
    enum consent_kind kind;
    uint32_t cats;       /* CAT_BIT mask */
    int64_t valid_from;  /* [from, to) */
    int64_t valid_to;    /* 0 = open */
    int64_t recorded_ms; /* a withdrawal after this cancels it */
    char grantee[ORG_ID_BYTES]; /* "" = every 担当事業所 */
};

struct withdrawal {
    int64_t id;
    uint32_t cats;
    int64_t at_ms;              /* effective immediately */
    char grantee[ORG_ID_BYTES]; /* "" = from everyone */
};

struct relationship { /* 担当事業所 registration of the actor's organisation */
    int64_t id;
    char org[ORG_ID_BYTES];
    int64_t started_ms;
    int64_t ended_ms;       /* 0 = not ended */
    int32_t last_actual_ym; /* YYYYMM of the last 実績 from this org, 0 = none */
};

enum proxy_kind { PROXY_FAMILY = 1, PROXY_GUARDIAN, PROXY_VOLUNTARY };

struct proxy {
    int64_t id;
    char account[ACTOR_ID_BYTES];
    enum proxy_kind kind;
    uint32_t cats;
    int64_t valid_from, valid_to; /* [from, to), to 0 = open */
    int64_t revoked_ms;           /* 0 = not revoked */
};

struct breakglass {
    int64_t id;
    char account[ACTOR_ID_BYTES];
    int64_t started_ms, expires_ms; /* [started, expires) */
};

struct ikensho_request { /* 主治医意見書作成依頼 */
    int64_t id;
    char org[ORG_ID_BYTES];
    int64_t opened_ms, closed_ms; /* closed 0 = open */
};

struct gate_facts {
    bool person_exists;
    int64_t now_ms;
    int lapse_months; /* relationship lapses after this many full months without 実績 */
    const struct consent *consents;
    size_t nconsents;
    const struct withdrawal *withdrawals;
    size_t nwithdrawals;
    const struct relationship *rels; /* may hold other orgs' rows: matched by org */
    size_t nrels;
    const struct proxy *proxies; /* matched by account */
    size_t nproxies;
    const struct breakglass *bgs; /* matched by account */
    size_t nbgs;
    const struct ikensho_request *reqs; /* matched by org */
    size_t nreqs;
    /* the request presents a paper document of this person whose token verified
     * with its insurer's key (RULE_PAPER: 書類照会) */
    bool paper_presented;
};

#define GATE_FLAG_BREAKGLASS 1u
/* an office registered itself as the person's 担当事業所 with their paper 被保険者証 (本人確認 by
 * paper): the person sees it in だれが見たか and on the printed 閲覧記録のお知らせ (issue 16) */
#define GATE_FLAG_PAPER_IDENTITY 2u

struct gate_decision {
    enum outcome outcome;
    enum basis basis;
    unsigned flags;
    const char *reason;             /* static Japanese sentence, for the audit and the report */
    char ref[BASIS_REF_BYTES];      /* the records relied on: "consent:3,rel:7" */
    /* refused only for want of the person's consent, to an office that is the person's active
     * 担当事業所 (it knows the person already): it may be told so and what to do (issue #15) */
    bool consent_missing;
};

#define LAPSE_MONTHS_DEFAULT 2

MUST_CHECK int gate_decide(const struct gate_request *rq, const struct gate_facts *facts,
                           struct gate_decision *out) NONNULL(1, 2, 3);

/* ---- the pieces, exposed for the tests and the person's view -------------- */

/* consent_active - an unwithdrawn consent for category c usable by org at now;
 * its id in *id. */
bool consent_active(const struct gate_facts *f, const char *org, enum category c, int64_t now,
                    int64_t *id) NONNULL(1, 2);
/* relationship_lapse_ms - the instant (UTC ms) the relationship lapses for lack
 * of 実績: 00:00 JST on the first day of the month that follows 'months' full
 * months after the later of the start month and the last 実績 month. */
int64_t relationship_lapse_ms(const struct relationship *r, int months) NONNULL(1);
bool relationship_active(const struct relationship *r, int64_t now, int months) NONNULL(1);
bool proxy_active(const struct proxy *p, int64_t now) NONNULL(1);

/* gate_doc_visible - after an allowed decision, a per-document restriction:
 * RULE-DOC-003, a 主治医意見書 on the earlier form whose physician marked
 * 同意しない (DOC_PHYSICIAN_REFUSED) is never shown to a 居宅介護支援事業所,
 * 地域包括支援センター, 介護事業所 or 施設, whatever their basis (break-glass
 * included). The pipeline counts what it withholds in the audit entry. */
#define DOC_PHYSICIAN_REFUSED 1u
bool gate_doc_visible(const struct gate_request *rq, unsigned doc_flags) NONNULL(1);

/* ---- writes (RULE-FLOW-005) ------------------------------------------------
 * Who may record what about a person. Writes are not disclosures (nothing of
 * the person is returned, so they are not audited as reads); they are versions
 * naming their author. The rule is here, beside the read matrix, so that both
 * halves of "who may touch this person's certification" are in one place. */
enum write_action {
    WRITE_APPLY = 1, /* file a 要介護認定 application (法 第27条 第1項) */
    WRITE_STEP,      /* a workflow step, 認定調査票, ledger claim, LIFE import: the insurer's duty */
    WRITE_OPINION,   /* a 主治医意見書 */
};
struct write_facts {
    bool identity_verified; /* WRITE_APPLY by an office: the person's 生年月日 matched */
    const char *opinion_org; /* WRITE_OPINION: the 医療機関 the 意見書依頼 went to ("" if none) */
    bool pending;            /* WRITE_OPINION: the application is still pending */
};
/* gate_may_write - true if actor a may perform w for person k. Everyone else
 * gets the caller's not-found answer (no oracle for who exists). */
bool gate_may_write(const struct actor *a, const struct person_key *k, enum write_action w,
                    const struct write_facts *f) NONNULL(1, 2, 4);

enum role role_for_org(enum org_kind k);

const char *category_code(enum category c); /* "shikaku" */
const char *category_name(enum category c); /* "資格" */
enum category category_from_code(const char *s, size_t n); /* CAT_NONE if unknown */
const char *role_code(enum role r);
const char *role_name(enum role r);
const char *purpose_code(enum purpose p);
const char *basis_code(enum basis b);
const char *basis_name(enum basis b);
const char *outcome_code(enum outcome o);
const char *org_kind_code(enum org_kind k);
const char *org_kind_name(enum org_kind k);
enum org_kind org_kind_from_code(const char *s);
const char *consent_kind_code(enum consent_kind k);
const char *proxy_kind_code(enum proxy_kind k);
/* names for people: 家族 / 成年後見人 / 任意代理人; 市町村が受けた包括同意 …; 本人 / 介護サービス … */
const char *proxy_kind_name(enum proxy_kind k);
const char *consent_kind_name(enum consent_kind k);
const char *purpose_name_of_code(const char *code);
/* purpose_for_role - why an actor of this role reads: 本人 self, 保険者/運用者 admin, others care */
enum purpose purpose_for_role(enum role r);
const char *outcome_name_of_code(const char *code);
/* *_from_code - the inverse of the *_code functions; 0 (ROLE_NONE) if unknown. */
enum role role_from_code(const char *s);
enum consent_kind consent_kind_from_code(const char *s);
enum proxy_kind proxy_kind_from_code(const char *s);
/* cats_parse - "shikaku,careplan" or "all" → mask; 0 on any unknown name. */
uint32_t cats_parse(const char *s);

#endif
