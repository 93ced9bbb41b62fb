/*
 * disclose.h - the disclosure pipeline: the one way to obtain a person's data.
 *
 *   1. facts are loaded (does the person exist; the consents, relationships,
 *      proxies, break-glass grants and 意見書依頼 the matrix cell needs),
 *   2. gate_decide() (domain) allows or denies, with the basis,
 *   3. on allow the data is read (same connection, one snapshot),
 *   4. the audit entry is appended and made durable (auditq, group commit),
 *   5. only then is DISCLOSE_OK reported with the data.
 * Denials and not-found are audited too. If the audit append fails the status
 * is DISCLOSE_AUDIT_FAILED and the caller must send nothing it collected (the
 * card is wiped here; row callers wipe their own buffer).
 *
 * What is read is fixed here (enum disclose_what), not chosen by the caller:
 * the caller only supplies where rows go (callbacks that copy into a buffer
 * that is sent after step 5).
 */
#ifndef KAIGO_STORE_DISCLOSE_H
#define KAIGO_STORE_DISCLOSE_H

#include "domain/auth.h"
#include "domain/card.h"
#include "domain/gate.h"
#include "audit/auditq.h"
#include "store/store.h"

enum disclose_status {
    DISCLOSE_OK = 0,
    DISCLOSE_DENIED,
    DISCLOSE_NOT_FOUND,
    DISCLOSE_AUDIT_FAILED,
    DISCLOSE_ERROR,
};

enum disclose_what {
    WHAT_CARD,       /* CAT_SHIKAKU: the 被保険者証 on a date */
    WHAT_ACCESS_LOG, /* CAT_ACCESSLOG: every audit row of the person */
    WHAT_GRANTS,     /* CAT_ACCESSLOG: consents, withdrawals, proxies, relationships, break-glass */
    WHAT_DOCS,       /* the current records of the category's kind: CAT_SHINSAKAI applications,
                        CAT_CHOSA 認定調査票, CAT_IKENSHO 主治医意見書 (RULE-DOC-003 applied
                        per document), CAT_LIFE feedback, CAT_JUTAKU ledger claims,
                        CAT_CAREPLAN the CSV standard's record sets (service/cpstore.h) */
    WHAT_HISTORY,    /* CAT_SHIKAKU: every version of the registry records with who, when and why (真正性)
                        → hist_fn */
    WHAT_PAPER,      /* CAT_PAPER: the issue record of the presented document (paper, whose token
                        the caller verified; sets paper_presented) → paper_out */
};

/* doc_row_fn - one document as stored (canonical JSON), valid during the call. */
typedef int doc_row_fn(void *ctx, const char *kind, const char *rkey, const char *body);

typedef void disclose_done_fn(void *ctx, enum disclose_status status);

struct disclosure {
    /* in */
    struct gate_request rq;
    const char *request_id;
    int64_t time_ms;       /* the decision's "now" and the audit time */
    enum disclose_what what;
    struct date on;        /* WHAT_CARD */
    struct card *card;     /* WHAT_CARD: output */
    access_row_fn *row_fn; /* WHAT_ACCESS_LOG */
    const struct person_grants_fn *grants_fn; /* WHAT_GRANTS */
    doc_row_fn *doc_fn;                       /* WHAT_DOCS */
    store_history_fn *hist_fn;                /* WHAT_HISTORY */
    void *row_ctx;
    const struct paper_token *paper; /* WHAT_PAPER: the presented token, signature verified */
    bool paper_presented;            /* the request presents a verified token of this person */
    struct paper_record *paper_out;  /* WHAT_PAPER: output */
    /* out */
    struct gate_decision decision;
    int64_t audit_seq;
    int withheld; /* WHAT_DOCS: documents the gate withheld (also in the audit entry's basis ref) */
    /* private: the pending audit append */
    struct audit_entry entry;
    struct auditq_ticket ticket;
    enum disclose_status status;
    disclose_done_fn *fn;
    void *ctx;
};

/* disclose - steps 1–5, blocking until the audit entry is durable. */
MUST_CHECK enum disclose_status disclose(struct store *st, struct auditq *aq, struct disclosure *d);

/* disclose_async - steps 1–3 now, step 4 in the audit writer; fn(ctx, status)
 * runs exactly once when the entry is durable (or failed), from the writer
 * thread, or before this returns if nothing needs to be appended. Until then
 * *d and its outputs must stay valid and must not be read. */
void disclose_async(struct store *st, struct auditq *aq, struct disclosure *d,
                    disclose_done_fn *fn, void *ctx);

/* disclose_card - disclose() of WHAT_CARD into *out (kept for the CLI and tests). */
MUST_CHECK enum disclose_status disclose_card(struct store *st, struct auditq *aq,
                                              struct disclosure *d, struct date on,
                                              struct card *out);

/* disclose_doc_kind - the record kind WHAT_DOCS reads for a category, or NULL. */
const char *disclose_doc_kind(enum category c);

/* The monitoring visits the actor's office recorded for a person (monitoring_visits): the last home visit
 * (DATE_NONE if none) and whether a video visit came after it. */
