/*
 * tokens.h - short-lived access tokens and refresh tokens for office software, in the shape of the national
 * 介護保険資格確認等WEBサービス API (national.md §3: access token 60 minutes, refresh token 8 hours; issue #17 §2).
 *
 * An office's long-lived API token (kgt_…, `kaigo token issue`) is its client credential: POST /api/v1/token
 * with it returns an access token (kga_…) and a refresh token (kgr_…); POST /api/v1/token/refresh with the
 * refresh token returns a new access token until the refresh token ends. Both are Ed25519-signed by the
 * server's key (<db>.token-key, 0600, created on first use; keyfile.h) over their kind, the API token's id
 * and the end time: nothing is stored per token, and revoking the API token (`kaigo token revoke`) ends
 * every access and refresh token made from it at once (each use reads the API token).
 *
 * SECURITY: tokens are untrusted header or body bytes, parsed here with fixed limits; a token that does not
 * parse, verify, or whose time has passed is no credential (401), never an error.
 */
#ifndef KAIGO_HTTP_TOKENS_H
#define KAIGO_HTTP_TOKENS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACCESS_PREFIX "kga_"
#define REFRESH_PREFIX "kgr_"
#define ACCESS_MINUTES_DEFAULT 60
#define REFRESH_HOURS_DEFAULT 8
#define SHORT_TOKEN_BYTES 192 /* kga_<id>_<end ms>_<128 hex> and the NUL, with room */

/* tokens_init - the server's token key (<db>.token-key), once at start. 0, or -1 after a message. */
int tokens_init(const char *db);

/* token_make - a token of kind 'a' (access) or 'r' (refresh) for API token id, ending at end_ms. */
void token_make(char kind, int64_t api_token_id, int64_t end_ms, char out[SHORT_TOKEN_BYTES]);

/* token_check - t (NUL-terminated) is a token of kind, signed by this server, not ended at now: 0 with
 * *api_token_id and *end_ms, else -1 (malformed, another kind, a bad signature or ended). */
int token_check(const char *t, char kind, int64_t now, int64_t *api_token_id, int64_t *end_ms);

/* tokens_lifetimes - the configured lifetimes in ms (serve --access-token-lifetime, --refresh-token-lifetime). */
void tokens_set_lifetimes(int64_t access_ms, int64_t refresh_ms);
int64_t tokens_access_ms(void);
int64_t tokens_refresh_ms(void);

/* lifetime_parse - "90s", "60m", "8h" (1 s to 30 days) into ms; -1 if malformed. */
int64_t lifetime_parse(const char *s);

#endif
