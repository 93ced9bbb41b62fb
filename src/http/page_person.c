/*
 * page_person.c - the person's and the family's pages (issue #14 §2): the card, the
 * certification, the care office, this month's plan, LIFE, the ledger, who saw my data,
 * consents, proxies and the 本人確認 code. The same handlers serve the person (/me/…)
 * and a proxy (/p/{insurer}/{insured}/…); the gate decides what each may see.
 *
 * Every renderer receives the JSON the API would have sent for the same disclosure,
 * after the audit entry is durable (page.h). Writes (withdraw, grant, proxies, code)
 * are plain handlers behind the CSRF check, with a confirmation step where undoing is
 * not possible.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"
#include "domain/auth.h"
#include "domain/wareki.h"
#include "http/limits.h"
#include "http/page.h"
#include "util/csv.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"


static void dl_item(struct buf *h, const char *label)
{
    html_raw(h, "<dt>");
    html_text(h, label);
    html_raw(h, "</dt><dd>");
}

/* dl_str / dl_date - one <dt>label</dt><dd>value</dd> of a JSON member */
static void dl_str(struct buf *h, const char *label, json_t *o, const char *key)
{
    dl_item(h, label);
    h_jstr(h, o, key);
    html_raw(h, "</dd>");
}

static void dl_date(struct buf *h, const char *label, json_t *o, const char *key)
{
    dl_item(h, label);
    h_date(h, json_string_value(json_object_get(o, key)));
    html_raw(h, "</dd>");
}

static void period(struct buf *h, json_t *o, const char *from, const char *to)
{
    h_date(h, json_string_value(json_object_get(o, from)));
    html_raw(h, " から ");
    const char *t = json_string_value(json_object_get(o, to));
    if (t)
        h_date(h, t);
    else
        html_raw(h, "(終了日なし)");
    html_raw(h, t ? " まで" : "");
}

/* h_day - the date part of an ISO time ("2026-12-02T10:00:00+09:00") for people. */
static void h_day(struct buf *h, const char *t)
{
    char d[11] = "";
    if (t && strlen(t) >= 10)
        snprintf(d, sizeof d, "%.10s", t);
    h_date(h, d);
}

static void heading(struct req *r, struct buf *h, const char *title)
{
    page_start(r, h, title);
    html_raw(h, "<h1>");
    html_text(h, title);
    html_raw(h, "</h1>");
}

/* insurer_policy - the insurer's 介護情報基盤 start and when it issues the paper card (card JSON
 * "insurer"); nothing when neither is known to differ from the default */
void insurer_policy(struct buf *h, json_t *ins)
{
    const char *start = json_string_value(json_object_get(ins, "platform_start"));
    bool at_application = json_is_string(json_object_get(ins, "card_issue")) &&
                          strcmp(json_string_value(json_object_get(ins, "card_issue")), "application") == 0;
    if (!start && !at_application)
        return;
    html_raw(h, "<p class=\"note\" id=\"insurer-policy\">");
    if (start) {
        html_raw(h, "この市町村の介護情報基盤の利用開始: ");
        h_date(h, start);
        html_raw(h, "。");
    }
    if (at_application)
        html_raw(h, "紙の被保険者証は、要介護認定を申請したときに交付されます。");
    html_raw(h, "</p>");
}

/* ---- わたしの介護保険証 ------------------------------------------------------------ */

/* basis_note - for an office's view of a person: why it may see this page (the gate's decision: the basis, and
 * whether the relationship rests on a paper 本人確認), and where the relationship and consent are managed */
static void basis_note(struct req *r, struct buf *h)
{
    if (!r->who.acct.staff || !r->disc || r->disc->decision.outcome != OUTCOME_ALLOWED)
        return;
    const struct gate_decision *g = &r->disc->decision;
    html_raw(h, "<div class=\"alert\" id=\"basis\"><p>この方の情報を見られる根拠: <strong>");
    html_text(h, basis_name(g->basis));
    html_raw(h, "</strong>");
    if (g->basis == BASIS_CONSENT)
        html_raw(h, g->flags & GATE_FLAG_PAPER_IDENTITY
                        ? "(紙の被保険者証で本人確認をして担当事業所として登録し、本人・市町村の同意があります)"
                        : "(本人確認をして担当事業所として登録し、本人・市町村の同意があります)");
    else if (g->basis == BASIS_BREAKGLASS)
        html_raw(h, "(緊急時アクセス: 市町村が後から確認します)");
    html_raw(h, "。見たことは本人の「だれが見たか」に記録されます。同意が取り消されたり担当の関係が切れたりすると、"
                "見られなくなります。担当事業所の登録は<a href=\"/office\">資格確認</a>から(本人確認コードか、紙の被保険者証の"
                "QR コード)。</p></div>");
}

static void render_card(struct req *r, struct buf *h, json_t *c)
{
    heading(r, h, "介護保険証");
    basis_note(r, h);
    json_t *p1 = json_object_get(c, "panel1"), *p2 = json_object_get(c, "panel2");
    json_t *app = json_object_get(c, "application"), *p3 = json_object_get(c, "panel3");
    html_raw(h, "<p>");
    h_date(h, json_string_value(json_object_get(c, "date")));
    html_raw(h, " 現在の内容です。紙の証と同じ項目を表示しています。</p>");
    insurer_policy(h, json_object_get(c, "insurer"));
    if (json_is_object(app)) {
        html_raw(h, "<div class=\"alert warn\" role=\"status\"><p><span class=\"badge warn\">申請中</span> ");
        h_jstr(h, app, "kind");
        html_raw(h, "の申請(");
        h_date(h, json_string_value(json_object_get(app, "applied")));
        html_raw(h, ")を審査しています。");
        html_raw(h, json_is_object(p2) ? "決定までは、下の「いまの要介護状態区分」のまま利用できます。"
                                        : "決定まではサービスを暫定で利用できます。");
        html_raw(h, "</p></div>");
    }
    html_raw(h, "<h2>介護保険被保険者証</h2><div class=\"form-card\"><section aria-labelledby=\"p1\">"
                "<h2 id=\"p1\">(一)被保険者</h2><dl class=\"items\">");
    dl_str(h, "被保険者番号", p1, "insured_no");
    dl_item(h, "住所");
    h_jstr(h, p1, "address");
    html_raw(h, "</dd>");
    dl_str(h, "フリガナ", p1, "kana");
    dl_item(h, "氏名");
    h_jstr(h, p1, "name");
    html_raw(h, "</dd>");
    dl_date(h, "生年月日", p1, "birth");
    dl_str(h, "性別", p1, "sex");
    dl_date(h, "交付年月日", p1, "issued");
    dl_item(h, "保険者番号・保険者の名称");
    h_jstr(h, p1, "insurer_no");
    html_raw(h, " ");
    h_jstr(h, p1, "insurer_name");
    html_raw(h, "</dd></dl></section><section aria-labelledby=\"p2\"><h2 id=\"p2\">(二)要介護認定</h2><dl class=\"items\">");
    dl_item(h, json_is_object(app) ? "いまの要介護状態区分等" : "要介護状態区分等");
    if (json_is_object(p2)) {
        html_raw(h, "<strong>");
        h_jstr(h, p2, "level");
        html_raw(h, "</strong>");
    } else
        html_raw(h, "―");
    if (json_is_object(app))
        html_raw(h, " <span class=\"badge warn\">申請中</span>");
    html_raw(h, "</dd>");
    if (json_is_object(p2)) {
        dl_date(h, "認定年月日", p2, "certified");
        dl_item(h, "認定の有効期間");
        period(h, p2, "valid_from", "valid_to");
        html_raw(h, "</dd>");
        dl_item(h, "区分支給限度基準額");
        json_t *u = json_object_get(p2, "kubun_limit_units");
        if (json_is_integer(u)) {
            html_raw(h, "1月あたり ");
            h_num(h, json_integer_value(u));
            html_raw(h, "単位");
        } else
            html_raw(h, "―");
        html_raw(h, "</dd>");
        dl_item(h, "認定審査会の意見・サービスの種類の指定");
        h_jstr(h, p2, "opinion");
        html_raw(h, " / ");
        h_jstr(h, p2, "designated_services");
        html_raw(h, "</dd>");
    }
    html_raw(h, "</dl></section><section aria-labelledby=\"p3\"><h2 id=\"p3\">(三)給付制限・事業者</h2><dl class=\"items\">");
    dl_item(h, "給付制限");
    json_t *rs = json_object_get(p3, "restrictions");
    if (json_array_size(rs) == 0)
        html_raw(h, "なし");
    size_t i;
    json_t *x;
    json_array_foreach(rs, i, x) {
        html_raw(h, i ? "<br>" : "");
        h_jstr(h, x, "kind");
        html_raw(h, "(");
        period(h, x, "valid_from", "valid_to");
        html_raw(h, ")");
    }
    html_raw(h, "</dd>");
    dl_item(h, "居宅介護支援事業者・届出年月日");
    json_t *cp = json_object_get(p3, "care_plan_office");
    if (json_is_object(cp)) {
        h_jstr(h, cp, "office_name");
        html_raw(h, "(届出 ");
        h_date(h, json_string_value(json_object_get(cp, "notified")));
        html_raw(h, ")");
    } else
        html_raw(h, "―");
    html_raw(h, "</dd>");
    dl_item(h, "介護保険施設等");
    json_t *fs = json_object_get(p3, "facilities");
    if (json_array_size(fs) == 0)
        html_raw(h, "―");
    json_array_foreach(fs, i, x) {
        html_raw(h, i ? "<br>" : "");
        h_jstr(h, x, "name");
        html_raw(h, "(入所 ");
        h_date(h, json_string_value(json_object_get(x, "admitted")));
        if (json_is_string(json_object_get(x, "discharged"))) {
            html_raw(h, "・退所 ");
            h_date(h, json_string_value(json_object_get(x, "discharged")));
        }
        html_raw(h, ")");
    }
    html_raw(h, "</dd></dl></section></div>");

    html_raw(h, "<div class=\"cards\"><section class=\"panel\" aria-labelledby=\"burden\"><h2 id=\"burden\">介護保険負担割合証</h2>");
    json_t *b = json_object_get(c, "burden");
    if (json_is_object(b)) {
        html_raw(h, "<dl class=\"items\">");
        dl_item(h, "利用者負担の割合");
        html_textf(h, "%lld割", (long long)json_integer_value(json_object_get(b, "ratio")));
        html_raw(h, "</dd>");
        dl_item(h, "適用期間");
        period(h, b, "valid_from", "valid_to");
        html_raw(h, "</dd></dl>");
    } else
        html_raw(h, "<p>この日に有効な負担割合証はありません。</p>");
    html_raw(h, "</section><section class=\"panel\" aria-labelledby=\"limit\"><h2 id=\"limit\">介護保険負担限度額認定証</h2>");
    json_t *l = json_object_get(c, "limit");
    if (json_is_object(l)) {
        html_raw(h, "<dl class=\"items\">");
        dl_str(h, "利用者負担段階", l, "stage");
        dl_item(h, "有効期間");
        period(h, l, "valid_from", "valid_to");
        html_raw(h, "</dd></dl><table><caption>1日あたりの負担限度額</caption><thead><tr><th scope=\"col\">項目</th>"
                    "<th scope=\"col\">限度額</th></tr></thead><tbody>");
        json_array_foreach(json_object_get(l, "daily_limits"), i, x) {
            html_raw(h, "<tr><td>");
            h_jstr(h, x, "item");
            html_raw(h, "</td><td class=\"num\">");
            json_t *y = json_object_get(x, "yen_per_day");
            if (json_is_integer(y)) {
                h_num(h, json_integer_value(y));
                html_raw(h, "円");
            } else
                html_raw(h, "―");
            html_raw(h, "</td></tr>");
        }
        html_raw(h, "</tbody></table>");
    } else
        html_raw(h, "<p>負担限度額の認定は受けていません(施設の食費・居住費が対象です)。</p>");
    html_raw(h, "</section></div><p class=\"note\">紙の証が必要なときは、お住まいの市町村の窓口で交付を受けられます。"
                "紙の証の QR コードで、事業所は内容が正しいことを確かめられます。</p>");
    city_print_form(r, h);
    page_send(r, h, 200);
}

