/* u-stats.c - the suppression engine (最小集計単位の原則, web.md §3) and the statistics tables:
 * primary thresholds by population, secondary suppression against differencing attacks, and the
 * tables' layouts. The attacker here is written independently of the engine's own check (floating
 * point elimination plus the line-by-line differencing a spreadsheet user does), so a flaw in the
 * engine's algebra does not hide itself. Vectors: the thresholds are the 介護DB rule's own numbers
 * (web.md §3); every table below is derived here (marked) — the rule publishes no worked tables. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "domain/stats.h"
#include "domain/suppress.h"

#define DD(y, m, d) ((struct date){y, m, d})

/* ---- the independent attacker ---------------------------------------------------------- */

/* differencing: any line with exactly one hidden cell gives it away; solved cells become known
 * and the attacker goes round again. Returns a recovered cell or -1. */
static int attack_lines(const struct sup_cell *c, size_t n, const struct sup_line *l, size_t nl)
{
    char *known = malloc(n);
    assert_non_null(known);
    for (size_t i = 0; i < n; i++)
        known[i] = c[i].st == SUP_SHOWN;
    int found = -1;
    for (bool again = true; again && found < 0;) {
        again = false;
        for (size_t i = 0; i < nl && found < 0; i++) {
            int unknown = -1, k = 0;
            if (!known[l[i].total]) {
                unknown = l[i].total;
                k++;
            }
            for (int j = 0; j < l[i].n; j++)
                if (!known[l[i].part[j]]) {
                    unknown = l[i].part[j];
                    k++;
                }
            if (k == 1) {
                known[unknown] = 1;
                again = true;
                if (c[unknown].st != SUP_SHOWN)
                    found = unknown;
            }
        }
    }
    free(known);
    return found;
}

/* linear algebra in doubles (partial pivoting): a hidden cell whose unit vector is in the row
 * space of the lines over the hidden cells. */
static int attack_algebra(const struct sup_cell *c, size_t n, const struct sup_line *l, size_t nl)
{
    int *col = malloc(n * sizeof *col), *var = malloc(n * sizeof *var);
    size_t ns = 0;
    for (size_t i = 0; i < n; i++) {
        col[i] = c[i].st != SUP_SHOWN ? (int)ns : -1;
        if (col[i] >= 0)
            var[ns++] = (int)i;
    }
    int found = -1;
    if (ns && nl) {
        double *m = calloc(nl * ns, sizeof *m);
        for (size_t i = 0; i < nl; i++) {
            for (int j = 0; j < l[i].n; j++)
                if (col[l[i].part[j]] >= 0)
                    m[i * ns + (size_t)col[l[i].part[j]]] += 1;
            if (col[l[i].total] >= 0)
                m[i * ns + (size_t)col[l[i].total]] -= 1;
        }
        size_t r = 0;
        for (size_t k = 0; k < ns && r < nl; k++) {
            size_t p = r;
            for (size_t i = r; i < nl; i++)
                if (fabs(m[i * ns + k]) > fabs(m[p * ns + k]))
                    p = i;
            if (fabs(m[p * ns + k]) < 1e-9)
                continue;
            for (size_t j = 0; j < ns; j++) {
                double t = m[p * ns + j];
                m[p * ns + j] = m[r * ns + j];
                m[r * ns + j] = t;
            }
            double d = m[r * ns + k];
            for (size_t j = 0; j < ns; j++)
                m[r * ns + j] /= d;
            for (size_t i = 0; i < nl; i++)
                if (i != r && fabs(m[i * ns + k]) > 1e-12) {
                    double f = m[i * ns + k];
                    for (size_t j = 0; j < ns; j++)
                        m[i * ns + j] -= f * m[r * ns + j];
                }
            r++;
        }
        for (size_t i = 0; i < r && found < 0; i++) {
            int nz = 0, at = 0;
            for (size_t j = 0; j < ns; j++)
                if (fabs(m[i * ns + j]) > 1e-9) {
                    nz++;
                    at = (int)j;
                }
            if (nz == 1)
                found = var[at];
        }
        free(m);
    }
    free(col);
    free(var);
    return found;
}

