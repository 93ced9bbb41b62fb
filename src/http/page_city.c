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

#include "domain/numbers.h"
#include "http/page.h"
#include "store/disclose.h"
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
    html_raw(h, "<tr><td>");
    html_text(h, p->key.insured_no);
    html_raw(h, "</td><td><a href=\"");
    html_text(h, base);
    html_raw(h, "/card\">");
    html_text(h, p->name);
    html_raw(h, "</a></td><td>");
    html_text(h, p->kana);
    html_raw(h, "</td><td>");
    date_iso(p->birth, iso);
    h_date(h, iso);
    html_raw(h, "</td><td>");
    html_raw(h, p->sex == 1 ? "男" : p->sex == 2 ? "女" : "―");
    html_raw(h, "</td><td>");
    html_raw(h, p->lost ? "<span class=\"badge ng\">資格喪失</span>" : "<span class=\"badge ok\">資格あり</span>");
    html_raw(h, "</td><td><a href=\"");
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
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    struct actor a;
    principal_actor(&r->who, NULL, &a);
    if (a.role != ROLE_INSURER)
        return page_error(r, 403, "表示できません", "被保険者の検索は市町村(保険者)の職員のページです。");
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
