/*
 * importspec.c - validation of municipal import rows. Every message names the
 * rule in Japanese; the caller adds FILE:LINE:COLUMN.
 */
#include <string.h>

#include "domain/importspec.h"
#include "domain/wareki.h"
#include "util/text.h"
#include "util/banned.h"

enum f {
    F_INSURER,
    F_INSURED,
    /* insured */
    F_NAME = 2, F_KANA, F_BIRTH, F_SEX, F_POSTAL, F_ADDRESS, F_ACQUIRED, F_LOST, F_ISSUED,
    /* certification */
    F_LEVEL = 2, F_APPLIED, F_CERTIFIED, F_FROM, F_TO, F_CKIND, F_PREV_LEVEL, F_OPINION, F_SERVICES,
    /* burden / limit / restriction share F_VALUE, F_VFROM, F_VTO, F_DETAIL */
    F_VALUE = 2, F_VFROM, F_VTO, F_DETAIL,
    /* plan */
    F_NOTIFIED = 2, F_PROVIDER, F_OFFICE, F_SELF, F_ENDED,
    /* facility */
    F_FKIND = 2, F_FNAME, F_FPROVIDER, F_ADMITTED, F_DISCHARGED,
};

struct col {
    const char *name;
    int required;
};

static const struct {
    const char *code, *record;
    struct col cols[IMPORT_MAX_FIELDS];
} kinds[IMPORT_KIND_COUNT] = {
    [IMPORT_INSURED] = {"insured", "insured",
                        {{"保険者番号", 1}, {"被保険者番号", 1}, {"氏名", 1}, {"氏名カナ", 1},
                         {"生年月日", 1}, {"性別", 1}, {"郵便番号", 1}, {"住所", 1},
                         {"資格取得日", 1}, {"資格喪失日", 1}, {"交付年月日", 0}}},
    [IMPORT_CERT] = {"certification", "certification",
                     {{"保険者番号", 1}, {"被保険者番号", 1}, {"要介護状態区分", 1}, {"申請日", 1},
                      {"認定年月日", 1}, {"有効期間開始日", 1}, {"有効期間終了日", 1},
                      {"申請区分", 0}, {"前回要介護状態区分", 0}, {"認定審査会の意見", 0},
                      {"サービスの種類の指定", 0}}},
    [IMPORT_BURDEN] = {"burden", "burden",
                       {{"保険者番号", 1}, {"被保険者番号", 1}, {"負担割合", 1}, {"適用開始日", 1},
                        {"適用終了日", 1}}},
    [IMPORT_LIMIT] = {"limit", "limit",
                      {{"保険者番号", 1}, {"被保険者番号", 1}, {"利用者負担段階", 1},
                       {"適用開始日", 1}, {"適用終了日", 1}}},
    [IMPORT_RESTRICTION] = {"restriction", "restriction",
                            {{"保険者番号", 1}, {"被保険者番号", 1}, {"給付制限内容", 1},
                             {"開始日", 1}, {"終了日", 0}, {"詳細", 0}}},
    [IMPORT_PLAN] = {"plan", "plan",
                     {{"保険者番号", 1}, {"被保険者番号", 1}, {"届出年月日", 1}, {"事業所番号", 0},
                      {"事業所名称", 0}, {"自己作成", 0}, {"終了日", 0}}},
    [IMPORT_FACILITY] = {"facility", "facility",
                         {{"保険者番号", 1}, {"被保険者番号", 1}, {"施設種類", 1}, {"施設名称", 1},
                          {"事業所番号", 0}, {"入所等年月日", 1}, {"退所等年月日", 0}}},
};

int import_kind_parse(const char *s, enum import_kind *out)
{
    for (int k = 0; k < IMPORT_KIND_COUNT; k++)
        if (strcmp(s, kinds[k].code) == 0) {
            *out = (enum import_kind)k;
            return 0;
        }
    return -1;
}

const char *import_kind_code(enum import_kind k)
{
    return kinds[k].code;
}

const char *import_record_kind(enum import_kind k)
{
    return kinds[k].record;
}

const char *import_column_name(enum import_kind k, int field)
{
    return field >= 0 && field < IMPORT_MAX_FIELDS ? kinds[k].cols[field].name : NULL;
}

int import_column_required(enum import_kind k, int field)
{
    return kinds[k].cols[field].required;
}