static void assert_safe(const struct sup_cell *c, size_t n, const struct sup_line *l, size_t nl,
                        const struct sup_rules *rules)
{
    for (size_t i = 0; i < n; i++)
        if (sup_primary(&c[i], rules))
            assert_int_not_equal(c[i].st, SUP_SHOWN);
    assert_int_equal(attack_lines(c, n, l, nl), -1);
    assert_int_equal(attack_algebra(c, n, l, nl), -1);
    assert_int_equal(sup_recoverable(c, n, l, nl), -1);
}

/* ---- rules ---- */

static void t_rules(void **state)
{
    (void)state;
    /* web.md §3 (介護DB 最小集計単位の原則): < 2,000 nothing; 2,000 to < 25,000: 20; from 25,000: 10 */
    static const struct {
        long long pop;
        bool none;
        long long k;
    } t[] = {{-1, true, 0}, {0, true, 0}, {1999, true, 0}, {2000, false, 20}, {24999, false, 20},
             {25000, false, 10}, {370000, false, 10}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct sup_rules r;
        assert_int_equal(sup_rules_for(t[i].pop, DD(2026, 12, 1), &r), 0);
        assert_int_equal(r.none, t[i].none);
        if (!t[i].none)
            assert_int_equal(r.min_cell, t[i].k);
        assert_int_equal(r.min_offices, 3);
        assert_int_equal(r.unknown, t[i].pop < 0);
    }
    struct sup_rules r;
    assert_int_equal(sup_rules_for(50000, DD(2017, 3, 31), &r), -1); /* before the principle */

    struct sup_rules big;
    assert_int_equal(sup_rules_for(50000, DD(2026, 12, 1), &big), 0);
    static const struct {
        long long v, persons;
        int offices;
        bool hidden;
    } c[] = {
        {0, 0, -1, false},  /* 0 may be shown */
        {1, 1, -1, true},   {9, 9, -1, true}, {10, 10, -1, false},
        {100, 100, 2, true}, /* rests on 2 事業所 */
        {100, 100, 3, false},
        {0, 0, 0, false},    /* nothing, no office */
        {2, -1, 2, true},    /* a count of 2 事業所 */
        {3, -1, 3, false},
        {123456, 12, 5, false}, /* an amount resting on 12 persons */
        {123456, 4, 5, true},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct sup_cell x = {c[i].v, c[i].persons, c[i].offices, SUP_SHOWN};
        assert_int_equal(sup_primary(&x, &big), c[i].hidden);
    }
    struct sup_rules mid;
    assert_int_equal(sup_rules_for(10000, DD(2026, 12, 1), &mid), 0);
    struct sup_cell x15 = {15, 15, -1, SUP_SHOWN};
    assert_true(sup_primary(&x15, &mid));
    assert_false(sup_primary(&x15, &big));
}

/* ---- a 2-D table with margins ---- */

struct grid {
    int R, C; /* inner rows, columns; the margins are row R and column C */
    struct sup_cell c[16 * 16];
    struct sup_line l[64];
    size_t nl;
};
#define G(g, r, c) ((r) * ((g)->C + 1) + (c))

static void grid_make(struct grid *g, int R, int C, const long long *inner)
{
    memset(g, 0, sizeof *g);
    g->R = R;
    g->C = C;
    for (int r = 0; r <= R; r++)
        for (int c = 0; c <= C; c++)
            g->c[G(g, r, c)].offices = -1;
    for (int r = 0; r < R; r++)
        for (int c = 0; c < C; c++) {
            long long v = inner[r * C + c];
            int at[4] = {G(g, r, c), G(g, r, C), G(g, R, c), G(g, R, C)};
            for (int i = 0; i < 4; i++) {
                g->c[at[i]].v += v;
                g->c[at[i]].persons += v;
            }
        }
    for (int r = 0; r <= R; r++) {
        struct sup_line *l = &g->l[g->nl++];
        l->total = G(g, r, C);
        l->n = C;
        for (int c = 0; c < C; c++)
            l->part[c] = G(g, r, c);
    }
    for (int c = 0; c <= C; c++) {
        struct sup_line *l = &g->l[g->nl++];
        l->total = G(g, R, c);
        l->n = R;
        for (int r = 0; r < R; r++)
            l->part[r] = G(g, r, c);
    }
}