int p_card(struct req *r)
{
    return page_disclose(r, WHAT_CARD, render_card);
}

/* ---- 担当のケアマネジャー・事業所 (the card's panel (三)) ------------------------------ */

static void render_care(struct req *r, struct buf *h, json_t *c)
{
    heading(r, h, "担当のケアマネジャー・事業所");
    json_t *p3 = json_object_get(c, "panel3");
    json_t *cp = json_object_get(p3, "care_plan_office");
    html_raw(h, "<section class=\"panel\"><h2>居宅介護支援事業者(ケアマネジャーの事業所)</h2>");
    if (json_is_object(cp)) {
        html_raw(h, "<dl class=\"items\">");
        dl_str(h, "事業所", cp, "office_name");
        dl_item(h, "事業所番号");
        h_jstr(h, cp, "provider_no");
        html_raw(h, "</dd>");
        dl_item(h, "届出年月日");
        h_date(h, json_string_value(json_object_get(cp, "notified")));
        html_raw(h, "</dd></dl>");
    } else
        html_raw(h, "<p>居宅サービス計画作成依頼の届出はまだありません。ケアマネジャーと契約したら、事業所が市町村に届け出ます。</p>");
    html_raw(h, "</section><section class=\"panel\"><h2>入所している施設</h2>");
    json_t *fs = json_object_get(p3, "facilities");
    size_t i;
    json_t *x;
    if (json_array_size(fs) == 0)
        html_raw(h, "<p>ありません。</p>");
    else
        html_raw(h, "<ul>");
    json_array_foreach(fs, i, x) {
        html_raw(h, "<li>");
        h_jstr(h, x, "name");
        html_raw(h, "(");
        h_jstr(h, x, "kind");
        html_raw(h, "、入所 ");
        h_date(h, json_string_value(json_object_get(x, "admitted")));
        html_raw(h, ")</li>");
    }
    if (json_array_size(fs))
        html_raw(h, "</ul>");
    char base[48];
    page_base(r, base);
    html_raw(h, "</section><p>本人確認をして担当事業所として登録された事業所と、その同意の状態は <a href=\"");
    html_text(h, base);
    html_raw(h, "/consents\">同意</a> のページで確かめられます。</p>");
    page_send(r, h, 200);
}

int p_care(struct req *r)
{
    return page_disclose(r, WHAT_CARD, render_care);
}

/* ---- 認定の状況 --------------------------------------------------------------------- */

static void render_cert(struct req *r, struct buf *h, json_t *d)
{
    heading(r, h, "認定の状況");
    json_t *apps = json_object_get(d, "applications");
    const char *done = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "done");
    if (done && r->who.acct.staff)
        page_alerts(h, strcmp(done, "filed") == 0 ? "申請を受け付けました。" : "記録しました。", NULL);
    if (json_array_size(apps) == 0) {
        html_raw(h, "<p>要介護認定の申請の記録はありません。</p>");
        city_cert_forms(r, h, apps, NULL);
        page_send(r, h, 200);
        return;
    }
    city_cert_forms(r, h, apps, NULL);
    html_raw(h, "<p>申請の進み具合と、決定の期限です。市町村は申請から30日以内に決定します(介護保険法 第27条 第11項)。"
                "遅れるときは延期の通知が届きます。</p>");
    size_t i;
    json_t *a;
    json_array_foreach(apps, i, a) {
        html_raw(h, "<section class=\"panel\"><h2>");
        h_jstr(h, a, "kind_name");
        html_raw(h, "の申請(");
        h_date(h, json_string_value(json_object_get(a, "applied")));
        html_raw(h, ")</h2><dl class=\"items\">");
        dl_item(h, "いまの段階");
        html_raw(h, "<strong>");
        h_jstr(h, a, "stage_name");
        html_raw(h, "</strong></dd>");
        dl_item(h, "決定の期限");
        h_date(h, json_string_value(json_object_get(a, "decision_due")));
        json_t *left = json_object_get(a, "days_left");
        if (json_is_integer(left)) {
            long long n = json_integer_value(left);
            if (n >= 0)
                html_textf(h, "(あと%lld日)", n);
            else
                html_textf(h, "(期限を%lld日過ぎています)", -n);
        }
        html_raw(h, "</dd>");
        if (json_is_true(json_object_get(a, "needs_postponement")))
            html_raw(h, "<dt>お知らせ</dt><dd><span class=\"badge warn\">延期の通知を準備中</span></dd>");
        if (json_is_string(json_object_get(a, "level_name"))) {
            dl_str(h, "結果", a, "level_name");
        }
        html_raw(h, "</dl>");
        city_cert_progress(r, h, a);
        city_cert_forms(r, h, apps, a);
        html_raw(h, "</section>");
    }
    char base[48];
    page_base(r, base);
    html_raw(h, "<p><a href=\"");
    html_text(h, base);
    html_raw(h, "/chosa\">認定調査票を見る</a> ・ <a href=\"");
    html_text(h, base);
    html_raw(h, "/ikensho\">主治医意見書を見る</a></p>");
    page_send(r, h, 200);
}

int p_cert(struct req *r)
{
    return page_disclose(r, WHAT_DOCS, render_cert);
}

/* ---- 今月のケアプラン (the stored 第6表, UPPLAN, in plain words) -------------------------- */

static void yen_cell(struct buf *h, json_t *o, const char *key, const char *label)
{
    html_raw(h, "<td class=\"num\" data-label=\"");
    html_text(h, label);
    html_raw(h, "\">");
    h_num(h, json_integer_value(json_object_get(o, key)));
    html_raw(h, "</td>");
}

/* money_cells - 費用総額, 保険給付, 利用者負担, 全額負担 of a 第7表 row */
static void money_cells(struct buf *h, json_t *o)
{
    yen_cell(h, o, "total_cost", "費用総額(円)");
    yen_cell(h, o, "claim", "保険給付(円)");
    yen_cell(h, o, "user_share", "利用者負担(円)");
    yen_cell(h, o, "full_pay", "全額負担(円)");
}

/* page_sheet7 - the month's 第7表 as the engine computes it from the stored 第6表 (docview sheet7_of): per
 * office and service type the units within and over the 区分支給限度, the cost, the insurance's part and the
 * user's, and the totals - the same numbers as `kaigo sheet7 --person` */
