/* disclose.c - the disclosure pipeline (the gate's I/O half); see disclose.h. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/disclose.h"
#include "store/personal.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

static int audit(struct auditq *aq, struct disclosure *d)
{
    struct audit_entry e;
    memset(&e, 0, sizeof e);
    snprintf(e.insurer_no, sizeof e.insurer_no, "%s", d->rq.person.insurer_no);
    snprintf(e.insured_no, sizeof e.insured_no, "%s", d->rq.person.insured_no);
    snprintf(e.actor, sizeof e.actor, "%s", d->rq.actor.id);
    snprintf(e.org, sizeof e.org, "%s", d->rq.actor.org);
    snprintf(e.request_id, sizeof e.request_id, "%s", d->request_id ? d->request_id : "");
    e.time_ms = d->time_ms;
    e.role = d->rq.actor.role;
    e.category = d->rq.category;
    e.purpose = d->rq.purpose;
    e.basis = d->decision.basis;
    e.outcome = d->decision.outcome;
    if (auditq_append(aq, &e))
        return -1;
    d->audit_seq = e.seq;
    return 0;
}

enum disclose_status disclose_card(struct store *st, struct auditq *aq, struct disclosure *d,
                                   struct date on, struct card *out)
{
    struct gate_facts facts = {0};
    int ex = st->ops->person_exists(st, &d->rq.person);
    if (ex < 0)
        return DISCLOSE_ERROR;
    facts.person_exists = ex == 1;
    if (gate_decide(&d->rq, &facts, &d->decision))
        return DISCLOSE_ERROR;

    enum disclose_status status = DISCLOSE_OK;
    struct person_bundle *b = NULL;
    struct insurer ins;
    if (d->decision.outcome == OUTCOME_ALLOWED) {
        b = xcalloc(1, sizeof *b);
        int rc = personal_load(st, &d->rq.person, b);
        if (rc == STORE_NOTFOUND) { /* removed between the fact and the read */
            d->decision.outcome = OUTCOME_NOT_FOUND;
            d->decision.basis = BASIS_NONE;
        } else if (rc) {
            free(b);
            return DISCLOSE_ERROR;
        } else {
            int irc = st->ops->insurer_get(st, d->rq.person.insurer_no, &ins);
            if (irc < 0) {
                free(b);
                return DISCLOSE_ERROR;
            }
            struct card_input in = {
                irc == 0 ? &ins : NULL, &b->person, b->certs, b->ncerts, b->burdens, b->nburdens,
                b->limits, b->nlimits, b->restrictions, b->nrestrictions, b->plans, b->nplans,
                b->stays, b->nstays};
            card_build(&in, on, out);
        }
    }
    if (d->decision.outcome == OUTCOME_DENIED)
        status = DISCLOSE_DENIED;
    else if (d->decision.outcome == OUTCOME_NOT_FOUND)
        status = DISCLOSE_NOT_FOUND;

    if (audit(aq, d)) {
        /* Nothing may leave: wipe what was read. */
        sodium_memzero(out, sizeof *out);
        status = DISCLOSE_AUDIT_FAILED;
    }
    if (b) {
        sodium_memzero(b, sizeof *b);
        free(b);
    }
    if (status != DISCLOSE_OK)
        sodium_memzero(out, sizeof *out);
    return status;
}
