/* sheet7plan.c - the 第7表 from the stored 第6表; see sheet7plan.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"
#include "service/sheet7plan.h"
#include "util/banned.h"

/* UPPLAN (第6表) columns, 0-based (careplan-csv.md §7.5) */
enum { P_MADE = 3, P_UNITS = 7, P_COUNT = 13, P_CODE = 14, P_OFFICE = 19, P_OFFICE_NAME = 20, P_PLAN_OFFICE = 5,
       P_OVER30 = 22 };
/* UPHOSOKU: 要介護状態区分 No.18, 区分支給限度基準額 No.19 */
enum { H_LEVEL = 17, H_LIMIT = 18 };
/* UPSIKYU (第7表), 0-based */
enum { S_OFFICE = 6, S_CODE = 8, S_OVER = 20, S_IN = 21, S_PRICE = 22, S_COST = 23, S_RATE = 24, S_CLAIM = 25,
       S_SHARE = 27, S_FULL = 28, S_OVER30 = 32 };

int s7_fail(char why[S7_ERR_BYTES], const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, S7_ERR_BYTES, fmt, ap);
    va_end(ap);
    return -1;
}

static bool to_int(const char *s, long long *out)
{
    char *end;
    if (!s || !*s)
        return false;
    long long v = strtoll(s, &end, 10);
    if (*end)
        return false;
    *out = v;
    return true;
}

/* field - the item of v4 number i + 1 (the P_, S_ constants are v4 positions); in a v3 record (22 or 34
 * items) the same item 3 places earlier, "" for one v3 does not have (cp_v4_col) */
static const char *field(const struct cp_record *r, unsigned i)
{
    int at = cp_v4_col(r->nf, i);
    return at >= 0 && (unsigned)at < r->nf ? r->f[at] : "";
}