void page_sheet7(struct buf *h, json_t *s7)
{
    if (!json_is_object(s7))
        return;
    html_raw(h, "<section class=\"panel\" id=\"sheet7\"><h2>サービス利用票別表(第7表)の計算</h2>");
    const char *err = json_string_value(json_object_get(s7, "error"));
    if (err) {
        html_raw(h, "<p>第7表は計算できませんでした: ");
        html_text(h, err);
        html_raw(h, "</p></section>");
        return;
    }
    html_raw(h, "<p>区分支給限度基準額 ");
    h_num(h, json_integer_value(json_object_get(s7, "limit_units")));
    html_markupf(h, "単位、給付率 %lld%%。", (long long)json_integer_value(json_object_get(s7, "benefit_rate")));
    json_t *tot = json_object_get(s7, "total");
    long long over = json_integer_value(json_object_get(tot, "over_limit_units"));
    if (over > 0) {
        html_raw(h, "<strong>限度額を ");
        h_num(h, over);
        html_raw(h, " 単位超えています(超えた分は全額自己負担です)。</strong>");
    }
    html_raw(h, "</p><div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"第7表\"><table class=\"stack\">"
                "<thead><tr><th scope=\"col\">事業所・サービス</th><th scope=\"col\">限度内(単位)</th><th scope=\"col\">超過(単位)"
                "</th><th scope=\"col\">単価</th><th scope=\"col\">費用総額(円)</th><th scope=\"col\">保険給付(円)</th>"
                "<th scope=\"col\">利用者負担(円)</th><th scope=\"col\">全額負担(円)</th></tr></thead><tbody>");
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(s7, "offices"), i, o) {
        html_raw(h, "<tr><th scope=\"row\">");
        h_jstr(h, o, "office_no");
        html_raw(h, " ");
        h_jstr(h, o, json_is_string(json_object_get(o, "service_type_name")) ? "service_type_name" : "service_type");
        html_raw(h, "</th>");
        yen_cell(h, o, "in_limit_units", "限度内(単位)");
        yen_cell(h, o, "over_limit_units", "超過(単位)");
        html_raw(h, "<td class=\"num\" data-label=\"単価\">");
        h_jstr(h, o, "unit_price");
        html_raw(h, "</td>");
        money_cells(h, o);
        html_raw(h, "</tr>");
    }
    json_array_foreach(json_object_get(s7, "limit_exempt_lines"), i, o) {
        html_raw(h, "<tr><th scope=\"row\">");
        h_jstr(h, o, "office_no");
        html_raw(h, " ");
        h_jstr(h, o, "service_code");
        html_raw(h, "(限度額の対象外)</th>");
        yen_cell(h, o, "units", "限度内(単位)");
        html_raw(h, "<td class=\"num\" data-label=\"超過(単位)\">―</td><td data-label=\"単価\"></td>");
        money_cells(h, o);
        html_raw(h, "</tr>");
    }
    html_raw(h, "<tr><th scope=\"row\">合計</th>");
    yen_cell(h, tot, "in_limit_units", "限度内(単位)");
    yen_cell(h, tot, "over_limit_units", "超過(単位)");
    html_raw(h, "<td data-label=\"単価\"></td>");
    money_cells(h, tot);
    html_raw(h, "</tr></tbody></table></div><p>");
    if (json_is_true(json_object_get(s7, "sent"))) {
        long long diff = json_integer_value(json_object_get(s7, "differences"));
        if (diff)
            html_markupf(h, "<span class=\"badge warn sentence\">ケアマネジャーから届いた第7表と %lld か所が異なります</span> ", diff);
        else
            html_raw(h, "<span class=\"badge ok sentence\">ケアマネジャーから届いた第7表と一致します</span> ");
    }
    html_raw(h, "利用者負担は月の合計で、1円未満は切り捨てです(介護報酬の端数処理)。</p></section>");
}

/* ymd_text - a YYYYMMDD item as 和暦 text, or "―" */
static void ymd_text(struct buf *h, json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    if (!v || strlen(v) != 8 || !strcmp(v, "00000000")) {
        html_raw(h, "―");
        return;
    }
    char iso[11];
    snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", v, v + 4, v + 6);
    h_date(h, iso);
}

static void multiline(struct buf *h, json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    if (!v || !*v) {
        html_raw(h, "―");
        return;
    }
    for (const char *p = v; *p;) { /* the standard's free text keeps its line breaks */
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char line[1024];
        str_cut(line, sizeof line < n + 1 ? sizeof line : n + 1, p);
        html_text(h, line);
        if (!nl)
            break;
        html_raw(h, "<br>");
        p = nl + 1;
    }
}

/* render_kyo123 - the 居宅サービス計画書 第1表・第2表 and the 週間サービス計画表 第3表 as the forms lay them out */
static void render_kyo123(struct buf *h, json_t *p)
{
    if (!json_is_object(p))
        return;
    json_t *k1 = json_object_get(p, "kyo1");
    html_raw(h, "<section class=\"panel form-sheet\" id=\"kyo1\"><h2>第1表 居宅サービス計画書(1)</h2>");
    if (json_is_object(k1)) {
        const char *kubun = json_string_value(json_object_get(k1, "kubun"));
        const char *st = json_string_value(json_object_get(k1, "cert_state"));
        html_raw(h, "<p>");
        /* 計画書区分 (careplan-csv.md §8.1) */
        static const char *const kubuns[][2] = {{"11", "【初回】"}, {"12", "【紹介】"}, {"21", "【継続】"},
                                                {"51", "【初回・紹介】"}, {"52", "【初回・継続】"},
                                                {"53", "【紹介・継続】"}, {"54", "【初回・紹介・継続】"}};
        for (size_t i = 0; kubun && i < ARRAY_LEN(kubuns); i++)
            if (!strcmp(kubun, kubuns[i][0]))
                html_raw(h, kubuns[i][1]);
        html_raw(h, !st ? "" : !strcmp(st, "1") ? "【申請中】" : "【認定済】");
        html_raw(h, "</p><dl class=\"items\"><dt>居宅サービス計画作成者</dt><dd>");
        h_jstr(h, k1, "author");
        html_raw(h, "</dd><dt>居宅介護支援事業者・事業所名</dt><dd>");
        h_jstr(h, k1, "office");
        html_raw(h, "</dd><dt>居宅サービス計画作成(変更)日</dt><dd>");
        ymd_text(h, p, "plan_date");
        html_raw(h, "</dd><dt>初回居宅サービス計画作成日</dt><dd>");
        ymd_text(h, k1, "first_made");
        html_raw(h, "</dd><dt>認定日・認定の有効期間</dt><dd>");
        ymd_text(h, k1, "certified");
        html_raw(h, "/ ");
        ymd_text(h, k1, "valid_from");
        html_raw(h, " 〜 ");
        ymd_text(h, k1, "valid_to");
        html_raw(h, "</dd><dt>要介護状態区分</dt><dd>");
        const char *lv = json_string_value(json_object_get(k1, "level"));
        enum care_level level;
        html_text(h, lv && level_parse(lv, strlen(lv), &level) == 0 ? level_name(level) : "―");
        html_raw(h, "</dd><dt>利用者及び家族の生活に対する意向を踏まえた課題分析の結果</dt><dd>");
        multiline(h, k1, "intent");
        html_raw(h, "</dd><dt>介護認定審査会の意見及びサービスの種類の指定</dt><dd>");
        multiline(h, k1, "board");
        html_raw(h, "</dd><dt>総合的な援助の方針</dt><dd>");
        multiline(h, k1, "policy");
        html_raw(h, "</dd><dt>生活援助中心型の算定理由</dt><dd>");
        const char *why = json_string_value(json_object_get(k1, "seikatsu_reason"));
        html_raw(h, !why ? "―" : !strcmp(why, "1") ? "1. 一人暮らし" : !strcmp(why, "2") ? "2. 家族等が障害、疾病等"
                                                                                    : "3. その他");
        html_raw(h, "</dd></dl>");
    } else
        html_raw(h, "<p>第1表は届いていません。</p>");
    html_raw(h, "</section>");
    /* 第2表: needs, goals and services; a need or goal repeated on the next rows is printed once, as on paper */
    json_t *k2 = json_object_get(p, "kyo2");
    html_raw(h, "<section class=\"panel form-sheet\" id=\"kyo2\"><h2>第2表 居宅サービス計画書(2)</h2>");
    if (json_array_size(k2)) {
        html_raw(h, "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"第2表\"><table class=\"stack\">"
                    "<thead><tr><th scope=\"col\">生活全般の解決すべき課題(ニーズ)</th><th scope=\"col\">長期目標(期間)</th>"
                    "<th scope=\"col\">短期目標(期間)</th><th scope=\"col\">サービス内容</th><th scope=\"col\">※1</th>"
                    "<th scope=\"col\">サービス種別</th><th scope=\"col\">※2(事業所)</th><th scope=\"col\">頻度</th>"
                    "<th scope=\"col\">期間</th></tr></thead><tbody>");
        const char *last_need = "", *last_goal = "";
        size_t i;
        json_t *x;
        json_array_foreach(k2, i, x) {
            const char *need = jstr_or_empty(json_object_get(x, "need_no")), *goal = jstr_or_empty(json_object_get(x, "goal_no"));
            bool new_need = strcmp(need, last_need) != 0, new_goal = new_need || strcmp(goal, last_goal) != 0;
            html_raw(h, "<tr><td data-label=\"課題(ニーズ)\">");
            if (new_need)
                multiline(h, x, "need");
            html_raw(h, "</td><td data-label=\"長期目標(期間)\">");
            if (new_goal) {
                multiline(h, x, "long_goal");
                html_raw(h, "<br><span class=\"hint\">");
                h_jstr(h, x, "long_period");
                html_raw(h, "</span>");
            }
            html_raw(h, "</td><td data-label=\"短期目標(期間)\">");
            if (new_goal) {
                multiline(h, x, "short_goal");
                html_raw(h, "<br><span class=\"hint\">");
                h_jstr(h, x, "short_period");
                html_raw(h, "</span>");
            }
            html_raw(h, "</td><td data-label=\"サービス内容\">");
            multiline(h, x, "content");
            html_raw(h, "</td><td data-label=\"※1(保険給付対象)\">");
            html_raw(h, !strcmp(jstr_or_empty(json_object_get(x, "insured")), "Y") ? "○" : "");
            html_raw(h, "</td><td data-label=\"サービス種別\">");
            h_jstr(h, x, "kind");
            html_raw(h, "</td><td data-label=\"※2(事業所)\">");
            h_jstr(h, x, "office");
            html_raw(h, "</td><td data-label=\"頻度\">");
            h_jstr(h, x, "frequency");
            html_raw(h, "</td><td data-label=\"期間\">");
            h_jstr(h, x, "period");
            html_raw(h, "</td></tr>");
            last_need = need;
            last_goal = goal;
        }
        html_raw(h, "</tbody></table></div><p class=\"note\">※1 保険給付の対象となるかどうかの区分(○ 対象)。"
                    "※2 当該サービス提供を行う事業所。</p>");
    } else
        html_raw(h, "<p>第2表は届いていません。</p>");
    html_raw(h, "</section>");
    /* 第3表: the week as the form's grid (月〜日 × 時間帯, 2 時間ごと), then the daily activities and the
     * services not by the week */
    json_t *k3 = json_object_get(p, "kyo3");
    html_raw(h, "<section class=\"panel form-sheet\" id=\"kyo3\"><h2>第3表 週間サービス計画表</h2>");
    if (json_array_size(k3)) {
        static const char *const dows[] = {"月", "火", "水", "木", "金", "土", "日"};
        html_raw(h, "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"第3表\"><table class=\"week\">"
                    "<thead><tr><th scope=\"col\">時間</th>");
        for (int d = 0; d < 7; d++)
            html_markupf(h, "<th scope=\"col\">%s</th>", dows[d]);
        html_raw(h, "<th scope=\"col\">主な日常生活上の活動</th></tr></thead><tbody>");
        for (int hour = 4; hour < 24; hour += 2) {
            html_markupf(h, "<tr><th scope=\"row\">%d:00〜</th>", hour);
            for (int d = 1; d <= 8; d++) {
                html_raw(h, "<td>");
                size_t i;
                json_t *x;
                int shown = 0;
                json_array_foreach(k3, i, x) {
                    const char *dow = jstr_or_empty(json_object_get(x, "dow"));
                    const char *st = jstr_or_empty(json_object_get(x, d == 8 ? "activity_start" : "start"));
                    const char *what = jstr_or_empty(json_object_get(x, d == 8 ? "activity" : "content"));
                    if (!*what || strlen(st) != 4 || (d < 8 && (strlen(dow) != 1 || dow[0] - '0' != d)))
                        continue;
                    int at = (st[0] - '0') * 10 + (st[1] - '0');
                    if (at < hour || at >= hour + 2)
                        continue;
                    const char *en = jstr_or_empty(json_object_get(x, d == 8 ? "activity_end" : "end"));
                    html_raw(h, shown++ ? "<br>" : "");
                    html_text(h, what);
                    html_textf(h, "(%.2s:%.2s〜%.2s:%.2s)", st, st + 2, strlen(en) == 4 ? en : "", strlen(en) == 4 ? en + 2 : "");
                }
                html_raw(h, "</td>");
            }
            html_raw(h, "</tr>");
        }
        html_raw(h, "</tbody></table></div><p><strong>週単位以外のサービス</strong>: ");
        size_t i;
        json_t *x;
        int any = 0;
        json_array_foreach(k3, i, x) {
            const char *o = jstr_or_empty(json_object_get(x, "other_than_weekly"));
            if (*o) {
                html_raw(h, any++ ? "、" : "");
                html_text(h, o);
            }
        }
        html_raw(h, any ? "</p>" : "―</p>");
    } else
        html_raw(h, "<p>第3表は届いていません。</p>");
    html_raw(h, "</section>");
}

