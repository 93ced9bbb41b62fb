/*
 * stats.c (store) - counting the statistics tables from the stored records; see stats.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>

#include "domain/card.h"
#include "domain/certdocs.h"
#include "domain/ledger.h"
#include "domain/sheet7.h"
#include "store/access.h"
#include "codec/codec.h"
#include "service/cpstore.h"
#include "service/disclose.h"
#include "codec/docjson.h"
#include "service/stats.h"
#include "util/buf.h"
#include "util/text.h"
#include "util/banned.h"

bool stats_may(const struct actor *a, const char *insurer_no)
{
    if (a->role == ROLE_OPERATOR)
        return true;
    return a->role == ROLE_INSURER && strcmp(a->org_insurer, insurer_no) == 0;
}

static enum stats_status fail(char why[160], enum stats_status s, const char *msg)
{
    str_cut(why, 160, msg);
    return s;
}

/* ---- a set of short strings (事業所番号, サービス種類): linear, a municipality's few hundred ---- */
struct sset {
    size_t n, cap;
    char (*s)[12];
};
static int sset_add(struct sset *x, const char *v)
{
    for (size_t i = 0; i < x->n; i++)
        if (strcmp(x->s[i], v) == 0)
            return 0;
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 16;
        void *p = realloc(x->s, cap * sizeof *x->s);
        if (!p)
            return -1;
        x->s = p;
        x->cap = cap;
    }
    str_cut(x->s[x->n++], sizeof x->s[0], v);
    return 1;
}
static void sset_free(struct sset *x)
{
    free(x->s);
    memset(x, 0, sizeof *x);
}

/* ---- the per-person scan (nintei, days, jutaku, life) ---- */
struct scan {
    struct st_table *t;
    struct date first, end; /* the month */
    char person[INSURED_NO_LEN + 1];
    /* nintei */
    bool have_insured;
    struct insured ins;
    bool have_cert;
    struct certification cert; /* in force on the month's end (card_cert_prefer) */
    /* jutaku: this person's claims of the month per kind; totals */
    long long jt_claims[2], jt_amount[2], jt_persons[2], jt_all_persons;
    long long jt_sum_claims[2], jt_sum_amount[2];
    /* life */
    long long life_rec[ST_LIFE_ROWS], life_persons[ST_LIFE_ROWS], life_all_persons, life_all_records;
    bool life_seen[ST_LIFE_ROWS];
    struct sset life_offices[ST_LIFE_ROWS + 1];
    bool oom;
};

static void flush(struct scan *x)
{
    if (!x->person[0])
        return;
    struct st_table *t = x->t;
    if (t->id == ST_NINTEI && x->have_insured && x->have_cert && level_certified(x->cert.level) &&
        date_valid(x->ins.birth) && card_qualified(&x->ins, x->end))
        st_nintei_add(t, x->cert.level, date_age(x->ins.birth, x->end), (int)x->ins.sex);
    if (t->id == ST_JUTAKU) {
        bool any = false;
        for (int k = 0; k < 2; k++)
            if (x->jt_claims[k]) {
                x->jt_persons[k]++;
                x->jt_sum_claims[k] += x->jt_claims[k];
                x->jt_sum_amount[k] += x->jt_amount[k];
                any = true;
            }
        x->jt_all_persons += any;
    }
    if (t->id == ST_LIFE) {
        bool any = false;
        for (int r = 0; r < ST_LIFE_ROWS; r++)
            if (x->life_seen[r]) {
                x->life_persons[r]++;
                any = true;
            }
        x->life_all_persons += any;
    }
    x->have_insured = false;
    x->have_cert = false;
    memset(x->jt_claims, 0, sizeof x->jt_claims);
    memset(x->jt_amount, 0, sizeof x->jt_amount);
    memset(x->life_seen, 0, sizeof x->life_seen);
}

static bool in_month(const struct scan *x, struct date d)
{
    return date_valid(d) && date_cmp(d, x->first) >= 0 && date_cmp(d, x->end) <= 0;
}

