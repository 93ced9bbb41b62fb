/*
 * personal.h - reads of a person's data. PRIVATE to the disclosure gate:
 * only service/disclose.c includes this header (tools/checksrc enforces it), so
 * no handler can read personal data around the gate.
 */
#ifndef KAIGO_STORE_PERSONAL_H
#define KAIGO_STORE_PERSONAL_H

#include "domain/card.h"
#include "store/store.h"

struct person_bundle {
    struct insured person;
    struct certification certs[CARD_MAX_RECORDS];
    size_t ncerts;
    struct burden_cert burdens[CARD_MAX_RECORDS];
    size_t nburdens;
    struct limit_cert limits[CARD_MAX_RECORDS];
    size_t nlimits;
    struct restriction restrictions[CARD_MAX_RECORDS];
    size_t nrestrictions;
    struct plan_notice plans[CARD_MAX_RECORDS];
    size_t nplans;
    struct facility_stay stays[CARD_MAX_RECORDS];
    size_t nstays;
    /* the pending 要介護認定 application, if any (applied NONE otherwise) */
    struct date pending_applied;
    enum cert_kind pending_kind;
    struct date shikakusha;
};

/* personal_load - every current record of the person into *b (counts reset first).
 * Returns 0, STORE_NOTFOUND (no insured record), or -1 (database error or a
 * corrupt body; see store_errmsg()). */
int personal_load(struct store *st, const struct person_key *k, struct person_bundle *b);

#endif
