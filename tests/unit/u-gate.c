/* u-gate.c - the access decision (default deny), the route table walk, audit hashing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "domain/audit.h"
#include "domain/gate.h"
#include "http/server.h"

/* Fixed instant: 2026-11-25 12:00 JST = 03:00 UTC. */
#define T 1795575600000LL
#define DAY 86400000LL
#define HOUR 3600000LL

static const struct person_key P = {"122192", "0000000001"};
static const struct person_key OTHER = {"122192", "0000000002"};

static struct gate_request rq(enum role role, enum category c, enum purpose p)
{
    struct gate_request r;
    memset(&r, 0, sizeof r);
    r.actor.role = role;
    r.category = c;
    r.purpose = p;
    r.person = P;
    return r;
}

/* consent states of the matrix (security.md P2) */
enum cstate { C_NONE, C_ACTIVE, C_EXPIRED, C_WITHDRAWN, C_BLANKET, C_FUTURE, C_OTHER_ORG, C_N };
/* relationship states */
enum rstate { R_NONE, R_ACTIVE, R_LAPSED, R_ENDED, R_OTHER_ORG, R_N };
/* proxy scope states */
enum pstate { PX_NONE, PX_SCOPE, PX_OUT_OF_SCOPE, PX_REVOKED, PX_EXPIRED, PX_N };

struct world {
    struct consent c[2];
    struct withdrawal w[1];
    struct relationship rel[1];
    struct proxy px[1];
    struct gate_facts f;
};

static void build(struct world *w, enum cstate cs, enum rstate rs, enum pstate ps, enum category cat)
{
    memset(w, 0, sizeof *w);
    w->f.person_exists = true;
    w->f.now_ms = T;
    w->f.lapse_months = LAPSE_MONTHS_DEFAULT;
    size_t nc = 0;
    struct consent *c = &w->c[0];
    *c = (struct consent){1, CONSENT_PERSONAL, CAT_ALL_MASK, T - 30 * DAY, 0, T - 30 * DAY, ""};
    switch (cs) {
    case C_NONE:
        break;
    case C_ACTIVE:
        snprintf(c->grantee, sizeof c->grantee, "kyo1");
        c->valid_to = T + DAY;
        nc = 1;
        break;
    case C_EXPIRED:
        c->valid_to = T - DAY;
        nc = 1;
        break;
    case C_WITHDRAWN:
        nc = 1;
        w->w[0] = (struct withdrawal){1, CAT_BIT(cat), T - HOUR, ""};
        w->f.withdrawals = w->w;
        w->f.nwithdrawals = 1;
        break;
    case C_BLANKET:
        c->kind = CONSENT_MUNICIPAL;
        nc = 1;
        break;
    case C_FUTURE:
        c->valid_from = T + 1;
        nc = 1;
        break;
    case C_OTHER_ORG:
        snprintf(c->grantee, sizeof c->grantee, "kyo2");
        nc = 1;
        break;
    case C_N:
        break;
    }
    w->f.consents = w->c;
    w->f.nconsents = nc;
    struct relationship *r = &w->rel[0];
    /* started 2026-09-10; 実績 for 2026-10 → lapses at 2027-01-01 00:00 JST */
    *r = (struct relationship){7, "kyo1", T - 76 * DAY, 0, 202610};
    switch (rs) {
    case R_NONE:
        break;
    case R_ACTIVE:
        w->f.nrels = 1;
        break;
    case R_LAPSED:
        r->started_ms = T - 150 * DAY; /* 2026-06-28 */
        r->last_actual_ym = 202608;    /* lapsed at 2026-11-01 00:00 JST */
        w->f.nrels = 1;
        break;
    case R_ENDED:
        r->ended_ms = T - DAY;
        w->f.nrels = 1;
        break;
    case R_OTHER_ORG:
        snprintf(r->org, sizeof r->org, "kyo2");
        w->f.nrels = 1;
        break;
    case R_N:
        break;
    }
    w->f.rels = w->rel;
    struct proxy *x = &w->px[0];
    *x = (struct proxy){3, "user:42", PROXY_GUARDIAN, CAT_BIT(cat), T - DAY, 0, 0};
    switch (ps) {
    case PX_NONE:
        break;
    case PX_SCOPE:
        w->f.nproxies = 1;
        break;
    case PX_OUT_OF_SCOPE:
        x->cats = CAT_ALL_MASK & ~CAT_BIT(cat);
        w->f.nproxies = 1;
        break;
    case PX_REVOKED:
        x->revoked_ms = T;
        w->f.nproxies = 1;
        break;
    case PX_EXPIRED:
        x->valid_to = T;
        w->f.nproxies = 1;
        break;
    case PX_N:
        break;
    }
    w->f.proxies = w->px;
}