static size_t grid_n(const struct grid *g) { return (size_t)(g->R + 1) * (size_t)(g->C + 1); }

static void t_secondary_small(void **state)
{
    (void)state;
    struct sup_rules r;
    assert_int_equal(sup_rules_for(30000, DD(2026, 12, 1), &r), 0);
    /* derived here: one cell of 3 in a 3 × 3 table */
    static const long long in[9] = {3, 40, 50, 30, 60, 70, 25, 35, 45};
    struct grid g;
    grid_make(&g, 3, 3, in);
    /* primary only: the row line gives the 3 away — the attack the test relies on works */
    for (size_t i = 0; i < grid_n(&g); i++)
        g.c[i].st = sup_primary(&g.c[i], &r) ? SUP_PRIMARY : SUP_SHOWN;
    assert_int_equal(attack_lines(g.c, grid_n(&g), g.l, g.nl), G(&g, 0, 0));
    assert_int_equal(attack_algebra(g.c, grid_n(&g), g.l, g.nl), G(&g, 0, 0));
    assert_int_equal(sup_recoverable(g.c, grid_n(&g), g.l, g.nl), G(&g, 0, 0));
    /* with the engine */
    assert_int_equal(sup_apply(g.c, grid_n(&g), g.l, g.nl, &r), 0);
    assert_safe(g.c, grid_n(&g), g.l, g.nl, &r);
    assert_int_equal(g.c[G(&g, 0, 0)].st, SUP_PRIMARY);
    /* the smallest other cells of its row and column go with it: 40 (row), 25 (column), then 35 */
    assert_int_equal(g.c[G(&g, 0, 1)].st, SUP_SECONDARY);
    assert_int_equal(g.c[G(&g, 2, 0)].st, SUP_SECONDARY);
    assert_int_equal(g.c[G(&g, 2, 1)].st, SUP_SECONDARY);
    assert_int_equal(g.c[G(&g, 1, 0)].st, SUP_SHOWN);
    assert_int_equal(g.c[G(&g, 3, 3)].st, SUP_SHOWN); /* the grand total stays */
}

/* a bridge: every line has 0 or ≥ 2 hidden cells, yet one cell is determined by the whole system -
 * the line-by-line rule alone is not enough, and the engine's algebra must catch it */
static void t_bridge(void **state)
{
    (void)state;
    /* derived here: a 4 × 4 table whose hidden cells are two separate 2 × 2 cycles plus a cell
     * joining them (rows 0,1 × cols 0,1 and rows 2,3 × cols 2,3, and the cell (1,2)) */
    struct sup_rules r;
    assert_int_equal(sup_rules_for(30000, DD(2026, 12, 1), &r), 0);
    static const long long in[16] = {50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50};
    struct grid g;
    grid_make(&g, 4, 4, in);
    int hide[][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 2}, {2, 3}, {3, 2}, {3, 3}, {1, 2}};
    for (size_t i = 0; i < sizeof hide / sizeof hide[0]; i++)
        g.c[G(&g, hide[i][0], hide[i][1])].st = SUP_SECONDARY;
    assert_int_equal(attack_lines(g.c, grid_n(&g), g.l, g.nl), -1); /* no line gives it away … */
    assert_int_equal(attack_algebra(g.c, grid_n(&g), g.l, g.nl), G(&g, 1, 2)); /* … the system does */
    assert_int_equal(sup_recoverable(g.c, grid_n(&g), g.l, g.nl), G(&g, 1, 2));
}

