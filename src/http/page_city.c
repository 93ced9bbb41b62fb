/*
 * page_city.c - the municipal clerk's pages (市町村 介護保険課, issue #19 §1): the search of the insurer's
 * registry by 被保険者番号, カナ氏名 (prefix; hiragana, half-width and spaces folded) and 生年月日. The list shows
 * the minimum to pick the right person (number, name, カナ, birth date, sex, 資格喪失); opening a person goes
 * to the person's pages (被保険者証, 認定 …), each a disclosure through the gate like any other read.
 *
 * SECURITY: only the insurer's own staff (ROLE_INSURER; the search runs in its own insurer only); every person
 * listed is decided and audited for 資格 before the list is sent (disclose_search), so each appears in that
 * person's だれが見たか. Failure: 403 for other roles, 400 for a malformed query (the form kept with the
 * reason), 503 when the audit cannot be made durable.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/level.h"
#include "domain/numbers.h"
#include "domain/wareki.h"
#include "http/page.h"
#include "service/disclose.h"
#include "service/registry.h"
#include "util/text.h"
#include "util/banned.h"

struct hits {
    struct buf *h;
    int n;
};

static int one_hit(void *ctx, const struct search_hit *p)
{
    struct hits *x = ctx;
    struct buf *h = x->h;
    char base[64], iso[11];
    snprintf(base, sizeof base, "/p/%s/%s", p->key.insurer_no, p->key.insured_no);
    html_raw(h, "<tr><td data-label=\"被保険者番号\">");
    html_text(h, p->key.insured_no);
    html_raw(h, "</td><td data-label=\"氏名\"><a href=\"");
    html_text(h, base);
    html_raw(h, "/card\">");
    html_text(h, p->name);
    html_raw(h, "</a></td><td data-label=\"カナ氏名\">");
    html_text(h, p->kana);
    html_raw(h, "</td><td data-label=\"生年月日\">");
    date_iso(p->birth, iso);
    h_date(h, iso);
    html_raw(h, "</td><td data-label=\"性別\">");
    html_raw(h, p->sex == 1 ? "男" : p->sex == 2 ? "女" : "―");
    html_raw(h, "</td><td data-label=\"資格\">");
    html_raw(h, p->lost ? "<span class=\"badge ng\">資格喪失</span>" : "<span class=\"badge ok\">資格あり</span>");
    html_raw(h, "</td><td data-label=\"認定\"><a href=\"");
    html_text(h, base);
    html_raw(h, "/certification\">認定</a></td></tr>");
    x->n++;
    return 0;
}

static void field(struct buf *h, const char *id, const char *label, const char *value, const char *hint,
                  const char *attrs)
{
    html_markupf(h, "<div><label for=\"%s\">%s</label><input type=\"text\" id=\"%s\" name=\"%s\" %s value=\"", id, label,
                 id, id, attrs);
    html_text(h, value ? value : "");
    html_markupf(h, "\" aria-describedby=\"%s-hint\"><span class=\"hint\" id=\"%s-hint\">%s</span></div>", id, id, hint);
}

int p_city_people(struct req *r)
{
    struct actor a;
    struct store *st = city_clerk(r, &a, "被保険者の検索");
    if (!st)
        return 0;
    const char *no = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "no");
    const char *kana = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "kana");
    const char *birth = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "birth");
    no = no ? no : "";
    kana = kana ? kana : "";
    birth = birth ? birth : "";
    struct search_query q = {.birth = DATE_NONE};
    const char *error = NULL, *why;
    bool asked = no[0] || kana[0] || birth[0];
    size_t kn = strlen(kana);
    if (no[0] && (insured_no_check(no, strlen(no), &why) || str_copy(q.insured_no, sizeof q.insured_no, no)))
        error = "被保険者番号は10桁の英数字(半角)で入力してください。";
    else if (kn && (!utf8_valid(kana, kn, NULL) || kn >= sizeof q.kana || str_copy(q.kana, sizeof q.kana, kana)))
        error = "カナ氏名が長すぎるか、正しくない文字を含んでいます。";
    else if (birth[0] && date_parse_iso(birth, strlen(birth), &q.birth, &why))
        error = "生年月日は 1941-07-07 の形で入力してください。";
    struct buf h;
    page_start(r, &h, "被保険者の検索");
    html_raw(&h, "<h1>被保険者の検索</h1><form class=\"inline\" method=\"get\" action=\"/city/people\" role=\"search\">");
    field(&h, "no", "被保険者番号", no, "10桁", "inputmode=\"numeric\" maxlength=\"10\" autocomplete=\"off\"");
    field(&h, "kana", "カナ氏名(前方一致)", kana, "例: スズキ(ひらがな・空白も可)", "maxlength=\"60\" autocomplete=\"off\"");
    field(&h, "birth", "生年月日", birth, "例: 1941-07-07", "inputmode=\"numeric\" maxlength=\"10\" autocomplete=\"off\"");
    html_raw(&h, "<div><button type=\"submit\">検索する</button></div></form>");
    if (error) {
        page_alerts(&h, NULL, error);
        return page_send(r, &h, 400);
    }
    if (!asked) {
        html_raw(&h, "<p>番号・カナ氏名・生年月日のどれか(組み合わせも可)で探します。一覧に出た方の閲覧は、その方の"
                     "「だれが見たか」に記録されます。</p>");
        return page_send(r, &h, 200);
    }
    html_raw(&h, "<section class=\"panel\"><h2 id=\"hits-h\">検索結果</h2>");
    struct buf rows;
    buf_init(&rows, 1u << 20);
    struct hits x = {&rows, 0};
    long long shown, denied;
    bool more;
    enum disclose_status s = disclose_search(st, srv_auditq, &a, a.org_insurer, &q, r->request_id, clock_now_ms(),
                                             one_hit, &x, &shown, &denied, &more);
    if (s != DISCLOSE_OK) {
        buf_release(&rows);
        buf_release(&h);
        return s == DISCLOSE_AUDIT_FAILED
                   ? page_error(r, 503, "表示できません", "アクセス記録を保存できないため、検索結果を表示できません。しばらくしてから開いてください。")
                   : page_error(r, 500, "内部エラー", "検索できませんでした。");
    }
    if (x.n == 0)
        html_raw(&h, "<p role=\"status\">該当する被保険者はいません。</p>");
    else {
        html_raw(&h, "<p role=\"status\">");
        html_textf(&h, "%d 人%s", x.n, more ? "(ほかにもいます。条件を足して絞り込んでください)" : "");
        html_raw(&h, "</p><div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-labelledby=\"hits-h\">"
                     "<table id=\"hits\" class=\"stack\"><thead><tr><th scope=\"col\">被保険者番号</th><th scope=\"col\">氏名"
                     "</th><th scope=\"col\">カナ氏名</th><th scope=\"col\">生年月日</th><th scope=\"col\">性別</th><th "
                     "scope=\"col\">資格</th><th scope=\"col\">認定</th></tr></thead><tbody>");
        buf_add(&h, rows.ptr, rows.len);
        html_raw(&h, "</tbody></table></div>");
    }
    if (denied)
        html_textf(&h, "<p>%lld 人は表示が許可されていないため表示していません。</p>", denied);
    sodium_memzero(rows.ptr, rows.cap);
    buf_release(&rows);
    html_raw(&h, "</section>");
    return page_send(r, &h, 200);
}

/* ---- 記録の履歴 (真正性) and 資格の異動 -------------------------------------------------------------------- */