struct cl_visits {
    struct date last_home;
    bool video_after;
};
/* caseload_row_fn - one person whose 第6表 of the month comes from the office: the
 * stored set bodies (cpstore.h) of that 6表, of its 補足 (UPHOSOKU "M"+month; NULL if
 * none), of the latest 1表 and of the latest 介護予防サービス・支援計画書 (UPYOBO, whose
 * No.5 計画種類 tells 介護予防支援 from 介護予防ケアマネジメント) made by the end of the
 * month (NULL if none). */
typedef int caseload_row_fn(void *ctx, const struct person_key *k, const char *plan, const char *hosoku,
                            const char *kyo1, const char *yobo, const struct cl_visits *v);

/* disclose_caseload - the care manager's office's month from the stored plans: every
 * person, of every insurer in the store, whose current 第6表 for month (YYYYMM) names
 * office_no as プラン担当業者, decided and audited (CAT_CAREPLAN, the actor's purpose)
 * before fn is given anything; denied persons are audited and skipped. As
 * disclose_worklist otherwise. */
MUST_CHECK enum disclose_status disclose_caseload(struct store *st, struct auditq *aq,
                                                  const struct actor *actor, enum purpose purpose,
                                                  const char *office_no, const char *month,
                                                  const char *request_id, int64_t now,
                                                  caseload_row_fn *fn, void *ctx, long long *shown,
                                                  long long *denied);

/* One person of an office's 利用者一覧 (valid during the call). */
enum office_plan_state {
    PLAN_NONE,     /* no 第6表 of the month */
    PLAN_SHEET6,   /* a 第6表 (提供票) of the month from the office */
    PLAN_ACTUAL,   /* a 実績 of the month received */
};
struct office_person {
    const struct card *card;   /* 資格 on 'on' */
    bool plan_shown;           /* 計画 was allowed: plan_state is meaningful */
    enum office_plan_state plan_state;
    int64_t started_ms;        /* the care relationship since */
    int last_actual_ym;
    int64_t draft_ms, issued_ms; /* the office's month (plan_months): 作成中 since, 交付済 on; 0 = not */
    struct date last_home;       /* the office's last recorded home visit (monitoring_visits), or none */
    bool video_after;            /* a テレビ電話 visit after it */
};
typedef int office_person_fn(void *ctx, const struct office_person *p);

/* disclose_office_people - the persons org (its 事業所番号 office_no) has an open care relationship
 * with: each decided and audited for 資格 (CAT_SHIKAKU) and, when allowed, for 計画 (CAT_CAREPLAN)
 * in chunks of BATCH_CHUNK before anything about it is read; fn gets the allowed persons' cards on
 * 'on' and their plan state for month (YYYYMM). Persons the gate refuses (no consent, a lapsed
 * relationship) are audited and counted in *denied, nothing more. */
MUST_CHECK enum disclose_status disclose_office_people(struct store *st, struct auditq *aq,
                                                       const struct actor *actor, enum purpose purpose,
                                                       const char *org, const char *office_no,
                                                       const char *month, struct date on,
                                                       const char *request_id, int64_t now,
                                                       office_person_fn *fn, void *ctx, long long *shown,
                                                       long long *denied);

/* batch_card_fn - one person's card for a batch print (valid during the call). */
typedef int batch_card_fn(void *ctx, const struct card *c);
/* batch_want_fn - whether a listed person is still to be printed (a resumed run skips
 * those its manifest holds); called before anything about the person is read. */
typedef bool batch_want_fn(void *ctx, const char *insured_no);

/* disclose_insurer_cards - every person of the insurer (with since: whose records changed
 * on or after it; for an insurer issuing the card at 申請, only persons with a 認定 or an
 * application) that want keeps, in insured-number order and in chunks of
 * BATCH_CHUNK: each chunk decided and audited (CAT_SHIKAKU, the actor's purpose; one
 * group commit) before the cards of its allowed persons on 'on' are built and handed to
 * fn. *total gets the number of persons listed and kept. As disclose_worklist otherwise. */
#define BATCH_CHUNK 256
MUST_CHECK enum disclose_status disclose_insurer_cards(struct store *st, struct auditq *aq,
                                                       const struct actor *actor, enum purpose purpose,
                                                       const char *insurer_no, const char *since,
                                                       struct date on, const char *request_id, int64_t now,
                                                       batch_want_fn *want, batch_card_fn *fn, void *ctx,
                                                       long long *total, long long *shown, long long *denied);

/* worklist_row_fn - one pending application of the insurer (stored JSON body). */
typedef int worklist_row_fn(void *ctx, const char *insured_no, const char *body);

/* disclose_worklist - the certification worklist: every pending application of
 * the insurer, each person's row through the gate (rq's actor and purpose,
 * CAT_SHINSAKAI) and audited against that person before any row is handed to
 * fn; denied persons are audited and skipped. *shown, *denied count them.
 * DISCLOSE_AUDIT_FAILED if any entry could not be made durable (fn has then
 * been given nothing). */
