/*
 * access.h - the storage half of access control: organisations, accounts,
 * sessions, API tokens, and the facts the gate decides on (consents,
 * withdrawals, care relationships, proxies, break-glass, 意見書依頼,
 * 本人確認 codes). Part of the one store interface (struct store's acc table).
 *
 * Same conventions as store.h: 0 on success, STORE_NOTFOUND where stated, -1
 * on a database error (store_errmsg()). Every time is passed in by the caller
 * (UTC ms), so tests drive a fake clock. Secrets never come back out: the
 * store keeps SHA-256 of session ids, token secrets and one-time codes, and
 * argon2id strings of passwords.
 */
#ifndef KAIGO_STORE_ACCESS_H
#define KAIGO_STORE_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/auth.h"
#include "domain/gate.h"

struct store;

#define ORG_NAME_BYTES 161
#define LOGIN_BYTES 65
#define PHC_BYTES 128 /* crypto_pwhash_STRBYTES */
#define PERMS_BYTES 64
#define SECRET_HASH_BYTES 32

struct org {
    char id[ORG_ID_BYTES];
    enum org_kind kind;
    char name[ORG_NAME_BYTES];
    char insurer_no[INSURER_NO_LEN + 1]; /* ORG_INSURER only */
    char service_types[64];
    char office_no[11]; /* 事業所番号 of an office ('' if none): names it in CSV send units */
};

struct delivery { /* one person's part of a send unit, for one office (exchange relay) */
    struct person_key person;
    char to_org[ORG_ID_BYTES];
    char stamp[15];
    char what[24];    /* month:YYYYMM | plan:YYYYMMDD | jsk:YYYYMM | kihon:YYYYMMDD */
    char to_kind[3];
    char from_org[ORG_ID_BYTES];
    int64_t created_ms, downloaded_ms, acked_ms;
};

struct account {
    int64_t id;
    char login[LOGIN_BYTES];
    bool staff;
    char org[ORG_ID_BYTES];    /* staff */
    struct person_key person;  /* person accounts; empty for proxy-only accounts */
    char display_name[NAME_BYTES];
    char password_hash[PHC_BYTES];
    unsigned char totp_secret[TOTP_SECRET_BYTES];
    int64_t totp_last_step;
    char perms[PERMS_BYTES];
    int64_t disabled_ms;
};

struct session {
    int64_t account_id;
    int64_t created_ms, last_seen_ms, ended_ms;
    bool breakglass;
};

struct api_token {
    int64_t id;
    char org[ORG_ID_BYTES];
    char name[NAME_BYTES];
    unsigned char secret_hash[SECRET_HASH_BYTES];
    int64_t revoked_ms;
};

/* facts_buf - growable arrays behind struct gate_facts; facts_free() releases. */
struct facts_buf {
    struct consent *consents;
    size_t nconsents;
    struct withdrawal *withdrawals;
    size_t nwithdrawals;
    struct relationship *rels;
    size_t nrels;
    struct proxy *proxies;
    size_t nproxies;
    struct breakglass *bgs;
    size_t nbgs;
    struct ikensho_request *reqs;
    size_t nreqs;
};
void facts_free(struct facts_buf *b);

enum facts_need { /* what to load: only what the matrix cell asks for */
    NEED_CONSENT = 1,
    NEED_RELS = 2,
    NEED_PROXIES = 4,
    NEED_BREAKGLASS = 8,
    NEED_REQUESTS = 16,
};

/* one row of a person's access report (the audit log joined with org names) */
struct access_row {
    int64_t seq, time_ms;
    char actor[ACTOR_ID_BYTES];
    char org[ORG_ID_BYTES];
    char org_name[ORG_NAME_BYTES];
    char role[16], category[16], purpose[16], basis[16], outcome[16];
    unsigned flags;
    char actor_name[NAME_BYTES]; /* a proxy's display name (the person sees who acted for them) */
};
typedef int access_row_fn(void *ctx, const struct access_row *r);

struct scope_row { /* leak scoping: one (person, category) an actor/org reached */
    struct person_key person;
    char category[16];
    long long allowed, denied;
};
typedef int scope_row_fn(void *ctx, const struct scope_row *r);