static const struct {
    const char *kind, *name;
} kind_names[] = {{"insured", "資格(被保険者)"}, {"certification", "要介護認定"}, {"burden", "負担割合"},
                  {"limit", "負担限度額"},       {"restriction", "給付制限"},   {"plan", "居宅サービス計画の届出"},
                  {"facility", "施設への入所"}};

static const struct {
    const char *key, *name;
} field_names[] = {{"name", "氏名"},        {"kana", "カナ"},           {"birth", "生年月日"},
                   {"sex", "性別"},         {"postal", "郵便番号"},     {"address", "住所"},
                   {"acquired", "資格取得日"}, {"lost", "資格喪失日"},  {"issued", "交付日"},
                   {"tokurei", "住所地特例"}, {"level", "要介護状態区分"}, {"applied", "申請日"},
                   {"certified", "認定日"}, {"from", "開始"},           {"to", "終了"},
                   {"ratio", "負担割合"},   {"stage", "段階"},          {"kind", "種類"},
                   {"provider_no", "事業所番号"}, {"notified", "届出日"}, {"ended", "終了日"}};

static const char *field_name(const char *k)
{
    for (size_t i = 0; i < ARRAY_LEN(field_names); i++)
        if (strcmp(field_names[i].key, k) == 0)
            return field_names[i].name;
    return k;
}

static bool iso_date(const char *s)
{
    struct date d;
    const char *why;
    return s && strlen(s) == 10 && date_parse_iso(s, 10, &d, &why) == 0;
}