int import_header_parse(enum import_kind k, const struct str *cols, size_t n,
                        struct import_header *h, import_err_fn *err, void *ctx)
{
    int errors = 0;
    memset(h, 0, sizeof *h);
    h->kind = k;
    h->ncols = n;
    for (int f = 0; f < IMPORT_MAX_FIELDS; f++)
        h->col_of_field[f] = -1;
    if (n > ARRAY_LEN(h->field_of_col)) {
        err(ctx, 0, "", "列が多すぎます");
        return 1;
    }
    for (size_t c = 0; c < n; c++) {
        struct str name = str_trim(cols[c]);
        h->field_of_col[c] = -1;
        int found = -1;
        for (int f = 0; f < IMPORT_MAX_FIELDS && kinds[k].cols[f].name; f++)
            if (str_eq(name, kinds[k].cols[f].name))
                found = f;
        if (found < 0) {
            err(ctx, (int)c + 1, "", "不明な列名です(docs/import-formats.md を参照してください)");
            errors++;
        } else if (h->col_of_field[found] >= 0) {
            err(ctx, (int)c + 1, kinds[k].cols[found].name, "列名が重複しています");
            errors++;
        } else {
            h->col_of_field[found] = (int)c;
            h->field_of_col[c] = found;
        }
    }
    for (int f = 0; f < IMPORT_MAX_FIELDS && kinds[k].cols[f].name; f++)
        if (kinds[k].cols[f].required && h->col_of_field[f] < 0) {
            err(ctx, 0, kinds[k].cols[f].name, "必須の列がありません");
            errors++;
        }
    return errors;
}

/* Row-parsing context. */
struct rp {
    const struct import_header *h;
    const struct str *fields;
    import_err_fn *err;
    void *ctx;
    int errors;
};

static struct str fld(struct rp *r, int f)
{
    int c = r->h->col_of_field[f];
    return c < 0 ? (struct str){"", 0} : str_trim(r->fields[c]);
}

static void bad(struct rp *r, int f, const char *msg)
{
    int c = r->h->col_of_field[f];
    r->err(r->ctx, c < 0 ? 0 : c + 1, kinds[r->h->kind].cols[f].name, msg);
    r->errors++;
}

static int need(struct rp *r, int f, struct str *s)
{
    *s = fld(r, f);
    if (s->len == 0) {
        bad(r, f, "値がありません(必須項目です)");
        return -1;
    }
    return 0;
}

static int text(struct rp *r, int f, int required, size_t maxchars, char *out, size_t cap)
{
    struct str s = fld(r, f);
    out[0] = '\0';
    if (s.len == 0) {
        if (required) {
            bad(r, f, "値がありません(必須項目です)");
            return -1;
        }
        return 0;
    }
    if (!utf8_valid(s.ptr, s.len, NULL)) {
        bad(r, f, "文字コードが不正です");
        return -1;
    }
    if (utf8_count(s.ptr, s.len) > maxchars || s.len >= cap) {
        bad(r, f, "文字数が上限を超えています");
        return -1;
    }
    for (size_t i = 0; i < s.len; i++)
        if ((unsigned char)s.ptr[i] < 0x20) {
            bad(r, f, "制御文字(改行など)は使えません");
            return -1;
        }
    memcpy(out, s.ptr, s.len);
    out[s.len] = '\0';
    return 0;
}

static int date_field(struct rp *r, int f, int required, struct date *out)
{
    struct str s = fld(r, f);
    const char *why;
    *out = DATE_NONE;
    if (s.len == 0) {
        if (required) {
            bad(r, f, "日付がありません(必須項目です)");
            return -1;
        }
        return 0;
    }
    if (date_parse_any(s.ptr, s.len, out, &why)) {
        bad(r, f, why);
        return -1;
    }
    return 0;
}

static void order(struct rp *r, int f_to, struct date from, struct date to, const char *msg)
{
    if (!date_is_none(from) && !date_is_none(to) && date_cmp(to, from) < 0)
        bad(r, f_to, msg);
}

