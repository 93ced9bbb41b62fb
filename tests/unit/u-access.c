/* u-access.c - authentication rules (RFC 6238 vectors, password policy,
 * expiry) and sessions/tokens through the real store with a fake clock:
 * fixation, idle and absolute expiry, replay after logout, password-only
 * attempts, TOTP replay, throttling. With KAIGO_TEST_BACKEND=postgresql (ctest
 * u-access-pg) the store is a fresh PostgreSQL database of a throw-away cluster
 * (testpg.h), so that the same tests hold on both backends (issue #22). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "domain/auth.h"
#include "http/auth.h"
#include "store/store.h"
#include "util/sha1.h"
#include "testpg.h"

static char path[256];
static bool on_pg; /* KAIGO_TEST_BACKEND=postgresql */

/* open_store - a new empty store on the backend under test */
static struct store *open_store(void)
{
    if (!on_pg)
        return store_open_sqlite(path, false);
    char url[256];
    return testpg_fresh(url, sizeof url) ? NULL : store_open_pg(url, false);
}

static void rm_db(void)
{
    const char *sfx[] = {"", "-wal", "-shm", ".audit", ".audit-wal", ".audit-shm"};
    char p[300];
    for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
        snprintf(p, sizeof p, "%s%s", path, sfx[i]);
        unlink(p);
    }
}

static int setup(void **s)
{
    (void)s;
    snprintf(path, sizeof path, "/tmp/kaigo-u-access-%d.db", (int)getpid());
    rm_db();
    return 0;
}

static int teardown(void **s)
{
    (void)s;
    rm_db();
    return 0;
}

