/*
 * certdocs.c - 認定調査票, 主治医意見書 and LIFE feedback checks; see certdocs.h.
 *
 * RULE-DOC-001 (認定調査票記入の手引き): every 基本調査 item of the form in force
 *   on the survey date is answered with one of its codes (data/chosa-items.tsv).
 * RULE-DOC-002 (主治医意見書 様式, 2026-04-01): the form from that date has no
 *   「介護サービス計画作成等への利用についての同意」; earlier forms require it
 *   (data/rates.tsv ikensho_consent_field).
 * RULE-DOC-003: an opinion on an earlier form marked 同意しない is not shown to
 *   care managers or providers (platform.md §5.6: disclosure needs the doctor's agreement).
 * RULE-DOC-004 (介護保険法施行令 第2条): a 第2号被保険者's opinion names one of
 *   the 16 特定疾病 (data/tokutei-shippei.tsv).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "domain/certdocs.h"
#include "domain/codes.h"
#include "domain/numbers.h"
#include "domain/rates.h"
#include "util/text.h"
#include "util/banned.h"

static bool in_range(const struct code_row *r, struct date on)
{
    return date_cmp(on, r->from) >= 0 && date_cmp(on, r->to) <= 0;
}

const struct code_row *chosa_item(const char *id, struct date on)
{
    for (unsigned i = 0; i < chosa_items_len; i++)
        if (strcmp(chosa_items[i].f[0], id) == 0 && in_range(&chosa_items[i], on))
            return &chosa_items[i];
    return NULL;
}

unsigned chosa_item_count(struct date on)
{
    unsigned n = 0;
    for (unsigned i = 0; i < chosa_items_len; i++)
        n += in_range(&chosa_items[i], on);
    return n;
}

const char *chosa_answer_label(const char *answers, const char *code, size_t *len)
{
    size_t n = strlen(code);
    for (const char *p = answers; *p;) {
        const char *colon = strchr(p, ':');
        if (!colon)
            return NULL;
        const char *bar = strchr(colon, '|');
        if (!bar)
            bar = colon + strlen(colon);
        if ((size_t)(colon - p) == n && memcmp(p, code, n) == 0) {
            *len = (size_t)(bar - colon - 1);
            return colon + 1;
        }
        p = *bar ? bar + 1 : bar;
    }
    return NULL;
}

static bool answer_allowed(const char *answers, const char *code)
{
    size_t len;
    return chosa_answer_label(answers, code, &len) != NULL;
}

/* allowed_text - "1(ない)、2(ある)" from the answers column. */
static void allowed_text(const char *answers, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (const char *p = answers; *p && o + 8 < cap;) {
        const char *colon = strchr(p, ':');
        const char *bar = strchr(p, '|');
        if (!colon)
            break;
        if (!bar)
            bar = p + strlen(p);
        int w = snprintf(out + o, cap - o, "%s%.*s(%.*s)", o ? "、" : "", (int)(colon - p), p,
                         (int)(bar - colon - 1), colon + 1);
        if (w < 0 || (size_t)w >= cap - o) {
            out[o] = '\0';
            break;
        }
        o += (size_t)w;
        p = *bar ? bar + 1 : bar;
    }
}

__attribute__((format(printf, 3, 4))) static int fail(struct doc_error *err, const char *field,
                                                       const char *fmt, ...)
{
    va_list ap;
    str_cut(err->field, sizeof err->field, field);
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

int chosa_check(const struct chosa *c, struct doc_error *err)
{
    if (!date_valid(c->surveyed))
        return fail(err, "surveyed", "調査実施日(surveyed)を指定してください");
    if (!c->investigator[0])
        return fail(err, "investigator", "調査実施者(investigator)を指定してください");
    if (chosa_item_count(c->surveyed) == 0)
        return fail(err, "surveyed", "調査実施日に有効な認定調査票の様式がありません");
    bool seen[CHOSA_MAX_ITEMS] = {0};
    for (size_t i = 0; i < c->n; i++) {
        const struct code_row *r = chosa_item(c->a[i].item, c->surveyed);
        if (!r)
            return fail(err, c->a[i].item, "項目 %s は認定調査票(基本調査)にありません",
                        c->a[i].item);
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->a[j].item, c->a[i].item) == 0)
                return fail(err, c->a[i].item, "項目 %s(%s)の回答が二つあります", r->f[0], r->f[3]);
        if (!answer_allowed(r->f[4], c->a[i].answer)) {
            char allowed[DOC_ERR_MSG_BYTES / 2];
            allowed_text(r->f[4], allowed, sizeof allowed);
            char head[256];
            snprintf(head, sizeof head, "項目 %s(%s・%s)の回答「%s」は選択肢にありません。", r->f[0],
                     r->f[3], r->f[2], c->a[i].answer);
            return fail(err, c->a[i].item, "%s選べる回答: %s", head, allowed);
        }
        unsigned idx = 0;
        for (unsigned k = 0; k < chosa_items_len && &chosa_items[k] != r; k++)
            idx += in_range(&chosa_items[k], c->surveyed);
        if (idx < CHOSA_MAX_ITEMS)
            seen[idx] = true;
    }
    unsigned idx = 0;
    for (unsigned k = 0; k < chosa_items_len; k++) {
        if (!in_range(&chosa_items[k], c->surveyed))
            continue;
        if (idx < CHOSA_MAX_ITEMS && !seen[idx])
            return fail(err, chosa_items[k].f[0], "項目 %s(%s)が未回答です", chosa_items[k].f[0],
                        chosa_items[k].f[3]);
        idx++;
    }
    return 0;
}

