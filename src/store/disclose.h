/*
 * disclose.h - the disclosure pipeline: the one way to obtain a person's data.
 *
 *   1. facts are loaded (does the person exist),
 *   2. gate_decide() (domain) allows or denies, with the basis,
 *   3. on allow the data is read (same connection, one snapshot),
 *   4. the audit entry is appended and made durable (auditq),
 *   5. only then is DISCLOSE_OK returned with the data.
 * Denials and not-found are audited too. If the audit append fails the result
 * is DISCLOSE_AUDIT_FAILED and the output is wiped: nothing may be sent.
 */
#ifndef KAIGO_STORE_DISCLOSE_H
#define KAIGO_STORE_DISCLOSE_H

#include "domain/card.h"
#include "domain/gate.h"
#include "store/auditq.h"
#include "store/store.h"

enum disclose_status {
    DISCLOSE_OK = 0,
    DISCLOSE_DENIED,
    DISCLOSE_NOT_FOUND,
    DISCLOSE_AUDIT_FAILED,
    DISCLOSE_ERROR,
};

struct disclosure {
    struct gate_request rq;
    const char *request_id;
    int64_t time_ms;
    /* out */
    struct gate_decision decision;
    int64_t audit_seq;
};

/* disclose_card - the 被保険者証 (資格) of rq.person on 'on'. The card is
 * written to *out only when DISCLOSE_OK. */
MUST_CHECK enum disclose_status disclose_card(struct store *st, struct auditq *aq,
                                              struct disclosure *d, struct date on,
                                              struct card *out);

#endif
