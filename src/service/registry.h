/*
 * registry.h - the municipality's entry of 資格 changes (issue #19 §1): 取得・喪失・住所変更・住所地特例, each a new
 * version of the person's 資格 record under a change naming the clerk and the reason (真正性). Who may: as for the
 * 認定 steps (gate_may_write WRITE_STEP: the person's insurer's staff and the operator); anyone else gets
 * CS_NOTFOUND. The caller holds a write transaction and commits on CS_OK, rolls back otherwise.
 */
#ifndef KAIGO_STORE_REGISTRY_H
#define KAIGO_STORE_REGISTRY_H

#include "domain/shikaku.h"
#include "service/certstore.h"

MUST_CHECK int reg_shikaku(struct store *st, const struct actor *a, const struct person_key *k,
                           const struct shikaku_change *c, const char *reason, struct cs_result *r);

#endif
