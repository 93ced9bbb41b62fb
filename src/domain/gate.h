/*
 * gate.h - the access decision for every disclosure of a person's data.
 *
 * gate_decide() is pure: (actor, person, category, purpose, facts) → allow or
 * deny with the basis. It never reads data; the disclosure pipeline
 * (store/disclose.c) loads the facts, calls it, audits, and only then loads
 * and returns the data. Default deny: anything not explicitly allowed here is
 * refused. The access issue replaces the operator-only rule with the role ×
 * category matrix; the signature already carries what that needs.
 */
#ifndef KAIGO_DOMAIN_GATE_H
#define KAIGO_DOMAIN_GATE_H

#include <stdbool.h>
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
    CAT_COUNT
};

enum role {
    ROLE_NONE = 0,
    ROLE_OPERATOR, /* the operator token (until accounts exist), or the local CLI */
    ROLE_COUNT
};

enum purpose { PURPOSE_ADMIN = 1, PURPOSE_CARE, PURPOSE_SELF, PURPOSE_EMERGENCY };
enum basis { BASIS_NONE = 0, BASIS_OPERATOR };
enum outcome { OUTCOME_ALLOWED = 1, OUTCOME_DENIED, OUTCOME_NOT_FOUND };

#define ACTOR_ID_BYTES 64
#define ORG_ID_BYTES 32

struct actor {
    enum role role;
    char id[ACTOR_ID_BYTES]; /* "operator-token", "cli:uid=1000" */
    char org[ORG_ID_BYTES];  /* organisation id; "" for the operator */
};

struct gate_request {
    struct actor actor;
    struct person_key person;
    enum category category;
    enum purpose purpose;
};

struct gate_facts {
    bool person_exists;
};

struct gate_decision {
    enum outcome outcome;
    enum basis basis;
    const char *reason; /* static, for the audit and the person's report */
};

MUST_CHECK int gate_decide(const struct gate_request *rq, const struct gate_facts *facts,
                           struct gate_decision *out) NONNULL(1, 2, 3);

const char *category_code(enum category c); /* "shikaku" */
const char *category_name(enum category c); /* "資格" */
const char *role_code(enum role r);
const char *purpose_code(enum purpose p);
const char *basis_code(enum basis b);
const char *outcome_code(enum outcome o);

#endif