static void actor_for(struct gate_request *r, enum role role)
{
    switch (role) {
    case ROLE_PERSON:
        r->actor.self = P;
        snprintf(r->actor.id, sizeof r->actor.id, "user:1");
        break;
    case ROLE_PROXY:
        snprintf(r->actor.id, sizeof r->actor.id, "user:42");
        break;
    case ROLE_INSURER:
        snprintf(r->actor.org, sizeof r->actor.org, "ichihara");
        snprintf(r->actor.org_insurer, sizeof r->actor.org_insurer, "122192");
        snprintf(r->actor.id, sizeof r->actor.id, "user:2");
        break;
    case ROLE_OPERATOR:
        snprintf(r->actor.id, sizeof r->actor.id, "cli:uid=0");
        break;
    default:
        snprintf(r->actor.org, sizeof r->actor.org, "kyo1");
        snprintf(r->actor.id, sizeof r->actor.id, "token:9");
    }
}

/* The oracle: what the declared matrix promises, restated from the states. */
static bool expect_allow(enum role role, enum category cat, enum cstate cs, enum rstate rs,
                         enum pstate ps)
{
    switch (access_matrix[role].cell[cat]) {
    case RULE_OWN:
    case RULE_INSURER:
        return true;
    case RULE_PROXY:
        return ps == PX_SCOPE;
    case RULE_CARE:
        return rs == R_ACTIVE && (cs == C_ACTIVE || cs == C_BLANKET);
    case RULE_REQUEST: /* no 意見書依頼 in this world */
    case RULE_DENY:
        return false;
    case RULE_LOCAL:
        return true; /* actor_for gives the operator a cli: id and purpose admin */
    case RULE_PAPER: /* no document presented in this world (t_paper) */
        return false;
    case RULE_OPTIN: /* 二次利用: this world's consents are to "all", which never includes it (t_niji has the rest) */
        return false;
    }
    return false;
}

static enum basis expect_basis(enum rule rule)
{
    static const enum basis b[] = {[RULE_OWN] = BASIS_SELF,      [RULE_PROXY] = BASIS_PROXY,
                                   [RULE_INSURER] = BASIS_STATUTORY, [RULE_CARE] = BASIS_CONSENT,
                                   [RULE_REQUEST] = BASIS_REQUEST,   [RULE_LOCAL] = BASIS_OPERATOR,
                                   [RULE_PAPER] = BASIS_PAPER,       [RULE_OPTIN] = BASIS_CONSENT};
    return b[rule];
}

/* role × category × consent × relationship × proxy scope → decision. */
static void t_matrix(void **s)
{
    (void)s;
    long cases = 0, allowed = 0;
    for (int role = ROLE_PERSON; role < ROLE_COUNT; role++)
        for (int c = CAT_NONE + 1; c < CAT_COUNT; c++)
            for (int cs = 0; cs < C_N; cs++)
                for (int rs = 0; rs < R_N; rs++)
                    for (int ps = 0; ps < PX_N; ps++) {
                        struct world w;
                        build(&w, cs, rs, ps, (enum category)c);
                        struct gate_request r = rq((enum role)role, (enum category)c, PURPOSE_ADMIN);
                        actor_for(&r, (enum role)role);
                        struct gate_decision d;
                        assert_int_equal(gate_decide(&r, &w.f, &d), 0);
                        assert_non_null(d.reason);
                        bool want = expect_allow(role, c, cs, rs, ps);
                        if (want != (d.outcome == OUTCOME_ALLOWED))
                            fail_msg("%s × %s, consent %d, rel %d, proxy %d: got %s (%s)",
                                     role_code(role), category_code(c), cs, rs, ps,
                                     outcome_code(d.outcome), d.reason);
                        if (want) {
                            assert_int_equal(d.basis, expect_basis(access_matrix[role].cell[c]));
                            assert_int_equal(d.flags, 0);
                            allowed++;
                        } else {
                            assert_int_equal(d.outcome, OUTCOME_DENIED);
                            assert_int_equal(d.basis, BASIS_NONE);
                        }
                        /* a person who does not exist is never allowed */
                        w.f.person_exists = false;
                        assert_int_equal(gate_decide(&r, &w.f, &d), 0);
                        assert_int_not_equal(d.outcome, OUTCOME_ALLOWED);
                        cases++;
                    }
    assert_true(allowed > 0 && allowed < cases);
}