/* field_value - a record's value for people: dates in 和暦 with 西暦, 性別, 要介護状態区分 and 負担割合 by name */
static void field_value(struct buf *h, const char *key, json_t *val)
{
    const char *s = json_string_value(val);
    enum care_level lv;
    if (s && iso_date(s))
        h_date(h, s);
    else if (s && strcmp(key, "level") == 0 && level_parse(s, strlen(s), &lv) == 0)
        html_text(h, level_name(lv));
    else if (s)
        html_text(h, s);
    else if (json_is_integer(val) && strcmp(key, "sex") == 0)
        html_raw(h, json_integer_value(val) == 1 ? "男" : json_integer_value(val) == 2 ? "女" : "―");
    else if (json_is_integer(val) && strcmp(key, "ratio") == 0)
        html_textf(h, "%lld割", (long long)json_integer_value(val));
    else if (json_is_integer(val))
        html_textf(h, "%lld", (long long)json_integer_value(val));
    else if (json_is_boolean(val))
        html_raw(h, json_is_true(val) ? "はい" : "いいえ");
}

/* when - "2026-12-03T17:31:16.265Z" (UTC, as the store writes a change) in JST, 和暦 with 西暦 */
static void when(struct buf *h, const char *t)
{
    struct date d;
    const char *why;
    bool ok = t && strlen(t) >= 19 && t[10] == 'T' && t[13] == ':' && t[16] == ':' && date_parse_iso(t, 10, &d, &why) == 0;
    for (int i = 11; ok && i < 19; i++)
        ok = i == 13 || i == 16 || (t[i] >= '0' && t[i] <= '9');
    if (!ok) {
        html_text(h, t ? t : "");
        return;
    }
    int hh = (t[11] - '0') * 10 + (t[12] - '0'), mm = (t[14] - '0') * 10 + (t[15] - '0'),
        ss = (t[17] - '0') * 10 + (t[18] - '0');
    int64_t ms = ((int64_t)date_serial(d) * 86400 + hh * 3600 + mm * 60 + ss) * 1000;
    h_date_ms(h, ms, true);
}

static void author(struct buf *h, const char *a)
{
    struct store *st = thread_store();
    struct account acct;
    if (strncmp(a, "user:", 5) == 0 && st && st->acc->account_get(st, strtoll(a + 5, NULL, 10), &acct) == 0) {
        html_text(h, acct.display_name);
        return;
    }
    if (strncmp(a, "import:", 7) == 0 || strncmp(a, "cli:", 4) == 0) {
        html_raw(h, strncmp(a, "import:", 7) == 0 ? "一括取込(" : "運用者(");
        html_text(h, strchr(a, ':') + 1);
        html_raw(h, ")");
        return;
    }
    html_text(h, a);
}

static void shikaku_form(struct req *r, struct buf *h)
{
    struct actor a;
    principal_actor(&r->who, NULL, &a);
    if (a.role != ROLE_INSURER)
        return;
    char action[64];
    snprintf(action, sizeof action, "/city/person/%.*s/%.*s/shikaku", (int)r->params[0].len, r->params[0].ptr,
             (int)r->params[1].len, r->params[1].ptr);
    char today[11];
    date_iso(date_today(), today);
    html_raw(h, "<section class=\"panel\"><h2>資格の異動を記録する</h2><form method=\"post\" class=\"step\" action=\"");
    html_text(h, action);
    html_raw(h, "\">");
    page_csrf_field(r, h);
    html_raw(h, "<div><label for=\"sk-kind\">異動の種類</label><select id=\"sk-kind\" name=\"kind\"><option value=\"move\">住所変更"
                "</option><option value=\"tokurei\">住所地特例(施設への転出)</option><option value=\"lose\">資格喪失</option><option "
                "value=\"acquire\">資格取得(再取得)</option></select></div><div><label for=\"sk-on\">異動日</label><input type=\"date\" "
                "id=\"sk-on\" name=\"on\" required value=\"");
    html_text(h, today);
    html_raw(h, "\"></div><div><label for=\"sk-postal\">新しい郵便番号</label><input type=\"text\" id=\"sk-postal\" name=\"postal\" "
                "inputmode=\"numeric\" maxlength=\"8\" aria-describedby=\"sk-postal-hint\"><span class=\"hint\" id=\"sk-postal-hint\">"
                "住所変更・住所地特例のとき。例: 290-0001</span></div><div><label for=\"sk-address\">新しい住所(住所地特例は施設の住所)</label>"
                "<input type=\"text\" id=\"sk-address\" name=\"address\"></div><div><label for=\"sk-reason\">理由(届出など)</label><input "
                "type=\"text\" id=\"sk-reason\" name=\"reason\" required aria-describedby=\"sk-reason-hint\"><span class=\"hint\" "
                "id=\"sk-reason-hint\">記録に残ります。例: 転居届(令和8年12月3日受付)</span></div><div><button type=\"submit\">記録する"
                "</button></div></form></section>");
}

