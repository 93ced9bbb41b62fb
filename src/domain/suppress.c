/*
 * suppress.c - small-cell suppression (最小集計単位の原則) with secondary suppression checked by
 * an attacker's linear algebra; see suppress.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/rates.h"
#include "domain/suppress.h"
#include "util/banned.h"

/* 介護DB 最小集計単位の原則 (匿名介護情報等の提供に関するガイドライン; web.md §3): the thresholds are
 * dated rows of data/rates.tsv. */
int sup_rules_for(long long population, struct date on, struct sup_rules *out)
{
    long long k, k_mid, pop_none, pop_large, offices;
    memset(out, 0, sizeof *out);
    if (rate_get("stats_min_cell", "large", on, &k) || rate_get("stats_min_cell", "mid", on, &k_mid) ||
        rate_get("stats_population", "none_below", on, &pop_none) ||
        rate_get("stats_population", "large_from", on, &pop_large) ||
        rate_get("stats_min_offices", "-", on, &offices))
        return -1;
    out->population = population;
    out->min_offices = offices;
    out->unknown = population < 0;
    out->none = population < pop_none; /* unknown (< 0) too */
    out->min_cell = population >= pop_large ? k : k_mid;
    return 0;
}

bool sup_primary(const struct sup_cell *c, const struct sup_rules *r)
{
    if (r->none)
        return true;
    if (c->persons > 0 && c->persons < r->min_cell)
        return true;
    bool rests = c->persons > 0 || (c->persons < 0 && c->v != 0) || (c->persons < 0 && c->offices > 0);
    return c->offices >= 0 && rests && c->offices < r->min_offices;
}

/* ---- the attacker -------------------------------------------------------------------------
 * Suppressed cells are the unknowns; each line gives Σ parts − total = 0 with the shown cells
 * moved to the constant side. A cell is determined iff its unit vector lies in the row space, i.e.
 * the reduced row echelon form has a row whose only non-zero entry is that cell's column. The
 * arithmetic is exact in GF(p), p = 2^61 − 1: the coefficients are 0 and ±1 and the matrix is small,
 * so its rank over GF(p) is its rank over the rationals unless p divides a minor, which the sizes
 * here (minors far below 2^61) rule out for 2-D tables and make vanishing for the rest. */
#define P61 ((uint64_t)0x1FFFFFFFFFFFFFFFull)

__extension__ typedef unsigned __int128 u128;

static uint64_t mulmod(uint64_t a, uint64_t b)
{
    u128 x = (u128)a * b;
    uint64_t lo = (uint64_t)(x & P61), hi = (uint64_t)(x >> 61);
    uint64_t s = lo + hi;
    return s >= P61 ? s - P61 : s;
}

static uint64_t powmod(uint64_t a, uint64_t e)
{
    uint64_t r = 1;
    while (e) {
        if (e & 1)
            r = mulmod(r, a);
        a = mulmod(a, a);
        e >>= 1;
    }
    return r;
}

static uint64_t submod(uint64_t a, uint64_t b) { return a >= b ? a - b : a + P61 - b; }

static bool lines_ok(size_t n, const struct sup_line *l, size_t nl)
{
    if (n > SUP_CELLS_MAX || nl > SUP_LINES_MAX)
        return false;
    for (size_t i = 0; i < nl; i++) {
        if (l[i].n < 1 || l[i].n > SUP_LINE_MAX || l[i].total < 0 || (size_t)l[i].total >= n)
            return false;
        for (int j = 0; j < l[i].n; j++)
            if (l[i].part[j] < 0 || (size_t)l[i].part[j] >= n)
                return false;
    }
    return true;
}