/* random tables: after the engine, neither attacker recovers anything */
static uint64_t rng = 88172645463325252ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void t_random_grids(void **state)
{
    (void)state;
    struct sup_rules rules[3];
    assert_int_equal(sup_rules_for(3000, DD(2026, 12, 1), &rules[0]), 0);
    assert_int_equal(sup_rules_for(30000, DD(2026, 12, 1), &rules[1]), 0);
    assert_int_equal(sup_rules_for(1000, DD(2026, 12, 1), &rules[2]), 0);
    static struct grid g;
    long long in[15 * 15];
    int hidden_any = 0;
    for (int it = 0; it < 400; it++) {
        int R = 1 + (int)(next() % 8), C = 1 + (int)(next() % 8);
        for (int i = 0; i < R * C; i++) {
            uint64_t k = next() % 10;
            in[i] = k < 3 ? 0 : k < 6 ? (long long)(next() % 12) : (long long)(next() % 80);
        }
        const struct sup_rules *ru = &rules[it % 3];
        grid_make(&g, R, C, in);
        assert_int_equal(sup_apply(g.c, grid_n(&g), g.l, g.nl, ru), 0);
        if (ru->none) {
            for (size_t i = 0; i < grid_n(&g); i++)
                assert_int_equal(g.c[i].st, SUP_ALL);
            continue;
        }
        assert_safe(g.c, grid_n(&g), g.l, g.nl, ru);
        for (size_t i = 0; i < grid_n(&g); i++)
            hidden_any += g.c[i].st == SUP_SECONDARY;
    }
    assert_true(hidden_any > 100); /* the tables did need secondary suppression */
}

/* two overlapping queries: one population split two ways (p1 p2 p3 | T, and p2 | s = p1 + p3 | T).
 * Suppressed one at a time, each looks safe, but together they give p1 away (the classic
 * differencing of two age bands); suppressed as one set of cells and lines (how every kaigo table
 * with shared margins is built) they do not. Derived here. */
static void t_overlapping(void **state)
{
    (void)state;
    struct sup_rules r;
    assert_int_equal(sup_rules_for(30000, DD(2026, 12, 1), &r), 0);
    enum { P1, P2, P3, T, S, N };
    struct sup_cell base[N] = {{5, 5, -1, 0}, {30, 30, -1, 0}, {40, 40, -1, 0}, {75, 75, -1, 0}, {45, 45, -1, 0}};
    struct sup_line a = {T, 3, {P1, P2, P3}}, b1 = {T, 2, {P2, S}}, b2 = {S, 2, {P1, P3}};
    struct sup_line all[3] = {a, b1, b2};
    struct sup_line only_b[1] = {b1};

    /* one at a time: query A with its line, query B (p2, s, T) with its own */
    struct sup_cell c[N];
    memcpy(c, base, sizeof c);
    assert_int_equal(sup_apply(c, N, &a, 1, &r), 0);
    struct sup_cell cb[N];
    memcpy(cb, base, sizeof cb);
    assert_int_equal(sup_apply(cb, N, only_b, 1, &r), 0);
    assert_int_equal(cb[P2].st, SUP_SHOWN); /* B alone has nothing to hide */
    /* the attacker holds both: p1 is hidden in A only, p2 hidden in A but printed by B */
    assert_int_equal(c[P1].st, SUP_PRIMARY);
    assert_int_equal(c[P2].st, SUP_SECONDARY);
    struct sup_cell union_[N];
    memcpy(union_, base, sizeof union_);
    for (int i = 0; i < N; i++)
        union_[i].st = SUP_SHOWN;
    union_[P1].st = SUP_PRIMARY; /* hidden by both */
    assert_int_equal(attack_lines(union_, N, all, 3), P1);
    assert_int_equal(attack_algebra(union_, N, all, 3), P1);

    /* together */
    memcpy(c, base, sizeof c);
    assert_int_equal(sup_apply(c, N, all, 3, &r), 0);
    assert_safe(c, N, all, 3, &r);
    assert_int_not_equal(c[P2].st, SUP_SHOWN);
}

/* ---- the tables ---- */