static void render_plan(struct req *r, struct buf *h, json_t *d)
{
    heading(r, h, "今月のケアプラン");
    json_t *rows = json_object_get(d, "services");
    const char *month = json_string_value(json_object_get(d, "month"));
    render_kyo123(h, json_object_get(d, "plan"));
    if (!r->who.acct.staff) { /* 自己作成: the person (or a proxy) may plan the month themselves */
        char base[48];
        page_base(r, base);
        html_raw(h, "<p><a href=\"");
        html_text(h, base);
        html_raw(h, "/plan/edit\">自分でサービス利用票を作る(自己作成)</a></p>");
    }
    if (!month || strlen(month) != 6 || json_array_size(rows) == 0) {
        html_raw(h, "<p>サービス利用票(第6表)はまだ届いていません。ケアマネジャーが作成すると、ここに表示されます。</p>");
        page_send(r, h, 200);
        return;
    }
    html_raw(h, "<h2>サービス利用票(第6表)</h2>");
    html_raw(h, "<p>");
    html_textf(h, "%.4s年%d月", month, (int)strtol(month + 4, NULL, 10));
    html_raw(h, "に利用する予定のサービスです(サービス利用票 第6表)。</p><div class=\"table-scroll\"><table class=\"stack\">"
                "<thead><tr><th scope=\"col\">サービス</th><th scope=\"col\">事業所</th><th scope=\"col\">時間</th>"
                "<th scope=\"col\">利用する日</th><th scope=\"col\">回数</th></tr></thead><tbody>");
    size_t i;
    json_t *x;
    json_array_foreach(rows, i, x) {
        html_raw(h, "<tr><td data-label=\"サービス\">");
        h_jstr(h, x, "type_name");
        html_raw(h, "(");
        h_jstr(h, x, "code");
        html_raw(h, ")</td><td data-label=\"事業所\">");
        h_jstr(h, x, "office");
        html_raw(h, "</td><td data-label=\"時間\">");
        h_jstr(h, x, "time");
        html_raw(h, "</td><td data-label=\"利用する日\">");
        h_jstr(h, x, "days");
        html_raw(h, "</td><td data-label=\"回数\" class=\"num\">");
        h_num(h, json_integer_value(json_object_get(x, "count")));
        html_raw(h, "回</td></tr>");
    }
    html_raw(h, "</tbody></table></div>");
    page_sheet7(h, json_object_get(d, "sheet7"));
    page_send(r, h, 200);
}

int p_plan(struct req *r)
{
    return page_disclose(r, WHAT_DOCS, render_plan);
}

/* ---- 認定調査票・主治医意見書 -------------------------------------------------------- */

/* render_chosa - the 認定調査票 as recorded: the overview, then the 74 items in the form's order by group
 * (群), each with its answer in words and its 特記事項 */
static void render_chosa(struct req *r, struct buf *h, json_t *d)
{
    heading(r, h, "認定調査票");
    json_t *list = json_object_get(d, "surveys");
    if (json_array_size(list) == 0) {
        html_raw(h, "<p>認定調査票の記録はありません。</p>");
        page_send(r, h, 200);
        return;
    }
    html_raw(h, "<p>要介護認定のために市町村の調査員が記録した内容です(介護保険法 第27条 第2項)。</p>");
    size_t i;
    json_t *sv;
    json_array_foreach(list, i, sv) {
        html_raw(h, "<section class=\"panel\"><h2>認定調査(");
        h_date(h, json_string_value(json_object_get(sv, "surveyed")));
        html_raw(h, ")</h2><dl class=\"items\">");
        dl_str(h, "申請番号", sv, "application_id");
        dl_str(h, "調査員", sv, "investigator");
        dl_str(h, "調査の場所", sv, "place");
        dl_str(h, "現在受けているサービス", sv, "services_now");
        dl_str(h, "家族状況・居住環境", sv, "environment");
        dl_str(h, "概況", sv, "overview");
        html_raw(h, "</dl><div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"調査項目\"><table class=\"stack\">"
                    "<caption>基本調査</caption><thead><tr><th scope=\"col\">群</th><th scope=\"col\">項目</th>"
                    "<th scope=\"col\">回答</th><th scope=\"col\">特記事項</th></tr></thead><tbody>");
        size_t j;
        json_t *it;
        json_array_foreach(json_object_get(sv, "items"), j, it) {
            html_raw(h, "<tr><td data-label=\"群\">");
            h_jstr(h, it, "group");
            html_raw(h, "</td><th scope=\"row\">");
            h_jstr(h, it, "id");
            html_raw(h, " ");
            h_jstr(h, it, "name");
            html_raw(h, "</th><td data-label=\"回答\">");
            h_jstr(h, it, "answer_label");
            html_raw(h, "</td><td data-label=\"特記事項\">");
            const char *note = json_string_value(json_object_get(it, "note"));
            if (note && *note)
                html_text(h, note);
            html_raw(h, "</td></tr>");
        }
        html_raw(h, "</tbody></table></div></section>");
    }
    page_send(r, h, 200);
}

int p_chosa(struct req *r)
{
    return page_disclose(r, WHAT_DOCS, render_chosa);
}

/* render_ikensho - the 主治医意見書 as recorded, in the form's sections; those withheld by RULE-DOC-003
 * (同意しない on the earlier form) are counted and said so, never shown to the care side */
static void render_ikensho(struct req *r, struct buf *h, json_t *d)
{
    heading(r, h, "主治医意見書");
    json_t *list = json_object_get(d, "opinions");
    long long withheld = json_integer_value(json_object_get(d, "withheld"));
    if (withheld) {
        html_raw(h, "<div class=\"alert warn\" role=\"status\"><p>");
        html_textf(h, "%lld 通の意見書は表示していません。", withheld);
        h_jstr(h, d, "withheld_reason");
        html_raw(h, "</p></div>");
    }
    if (json_array_size(list) == 0) {
        html_raw(h, "<p>表示できる主治医意見書はありません。</p>");
        page_send(r, h, 200);
        return;
    }
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o) {
        html_raw(h, "<section class=\"panel\"><h2>主治医意見書(記入日 ");
        h_date(h, json_string_value(json_object_get(o, "written")));
        html_raw(h, ")</h2><dl class=\"items\">");
        dl_str(h, "申請番号", o, "application_id");
        dl_str(h, "医師氏名", o, "doctor");
        dl_item(h, "最終診察日");
        h_date(h, json_string_value(json_object_get(o, "last_exam")));
        html_raw(h, "</dd>");
        dl_item(h, "傷病名");
        size_t j;
        json_t *dg;
        json_array_foreach(json_object_get(o, "diagnoses"), j, dg) {
            html_raw(h, j ? "<br>" : "");
            h_jstr(h, dg, "name");
            if (json_is_string(json_object_get(dg, "onset"))) {
                html_raw(h, "(発症 ");
                h_date(h, json_string_value(json_object_get(dg, "onset")));
                html_raw(h, ")");
            }
        }
        html_raw(h, "</dd>");
        dl_str(h, "症状としての安定性", o, "stability");
        dl_str(h, "経過及び治療内容", o, "course");
        dl_str(h, "特別な医療", o, "special_medical");
        dl_str(h, "障害高齢者の日常生活自立度", o, "netakiri");
        dl_str(h, "認知症高齢者の日常生活自立度", o, "ninchi");
        dl_str(h, "心身の状態", o, "state");
        dl_str(h, "生活機能とサービス", o, "services");
        dl_str(h, "特記すべき事項", o, "notes");
        html_raw(h, "</dl></section>");
    }
    page_send(r, h, 200);
}

int p_ikensho(struct req *r)
{
    return page_disclose(r, WHAT_DOCS, render_ikensho);
}

/* ---- LIFE ----------------------------------------------------------------------------- */

