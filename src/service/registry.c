/*
 * registry.c - 資格の異動 as new versions of the 資格 record; see registry.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/importspec.h"
#include "codec/codec.h"
#include "service/registry.h"
#include "util/text.h"
#include "util/banned.h"

static int res(struct cs_result *r, enum cs_status s, const char *field, const char *msg)
{
    memset(r, 0, sizeof *r);
    r->status = s;
    str_cut(r->field, sizeof r->field, field);
    str_cut(r->msg, sizeof r->msg, msg);
    return 0;
}

int reg_shikaku(struct store *st, const struct actor *a, const struct person_key *k, const struct shikaku_change *c,
                const char *reason, struct cs_result *r)
{
    struct write_facts wf = {0};
    if (!gate_may_write(a, k, WRITE_STEP, &wf))
        return res(r, CS_NOTFOUND, "", "該当する情報が見つかりません");
    if (!reason || !reason[0])
        return res(r, CS_INVALID, "reason", "理由(届出の種類など)を入力してください");
    char *body = NULL;
    int rc = st->ops->record_get_current(st, k, "insured", "", &body);
    if (rc == STORE_NOTFOUND)
        return res(r, CS_NOTFOUND, "", "該当する情報が見つかりません");
    if (rc)
        return -1;
    struct import_row row;
    memset(&row, 0, sizeof row);
    row.kind = IMPORT_INSURED;
    row.key = *k;
    struct insured cur;
    memset(&cur, 0, sizeof cur);
    rc = codec_decode_insured(body, &cur);
    free(body);
    if (rc)
        return -1;
    cur.key = *k;
    const char *why;
    if (shikaku_apply(&cur, c, &row.u.insured, &why))
        return res(r, CS_INVALID, "kind", why);
    char *out = codec_encode_row(&row);
    if (!out)
        return -1;
    char what[320];
    snprintf(what, sizeof what, "%s: %s", shikaku_kind_name(c->kind), reason);
    char author[ACTOR_ID_BYTES + 8];
    str_cut(author, sizeof author, a->id);
    long long cid;
    int changed = 0;
    rc = st->ops->change_begin(st, author, what, &cid) || st->ops->record_put(st, k, "insured", "", out, cid, &changed);
    free(out);
    if (rc)
        return -1;
    res(r, CS_OK, "", changed ? "資格の記録を変更しました" : "変更はありませんでした");
    return 0;
}
