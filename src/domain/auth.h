/*
 * auth.h - authentication rules. Pure (the caller passes the time and the
 * random bytes; libsodium's argon2id is called by store/accounts.c).
 *
 * RULE-AUTH-001 (安全管理ガイドライン 第6.0版 Q&A シQ-54, security.md P18):
 *   a password has ≥ 13 characters, or ≥ 8 mixing letters, digits and symbols
 *   when a second factor is enrolled (always, for kaigo accounts).
 * RULE-AUTH-002 (P17): login needs the password AND a current TOTP code
 *   (RFC 6238, HMAC-SHA1, 30 s, 6 digits, ±1 step); a password alone never
 *   yields a session.
 * RULE-AUTH-003 (P19): sessions end after 30 min idle or 12 h absolute.
 * RULE-AUTH-004 (P18): after AUTH_FAIL_ACCOUNT failures for one login, or
 *   AUTH_FAIL_ADDRESS from one address, within AUTH_FAIL_WINDOW_MS, further
 *   attempts are refused (429) until the window has passed.
 */
#ifndef KAIGO_DOMAIN_AUTH_H
#define KAIGO_DOMAIN_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/compiler.h"

#define PASSWORD_MIN_ALONE 13
#define PASSWORD_MIN_WITH_2FA 8
#define PASSWORD_MAX_BYTES 256

#define TOTP_STEP_S 30
#define TOTP_DIGITS 6
#define TOTP_SKEW_STEPS 1
#define TOTP_SECRET_BYTES 20
#define TOTP_B32_LEN 32 /* base32 of 20 bytes, no padding */

#define SESSION_IDLE_MS (30LL * 60 * 1000)
#define SESSION_ABSOLUTE_MS (12LL * 3600 * 1000)

#define AUTH_FAIL_ACCOUNT 5
#define AUTH_FAIL_ADDRESS 20
#define AUTH_FAIL_WINDOW_MS (15LL * 60 * 1000)

#define BREAKGLASS_MS (24LL * 3600 * 1000)
/* 本人確認 one-time codes (access issue §2): read by the person from their own
 * account and valid for an hour, or printed by the municipality on paper and
 * valid for a number of days (default 30, at most 90). */
#define IDENTITY_CODE_DIGITS 10
#define IDENTITY_CODE_SELF_MS (60LL * 60 * 1000)
#define IDENTITY_CODE_PAPER_DAYS 30
#define IDENTITY_CODE_PAPER_DAYS_MAX 90
#define BREAKGLASS_REASON_MIN_CHARS 10 /* visible characters (utf8_visible_count) */
#define VISUAL_CHECK_MIN_CHARS 4       /* 本人確認 by paper: what the office looked at, in words */

/* password_policy - NULL if acceptable, else the Japanese reason. */
const char *password_policy(const char *pw, bool second_factor);

/* totp_code - the RFC 6238 code for time t (seconds) and a raw secret. */
uint32_t totp_code(const unsigned char *secret, size_t n, int64_t t_seconds);
/* totp_check - accepts codes of steps t-1 … t+1 newer than *last_step (no
 * replay of a used code); on success *last_step is the matched step. */
bool totp_check(const unsigned char *secret, size_t n, const char *code, int64_t t_seconds,
                int64_t *last_step) NONNULL(1, 3, 5);

/* base32 (RFC 4648, no padding) for the otpauth:// secret. Returns length or -1. */
int base32_encode(const unsigned char *in, size_t n, char *out, size_t cap);
int base32_decode(const char *in, unsigned char *out, size_t cap);

/* session_alive - RULE-AUTH-003. */
bool session_alive(int64_t created_ms, int64_t last_seen_ms, int64_t now_ms);

#endif