static void keys(struct rp *r, struct import_row *out)
{
    struct str s;
    const char *why;
    if (need(r, F_INSURER, &s) == 0) {
        if (insurer_no_check(s.ptr, s.len, &why))
            bad(r, F_INSURER, why);
        else
            memcpy(out->key.insurer_no, s.ptr, INSURER_NO_LEN + 0);
    }
    if (need(r, F_INSURED, &s) == 0) {
        if (insured_no_check(s.ptr, s.len, &why))
            bad(r, F_INSURED, why);
        else
            memcpy(out->key.insured_no, s.ptr, INSURED_NO_LEN);
    }
}

static void provider(struct rp *r, int f, char out[PROVIDER_NO_LEN + 1])
{
    struct str s = fld(r, f);
    const char *why;
    enum provider_rule rule;
    out[0] = '\0';
    if (s.len == 0)
        return;
    if (provider_no_check(s.ptr, s.len, &rule, &why)) {
        bad(r, f, why);
        return;
    }
    memcpy(out, s.ptr, PROVIDER_NO_LEN);
    out[PROVIDER_NO_LEN] = '\0';
}

static void row_insured(struct rp *r, struct date today, struct insured *p)
{
    struct str s;
    text(r, F_NAME, 1, NAME_MAX_CHARS, p->name, sizeof p->name);
    if (text(r, F_KANA, 1, NAME_MAX_CHARS, p->kana, sizeof p->kana) == 0 && p->kana[0]) {
        /* 半角カナ from older municipal systems is accepted and stored full-width. */
        char folded[NAME_BYTES * 2];
        struct buf fb;
        buf_init_fixed(&fb, folded, sizeof folded);
        kana_fold(p->kana, strlen(p->kana), &fb);
        if (buf_failed(&fb) || fb.len >= sizeof p->kana || !is_katakana_name(fb.ptr, fb.len))
            bad(r, F_KANA, "氏名カナは全角カタカナ(または半角カナ)で入力してください");
        else
            memcpy(p->kana, fb.ptr, fb.len + 1);
    }
    if (date_field(r, F_BIRTH, 1, &p->birth) == 0 && !date_is_none(p->birth) &&
        date_cmp(p->birth, today) > 0)
        bad(r, F_BIRTH, "生年月日が未来の日付です");
    if (need(r, F_SEX, &s) == 0) {
        if (str_eq(s, "1") || str_eq(s, "男"))
            p->sex = SEX_MALE;
        else if (str_eq(s, "2") || str_eq(s, "女"))
            p->sex = SEX_FEMALE;
        else
            bad(r, F_SEX, "性別は 1(男) または 2(女) です");
    }
    s = fld(r, F_POSTAL);
    if (s.len) {
        char d[7];
        size_t k = 0;
        int okp = (s.len == 7 || (s.len == 8 && s.ptr[3] == '-'));
        for (size_t i = 0; okp && i < s.len; i++) {
            if (s.len == 8 && i == 3)
                continue;
            if (s.ptr[i] < '0' || s.ptr[i] > '9')
                okp = 0;
            else
                d[k++] = s.ptr[i];
        }
        if (!okp || k != 7)
            bad(r, F_POSTAL, "郵便番号は7桁の数字(123-4567)です");
        else {
            memcpy(p->postal, d, 3);
            p->postal[3] = '-';
            memcpy(p->postal + 4, d + 3, 4);
            p->postal[8] = '\0';
        }
    } else
        bad(r, F_POSTAL, "値がありません(必須項目です)");
    text(r, F_ADDRESS, 1, ADDRESS_MAX_CHARS, p->address, sizeof p->address);
    date_field(r, F_ACQUIRED, 1, &p->acquired);
    date_field(r, F_LOST, 0, &p->lost);
    date_field(r, F_ISSUED, 0, &p->issued);
    order(r, F_LOST, p->acquired, p->lost, "資格喪失日が資格取得日より前です");
    if (!date_is_none(p->birth) && !date_is_none(p->acquired)) {
        /* 法 第9条: 被保険者 are 65+ (第1号) or 40–64 with medical insurance (第2号) */
        if (date_cmp(p->acquired, p->birth) < 0)
            bad(r, F_ACQUIRED, "資格取得日が生年月日より前です");
        else if (date_age(p->birth, p->acquired) < 40)
            bad(r, F_ACQUIRED, "資格取得日に40歳未満です(介護保険法第9条)");
    }
}