/* Spot checks of the table itself, so that a typo in data/access-matrix.tsv fails. */
static void t_matrix_cells(void **s)
{
    (void)s;
    assert_int_equal(access_matrix[ROLE_PROVIDER].cell[CAT_CHOSA], RULE_DENY);
    assert_int_equal(access_matrix[ROLE_PROVIDER].cell[CAT_CAREPLAN], RULE_CARE);
    assert_int_equal(access_matrix[ROLE_CAREMGR].cell[CAT_IKENSHO], RULE_CARE);
    assert_int_equal(access_matrix[ROLE_CAREMGR].cell[CAT_SHINSAKAI], RULE_DENY);
    assert_int_equal(access_matrix[ROLE_CLINICIAN].cell[CAT_SHIKAKU], RULE_REQUEST);
    assert_int_equal(access_matrix[ROLE_CLINICIAN].cell[CAT_CAREPLAN], RULE_DENY);
    /* the local operator exports a person's 計画 as a CSV send unit (kaigo exchange export, audited),
     * lists the 認定 worklist and reads the ledger; never the survey, the opinion or LIFE */
    assert_int_equal(access_matrix[ROLE_OPERATOR].cell[CAT_CAREPLAN], RULE_LOCAL);
    assert_int_equal(access_matrix[ROLE_OPERATOR].cell[CAT_SHINSAKAI], RULE_LOCAL);
    assert_int_equal(access_matrix[ROLE_OPERATOR].cell[CAT_JUTAKU], RULE_LOCAL);
    assert_int_equal(access_matrix[ROLE_OPERATOR].cell[CAT_CHOSA], RULE_DENY);
    assert_int_equal(access_matrix[ROLE_OPERATOR].cell[CAT_IKENSHO], RULE_DENY);
    assert_int_equal(access_matrix[ROLE_OPERATOR].cell[CAT_LIFE], RULE_DENY);
    for (int c = CAT_NONE + 1; c < CAT_COUNT; c++) {
        if (c == CAT_NIJI)
            continue;
        assert_int_equal(access_matrix[ROLE_PERSON].cell[c], RULE_OWN);
        assert_int_equal(access_matrix[ROLE_INSURER].cell[c], RULE_INSURER);
        assert_int_equal(access_matrix[ROLE_NONE].cell[c], RULE_DENY);
    }
    /* 二次利用: never statutory - the insurer and the operator only with the person's opt-in; nobody else */
    for (int role = ROLE_NONE; role < ROLE_COUNT; role++)
        assert_int_equal(access_matrix[role].cell[CAT_NIJI],
                         role == ROLE_INSURER || role == ROLE_OPERATOR ? RULE_OPTIN : RULE_DENY);
    assert_false(CAT_ALL_MASK & CAT_BIT(CAT_NIJI));
    assert_false(cats_parse("all") & CAT_BIT(CAT_NIJI));
    assert_false(access_matrix[ROLE_OPERATOR].breakglass);
    assert_true(access_matrix[ROLE_CLINICIAN].breakglass);
}

static enum outcome decide(struct gate_request *r, struct gate_facts *f)
{
    struct gate_decision d;
    assert_int_equal(gate_decide(r, f, &d), 0);
    return d.outcome;
}

/* 二次利用 (issue #19 §2): the opt-in, its withdrawal, whose insurer, and the operator */
static void t_niji(void **s)
{
    (void)s;
    struct world w;
    build(&w, C_NONE, R_NONE, PX_NONE, CAT_NIJI);
    struct consent optin = {5, CONSENT_PERSONAL, CAT_BIT(CAT_NIJI), T - DAY, 0, T - DAY, ""};
    struct gate_request ins = rq(ROLE_INSURER, CAT_NIJI, PURPOSE_ADMIN), op = rq(ROLE_OPERATOR, CAT_NIJI, PURPOSE_ADMIN);
    actor_for(&ins, ROLE_INSURER);
    actor_for(&op, ROLE_OPERATOR);
    assert_int_equal(decide(&ins, &w.f), OUTCOME_DENIED); /* no opt-in */
    w.f.consents = &optin;
    w.f.nconsents = 1;
    assert_int_equal(decide(&ins, &w.f), OUTCOME_ALLOWED);
    assert_int_equal(decide(&op, &w.f), OUTCOME_ALLOWED);
    struct gate_decision d;
    assert_int_equal(gate_decide(&ins, &w.f, &d), 0);
    assert_int_equal(d.basis, BASIS_CONSENT);
    assert_string_equal(d.ref, "consent:5");
    /* another insurer's staff: never */
    struct gate_request other = ins;
    snprintf(other.actor.org_insurer, sizeof other.actor.org_insurer, "131016");
    assert_int_equal(decide(&other, &w.f), OUTCOME_DENIED);
    /* an office, even with the person's consent and a relationship: the cell is denied */
    struct gate_request cm = rq(ROLE_CAREMGR, CAT_NIJI, PURPOSE_CARE);
    actor_for(&cm, ROLE_CAREMGR);
    assert_int_equal(decide(&cm, &w.f), OUTCOME_DENIED);
    /* withdrawn: denied from that instant */
    struct withdrawal wd = {1, CAT_BIT(CAT_NIJI), T - HOUR, ""};
    w.f.withdrawals = &wd;
    w.f.nwithdrawals = 1;
    assert_int_equal(decide(&ins, &w.f), OUTCOME_DENIED);
    /* a consent to "all" is not an opt-in */
    w.f.nwithdrawals = 0;
    optin.cats = cats_parse("all");
    assert_int_equal(decide(&ins, &w.f), OUTCOME_DENIED);
}

/* RULE-GATE-010 (issue #14): the person withdrew consent from kyo1; a later 区分変更
 * application records the municipality's 包括同意 again. kyo1 stays closed until the
 * person grants it again. Vectors derived here from the rule (no official example). */