static void t_nintei_table(void **state)
{
    (void)state;
    struct st_table *t = st_new(ST_NINTEI, 202612);
    assert_non_null(t);
    assert_int_equal(t->nrows, 8);
    assert_int_equal(t->ncols, 18);
    /* derived here: 20 persons in every level, band and sex but 12 要介護1 women 75–84 and 3 要介護5
     * women 95+ */
    static const int ages[5] = {50, 70, 80, 90, 96};
    for (int lv = LEVEL_SHIEN1; lv <= LEVEL_KAIGO5; lv++)
        for (int b = 0; b < 5; b++)
            for (int sex = 1; sex <= 2; sex++) {
                if (lv == LEVEL_KEIKA)
                    continue;
                int k = lv == LEVEL_KAIGO1 && b == 2 && sex == 2 ? 12 : lv == LEVEL_KAIGO5 && b == 4 && sex == 2 ? 3 : 20;
                for (int i = 0; i < k; i++)
                    st_nintei_add(t, (enum care_level)lv, ages[b], sex);
            }
    st_nintei_add(t, LEVEL_JIGYO, 80, 1); /* not a 認定: not counted */
    st_nintei_add(t, LEVEL_KAIGO2, 39, 1); /* under 40: not counted */
    assert_int_equal(st_at(t, 7, 17)->v, 7 * 10 * 20 - 8 - 17);
    assert_int_equal(st_finish(t, 50000), 0);
    long long v;
    assert_true(st_value(t, 7, 17, &v)); /* the grand total */
    assert_int_equal(v, 7 * 10 * 20 - 8 - 17);
    assert_true(st_value(t, 2, 2, &v)); /* 要介護1, 男, 75〜84 */
    assert_int_equal(v, 20);
    assert_true(st_value(t, 2, 6 + 2, &v)); /* 要介護1, 女, 75〜84 = 12 ≥ 10 */
    assert_int_equal(v, 12);
    assert_false(st_value(t, 6, 6 + 4, &v)); /* 要介護5, 女, 95+ = 3 */
    assert_safe(t->cell, ST_ROWS_MAX * ST_COLS_MAX, t->line, t->nlines, &t->rules);
    assert_true(t->nlines <= ST_LINES_MAX);
    free(t);

    /* the same counts in a municipality of 10,000: 12 is under 20 now */
    t = st_new(ST_NINTEI, 202612);
    for (int i = 0; i < 30; i++)
        st_nintei_add(t, LEVEL_KAIGO1, 80, 1);
    for (int i = 0; i < 12; i++)
        st_nintei_add(t, LEVEL_KAIGO1, 76, 2);
    assert_int_equal(st_finish(t, 10000), 0);
    assert_false(st_value(t, 2, 2, &v)); /* 30 ≥ 20, but 男 + 女 = 計 would give the 12 away */
    assert_true(st_value(t, 2, 12 + 2, &v)); /* 計 75〜84 */
    assert_int_equal(v, 42);
    assert_false(st_value(t, 2, 6 + 2, &v));
    assert_safe(t->cell, ST_ROWS_MAX * ST_COLS_MAX, t->line, t->nlines, &t->rules);
    free(t);

    /* 1,500 people: nothing at all, zeros neither */
    t = st_new(ST_NINTEI, 202612);
    for (int i = 0; i < 300; i++)
        st_nintei_add(t, LEVEL_KAIGO1, 80, 1);
    assert_int_equal(st_finish(t, 1500), 0);
    for (int r = 0; r < t->nrows; r++)
        for (int c = 0; c < t->ncols; c++)
            assert_false(st_value(t, r, c, &v));
    free(t);
}

static void t_days_share(void **state)
{
    (void)state;
    struct st_table *t = st_new(ST_DAYS, 202612);
    /* derived here: 40 新規 within 30 days, 12 over 60; 25 更新 within 30, 2 in 31–45 */
    for (int i = 0; i < 40; i++)
        st_days_add(t, 0, 28);
    for (int i = 0; i < 12; i++)
        st_days_add(t, 0, 70);
    for (int i = 0; i < 25; i++)
        st_days_add(t, 2, 30);
    for (int i = 0; i < 2; i++)
        st_days_add(t, 2, 31);
    for (int i = 0; i < 30; i++)
        st_days_add(t, 1, 20);
    for (int i = 0; i < 15; i++)
        st_days_add(t, 1, 40);
    assert_int_equal(st_finish(t, 50000), 0);
    long long v;
    assert_true(st_value(t, 0, 5, &v)); /* 新規: 40 / 52 = 76.9% */
    assert_int_equal(v, 769);
    assert_false(st_value(t, 2, 1, &v)); /* 2 in 31–45 */
    assert_false(st_value(t, 2, 0, &v)); /* 25 goes with it (the row's only other non-zero part) */
    assert_false(st_value(t, 2, 5, &v)); /* so its share is not printed either */
    assert_false(st_value(t, 1, 0, &v)); /* 30 区分変更 within 30 days: the column's smallest other */
    assert_false(st_value(t, 1, 5, &v));
    assert_true(st_value(t, 3, 4, &v));  /* every decision of the month */
    assert_int_equal(v, 124);
    assert_safe(t->cell, ST_ROWS_MAX * ST_COLS_MAX, t->line, t->nlines, &t->rules);
    free(t);
}