struct paper_reg_row {
    int64_t id, started_ms, ended_ms;
    struct person_key person;
    char org[ORG_ID_BYTES];
    char org_name[ORG_NAME_BYTES];
    char evidence[TEXT_BYTES + 64]; /* "保険者番号/serial: visual check" */
    char created_by[ACTOR_ID_BYTES];
};
typedef int paper_reg_fn(void *ctx, const struct paper_reg_row *r);
/* one open care relationship of an organisation: the person, since when, the last 実績 month (YYYYMM or 0) */
struct plan_month { /* a person's month at a care manager's office */
    int64_t draft_ms;  /* 作成中: a draft was saved then; 0 = none */
    int64_t issued_ms; /* 交付済: handed to the person then; 0 = not yet */
};

struct org_request { /* one 主治医意見書作成依頼 to an institution */
    struct person_key person;
    char app_id[24];
    int64_t opened_ms, closed_ms; /* closed 0 = open */
    int64_t answered_ms;          /* the opinion was recorded; 0 = not yet */
    bool draft;                   /* the institution keeps a draft for it */
};
typedef int org_request_fn(void *ctx, const struct org_request *r);
typedef int org_person_fn(void *ctx, const struct person_key *k, int64_t started_ms, int last_actual_ym);

struct breakglass_row {
    struct breakglass g;
    struct person_key person;
    char org[ORG_ID_BYTES];
    char reason[TEXT_BYTES];
    int64_t reviewed_ms;
    char reviewed_by[ACTOR_ID_BYTES];
};
typedef int breakglass_row_fn(void *ctx, const struct breakglass_row *r);

/* a proxy invitation (the person's choice of scope; the code only as its hash) */
struct proxy_invite {
    int64_t id;
    struct person_key person;
    unsigned char code_hash[32];
    enum proxy_kind kind;
    uint32_t cats;
    char label[NAME_BYTES];
    int64_t created_ms, expires_ms;
};

/* one person an account acts for (the proxy's list) */
struct proxy_for {
    int64_t id;
    struct person_key person;
    enum proxy_kind kind;
    uint32_t cats;
    char label[NAME_BYTES];
};
typedef int proxy_for_fn(void *ctx, const struct proxy_for *p);

struct person_grants_fn { /* the person's view of consents, withdrawals, proxies, relationships */
    int (*consent)(void *ctx, const struct consent *c, const char *collected_by);
    int (*withdrawal)(void *ctx, const struct withdrawal *w, const char *by);
    int (*proxy)(void *ctx, const struct proxy *p, const char *login, const char *basis);
    int (*relationship)(void *ctx, const struct relationship *r, const char *org_name);
    int (*breakglass)(void *ctx, const struct breakglass_row *b);
    int (*invite)(void *ctx, const struct proxy_invite *i); /* unused proxy codes (may be NULL) */
};

struct store_access_ops {
    int (*org_add)(struct store *st, const struct org *o, const char *by);
    int (*org_get)(struct store *st, const char *id, struct org *out); /* or NOTFOUND */
    int (*org_list)(struct store *st, int (*fn)(void *ctx, const struct org *o), void *ctx);
    int (*org_by_office)(struct store *st, const char *office_no, struct org *out); /* or NOTFOUND */

    /* exchange relay: deliveries (INSERT OR IGNORE: a resend of the same unit is one delivery) */
    int (*delivery_add)(struct store *st, const struct delivery *d);
    /* deliveries_open - the org's deliveries not yet acknowledged, oldest unit first */
    int (*deliveries_open)(struct store *st, const char *to_org,
                           int (*fn)(void *ctx, const struct delivery *d), void *ctx);
    int (*delivery_get)(struct store *st, const struct person_key *k, const char *to_org,
                        const char *stamp, struct delivery *out); /* or NOTFOUND */
    /* delivery_mark - downloaded (ack false) or acknowledged (ack true) at now; NOTFOUND if none */
    int (*delivery_mark)(struct store *st, const struct person_key *k, const char *to_org,
                         const char *stamp, bool ack, int64_t now);

    /* account_add - *id set. The password must already be an argon2id string. */
    int (*account_add)(struct store *st, struct account *a, const char *by);
    int (*account_by_login)(struct store *st, const char *login, struct account *out); /* or NOTFOUND */
    int (*account_get)(struct store *st, int64_t id, struct account *out); /* or NOTFOUND */
    /* account_totp_step - records the TOTP step used, only if newer (no replay). */
    int (*account_totp_step)(struct store *st, int64_t id, int64_t step);

