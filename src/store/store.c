/* store.c - backend-independent helpers over struct store_ops; see store.h. */
#include <stdio.h>
#include <string.h>

#include "util/text.h"
#include "store/store.h"
#include "domain/insurers.h"
#include "util/banned.h"

int store_insurer_ensure(struct store *st, const char *no, const char *by, int *created)
{
    struct insurer ins;
    *created = 0;
    int rc = st->ops->insurer_get(st, no, &ins);
    if (rc != STORE_NOTFOUND)
        return rc;
    memset(&ins, 0, sizeof ins);
    str_cut(ins.insurer_no, sizeof ins.insurer_no, no);
    const struct insurer_seed *seed = insurer_seed_find(no);
    if (seed) {
        str_cut(ins.name, sizeof ins.name, seed->name);
        str_cut(ins.prefecture, sizeof ins.prefecture, seed->prefecture);
    }
    if (st->ops->insurer_add(st, &ins, by))
        return -1;
    *created = 1;
    return 0;
}