int sup_recoverable(const struct sup_cell *c, size_t n, const struct sup_line *l, size_t nl)
{
    if (!lines_ok(n, l, nl))
        return -2;
    int *col = malloc((n ? n : 1) * sizeof *col), *var = malloc((n ? n : 1) * sizeof *var);
    if (!col || !var) {
        free(col);
        free(var);
        return -2;
    }
    size_t ns = 0;
    for (size_t i = 0; i < n; i++) {
        col[i] = c[i].st != SUP_SHOWN ? (int)ns : -1;
        if (col[i] >= 0)
            var[ns++] = (int)i;
    }
    if (ns == 0 || nl == 0) {
        free(col);
        free(var);
        return -1;
    }
    uint64_t *m = calloc(nl * ns, sizeof *m);
    if (!m) {
        free(col);
        free(var);
        return -2;
    }
    for (size_t i = 0; i < nl; i++) {
        uint64_t *row = m + i * ns;
        for (int j = 0; j < l[i].n; j++)
            if (col[l[i].part[j]] >= 0)
                row[col[l[i].part[j]]] = (row[col[l[i].part[j]]] + 1) % P61;
        if (col[l[i].total] >= 0)
            row[col[l[i].total]] = submod(row[col[l[i].total]], 1);
    }
    /* reduced row echelon form */
    size_t r = 0;
    for (size_t k = 0; k < ns && r < nl; k++) {
        size_t p = r;
        while (p < nl && m[p * ns + k] == 0)
            p++;
        if (p == nl)
            continue;
        if (p != r)
            for (size_t j = 0; j < ns; j++) {
                uint64_t t = m[p * ns + j];
                m[p * ns + j] = m[r * ns + j];
                m[r * ns + j] = t;
            }
        uint64_t inv = powmod(m[r * ns + k], P61 - 2);
        for (size_t j = k; j < ns; j++)
            m[r * ns + j] = mulmod(m[r * ns + j], inv);
        for (size_t i = 0; i < nl; i++) {
            uint64_t f = m[i * ns + k];
            if (i == r || f == 0)
                continue;
            for (size_t j = k; j < ns; j++)
                if (m[r * ns + j])
                    m[i * ns + j] = submod(m[i * ns + j], mulmod(f, m[r * ns + j]));
        }
        r++;
    }
    int found = -1;
    for (size_t i = 0; i < r && found < 0; i++) {
        size_t nz = 0, at = 0;
        for (size_t j = 0; j < ns; j++)
            if (m[i * ns + j]) {
                nz++;
                at = j;
            }
        if (nz == 1)
            found = var[at];
    }
    free(m);
    free(col);
    free(var);
    return found;
}

/* ---- secondary suppression ------------------------------------------------------------------ */

/* better - whether cell a is a better one to hide next than b (b < 0: none yet): a part before the
 * total, a non-zero value before zero, then the smallest value, then the lowest index. */
static bool better(const struct sup_cell *c, int a, bool a_total, int b, bool b_total)
{
    if (b < 0)
        return true;
    if (a_total != b_total)
        return !a_total;
    bool az = c[a].v == 0, bz = c[b].v == 0;
    if (az != bz)
        return !az;
    if (c[a].v != c[b].v)
        return c[a].v < c[b].v;
    return a < b;
}

/* hide_in - hides the best shown cell of line l; false if every cell of it is hidden. */
static bool hide_in(struct sup_cell *c, const struct sup_line *l)
{
    int best = -1;
    bool best_total = false;
    for (int j = 0; j < l->n; j++) {
        int x = l->part[j];
        if (c[x].st == SUP_SHOWN && better(c, x, false, best, best_total)) {
            best = x;
            best_total = false;
        }
    }
    if (c[l->total].st == SUP_SHOWN && better(c, l->total, true, best, best_total))
        best = l->total;
    if (best < 0)
        return false;
    c[best].st = SUP_SECONDARY;
    return true;
}

static int hidden_in(const struct sup_cell *c, const struct sup_line *l)
{
    int k = c[l->total].st != SUP_SHOWN;
    for (int j = 0; j < l->n; j++)
        k += c[l->part[j]].st != SUP_SHOWN;
    return k;
}

static bool in_line(const struct sup_line *l, int x)
{
    if (l->total == x)
        return true;
    for (int j = 0; j < l->n; j++)
        if (l->part[j] == x)
            return true;
    return false;
}

static void all(struct sup_cell *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        c[i].st = SUP_ALL;
}

int sup_apply(struct sup_cell *c, size_t n, const struct sup_line *l, size_t nl, const struct sup_rules *r)
{
    if (!c || !r || (nl && !l) || !lines_ok(n, l, nl)) {
        if (c && n <= SUP_CELLS_MAX)
            all(c, n);
        return -1;
    }
    if (r->none) {
        all(c, n);
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        c[i].st = sup_primary(&c[i], r) ? SUP_PRIMARY : SUP_SHOWN;
    /* every round hides at least one more cell, so this ends within n rounds */
    for (;;) {
        bool changed = false;
        for (size_t i = 0; i < nl; i++)
            if (hidden_in(c, &l[i]) == 1 && hide_in(c, &l[i]))
                changed = true;
        if (changed)
            continue;
        int x = sup_recoverable(c, n, l, nl);
        if (x == -1)
            return 0;
        if (x < 0) {
            all(c, n);
            return -1;
        }
        /* hide more in the line through x with the fewest hidden cells that still has a shown one */
        int pick = -1, fewest = 0;
        for (size_t i = 0; i < nl; i++) {
            if (!in_line(&l[i], x))
                continue;
            int h = hidden_in(c, &l[i]);
            if (h <= l[i].n && (pick < 0 || h < fewest)) {
                pick = (int)i;
                fewest = h;
            }
        }
        if (pick < 0 || !hide_in(c, &l[pick])) {
            /* no line through x has a shown cell: any line that still has one */
            bool any = false;
            for (size_t i = 0; i < nl && !any; i++)
                any = hidden_in(c, &l[i]) <= l[i].n && hide_in(c, &l[i]);
            if (!any) {
                all(c, n);
                return 0;
            }
        }
    }
}
