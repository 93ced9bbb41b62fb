/* disclose.c - the disclosure pipeline (the gate's I/O half); see disclose.h. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/disclose.h"
#include "store/personal.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* Bundles are large (every current record of a person). The server's worker
 * threads keep one each (a thread-specific value freed when the thread ends);
 * the blocking form allocates one per call. Either way it is wiped after use. */
static pthread_key_t bundle_key;
static pthread_once_t bundle_once = PTHREAD_ONCE_INIT;

static void bundle_free(void *p)
{
    free(p);
}

static void bundle_key_init(void)
{
    if (pthread_key_create(&bundle_key, bundle_free))
        die("pthread_key_create failed");
}

static struct person_bundle *thread_bundle(void)
{
    pthread_once(&bundle_once, bundle_key_init);
    struct person_bundle *b = pthread_getspecific(bundle_key);
    if (!b) {
        b = xcalloc(1, sizeof *b);
        pthread_setspecific(bundle_key, b);
    }
    return b;
}

static void wipe_bundle(struct person_bundle *b)
{
    sodium_memzero(&b->person, sizeof b->person);
    sodium_memzero(b->certs, b->ncerts * sizeof b->certs[0]);
    sodium_memzero(b->burdens, b->nburdens * sizeof b->burdens[0]);
    sodium_memzero(b->limits, b->nlimits * sizeof b->limits[0]);
    sodium_memzero(b->restrictions, b->nrestrictions * sizeof b->restrictions[0]);
    sodium_memzero(b->plans, b->nplans * sizeof b->plans[0]);
    sodium_memzero(b->stays, b->nstays * sizeof b->stays[0]);
    b->ncerts = b->nburdens = b->nlimits = b->nrestrictions = b->nplans = b->nstays = 0;
}

static void fill_entry(struct disclosure *d)
{
    struct audit_entry *e = &d->entry;
    memset(e, 0, sizeof *e);
    snprintf(e->insurer_no, sizeof e->insurer_no, "%s", d->rq.person.insurer_no);
    snprintf(e->insured_no, sizeof e->insured_no, "%s", d->rq.person.insured_no);
    snprintf(e->actor, sizeof e->actor, "%s", d->rq.actor.id);
    snprintf(e->org, sizeof e->org, "%s", d->rq.actor.org);
    snprintf(e->request_id, sizeof e->request_id, "%s", d->request_id ? d->request_id : "");
    e->time_ms = d->time_ms;
    e->role = d->rq.actor.role;
    e->category = d->rq.category;
    e->purpose = d->rq.purpose;
    e->basis = d->decision.basis;
    e->outcome = d->decision.outcome;
}

/* prepare - steps 1–3. Returns the status to report if the audit succeeds, or
 * DISCLOSE_ERROR (nothing to audit: the decision itself could not be made). */
static enum disclose_status prepare_snapshot(struct store *st, struct disclosure *d,
                                             struct date on, struct card *out,
                                             struct person_bundle *b);

/* prepare - the facts and the data come from one read snapshot. */
static enum disclose_status prepare(struct store *st, struct disclosure *d, struct date on,
                                    struct card *out, struct person_bundle *b)
{
    if (st->ops->read_begin(st))
        return DISCLOSE_ERROR;
    enum disclose_status s = prepare_snapshot(st, d, on, out, b);
    if (st->ops->read_end(st))
        s = DISCLOSE_ERROR;
    return s;
}

static enum disclose_status prepare_snapshot(struct store *st, struct disclosure *d,
                                             struct date on, struct card *out,
                                             struct person_bundle *b)
{
    struct gate_facts facts = {0};
    int ex = st->ops->person_exists(st, &d->rq.person);
    if (ex < 0)
        return DISCLOSE_ERROR;
    facts.person_exists = ex == 1;
    if (gate_decide(&d->rq, &facts, &d->decision))
        return DISCLOSE_ERROR;
    if (d->decision.outcome == OUTCOME_ALLOWED) {
        int rc = personal_load(st, &d->rq.person, b);
        if (rc == STORE_NOTFOUND) { /* removed between the fact and the read */
            d->decision.outcome = OUTCOME_NOT_FOUND;
            d->decision.basis = BASIS_NONE;
        } else if (rc) {
            wipe_bundle(b);
            return DISCLOSE_ERROR;
        } else {
            struct insurer ins;
            int irc = st->ops->insurer_get(st, d->rq.person.insurer_no, &ins);
            if (irc < 0) {
                wipe_bundle(b);
                return DISCLOSE_ERROR;
            }
            struct card_input in = {
                irc == 0 ? &ins : NULL, &b->person, b->certs, b->ncerts, b->burdens, b->nburdens,
                b->limits, b->nlimits, b->restrictions, b->nrestrictions, b->plans, b->nplans,
                b->stays, b->nstays};
            card_build(&in, on, out);
        }
        wipe_bundle(b);
    }
    fill_entry(d);
    return d->decision.outcome == OUTCOME_ALLOWED    ? DISCLOSE_OK
           : d->decision.outcome == OUTCOME_DENIED   ? DISCLOSE_DENIED
                                                     : DISCLOSE_NOT_FOUND;
}

enum disclose_status disclose_card(struct store *st, struct auditq *aq, struct disclosure *d,
                                   struct date on, struct card *out)
{
    struct person_bundle *b = xcalloc(1, sizeof *b);
    enum disclose_status s = prepare(st, d, on, out, b);
    free(b);
    if (s == DISCLOSE_ERROR || auditq_append(aq, &d->entry))
        s = s == DISCLOSE_ERROR ? s : DISCLOSE_AUDIT_FAILED; /* nothing may leave */
    d->audit_seq = d->entry.seq;
    if (s != DISCLOSE_OK)
        sodium_memzero(out, sizeof *out);
    return s;
}

static void async_done(void *ctx, int rc)
{
    struct disclosure *d = ctx;
    d->audit_seq = d->entry.seq;
    if (rc)
        d->status = DISCLOSE_AUDIT_FAILED;
    if (d->status != DISCLOSE_OK)
        sodium_memzero(d->out, sizeof *d->out);
    d->fn(d->ctx, d->status);
}

void disclose_card_async(struct store *st, struct auditq *aq, struct disclosure *d,
                         struct date on, struct card *out, disclose_done_fn *fn, void *ctx)
{
    d->out = out;
    d->fn = fn;
    d->ctx = ctx;
    d->status = prepare(st, d, on, out, thread_bundle());
    if (d->status == DISCLOSE_ERROR) {
        sodium_memzero(out, sizeof *out);
        fn(ctx, DISCLOSE_ERROR);
        return;
    }
    d->ticket = (struct auditq_ticket){&d->entry, async_done, d, false, -1};
    auditq_submit(aq, &d->ticket);
}