static void t_offices(void **state)
{
    (void)state;
    struct st_table *t = st_new(ST_CASELOAD, 202612);
    /* derived here: 2 offices of 40–49 persons, 5 of 20–29, 4 of 10–19, 6 of 30–39 */
    for (int i = 0; i < 4; i++)
        st_caseload_add(t, 15);
    for (int i = 0; i < 6; i++)
        st_caseload_add(t, 35);
    st_caseload_add(t, 42);
    st_caseload_add(t, 44);
    for (int i = 0; i < 5; i++)
        st_caseload_add(t, 25);
    assert_int_equal(st_finish(t, 50000), 0);
    long long v;
    assert_false(st_value(t, 4, 0, &v)); /* 2 事業所 */
    assert_false(st_value(t, 4, 1, &v)); /* 86 persons, but in 2 事業所 */
    assert_true(st_value(t, 2, 0, &v)); /* 5 事業所 of 20–29 */
    assert_int_equal(v, 5);
    assert_safe(t->cell, ST_ROWS_MAX * ST_COLS_MAX, t->line, t->nlines, &t->rules);
    free(t);

    t = st_new(ST_SERVICE, 202612);
    int r0 = st_service_row(t, "11", "訪問介護"), r1 = st_service_row(t, "15", "通所介護");
    assert_true(r0 == 0 && r1 == 1);
    st_put(t, r0, ST_SVC_PERSONS, 40, 40, 5);
    st_put(t, r0, ST_SVC_OFFICES, 5, -1, 5);
    st_put(t, r0, ST_SVC_UNITS, 120000, 40, 5);
    st_put(t, r1, ST_SVC_PERSONS, 30, 30, 2);
    st_put(t, r1, ST_SVC_OFFICES, 2, -1, 2);
    st_put(t, r1, ST_SVC_UNITS, 90000, 30, 2);
    int tr = st_add_total(t);
    st_put(t, tr, ST_SVC_PERSONS, 60, 60, 7);
    st_put(t, tr, ST_SVC_OFFICES, 7, -1, 7);
    st_put(t, tr, ST_SVC_UNITS, 210000, 60, 7);
    assert_int_equal(st_finish(t, 50000), 0);
    assert_false(st_value(t, r1, ST_SVC_UNITS, &v)); /* 2 事業所 */
    assert_false(st_value(t, r1, ST_SVC_OFFICES, &v));
    /* the units line would give 90,000 away: another cell of it goes too */
    assert_true(!st_value(t, r0, ST_SVC_UNITS, &v) || !st_value(t, tr, ST_SVC_UNITS, &v));
    assert_safe(t->cell, ST_ROWS_MAX * ST_COLS_MAX, t->line, t->nlines, &t->rules);
    free(t);
}

static void t_codes(void **state)
{
    (void)state;
    for (int i = 0; i < ST_COUNT; i++) {
        assert_int_equal(st_from_code(st_defs[i].code), i);
        struct st_table *t = st_new((enum st_id)i, 202612);
        assert_non_null(t);
        assert_int_equal(st_finish(t, 50000), 0);
        assert_true(t->nlines <= ST_LINES_MAX);
        free(t);
    }
    assert_int_equal(st_from_code("nope"), -1);
    struct st_table *t = st_new(ST_NINTEI, 201701); /* before the rule: nothing */
    st_nintei_add(t, LEVEL_KAIGO1, 80, 1);
    assert_int_equal(st_finish(t, 50000), -1);
    long long v;
    assert_false(st_value(t, 7, 17, &v));
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_rules),          cmocka_unit_test(t_secondary_small), cmocka_unit_test(t_bridge),
        cmocka_unit_test(t_random_grids),   cmocka_unit_test(t_overlapping),     cmocka_unit_test(t_nintei_table),
        cmocka_unit_test(t_days_share),     cmocka_unit_test(t_offices),         cmocka_unit_test(t_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