static void t_withdrawal_holds(void **s)
{
    (void)s;
    struct world w;
    build(&w, C_BLANKET, R_ACTIVE, PX_NONE, CAT_CAREPLAN);
    struct gate_request r = rq(ROLE_CAREMGR, CAT_CAREPLAN, PURPOSE_CARE);
    actor_for(&r, ROLE_CAREMGR);
    assert_int_equal(decide(&r, &w.f), OUTCOME_ALLOWED);
    w.w[0] = (struct withdrawal){1, CAT_ALL_MASK, T - 2 * HOUR, "kyo1"};
    w.f.withdrawals = w.w;
    w.f.nwithdrawals = 1;
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED);
    /* the application's 包括同意, recorded after the withdrawal */
    w.c[1] = (struct consent){2, CONSENT_MUNICIPAL, CAT_ALL_MASK, T - HOUR, 0, T - HOUR, ""};
    w.f.nconsents = 2;
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED);
    w.c[1].kind = CONSENT_ON_BEHALF; /* collected by an office for the municipality: the same */
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED);
    w.c[1].kind = CONSENT_PERSONAL; /* the person's own consent for another office */
    snprintf(w.c[1].grantee, sizeof w.c[1].grantee, "kyo2");
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED);
    snprintf(w.c[1].grantee, sizeof w.c[1].grantee, "kyo1"); /* granted again: open */
    assert_int_equal(decide(&r, &w.f), OUTCOME_ALLOWED);
    w.c[1].grantee[0] = '\0'; /* the person's own consent for every office: open */
    assert_int_equal(decide(&r, &w.f), OUTCOME_ALLOWED);
    w.c[1].recorded_ms = T - 3 * HOUR; /* but not one recorded before the withdrawal */
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED);
    /* a withdrawal from everyone is ended by the next application's 包括同意 */
    w.w[0].grantee[0] = '\0';
    w.c[1] = (struct consent){2, CONSENT_MUNICIPAL, CAT_ALL_MASK, T - HOUR, 0, T - HOUR, ""};
    assert_int_equal(decide(&r, &w.f), OUTCOME_ALLOWED);
}

/* consent_missing (issue #15): set only for an office that is the active 担当事業所 and lacks consent */
static void t_consent_missing(void **s)
{
    (void)s;
    struct world w;
    struct gate_decision d;
    struct gate_request r = rq(ROLE_CAREMGR, CAT_SHIKAKU, PURPOSE_CARE);
    actor_for(&r, ROLE_CAREMGR);
    build(&w, C_NONE, R_ACTIVE, PX_NONE, CAT_SHIKAKU);
    assert_int_equal(gate_decide(&r, &w.f, &d), 0);
    assert_int_equal(d.outcome, OUTCOME_DENIED);
    assert_true(d.consent_missing);
    build(&w, C_NONE, R_NONE, PX_NONE, CAT_SHIKAKU); /* no relationship: nothing to tell */
    assert_int_equal(gate_decide(&r, &w.f, &d), 0);
    assert_false(d.consent_missing);
    build(&w, C_NONE, R_LAPSED, PX_NONE, CAT_SHIKAKU);
    assert_int_equal(gate_decide(&r, &w.f, &d), 0);
    assert_false(d.consent_missing);
    build(&w, C_ACTIVE, R_ACTIVE, PX_NONE, CAT_SHIKAKU);
    assert_int_equal(gate_decide(&r, &w.f, &d), 0);
    assert_int_equal(d.outcome, OUTCOME_ALLOWED);
    assert_false(d.consent_missing);
}

