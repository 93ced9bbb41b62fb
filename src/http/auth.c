/* auth.c - tokens, sessions, login, throttling; see auth.h. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"
#include "domain/auth.h"
#include "http/auth.h"
#include "http/tokens.h"
#include "util/log.h"
#include "util/banned.h"

#define PWHASH_OPS 2ULL                       /* t = 2 */
#define PWHASH_MEM ((size_t)19 * 1024 * 1024) /* m = 19 MiB (OWASP minimum for argon2id) */
#define TOUCH_EVERY_MS 60000                  /* last_seen is written at most once a minute */

static char dummy_hash[crypto_pwhash_STRBYTES];

void auth_init(void)
{
    unsigned char rnd[16];
    char pw[33];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(pw, sizeof pw, rnd, sizeof rnd);
    if (password_hash(pw, dummy_hash))
        die("argon2id: out of memory");
}

int password_hash(const char *pw, char out[PHC_BYTES])
{
    _Static_assert(crypto_pwhash_STRBYTES <= PHC_BYTES, "PHC_BYTES");
    return crypto_pwhash_str_alg(out, pw, strlen(pw), PWHASH_OPS, PWHASH_MEM,
                                 crypto_pwhash_ALG_ARGON2ID13);
}

static void sha256(const void *p, size_t n, unsigned char out[32])
{
    crypto_hash_sha256(out, p, n);
}

bool cookie_session(const char *cookie, char hex[2 * SESSION_ID_BYTES + 1])
{
    if (!cookie)
        return false;
    size_t nl = strlen(SESSION_COOKIE);
    for (const char *p = cookie; *p;) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == nl + 1 + 2 * SESSION_ID_BYTES && strncmp(p, SESSION_COOKIE, nl) == 0 &&
            p[nl] == '=') {
            memcpy(hex, p + nl + 1, 2 * SESSION_ID_BYTES);
            hex[2 * SESSION_ID_BYTES] = '\0';
            return true;
        }
        p += len;
    }
    return false;
}

static bool hex_hash(const char *hex, unsigned char out[32])
{
    unsigned char raw[SESSION_ID_BYTES];
    size_t n;
    if (sodium_hex2bin(raw, sizeof raw, hex, strlen(hex), NULL, &n, NULL) || n != sizeof raw)
        return false;
    sha256(raw, sizeof raw, out);
    return true;
}

/* Resolved API tokens, per thread, valid while the registry file is unchanged
 * (a revocation or an organisation change is a commit, which changes
 * data_version): a token read costs one PRAGMA instead of two queries. */
#define TOKEN_CACHE 8
struct token_cache_entry {
    struct store *st;
    long long version;
    unsigned char key[32]; /* SHA-256 of the whole token */
    struct principal p;
};
static _Thread_local struct token_cache_entry token_cache[TOKEN_CACHE];
static _Thread_local unsigned token_cache_next;

static int resolve_token_uncached(struct store *st, const char *t, struct principal *out);

static int resolve_token(struct store *st, const char *t, struct principal *out)
{
    long long v;
    unsigned char key[32];
    if (st->ops->data_version(st, &v))
        return -1;
    sha256(t, strlen(t), key);
    for (unsigned i = 0; i < TOKEN_CACHE; i++) {
        struct token_cache_entry *e = &token_cache[i];
        if (e->st == st && e->version == v && sodium_memcmp(e->key, key, 32) == 0) {
            *out = e->p;
            return 0;
        }
    }
    int rc = resolve_token_uncached(st, t, out);
    if (rc == 0 && out->kind == P_TOKEN) {
        struct token_cache_entry *e = &token_cache[token_cache_next++ % TOKEN_CACHE];
        e->st = st;
        e->version = v;
        memcpy(e->key, key, 32);
        e->p = *out;
    }
    return rc;
}

/* token_principal - the organisation of API token id, unless it is revoked (or, with secret, the
 * secret does not match its hash): the principal an API token or an access token made from it is */
static int token_principal(struct store *st, long long id, const char *secret, struct principal *out)
{
    struct api_token tok;
    int rc = st->acc->token_get(st, id, &tok);
    if (rc)
        return rc < 0 ? -1 : 0;
    if (secret) {
        unsigned char h[32];
        sha256(secret, 64, h);
        if (sodium_memcmp(h, tok.secret_hash, 32) != 0)
            return 0;
    }
    if (tok.revoked_ms)
        return 0;
    rc = st->acc->org_get(st, tok.org, &out->org);
    if (rc)
        return rc < 0 ? -1 : 0;
    out->kind = P_TOKEN;
    out->token_id = id;
    return 0;
}

static int resolve_token_uncached(struct store *st, const char *t, struct principal *out)
{
    /* kgt_<id>_<64 hex> */
    const char *p = t + strlen(TOKEN_PREFIX);
    char *end;
    long long id = strtoll(p, &end, 10);
    if (end == p || *end != '_' || id <= 0 || strlen(end + 1) != 64)
        return 0;
    return token_principal(st, id, end + 1, out);
}