static void render_life(struct req *r, struct buf *h, json_t *d)
{
    heading(r, h, "LIFE のフィードバック");
    json_t *series = json_object_get(d, "series");
    if (json_object_size(series) == 0) {
        html_raw(h, "<p>LIFE(科学的介護情報システム)の評価はまだありません。</p>");
        page_send(r, h, 200);
        return;
    }
    html_raw(h, "<p>事業所が評価した項目ごとの移り変わりです(古い順)。</p>");
    const char *key;
    json_t *arr;
    json_object_foreach(series, key, arr) {
        html_raw(h, "<h2>");
        html_text(h, key);
        html_raw(h, "</h2><table><thead><tr><th scope=\"col\">評価日</th><th scope=\"col\">値</th>"
                    "<th scope=\"col\">事業所番号</th></tr></thead><tbody>");
        size_t i;
        json_t *x;
        json_array_foreach(arr, i, x) {
            html_raw(h, "<tr><td>");
            h_date(h, json_string_value(json_object_get(x, "date")));
            html_raw(h, "</td><td>");
            json_t *v = json_object_get(x, "value");
            if (json_is_string(v))
                html_text(h, json_string_value(v));
            else if (json_is_integer(v))
                h_num(h, json_integer_value(v));
            else if (json_is_real(v))
                html_textf(h, "%g", json_real_value(v));
            else
                html_raw(h, "―");
            html_raw(h, "</td><td>");
            h_jstr(h, x, "provider_no");
            html_raw(h, "</td></tr>");
        }
        html_raw(h, "</tbody></table>");
    }
    page_send(r, h, 200);
}

int p_life(struct req *r)
{
    return page_disclose(r, WHAT_DOCS, render_life);
}

/* ---- 住宅改修・福祉用具 ------------------------------------------------------------- */

static void ledger_part(struct buf *h, json_t *o, const char *title)
{
    html_raw(h, "<section class=\"panel\"><h2>");
    html_text(h, title);
    html_raw(h, "</h2><dl class=\"items\"><dt>限度額</dt><dd>");
    h_num(h, json_integer_value(json_object_get(o, "limit")));
    html_raw(h, "円</dd><dt>使った額</dt><dd>");
    h_num(h, json_integer_value(json_object_get(o, "used")));
    html_raw(h, "円</dd><dt>残り</dt><dd><strong>");
    h_num(h, json_integer_value(json_object_get(o, "remaining")));
    html_raw(h, "円</strong></dd></dl><p>");
    h_jstr(h, o, "why");
    html_raw(h, "</p></section>");
}

static void render_ledger(struct req *r, struct buf *h, json_t *d)
{
    heading(r, h, "住宅改修・福祉用具");
    json_t *j = json_object_get(d, "jutaku"), *y = json_object_get(d, "yogu");
    if (json_is_object(j) && json_is_object(y)) {
        html_raw(h, "<div class=\"cards\">");
        ledger_part(h, j, "住宅改修(住まいごとに)");
        ledger_part(h, y, "福祉用具の購入(年度ごとに)");
        html_raw(h, "</div>");
    }
    json_t *claims = json_object_get(d, "claims");
    html_raw(h, "<h2>これまでの申請</h2>");
    if (json_array_size(claims) == 0)
        html_raw(h, "<p>まだありません。</p>");
    else {
        html_raw(h, "<table class=\"stack\"><thead><tr><th scope=\"col\">日付</th><th scope=\"col\">種類</th>"
                    "<th scope=\"col\">内容</th><th scope=\"col\">費用</th><th scope=\"col\">限度を超えた額</th></tr></thead><tbody>");
        size_t i;
        json_t *c;
        json_array_foreach(claims, i, c) {
            html_raw(h, "<tr><td data-label=\"日付\">");
            h_date(h, json_string_value(json_object_get(c, "date")));
            html_raw(h, "</td><td data-label=\"種類\">");
            h_jstr(h, c, "kind_name");
            html_raw(h, "</td><td data-label=\"内容\">");
            h_jstr(h, c, "category");
            html_raw(h, "</td><td data-label=\"費用\" class=\"num\">");
            h_num(h, json_integer_value(json_object_get(c, "amount")));
            html_raw(h, "円</td><td data-label=\"限度を超えた額\" class=\"num\">");
            h_num(h, json_integer_value(json_object_get(c, "over_limit")));
            html_raw(h, "円</td></tr>");
        }
        html_raw(h, "</tbody></table>");
    }
    city_claim_form(r, h);
    page_send(r, h, 200);
}

int p_ledger(struct req *r)
{
    return page_disclose(r, WHAT_DOCS, render_ledger);
}

/* ---- だれが見たか ------------------------------------------------------------------- */

struct access_filter {
    struct date from, to; /* none = open */
    char org[64];
};

static void render_access(struct req *r, struct buf *h, json_t *d)
{
    heading(r, h, "だれが見たか");
    struct access_filter *f = r->page_ctx;
    char base[48];
    page_base(r, base);
    html_raw(h, "<p>あなたの情報を見た記録と、断られた照会の記録です。すべての閲覧は、表示される前に改ざんできない形で記録されます。"
                "市町村の職員が見た記録や、緊急時の閲覧も含みます。</p>"
                "<form class=\"inline\" method=\"get\" action=\"");
    html_text(h, base);
    html_raw(h, "/access\"><div><label for=\"from\">いつから</label><input type=\"date\" id=\"from\" name=\"from\" value=\"");
    char iso[11];
    if (f && !date_is_none(f->from)) {
        date_iso(f->from, iso);
        html_text(h, iso);
    }
    html_raw(h, "\"></div><div><label for=\"to\">いつまで</label><input type=\"date\" id=\"to\" name=\"to\" value=\"");
    if (f && !date_is_none(f->to)) {
        date_iso(f->to, iso);
        html_text(h, iso);
    }
    html_raw(h, "\"></div><div><label for=\"org\">見た組織(名前の一部)</label><input type=\"text\" id=\"org\" name=\"org\" value=\"");
    html_text(h, f ? f->org : "");
    html_raw(h, "\"></div><div><button type=\"submit\" class=\"secondary\">絞り込む</button></div></form>");
    json_t *entries = json_object_get(d, "entries");
    /* newest first; the filter applies to what the pipeline disclosed (the whole log is audited as read) */
    size_t n = json_array_size(entries), shown = 0;
    struct buf rows;
    buf_init(&rows, 4u << 20);
    for (size_t k = n; k-- > 0;) {
        json_t *e = json_array_get(entries, k);
        const char *t = json_string_value(json_object_get(e, "time"));
        struct date day = DATE_NONE;
        const char *why;
        if (t && strlen(t) >= 10 && date_parse_any(t, 10, &day, &why))
            day = DATE_NONE;
        if (f && !date_is_none(f->from) && date_cmp(day, f->from) < 0)
            continue;
        if (f && !date_is_none(f->to) && date_cmp(day, f->to) > 0)
            continue;
        const char *org = json_string_value(json_object_get(e, "organisation_name"));
        const char *orgid = json_string_value(json_object_get(e, "organisation"));
        if (f && f->org[0] && !(org && strstr(org, f->org)) && !(orgid && strstr(orgid, f->org)))
            continue;
        shown++;
        bool bg = json_is_true(json_object_get(e, "breakglass"));
        bool denied = strcmp(jstr_or_empty(json_object_get(e, "outcome")), "allowed") != 0;
        html_raw(&rows, "<tr><td data-label=\"日時\">");
        h_time_iso(&rows, t);
        html_raw(&rows, "</td><td data-label=\"だれが\">");
        if (org && *org)
            html_text(&rows, org);
        else if (strcmp(jstr_or_empty(json_object_get(e, "role")), "person") == 0)
            html_raw(&rows, "ご本人");
        else if (orgid && *orgid)
            html_text(&rows, orgid);
        else
            html_text(&rows, json_string_value(json_object_get(e, "role_name")));
        if (json_is_string(json_object_get(e, "actor_name"))) {
            html_raw(&rows, "<br>");
            h_jstr(&rows, e, "actor_name");
            html_raw(&rows, "(代理人)");
        }
        html_raw(&rows, "<br><span class=\"note\">");
        h_jstr(&rows, e, "role_name");
        html_raw(&rows, "</span></td><td data-label=\"何を\">");
        h_jstr(&rows, e, "category_name");
        html_raw(&rows, "</td><td data-label=\"目的・根拠\">");
        h_jstr(&rows, e, "purpose_name");
        html_raw(&rows, "<br><span class=\"note\">");
        h_jstr(&rows, e, "basis_name");
        html_raw(&rows, "</span>");
        if (bg)
            html_raw(&rows, "<br><span class=\"badge warn\">緊急時アクセス</span>");
        if (json_is_true(json_object_get(e, "paper_identity")))
            html_raw(&rows, "<br><span class=\"badge warn\">紙の被保険者証で本人確認し、担当事業所として登録</span>");
        html_raw(&rows, "</td><td data-label=\"結果\">");
        html_raw(&rows, denied ? "<span class=\"badge ng\">" : "<span class=\"badge ok\">");
        h_jstr(&rows, e, "outcome_name");
        html_raw(&rows, "</span></td></tr>");
    }
    html_raw(h, "<p role=\"status\">");
    html_textf(h, "%zu 件(全 %zu 件中、新しい順)", shown, n);
    html_raw(h, "</p>");
    if (shown) {
        html_raw(h, "<div class=\"table-scroll\"><table class=\"stack\" id=\"access-log\"><caption>閲覧の記録</caption>"
                    "<thead><tr><th scope=\"col\">日時</th><th scope=\"col\">だれが</th><th scope=\"col\">何を</th>"
                    "<th scope=\"col\">目的・根拠</th><th scope=\"col\">結果</th></tr></thead><tbody>");
        buf_add(h, rows.ptr, rows.len);
        html_raw(h, "</tbody></table></div>");
    }
    if (rows.ptr)
        sodium_memzero(rows.ptr, rows.cap);
    buf_release(&rows);
    html_raw(h, "<h2>印刷</h2><p>この一覧は A4 に印刷できます(ブラウザの印刷機能でも同じです)。"
                "<button type=\"button\" class=\"secondary\" data-print hidden>この記録を印刷する</button></p>"
                "<p>署名付き QR の入った紙の「閲覧記録のお知らせ」(kaigo print access)は、お住まいの市町村の窓口で受け取れます。"
                "QR で、事業所や第三者も内容が正しいことを確かめられます。"
                "心当たりのない閲覧があれば、市町村にご相談ください。</p>");
    city_access_print_form(r, h);
    free(r->page_ctx);
    r->page_ctx = NULL;
    page_send(r, h, 200);
}

