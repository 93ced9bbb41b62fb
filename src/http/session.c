/*
 * session.c - login, logout and whoami for API clients (JSON).
 */
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "domain/auth.h"
#include "domain/wareki.h"
#include "codec/cardjson.h"
#include "http/docview.h"
#include "http/internal.h"
#include "http/limits.h"
#include "audit/auditq.h"
#include "service/certstore.h"
#include "service/cpstore.h"
#include "codec/docjson.h"
#include "http/tokens.h"
#include "store/keyfile.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* ---- login, logout, whoami ------------------------------------------------- */

int h_login(struct req *r)
{
    struct jsonflat j;
    char login[LOGIN_BYTES], pw[PASSWORD_MAX_BYTES + 1], totp[16], addr[INET_ADDRSTRLEN];
    if (body_json(r, &j) || body_str(r, &j, "login", login, sizeof login, true) ||
        body_str(r, &j, "password", pw, sizeof pw, true) ||
        body_str(r, &j, "totp", totp, sizeof totp, false))
        return 0;
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    unsigned char sid[SESSION_ID_BYTES];
    struct account a;
    enum login_result lr =
        auth_login(st, login, pw, totp, client_address(r, addr),
                   MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Cookie"), clock_now_ms(), sid, &a);
    sodium_memzero(pw, sizeof pw);
    switch (lr) {
    case LOGIN_OK:
        break;
    case LOGIN_THROTTLED:
        return http_error(r, 429, "too_many_attempts",
                          "ログインの失敗が続いたため、しばらく受け付けません。時間をおいてください");
    case LOGIN_REPLAY:
        return http_error(r, 401, "totp_reused",
                          "この確認コードはすでに使われました。認証アプリに次のコードが出てから入力してください(30秒ごとに変わります)");
    case LOGIN_FAILED: /* identical for unknown login, wrong password, missing/wrong code */
        return http_error(r, 401, "auth_failed", "認証に失敗しました");
    case LOGIN_ERROR: /* the attempt cannot be recorded (a full disk): closed, said so */
        return http_error(r, 503, "unavailable",
                          "ただいまログインを記録できないため、受け付けられません。時間をおいてもう一度お試しください");
    }
    set_session_cookie(r, sid);
    sodium_memzero(sid, sizeof sid);
    json_t *o = json_pack("{s:s,s:s,s:s}", "login", a.login, "display_name", a.display_name,
                          "kind", a.staff ? "staff" : "person");
    sodium_memzero(&a, sizeof a);
    return respond_json(r, 200, o);
}

int h_logout(struct req *r)
{
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    if (auth_logout(st, &r->who, clock_now_ms()))
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    snprintf(r->set_cookie, sizeof r->set_cookie,
             "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0", SESSION_COOKIE);
    return respond_json(r, 200, json_pack("{s:s}", "status", "logged_out"));
}

/* ---- short-lived tokens (tokens.h; the WEB service's 60 minutes / 8 hours) ----------- */

static int token_reply(struct req *r, int64_t id, int64_t now, int64_t refresh_end, bool with_refresh)
{
    int64_t access_end = now + tokens_access_ms();
    if (access_end > refresh_end)
        access_end = refresh_end; /* never past the refresh token it came from */
    char at[SHORT_TOKEN_BYTES], rt[SHORT_TOKEN_BYTES];
    token_make('a', id, access_end, at);
    json_t *o = json_pack("{s:s,s:s,s:I}", "token_type", "Bearer", "access_token", at, "expires_in",
                          (json_int_t)((access_end - now) / 1000));
    if (with_refresh) {
        token_make('r', id, refresh_end, rt);
        json_object_set_new(o, "refresh_token", json_string(rt));
        json_object_set_new(o, "refresh_expires_in", json_integer((refresh_end - now) / 1000));
        sodium_memzero(rt, sizeof rt);
    }
    sodium_memzero(at, sizeof at);
    return respond_json(r, 200, o);
}

/* h_token - POST /api/v1/token with the office's API token (kgt_): an access token and a refresh token.
 * An access token cannot make more (403): only the credential itself can. */
int h_token(struct req *r)
{
    if (r->who.kind != P_TOKEN || r->who.short_lived)
        return http_error(r, 403, "forbidden",
                          "アクセストークンは、事業所の API トークン(kgt_)で発行します(セッションやアクセストークンからは発行できません)");
    int64_t now = clock_now_ms();
    return token_reply(r, r->who.token_id, now, now + tokens_refresh_ms(), true);
}

/* h_token_refresh - POST /api/v1/token/refresh {"refresh_token": "kgr_…"}: a new access token until the
 * refresh token ends; the same answer (401) for a malformed, forged, ended or revoked one. */
int h_token_refresh(struct req *r)
{
    struct jsonflat j;
    char rt[SHORT_TOKEN_BYTES];
    if (body_json(r, &j) || body_str(r, &j, "refresh_token", rt, sizeof rt, true))
        return 0;
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    struct principal p;
    int64_t now = clock_now_ms(), end;
    int rc = auth_refresh_principal(st, rt, now, &p, &end);
    sodium_memzero(rt, sizeof rt);
    if (rc < 0)
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    if (p.kind != P_TOKEN)
        return http_error(r, 401, "auth_failed", "リフレッシュトークンが正しくないか、期限が切れています。API トークンで発行し直してください");
    return token_reply(r, p.token_id, now, end, false);
}

static int represented(void *ctx, const struct proxy_for *p)
{
    json_t *cats = json_array();
    for (int c = CAT_NONE + 1; c < CAT_COUNT; c++)
        if (p->cats & CAT_BIT(c))
            json_array_append_new(cats, json_string(category_code((enum category)c)));
    json_array_append_new(ctx, json_pack("{s:I,s:s,s:s,s:s,s:s,s:o}", "proxy_id", (json_int_t)p->id, "insurer_no",
                                         p->person.insurer_no, "insured_no", p->person.insured_no, "kind",
                                         proxy_kind_code(p->kind), "label", p->label, "categories", cats));
    return 0;
}

int h_whoami(struct req *r)
{
    struct actor a;
    principal_actor(&r->who, NULL, &a);
    json_t *o = json_pack("{s:s,s:s,s:s}", "actor", a.id, "role",
                          r->who.kind == P_SESSION && !r->who.acct.staff ? "person" : role_code(a.role),
                          "organisation", a.org);
    if (r->who.kind != P_OPERATOR && r->who.org.id[0])
        json_object_set_new(o, "organisation_name", json_string(r->who.org.name));
    if (r->who.kind == P_SESSION)
        json_object_set_new(o, "display_name", json_string(r->who.acct.display_name));
    if (r->who.kind == P_SESSION && !r->who.acct.staff) {
        /* the persons this account acts for (its own proxy registrations, not their data) */
        struct store *st = store_or_503(r);
        if (!st) {
            json_decref(o);
            return 0;
        }
        json_t *arr = json_array();
        if (st->acc->account_proxies(st, r->who.acct.id, clock_now_ms(), represented, arr)) {
            json_decref(arr);
            json_decref(o);
            return http_error(r, 500, "internal", "内部エラーが発生しました");
        }
        json_object_set_new(o, "represents", arr);
    }
    return respond_json(r, 200, o);
}