bool ikensho_has_consent_field(struct date written)
{
    long long v;
    return rate_get("ikensho_consent_field", "-", written, &v) == 0 && v == 1;
}

const char *ikensho_form(struct date written)
{
    return ikensho_has_consent_field(written) ? "2009" : "2026";
}

const char *tokutei_name(const char *code, struct date on)
{
    for (unsigned i = 0; i < tokutei_shippei_len; i++)
        if (strcmp(tokutei_shippei[i].f[0], code) == 0 && in_range(&tokutei_shippei[i], on))
            return tokutei_shippei[i].f[1];
    return NULL;
}

static bool code_in(const char *item, const char *code, struct date on)
{
    const struct code_row *r = chosa_item(item, on);
    return r && answer_allowed(r->f[4], code);
}

int ikensho_check(const struct ikensho *o, bool dai2, struct doc_error *err)
{
    if (!date_valid(o->written))
        return fail(err, "written", "記入日(written)を指定してください");
    if (!o->doctor[0])
        return fail(err, "doctor", "医師氏名(doctor)を指定してください");
    if (!date_valid(o->last_exam) || date_cmp(o->last_exam, o->written) > 0)
        return fail(err, "last_exam", "最終診察日(last_exam)は記入日以前の日付で指定してください");
    if (o->times != 1 && o->times != 2)
        return fail(err, "times", "作成回数(times)は 1(初回)か 2(2回目以上)です");
    bool field = ikensho_has_consent_field(o->written);
    if (field && o->consent == IKENSHO_CONSENT_ABSENT)
        return fail(err, "consent",
                    "記入日が令和8年3月31日以前の様式では「介護サービス計画作成等への利用についての同意」"
                    "(consent: 同意する/同意しない)が必要です");
    if (!field && o->consent != IKENSHO_CONSENT_ABSENT)
        return fail(err, "consent",
                    "令和8年4月1日からの様式には「介護サービス計画作成等への利用についての同意」欄がありません"
                    "(共有は本人の同意によります)");
    if (o->ndiag == 0 || !o->diag[0].name[0])
        return fail(err, "diagnoses", "診断名(diagnoses)を一つ以上指定してください");
    for (size_t i = 0; i < o->ndiag; i++)
        if (!date_is_none(o->diag[i].onset) && date_cmp(o->diag[i].onset, o->written) > 0)
            return fail(err, "diagnoses", "発症年月日が記入日より後です(%s)", o->diag[i].name);
    if (o->tokutei[0] && !tokutei_name(o->tokutei, o->written))
        return fail(err, "tokutei", "特定疾病(tokutei)は 1〜16 の番号で指定してください(「%s」)", o->tokutei);
    if (dai2 && !o->tokutei[0])
        return fail(err, "tokutei",
                    "第2号被保険者(40〜64歳)の意見書には16の特定疾病のいずれか(tokutei: 1〜16)が必要です");
    if (o->stability[0] && strcmp(o->stability, "安定") && strcmp(o->stability, "不安定") &&
        strcmp(o->stability, "不明"))
        return fail(err, "stability", "症状としての安定性(stability)は 安定・不安定・不明 のいずれかです");
    if (o->netakiri[0] && !code_in("7-1", o->netakiri, o->written))
        return fail(err, "netakiri", "障害高齢者の日常生活自立度(netakiri)は 自立, J1, J2, A1, A2, B1, B2, C1, C2 のいずれかです");
    if (o->ninchi[0] && !code_in("7-2", o->ninchi, o->written))
        return fail(err, "ninchi", "認知症高齢者の日常生活自立度(ninchi)は 自立, I, IIa, IIb, IIIa, IIIb, IV, M のいずれかです");
    return 0;
}

bool ikensho_withheld_from_care(const struct ikensho *o)
{
    return ikensho_has_consent_field(o->written) && o->consent == IKENSHO_CONSENT_NO;
}

int life_check(const struct life_feedback *f, struct doc_error *err)
{
    enum provider_rule rule;
    const char *why;
    if (provider_no_check(f->provider_no, strlen(f->provider_no), &rule, &why))
        return fail(err, "provider_no", "事業所番号(provider_no): %s", why);
    if (!date_valid(f->evaluated))
        return fail(err, "evaluated", "評価日(evaluated)を指定してください");
    if (f->n == 0)
        return fail(err, "items", "項目(items)が一つもありません");
    for (size_t i = 0; i < f->n; i++) {
        if (!f->items[i].name[0])
            return fail(err, "items", "項目名が空です");
        for (size_t j = 0; j < i; j++)
            if (strcmp(f->items[i].name, f->items[j].name) == 0)
                return fail(err, f->items[i].name, "項目「%s」が二度あります", f->items[i].name);
    }
    return 0;
}