int sheet7_from_plan(const struct cp_filedata *plan, const struct cp_filedata *hosoku,
                     const struct cp_filedata *sikyu, const struct svc_master *master,
                     const struct s7_given *given, struct s7_doc *d, char why[S7_ERR_BYTES])
{
    memset(&d->in, 0, sizeof d->in);
    memset(&d->id, 0, sizeof d->id);
    struct s7_input *in = &d->in;
    in->offices = d->offices;
    in->lines = d->lines;
    in->limit_units = -1;
    if (!plan || plan->n == 0)
        return s7_fail(why, "この月の第6表(予定)が取り込まれていません");
    const struct cp_record *r0 = &plan->r[0];
    const char *ym = field(r0, 4);
    if (strlen(ym) != 6 || strspn(ym, "0123456789") != 6)
        return s7_fail(why, "第6表の対象年月が読めません");
    in->month = (struct date){(ym[0] - '0') * 1000 + (ym[1] - '0') * 100 + (ym[2] - '0') * 10 + (ym[3] - '0'),
                              (ym[4] - '0') * 10 + (ym[5] - '0'), 1};
    int yyyymm = in->month.y * 100 + in->month.m;
    /* the level and the limit the care manager sent with the month */
    if (!hosoku || hosoku->n == 0)
        return s7_fail(why, "この月の利用者補足情報(要介護状態区分)が取り込まれていません");
    const char *lv = field(&hosoku->r[0], H_LEVEL);
    if (level_parse(lv, strlen(lv), &in->levels[0]))
        return s7_fail(why, "利用者補足情報の要介護状態区分(%s)が読めません", lv);
    in->nlevels = 1;
    long long limit;
    if (to_int(field(&hosoku->r[0], H_LIMIT), &limit) && limit > 0)
        in->limit_units = limit;
    /* 給付率: given, else the sent 第7表's */
    in->benefit_rate = given->benefit_rate;
    for (size_t i = 0; in->benefit_rate == 0 && sikyu && i < sikyu->n; i++) {
        long long rate;
        if (to_int(field(&sikyu->r[i], S_RATE), &rate) && (rate == 90 || rate == 80 || rate == 70))
            in->benefit_rate = (int)rate;
    }
    if (in->benefit_rate == 0)
        return s7_fail(why, "給付率がわかりません(--burden-ratio で負担割合を指定してください)");
    /* offices × types and their lines, in the order they first appear */
    for (size_t i = 0; i < plan->n; i++) {
        const struct cp_record *r = &plan->r[i];
        const char *office = field(r, P_OFFICE), *code = field(r, P_CODE);
        size_t o = 0;
        while (o < in->noffices &&
               (strcmp(d->offices[o].office_no, office) || strncmp(d->offices[o].service_type, code, 2)))
            o++;
        if (o == in->noffices) {
            if (o == S7_MAX_OFFICES)
                return s7_fail(why, "事業所・サービス種類が多すぎます(上限 %d)", S7_MAX_OFFICES);
            struct s7_office *x = &d->offices[o];
            memset(x, 0, sizeof *x);
            str_cut(x->office_no, sizeof x->office_no, office);
            snprintf(x->service_type, sizeof x->service_type, "%.2s", code);
            str_cut(d->names[o], sizeof d->names[o], field(r, P_OFFICE_NAME));
            d->name_of[o] = d->names[o];
            in->noffices++;
        }
    }
    for (size_t o = 0; o < in->noffices; o++) {
        struct s7_office *x = &d->offices[o];
        x->first = in->nlines;
        for (size_t i = 0; i < plan->n; i++) {
            const struct cp_record *r = &plan->r[i];
            const char *code = field(r, P_CODE);
            if (strcmp(field(r, P_OFFICE), x->office_no) || strncmp(code, x->service_type, 2))
                continue;
            bool over30 = strcmp(field(r, P_OVER30), "1") == 0; /* ３０日超区分: a 7表 line of its own */
            size_t l = x->first;
            while (l < in->nlines && (strcmp(d->lines[l].service_code, code) || d->lines[l].over_30_days != over30))
                l++;
            long long count = 1, units;
            if (*field(r, P_COUNT) && !to_int(field(r, P_COUNT), &count))
                return s7_fail(why, "第6表 %ld 行目のサービス回数が読めません", r->line);
            if (l == in->nlines) {
                if (l == S7_MAX_LINES)
                    return s7_fail(why, "明細が多すぎます(上限 %d)", S7_MAX_LINES);
                const struct svc_code *m = svc_lookup(master, code, yyyymm);
                if (!m)
                    return s7_fail(why, "サービスコード %s (%04d年%02d月)がサービスコード表にありません(--codes)", code,
                                in->month.y, in->month.m);
                struct s7_line *ln = &d->lines[l];
                memset(ln, 0, sizeof *ln);
                str_cut(ln->service_code, sizeof ln->service_code, code);
                /* the 6表's 単位数 when it gives one, else the master's */
                ln->units = to_int(field(r, P_UNITS), &units) ? units : m->units;
                ln->rate_pct = 100;
                ln->limit_exempt = !m->limit_managed;
                ln->over_30_days = over30;
                in->nlines++;
            }
            d->lines[l].count += count;
        }
        x->n = in->nlines - x->first;
        /* the unit price: given, else the sent 第7表's for the office */
        for (size_t g = 0; g < given->nprices; g++)
            if (!strcmp(given->prices[g].office_no, x->office_no))
                x->price_x100 = given->prices[g].price_x100
                                    ? given->prices[g].price_x100
                                    : s7_unit_price(x->service_type, given->prices[g].grade, in->month);
        for (size_t i = 0; x->price_x100 <= 0 && sikyu && i < sikyu->n; i++) {
            const struct cp_record *r = &sikyu->r[i];
            const char *p = field(r, S_PRICE);
            if (!strcmp(field(r, S_OFFICE), x->office_no) && !strncmp(field(r, S_CODE), x->service_type, 2) && *p &&
                s7_price_parse(p, strlen(p), &x->price_x100))
                x->price_x100 = 0;
        }
        if (x->price_x100 <= 0)
            return s7_fail(why, "事業所 %s (サービス種類 %s)の単位数単価がわかりません(--price か --grade)", x->office_no,
                        x->service_type);
        /* the care manager's allocation over the limit, as the sent 第7表 shows it per line */
        for (size_t l = x->first; sikyu && l < x->first + x->n; l++)
            for (size_t i = 0; i < sikyu->n; i++) {
                const struct cp_record *r = &sikyu->r[i];
                long long over;
                if (!strcmp(field(r, S_OFFICE), x->office_no) && !strcmp(field(r, S_CODE), d->lines[l].service_code) &&
                    (strcmp(field(r, S_OVER30), "1") == 0) == d->lines[l].over_30_days && to_int(field(r, S_OVER), &over)) {
                    d->lines[l].over_limit_units += over;
                    d->lines[l].over_given = true;
                }
            }
    }
    /* who and when, for writing the result as UPSIKYU */
    d->id.office_names = d->name_of;
    str_cut(d->id.version, sizeof d->id.version, field(r0, 0));
    str_cut(d->id.insurer_no, sizeof d->id.insurer_no, field(r0, 1));
    str_cut(d->id.insured_no, sizeof d->id.insured_no, field(r0, 2));
    str_cut(d->id.created, sizeof d->id.created, field(r0, P_MADE));
    str_cut(d->id.plan_office, sizeof d->id.plan_office, field(r0, P_PLAN_OFFICE));
    return 0;
}

