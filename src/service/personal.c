/* personal.c - loads a person's current records; see personal.h (gate-only). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "codec/docjson.h"
#include "util/xalloc.h"

#include "codec/codec.h"
#include "service/personal.h"
#include "util/banned.h"

struct loadctx {
    struct person_bundle *b;
    int have_person;
    int bad;
};

#define PUSH(arr, n, decode)                                                                      \
    do {                                                                                          \
        if (b->n >= CARD_MAX_RECORDS)                                                             \
            return 0; /* older records beyond the cap do not reach the card */                    \
        memset(&b->arr[b->n], 0, sizeof b->arr[b->n]);                                            \
        if (decode(body, &b->arr[b->n])) {                                                        \
            c->bad = 1;                                                                           \
            return 1;                                                                             \
        }                                                                                         \
        b->n++;                                                                                   \
    } while (0)

static int one(void *ctx, const char *kind, const char *rkey, const char *body)
{
    struct loadctx *c = ctx;
    struct person_bundle *b = c->b;
    (void)rkey;
    if (strcmp(kind, "insured") == 0) {
        if (codec_decode_insured(body, &b->person)) {
            c->bad = 1;
            return 1;
        }
        c->have_person = 1;
    } else if (strcmp(kind, "certification") == 0)
        PUSH(certs, ncerts, codec_decode_cert);
    else if (strcmp(kind, "burden") == 0)
        PUSH(burdens, nburdens, codec_decode_burden);
    else if (strcmp(kind, "limit") == 0)
        PUSH(limits, nlimits, codec_decode_limit);
    else if (strcmp(kind, "restriction") == 0)
        PUSH(restrictions, nrestrictions, codec_decode_restriction);
    else if (strcmp(kind, "plan") == 0)
        PUSH(plans, nplans, codec_decode_plan);
    else if (strcmp(kind, "facility") == 0)
        PUSH(stays, nstays, codec_decode_facility);
    else if (strcmp(kind, "application") == 0) {
        struct application *a = xmalloc(sizeof *a);
        int bad = docjson_app(body, strlen(body), a);
        if (!bad && app_pending(a)) {
            b->pending_applied = a->applied;
            b->pending_kind = a->kind;
            b->shikakusha = a->shikakusha;
        }
        sodium_memzero(a, sizeof *a);
        free(a);
        if (bad) {
            c->bad = 1;
            return 1;
        }
    }
    return 0;
}

int personal_load(struct store *st, const struct person_key *k, struct person_bundle *b)
{
    struct loadctx c = {b, 0, 0};
    /* Only the counts are reset: each record is zeroed as it is filled (PUSH). */
    memset(&b->person, 0, sizeof b->person);
    b->ncerts = b->nburdens = b->nlimits = b->nrestrictions = b->nplans = b->nstays = 0;
    b->pending_applied = b->shikakusha = DATE_NONE;
    b->pending_kind = 0;
    int rc = st->ops->record_list_current(st, k, one, &c);
    if (c.bad)
        return -1;
    if (rc)
        return -1;
    if (!c.have_person)
        return STORE_NOTFOUND;
    b->person.key = *k;
    return 0;
}
