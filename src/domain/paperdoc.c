/* paperdoc.c - the printed lines of paper documents; see paperdoc.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/burden.h"
#include "domain/certification.h"
#include "domain/level.h"
#include "domain/certflow.h"
#include "domain/certification.h"
#include "domain/paperdoc.h"
#include "domain/wareki.h"
#include "util/text.h"
#include "util/banned.h"

const char *const paper_panel[PAPER_PANELS] = {"(一)", "(二)", "(三)"};

int paper_line_panel(const char *label, const char **rest)
{
    for (int p = 0; p < PAPER_PANELS; p++) {
        size_t n = strlen(paper_panel[p]);
        if (strncmp(label, paper_panel[p], n) == 0) {
            *rest = label + n;
            return p;
        }
    }
    *rest = label;
    return -1;
}

/* wareki - 令和8年2月1日; "" for no date: an empty date never reaches a document as 0000-00-00 */
static void wareki(struct date d, char *out, size_t cap)
{
    if (date_is_none(d)) {
        out[0] = '\0';
        return;
    }
    struct buf b;
    buf_init(&b, 64);
    if (wareki_format(d, WAREKI_LONG, &b) == 0 && b.ptr)
        snprintf(out, cap, "%s", b.ptr);
    else
        date_iso(d, out);
    buf_release(&b);
}

static void add(struct paper_doc *d, const char *label, const char *value)
{
    if (d->n == PAPER_MAX_LINES || strlen(label) >= sizeof d->l[0].label || strlen(value) >= sizeof d->l[0].value) {
        d->overflow = true;
        return;
    }
    memcpy(d->l[d->n].label, label, strlen(label) + 1);
    memcpy(d->l[d->n].value, value, strlen(value) + 1);
    d->n++;
}

/* add_folded - a name, kana or address as printed: half-width カナ made full-width
 * (ｶﾞ → ガ), so every printer and reader sees the same characters. */
static void add_folded(struct paper_doc *d, const char *label, const char *value)
{
    struct buf b;
    buf_init(&b, 4 * strlen(value) + 16);
    kana_fold(value, strlen(value), &b);
    add(d, label, b.ptr ? b.ptr : "");
    buf_release(&b);
}

static int done(struct paper_doc *d, const char **why)
{
    if (d->overflow) {
        *why = "印字する項目が多すぎるか長すぎます(切り詰めずに止めました)";
        return -1;
    }
    return 0;
}

static void add_date(struct paper_doc *d, const char *label, struct date v)
{
    char w[64] = "";
    if (!date_is_none(v))
        wareki(v, w, sizeof w);
    add(d, label, w);
}

/* limit_in_force - a 負担限度額 認定 (段階 1–3②) on the card's date */
static bool limit_in_force(const struct card *c)
{
    return c->has_limit && c->limit.stage != STAGE_NONE && c->limit.stage != STAGE_4;
}

/* begin_doc - a document of kind about c's person, titled, issued on 'issued' */
static void begin_doc(struct paper_doc *d, enum paper_kind kind, const struct card *c, const char *title,
                      struct date issued)
{
    memset(d, 0, sizeof *d);
    d->kind = kind;
    str_cut(d->insurer_no, sizeof d->insurer_no, c->person.key.insurer_no);
    str_cut(d->insured_no, sizeof d->insured_no, c->person.key.insured_no);
    str_cut(d->title, sizeof d->title, title);
    d->issued = issued;
}

/* end_doc - the insurer's line, and the check that nothing was left out */
static int end_doc(struct paper_doc *d, const struct card *c, const char **why)
{
    snprintf(d->issuer, sizeof d->issuer, "保険者番号 %s  %s", c->insurer.insurer_no, c->insurer.name);
    return done(d, why);
}

static void person_lines(struct paper_doc *d, const struct card *c, const char *panel);
static void period(struct date from, struct date to, char *out, size_t cap);

int paper_doc_burden(const struct card *c, struct date issued, struct paper_doc *d, const char **why)
{
    if (!c->has_burden) {
        *why = "この日に有効な負担割合の記録がありません";
        return -1;
    }
    begin_doc(d, PAPER_BURDEN, c, "介護保険負担割合証", issued);
    d->valid_from = c->burden.valid_from;
    d->valid_to = c->burden.valid_to;
    add_date(d, "交付年月日", issued);
    person_lines(d, c, "");
    char ratio[16];
    snprintf(ratio, sizeof ratio, "%d割", c->burden.ratio);
    add(d, "利用者負担の割合", ratio);
    d->ratio = c->burden.ratio;
    add_date(d, "適用期間(開始年月日)", c->burden.valid_from);
    add_date(d, "適用期間(終了年月日)", c->burden.valid_to);
    return end_doc(d, c, why);
}