/* Boundary instants: validity intervals are half-open [from, to). */
static void t_boundaries(void **s)
{
    (void)s;
    struct world w;
    build(&w, C_ACTIVE, R_ACTIVE, PX_NONE, CAT_SHIKAKU);
    struct gate_request r = rq(ROLE_CAREMGR, CAT_SHIKAKU, PURPOSE_CARE);
    actor_for(&r, ROLE_CAREMGR);
    w.c[0].valid_from = T;
    assert_int_equal(decide(&r, &w.f), OUTCOME_ALLOWED); /* from == now: valid */
    w.c[0].valid_from = T + 1;
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED);
    w.c[0].valid_from = T - DAY;
    w.c[0].valid_to = T;
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED); /* to == now: over */
    w.c[0].valid_to = T + 1;
    assert_int_equal(decide(&r, &w.f), OUTCOME_ALLOWED);
    /* withdrawal: effective at its instant, not before */
    w.w[0] = (struct withdrawal){1, CAT_BIT(CAT_SHIKAKU), T, ""};
    w.f.withdrawals = w.w;
    w.f.nwithdrawals = 1;
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED);
    w.w[0].at_ms = T + 1;
    assert_int_equal(decide(&r, &w.f), OUTCOME_ALLOWED);
    /* withdrawing another category, or from another org, leaves this one */
    w.w[0] = (struct withdrawal){1, CAT_BIT(CAT_LIFE), T - 1, ""};
    assert_int_equal(decide(&r, &w.f), OUTCOME_ALLOWED);
    w.w[0] = (struct withdrawal){1, CAT_ALL_MASK, T - 1, "kyo9"};
    assert_int_equal(decide(&r, &w.f), OUTCOME_ALLOWED);
    w.w[0] = (struct withdrawal){1, CAT_ALL_MASK, T - 1, "kyo1"};
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED);
    /* a consent given again after a withdrawal counts */
    w.c[1] = w.c[0];
    w.c[1].id = 2;
    w.c[1].recorded_ms = T; /* after the withdrawal at T - 1 (one at the same instant loses) */
    w.f.nconsents = 2;
    assert_int_equal(decide(&r, &w.f), OUTCOME_ALLOWED);
    w.f.nconsents = 1;
    w.f.nwithdrawals = 0;

    /* relationship lapse: 実績 for 2026-10, 2 months → 2027-01-01 00:00 JST = 2026-12-31T15:00Z */
    int64_t lapse = relationship_lapse_ms(&w.rel[0], 2);
    assert_int_equal(lapse, 1798729200000LL);
    w.f.now_ms = lapse - 1;
    w.c[0].valid_to = 0;
    assert_int_equal(decide(&r, &w.f), OUTCOME_ALLOWED);
    w.f.now_ms = lapse;
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED);
    w.f.lapse_months = 3; /* configurable */
    assert_int_equal(decide(&r, &w.f), OUTCOME_ALLOWED);
    w.f.lapse_months = 2;
    w.f.now_ms = T;
    /* no 実績 yet: counted from the start month (2026-09) → 2026-12-01 JST */
    w.rel[0].last_actual_ym = 0;
    assert_int_equal(relationship_lapse_ms(&w.rel[0], 2), 1796050800000LL);
    /* ended: at its instant */
    w.rel[0].last_actual_ym = 202611;
    w.rel[0].ended_ms = T;
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED);
    w.rel[0].ended_ms = T + 1;
    assert_int_equal(decide(&r, &w.f), OUTCOME_ALLOWED);

    /* proxy revoked at its instant */
    build(&w, C_NONE, R_NONE, PX_SCOPE, CAT_CAREPLAN);
    r = rq(ROLE_PROXY, CAT_CAREPLAN, PURPOSE_SELF);
    actor_for(&r, ROLE_PROXY);
    w.px[0].revoked_ms = T + 1;
    assert_int_equal(decide(&r, &w.f), OUTCOME_ALLOWED);
    w.px[0].revoked_ms = T;
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED);
    /* another account's proxy gives nothing */
    w.px[0].revoked_ms = 0;
    snprintf(r.actor.id, sizeof r.actor.id, "user:43");
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED);
}

/* The person, the insurer and IDOR: another person, another insurer. */
static void t_other_person(void **s)
{
    (void)s;
    struct world w;
    build(&w, C_BLANKET, R_ACTIVE, PX_NONE, CAT_SHIKAKU);
    struct gate_request r = rq(ROLE_PERSON, CAT_SHIKAKU, PURPOSE_SELF);
    actor_for(&r, ROLE_PERSON);
    r.actor.self = OTHER;
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED);
    r = rq(ROLE_INSURER, CAT_CAREPLAN, PURPOSE_ADMIN);
    actor_for(&r, ROLE_INSURER);
    snprintf(r.actor.org_insurer, sizeof r.actor.org_insurer, "131016");
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED);
    /* the operator token (not the local CLI) reads nothing */
    r = rq(ROLE_OPERATOR, CAT_SHIKAKU, PURPOSE_ADMIN);
    snprintf(r.actor.id, sizeof r.actor.id, "operator-token");
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED);
    /* bad role or category */
    r = rq(ROLE_NONE, CAT_SHIKAKU, PURPOSE_ADMIN);
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED);
    r = rq(ROLE_INSURER, CAT_COUNT, PURPOSE_ADMIN);
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED);
}

/* 医療機関: only with an open 主治医意見書作成依頼 for this person. */
static void t_request(void **s)
{
    (void)s;
    struct world w;
    build(&w, C_BLANKET, R_NONE, PX_NONE, CAT_IKENSHO);
    struct ikensho_request q = {5, "hosp1", T - DAY, 0};
    w.f.reqs = &q;
    w.f.nreqs = 1;
    struct gate_request r = rq(ROLE_CLINICIAN, CAT_IKENSHO, PURPOSE_CARE);
    snprintf(r.actor.org, sizeof r.actor.org, "hosp1");
    struct gate_decision d;
    assert_int_equal(gate_decide(&r, &w.f, &d), 0);
    assert_int_equal(d.outcome, OUTCOME_ALLOWED);
    assert_int_equal(d.basis, BASIS_REQUEST);
    assert_string_equal(d.ref, "request:5");
    q.closed_ms = T;
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED);
    q.closed_ms = 0;
    snprintf(r.actor.org, sizeof r.actor.org, "hosp2");
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED);
    r.category = CAT_CAREPLAN; /* never, even with a request */
    snprintf(r.actor.org, sizeof r.actor.org, "hosp1");
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED);
}

