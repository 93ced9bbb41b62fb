/* accessdb.h - store/access.h's operations written once over the narrow driver (store/access.c;
 * issue #22). A backend gives the connection and its dialect: the SQL of the ids below that it
 * writes its own way (NULL: access.c's text); ids access.c leaves without SQL (A_ORG_PERSONS,
 * A_ORG_REQS: written for one engine's planner) every dialect must give. The two reports that
 * read the audit log are the backend's (store_ops person_access, audit_scope); the shared table
 * forwards them.
 *
 * Ownership: a struct access_db belongs to its store's connection (st->adb) and one thread.
 * Failure: as store/access.h (-1 with the driver's message recorded). */
#ifndef KAIGO_STORE_ACCESSDB_H
#define KAIGO_STORE_ACCESSDB_H

#include "store/access.h"
#include "store/db.h"

enum acc_stmt {
    A_ORG_ADD,
    A_ORG_GET,
    A_ORG_LIST,
    A_ACC_ADD,
    A_ACC_BY_LOGIN,
    A_ACC_GET,
    A_ACC_STEP,
    A_SESS_ADD,
    A_SESS_GET,
    A_SESS_TOUCH,
    A_SESS_END,
    A_SESS_COUNT,
    A_TOK_ADD,
    A_TOK_GET,
    A_TOK_REVOKE,
    A_ORG_BY_OFFICE,
    A_DLV_ADD,
    A_DLV_OPEN,
    A_DLV_GET,
    A_DLV_DOWNLOADED,
    A_DLV_ACKED,
    A_F_CONSENTS,
    A_F_WITHDRAWALS,
    A_F_RELS,
    A_F_RELS_ORG,
    A_F_PROXIES,
    A_F_BGS,
    A_F_REQS,
    A_CONSENT_ADD,
    A_WITHDRAW_ADD,
    A_REL_ADD,
    A_REL_END,
    A_REL_ACTUAL,
    A_PROXY_ADD,
    A_INVITE_ADD,
    A_INVITE_TAKE,
    A_PROXY_ADD_LABEL,
    A_ACC_PROXIES,
    A_INVITE_CANCEL,
    A_G_INVITES,
    A_PROXY_REVOKE,
    A_BG_ADD,
    A_BG_REVIEWS,
    A_PAPER_REGS,
    A_ORG_PERSONS,
    A_CONSENT_HOLDERS,
    A_BG_CLOSE,
    A_REQ_ADD,
    A_REQ_CLOSE,
    A_ORG_REQS,
    A_DRAFT_PUT,
    A_DRAFT_GET,
    A_DRAFT_DEL,
    A_REQ_ANSWER,
    A_PM_GET,
    A_PM_DRAFT,
    A_PM_ISSUED,
    A_VISIT_ADD,
    A_VISIT_LAST,
    A_DLV_SENT,
    A_CODE_ADD,
    A_CODE_USE,
    A_SEC_EVENT,
    A_THROTTLE_HIT,
    A_THROTTLE_GET,
    A_THROTTLE_PRUNE,
    A_COUNT
};

struct access_db;

struct access_db *access_db_new(struct db *db, const char *const dialect[A_COUNT]);
void access_db_free(struct access_db *A);

/* the access table every backend uses (store->acc) */
extern const struct store_access_ops store_access_shared;

#endif