static void person_lines(struct paper_doc *d, const struct card *c, const char *panel)
{ /* 被保険者番号, 住所, フリガナ, 氏名, 生年月日, 性別, each label prefixed with panel */
    char label[96];
    snprintf(label, sizeof label, "%s被保険者番号", panel);
    add(d, label, c->person.key.insured_no);
    snprintf(label, sizeof label, "%s住所", panel);
    add_folded(d, label, c->person.address);
    snprintf(label, sizeof label, "%sフリガナ", panel);
    add_folded(d, label, c->person.kana);
    snprintf(label, sizeof label, "%s氏名", panel);
    add_folded(d, label, c->person.name);
    snprintf(label, sizeof label, "%s生年月日", panel);
    add_date(d, label, c->person.birth);
    snprintf(label, sizeof label, "%s性別", panel);
    add(d, label, c->person.sex == SEX_MALE ? "男" : c->person.sex == SEX_FEMALE ? "女" : "");
}

int paper_doc_limit(const struct card *c, struct date issued, struct paper_doc *d, const char **why)
{
    if (!limit_in_force(c)) {
        *why = "この日に有効な負担限度額の認定がありません";
        return -1;
    }
    begin_doc(d, PAPER_LIMIT, c, "介護保険負担限度額認定証", issued);
    d->valid_from = c->limit.valid_from;
    d->valid_to = c->limit.valid_to;
    add_date(d, "交付年月日", issued);
    person_lines(d, c, "");
    add_date(d, "適用年月日", c->limit.valid_from);
    add_date(d, "有効期限", c->limit.valid_to);
    add(d, "利用者負担段階", limit_stage_name(c->limit.stage));
    d->stage = (int)c->limit.stage;
    for (int i = 0; i < LIMIT_ITEM_COUNT; i++) { /* 円/日 of the stage, as in force at the validity's start */
        long long v = limit_daily((enum limit_item)i, c->limit.stage, c->limit.valid_from);
        char yen[48], grouped[32];
        if (v < 0)
            continue;
        group_thousands(v, grouped, sizeof grouped); /* every amount grouped, as 16,765単位 is */
        snprintf(yen, sizeof yen, "%s円", grouped);
        char label[96];
        snprintf(label, sizeof label, "%s(日額)", limit_item_name((enum limit_item)i));
        add(d, label, yen);
    }
    return end_doc(d, c, why);
}

/* 介護保険法施行規則 第26条, 様式第一号 (platform.md §3.1): every item of the three panels is
 * printed, empty where nothing is recorded, as on the form. */