/* Break-glass (P5): permission + role + an active grant for this account and person. */
static void t_breakglass(void **s)
{
    (void)s;
    struct world w;
    build(&w, C_NONE, R_NONE, PX_NONE, CAT_SHIKAKU);
    struct breakglass g = {11, "user:5", T - HOUR, T - HOUR + 24 * HOUR};
    w.f.bgs = &g;
    w.f.nbgs = 1;
    struct gate_request r = rq(ROLE_CLINICIAN, CAT_SHIKAKU, PURPOSE_EMERGENCY);
    snprintf(r.actor.org, sizeof r.actor.org, "hosp1");
    snprintf(r.actor.id, sizeof r.actor.id, "user:5");
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED); /* no permission */
    r.actor.may_breakglass = true;
    struct gate_decision d;
    assert_int_equal(gate_decide(&r, &w.f, &d), 0);
    assert_int_equal(d.outcome, OUTCOME_ALLOWED);
    assert_int_equal(d.basis, BASIS_BREAKGLASS);
    assert_int_equal(d.flags, GATE_FLAG_BREAKGLASS);
    assert_string_equal(d.ref, "breakglass:11");
    w.f.now_ms = g.expires_ms; /* expired at its instant */
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED);
    w.f.now_ms = T;
    r.category = CAT_CAREPLAN; /* not in the clinician's row: break-glass does not widen it */
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED);
    r.category = CAT_SHIKAKU;
    snprintf(r.actor.id, sizeof r.actor.id, "user:6"); /* someone else's grant */
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED);
    /* a role without break-glass in the matrix */
    r = rq(ROLE_PROXY, CAT_SHIKAKU, PURPOSE_EMERGENCY);
    snprintf(r.actor.id, sizeof r.actor.id, "user:5");
    r.actor.may_breakglass = true;
    assert_int_equal(decide(&r, &w.f), OUTCOME_DENIED);
}

static void t_cats_parse(void **s)
{
    (void)s;
    assert_int_equal(cats_parse("all"), CAT_ALL_MASK);
    assert_int_equal(cats_parse("shikaku,careplan"), CAT_BIT(CAT_SHIKAKU) | CAT_BIT(CAT_CAREPLAN));
    assert_int_equal(cats_parse("shikaku,nope"), 0);
    assert_int_equal(cats_parse(""), 0);
    assert_int_equal(cats_parse("none"), 0);
}

/* The route table: a route tagged with a personal-data category must go
 * through the disclosure pipeline and need authentication; a plain handler
 * may only serve non-personal data. A route that breaks this fails here. */
static void t_routes(void **s)
{
    (void)s;
    assert_true(routes_len > 0);
    int personal = 0;
    for (size_t i = 0; i < routes_len; i++) {
        const struct route *r = &routes[i];
        assert_non_null(r->method);
        assert_non_null(r->pattern);
        if (r->category != CAT_NONE) {
            personal++;
            if (r->handler != NULL || r->disclose == NULL)
                fail_msg("%s %s: personal route must use the disclose pipeline", r->method, r->pattern);
            if (r->auth != AUTH_USER)
                fail_msg("%s %s: personal route must need a user (token or session)", r->method,
                         r->pattern);
        } else {
            if (r->handler == NULL || r->disclose != NULL)
                fail_msg("%s %s: non-personal route must use a plain handler", r->method, r->pattern);
            /* a GET naming a person is a disclosure by construction; other
             * methods on a person path change grants and must need a user */
            if (strstr(r->pattern, "{insured}") && strcmp(r->method, "GET") == 0)
                fail_msg("%s %s: names a person but is tagged CAT_NONE", r->method, r->pattern);
            if (strstr(r->pattern, "{insured}") && r->auth != AUTH_USER)
                fail_msg("%s %s: person route without a user", r->method, r->pattern);
        }
        if (strncmp(r->pattern, "/api/", 5) == 0 && r->auth == AUTH_NONE)
            fail_msg("%s %s: /api route without authentication", r->method, r->pattern);
        /* public: the logins and the token refresh, which carry their own credential in the body
         * (a password and TOTP; a signed refresh token), and the text-size switch */
        if (r->auth == AUTH_PUBLIC && strcmp(r->pattern, "/api/v1/login") != 0 &&
            strcmp(r->pattern, "/login") != 0 && strcmp(r->pattern, "/text-size/{size}") != 0 &&
            strcmp(r->pattern, "/api/v1/token/refresh") != 0)
            fail_msg("%s %s: only login may be public", r->method, r->pattern);
        /* whom a route is about is its policy, not a string test at run time */
        if ((strstr(r->pattern, "/me/") || strcmp(r->pattern, "/me") == 0) && r->audience != AUD_SELF)
            fail_msg("%s %s: a /me route must be about the caller's own person", r->method, r->pattern);
        if (strstr(r->pattern, "{insured}") && r->audience != AUD_PERSON)
            fail_msg("%s %s: a route naming a person must say so (AUD_PERSON)", r->method, r->pattern);
        if (r->audience == AUD_SELF && !strstr(r->pattern, "/me"))
            fail_msg("%s %s: AUD_SELF outside /me", r->method, r->pattern);
        /* static assets: no personal data, no credential, GET only */
        if (r->kind == ROUTE_ASSET && (r->category != CAT_NONE || strcmp(r->method, "GET") != 0))
            fail_msg("%s %s: an asset must be a non-personal GET", r->method, r->pattern);
        if (r->auth == AUTH_NONE && r->kind != ROUTE_ASSET && strcmp(r->pattern, "/healthz") != 0 &&
            strcmp(r->pattern, "/readyz") != 0)
            fail_msg("%s %s: only /healthz, /readyz and assets are served without authentication", r->method,
                     r->pattern);
        /* every state-changing page form needs the CSRF token (login has no session yet) */
        if (r->kind == ROUTE_PAGE && strcmp(r->method, "GET") != 0 && !r->csrf && r->auth != AUTH_PUBLIC)
            fail_msg("%s %s: a page form without CSRF protection", r->method, r->pattern);
    }
    assert_true(personal >= 1);
}

