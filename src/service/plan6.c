/*
 * plan6.c - a month's 第6表 between the editor's lines and the CSV standard's records; the send
 * unit. See plan6.h.
 */
#include "service/plan6.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/burden.h"
#include "domain/level.h"
#include "domain/numbers.h"
#include "service/sheet7plan.h"
#include "util/buf.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* 第6表 columns by their v4 number (0-based; careplan-csv.md §7.5) */
enum { C_MADE = 3, C_YM = 4, C_PLAN_OFFICE = 5, C_CM = 6, C_UNITS = 7, C_DATE = 9, C_START = 11, C_END = 12,
       C_COUNT = 13, C_CODE = 14, C_OFFICE = 19, C_OFFICE_NAME = 20, C_OVER30 = 22, C_UPDATER = 23, C_NCOLS = 25 };


int p6_days_in_month(int ym)
{
    return date_days_in_month(ym / 100, ym % 100);
}

int p6_line_days(const struct p6_line *l)
{
    return __builtin_popcount(l->days);
}

static const char *col(const struct cp_record *r, unsigned v4)
{
    int at = cp_v4_col(r->nf, v4);
    return at >= 0 && (unsigned)at < r->nf ? r->f[at] : "";
}

static bool digits(const char *s, size_t n)
{
    return strlen(s) == n && strspn(s, "0123456789") == n;
}

int p6_from_set(const struct cp_filedata *set, const char *office_no, struct p6_month *m, char why[S7_ERR_BYTES])
{
    memset(m, 0, sizeof *m);
    for (size_t i = 0; i < set->n; i++) {
        const struct cp_record *r = &set->r[i];
        if (!m->plan_office[0]) {
            str_cut(m->plan_office, sizeof m->plan_office, col(r, C_PLAN_OFFICE));
            str_cut(m->cm_name, sizeof m->cm_name, col(r, C_CM));
            utf8_scrub(m->cm_name);
        }
        if (office_no && strcmp(col(r, C_OFFICE), office_no))
            continue;
        const char *ym = col(r, C_YM), *date = col(r, C_DATE);
        if (!digits(ym, 6) || !digits(date, 8) || strncmp(ym, date, 6))
            return s7_fail(why, "%ld 行目: サービス利用日が対象年月のものではありません", r->line);
        int y = (int)strtol(ym, NULL, 10);
        if (m->ym && m->ym != y)
            return s7_fail(why, "%ld 行目: ひとつの第6表に二つの月があります", r->line);
        m->ym = y;
        int day = (int)strtol(date + 6, NULL, 10);
        if (day < 1 || day > p6_days_in_month(y))
            return s7_fail(why, "%ld 行目: サービス利用日 %s がありません", r->line, date);
        const char *count = col(r, C_COUNT);
        int per_day = *count ? (int)strtol(count, NULL, 10) : 1;
        bool over30 = !strcmp(col(r, C_OVER30), "1");
        size_t l = 0;
        while (l < m->n && (strcmp(m->lines[l].office_no, col(r, C_OFFICE)) || strcmp(m->lines[l].code, col(r, C_CODE)) ||
                            strcmp(m->lines[l].start, col(r, C_START)) || strcmp(m->lines[l].end, col(r, C_END)) ||
                            m->lines[l].per_day != per_day || m->lines[l].over30 != over30))
            l++;
        if (l == m->n) {
            if (l == P6_MAX_LINES)
                return s7_fail(why, "第6表の行が多すぎます(上限 %d 行)", P6_MAX_LINES);
            struct p6_line *x = &m->lines[m->n++];
            str_cut(x->office_no, sizeof x->office_no, col(r, C_OFFICE));
            str_cut(x->office_name, sizeof x->office_name, col(r, C_OFFICE_NAME));
            utf8_scrub(x->office_name); /* cut inside a character: dropped, never half */
            str_cut(x->code, sizeof x->code, col(r, C_CODE));
            str_cut(x->start, sizeof x->start, col(r, C_START));
            str_cut(x->end, sizeof x->end, col(r, C_END));
            x->per_day = per_day;
            x->over30 = over30;
        }
        m->lines[l].days |= 1u << (day - 1);
    }
    return 0;
}

static bool hhmm(const char *s)
{
    return digits(s, 4) && (!strcmp(s, "9999") || ((s[0] - '0') * 10 + (s[1] - '0') < 24 && (s[2] - '0') < 6));
}

/* ms932_text - s can be written in MS932 and read back: valid UTF-8, every character in MS932, none from
 * the private use area U+E000–U+F8FF (MS932's 外字, which the exchange refuses) */