static int on_record(void *ctx, const char *no, const char *kind, const char *rkey, const char *body)
{
    (void)rkey;
    struct scan *x = ctx;
    if (strcmp(no, x->person) != 0) {
        flush(x);
        str_cut(x->person, sizeof x->person, no);
    }
    struct st_table *t = x->t;
    if (strcmp(kind, "certification") == 0 && (t->id == ST_NINTEI || t->id == ST_DAYS)) {
        struct certification c;
        if (codec_decode_cert(body, &c))
            return 0;
        if (t->id == ST_DAYS && in_month(x, c.certified) && date_valid(c.applied))
            st_days_add(t, (int)c.kind, date_days_between(c.applied, c.certified));
        /* the certification in force on the month's last day, chosen as the card chooses it */
        if (t->id == ST_NINTEI && card_cert_prefer(&c, x->have_cert ? &x->cert : NULL, x->end)) {
            x->cert = c;
            x->have_cert = true;
        }
    } else if (strcmp(kind, "insured") == 0 && t->id == ST_NINTEI) {
        x->have_insured = codec_decode_insured(body, &x->ins) == 0;
    } else if (strcmp(kind, "ledger") == 0 && t->id == ST_JUTAKU) {
        struct ledger_claim c;
        struct doc_error err;
        if (docjson_claim(body, strlen(body), &c, &err) == 0 && in_month(x, c.date) &&
            (c.kind == LEDGER_JUTAKU || c.kind == LEDGER_YOGU)) {
            x->jt_claims[c.kind - 1]++;
            x->jt_amount[c.kind - 1] += c.amount;
        }
    } else if (strcmp(kind, "life") == 0 && t->id == ST_LIFE) {
        struct life_feedback *f = malloc(sizeof *f);
        struct doc_error err;
        if (!f) {
            x->oom = true;
            return 1;
        }
        if (docjson_life(body, strlen(body), f, &err) == 0 && in_month(x, f->evaluated)) {
            int r = st_life_row(f->timing);
            x->life_rec[r]++;
            x->life_all_records++;
            x->life_seen[r] = true;
            if (sset_add(&x->life_offices[r], f->provider_no) < 0 ||
                sset_add(&x->life_offices[ST_LIFE_ROWS], f->provider_no) < 0)
                x->oom = true;
        }
        free(f);
    }
    return x->oom;
}

/* ---- the plans of the month (service, caseload) ---- */
enum { P_UNITS = 7, P_COUNT = 13, P_CODE = 14, P_OFFICE = 19, P_PLAN_OFFICE = 5 }; /* careplan-csv.md §7.5 */
#define SVC_TYPES 48

struct plans {
    struct date month;
    size_t ntypes;
    struct {
        char code[3];
        long long persons, units;
        struct sset offices;
    } type[SVC_TYPES];
    struct sset all_offices;
    long long all_persons;
    /* caseload: plan offices and their persons */
    struct sset plan_offices;
    long long *plan_persons;
    size_t plan_cap;
    bool oom, too_many;
};

static int on_plan(void *ctx, const char *no, const char *rkey, const char *body)
{
    (void)no;
    (void)rkey;
    struct plans *p = ctx;
    struct cp_filedata f;
    memset(&f, 0, sizeof f);
    f.layout = cp_layout(CP_UPPLAN);
    if (cps_decode(body, &f) || f.n == 0) {
        cpfile_free(&f);
        return 0;
    }
    bool seen[SVC_TYPES] = {false};
    bool any = false;
    for (size_t i = 0; i < f.n; i++) {
        const struct cp_record *r = &f.r[i];
        if (r->nf <= P_OFFICE || strlen(r->f[P_CODE]) != 6)
            continue;
        char code[3] = {r->f[P_CODE][0], r->f[P_CODE][1], 0};
        size_t k = 0;
        while (k < p->ntypes && strcmp(p->type[k].code, code) != 0)
            k++;
        if (k == p->ntypes) {
            if (p->ntypes == SVC_TYPES) {
                p->too_many = true;
                continue;
            }
            memcpy(p->type[p->ntypes++].code, code, 3);
        }
        long long units = atoll(r->f[P_UNITS]), count = atoll(r->f[P_COUNT]);
        if (count < 1)
            count = 1;
        p->type[k].units += units * count;
        if (!seen[k]) {
            seen[k] = true;
            p->type[k].persons++;
        }
        if (sset_add(&p->type[k].offices, r->f[P_OFFICE]) < 0 || sset_add(&p->all_offices, r->f[P_OFFICE]) < 0)
            p->oom = true;
        any = true;
    }
    p->all_persons += any;
    if (any && f.r[0].nf > P_PLAN_OFFICE && f.r[0].f[P_PLAN_OFFICE][0]) {
        size_t before = p->plan_offices.n;
        int added = sset_add(&p->plan_offices, f.r[0].f[P_PLAN_OFFICE]);
        if (added < 0)
            p->oom = true;
        else {
            if (p->plan_offices.n > p->plan_cap) {
                size_t cap = p->plan_offices.cap;
                long long *np = realloc(p->plan_persons, cap * sizeof *np);
                if (!np) {
                    p->oom = true;
                    cpfile_free(&f);
                    return 1;
                }
                memset(np + p->plan_cap, 0, (cap - p->plan_cap) * sizeof *np);
                p->plan_persons = np;
                p->plan_cap = cap;
            }
            size_t at = before;
            if (!added)
                for (at = 0; at < p->plan_offices.n; at++)
                    if (strcmp(p->plan_offices.s[at], f.r[0].f[P_PLAN_OFFICE]) == 0)
                        break;
            p->plan_persons[at]++;
        }
    }
    cpfile_free(&f);
    return p->oom;
}