static void row_cert(struct rp *r, struct certification *c)
{
    struct str s;
    bool same_level = false;
    bool have_kind = false;
    if (need(r, F_LEVEL, &s) == 0 && level_parse(s.ptr, s.len, &c->level))
        bad(r, F_LEVEL, "要介護状態区分のコードが不正です(06, 12, 13, 21〜25 など)");
    else if (c->level == LEVEL_HIGAITO)
        bad(r, F_LEVEL, "非該当は有効期間がないため認定として取り込めません");
    date_field(r, F_APPLIED, 1, &c->applied);
    date_field(r, F_CERTIFIED, 1, &c->certified);
    date_field(r, F_FROM, 1, &c->valid_from);
    date_field(r, F_TO, c->level != LEVEL_JIGYO, &c->valid_to);
    order(r, F_CERTIFIED, c->applied, c->certified, "認定年月日が申請日より前です");
    s = fld(r, F_CKIND);
    c->kind = CERT_NEW;
    if (s.len) {
        if (cert_kind_parse(s.ptr, s.len, &c->kind))
            bad(r, F_CKIND, "申請区分は 新規・更新・区分変更 のいずれかです");
        else
            have_kind = true;
    }
    s = fld(r, F_PREV_LEVEL);
    if (s.len) {
        enum care_level prev;
        if (level_parse(s.ptr, s.len, &prev))
            bad(r, F_PREV_LEVEL, "前回要介護状態区分のコードが不正です");
        else
            same_level = prev == c->level;
    }
    text(r, F_OPINION, 0, TEXT_MAX_CHARS, c->opinion, sizeof c->opinion);
    text(r, F_SERVICES, 0, TEXT_MAX_CHARS, c->services, sizeof c->services);
    if (r->errors || c->level == LEVEL_JIGYO)
        return;
    const char *why;
    if (!have_kind) {
        /* Kind unknown: infer renewal when the period starts after the application. */
        c->kind = date_cmp(c->valid_from, c->applied) > 0 ? CERT_RENEW : CERT_NEW;
        same_level = same_level || c->kind == CERT_RENEW; /* widest range; exact with 申請区分 */
    }
    if (cert_check_period(c->kind, same_level, c->applied, c->valid_from, c->valid_to, &why))
        bad(r, F_TO, why);
}

static void period(struct rp *r, struct date *from, struct date *to, int to_required)
{
    date_field(r, F_VFROM, 1, from);
    date_field(r, F_VTO, to_required, to);
    order(r, F_VTO, *from, *to, "終了日が開始日より前です");
}

static void row_burden(struct rp *r, struct burden_cert *b)
{
    struct str s;
    if (need(r, F_VALUE, &s) == 0) {
        if (str_eq(s, "1") || str_eq(s, "1割"))
            b->ratio = 1;
        else if (str_eq(s, "2") || str_eq(s, "2割"))
            b->ratio = 2;
        else if (str_eq(s, "3") || str_eq(s, "3割"))
            b->ratio = 3;
        else
            bad(r, F_VALUE, "負担割合は 1, 2, 3 (割) のいずれかです");
    }
    period(r, &b->valid_from, &b->valid_to, 1);
    if (!r->errors) {
        /* RULE-BURDEN-003: a 負担割合証 covers at most one 8/1–7/31 year */
        struct date pf, pt;
        burden_period(b->valid_from, &pf, &pt);
        if (date_cmp(b->valid_to, pt) > 0)
            bad(r, F_VTO, "負担割合の適用期間は8月1日から翌年7月31日までの1年の中に収めてください");
    }
}

static void row_limit(struct rp *r, struct limit_cert *l)
{
    struct str s;
    if (need(r, F_VALUE, &s) == 0 &&
        (limit_stage_parse(s.ptr, s.len, &l->stage) || l->stage == STAGE_4))
        bad(r, F_VALUE, "利用者負担段階は 1, 2, 3a(第3段階①), 3b(第3段階②) のいずれかです");
    period(r, &l->valid_from, &l->valid_to, 1);
    if (!r->errors) {
        struct date pf, pt;
        burden_period(l->valid_from, &pf, &pt);
        if (date_cmp(l->valid_to, pt) > 0)
            bad(r, F_VTO, "負担限度額の適用期間は8月1日から翌年7月31日までの1年の中に収めてください");
    }
}

