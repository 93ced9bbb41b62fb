/*
 * certstore.h - writes of the 要介護認定 workflow, its documents, LIFE
 * feedback and the ledger. Each function checks who may write (the rules
 * below), reads the current record it builds on, applies the domain step
 * (domain/certflow.h, certdocs.h, ledger.h) and appends a new version with a
 * `changes` row naming the actor. Nothing personal is returned: only the
 * record's id, its stage and a message. The caller holds a write transaction
 * (store->ops->begin) and commits on CS_OK or rolls back otherwise, so an
 * invalid step changes nothing.
 *
 * Who may write (RULE-FLOW-005, decided by gate_may_write in domain/gate.c):
 *   - the person's insurer's staff (ROLE_INSURER of that 保険者) and the local
 *     CLI operator: every step, survey, opinion, claim, LIFE import;
 *   - a 居宅介護支援事業所 / 地域包括支援センター: an application on the
 *     person's behalf (法 第27条 第1項), with the person's 生年月日 as 本人確認;
 *   - the person (本人): their own application;
 *   - a 医療機関: the 主治医意見書 of an application whose 作成依頼 went to it.
 * Anyone else gets CS_NOTFOUND (no oracle for who exists).
 */
#ifndef KAIGO_STORE_CERTSTORE_H
#define KAIGO_STORE_CERTSTORE_H

#include "domain/certdocs.h"
#include "domain/certflow.h"
#include "domain/gate.h"
#include "domain/ledger.h"
#include "store/store.h"

enum cs_status { CS_ERROR = -1, CS_OK = 0, CS_INVALID, CS_NOTFOUND, CS_CONFLICT };

struct cs_result {
    enum cs_status status;
    char field[DOC_ERR_FIELD_BYTES];
    char msg[DOC_ERR_MSG_BYTES];
    char id[APP_ID_BYTES];
    enum app_stage stage;
    char note[LEDGER_WHY_BYTES];
    long long accepted; /* claims */
};

struct cs_filing {
    enum cert_kind kind;
    struct date applied;
    enum filer_kind filer;
    struct date birth;     /* 本人確認 for an office filing on the person's behalf */
    uint32_t consent_cats; /* 包括同意 collected with the application (0 = none) */
};

enum cs_step {
    STEP_ASSIGN_SURVEY = 1,
    STEP_REQUEST_OPINION,
    STEP_PRIMARY,
    STEP_BOARD,
    STEP_DECIDE,
    STEP_POSTPONE,
    STEP_SHIKAKUSHA,
    STEP_WITHDRAW,
};
enum cs_step cs_step_from_code(const char *s); /* "survey", "opinion-request", … ; 0 if unknown */

struct cs_step_args {
    struct date on, planned, expected;
    char who[NAME_BYTES]; /* investigator, or the 医療機関's organisation id */
    enum care_level level;
    int minutes_x10, months;
    char opinion[TEXT_BYTES], services[TEXT_BYTES], reason[TEXT_BYTES];
};

MUST_CHECK int cs_file(struct store *st, const struct actor *a, const struct person_key *k,
                       const struct cs_filing *f, int64_t now, struct cs_result *r);
MUST_CHECK int cs_step(struct store *st, const struct actor *a, const struct person_key *k,
                       const char *app_id, enum cs_step step, const struct cs_step_args *x,
                       int64_t now, struct cs_result *r);
MUST_CHECK int cs_chosa_put(struct store *st, const struct actor *a, const struct person_key *k,
                            const char *app_id, const struct chosa *c, int64_t now,
                            struct cs_result *r);
MUST_CHECK int cs_ikensho_put(struct store *st, const struct actor *a, const struct person_key *k,
                              const char *app_id, const struct ikensho *o, int64_t now,
                              struct cs_result *r);
MUST_CHECK int cs_life_put(struct store *st, const struct actor *a, const struct person_key *k,
                           const struct life_feedback *f, int64_t now, struct cs_result *r);
MUST_CHECK int cs_claim_add(struct store *st, const struct actor *a, const struct person_key *k,
                            struct ledger_claim *c, int64_t now, struct cs_result *r);

#endif