/* an access token (tokens.h): signed by this server, not ended, its API token not revoked */
static int resolve_access(struct store *st, const char *t, int64_t now, struct principal *out)
{
    int64_t id, end_ms;
    if (token_check(t, 'a', now, &id, &end_ms))
        return 0;
    int rc = token_principal(st, id, NULL, out);
    if (rc == 0 && out->kind == P_TOKEN)
        out->short_lived = true;
    return rc;
}

int auth_refresh_principal(struct store *st, const char *refresh, int64_t now, struct principal *out,
                           int64_t *refresh_end_ms)
{
    memset(out, 0, sizeof *out);
    int64_t id;
    if (token_check(refresh, 'r', now, &id, refresh_end_ms))
        return 0;
    return token_principal(st, id, NULL, out);
}

static int resolve_session(struct store *st, const char *cookie, int64_t now, struct principal *out)
{
    char hex[2 * SESSION_ID_BYTES + 1];
    unsigned char h[32];
    if (!cookie_session(cookie, hex) || !hex_hash(hex, h))
        return 0;
    struct session s;
    int rc = st->acc->session_get(st, h, &s);
    if (rc)
        return rc < 0 ? -1 : 0;
    if (s.ended_ms || !session_alive(s.created_ms, s.last_seen_ms, now))
        return 0;
    rc = st->acc->account_get(st, s.account_id, &out->acct);
    if (rc)
        return rc < 0 ? -1 : 0;
    if (out->acct.disabled_ms)
        return 0;
    if (out->acct.staff && st->acc->org_get(st, out->acct.org, &out->org))
        return 0;
    if (now - s.last_seen_ms >= TOUCH_EVERY_MS && st->acc->session_touch(st, h, now))
        return -1;
    memcpy(out->sess_hash, h, 32);
    out->kind = P_SESSION;
    return 0;
}

int auth_resolve(struct store *st, const char *authz, const char *cookie, const char *op_token,
                 int64_t now, struct principal *out)
{
    memset(out, 0, sizeof *out);
    if (authz && strncmp(authz, "Bearer ", 7) == 0) {
        const char *t = authz + 7;
        if (strncmp(t, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) == 0)
            return resolve_token(st, t, out);
        if (strncmp(t, ACCESS_PREFIX, strlen(ACCESS_PREFIX)) == 0)
            return resolve_access(st, t, now, out);
        size_t tl = strlen(op_token);
        if (tl && strlen(t) == tl && sodium_memcmp(t, op_token, tl) == 0)
            out->kind = P_OPERATOR;
        return 0;
    }
    return resolve_session(st, cookie, now, out);
}

static bool has_perm(const char *perms, const char *want)
{
    size_t n = strlen(want);
    for (const char *p = perms; (p = strstr(p, want)) != NULL; p += n)
        if ((p == perms || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
            return true;
    return false;
}

void principal_actor(const struct principal *p, const struct person_key *target, struct actor *a)
{
    memset(a, 0, sizeof *a);
    switch (p->kind) {
    case P_NONE:
        return;
    case P_OPERATOR:
        a->role = ROLE_OPERATOR;
        snprintf(a->id, sizeof a->id, "operator-token");
        return;
    case P_TOKEN:
        a->role = role_for_org(p->org.kind);
        snprintf(a->id, sizeof a->id, "token:%lld", (long long)p->token_id);
        str_cut(a->org, sizeof a->org, p->org.id);
        if (p->org.kind == ORG_INSURER)
            str_cut(a->org_insurer, sizeof a->org_insurer, p->org.insurer_no);
        return;
    case P_SESSION:
        snprintf(a->id, sizeof a->id, "user:%lld", (long long)p->acct.id);
        if (p->acct.staff) {
            a->role = role_for_org(p->org.kind);
            str_cut(a->org, sizeof a->org, p->org.id);
            if (p->org.kind == ORG_INSURER)
                str_cut(a->org_insurer, sizeof a->org_insurer, p->org.insurer_no);
            a->may_breakglass = has_perm(p->acct.perms, "breakglass");
        } else {
            a->self = p->acct.person;
            bool self = target && p->acct.person.insurer_no[0] &&
                        strcmp(target->insurer_no, p->acct.person.insurer_no) == 0 &&
                        strcmp(target->insured_no, p->acct.person.insured_no) == 0;
            a->role = self ? ROLE_PERSON : ROLE_PROXY;
        }
        return;
    }
}

/* ---- throttling (RULE-AUTH-004): counted in the store, shared by every node -------------- */

#define THROTTLE_KEY_BYTES (2 + 32 + 1)

/* throttle_key - kind ('a' a login or code key, 'i' an address), ':', and a BLAKE2b-128 of the value
 * in hex: the store never holds the login in clear (as security_events' subject) */
static void throttle_key(char kind, const char *value, char out[THROTTLE_KEY_BYTES])
{
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)value, strlen(value), NULL, 0);
    out[0] = kind;
    out[1] = ':';
    sodium_bin2hex(out + 2, THROTTLE_KEY_BYTES - 2, h, sizeof h);
}