static bool ms932_text(const char *s)
{
    size_t n = strlen(s), off;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0xEE || (c == 0xEF && i + 1 < n && (unsigned char)s[i + 1] < 0xA4))
            return false;
    }
    struct buf b;
    buf_init(&b, 4 * n + 16);
    bool ok = utf8_valid(s, n, NULL) && utf8_to_cp932(s, n, &b, &off) == 0;
    buf_release(&b);
    return ok;
}

int p6_check(const struct p6_month *m, char why[S7_ERR_BYTES])
{
    int ndays = p6_days_in_month(m->ym);
    if (m->ym / 100 < 2000 || m->ym % 100 < 1 || m->ym % 100 > 12)
        return s7_fail(why, "対象年月が正しくありません");
    if (m->n == 0)
        return s7_fail(why, "サービスの行がありません。事業所番号・サービスコード・日を入れてください");
    for (size_t i = 0; i < m->n; i++) {
        const struct p6_line *l = &m->lines[i];
        enum provider_rule rule;
        const char *w;
        struct date month = {m->ym / 100, m->ym % 100, 1};
        char type[3];
        str_cut(type, sizeof type, l->code);
        if (provider_no_check(l->office_no, strlen(l->office_no), &rule, &w))
            return s7_fail(why, "%zu 行目: 事業所番号 %s: %s", i + 1, l->office_no, w);
        if (!digits(l->code, 6) && !(strlen(l->code) == 6 && strspn(l->code + 2, "0123456789") == 4))
            return s7_fail(why, "%zu 行目: サービスコードは6桁です(種類2桁+項目4桁)", i + 1);
        if (!s7_service_type_name(type, month))
            return s7_fail(why, "%zu 行目: サービス種類 %s がわかりません", i + 1, type);
        if (!hhmm(l->start) || !hhmm(l->end) || (!strcmp(l->start, "9999")) != (!strcmp(l->end, "9999")))
            return s7_fail(why, "%zu 行目: 時刻は 0930 のような4桁(時刻のないサービスは両方 9999)です", i + 1);
        if (l->per_day < 1 || l->per_day > 99)
            return s7_fail(why, "%zu 行目: 1日の回数は 1〜99 です", i + 1);
        if (!l->days)
            return s7_fail(why, "%zu 行目: サービスの日を1日以上選んでください", i + 1);
        if (l->days >> ndays)
            return s7_fail(why, "%zu 行目: %d日まで の月です", i + 1, ndays);
        if (!ms932_text(l->office_name))
            return s7_fail(why, "%zu 行目: 事業所名に MS932 で送れない文字(外字・私用領域の文字を含む)があります", i + 1);
    }
    return 0;
}

/* time_field - "09:30" (input type=time) or "0930" → "0930"; "" → 9999 (no time); -1 otherwise */
static int time_field(const char *s, char out[5])
{
    char t[5] = "";
    if (!*s)
        str_cut(t, sizeof t, "9999");
    else if (strlen(s) == 5 && s[2] == ':')
        snprintf(t, sizeof t, "%.2s%.2s", s, s + 3);
    else if (strlen(s) == 4)
        str_cut(t, sizeof t, s);
    if (!digits(t, 4))
        return -1;
    str_cut(out, 5, t);
    return 0;
}

struct raw_line {
    const char *v[8]; /* o n c s e k x t */
    uint32_t days;
    bool any_day, bad_day;
};