int paper_doc_card(const struct card *c, struct date issued, struct paper_doc *d, const char **why)
{
    if (!c->qualified) {
        *why = "この日に被保険者の資格がありません";
        return -1;
    }
    /* no validity of its own (platform.md §3.1) */
    begin_doc(d, PAPER_CARD, c, c->shikakusha ? "介護保険資格者証" : "介護保険被保険者証", issued);
    person_lines(d, c, paper_panel[0]);
    add_date(d, "(一)交付年月日", issued);
    char v[PAPER_VALUE_BYTES], p[160];
    /* while an application is pending, the level in force and 申請中 (issue #14: the card
     * printed only 申請中 and hid the level the person may still use) */
    if (c->pending) {
        char w[64];
        wareki(c->pending_applied, w, sizeof w);
        if (c->has_cert)
            snprintf(v, sizeof v, "%s(申請中: %s %s申請)", level_name(c->cert.level), w,
                     cert_kind_name(c->pending_kind));
        else
            snprintf(v, sizeof v, "申請中(%s申請、%s)", w, cert_kind_name(c->pending_kind));
        add(d, "(二)要介護状態区分等", v);
    } else
        add(d, "(二)要介護状態区分等", c->has_cert ? level_name(c->cert.level) : "");
    d->pending = c->pending;
    if (c->has_cert)
        str_cut(d->level, sizeof d->level, level_code(c->cert.level));
    add_date(d, "(二)認定年月日", c->has_cert ? c->cert.certified : DATE_NONE);
    v[0] = '\0';
    if (c->has_cert)
        period(c->cert.valid_from, c->cert.valid_to, v, sizeof v);
    add(d, "(二)認定の有効期間", v);
    v[0] = '\0';
    if (c->has_cert && c->kubun_limit >= 0) {
        char units[32];
        group_thousands(c->kubun_limit, units, sizeof units);
        period(c->cert.valid_from, c->cert.valid_to, p, sizeof p);
        snprintf(v, sizeof v, "%s 1月当たり %s単位", p, units);
    }
    add(d, "(二)居宅サービス等 区分支給限度基準額", v);
    add(d, "(二)うち種類支給限度基準額", "");
    add(d, "(二)認定審査会の意見及びサービスの種類の指定", c->has_cert ? c->cert.opinion : "");
    if (c->has_cert && c->cert.services[0]) /* a line of its own: each text is whole (TEXT_BYTES) */
        add(d, "(二)サービスの種類の指定", c->cert.services);
    for (size_t i = 0; i < c->nrestrictions || i == 0; i++) {
        const struct restriction *r = i < c->nrestrictions ? &c->restrictions[i] : NULL;
        v[0] = p[0] = '\0';
        if (r) {
            snprintf(v, sizeof v, "%s%s%s", restriction_name(r->kind), r->detail[0] ? " " : "", r->detail);
            period(r->valid_from, r->valid_to, p, sizeof p);
        }
        add(d, "(三)給付制限", v);
        add(d, "(三)期間", p);
    }
    v[0] = '\0';
    if (c->has_plan && c->plan.self_made)
        snprintf(v, sizeof v, "自己作成");
    else if (c->has_plan)
        snprintf(v, sizeof v, "%s(%s)", c->plan.office_name, c->plan.provider_no);
    add(d, "(三)居宅介護支援事業者又は介護予防支援事業者及びその事業所の名称", v);
    add_date(d, "(三)届出年月日", c->has_plan ? c->plan.notified : DATE_NONE);
    for (size_t i = 0; i < c->nstays || i == 0; i++) {
        const struct facility_stay *st = i < c->nstays ? &c->stays[i] : NULL;
        v[0] = '\0';
        if (st)
            snprintf(v, sizeof v, "%s %s", st->facility_kind, st->name);
        add(d, "(三)介護保険施設等", v);
        add_date(d, "(三)入所等年月日", st ? st->admitted : DATE_NONE);
        add_date(d, "(三)退所等年月日", st ? st->discharged : DATE_NONE);
    }
    return end_doc(d, c, why);
}

/* period - 「AからBまで」, 「Aから」 without an end (a 給付制限 until further notice), 「Bまで」 */
static void period(struct date from, struct date to, char *out, size_t cap)
{
    char a[64], b[64];
    wareki(from, a, sizeof a);
    wareki(to, b, sizeof b);
    snprintf(out, cap, "%s%s%s%s", a, a[0] ? "から" : "", b, b[0] ? "まで" : "");
}

int paper_doc_postpone(const struct card *c, const struct application *a, struct date issued, struct paper_doc *d,
                       const char **why)
{
    if (a->npostpone == 0) {
        *why = "この申請には延期通知が記録されていません(先に延期通知を記録してください)";
        return -1;
    }
    const struct postponement *p = &a->postpone[a->npostpone - 1];
    begin_doc(d, PAPER_POSTPONE, c, "要介護認定等の処分の延期について(通知)", issued);
    add_date(d, "通知日", p->notified);
    add(d, "被保険者番号", c->person.key.insured_no);
    add_folded(d, "氏名", c->person.name);
    add_date(d, "申請年月日", a->applied);
    add(d, "申請の種類", cert_kind_name(a->kind));
    add_date(d, "処分の見込み", p->expected);
    add_folded(d, "延期の理由", p->reason);
    /* 介護保険法 第27条 第11項ただし書: the decision within 30 days, or a notice of the reason and the expected date */
    add(d, "通知の根拠", "介護保険法第27条第11項ただし書の規定により、申請のあった日から30日以内に処分をすることが"
                         "できないため、その理由と処分をする見込みの日を通知します。");
    add(d, "ご案内", "認定の結果が出るまでの間も、申請日から介護保険のサービスを利用できます(暫定ケアプラン)。"
                     "ご不明な点は保険者の介護保険担当にお問い合わせください。");
    return end_doc(d, c, why);
}