static void t_sha1(void **s)
{
    (void)s;
    unsigned char h[SHA1_BYTES];
    char hex[41];
    sha1("abc", 3, h);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    assert_string_equal(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
    sha1("", 0, h);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    assert_string_equal(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha1(m, strlen(m), h);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    assert_string_equal(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    /* RFC 2202 HMAC-SHA1 test case 2 */
    hmac_sha1((const unsigned char *)"Jefe", 4, "what do ya want for nothing?", 28, h);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    assert_string_equal(hex, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

/* RFC 6238 Appendix B (SHA-1 seed "12345678901234567890"), last 6 of the 8 digits. */
static void t_totp_vectors(void **s)
{
    (void)s;
    const unsigned char *k = (const unsigned char *)"12345678901234567890";
    static const struct {
        int64_t t;
        uint32_t code;
    } v[] = {{59, 287082},         {1111111109, 81804}, {1111111111, 50471},
             {1234567890, 5924},   {2000000000, 279037}, {20000000000LL, 353130}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        assert_int_equal(totp_code(k, 20, v[i].t), v[i].code);
    int64_t last = 0;
    assert_true(totp_check(k, 20, "081804", 1111111109, &last));
    assert_false(totp_check(k, 20, "081804", 1111111109, &last)); /* replay */
    last = 0;
    assert_true(totp_check(k, 20, "081804", 1111111109 + 30, &last)); /* one step late: ok */
    last = 0;
    assert_false(totp_check(k, 20, "081804", 1111111109 + 61, &last)); /* two steps: no */
    assert_false(totp_check(k, 20, "81804", 1111111109, &last));
    assert_false(totp_check(k, 20, "08180a", 1111111109, &last));
    assert_false(totp_check(k, 20, "", 1111111109, &last));
    /* base32 */
    char b[TOTP_B32_LEN + 1];
    unsigned char back[20];
    assert_int_equal(base32_encode(k, 20, b, sizeof b), 32);
    assert_string_equal(b, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assert_int_equal(base32_decode(b, back, sizeof back), 20);
    assert_memory_equal(back, k, 20);
    assert_int_equal(base32_decode("GEZ1", back, sizeof back), -1);
}

static void t_password_policy(void **s)
{
    (void)s;
    assert_null(password_policy("abcdefghijklm", false));    /* 13 chars alone */
    assert_non_null(password_policy("abcdefghijkl", false)); /* 12 without 2FA */
    assert_null(password_policy("Abc123!x", true));          /* 8 mixed with 2FA */
    assert_non_null(password_policy("Abc123!", true));       /* 7 */
    assert_non_null(password_policy("abcdefgh", true));      /* 8, letters only */
    assert_non_null(password_policy("abcd1234", true));      /* no symbol */
    assert_null(password_policy("あいうえおかきくけこさしす", true)); /* 13 characters */
}

static void t_expiry(void **s)
{
    (void)s;
    int64_t c = 1000000;
    assert_true(session_alive(c, c, c));
    assert_true(session_alive(c, c, c + SESSION_IDLE_MS - 1));
    assert_false(session_alive(c, c, c + SESSION_IDLE_MS));
    /* active use keeps it alive only up to the absolute limit */
    int64_t end = c + SESSION_ABSOLUTE_MS;
    assert_true(session_alive(c, end - 60000, end - 1));
    assert_false(session_alive(c, end - 60000, end));
    assert_false(session_alive(c, c, c - 1)); /* clock before creation */
}

#define PW "Kaigo-unit-2026!"
#define T0 1795575600000LL

struct fixture {
    struct store *st;
    unsigned char secret[TOTP_SECRET_BYTES];
};

static void make_account(struct fixture *f)
{
    f->st = open_store();
    assert_non_null(f->st);
    int created;
    assert_int_equal(store_insurer_ensure(f->st, "122192", "test", &created), 0);
    struct org o = {"kyo1", ORG_KYOTAKU, "居宅A", "", "", "1270100017"};
    assert_int_equal(f->st->acc->org_add(f->st, &o, "test"), 0);
    struct account a = {0};
    snprintf(a.login, sizeof a.login, "cm1");
    snprintf(a.display_name, sizeof a.display_name, "ケアマネ");
    snprintf(a.org, sizeof a.org, "kyo1");
    snprintf(a.perms, sizeof a.perms, "breakglass");
    a.staff = true;
    assert_int_equal(password_hash(PW, a.password_hash), 0);
    assert_true(strncmp(a.password_hash, "$argon2id$", 10) == 0);
    assert_non_null(strstr(a.password_hash, "m=19456,t=2,p=1"));
    randombytes_buf(f->secret, sizeof f->secret);
    memcpy(a.totp_secret, f->secret, sizeof a.totp_secret);
    assert_int_equal(f->st->acc->account_add(f->st, &a, "test"), 0);
}

static void code_at(const struct fixture *f, int64_t ms, char out[7])
{
    snprintf(out, 7, "%06u", totp_code(f->secret, TOTP_SECRET_BYTES, ms / 1000));
}

static void cookie_of(const unsigned char sid[SESSION_ID_BYTES], char out[120])
{
    char hex[2 * SESSION_ID_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, sid, SESSION_ID_BYTES);
    snprintf(out, 120, "other=1; " SESSION_COOKIE "=%s", hex);
}

static enum principal_kind who(struct fixture *f, const char *cookie, int64_t now)
{
    struct principal p;
    assert_int_equal(auth_resolve(f->st, NULL, cookie, "", now, &p), 0);
    return p.kind;
}

static void t_sessions(void **s)
{
    (void)s;
    struct fixture f;
    make_account(&f);
    unsigned char sid[SESSION_ID_BYTES], sid2[SESSION_ID_BYTES];
    struct account a;
    char code[7], ck[120], ck2[120];
    auth_init();
    /* a password alone never gives a session; unknown login fails the same way */
    assert_int_equal(auth_login(f.st, "cm1", PW, "", "10.0.0.1", NULL, T0, sid, &a), LOGIN_FAILED);
    code_at(&f, T0, code);
    assert_int_equal(auth_login(f.st, "cm1", "wrong-password-1", code, "10.0.0.1", NULL, T0, sid, &a),
                     LOGIN_FAILED);
    assert_int_equal(auth_login(f.st, "nobody", PW, code, "10.0.0.1", NULL, T0, sid, &a), LOGIN_FAILED);
    assert_int_equal(auth_login(f.st, "cm1", PW, code, "10.0.0.1", NULL, T0, sid, &a), LOGIN_OK);
    cookie_of(sid, ck);
    assert_int_equal(who(&f, ck, T0 + 1000), P_SESSION);
    /* the same code again is a replay, said as such (only to someone with both factors) */
    assert_int_equal(auth_login(f.st, "cm1", PW, code, "10.0.0.1", NULL, T0 + 2000, sid2, &a),
                     LOGIN_REPLAY);
    /* with a wrong password, the same code is an ordinary failure (nothing is revealed) */
    assert_int_equal(auth_login(f.st, "cm1", "wrong-password-1", code, "10.0.0.1", NULL, T0 + 2000, sid2, &a),
                     LOGIN_FAILED);
    /* fixation: logging in again with the old cookie gives a new id and ends the old one */
    code_at(&f, T0 + 30000, code);
    assert_int_equal(auth_login(f.st, "cm1", PW, code, "10.0.0.1", ck, T0 + 30000, sid2, &a), LOGIN_OK);
    assert_memory_not_equal(sid, sid2, SESSION_ID_BYTES);
    cookie_of(sid2, ck2);
    assert_int_equal(who(&f, ck, T0 + 31000), P_NONE);
    assert_int_equal(who(&f, ck2, T0 + 31000), P_SESSION);
    /* idle: created at +30 s (last_seen is written at most once a minute) */
    assert_int_equal(who(&f, ck2, T0 + 30000 + SESSION_IDLE_MS - 1), P_SESSION); /* touches */
    assert_int_equal(who(&f, ck2, T0 + 30000 + 2 * SESSION_IDLE_MS - 2), P_SESSION);
    assert_int_equal(who(&f, ck2, T0 + 30000 + 3 * SESSION_IDLE_MS), P_NONE);
    /* absolute: keep it busy every 20 min; refused at 12 h */
    code_at(&f, T0 + 60000, code);
    assert_int_equal(auth_login(f.st, "cm1", PW, code, "10.0.0.1", NULL, T0 + 60000, sid, &a), LOGIN_OK);
    cookie_of(sid, ck);
    int64_t t = T0 + 60000;
    for (; t < T0 + 60000 + SESSION_ABSOLUTE_MS; t += 20 * 60000)
        assert_int_equal(who(&f, ck, t), P_SESSION);
    assert_int_equal(who(&f, ck, T0 + 60000 + SESSION_ABSOLUTE_MS), P_NONE);
    /* logout: the cookie is dead at once */
    code_at(&f, T0 + 90000, code);
    assert_int_equal(auth_login(f.st, "cm1", PW, code, "10.0.0.1", NULL, T0 + 90000, sid, &a), LOGIN_OK);
    cookie_of(sid, ck);
    struct principal p;
    assert_int_equal(auth_resolve(f.st, NULL, ck, "", T0 + 91000, &p), 0);
    assert_int_equal(auth_rotate(f.st, &p, T0 + 91000, true, sid2), 0); /* privilege change */
    assert_int_equal(who(&f, ck, T0 + 92000), P_NONE);
    cookie_of(sid2, ck2);
    assert_int_equal(auth_resolve(f.st, NULL, ck2, "", T0 + 92000, &p), 0);
    assert_int_equal(p.kind, P_SESSION);
    assert_int_equal(auth_logout(f.st, &p, T0 + 93000), 0);
    assert_int_equal(who(&f, ck2, T0 + 94000), P_NONE);
    /* malformed cookies are simply no session */
    assert_int_equal(who(&f, SESSION_COOKIE "=zz", T0), P_NONE);
    assert_int_equal(who(&f, NULL, T0), P_NONE);
    store_close(f.st);
    rm_db();
}

static void t_throttle(void **s)
{
    (void)s;
#undef T0
#define T0 (1795575600000LL + 86400000LL) /* a day later: earlier failures are out of the window */
    struct fixture f;
    make_account(&f);
    unsigned char sid[SESSION_ID_BYTES];
    struct account a;
    char code[7];
    auth_init();
    for (int i = 0; i < AUTH_FAIL_ACCOUNT; i++)
        assert_int_equal(auth_login(f.st, "cm1", "bad-password-123", "000000", "10.0.0.9", NULL,
                                    T0 + i, sid, &a),
                         LOGIN_FAILED);
    /* now even the right password and code are refused for this login */
    code_at(&f, T0 + 10, code);
    assert_int_equal(auth_login(f.st, "cm1", PW, code, "10.0.0.8", NULL, T0 + 10, sid, &a),
                     LOGIN_THROTTLED);
    /* … until the window has passed */
    code_at(&f, T0 + AUTH_FAIL_WINDOW_MS + 10, code);
    assert_int_equal(auth_login(f.st, "cm1", PW, code, "10.0.0.8", NULL, T0 + AUTH_FAIL_WINDOW_MS + 10,
                                sid, &a),
                     LOGIN_OK);
    store_close(f.st);
    rm_db();
}

static void t_tokens(void **s)
{
    (void)s;
    struct fixture f;
    make_account(&f);
    unsigned char h[32];
    const char *secret = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    crypto_hash_sha256(h, (const unsigned char *)secret, 64);
    int64_t id;
    assert_int_equal(f.st->acc->token_add(f.st, "kyo1", "soft", h, "test", &id), 0);
    char authz[200];
    struct principal p;
    snprintf(authz, sizeof authz, "Bearer kgt_%lld_%s", (long long)id, secret);
    assert_int_equal(auth_resolve(f.st, authz, NULL, "", T0, &p), 0);
    assert_int_equal(p.kind, P_TOKEN);
    struct actor act;
    principal_actor(&p, NULL, &act);
    assert_int_equal(act.role, ROLE_CAREMGR);
    assert_string_equal(act.org, "kyo1");
    /* one changed character, another id, a revoked token: nobody */
    authz[strlen(authz) - 1] = authz[strlen(authz) - 1] == 'f' ? 'e' : 'f';
    assert_int_equal(auth_resolve(f.st, authz, NULL, "", T0, &p), 0);
    assert_int_equal(p.kind, P_NONE);
    snprintf(authz, sizeof authz, "Bearer kgt_%lld_%s", (long long)id + 1, secret);
    assert_int_equal(auth_resolve(f.st, authz, NULL, "", T0, &p), 0);
    assert_int_equal(p.kind, P_NONE);
    assert_int_equal(f.st->acc->token_revoke(f.st, id, T0), 0);
    snprintf(authz, sizeof authz, "Bearer kgt_%lld_%s", (long long)id, secret);
    assert_int_equal(auth_resolve(f.st, authz, NULL, "", T0, &p), 0);
    assert_int_equal(p.kind, P_NONE);
    /* the operator token is recognised only exactly */
    assert_int_equal(auth_resolve(f.st, "Bearer op-secret", NULL, "op-secret", T0, &p), 0);
    assert_int_equal(p.kind, P_OPERATOR);
    assert_int_equal(auth_resolve(f.st, "Bearer op-secreT", NULL, "op-secret", T0, &p), 0);
    assert_int_equal(p.kind, P_NONE);
    assert_int_equal(auth_resolve(f.st, "Bearer ", NULL, "", T0, &p), 0);
    assert_int_equal(p.kind, P_NONE);
    store_close(f.st);
    rm_db();
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_sha1),
        cmocka_unit_test(t_totp_vectors),
        cmocka_unit_test(t_password_policy),
        cmocka_unit_test(t_expiry),
        cmocka_unit_test_setup_teardown(t_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(t_throttle, setup, teardown),
        cmocka_unit_test_setup_teardown(t_tokens, setup, teardown),
    };
    const char *backend = getenv("KAIGO_TEST_BACKEND");
    on_pg = backend && strcmp(backend, "postgresql") == 0;
    if (on_pg && testpg_start()) {
        fprintf(stderr, "u-access: no PostgreSQL cluster (scripts/deps.sh --test installs PostgreSQL 15)\n");
        testpg_stop();
        return 1;
    }
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (on_pg)
        testpg_stop();
    return failed;
}
