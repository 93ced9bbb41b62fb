/*
 * disclose.h - the disclosure pipeline: the one way to obtain a person's data.
 *
 *   1. facts are loaded (does the person exist),
 *   2. gate_decide() (domain) allows or denies, with the basis,
 *   3. on allow the data is read (same connection, one snapshot),
 *   4. the audit entry is appended and made durable (auditq, group commit),
 *   5. only then is DISCLOSE_OK reported with the data.
 * Denials and not-found are audited too. If the audit append fails the status
 * is DISCLOSE_AUDIT_FAILED and the output has been wiped: nothing may be sent.
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

typedef void disclose_done_fn(void *ctx, enum disclose_status status);

struct disclosure {
    /* in */
    struct gate_request rq;
    const char *request_id;
    int64_t time_ms;
    /* out */
    struct gate_decision decision;
    int64_t audit_seq;
    /* private: the pending audit append */
    struct audit_entry entry;
    struct auditq_ticket ticket;
    enum disclose_status status;
    struct card *out;
    disclose_done_fn *fn;
    void *ctx;
};

/* disclose_card - the 被保険者証 (資格) of rq.person on 'on', blocking until
 * the audit entry is durable. The card is in *out only when DISCLOSE_OK. */
MUST_CHECK enum disclose_status disclose_card(struct store *st, struct auditq *aq,
                                              struct disclosure *d, struct date on,
                                              struct card *out);

/* disclose_card_async - steps 1–3 now, step 4 in the audit writer; fn(ctx,
 * status) runs exactly once when the entry is durable (or failed), from the
 * writer thread, or before this returns if nothing needs to be appended. Until
 * then *d and *out must stay valid and *out must not be read; on any status but
 * DISCLOSE_OK it has been wiped. */
void disclose_card_async(struct store *st, struct auditq *aq, struct disclosure *d,
                         struct date on, struct card *out, disclose_done_fn *fn, void *ctx);

#endif