int auth_throttled(struct store *st, const char *key, const char *addr, int64_t now)
{
    char k[THROTTLE_KEY_BYTES], a[THROTTLE_KEY_BYTES];
    throttle_key('a', key, k);
    throttle_key('i', addr, a);
    int64_t nk, na;
    if (st->acc->throttle_count(st, k, now, &nk) || st->acc->throttle_count(st, a, now, &na))
        return -1;
    return nk >= AUTH_FAIL_ACCOUNT || na >= AUTH_FAIL_ADDRESS;
}

int auth_note_failure(struct store *st, const char *key, const char *addr, int64_t now)
{
    char k[THROTTLE_KEY_BYTES], a[THROTTLE_KEY_BYTES];
    throttle_key('a', key, k);
    throttle_key('i', addr, a);
    int64_t n;
    return st->acc->throttle_hit(st, k, AUTH_FAIL_WINDOW_MS, now, &n) ||
                   st->acc->throttle_hit(st, a, AUTH_FAIL_WINDOW_MS, now, &n)
               ? -1
               : 0;
}

static void subject_of(const char *login, char out[17])
{
    unsigned char h[8];
    crypto_generichash(h, sizeof h, (const unsigned char *)login, strlen(login), NULL, 0);
    sodium_bin2hex(out, 17, h, sizeof h);
}

static int new_session(struct store *st, int64_t account, int64_t now, bool bg,
                       unsigned char sid[SESSION_ID_BYTES])
{
    unsigned char h[32];
    randombytes_buf(sid, SESSION_ID_BYTES);
    sha256(sid, SESSION_ID_BYTES, h);
    return st->acc->session_add(st, h, account, now, bg);
}

enum login_result auth_login(struct store *st, const char *login, const char *password,
                             const char *totp, const char *address, const char *old_cookie,
                             int64_t now, unsigned char sid[SESSION_ID_BYTES], struct account *acct)
{
    char subject[17], tkey[LOGIN_BYTES + 8];
    subject_of(login, subject);
    /* logins count in their own namespace: a login named "rel:…" or "invite:…" cannot lock
     * an office's 本人確認 or a family member's code entry */
    snprintf(tkey, sizeof tkey, "login:%s", login);
    /* Each attempt is recorded before it is answered; when it cannot be (a full disk), the
     * login fails closed as "unavailable" (LOGIN_ERROR): never an unrecorded attempt. */
    int th = auth_throttled(st, tkey, address, now);
    if (th < 0)
        return LOGIN_ERROR;
    if (th)
        return st->acc->security_event(st, now, "login_throttled", subject, address, "429")
                   ? LOGIN_ERROR
                   : LOGIN_THROTTLED;
    int rc = st->acc->account_by_login(st, login, acct);
    if (rc < 0)
        return LOGIN_ERROR;
    /* the same argon2id work whether or not the login exists */
    bool pw_ok = crypto_pwhash_str_verify(rc == 0 ? acct->password_hash : dummy_hash, password,
                                          strlen(password)) == 0 &&
                 rc == 0;
    int64_t step = rc == 0 ? acct->totp_last_step : 0;
    bool totp_ok = rc == 0 && totp_check(acct->totp_secret, TOTP_SECRET_BYTES, totp, now / 1000, &step);
    /* a right code used before in its step (the last step accepted): a replay */
    int64_t any = 0;
    bool replay = rc == 0 && pw_ok && !totp_ok && !acct->disabled_ms &&
                  totp_check(acct->totp_secret, TOTP_SECRET_BYTES, totp, now / 1000, &any);
    const char *why = rc != 0 ? "unknown_login" : !pw_ok ? "bad_password" : replay ? "totp_replay"
                      : !totp_ok ? "bad_totp" : acct->disabled_ms ? "disabled" : NULL;
    if (!why) {
        int src = st->acc->account_totp_step(st, acct->id, step);
        if (src < 0)
            return LOGIN_ERROR;
        if (src == STORE_NOTFOUND)
            why = "totp_replay";
    }
    if (why) {
        int erc = auth_note_failure(st, tkey, address, now) ||
                  st->acc->security_event(st, now, "login_failed", subject, address, why);
        sodium_memzero(acct, sizeof *acct);
        if (erc)
            return LOGIN_ERROR;
        return strcmp(why, "totp_replay") == 0 ? LOGIN_REPLAY : LOGIN_FAILED;
    }
    char hex[2 * SESSION_ID_BYTES + 1];
    unsigned char oh[32];
    if (cookie_session(old_cookie, hex) && hex_hash(hex, oh) && st->acc->session_end(st, oh, now))
        return LOGIN_ERROR;
    if (st->acc->security_event(st, now, "login", subject, address, "ok") ||
        new_session(st, acct->id, now, false, sid))
        return LOGIN_ERROR;
    return LOGIN_OK;
}

int auth_rotate(struct store *st, const struct principal *p, int64_t now, bool breakglass,
                unsigned char sid[SESSION_ID_BYTES])
{
    if (p->kind != P_SESSION || st->acc->session_end(st, p->sess_hash, now))
        return -1;
    return new_session(st, p->acct.id, now, breakglass, sid);
}

int auth_logout(struct store *st, const struct principal *p, int64_t now)
{
    return p->kind == P_SESSION ? st->acc->session_end(st, p->sess_hash, now) : 0;
}