int paper_doc_notice(const struct card *c, struct date issued, struct paper_doc *d, const char **why)
{
    bool limit = limit_in_force(c);
    if (!c->has_burden && !limit) {
        *why = "この日にお知らせする負担割合・負担限度額がありません";
        return -1;
    }
    begin_doc(d, PAPER_NOTICE, c, "負担割合・負担限度額のお知らせ", issued);
    if (c->has_burden) {
        d->valid_from = c->burden.valid_from;
        d->valid_to = c->burden.valid_to;
    } else {
        d->valid_from = c->limit.valid_from;
        d->valid_to = c->limit.valid_to;
    }
    add_date(d, "作成年月日", issued);
    add(d, "被保険者番号", c->person.key.insured_no);
    add_folded(d, "氏名", c->person.name);
    add_folded(d, "住所", c->person.address);
    char v[PAPER_VALUE_BYTES], p[160];
    if (c->has_burden) {
        period(c->burden.valid_from, c->burden.valid_to, p, sizeof p);
        snprintf(v, sizeof v, "%d割(%s)", c->burden.ratio, p);
        add(d, "利用者負担の割合", v);
        d->ratio = c->burden.ratio;
    } else
        add(d, "利用者負担の割合", "この期間の記録はありません");
    if (limit) {
        period(c->limit.valid_from, c->limit.valid_to, p, sizeof p);
        snprintf(v, sizeof v, "%s(%s)", limit_stage_name(c->limit.stage), p);
        add(d, "負担限度額(食費・居住費)", v);
        d->stage = (int)c->limit.stage;
    } else
        add(d, "負担限度額(食費・居住費)", "認定はありません");
    /* the insurer's policy (issue #17 §3): the day it starts on the 介護情報基盤, and a card issued at 申請 */
    char start[64] = "", extra[400] = "";
    if (!date_is_none(c->insurer.platform_start)) {
        wareki(c->insurer.platform_start, start, sizeof start);
        snprintf(extra, sizeof extra, "%sから、この市町村は介護情報基盤で証の内容を事業所と共有します"
                                      "(だれが見たかは、いつでも確かめられます)。", start);
    }
    if (c->insurer.card_issue == CARD_ISSUE_APPLICATION) {
        size_t n = strlen(extra);
        snprintf(extra + n, sizeof extra - n, "紙の被保険者証は、要介護認定を申請したときに交付します。");
    }
    snprintf(v, sizeof v,
             "この内容は介護保険負担割合証・負担限度額認定証の記載と同じです。サービスを使うときは証をお示しください。"
             "右下の QR コードで、事業所は内容が正しいことを確かめられます。%s", extra);
    add(d, "お知らせ", v);
    return end_doc(d, c, why);
}

static int newest_first(const void *a, const void *b)
{
    const struct paper_access *x = a, *y = b;
    return (x->time_ms < y->time_ms) - (x->time_ms > y->time_ms);
}

/* jst_day - the day (JST) of a time in ms since the epoch */
static struct date jst_day(int64_t time_ms)
{
    int64_t ms = time_ms + 9LL * 3600 * 1000;
    return date_add_days((struct date){1970, 1, 1}, (int)(ms / 86400000));
}