static void t_audit_hash(void **s)
{
    (void)s;
    struct audit_entry e;
    memset(&e, 0, sizeof e);
    memcpy(e.insurer_no, "122192", 7);
    memcpy(e.insured_no, "0000000001", 11);
    memcpy(e.actor, "operator-token", 15);
    e.seq = 1;
    e.time_ms = 1764000000000;
    e.role = ROLE_OPERATOR;
    e.category = CAT_SHIKAKU;
    e.purpose = PURPOSE_ADMIN;
    e.basis = BASIS_OPERATOR;
    e.outcome = OUTCOME_ALLOWED;
    unsigned char c1[AUDIT_CANON_MAX], c2[AUDIT_CANON_MAX], l1[32], l2[32];
    size_t n1 = audit_canonical(&e, c1);
    audit_leaf_hash(c1, n1, l1);
    /* RFC 9162 leaf: SHA-256(0x00 || bytes) */
    unsigned char pre[AUDIT_CANON_MAX + 1], want[32];
    pre[0] = 0;
    memcpy(pre + 1, c1, n1);
    crypto_hash_sha256(want, pre, n1 + 1);
    assert_memory_equal(l1, want, 32);
    /* every field changes the bytes */
    struct audit_entry f = e;
    f.purpose = PURPOSE_CARE;
    size_t n2 = audit_canonical(&f, c2);
    audit_leaf_hash(c2, n2, l2);
    assert_memory_not_equal(l1, l2, 32);
    f = e;
    f.seq = 2;
    audit_leaf_hash(c2, audit_canonical(&f, c2), l2);
    assert_memory_not_equal(l1, l2, 32);
    /* length prefixes: moving a character between fields changes the bytes */
    f = e;
    memcpy(f.actor, "operator-toke", 14);
    memcpy(f.org, "n", 2);
    audit_leaf_hash(c2, audit_canonical(&f, c2), l2);
    assert_memory_not_equal(l1, l2, 32);
    /* from stored text (what verify reads) the same bytes */
    struct audit_fields af = {{"122192", 6},  1,          1764000000000, {"operator-token", 14},
                              {"", 0},        {"operator", 8}, {"0000000001", 10}, {"shikaku", 7},
                              {"admin", 5},   {"operator", 8}, {"allowed", 7},     {"", 0},
                              0,              {"", 0}};
    unsigned char c3[AUDIT_CANON_MAX];
    size_t n3 = audit_canonical_fields(&af, c3);
    assert_int_equal(n3, n1);
    assert_memory_equal(c3, c1, n1);
    /* an over-long tampered field never writes past the buffer */
    char big[300];
    memset(big, 'x', sizeof big);
    for (int k = 0; k < 13; k++)
        ((struct audit_text *)&af.actor)[k % 9] = (struct audit_text){big, sizeof big};
    af.insurer_no = af.basis_ref = (struct audit_text){big, sizeof big};
    assert_true(audit_canonical_fields(&af, c3) <= AUDIT_CANON_MAX);
}

/* The stored form: canonical bytes parse back to the same fields and the same
 * bytes; anything not exactly canonical is refused (the audit table stores the
 * bytes, so this is what every reader of the log relies on). */
