/*
 * caseloadplan.c - the office's month for the caseload from the stored 第6表; see caseloadjson.h.
 */
#include <stdio.h>
#include <string.h>

#include "util/text.h"
#include "service/caseloadplan.h"
#include "service/cpstore.h"
#include "util/banned.h"

struct from_db {
    struct cl_doc *d;
    struct cl_from_plans *out;
    cl_skip_fn *skip;
    void *ctx;
};

/* first_field - the first record's item col, or NULL when absent or empty. An item longer than
 * out holds is not cut (two names cut alike would merge two care managers): *too_long is set. */
static const char *first_field(const char *body, enum cp_file file, int col, char *out, size_t cap, int *too_long)
{
    struct cp_filedata f;
    memset(&f, 0, sizeof f);
    f.layout = cp_layout(file);
    out[0] = '\0';
    if (body && cps_decode(body, &f) == 0 && f.n > 0 && f.r[0].nf > (unsigned)col && str_copy(out, cap, f.r[0].f[col])) {
        out[0] = '\0';
        if (too_long)
            *too_long = 1;
    }
    cpfile_free(&f);
    return out[0] ? out : NULL;
}

static int db_case(void *ctx, const struct person_key *k, const char *plan, const char *hosoku, const char *kyo1,
                   const char *yobo, const struct cl_visits *v)
{
    struct from_db *x = ctx;
    struct cl_doc *d = x->d;
    char manager[CL_MANAGER_BYTES], level[8], contract[16];
    int long_name = 0;
    if (!first_field(plan, CP_UPPLAN, 6, manager, sizeof manager, &long_name)) { /* プラン担当者名 */
        if (long_name) {
            x->out->long_name = true;
            return 1;
        }
        snprintf(manager, sizeof manager, "(担当者名なし)");
    }
    enum care_level lv;
    if (!first_field(hosoku, CP_UPHOSOKU, 17, level, sizeof level, NULL) || level_parse(level, strlen(level), &lv)) {
        if (x->skip)
            x->skip(x->ctx, k);
        x->out->skipped++;
        return 0;
    }
    if (!first_field(kyo1, CP_UP1KYO, 14, contract, sizeof contract, NULL) &&  /* 初回居宅サービス計画作成日 */
        !first_field(plan, CP_UPPLAN, 3, contract, sizeof contract, NULL))     /* else the 6表's 作成年月日 */
        contract[0] = '\0';
    if (d->ncases == CL_MAX_CASES) {
        x->out->full = true;
        return 1;
    }
    struct cl_case *c = &d->cases[d->ncases];
    memset(c, 0, sizeof *c);
    snprintf(c->id, sizeof c->id, "%s/%s", k->insurer_no, k->insured_no);
    str_cut(c->manager, sizeof c->manager, manager);
    c->level = lv;
    c->last_home = v->last_home; /* モニタリング: the office's recorded visits */
    c->video_ok = v->video_after;
    char kind[4];
    /* RULE-CM-004: a 要支援 plan of 介護予防ケアマネジメント (UPYOBO No.5 計画種類 2) is not counted */
    c->yobo_cm = (lv == LEVEL_SHIEN1 || lv == LEVEL_SHIEN2) && first_field(yobo, CP_UPYOBO, 4, kind, sizeof kind, NULL) &&
                 strcmp(kind, "2") == 0;
    char iso8601[11];
    if (strlen(contract) == 8)
        snprintf(iso8601, sizeof iso8601, "%.4s-%.2s-%.2s", contract, contract + 4, contract + 6);
    const char *why;
    if (strlen(contract) != 8 || date_parse_iso(iso8601, 10, &c->contract, &why))
        c->contract = (struct date){d->month.y, d->month.m, 1};
    d->ncases++;
    size_t m = 0;
    while (m < d->nmanagers && strcmp(d->managers[m].id, manager) != 0)
        m++;
    if (m == d->nmanagers) {
        if (m == CL_MAX_MANAGERS) {
            x->out->full = true;
            return 1;
        }
        str_cut(d->managers[m].id, sizeof d->managers[m].id, manager);
        d->managers[m].fte_x100 = 100;
        d->nmanagers++;
    }
    return 0;
}

enum disclose_status caseload_from_plans(struct store *st, struct auditq *aq, const struct actor *a,
                                         enum purpose purpose, const char *office_no, const char *request_id,
                                         int64_t now, struct cl_doc *d, struct cl_from_plans *out, cl_skip_fn *skip,
                                         void *ctx)
{
    char ym[8];
    snprintf(ym, sizeof ym, "%04d%02d", d->month.y, d->month.m);
    memset(out, 0, sizeof *out);
    d->visits_unknown = true;
    struct from_db x = {d, out, skip, ctx};
    return disclose_caseload(st, aq, a, purpose, office_no, ym, request_id, now, db_case, &x, &out->shown,
                             &out->denied);
}

int caseload_of_manager(const struct cl_doc *d, size_t m, struct cl_case *mine, size_t *k, struct cl_result *r,
                        const char **why)
{
    *k = 0;
    for (size_t i = 0; i < d->ncases; i++)
        if (!strcmp(d->cases[i].manager, d->managers[m].id))
            mine[(*k)++] = d->cases[i];
    return caseload_compute(mine, *k, d->managers[m].fte_x100, d->fee2, d->month, r, why);
}