int p6_form(const struct p6_field *f, size_t n, bool actual, struct p6_month *m, struct s7_given *g,
            char over[P6_OVER_BYTES], char why[S7_ERR_BYTES])
{
    static const char letters[] = "oncsekxt"; /* o n c s e k x t: v[] in this order */
    struct raw_line *raw = xcalloc(P6_FORM_LINES, sizeof *raw);
    int ndays = p6_days_in_month(m->ym), rc = 0;
    m->n = 0;
    over[0] = '\0';
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *name = f[i].name, *v = f[i].value;
        if (!strcmp(name, "over")) {
            if (strlen(v) < P6_OVER_BYTES)
                str_cut(over, P6_OVER_BYTES, v);
            continue;
        }
        if ((name[0] == 'p' || name[0] == 'g') && digits(name + 1, 10)) { /* 単位数単価 or 地域区分 per office */
            int price = 0;
            long grade = 0;
            char *e;
            if (!*v)
                continue;
            if (name[0] == 'p' && s7_price_parse(v, strlen(v), &price)) {
                rc = s7_fail(why, "事業所 %s の単位数単価は 11.40 のように入れてください", name + 1);
                break;
            }
            if (name[0] == 'g' && ((grade = strtol(v, &e, 10)) < 1 || grade > 8 || *e)) {
                rc = s7_fail(why, "事業所 %s の地域区分は 1〜7級地 か その他 です", name + 1);
                break;
            }
            size_t x = 0;
            while (x < g->nprices && strcmp(g->prices[x].office_no, name + 1))
                x++;
            if (x == g->nprices) {
                if (g->nprices == S7_MAX_OFFICES)
                    continue;
                g->nprices++;
                memset(&g->prices[x], 0, sizeof g->prices[x]);
                str_cut(g->prices[x].office_no, sizeof g->prices[x].office_no, name + 1);
            }
            if (name[0] == 'p') /* a typed 単価 wins over the grade's */
                g->prices[x].price_x100 = price;
            else
                g->prices[x].grade = (int)grade;
            continue;
        }
        const char *at = name[0] ? strchr(letters, name[0]) : NULL;
        if (!at && name[0] != 'd')
            continue; /* not a line's field (the CSRF token, action, ym) */
        if (strlen(name + 1) < 1 || strlen(name + 1) > 2 || strspn(name + 1, "0123456789") != strlen(name + 1))
            continue;
        long idx = strtol(name + 1, NULL, 10);
        if (idx >= P6_FORM_LINES)
            continue;
        struct raw_line *l = &raw[idx];
        if (name[0] == 'd') {
            char *end;
            long day = strtol(v, &end, 10);
            l->any_day = true;
            if (!*v || *end || day < 1 || day > ndays)
                l->bad_day = true;
            else
                l->days |= 1u << (day - 1);
        } else
            l->v[at - letters] = v;
    }
    for (size_t i = 0; i < P6_FORM_LINES && rc == 0; i++) {
        struct raw_line *r = &raw[i];
        const char *office = r->v[0] ? r->v[0] : "", *name = r->v[1] ? r->v[1] : "", *code = r->v[2] ? r->v[2] : "",
                   *start = r->v[3] ? r->v[3] : "", *end = r->v[4] ? r->v[4] : "", *k = r->v[5] ? r->v[5] : "";
        if ((!*office && !*code && !r->any_day) || (r->v[6] && *r->v[6]))
            continue;
        if (actual && !r->days && !r->bad_day) /* 実績: a line not provided at all is not sent */
            continue;
        if (m->n == P6_MAX_LINES) {
            rc = s7_fail(why, "行が多すぎます(上限 %d 行)", P6_MAX_LINES);
            break;
        }
        struct p6_line *l = &m->lines[m->n++];
        memset(l, 0, sizeof *l);
        char *e;
        long per = *k ? strtol(k, &e, 10) : 1;
        if (strlen(office) > 10 || strlen(code) > 6)
            rc = s7_fail(why, "%zu 行目: 事業所番号は10桁、サービスコードは6桁です", m->n);
        else if (time_field(start, l->start) || time_field(end, l->end))
            rc = s7_fail(why, "%zu 行目: 時刻は 09:30 のように入れてください", m->n);
        else if ((*k && *e) || per < 1 || per > 99)
            rc = s7_fail(why, "%zu 行目: 1日の回数は 1〜99 です", m->n);
        else if (r->bad_day)
            rc = s7_fail(why, "%zu 行目: 日付が正しくありません", m->n);
        else {
            str_cut(l->office_no, sizeof l->office_no, office);
            str_cut(l->code, sizeof l->code, code);
            str_cut(l->office_name, sizeof l->office_name, name);
            utf8_scrub(l->office_name); /* cut inside a character: dropped, never half */
            l->per_day = (int)per;
            l->over30 = r->v[7] && *r->v[7];
            l->days = r->days;
        }
    }
    free(raw);
    return rc;
}

void p6_records(const struct p6_month *m, const struct p6_who *w, const struct svc_master *master, bool actual,
                struct cp_filedata *out)
{
    memset(out, 0, sizeof *out);
    out->layout = cp_layout(actual ? CP_UPJSK : CP_UPPLAN);
    out->crlf = out->final_newline = true;
    char ym[7], date[9], units[24], count[4];
    snprintf(ym, sizeof ym, "%06d", m->ym);
    for (size_t i = 0; i < m->n; i++) {
        const struct p6_line *l = &m->lines[i];
        const struct svc_code *c = master ? svc_lookup(master, l->code, m->ym) : NULL;
        units[0] = '\0';
        if (c)
            snprintf(units, sizeof units, "%lld", c->units);
        snprintf(count, sizeof count, "%d", l->per_day);
        for (int d = 1; d <= 31; d++) {
            if (!(l->days & (1u << (d - 1))))
                continue;
            snprintf(date, sizeof date, "%06d%02d", m->ym, d);
            const char *f[C_NCOLS] = {
                CP_VERSION_V41, w->card->person.key.insurer_no, w->card->person.key.insured_no, w->made, ym,
                w->plan_office, w->cm_name, units, "", date, "", l->start, l->end, count, l->code, "", "", "", "",
                l->office_no, l->office_name, "", l->over30 ? "1" : "0", actual ? l->office_no : w->plan_office, ""};
            cpfile_add(out, f, C_NCOLS);
        }
    }
}