MUST_CHECK enum disclose_status disclose_worklist(struct store *st, struct auditq *aq,
                                                  const struct actor *actor, const char *insurer_no,
                                                  const char *request_id, int64_t now,
                                                  worklist_row_fn *fn, void *ctx, long long *shown,
                                                  long long *denied);

/* disclose_persons - one decision and one audit entry per person (category c,
 * the actor's purpose), all durable before it returns; ok[i] says whether
 * person i may be shown. For listings that name persons (the exchange inbox).
 * DISCLOSE_AUDIT_FAILED: nothing may be shown. */
MUST_CHECK enum disclose_status disclose_persons(struct store *st, struct auditq *aq,
                                                 const struct actor *actor, enum category c,
                                                 enum purpose purpose, const struct person_key *persons,
                                                 size_t n, const char *request_id, int64_t now,
                                                 bool *ok);

/* The clerk's search (issue #19 §1): by 被保険者番号 (exact), カナ氏名 (prefix, compared by kana_key) and 生年月日,
 * any combination, at least one. */
#define SEARCH_MAX 50
struct search_query {
    char insured_no[INSURED_NO_LEN + 1]; /* "" = any */
    char kana[NAME_BYTES];              /* "" = any */
    struct date birth;                  /* DATE_NONE = any */
};
/* One person found: the minimum a clerk needs to pick the right one (valid during the call). */
struct search_hit {
    struct person_key key;
    const char *name, *kana;
    struct date birth;
    int sex;
    bool lost; /* 資格喪失 */
};
typedef int search_hit_fn(void *ctx, const struct search_hit *h);

/* disclose_search - the insurer's persons whose current 資格 record matches q (at most SEARCH_MAX, in insured-number
 * order; *more says there were more), each decided and audited for 資格 (CAT_SHIKAKU, the actor's purpose) in one
 * group commit before fn is given anything; refused persons are audited and counted in *denied. The match itself
 * reads the insurer's registry inside the store and shows nothing. As disclose_worklist otherwise. */
MUST_CHECK enum disclose_status disclose_search(struct store *st, struct auditq *aq, const struct actor *actor,
                                                const char *insurer_no, const struct search_query *q,
                                                const char *request_id, int64_t now, search_hit_fn *fn, void *ctx,
                                                long long *shown, long long *denied, bool *more);

/* One person of a 二次利用 export (issue #19 §2), pseudonymised: no name, number, date of birth or address. */
struct export_row {
    char pseudonym[33];    /* keyed BLAKE2b of the person's key under the export's own random key (hex) */
    int age_from;          /* 5-year band on the month's last day (65 → 65〜69); -1 if unknown */
    int sex;               /* 1 男 2 女 0 不明 */
    enum care_level level; /* in force on the month's last day, or LEVEL_NONE */
    char services[96];     /* the month's planned サービス種類 codes, "11;15" */
    long long units;       /* the month's planned units */
};
typedef int export_row_fn(void *ctx, const struct export_row *r);

/* disclose_export - the 二次利用 export of an insurer's month (ym YYYYMM): every person with a consent naming
 * 二次利用 is decided and audited for CAT_NIJI (the actor's purpose) before anything of theirs is read; the allowed
 * ones (opted in, not withdrawn; the person's insurer or the operator) are handed to fn pseudonymised under key
 * (32 random bytes the caller makes for this export and forgets). *shown, *denied count them. */
MUST_CHECK enum disclose_status disclose_export(struct store *st, struct auditq *aq, const struct actor *actor,
                                                const char *insurer_no, int ym, const unsigned char key[32],
                                                const char *request_id, int64_t now, export_row_fn *fn, void *ctx,
                                                long long *shown, long long *denied);

/* lapse_months - RULE-GATE-009's number of full months without 実績 after
 * which a care relationship lapses: $KAIGO_LAPSE_MONTHS (1–24) if set, else
 * LAPSE_MONTHS_DEFAULT. Read once per process. */
int lapse_months(void);

/* identity_code_issue - a new one-time 本人確認 code for k (IDENTITY_CODE_DIGITS
 * random digits, NUL-terminated into code), valid from now for valid_ms; only
 * its SHA-256 is stored. via: "self" (read by the person) or "paper". The
 * caller wipes code after showing it. */
MUST_CHECK int identity_code_issue(struct store *st, const struct person_key *k, int64_t now,
                                   int64_t valid_ms, const char *via,
                                   char code[IDENTITY_CODE_DIGITS + 1]);

/* verify_birth - the 生年月日 matches the registry's: 0, STORE_NOTFOUND (a mismatch or no such
 * person, alike), -1 on a store error. Nothing of the person is returned. */
MUST_CHECK int verify_birth(struct store *st, const struct person_key *k, struct date birth);

/* verify_identity - 本人確認 for a care relationship: the 生年月日 matches the
 * registry AND the one-time code is unused and unexpired for that person (the
 * code is then used up). Nothing of the person is returned; any mismatch,
 * including a person who does not exist, gives the same STORE_NOTFOUND. The
 * caller holds a write transaction. */
MUST_CHECK int verify_identity(struct store *st, const struct person_key *k, struct date birth,
                               const char *code, int64_t now);

#endif