    int (*session_add)(struct store *st, const unsigned char id_hash[32], int64_t account,
                       int64_t now, bool breakglass);
    int (*session_get)(struct store *st, const unsigned char id_hash[32], struct session *out);
    int (*session_touch)(struct store *st, const unsigned char id_hash[32], int64_t now);
    int (*session_end)(struct store *st, const unsigned char id_hash[32], int64_t now);
    /* session_count - sessions not ended, seen since idle_since and made since created_since */
    int (*session_count)(struct store *st, int64_t idle_since, int64_t created_since, long long *n);

    int (*token_add)(struct store *st, const char *org, const char *name,
                     const unsigned char hash[32], const char *by, int64_t *id);
    int (*token_get)(struct store *st, int64_t id, struct api_token *out); /* or NOTFOUND */
    int (*token_revoke)(struct store *st, int64_t id, int64_t now); /* or NOTFOUND */

    /* facts_load - the person's facts the gate needs (need: enum facts_need bits). */
    int (*facts_load)(struct store *st, const struct person_key *k, const struct actor *a,
                      unsigned need, struct facts_buf *out);

    int (*consent_add)(struct store *st, const struct person_key *k, const struct consent *c,
                       const char *collected_by, const char *by, int64_t *id);
    int (*withdrawal_add)(struct store *st, const struct person_key *k, const struct withdrawal *w,
                          const char *by, int64_t *id);
    /* relationship_add - how: "code" (one-time code) or "paper" (a current card's token and
     * a visual check); evidence: what was relied on ("" for a code). */
    int (*relationship_add)(struct store *st, const struct person_key *k, const char *org,
                            int64_t now, const char *how, const char *evidence, const char *by, int64_t *id);
    /* relationship_end / relationship_actual - for org's open relationship(s) with k; NOTFOUND if none. */
    int (*relationship_end)(struct store *st, const struct person_key *k, const char *org, int64_t now);
    int (*relationship_actual)(struct store *st, const struct person_key *k, const char *org, int ym);
    int (*proxy_add)(struct store *st, const struct person_key *k, const struct proxy *p,
                     int64_t account, const char *basis, int64_t now, const char *by, int64_t *id);
    /* proxy_invite_add - a one-time invitation for a proxy (issue #14). */
    int (*proxy_invite_add)(struct store *st, const struct proxy_invite *inv, const char *by, int64_t *id);
    /* proxy_invite_redeem - the unused, unexpired invitation with this code hash becomes a
     * proxy registration of account (basis "invite:<id>"); NOTFOUND if there is none. The
     * caller holds a write transaction. */
    int (*proxy_invite_redeem)(struct store *st, const unsigned char code_hash[32], int64_t account,
                               int64_t now, const char *by, struct proxy_for *out);
    /* proxy_invite_cancel - an unused code of person k can no longer be used; NOTFOUND if none. */
    int (*proxy_invite_cancel)(struct store *st, const struct person_key *k, int64_t id, int64_t now,
                               const char *by);
    /* account_proxies - the persons account may act for now (valid, not revoked). */
    int (*account_proxies)(struct store *st, int64_t account, int64_t now, proxy_for_fn *fn, void *ctx);
    /* proxy_revoke - NOTFOUND unless proxy id belongs to person k and is not yet revoked. */
    int (*proxy_revoke)(struct store *st, const struct person_key *k, int64_t id, int64_t now,
                        const char *by);
    int (*breakglass_add)(struct store *st, const struct person_key *k, int64_t account,
                          const char *org, const char *reason, int64_t now, int64_t *id);
    int (*breakglass_reviews)(struct store *st, const char *insurer_no, bool open_only,
                              breakglass_row_fn *fn, void *ctx);
    /* paper_registrations - the insurer's care relationships registered by paper 本人確認
     * (established_by 'paper') since since_ms, newest first: for the municipality's review. */
    int (*paper_registrations)(struct store *st, const char *insurer_no, int64_t since_ms,
                               paper_reg_fn *fn, void *ctx);
    /* org_persons - the persons org has an open (not ended) care relationship with, by insurer and
     * number, each once: the office's 利用者一覧 (the gate still decides each, lapse included). */
    /* consent_holders - the insured numbers of an insurer's persons with any consent naming a category of cats
     * (in force or not: the gate decides); for 二次利用's export (service/disclose.c) */
    int (*consent_holders)(struct store *st, const char *insurer_no, uint32_t cats,
                           int (*fn)(void *ctx, const char *insured_no), void *ctx);
    int (*org_persons)(struct store *st, const char *org, org_person_fn *fn, void *ctx);
    /* breakglass_close - NOTFOUND unless the grant is the insurer's and still open. */
    int (*breakglass_close)(struct store *st, const char *insurer_no, int64_t id, const char *by,
                            const char *note, int64_t now);
    int (*request_add)(struct store *st, const struct person_key *k, const char *org, int64_t now,
                       const char *by, const char *app_id, int64_t *id);
    /* org_requests - the 意見書作成依頼 to org, newest first (at most 500): the doctor's inbox. Names
     * persons: the caller passes each through the gate before showing anything of it. */
    int (*org_requests)(struct store *st, const char *org, org_request_fn *fn, void *ctx);
    /* ikensho draft of (person, application, org): put replaces, get gives a malloc'd body or NOTFOUND,
     * del removes (0 also when there was none). Only after the gate allowed the org the 意見書. */
    int (*draft_put)(struct store *st, const struct person_key *k, const char *app_id, const char *org,
                     const char *body, int64_t now, const char *by);
    int (*draft_get)(struct store *st, const struct person_key *k, const char *app_id, const char *org,
                     char **body, int64_t *saved_ms);
    /* plan_month_* - the care manager's month of a person (table plan_months): the editor's draft (作成中)
     * and 交付. get: NOTFOUND when there is no row; *draft malloc'd or NULL. Only after the gate allowed
     * the office the person's 計画. */
    int (*plan_month_get)(struct store *st, const struct person_key *k, const char *org, const char *month,
                          struct plan_month *out, char **draft);
    int (*plan_draft_put)(struct store *st, const struct person_key *k, const char *org, const char *month,
                          const char *body, int64_t now, const char *by); /* body NULL: the draft goes */
    int (*plan_issued)(struct store *st, const struct person_key *k, const char *org, const char *month,
                       int64_t now, const char *by);
    /* deliveries_sent - what from_org sent about the person (the relay's deliveries, newest first, at
     * most 50): to whom, what, when, downloaded, acknowledged. Only after the gate allowed 計画. */
    int (*deliveries_sent)(struct store *st, const struct person_key *k, const char *from_org,
                           int (*fn)(void *ctx, const struct delivery *d), void *ctx);
    /* visit_add - a monitoring visit of org to the person on 'on' (video: by テレビ電話装置等 with its
     * conditions confirmed); the same visit again is no change. visit_last - the last home visit
     * (none if never) and whether a video visit came after it. */
    int (*visit_add)(struct store *st, const struct person_key *k, const char *org, struct date on, bool video,
                     int64_t now, const char *by);
    int (*visit_last)(struct store *st, const struct person_key *k, const char *org, struct date *last_home,
                      bool *video_after);
    /* request_answered - the opinion of org for app_id was recorded: the request says so and its
     * draft goes (in the caller's transaction) */
    int (*request_answered)(struct store *st, const struct person_key *k, const char *app_id, const char *org,
                            int64_t now);
    int (*request_close)(struct store *st, const struct person_key *k, const char *org, int64_t now);

