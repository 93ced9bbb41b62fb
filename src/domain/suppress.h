/*
 * suppress.h - the one small-cell suppression engine of every statistics output (page, chart, CSV):
 * 介護DB 「最小集計単位の原則」 (匿名介護情報等の提供に関するガイドライン; web.md §3), thresholds as
 * dated rows of data/rates.tsv (stats_*), never numbers in code.
 *
 *  - primary: a cell resting on 1..k-1 persons is suppressed (0 may be shown); k = 10, and for a
 *    municipality of 2,000 to under 25,000 people k = 20; under 2,000 people nothing is shown at all
 *    (every cell, zeros too). A cell resting on 1 or 2 事業所 is suppressed.
 *  - secondary: the caller declares the table's additive lines (a total and its parts). No line
 *    may hold exactly one suppressed cell, and no suppressed cell may be determined by all the lines
 *    together: an attacker's linear algebra (sup_recoverable) is run over the published cells and
 *    the engine suppresses more until it finds nothing. Tables published from one population (two
 *    views sharing a margin) are suppressed together, as one set of cells and lines.
 *
 * The result is a function of the cells and lines only (ties broken by index), so the page and the
 * CSV of one table always hide the same cells. Pure; no allocation beyond the caller's arrays and
 * one scratch matrix (sup_apply returns -1 if that cannot be had: publish nothing then).
 */
#ifndef KAIGO_DOMAIN_SUPPRESS_H
#define KAIGO_DOMAIN_SUPPRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/compiler.h"
#include "util/date.h"

#define SUP_LINE_MAX 64  /* parts of one line */
#define SUP_CELLS_MAX 4096
#define SUP_LINES_MAX 2048

enum sup_state {
    SUP_SHOWN = 0,
    SUP_PRIMARY,   /* under the threshold of persons or 事業所 */
    SUP_SECONDARY, /* hidden so that a primary one cannot be recovered */
    SUP_ALL,       /* the municipality is too small for any count */
};

struct sup_cell {
    long long v;       /* the published value (a count, or an amount that rests on persons) */
    long long persons; /* the persons it rests on; -1: not about persons (a count of 事業所) */
    int offices;       /* the 事業所 it rests on; -1: not about 事業所 */
    enum sup_state st; /* out */
};

/* One additive line: cell[total] = Σ cell[part[i]]. */
struct sup_line {
    int total;
    int n;
    int part[SUP_LINE_MAX];
};

struct sup_rules {
    bool none;         /* population under the minimum: no counts at all */
    bool unknown;      /* no population of the insurer is registered: treated as none */
    long long min_cell;    /* persons */
    long long min_offices; /* 事業所 */
    long long population;
};

/* sup_rules_for - the rules for a municipality of population (< 0: unknown) in the month of 'on'.
 * -1 if rates.tsv has no stats rows for that date. */
MUST_CHECK int sup_rules_for(long long population, struct date on, struct sup_rules *out) NONNULL(3);

/* sup_apply - marks c[i].st. 0, or -1 on bad input (a line naming a cell out of range, too many
 * cells or lines) or no memory; on -1 every cell is marked SUP_ALL so that a careless caller still
 * shows nothing. */
MUST_CHECK int sup_apply(struct sup_cell *c, size_t n, const struct sup_line *l, size_t nl,
                         const struct sup_rules *r);

/* sup_recoverable - the attacker: the first suppressed cell whose value follows from the shown cells
 * and the lines (exact linear algebra over the rationals), or -1 if none does; -2 if it could not
 * be computed (no memory). For the engine's own check and for tests. */
int sup_recoverable(const struct sup_cell *c, size_t n, const struct sup_line *l, size_t nl);

/* sup_primary - whether one cell breaks the primary rules by itself. */
bool sup_primary(const struct sup_cell *c, const struct sup_rules *r) NONNULL(1, 2);

#endif
