/*
 * auth.h - who is calling: API tokens, sessions, the operator token, login,
 * logout and throttling. The HTTP adapter's half of authentication; the rules
 * (password policy, TOTP, expiry, thresholds) are in domain/auth.h.
 *
 * SECURITY: inputs are untrusted header values. Secrets are compared in
 * constant time after hashing; nothing secret is logged. Failure answers are
 * identical for an unknown login and a wrong password (P18).
 */
#ifndef KAIGO_HTTP_AUTH_H
#define KAIGO_HTTP_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define SESSION_COOKIE "kaigo_session"
#define SESSION_ID_BYTES 32
#define TOKEN_PREFIX "kgt_"

enum principal_kind { P_NONE = 0, P_OPERATOR, P_TOKEN, P_SESSION };

struct principal {
    enum principal_kind kind;
    struct account acct; /* P_SESSION */
    struct org org;      /* P_TOKEN, and P_SESSION for staff */
    int64_t token_id;
    bool short_lived; /* P_TOKEN by an access token (kga_, tokens.h), not the API token itself */
    unsigned char sess_hash[SECRET_HASH_BYTES];
};

/* auth_init - once at start: the dummy hash that keeps unknown-login timing equal. */
void auth_init(void);

/* auth_resolve - from the Authorization and Cookie headers (either may be NULL).
 * Returns 0 (out->kind P_NONE if no valid credential), or -1 on a database error. */
int auth_resolve(struct store *st, const char *authz, const char *cookie, const char *op_token,
                 int64_t now, struct principal *out);

/* auth_refresh_principal - the principal behind a refresh token (tokens.h): out->kind P_NONE when it
 * does not verify, has ended or its API token is revoked; *refresh_end_ms when it does. -1 on a
 * database error. */
int auth_refresh_principal(struct store *st, const char *refresh, int64_t now, struct principal *out,
                           int64_t *refresh_end_ms);

/* principal_actor - the actor for a request about person target (NULL: none). */
void principal_actor(const struct principal *p, const struct person_key *target, struct actor *out);

/* LOGIN_REPLAY: password and code were right, but the code was already used in its 30-second
 * step (only someone holding both factors learns this; said so that they wait for the next) */
enum login_result { LOGIN_OK = 0, LOGIN_FAILED, LOGIN_THROTTLED, LOGIN_ERROR, LOGIN_REPLAY };

/* auth_login - password + TOTP; on LOGIN_OK a new session exists and its id
 * is in sid (old_cookie's session, if any, is ended: no fixation). */
enum login_result auth_login(struct store *st, const char *login, const char *password,
                             const char *totp, const char *address, const char *old_cookie,
                             int64_t now, unsigned char sid[SESSION_ID_BYTES], struct account *acct);

/* auth_rotate - ends the current session and opens a new one for the same
 * account (privilege change, e.g. break-glass). */
int auth_rotate(struct store *st, const struct principal *p, int64_t now, bool breakglass,
                unsigned char sid[SESSION_ID_BYTES]);
int auth_logout(struct store *st, const struct principal *p, int64_t now);

/* auth_throttled / auth_note_failure - RULE-AUTH-004 for any key (a login, "rel:<org>" for 本人確認
 * codes, "invite:<account>") and the client address, counted in the store so that every node on one
 * database counts the same failures (store_ops' throttle_hit; issue #22 §2). auth_throttled: 1 if
 * either is over its limit, 0 if not, -1 if the store could not say (the caller answers 503: it
 * fails closed). auth_note_failure: 0, or -1 when the failure could not be counted. */
int auth_throttled(struct store *st, const char *key, const char *addr, int64_t now);
int auth_note_failure(struct store *st, const char *key, const char *addr, int64_t now);

/* password_hash - argon2id PHC string (m = 19 MiB, t = 2, p = 1 or stronger). -1 on failure. */
int password_hash(const char *pw, char out[PHC_BYTES]);

/* cookie_value - the session id from a Cookie header into hex (65 bytes); false if absent. */
bool cookie_session(const char *cookie, char hex[2 * SESSION_ID_BYTES + 1]);

#endif
