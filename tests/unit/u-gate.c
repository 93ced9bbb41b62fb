/* u-gate.c - the access decision (default deny), the route table walk, audit hashing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "domain/audit.h"
#include "domain/gate.h"
#include "http/server.h"

static struct gate_request rq(enum role role, enum category c, enum purpose p)
{
    struct gate_request r;
    memset(&r, 0, sizeof r);
    r.actor.role = role;
    r.category = c;
    r.purpose = p;
    memcpy(r.person.insurer_no, "122192", 7);
    memcpy(r.person.insured_no, "0000000001", 11);
    return r;
}

/* Every role × category × purpose × existence: only the operator reading 資格 for
 * administration is allowed, and only for a person who exists. */
static void t_matrix(void **s)
{
    (void)s;
    int allowed = 0;
    for (int role = ROLE_NONE; role < ROLE_COUNT; role++)
        for (int c = CAT_NONE; c < CAT_COUNT; c++)
            for (int p = PURPOSE_ADMIN; p <= PURPOSE_EMERGENCY; p++)
                for (int ex = 0; ex < 2; ex++) {
                    struct gate_request r = rq((enum role)role, (enum category)c, (enum purpose)p);
                    struct gate_facts f = {ex == 1};
                    struct gate_decision d;
                    assert_int_equal(gate_decide(&r, &f, &d), 0);
                    assert_non_null(d.reason);
                    bool want_allow = role == ROLE_OPERATOR && c == CAT_SHIKAKU &&
                                      p == PURPOSE_ADMIN && ex == 1;
                    bool want_nf = role == ROLE_OPERATOR && c == CAT_SHIKAKU &&
                                   p == PURPOSE_ADMIN && ex == 0;
                    if (want_allow) {
                        assert_int_equal(d.outcome, OUTCOME_ALLOWED);
                        assert_int_equal(d.basis, BASIS_OPERATOR);
                        allowed++;
                    } else if (want_nf)
                        assert_int_equal(d.outcome, OUTCOME_NOT_FOUND);
                    else {
                        assert_int_equal(d.outcome, OUTCOME_DENIED);
                        assert_int_equal(d.basis, BASIS_NONE);
                    }
                }
    assert_int_equal(allowed, 1);
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
            if (!r->auth)
                fail_msg("%s %s: personal route without authentication", r->method, r->pattern);
        } else {
            if (r->handler == NULL || r->disclose != NULL)
                fail_msg("%s %s: non-personal route must use a plain handler", r->method, r->pattern);
            /* a route with a person in its path is personal by construction */
            if (strstr(r->pattern, "{insured}"))
                fail_msg("%s %s: names a person but is tagged CAT_NONE", r->method, r->pattern);
        }
        if (strncmp(r->pattern, "/api/", 5) == 0 && !r->auth)
            fail_msg("%s %s: /api route without authentication", r->method, r->pattern);
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
    unsigned char c1[AUDIT_CANON_MAX], c2[AUDIT_CANON_MAX], l1[32], l2[32], ch[32], zero[32] = {0};
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
    audit_chain_hash(zero, l1, ch);
    assert_memory_not_equal(ch, l1, 32);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_matrix),
        cmocka_unit_test(t_routes),
        cmocka_unit_test(t_audit_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