static int query_day(struct req *r, const char *name, struct date *out)
{
    const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
    const char *why;
    *out = DATE_NONE;
    if (!v || !*v)
        return 0;
    if (strlen(v) > MAX_QUERY_VALUE || date_parse_any(v, strlen(v), out, &why))
        return http_error(r, 400, "bad_date", "日付は 2026-12-01 または 令和8年12月1日 の形で入力してください"), -1;
    return 0;
}

int p_access(struct req *r)
{
    if (r->waiting)
        return 0;
    struct access_filter *f = xcalloc(1, sizeof *f);
    const char *org = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "org");
    if (query_day(r, "from", &f->from) || query_day(r, "to", &f->to)) {
        free(f);
        return 0;
    }
    if (org && strlen(org) < sizeof f->org && utf8_valid(org, strlen(org), NULL))
        str_cut(f->org, sizeof f->org, org);
    r->page_ctx = f;
    int rc = page_disclose(r, WHAT_ACCESS_LOG, render_access);
    if (!r->waiting) {
        free(r->page_ctx);
        r->page_ctx = NULL;
    }
    return rc;
}

/* ---- 同意 ---------------------------------------------------------------------------- */

static void cats_text(struct buf *h, json_t *arr)
{
    size_t i;
    json_t *c;
    if (json_array_size(arr) == (size_t)__builtin_popcount(CAT_ALL_MASK)) {
        html_raw(h, "すべての情報");
        return;
    }
    json_array_foreach(arr, i, c) {
        html_raw(h, i ? "、" : "");
        const char *code = json_string_value(c);
        enum category cat = category_from_code(code, strlen(code));
        html_text(h, cat ? category_name(cat) : code);
    }
}

static const char *org_name_in(json_t *rels, const char *org)
{
    size_t i;
    json_t *x;
    json_array_foreach(rels, i, x) if (strcmp(jstr_or_empty(json_object_get(x, "organisation")), org) == 0) return json_string_value(json_object_get(x, "organisation_name"));
    return NULL;
}

static void withdraw_button(struct req *r, struct buf *h, const char *grantee, const char *cats, const char *label)
{
    char base[48];
    page_base(r, base);
    html_raw(h, "<form method=\"post\" action=\"");
    html_text(h, base);
    html_raw(h, "/consents/withdraw\">");
    page_csrf_field(r, h);
    html_raw(h, "<input type=\"hidden\" name=\"grantee\" value=\"");
    html_text(h, grantee);
    html_raw(h, "\"><input type=\"hidden\" name=\"categories\" value=\"");
    html_text(h, cats);
    html_raw(h, "\"><button type=\"submit\" class=\"secondary\">");
    html_text(h, label);
    html_raw(h, "</button></form>");
}

/* niji_section - 二次利用への協力 (issue #19 §2): opt-in, never part of "all", withdrawable at once; for the person
 * (a proxy's scope never includes it) */
static bool names_niji(json_t *x)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(x, "categories"), i, c) if (strcmp(jstr_or_empty(c), "niji") == 0) return true;
    return false;
}

static void niji_section(struct req *r, struct buf *h, json_t *consents, json_t *wds)
{
    if (!r->route || r->route->audience != AUD_SELF)
        return;
    const char *last_in = "", *last_out = "";
    size_t i;
    json_t *x;
    json_array_foreach(consents, i, x) if (names_niji(x) && strcmp(jstr_or_empty(json_object_get(x, "recorded_at")), last_in) > 0)
        last_in = jstr_or_empty(json_object_get(x, "recorded_at"));
    json_array_foreach(wds, i, x) if (names_niji(x) && strcmp(jstr_or_empty(json_object_get(x, "at")), last_out) > 0)
        last_out = jstr_or_empty(json_object_get(x, "at"));
    bool in = last_in[0] && strcmp(last_in, last_out) > 0;
    html_raw(h, "<section class=\"panel\" id=\"niji\"><h2>統計・研究のための二次利用への協力</h2><p>協力すると、市町村が統計や研究のために"
                "作るデータに、あなたの記録が<strong>名前・番号を取り除き、毎回ちがう仮の番号に置き換えた形</strong>(年齢の区分・性別・"
                "要介護度・利用したサービスの種類など)で入ります。協力しなくても、介護サービスや認定には何の影響もありません。"
                "いつでもやめられ、やめるとすぐに効きます。データに入ったことは「だれが見たか」に残ります。</p><p id=\"niji-state\">"
                "いまの状態: <strong>");
    html_raw(h, in ? "協力しています" : "協力していません");
    html_raw(h, "</strong></p><form method=\"post\" action=\"/me/consents/niji\">");
    page_csrf_field(r, h);
    html_raw(h, in ? "<input type=\"hidden\" name=\"action\" value=\"out\"><button type=\"submit\" class=\"secondary\">二次利用への協力を"
                     "やめる</button>"
                   : "<input type=\"hidden\" name=\"action\" value=\"in\"><button type=\"submit\">二次利用に協力する</button>");
    html_raw(h, "</form></section>");
}

int p_niji(struct req *r)
{
    struct person_key k;
    if (target(r, &k))
        return 0;
    struct store *st = store_or_503(r);
    struct actor a;
    if (!st || person_control(r, st, &k, CAT_BIT(CAT_NIJI), false, &a))
        return 0;
    const char *action = form_str(r, "action");
    int64_t id;
    if (strcmp(action, "in") == 0) {
        struct consent c = {0};
        c.kind = CONSENT_PERSONAL;
        c.cats = CAT_BIT(CAT_NIJI);
        c.valid_from = c.recorded_ms = clock_now_ms();
        if (st->acc->consent_add(st, &k, &c, a.id, a.id, &id))
            return http_error(r, 500, "internal", "内部エラーが発生しました");
    } else if (strcmp(action, "out") == 0) {
        if (withdraw_now(r, st, &k, CAT_BIT(CAT_NIJI), "", &a, &id))
            return 0;
    } else
        return http_error(r, 400, "bad_field", "画面を開き直してからもう一度お試しください。");
    return page_redirect(r, "/me/consents#niji");
}

static void render_consents(struct req *r, struct buf *h, json_t *d)
{
    heading(r, h, "同意の確認と撤回");
    json_t *consents = json_object_get(d, "consents"), *wds = json_object_get(d, "withdrawals");
    json_t *rels = json_object_get(d, "relationships");
    html_raw(h, "<p>事業所があなたの情報を見るには、<strong>本人確認をして担当事業所として登録されていること</strong>と、"
                "<strong>あなたの同意</strong>の両方が必要です。同意はいつでも撤回でき、撤回はすぐに効きます。"
                "撤回した事業所には、あなたがもう一度同意するまで、市町村が申請のときに受ける包括的な同意があっても見せません。</p>");
    html_raw(h, "<h2>担当事業所(本人確認で登録)</h2>");
    size_t i;
    json_t *x;
    if (json_array_size(rels) == 0)
        html_raw(h, "<p>登録されている事業所はありません。</p>");
    else {
        html_raw(h, "<table class=\"stack\"><thead><tr><th scope=\"col\">事業所</th><th scope=\"col\">登録日</th>"
                    "<th scope=\"col\">状態</th><th scope=\"col\">この事業所への同意</th></tr></thead><tbody>");
        json_array_foreach(rels, i, x) {
            const char *org = jstr_or_empty(json_object_get(x, "organisation"));
            html_raw(h, "<tr><td data-label=\"事業所\">");
            h_jstr(h, x, "organisation_name");
            html_raw(h, "</td><td data-label=\"登録日\">");
            h_day(h, json_string_value(json_object_get(x, "started_at")));
            html_raw(h, "</td><td data-label=\"状態\">");
            html_raw(h, json_is_true(json_object_get(x, "active")) ? "<span class=\"badge ok\">担当中</span>"
                                                                   : "<span class=\"badge ng\">終了</span>");
            html_raw(h, "</td><td data-label=\"この事業所への同意\">");
            /* withdrawn for this org? */
            bool withdrawn = false;
            size_t j;
            json_t *w;
            json_array_foreach(wds, j, w) {
                const char *g = jstr_or_empty(json_object_get(w, "grantee"));
                if (strcmp(g, org) == 0)
                    withdrawn = true;
            }
            if (withdrawn) {
                char base[48];
                page_base(r, base);
                html_raw(h, "<span class=\"badge ng\">撤回済み</span><form method=\"post\" action=\"");
                html_text(h, base);
                html_raw(h, "/consents/grant\">");
                page_csrf_field(r, h);
                html_raw(h, "<input type=\"hidden\" name=\"grantee\" value=\"");
                html_text(h, org);
                html_raw(h, "\"><button type=\"submit\" class=\"secondary\">もう一度同意する</button></form>");
            } else
                withdraw_button(r, h, org, "all", "この事業所への同意を撤回する");
            html_raw(h, "</td></tr>");
        }
        html_raw(h, "</tbody></table>");
    }
    html_raw(h, "<h2>記録されている同意</h2>");
    if (json_array_size(consents) == 0)
        html_raw(h, "<p>同意の記録はありません。</p>");
    else {
        html_raw(h, "<table class=\"stack\"><thead><tr><th scope=\"col\">同意の種類</th><th scope=\"col\">相手</th>"
                    "<th scope=\"col\">情報の種類</th><th scope=\"col\">記録日</th><th scope=\"col\">撤回</th></tr></thead><tbody>");
        bool blanket = false;
        json_array_foreach(consents, i, x) {
            const char *kind = jstr_or_empty(json_object_get(x, "kind"));
            const char *g = jstr_or_empty(json_object_get(x, "grantee"));
            html_raw(h, "<tr><td data-label=\"同意の種類\">");
            html_text(h, consent_kind_name(consent_kind_from_code(kind)));
            html_raw(h, "</td><td data-label=\"相手\">");
            const char *gn = g[0] ? org_name_in(rels, g) : NULL;
            html_text(h, g[0] ? (gn ? gn : g) : "担当するすべての事業所");
            html_raw(h, "</td><td data-label=\"情報の種類\">");
            cats_text(h, json_object_get(x, "categories"));
            html_raw(h, "</td><td data-label=\"記録日\">");
            h_time_iso(h, json_string_value(json_object_get(x, "recorded_at")));
            html_raw(h, "</td><td data-label=\"撤回\">");
            if (g[0]) { /* each button says whose consent it withdraws (one name, one action) */
                char label[ORG_NAME_BYTES + 64];
                snprintf(label, sizeof label, "%sへの同意を撤回する", gn ? gn : g);
                withdraw_button(r, h, g, "all", label);
            } else {
                html_raw(h, "下のボタンで撤回できます");
                blanket = true;
            }
            html_raw(h, "</td></tr>");
        }
        html_raw(h, "</tbody></table>");
        if (blanket) /* one action for every consent that names no office */
            withdraw_button(r, h, "", "all", "すべての事業所への同意を撤回する");
    }
    /* per category and organisation */
    char base[48];
    page_base(r, base);
    html_raw(h, "<h2>一部の情報だけ撤回する</h2><form class=\"stack\" method=\"post\" action=\"");
    html_text(h, base);
    html_raw(h, "/consents/withdraw\">");
    page_csrf_field(r, h);
    html_raw(h, "<div><label for=\"grantee\">どの事業所から</label><select id=\"grantee\" name=\"grantee\">"
                "<option value=\"\">すべての事業所</option>");
    json_array_foreach(rels, i, x) {
        html_raw(h, "<option value=\"");
        html_text(h, jstr_or_empty(json_object_get(x, "organisation")));
        html_raw(h, "\">");
        h_jstr(h, x, "organisation_name");
        html_raw(h, "</option>");
    }
    html_raw(h, "</select></div><fieldset><legend>撤回する情報の種類</legend>");
    static const enum category offer[] = {CAT_SHIKAKU, CAT_CHOSA, CAT_IKENSHO, CAT_SHINSAKAI,
                                          CAT_CAREPLAN, CAT_LIFE, CAT_JUTAKU, CAT_KYUFU};
    for (size_t c = 0; c < sizeof offer / sizeof offer[0]; c++) {
        html_raw(h, "<label class=\"check\"><input type=\"checkbox\" name=\"cat\" value=\"");
        html_text(h, category_code(offer[c]));
        html_raw(h, "\"> ");
        html_text(h, category_name(offer[c]));
        html_raw(h, "</label>");
    }
    html_raw(h, "</fieldset><div><button type=\"submit\" class=\"secondary\">選んだ情報の同意を撤回する</button></div></form>");
    html_raw(h, "<h2>撤回の記録</h2>");
    if (json_array_size(wds) == 0)
        html_raw(h, "<p>撤回した同意はありません。</p>");
    else {
        html_raw(h, "<ul>");
        json_array_foreach(wds, i, x) {
            const char *g = jstr_or_empty(json_object_get(x, "grantee"));
            const char *gn = g[0] ? org_name_in(rels, g) : NULL;
            html_raw(h, "<li>");
            html_text(h, jstr_or_empty(json_object_get(x, "at")));
            html_raw(h, " ");
            html_text(h, g[0] ? (gn ? gn : g) : "すべての事業所");
            html_raw(h, "への同意(");
            cats_text(h, json_object_get(x, "categories"));
            html_raw(h, ")を撤回</li>");
        }
        html_raw(h, "</ul>");
    }
    niji_section(r, h, consents, wds);
    page_send(r, h, 200);
}