static void t_audit_parse(void **s)
{
    (void)s;
    struct audit_entry e;
    memset(&e, 0, sizeof e);
    snprintf(e.insurer_no, sizeof e.insurer_no, "122192");
    e.seq = 42;
    e.time_ms = 1764000000123;
    snprintf(e.actor, sizeof e.actor, "token:7");
    snprintf(e.org, sizeof e.org, "kyo1");
    e.role = ROLE_CAREMGR;
    snprintf(e.insured_no, sizeof e.insured_no, "0000000001");
    e.category = CAT_CAREPLAN;
    e.purpose = PURPOSE_CARE;
    e.basis = BASIS_CONSENT;
    e.outcome = OUTCOME_ALLOWED;
    e.flags = 1;
    snprintf(e.basis_ref, sizeof e.basis_ref, "consent:3,rel:9");
    snprintf(e.request_id, sizeof e.request_id, "abcdef0123456789");
    unsigned char c[AUDIT_CANON_MAX], c2[AUDIT_CANON_MAX];
    size_t n = audit_canonical(&e, c);
    struct audit_fields f;
    assert_true(audit_fields_parse(c, n, &f));
    assert_int_equal(f.seq, 42);
    assert_int_equal(f.time_ms, 1764000000123);
    assert_int_equal(f.flags, 1);
    assert_int_equal(f.insured_no.n, 10);
    assert_memory_equal(f.insured_no.p, "0000000001", 10);
    assert_int_equal(audit_canonical_fields(&f, c2), n);
    assert_memory_equal(c2, c, n);
    /* every proper prefix and one extra byte are refused */
    for (size_t k = 0; k < n; k++)
        assert_false(audit_fields_parse(c, k, &f));
    c[n] = 0;
    assert_false(audit_fields_parse(c, n + 1, &f));
    /* decimals exactly as written: leading zero, "-0", sign on seq, a letter,
     * overflow; flags never negative. Built by hand around the seq item. */
    static const struct {
        const char *seq;
        bool ok;
    } nums[] = {{"42", true},  {"042", false}, {"-0", false}, {"+42", false}, {"4a", false},
                {"", false},   {"0", true},    {"-5", true},  {"9223372036854775807", true},
                {"9223372036854775808", false}, {"-9223372036854775808", true},
                {"99999999999999999999", false}};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        struct audit_fields g = f;
        assert_true(audit_fields_parse(c, n, &g));
        unsigned char b[AUDIT_CANON_MAX];
        size_t o = 0;
        /* tag + insurer as they are */
        size_t head = 1 + 13 + 1 + g.insurer_no.n;
        memcpy(b, c, head);
        o = head;
        size_t sl = strlen(nums[i].seq);
        b[o++] = (unsigned char)sl;
        memcpy(b + o, nums[i].seq, sl);
        o += sl;
        size_t rest = head + 1 + 2; /* the original seq item "42" */
        memcpy(b + o, c + rest, n - rest);
        o += n - rest;
        assert_int_equal(audit_fields_parse(b, o, &g), nums[i].ok);
    }
    /* a wrong tag */
    c[1] ^= 1;
    assert_false(audit_fields_parse(c, n, &f));
    c[1] ^= 1;
    /* an unknown code parses: the bytes are stored text (verify checks the hash) */
    unsigned char *r = NULL;
    for (size_t k = 0; k + 7 <= n && !r; k++)
        if (memcmp(c + k, "caremgr", 7) == 0)
            r = c + k;
    assert_non_null(r);
    memcpy(r, "caremgX", 7);
    assert_true(audit_fields_parse(c, n, &f));
    assert_int_equal(f.role.n, 7);
    assert_memory_equal(f.role.p, "caremgX", 7);
}

/* 書類照会: any role whose cell is 'paper' may ask for the status of a presented document of
 * the person, and only when it was presented (its token verified); no consent or care
 * relationship is needed, none is created. */
static void t_paper(void **s)
{
    (void)s;
    for (int role = ROLE_PERSON; role < ROLE_COUNT; role++) {
        struct world w;
        build(&w, C_NONE, R_NONE, PX_NONE, CAT_PAPER);
        struct gate_request r = rq((enum role)role, CAT_PAPER, PURPOSE_ADMIN);
        actor_for(&r, (enum role)role);
        struct gate_decision d;
        bool paper = access_matrix[role].cell[CAT_PAPER] == RULE_PAPER;
        w.f.paper_presented = false;
        assert_int_equal(gate_decide(&r, &w.f, &d), 0);
        if (paper)
            assert_int_equal(d.outcome, OUTCOME_DENIED);
        w.f.paper_presented = true;
        assert_int_equal(gate_decide(&r, &w.f, &d), 0);
        if (paper) {
            assert_int_equal(d.outcome, OUTCOME_ALLOWED);
            assert_int_equal(d.basis, BASIS_PAPER);
        }
    }
    /* the care side's cells are 'paper', the person's own, the insurer statutory */
    assert_int_equal(access_matrix[ROLE_PROVIDER].cell[CAT_PAPER], RULE_PAPER);
    assert_int_equal(access_matrix[ROLE_CAREMGR].cell[CAT_PAPER], RULE_PAPER);
    assert_int_equal(access_matrix[ROLE_PERSON].cell[CAT_PAPER], RULE_OWN);
    assert_int_equal(access_matrix[ROLE_INSURER].cell[CAT_PAPER], RULE_INSURER);
    assert_string_equal(category_code(CAT_PAPER), "paper");
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_matrix),
        cmocka_unit_test(t_paper),
        cmocka_unit_test(t_audit_parse),
        cmocka_unit_test(t_matrix_cells),
        cmocka_unit_test(t_niji),
        cmocka_unit_test(t_boundaries),
        cmocka_unit_test(t_withdrawal_holds),
        cmocka_unit_test(t_consent_missing),
        cmocka_unit_test(t_other_person),
        cmocka_unit_test(t_request),
        cmocka_unit_test(t_breakglass),
        cmocka_unit_test(t_cats_parse),
        cmocka_unit_test(t_routes),
        cmocka_unit_test(t_audit_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