int paper_doc_access(const struct card *c, const struct paper_access *all, size_t nall, struct date since,
                     struct date issued, struct paper_doc *pages, size_t *npages, const char **why)
{
    struct paper_access *e = NULL; /* the entries of the period, then sorted */
    size_t n = 0;
    if (nall) {
        e = malloc(nall * sizeof *e);
        if (!e) {
            *why = "メモリが足りません";
            return -1;
        }
        for (size_t i = 0; i < nall; i++)
            if (date_is_none(since) || date_cmp(jst_day(all[i].time_ms), since) >= 0)
                e[n++] = all[i];
    }
    size_t shown = n < (size_t)PAPER_ACCESS_PER_PAGE * PAPER_ACCESS_MAX_PAGES
                       ? n
                       : (size_t)PAPER_ACCESS_PER_PAGE * PAPER_ACCESS_MAX_PAGES;
    size_t np = shown ? (shown + PAPER_ACCESS_PER_PAGE - 1) / PAPER_ACCESS_PER_PAGE : 1;
    struct paper_access *s = e; /* newest first */
    if (n)
        qsort(s, n, sizeof *s, newest_first);
    size_t allowed = 0;
    for (size_t i = 0; i < n; i++)
        allowed += s[i].allowed;
    int rc = 0;
    for (size_t pg = 0; pg < np && rc == 0; pg++) {
        struct paper_doc *d = &pages[pg];
        char title[96], v[PAPER_VALUE_BYTES];
        if (np > 1)
            snprintf(title, sizeof title, "閲覧記録のお知らせ(%zu/%zu)", pg + 1, np);
        else
            snprintf(title, sizeof title, "閲覧記録のお知らせ");
        begin_doc(d, PAPER_ACCESS, c, title, issued);
        add_date(d, "作成年月日", issued);
        add(d, "被保険者番号", c->person.key.insured_no);
        add_folded(d, "氏名", c->person.name);
        snprintf(v, sizeof v, "全 %zu 件(閲覧 %zu 件、拒否 %zu 件)", n, allowed, n - allowed);
        add(d, "記録の件数", v);
        if (!date_is_none(since)) {
            char w[64];
            wareki(since, w, sizeof w);
            snprintf(v, sizeof v, "%s以降", w);
            add(d, "対象期間", v);
        }
        size_t from = pg * PAPER_ACCESS_PER_PAGE, to = from + PAPER_ACCESS_PER_PAGE;
        if (to > shown)
            to = shown;
        if (np > 1) {
            snprintf(v, sizeof v, "新しい順に %zu〜%zu 件目", from + 1, to);
            add(d, "この用紙", v);
        }
        for (size_t i = from; i < to; i++) {
            /* the time in JST, 和暦 */
            int64_t sec = (s[i].time_ms + 9LL * 3600 * 1000) % 86400000 / 1000;
            char day[64], label[96];
            wareki(jst_day(s[i].time_ms), day, sizeof day);
            snprintf(label, sizeof label, "%s %02d:%02d", day, (int)(sec / 3600), (int)(sec / 60 % 60));
            snprintf(v, sizeof v, "%s ／ %s ／ %s%s%s%s%s", s[i].org_name, s[i].category, s[i].purpose,
                     s[i].purpose[0] ? " ／ " : "", s[i].allowed ? "閲覧" : "拒否",
                     s[i].breakglass ? "(緊急時アクセス)" : "",
                     s[i].paper_identity ? "(紙の被保険者証で本人確認し、担当事業所に登録)" : "");
            add(d, label, v);
        }
        if (pg + 1 == np) {
            if (n > shown) {
                snprintf(v, sizeof v, "ほかに %zu 件あります(保険者の窓口で期間を指定して印刷できます)", n - shown);
                add(d, "それ以前", v);
            }
            add(d, "ご案内", "閲覧記録は本人用の画面(閲覧記録)でも見られます。心当たりのない閲覧は保険者にご相談ください。");
        }
        rc = end_doc(d, c, why);
    }
    free(s);
    *npages = rc ? 0 : np;
    return rc;
}

void paper_doc_text(const struct paper_doc *d, struct buf *out)
{
    buf_adds(out, d->title);
    buf_addc(out, '\n');
    for (size_t i = 0; i < d->n; i++) {
        buf_adds(out, d->l[i].label);
        buf_addc(out, '\t');
        buf_adds(out, d->l[i].value);
        buf_addc(out, '\n');
    }
    buf_adds(out, d->issuer);
    buf_addc(out, '\n');
}

void paper_token_of(const struct paper_doc *d, struct paper_token *t)
{
    memset(t, 0, sizeof *t);
    struct buf text;
    buf_init(&text, 1 << 16);
    paper_doc_text(d, &text);
    paper_content_hash(text.ptr ? text.ptr : "", text.len, t->content_hash);
    buf_release(&text);
    t->kind = d->kind;
    memcpy(t->insurer_no, d->insurer_no, sizeof t->insurer_no);
    memcpy(t->insured_no, d->insured_no, sizeof t->insured_no);
    t->issued = d->issued;
    t->valid_from = d->valid_from;
    t->valid_to = d->valid_to;
    t->version = PAPER_TOKEN_VERSION;
    str_cut(t->level, sizeof t->level, d->level);
    t->pending = d->pending;
    t->ratio = d->ratio > 0 ? (unsigned)d->ratio : 0;
    t->stage = d->stage > 0 ? (unsigned)d->stage : 0;
}

size_t paper_token_facts(const struct paper_token *t, struct paper_fact out[3])
{
    size_t n = 0;
    enum care_level lv;
    if (t->kind == PAPER_CARD && (t->level[0] || t->pending)) {
        out[n].label = "要介護状態区分等";
        if (t->level[0] && level_parse(t->level, strlen(t->level), &lv) == 0)
            snprintf(out[n].value, sizeof out[n].value, "%s%s", level_name(lv), t->pending ? "(申請中)" : "");
        else
            str_cut(out[n].value, sizeof out[n].value, t->pending ? "申請中" : "");
        n++;
    }
    if (t->ratio) {
        out[n].label = "利用者負担の割合";
        snprintf(out[n].value, sizeof out[n].value, "%u割", t->ratio);
        n++;
    }
    if (t->stage && t->stage <= STAGE_4) {
        out[n].label = "負担限度額の段階";
        str_cut(out[n].value, sizeof out[n].value, limit_stage_name((enum limit_stage)t->stage));
        n++;
    }
    return n;
}
