/* auditparse.c - audit_fields_parse (see audit.h): the fields of stored
 * canonical bytes. Kept apart from audit.c, with no dependency but libc, so
 * that the SQLite extension for forensic use (src/store/sqlite/auditsql.c) can carry
 * it. Untrusted input: every length is checked against the bytes left. */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "domain/audit.h"
#include "util/banned.h"

struct rd {
    const unsigned char *b;
    size_t n, o;
};

static bool item(struct rd *r, struct audit_text *t)
{
    if (r->o >= r->n)
        return false;
    size_t len = r->b[r->o++];
    if (len > r->n - r->o)
        return false;
    t->p = (const char *)r->b + r->o;
    t->n = len;
    r->o += len;
    return true;
}

/* num - a decimal exactly as dec() writes it, within [lo, INT64_MAX]. */
static bool num(struct rd *r, int64_t lo, int64_t *out)
{
    struct audit_text t;
    if (!item(r, &t) || t.n == 0 || t.n > 20)
        return false;
    size_t i = 0;
    bool neg = t.p[0] == '-';
    if (neg)
        i = 1;
    if (i == t.n || (t.p[i] == '0' && t.n - i > 1) || (neg && t.p[i] == '0'))
        return false;
    uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < t.n; i++) {
        if (t.p[i] < '0' || t.p[i] > '9')
            return false;
        unsigned d = (unsigned)(t.p[i] - '0');
        if (v > (lim - d) / 10)
            return false;
        v = v * 10 + d;
    }
    int64_t x = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    if (x < lo)
        return false;
    *out = x;
    return true;
}

bool audit_fields_parse(const unsigned char *b, size_t n, struct audit_fields *f)
{
    struct rd r = {b, n, 0};
    struct audit_text tag;
    if (n > AUDIT_CANON_MAX)
        return false; /* no writer makes more; audit_canonical_fields could not give it back */
    int64_t flags;
    if (!item(&r, &tag) || tag.n != 13 || memcmp(tag.p, "kaigo-audit-2", 13) != 0)
        return false;
    if (!item(&r, &f->insurer_no) || !num(&r, INT64_MIN, &f->seq) || !num(&r, INT64_MIN, &f->time_ms) ||
        !item(&r, &f->actor) || !item(&r, &f->org) || !item(&r, &f->role) ||
        !item(&r, &f->insured_no) || !item(&r, &f->category) || !item(&r, &f->purpose) ||
        !item(&r, &f->basis) || !item(&r, &f->outcome) || !item(&r, &f->request_id) ||
        !num(&r, 0, &flags) || flags > (int64_t)UINT_MAX || !item(&r, &f->basis_ref))
        return false;
    f->flags = (unsigned)flags;
    return r.o == n;
}