    int (*code_add)(struct store *st, const struct person_key *k, const unsigned char hash[32],
                    int64_t now, int64_t expires, const char *via);
    /* code_use - marks an unused, unexpired code used; NOTFOUND otherwise. */
    int (*code_use)(struct store *st, const struct person_key *k, const unsigned char hash[32],
                    int64_t now);

    int (*security_event)(struct store *st, int64_t now, const char *kind, const char *subject,
                          const char *address, const char *detail);
    /* throttle_hit - counts one failure for key (a kind and a hash: never a login or an address in clear)
     * in its window of window_ms from its first failure, into *hits including this one; in the store,
     * so every node on it counts the same (RULE-AUTH-004). throttle_count - the count in the key's
     * current window (0 when it has passed or there is none), counting nothing. -1 on error. */
    int (*throttle_hit)(struct store *st, const char *key, int64_t window_ms, int64_t now, int64_t *hits);
    int (*throttle_count)(struct store *st, const char *key, int64_t now, int64_t *hits);

    /* person_access - the audit rows of one person, oldest first (the access report). */
    int (*person_access)(struct store *st, const struct person_key *k, access_row_fn *fn, void *ctx);
    /* person_grants - consents, withdrawals, proxies, relationships, break-glass of one person. */
    int (*person_grants)(struct store *st, const struct person_key *k,
                         const struct person_grants_fn *fn, void *ctx);
    /* audit_scope - leak scoping: (person, category) pairs reached by an org or an actor in [from, to). */
    int (*audit_scope)(struct store *st, const char *org, const char *actor, int64_t from,
                       int64_t to, scope_row_fn *fn, void *ctx);
};

#endif