static void render_history(struct req *r, struct buf *h, json_t *d)
{
    page_start(r, h, "記録の履歴");
    html_raw(h, "<h1>記録の履歴・資格の異動</h1>");
    const char *done = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "done");
    if (done)
        page_alerts(h, "資格の異動を記録しました。前の記録は下の履歴に残っています。", NULL);
    html_raw(h, "<p>この方の記録は、変更しても前の版が消えずに残ります(真正性)。版ごとに、いつ・だれが・なぜ記録したかを示します。</p>");
    shikaku_form(r, h);
    json_t *vs = json_object_get(d, "versions");
    const char *prev_kind = "", *prev_rkey = "";
    size_t i;
    json_t *v;
    bool open = false;
    json_array_foreach(vs, i, v) {
        const char *kind = json_string_value(json_object_get(v, "kind")), *rkey = json_string_value(json_object_get(v, "rkey"));
        if (!kind || !rkey)
            continue;
        if (strcmp(kind, prev_kind) || strcmp(rkey, prev_rkey)) {
            if (open)
                html_raw(h, "</tbody></table></div></section>");
            const char *name = kind;
            for (size_t k = 0; k < ARRAY_LEN(kind_names); k++)
                if (strcmp(kind_names[k].kind, kind) == 0)
                    name = kind_names[k].name;
            html_raw(h, "<section class=\"panel history\"><h2>");
            html_text(h, name);
            if (rkey[0]) {
                html_raw(h, "(");
                h_date(h, rkey);
                html_raw(h, "から)");
            }
            html_raw(h, "</h2><div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"");
            html_text(h, name);
            html_raw(h, "の版\"><table class=\"stack history\"><thead><tr><th scope=\"col\">版</th><th scope=\"col\">記録日時</th>"
                        "<th scope=\"col\">記録した人</th><th scope=\"col\">理由</th><th scope=\"col\">内容</th></tr></thead><tbody>");
            open = true;
            prev_kind = kind;
            prev_rkey = rkey;
        }
        html_raw(h, "<tr><td>");
        html_textf(h, "%lld", (long long)json_integer_value(json_object_get(v, "version")));
        html_raw(h, "</td><td>");
        when(h, json_string_value(json_object_get(v, "recorded_at")));
        html_raw(h, "</td><td>");
        author(h, jstr_or_empty(json_object_get(v, "author")));
        html_raw(h, "</td><td>");
        h_jstr(h, v, "reason");
        html_raw(h, "</td><td><dl class=\"compact\">");
        const char *key;
        json_t *val;
        json_object_foreach(json_object_get(v, "body"), key, val) {
            html_raw(h, "<dt>");
            html_text(h, field_name(key));
            html_raw(h, "</dt><dd>");
            field_value(h, key, val);
            html_raw(h, "</dd>");
        }
        html_raw(h, "</dl></td></tr>");
    }
    if (open)
        html_raw(h, "</tbody></table></div></section>");
    else
        html_raw(h, "<p>記録がありません。</p>");
    page_send(r, h, 200);
}

int p_history(struct req *r)
{
    struct actor a;
    principal_actor(&r->who, NULL, &a);
    if (!r->waiting && a.role != ROLE_INSURER)
        return page_error(r, 403, "表示できません", "記録の履歴は市町村(保険者)の職員のページです。");
    return page_disclose(r, WHAT_HISTORY, render_history);
}

int p_city_shikaku_post(struct req *r)
{
    struct person_key k;
    struct actor a;
    if (city_person(r, &k, &a, "資格の異動"))
        return 0;
    struct shikaku_change c;
    memset(&c, 0, sizeof c);
    const char *on = form_str(r, "on"), *why;
    c.kind = shikaku_kind_from_code(form_str(r, "kind"));
    const char *error = NULL;
    if (!c.kind)
        error = "異動の種類を選んでください。";
    else if (date_parse_any(on, strlen(on), &c.on, &why))
        error = "異動日は 2026-12-01 または 令和8年12月1日 の形で入力してください。";
    else if (str_copy(c.postal, sizeof c.postal, form_str(r, "postal")) ||
             str_copy(c.address, sizeof c.address, form_str(r, "address")))
        error = "郵便番号か住所が長すぎます。";
    struct cs_result res;
    memset(&res, 0, sizeof res);
    if (!error) {
        struct store *st = begin_write(r, &k, &a);
        if (!st)
            return 0;
        int rc = reg_shikaku(st, &a, &k, &c, form_str(r, "reason"), &res);
        int done = city_commit(r, st, rc, &res, &error);
        if (done < 0)
            return 0;
    }
    if (error)
        return city_refused(r, &k, "資格の異動", error, 422, "history", "記録の履歴に戻る");
    char loc[96];
    snprintf(loc, sizeof loc, "/p/%s/%s/history?done=1", k.insurer_no, k.insured_no);
    return page_redirect(r, loc);
}