static void ymd(struct date d, char out[9])
{
    if (date_is_none(d))
        out[0] = '\0';
    else
        snprintf(out, 9, "%04u%02u%02u", (unsigned)d.y % 10000u, (unsigned)d.m % 100u, (unsigned)d.d % 100u);
}

void p6_hosoku(const struct p6_month *m, const struct p6_who *w, struct cp_filedata *out)
{
    memset(out, 0, sizeof *out);
    out->layout = cp_layout(CP_UPHOSOKU);
    out->crlf = out->final_newline = true;
    const struct card *c = w->card;
    char birth[9], certified[9], from[9], to[9], limit[24] = "", ym[7];
    ymd(c->person.birth, birth);
    ymd(c->cert.certified, certified);
    ymd(c->cert.valid_from, from);
    ymd(c->cert.valid_to, to);
    snprintf(ym, sizeof ym, "%06d", m->ym);
    struct date month = {m->ym / 100, m->ym % 100, 1};
    long long lim = level_certified(c->cert.level) ? level_kubun_limit(c->cert.level, month) : -1;
    if (lim > 0)
        snprintf(limit, sizeof limit, "%lld", lim);
    const char *f[63];
    for (size_t i = 0; i < 63; i++)
        f[i] = "";
    f[0] = CP_VERSION_V41;
    f[1] = c->person.key.insurer_no;
    f[2] = c->person.key.insured_no;
    f[3] = "00000000"; /* linked to the 6表/7表 */
    f[4] = c->person.kana;
    f[5] = c->person.name;
    f[6] = c->person.sex == SEX_MALE ? "1" : c->person.sex == SEX_FEMALE ? "2" : "";
    f[7] = birth;
    f[12] = certified;
    f[13] = from;
    f[14] = to;
    f[15] = level_certified(c->cert.level) ? "2" : "";
    f[17] = level_code(c->cert.level);
    f[18] = limit;
    f[59] = w->plan_office;
    f[60] = w->plan_office;
    f[62] = ym;
    cpfile_add(out, f, 63);
}

int p6_benefit_rate(const struct card *c)
{
    return c->has_burden && c->burden.ratio >= 1 && c->burden.ratio <= 3 ? burden_benefit_rate(c->burden.ratio) : 0;
}

int p6_compute(const struct p6_month *m, const struct p6_who *w, const struct svc_master *master,
               const struct cp_filedata *sikyu, const struct s7_given *given, const char *over_office,
               const char *over_code, bool as_sent, struct s7_doc *d, struct s7_total *t, char why[S7_ERR_BYTES])
{
    if (p6_check(m, why))
        return -1;
    struct cp_filedata plan, hosoku;
    p6_records(m, w, master, false, &plan);
    p6_hosoku(m, w, &hosoku);
    int rc = sheet7_from_plan(&plan, &hosoku, sikyu, master, given, d, why);
    if (rc == 0 && over_office && over_code && *over_code)
        for (size_t l = 0; l < d->in.nlines; l++)
            for (size_t o = 0; o < d->in.noffices; o++)
                if (l >= d->offices[o].first && l < d->offices[o].first + d->offices[o].n &&
                    !strcmp(d->offices[o].office_no, over_office) && !strcmp(d->lines[l].service_code, over_code) &&
                    !d->lines[l].over_30_days)
                    d->in.over_first = l + 1;
    if (rc == 0 && over_code && *over_code && !d->in.over_first)
        rc = s7_fail(why, "限度超過を割り当てる行(%s %s)が第6表にありません", over_office ? over_office : "", over_code);
    if (rc == 0) {
        /* the care manager allocates now: the sent 第7表's allocation is not carried into an edit */
        for (size_t l = 0; !(as_sent && !d->in.over_first) && l < d->in.nlines; l++)
            d->lines[l].over_given = false, d->lines[l].over_limit_units = 0;
        rc = sheet7_compute(&d->in, t, why);
    }
    cpfile_free(&plan);
    cpfile_free(&hosoku);
    return rc;
}