int p_consents(struct req *r)
{
    return page_disclose(r, WHAT_GRANTS, render_consents);
}

/* p_withdraw - a confirmation page first (confirm=1 withdraws); immediate effect. */
int p_withdraw(struct req *r)
{
    struct person_key k;
    if (target(r, &k))
        return 0;
    const char *grantee = form_str(r, "grantee"), *cats_s = form_str(r, "categories");
    uint32_t cats = cats_parse(cats_s);
    char picked[200] = "";
    if (!cats_s[0]) { /* checkboxes: one "cat" field per category */
        for (size_t i = 0; r->form && i < r->form->n; i++) {
            const struct form_field *x = &r->form->f[i];
            enum category c = strcmp(x->name, "cat") == 0 && !x->file ? category_from_code(x->value.ptr, x->value.len)
                                                                    : CAT_NONE;
            if (c && c != CAT_PAPER && c != CAT_ACCESSLOG && !(cats & CAT_BIT(c))) {
                cats |= CAT_BIT(c);
                size_t n = strlen(picked);
                snprintf(picked + n, sizeof picked - n, "%s%s", n ? "," : "", category_code(c));
            }
        }
        cats_s = picked;
        if (!cats)
            return http_error(r, 400, "bad_field", "撤回する情報の種類を1つ以上選んでください。");
    }
    if (!cats || strlen(grantee) >= ORG_ID_BYTES)
        return http_error(r, 400, "bad_field", "撤回する同意の内容が正しくありません。画面を開き直してください。");
    struct store *st = store_or_503(r);
    struct actor a;
    /* the person, a proxy within scope, or the person's insurer recording a withdrawal received at the counter on
     * paper (issue #19 §1; the withdrawal names the clerk) */
    if (!st || person_control(r, st, &k, cats, true, &a))
        return 0;
    char base[48];
    page_base(r, base);
    struct buf h;
    if (strcmp(form_str(r, "confirm"), "1") != 0) {
        page_start(r, &h, "同意の撤回の確認");
        html_raw(&h, "<h1>同意の撤回の確認</h1><p class=\"lead\">");
        html_text(&h, grantee[0] ? "この事業所" : "すべての事業所");
        html_raw(&h, "への同意(");
        if (cats == CAT_ALL_MASK)
            html_raw(&h, "すべての情報");
        else
            for (int c = CAT_NONE + 1, first = 1; c < CAT_COUNT; c++)
                if (cats & CAT_BIT(c)) {
                    html_raw(&h, first ? "" : "、");
                    html_text(&h, category_name((enum category)c));
                    first = 0;
                }
        html_raw(&h, ")を撤回します。撤回するとすぐに、その事業所はあなたの情報を見られなくなります。"
                     "ケアプランの作成やサービスの提供に支障が出ることがあります。</p><form method=\"post\" action=\"");
        html_text(&h, base);
        html_raw(&h, "/consents/withdraw\">");
        page_csrf_field(r, &h);
        html_raw(&h, "<input type=\"hidden\" name=\"grantee\" value=\"");
        html_text(&h, grantee);
        html_raw(&h, "\"><input type=\"hidden\" name=\"categories\" value=\"");
        html_text(&h, cats_s);
        html_raw(&h, "\"><input type=\"hidden\" name=\"confirm\" value=\"1\"><p><button type=\"submit\" class=\"danger\">"
                     "撤回する</button> <a class=\"button secondary\" href=\"");
        html_text(&h, base);
        html_raw(&h, "/consents\">やめる</a></p></form>");
        return page_send(r, &h, 200);
    }
    int64_t id;
    if (withdraw_now(r, st, &k, cats, grantee, &a, &id))
        return 0;
    page_start(r, &h, "同意を撤回しました");
    html_raw(&h, "<h1>同意を撤回しました</h1><div class=\"alert ok\" role=\"status\"><p>撤回はすでに有効です。"
                 "もう一度同意するまで、包括的な同意があってもこの撤回が優先されます。</p></div><p><a href=\"");
    html_text(&h, base);
    html_raw(&h, "/consents\">同意のページへ戻る</a></p>");
    return page_send(r, &h, 200);
}

/* p_grant - the person's own consent again for one organisation (ends a withdrawal's hold). */
int p_grant(struct req *r)
{
    struct person_key k;
    if (target(r, &k))
        return 0;
    const char *grantee = form_str(r, "grantee");
    if (!grantee[0] || strlen(grantee) >= ORG_ID_BYTES)
        return http_error(r, 400, "bad_field", "同意する事業所が正しくありません。画面を開き直してください。");
    struct store *st = store_or_503(r);
    struct actor a;
    if (!st || person_control(r, st, &k, CAT_ALL_MASK, false, &a))
        return 0;
    struct consent c = {0};
    c.kind = CONSENT_PERSONAL;
    c.cats = CAT_ALL_MASK & ~CAT_BIT(CAT_ACCESSLOG) & ~CAT_BIT(CAT_PAPER);
    c.valid_from = c.recorded_ms = clock_now_ms();
    if (str_copy(c.grantee, sizeof c.grantee, grantee)) /* a cut id would name another office */
        return http_error(r, 400, "bad_field", "事業所の ID が長すぎます");
    int64_t id;
    if (st->acc->consent_add(st, &k, &c, a.id, a.id, &id))
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    char base[48], to[64];
    page_base(r, base);
    snprintf(to, sizeof to, "%s/consents", base);
    return page_redirect(r, to);
}

/* ---- 代理人 ---------------------------------------------------------------------------- */