static int type_cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static double ms_since(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) * 1e3 + (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

enum stats_status stats_build(struct store *st, const struct actor *a, const char *insurer_no, enum st_id id,
                              int ym, int64_t now, struct st_table **out, struct stats_info *info, char why[160])
{
    *out = NULL;
    memset(info, 0, sizeof *info);
    info->population = -1;
    why[0] = '\0';
    if (!stats_may(a, insurer_no))
        return fail(why, STATS_DENIED, "この保険者の集計を見る権限がありません。");
    struct date first = {ym / 100, ym % 100, 1};
    if (!date_valid(first) || (int)id < 0 || id >= ST_COUNT)
        return fail(why, STATS_BAD_MONTH, "年月が正しくありません。");
    struct insurer ins;
    int rc = st->ops->insurer_get(st, insurer_no, &ins);
    if (rc == STORE_NOTFOUND)
        return fail(why, STATS_NO_INSURER, "その保険者は登録されていません。");
    if (rc)
        return fail(why, STATS_ERROR, store_errmsg(st));
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct st_table *t = st_new(id, ym);
    if (!t)
        return fail(why, STATS_ERROR, "メモリが足りません。");
    struct date end = date_month_end(first);
    if (st->ops->read_begin(st)) {
        free(t);
        return fail(why, STATS_ERROR, store_errmsg(st));
    }
    rc = st->ops->population_get(st, insurer_no, end, &info->population, &info->population_as_of);
    if (rc == 0)
        info->population_known = true;
    else if (rc == STORE_NOTFOUND)
        info->population = -1, rc = 0;
    if (rc == 0 && (id == ST_SERVICE || id == ST_CASELOAD)) {
        struct plans *p = calloc(1, sizeof *p);
        char month[8];
        snprintf(month, sizeof month, "%06d", ym);
        rc = p ? st->ops->record_scan_kind(st, insurer_no, "cp.UPPLAN", month, on_plan, p) : -1;
        if (p && !p->oom && rc == 0) {
            if (id == ST_SERVICE) {
                qsort(p->type, p->ntypes, sizeof p->type[0], type_cmp); /* code is the first member */
                for (size_t k = 0; k < p->ntypes; k++) {
                    const char *name = s7_service_type_name(p->type[k].code, first);
                    int r = st_service_row(t, p->type[k].code, name ? name : "");
                    int offices = (int)p->type[k].offices.n;
                    st_put(t, r, ST_SVC_PERSONS, p->type[k].persons, p->type[k].persons, offices);
                    st_put(t, r, ST_SVC_OFFICES, offices, -1, offices);
                    st_put(t, r, ST_SVC_UNITS, p->type[k].units, p->type[k].persons, offices);
                }
                long long units = 0;
                for (size_t k = 0; k < p->ntypes; k++)
                    units += p->type[k].units;
                int tr = st_add_total(t), offices = (int)p->all_offices.n;
                st_put(t, tr, ST_SVC_PERSONS, p->all_persons, p->all_persons, offices);
                st_put(t, tr, ST_SVC_OFFICES, offices, -1, offices);
                st_put(t, tr, ST_SVC_UNITS, units, p->all_persons, offices);
            } else
                for (size_t k = 0; k < p->plan_offices.n; k++)
                    st_caseload_add(t, p->plan_persons[k]);
        }
        if (p && p->oom)
            rc = -1;
        if (p) {
            for (size_t k = 0; k < SVC_TYPES; k++)
                sset_free(&p->type[k].offices);
            sset_free(&p->all_offices);
            sset_free(&p->plan_offices);
            free(p->plan_persons);
        }
        free(p);
    } else if (rc == 0) {
        struct scan *x = calloc(1, sizeof *x);
        if (!x)
            rc = -1;
        else {
            x->t = t;
            x->first = first;
            x->end = end;
            rc = st->ops->record_scan_insurer(st, insurer_no, on_record, x);
            if (rc == 0 && !x->oom)
                flush(x);
            if (x->oom)
                rc = -1;
            if (rc == 0 && id == ST_JUTAKU)
                for (int k = 0; k <= 2; k++) {
                    long long claims = k < 2 ? x->jt_sum_claims[k] : x->jt_sum_claims[0] + x->jt_sum_claims[1];
                    long long amount = k < 2 ? x->jt_sum_amount[k] : x->jt_sum_amount[0] + x->jt_sum_amount[1];
                    long long persons = k < 2 ? x->jt_persons[k] : x->jt_all_persons;
                    st_put(t, k, ST_JT_CLAIMS, claims, persons, -1);
                    st_put(t, k, ST_JT_PERSONS, persons, persons, -1);
                    st_put(t, k, ST_JT_AMOUNT, amount, persons, -1);
                }
            if (rc == 0 && id == ST_LIFE)
                for (int r = 0; r <= ST_LIFE_ROWS; r++) {
                    long long rec = r < ST_LIFE_ROWS ? x->life_rec[r] : x->life_all_records;
                    long long persons = r < ST_LIFE_ROWS ? x->life_persons[r] : x->life_all_persons;
                    int offices = (int)x->life_offices[r].n;
                    st_put(t, r, ST_LIFE_RECORDS, rec, persons, offices);
                    st_put(t, r, ST_LIFE_PERSONS, persons, persons, offices);
                    st_put(t, r, ST_LIFE_OFFICES, offices, -1, offices);
                }
            for (int r = 0; r <= ST_LIFE_ROWS; r++)
                sset_free(&x->life_offices[r]);
            free(x);
        }
    }
    if (st->ops->read_end(st))
        rc = -1;
    if (rc) {
        free(t);
        return fail(why, STATS_ERROR, store_errmsg(st));
    }
    /* the table is finished (suppressed) before anyone sees it; a month without rules shows nothing */
    if (st_finish(t, info->population))
        str_cut(why, 160, "この年月には集計の規則(最小集計単位)がないため、すべての値を表示しません。");
    info->build_ms = ms_since(&t0);
    char detail[96];
    snprintf(detail, sizeof detail, "%s %s %06d", st_defs[id].code, insurer_no, ym);
    if (st->acc->security_event(st, now, "stats", a->id, "", detail)) {
        free(t);
        return fail(why, STATS_ERROR, store_errmsg(st));
    }
    *out = t;
    return STATS_OK;
}

enum stats_status stats_population_put(struct store *st, const struct actor *a, const char *insurer_no,
                                       struct date as_of, long long population, int64_t now, char why[160])
{
    why[0] = '\0';
    if (!stats_may(a, insurer_no))
        return fail(why, STATS_DENIED, "この保険者の人口を登録する権限がありません。");
    if (!date_valid(as_of) || population < 0 || population > 100000000)
        return fail(why, STATS_BAD_MONTH, "基準日または人口が正しくありません。");
    struct insurer ins;
    int rc = st->ops->insurer_get(st, insurer_no, &ins);
    if (rc == STORE_NOTFOUND)
        return fail(why, STATS_NO_INSURER, "その保険者は登録されていません。");
    if (rc || st->ops->population_put(st, insurer_no, as_of, population, now, a->id))
        return fail(why, STATS_ERROR, store_errmsg(st));
    return STATS_OK;
}

/* csv_field - a label as a CSV field (quoted when it holds a comma, a quote or a line break) */
static void csv_field(struct buf *b, const char *group, const char *s)
{
    bool q = strpbrk(s, ",\"\r\n") || (group && strpbrk(group, ",\"\r\n"));
    if (q)
        buf_addc(b, '"');
    for (int part = 0; part < 2; part++) {
        const char *p = part ? s : group;
        if (!p || !*p)
            continue;
        if (!part)
            for (; *p; p++) {
                if (*p == '"')
                    buf_addc(b, '"');
                buf_addc(b, *p);
            }
        else {
            if (group && *group)
                buf_addc(b, ' ');
            for (; *p; p++) {
                if (*p == '"')
                    buf_addc(b, '"');
                buf_addc(b, *p);
            }
        }
    }
    if (q)
        buf_addc(b, '"');
}

char *stats_csv(const struct st_table *t)
{
    struct buf b;
    buf_init(&b, 1u << 20);
    buf_adds(&b, "表側");
    for (int c = 0; c < t->ncols; c++) {
        if (t->kind[c] == ST_SHARE_COL)
            continue;
        buf_addc(&b, ',');
        csv_field(&b, t->group[c], t->col[c]);
    }
    buf_adds(&b, "\r\n");
    for (int r = 0; r < t->nrows; r++) {
        csv_field(&b, NULL, t->row[r]);
        for (int c = 0; c < t->ncols; c++) {
            if (t->kind[c] == ST_SHARE_COL)
                continue;
            long long v;
            if (st_value(t, r, c, &v))
                buf_addf(&b, ",%lld", v);
            else
                buf_adds(&b, ",x");
        }
        buf_adds(&b, "\r\n");
    }
    if (buf_failed(&b)) {
        buf_release(&b);
        return NULL;
    }
    return buf_detach(&b, NULL);
}

/* ---- 二次利用 ---- */

static int export_csv_row(void *ctx, const struct export_row *x)
{
    struct buf *b = ctx;
    buf_adds(b, x->pseudonym);
    if (x->age_from >= 0)
        buf_addf(b, ",%d〜%d歳", x->age_from, x->age_from + 4);
    else
        buf_adds(b, ",");
    buf_adds(b, x->sex == 1 ? ",男" : x->sex == 2 ? ",女" : ",");
    buf_addc(b, ',');
    if (x->level != LEVEL_NONE)
        buf_adds(b, level_name(x->level));
    buf_addc(b, ',');
    buf_adds(b, x->services);
    buf_addf(b, ",%lld\r\n", x->units);
    return buf_failed(b) ? 1 : 0;
}

char *stats_export_csv(struct store *st, struct auditq *aq, const struct actor *a, const char *insurer_no, int ym,
                       const char *request_id, int64_t now, long long *rows, long long *denied, char why[160])
{
    *rows = *denied = 0;
    why[0] = '\0';
    struct date first = {ym / 100, ym % 100, 1};
    if (!stats_may(a, insurer_no)) {
        fail(why, STATS_DENIED, "この保険者の二次利用データを作る権限がありません。");
        return NULL;
    }
    if (!date_valid(first)) {
        fail(why, STATS_BAD_MONTH, "年月が正しくありません。");
        return NULL;
    }
    unsigned char key[32];
    randombytes_buf(key, sizeof key);
    struct buf b;
    buf_init(&b, 64u << 20);
    buf_adds(&b, "仮名ID,年齢階級,性別,要介護度,サービス種類,計画単位数\r\n");
    enum disclose_status s = disclose_export(st, aq, a, insurer_no, ym, key, request_id, now, export_csv_row, &b, rows, denied);
    sodium_memzero(key, sizeof key); /* the key dies with the export: its pseudonyms cannot be recomputed */
    if (s != DISCLOSE_OK || buf_failed(&b)) {
        if (b.ptr)
            sodium_memzero(b.ptr, b.cap);
        buf_release(&b);
        fail(why, STATS_ERROR, s == DISCLOSE_AUDIT_FAILED ? "アクセス記録を保存できないため作れません。" : "記録を読めませんでした。");
        return NULL;
    }
    return buf_detach(&b, NULL);
}