void p6_unit_free(struct p6_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(files[i].bytes);
        files[i].bytes = NULL;
    }
}

struct unmap {
    char *why;
    size_t n;
};

static void unmappable(void *ctx, const struct cp_unmappable *u)
{
    struct unmap *x = ctx;
    if (x->n++ == 0)
        snprintf(x->why, S7_ERR_BYTES, "%s の %s に MS932 で送れない文字 U+%04X があります", u->file, u->column_name,
                 u->cp);
}

/* write_file - f named by n into *out: strict MS932, then read back with every check of an upload */
static int write_file(struct cp_filedata *f, const struct cp_name *n, struct p6_file *out, char why[S7_ERR_BYTES])
{
    f->name = *n;
    if (cp_name_format(n, out->name, sizeof out->name))
        return s7_fail(why, "ファイル名を作れません");
    struct unmap u = {why, 0};
    size_t count = 0;
    out->bytes = cpfile_write_ex(f, out->name, &out->len, false, unmappable, &u, &count);
    if (!out->bytes)
        return u.n ? -1 : s7_fail(why, "%s を書けません", out->name);
    return 0;
}

static int add_row(void *ctx, const char *const f[S7_CSV_COLS])
{
    cpfile_add(ctx, f, S7_CSV_COLS);
    return 0;
}

static struct cp_name unit_name(enum cp_file file, int ym, const char *from, const char *from_kind, const char *to,
                                const char *to_kind, const char *stamp)
{
    struct cp_name n;
    memset(&n, 0, sizeof n);
    n.file = file;
    snprintf(n.month, sizeof n.month, "%06d", ym);
    str_cut(n.from, sizeof n.from, from);
    str_cut(n.from_kind, sizeof n.from_kind, from_kind);
    str_cut(n.to, sizeof n.to, to);
    str_cut(n.to_kind, sizeof n.to_kind, to_kind);
    str_cut(n.stamp, sizeof n.stamp, stamp);
    return n;
}

int p6_unit(const struct p6_month *m, const struct p6_who *w, const struct svc_master *master, const struct s7_doc *d,
            const struct s7_total *t, const char *to, const char *to_kind, const char *stamp, struct p6_file files[3],
            char why[S7_ERR_BYTES])
{
    memset(files, 0, 3 * sizeof *files);
    struct cp_filedata hosoku, plan, sikyu;
    p6_hosoku(m, w, &hosoku);
    p6_records(m, w, master, false, &plan);
    memset(&sikyu, 0, sizeof sikyu);
    sikyu.layout = cp_layout(CP_UPSIKYU);
    sikyu.crlf = sikyu.final_newline = true;
    struct s7_ident id = d->id;
    str_cut(id.version, sizeof id.version, CP_VERSION_V41);
    int rc = sheet7_csv_rows(&d->in, t, &id, add_row, &sikyu);
    struct cp_name nh = unit_name(CP_UPHOSOKU, m->ym, w->plan_office, "43", to, to_kind, stamp),
                   np = unit_name(CP_UPPLAN, m->ym, w->plan_office, "43", to, to_kind, stamp),
                   ns = unit_name(CP_UPSIKYU, m->ym, w->plan_office, "43", to, to_kind, stamp);
    if (rc)
        rc = s7_fail(why, "第7表を書けません");
    if (rc == 0)
        rc = write_file(&hosoku, &nh, &files[0], why);
    if (rc == 0)
        rc = write_file(&plan, &np, &files[1], why);
    if (rc == 0)
        rc = write_file(&sikyu, &ns, &files[2], why);
    cpfile_free(&hosoku);
    cpfile_free(&plan);
    cpfile_free(&sikyu);
    if (rc)
        p6_unit_free(files, 3);
    return rc;
}

int p6_actual_file(const struct p6_month *m, const struct p6_who *w, const struct svc_master *master,
                   const char *from, const char *from_kind, const char *stamp, struct p6_file *out,
                   char why[S7_ERR_BYTES])
{
    memset(out, 0, sizeof *out);
    if (p6_check(m, why))
        return -1;
    struct cp_filedata jsk;
    p6_records(m, w, master, true, &jsk);
    struct cp_name n = unit_name(CP_UPJSK, m->ym, from, from_kind, w->plan_office, "43", stamp);
    int rc = write_file(&jsk, &n, out, why);
    cpfile_free(&jsk);
    return rc;
}