static void render_proxies(struct req *r, struct buf *h, json_t *d)
{
    heading(r, h, "代理人(ご家族)");
    html_raw(h, "<p>ご家族などを代理人として登録すると、あなたが選んだ範囲の情報を、その方のIDで見られるようになります。"
                "代理人が見た記録も「だれが見たか」に名前つきで残ります。</p><h2>登録されている代理人</h2>");
    json_t *ps = json_object_get(d, "proxies");
    size_t i, shown = 0;
    json_t *x;
    json_array_foreach(ps, i, x) {
        if (json_is_string(json_object_get(x, "revoked_at")))
            continue;
        if (shown++ == 0)
            html_raw(h, "<table class=\"stack\"><thead><tr><th scope=\"col\">代理人のID</th><th scope=\"col\">種類</th>"
                        "<th scope=\"col\">見られる範囲</th><th scope=\"col\">取消し</th></tr></thead><tbody>");
        html_raw(h, "<tr><td data-label=\"代理人のID\">");
        h_jstr(h, x, "account");
        html_raw(h, "</td><td data-label=\"種類\">");
        html_text(h, proxy_kind_name(proxy_kind_from_code(jstr_or_empty(json_object_get(x, "kind")))));
        html_raw(h, "</td><td data-label=\"見られる範囲\">");
        cats_text(h, json_object_get(x, "categories"));
        html_raw(h, "</td><td data-label=\"取消し\"><form method=\"post\" action=\"/me/proxies/revoke\">");
        page_csrf_field(r, h);
        html_raw(h, "<input type=\"hidden\" name=\"id\" value=\"");
        html_textf(h, "%lld", (long long)json_integer_value(json_object_get(x, "id")));
        html_raw(h, "\"><button type=\"submit\" class=\"secondary\">この代理人を取り消す</button></form></td></tr>");
    }
    html_raw(h, shown ? "</tbody></table>" : "<p>登録されている代理人はいません。</p>");
    /* codes issued and not yet used: a code handed to the wrong person can be cancelled */
    size_t pending = 0;
    json_array_foreach(json_object_get(d, "proxy_codes"), i, x) {
        if (json_is_true(json_object_get(x, "expired")))
            continue;
        if (pending++ == 0)
            html_raw(h, "<h2>まだ使われていない代理人コード</h2><table class=\"stack\"><thead><tr><th scope=\"col\">発行</th>"
                        "<th scope=\"col\">有効期限</th><th scope=\"col\">見られる範囲</th><th scope=\"col\">取消し</th></tr></thead><tbody>");
        html_raw(h, "<tr><td data-label=\"発行\">");
        h_time_iso(h, json_string_value(json_object_get(x, "created_at")));
        html_raw(h, "</td><td data-label=\"有効期限\">");
        h_time_iso(h, json_string_value(json_object_get(x, "expires_at")));
        html_raw(h, "</td><td data-label=\"見られる範囲\">");
        cats_text(h, json_object_get(x, "categories"));
        html_raw(h, "</td><td data-label=\"取消し\"><form method=\"post\" action=\"/me/proxies/cancel\">");
        page_csrf_field(r, h);
        html_raw(h, "<input type=\"hidden\" name=\"id\" value=\"");
        html_textf(h, "%lld", (long long)json_integer_value(json_object_get(x, "id")));
        html_raw(h, "\"><button type=\"submit\" class=\"secondary\">このコードを使えなくする</button></form></td></tr>");
    }
    if (pending)
        html_raw(h, "</tbody></table>");
    html_raw(h, "<h2>代理人を登録する</h2><p>登録用のコードを発行します。コードを代理人になる方に渡し、"
                "その方が自分のIDでログインして「代理人コードを入力する」から入力すると登録されます(7日間・1回限り有効)。</p>"
                "<form class=\"stack\" method=\"post\" action=\"/me/proxies/invite\">");
    page_csrf_field(r, h);
    html_raw(h, "<div><label for=\"kind\">代理人の種類</label><select id=\"kind\" name=\"kind\">"
                "<option value=\"family\">家族</option><option value=\"voluntary\">任意代理人</option></select></div>"
                "<fieldset><legend>見られる範囲</legend>");
    static const enum category offer[] = {CAT_SHIKAKU, CAT_SHINSAKAI, CAT_CAREPLAN, CAT_LIFE, CAT_JUTAKU, CAT_ACCESSLOG};
    for (size_t c = 0; c < sizeof offer / sizeof offer[0]; c++) {
        html_raw(h, "<label class=\"check\"><input type=\"checkbox\" name=\"cat\" value=\"");
        html_text(h, category_code(offer[c]));
        html_raw(h, "\" checked> ");
        html_text(h, category_name(offer[c]));
        html_raw(h, "</label>");
    }
    html_raw(h, "</fieldset><div><button type=\"submit\">コードを発行する</button></div></form>");
    page_send(r, h, 200);
}

int p_proxies(struct req *r)
{
    return page_disclose(r, WHAT_GRANTS, render_proxies);
}

int p_proxy_invite(struct req *r)
{
    struct person_key k;
    if (target(r, &k))
        return 0;
    struct proxy_invite inv = {0};
    inv.person = k;
    inv.kind = proxy_kind_from_code(form_str(r, "kind"));
    if (inv.kind != PROXY_FAMILY && inv.kind != PROXY_VOLUNTARY)
        return http_error(r, 400, "bad_field", "代理人の種類を選んでください");
    for (size_t i = 0; r->form && i < r->form->n; i++) {
        const struct form_field *x = &r->form->f[i];
        if (strcmp(x->name, "cat") != 0 || x->file)
            continue;
        enum category c = category_from_code(x->value.ptr, x->value.len);
        if (!c || c == CAT_PAPER)
            return http_error(r, 400, "bad_field", "見られる範囲の指定が正しくありません");
        inv.cats |= CAT_BIT(c);
    }
    if (!inv.cats)
        return http_error(r, 400, "bad_field", "見られる範囲を1つ以上選んでください");
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    /* 12 letters from an alphabet without look-alikes (60 bits), shown as XXXX-XXXX-XXXX */
    static const char alpha[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    char code[15];
    size_t n = 0;
    for (int i = 0; i < 12; i++) {
        if (i && i % 4 == 0)
            code[n++] = '-';
        code[n++] = alpha[randombytes_uniform(32)];
    }
    code[n] = '\0';
    proxy_code_hash(code, inv.code_hash);
    str_cut(inv.label, sizeof inv.label, r->who.acct.display_name);
    inv.created_ms = clock_now_ms();
    inv.expires_ms = inv.created_ms + 7LL * 24 * 3600 * 1000;
    char by[ACTOR_ID_BYTES];
    snprintf(by, sizeof by, "user:%lld", (long long)r->who.acct.id);
    int64_t id;
    if (st->acc->proxy_invite_add(st, &inv, by, &id))
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    struct buf h;
    page_start(r, &h, "代理人コード");
    html_raw(&h, "<h1>代理人コード</h1><p>代理人になる方に、このコードを渡してください。</p><p class=\"code-big\" id=\"proxy-code\">");
    html_text(&h, code);
    html_raw(&h, "</p><p>有効期限: ");
    h_date_ms(&h, inv.expires_ms, true);
    html_raw(&h, "(1回限り)。この画面を閉じると、コードは二度と表示されません。</p><p><a href=\"/me/proxies\">代理人のページへ戻る</a></p>");
    sodium_memzero(code, sizeof code);
    return page_send(r, &h, 201);
}

/* proxy_change - revoke a registered proxy (insurer may too) or cancel an unused code (the
 * person, or a proxy whose scope covers it), named by the form's id. */
static int proxy_change(struct req *r, bool code)
{
    struct person_key k;
    if (target(r, &k))
        return 0;
    char *end;
    const char *ids = form_str(r, "id");
    long long id = strtoll(ids, &end, 10);
    const char *gone = code ? "該当する代理人コードがないか、すでに使われています"
                            : "該当する代理人の登録がないか、すでに取り消されています";
    if (id <= 0 || *end)
        return http_error(r, 404, "not_found", gone);
    struct store *st = store_or_503(r);
    struct actor a;
    if (!st || person_control(r, st, &k, 0, !code, &a))
        return 0;
    int rc = code ? st->acc->proxy_invite_cancel(st, &k, id, clock_now_ms(), a.id)
                  : st->acc->proxy_revoke(st, &k, id, clock_now_ms(), a.id);
    if (rc < 0)
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    if (rc == STORE_NOTFOUND)
        return http_error(r, 404, "not_found", gone);
    return page_redirect(r, "/me/proxies");
}

int p_proxy_revoke(struct req *r)
{
    return proxy_change(r, false);
}

int p_proxy_cancel(struct req *r)
{
    return proxy_change(r, true);
}

/* ---- 本人確認コード ------------------------------------------------------------------ */

int p_code(struct req *r)
{
    struct person_key k;
    if (target(r, &k))
        return 0;
    struct buf h;
    if (strcmp(r->method, "GET") == 0) {
        page_start(r, &h, "本人確認コード");
        html_raw(&h, "<h1>本人確認コード</h1><p>ケアマネジャーや介護事業所と契約するとき、事業所はあなたの本人確認をして"
                     "「担当事業所」として登録します。そのときに、このコードと生年月日を事業所に伝えてください。"
                     "コードは1時間・1回限り有効です。</p><form method=\"post\" action=\"/me/code\">");
        page_csrf_field(r, &h);
        html_raw(&h, "<button type=\"submit\">コードを発行する</button></form>");
        return page_send(r, &h, 200);
    }
    char code[IDENTITY_CODE_DIGITS + 1];
    int64_t now;
    if (self_code(r, &k, code, &now))
        return 0;
    page_start(r, &h, "本人確認コード");
    html_raw(&h, "<h1>本人確認コード</h1><p>契約する事業所に、次の番号を伝えてください。</p><p class=\"code-big\" id=\"identity-code\">");
    html_text(&h, code);
    html_raw(&h, "</p><p>有効期限: ");
    h_date_ms(&h, now + IDENTITY_CODE_SELF_MS, true);
    html_raw(&h, "(1回限り)</p>");
    sodium_memzero(code, sizeof code);
    return page_send(r, &h, 201);
}

/* ---- a proxy's home for one person (the card's (一) names whom they act for) -------- */

static void render_proxy_home(struct req *r, struct buf *h, json_t *c)
{
    json_t *p1 = json_object_get(c, "panel1");
    page_start(r, h, "代理人としてのメニュー");
    html_raw(h, "<h1>");
    h_jstr(h, p1, "name");
    html_raw(h, " さんの代理人として</h1><p class=\"lead\">ご本人が登録した範囲の情報だけが表示されます。"
                "あなたが見た記録は、あなたの名前でご本人の「だれが見たか」に残ります。</p>");
    char base[48];
    page_base(r, base);
    static const struct {
        const char *path, *label;
    } m[] = {{"/card", "介護保険証"},          {"/certification", "認定の状況"},
             {"/care", "担当のケアマネジャー・事業所"}, {"/plan", "今月のケアプラン"},
             {"/life", "LIFE のフィードバック"}, {"/ledger", "住宅改修・福祉用具"},
             {"/access", "だれが見たか"},          {"/consents", "同意の確認と撤回"}};
    html_raw(h, "<ul class=\"menu\">");
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        html_raw(h, "<li><a href=\"");
        html_text(h, base);
        html_text(h, m[i].path);
        html_raw(h, "\">");
        html_text(h, m[i].label);
        html_raw(h, "</a></li>");
    }
    html_raw(h, "</ul>");
    page_send(r, h, 200);
}

int p_proxy_home(struct req *r)
{
    return page_disclose(r, WHAT_CARD, render_proxy_home);
}