/* ---- the sent table against the computed one ------------------------------------ */

static const struct cp_record *row_of(const struct cp_filedata *s, const char *office, const char *code)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(field(&s->r[i], S_OFFICE), office) && !strcmp(field(&s->r[i], S_CODE), code))
            return &s->r[i];
    return NULL;
}

struct cmp {
    s7_diff_fn *fn;
    void *ctx;
    long n;
};

static void one(struct cmp *c, const struct cp_record *r, int col, const char *office, const char *type,
                const char *item, long long computed)
{
    long long sent = 0;
    bool has = r && to_int(field(r, (unsigned)col), &sent);
    if (!has || sent != computed) {
        c->fn(c->ctx, office, type, item, has ? sent : -1, computed);
        c->n++;
    }
}

static void amounts(struct cmp *c, const struct cp_record *r, const char *office, const char *type, long long over,
                    long long in_limit, long long cost, long long claim, long long share, long long full)
{
    one(c, r, S_OVER, office, type, "区分支給限度基準超単位数", over);
    one(c, r, S_IN, office, type, "区分支給限度基準内単位数", in_limit);
    one(c, r, S_COST, office, type, "費用総額", cost);
    one(c, r, S_CLAIM, office, type, "保険請求額", claim);
    one(c, r, S_SHARE, office, type, "利用者負担(保険対象分)", share);
    one(c, r, S_FULL, office, type, "利用者負担(全額負担分)", full);
}

long sheet7_compare(const struct s7_doc *d, const struct s7_total *t, const struct cp_filedata *sikyu,
                    s7_diff_fn *fn, void *ctx)
{
    struct cmp c = {fn, ctx, 0};
    const struct s7_input *in = &d->in;
    for (size_t o = 0; o < in->noffices; o++) {
        const struct s7_office *x = &in->offices[o];
        size_t managed = 0, last = 0;
        for (size_t l = x->first; l < x->first + x->n; l++)
            if (!in->lines[l].limit_exempt) {
                managed++;
                last = l;
            }
        if (managed) { /* the office's amounts: on its subtotal row, or its single line's row */
            char code[8];
            snprintf(code, sizeof code, "%.2sAAAA", x->service_type);
            const struct cp_record *r = row_of(sikyu, x->office_no, code);
            if (!r && managed == 1)
                r = row_of(sikyu, x->office_no, in->lines[last].service_code);
            amounts(&c, r, x->office_no, x->service_type, x->over_limit_units, x->in_limit_units, x->total_cost,
                    x->claim, x->user_share, x->full_pay);
        }
        for (size_t l = x->first; l < x->first + x->n; l++) { /* outside the limit: its rows summed */
            const struct s7_line *ln = &in->lines[l];
            if (!ln->limit_exempt)
                continue;
            static const struct {
                int col;
                const char *item;
            } cols[] = {{S_COST, "費用総額"}, {S_CLAIM, "保険請求額"}, {S_SHARE, "利用者負担(保険対象分)"},
                        {S_FULL, "利用者負担(全額負担分)"}};
            long long computed[] = {ln->ex_total_cost, ln->ex_claim, ln->ex_user_share, ln->ex_full_pay};
            for (size_t k = 0; k < 4; k++) {
                long long sent = 0, v;
                bool has = false;
                for (size_t i = 0; i < sikyu->n; i++) {
                    const struct cp_record *r = &sikyu->r[i];
                    if (!strcmp(field(r, S_OFFICE), x->office_no) && !strcmp(field(r, S_CODE), ln->service_code) &&
                        (strcmp(field(r, S_OVER30), "1") == 0) == ln->over_30_days &&
                        to_int(field(r, (unsigned)cols[k].col), &v)) {
                        sent += v;
                        has = true;
                    }
                }
                if (!has || sent != computed[k]) {
                    fn(ctx, x->office_no, ln->service_code, cols[k].item, has ? sent : -1, computed[k]);
                    c.n++;
                }
            }
        }
    }
    const struct cp_record *tot = row_of(sikyu, "9999999999", "999999");
    one(&c, tot, S_COST, "", "", "費用総額", t->total_cost);
    one(&c, tot, S_CLAIM, "", "", "保険請求額", t->claim);
    one(&c, tot, S_SHARE, "", "", "利用者負担(保険対象分)", t->user_share);
    one(&c, tot, S_FULL, "", "", "利用者負担(全額負担分)", t->full_pay);
    return c.n;
}