static void row_restriction(struct rp *r, struct restriction *x)
{
    struct str s;
    if (need(r, F_VALUE, &s) == 0) {
        if (str_eq(s, "1") || str_eq(s, "支払方法変更"))
            x->kind = RESTRICT_PAYMENT_METHOD;
        else if (str_eq(s, "2") || str_eq(s, "給付額減額"))
            x->kind = RESTRICT_REDUCTION;
        else if (str_eq(s, "3") || str_eq(s, "一時差止") || str_eq(s, "保険給付の一時差止"))
            x->kind = RESTRICT_SUSPENSION;
        else
            bad(r, F_VALUE, "給付制限内容は 1(支払方法変更), 2(給付額減額), 3(一時差止) のいずれかです");
    }
    period(r, &x->valid_from, &x->valid_to, 0);
    text(r, F_DETAIL, 0, TEXT_MAX_CHARS, x->detail, sizeof x->detail);
}

static void row_plan(struct rp *r, struct plan_notice *p)
{
    struct str s = fld(r, F_SELF);
    date_field(r, F_NOTIFIED, 1, &p->notified);
    if (s.len && !str_eq(s, "0") && !str_eq(s, "1"))
        bad(r, F_SELF, "自己作成は 0 または 1 です");
    p->self_made = str_eq(s, "1");
    provider(r, F_PROVIDER, p->provider_no);
    text(r, F_OFFICE, 0, NAME_MAX_CHARS, p->office_name, sizeof p->office_name);
    if (!p->self_made && !fld(r, F_PROVIDER).len)
        bad(r, F_PROVIDER, "自己作成でない場合は事業所番号が必要です");
    if (p->self_made && fld(r, F_PROVIDER).len)
        bad(r, F_PROVIDER, "自己作成の場合は事業所番号を空にしてください");
    date_field(r, F_ENDED, 0, &p->ended);
    order(r, F_ENDED, p->notified, p->ended, "終了日が届出年月日より前です");
}

static void row_facility(struct rp *r, struct facility_stay *f)
{
    text(r, F_FKIND, 1, 15, f->facility_kind, sizeof f->facility_kind);
    text(r, F_FNAME, 1, NAME_MAX_CHARS, f->name, sizeof f->name);
    provider(r, F_FPROVIDER, f->provider_no);
    date_field(r, F_ADMITTED, 1, &f->admitted);
    date_field(r, F_DISCHARGED, 0, &f->discharged);
    order(r, F_DISCHARGED, f->admitted, f->discharged, "退所等年月日が入所等年月日より前です");
}

int import_row_parse(const struct import_header *h, const struct str *fields, size_t n,
                     struct date today, struct import_row *out, import_err_fn *err, void *ctx)
{
    struct rp r = {h, fields, err, ctx, 0};
    memset(out, 0, sizeof *out);
    out->kind = h->kind;
    if (n != h->ncols) {
        err(ctx, 0, "", n < h->ncols ? "列の数が見出し行より少ないです" : "列の数が見出し行より多いです");
        return 1;
    }
    /* Text fields are checked for UTF-8 in text(); every other field is parsed
     * as strict ASCII, so a stray byte there is a format error anyway. */
    keys(&r, out);
    struct date rk = DATE_NONE;
    switch (h->kind) {
    case IMPORT_INSURED:
        out->u.insured.key = out->key;
        row_insured(&r, today, &out->u.insured);
        break;
    case IMPORT_CERT:
        row_cert(&r, &out->u.cert);
        rk = out->u.cert.valid_from;
        break;
    case IMPORT_BURDEN:
        row_burden(&r, &out->u.burden);
        rk = out->u.burden.valid_from;
        break;
    case IMPORT_LIMIT:
        row_limit(&r, &out->u.limit);
        rk = out->u.limit.valid_from;
        break;
    case IMPORT_RESTRICTION:
        row_restriction(&r, &out->u.restriction);
        rk = out->u.restriction.valid_from;
        break;
    case IMPORT_PLAN:
        row_plan(&r, &out->u.plan);
        rk = out->u.plan.notified;
        break;
    case IMPORT_FACILITY:
        row_facility(&r, &out->u.stay);
        rk = out->u.stay.admitted;
        break;
    case IMPORT_KIND_COUNT:
        break;
    }
    if (!date_is_none(rk))
        date_iso(rk, out->rkey);
    return r.errors;
}
