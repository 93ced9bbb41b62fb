/*
 * page_office.c - the provider clerk's eligibility check (issue #14 §3): a card by
 * 保険者番号 + 被保険者番号 (a disclosure through the gate, like GET …/card), a printed
 * document's QR token (書類照会 through the gate, like GET /api/v1/verify), and 本人確認
 * with the person's one-time code to become 担当事業所.
 *
 * The numbers travel in the POST body, never in a query string. An office without a
 * basis gets the same answer as for an unknown person, with what to do next.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/auth.h"
#include "http/limits.h"
#include "domain/wareki.h"
#include "http/page.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/spawn.h"
#include "util/banned.h"

static void field(struct buf *h, const char *id, const char *label, const char *hint, const char *value,
                  const char *extra)
{
    html_raw(h, "<div><label for=\"");
    html_text(h, id);
    html_raw(h, "\">");
    html_text(h, label);
    html_raw(h, "</label>");
    if (hint) {
        html_raw(h, "<span class=\"hint\" id=\"");
        html_text(h, id);
        html_raw(h, "-hint\">");
        html_text(h, hint);
        html_raw(h, "</span>");
    }
    html_raw(h, "<input type=\"text\" id=\"");
    html_text(h, id);
    html_raw(h, "\" name=\"");
    html_text(h, id);
    html_raw(h, "\" autocomplete=\"off\" ");
    html_raw(h, extra);
    if (hint) {
        html_raw(h, " aria-describedby=\"");
        html_text(h, id);
        html_raw(h, "-hint\"");
    }
    html_raw(h, " value=\"");
    html_text(h, value);
    html_raw(h, "\"></div>");
}

static void office_forms(struct req *r, struct buf *h)
{
    html_raw(h, "<h1>資格確認</h1><p>利用者の介護保険証の内容を確かめます。確認はすべて記録され、本人が「だれが見たか」で確認できます。</p>"
                "<section class=\"panel\"><h2>番号で確認する</h2><form class=\"stack\" method=\"post\" action=\"/office/check\">");
    page_csrf_field(r, h);
    field(h, "insurer_no", "保険者番号", "6桁(証の右上または下にある番号)", form_str(r, "insurer_no"),
          "inputmode=\"numeric\" maxlength=\"6\"");
    field(h, "insured_no", "被保険者番号", "10桁", form_str(r, "insured_no"), "inputmode=\"numeric\" maxlength=\"10\"");
    html_raw(h, "<div><button type=\"submit\">確認する</button></div></form></section>"
                "<section class=\"panel\"><h2>紙の証の QR コードで確認する</h2><p>紙の証・負担割合証・負担限度額認定証の QR コードを"
                "撮影した写真・スキャンした画像(PNG・JPEG)か PDF を選ぶか、読み取った文字(KG2: で始まります)を貼り付けてください。"
                "署名を確かめ、証に印刷されているはずの内容を表示します。</p>"
                "<form class=\"stack\" method=\"post\" action=\"/office/qr\" enctype=\"multipart/form-data\">");
    page_csrf_field(r, h);
    html_raw(h, "<div><label for=\"image\">QR コードの画像または PDF</label><span class=\"hint\" id=\"image-hint\">"
                "QR コード全体が写るように、200 dpi 以上で(8 MB まで)</span><input type=\"file\" id=\"image\" name=\"image\" "
                "accept=\"image/png,image/jpeg,application/pdf\" aria-describedby=\"image-hint\"></div>");
    field(h, "token", "QR コードの文字", "例: KG2:AIAQ…(176文字)。画像を選んだときは空のままで", "", "spellcheck=\"false\"");
    html_raw(h, "<div><button type=\"submit\">QR を確認する</button></div></form></section>"
                "<section class=\"panel\"><h2>本人確認をして担当事業所になる</h2><p>契約のときに、本人から本人確認コード(10桁)と生年月日を"
                "聞いて登録します。登録のあと、本人の同意があれば証を確認できます。</p><form class=\"stack\" method=\"post\" "
                "action=\"/office/relationship\">");
    page_csrf_field(r, h);
    field(h, "rel_insurer_no", "保険者番号", NULL, "", "inputmode=\"numeric\" maxlength=\"6\"");
    field(h, "rel_insured_no", "被保険者番号", NULL, "", "inputmode=\"numeric\" maxlength=\"10\"");
    field(h, "birth_date", "生年月日", "例: 1940-04-01 または 昭和15年4月1日", "", "");
    field(h, "code", "本人確認コード", "本人が画面または紙で受け取った10桁の番号", "", "inputmode=\"numeric\" maxlength=\"10\"");
    html_raw(h, "<div><button type=\"submit\">本人確認して登録する</button></div></form></section>");
}

/* office_staff - the clerk's pages are for staff accounts (an office or the municipality). */
static bool office_staff(struct req *r)
{
    if (r->who.acct.staff)
        return true;
    http_error(r, 403, "forbidden", "資格確認は事業所・市町村の職員のIDで行います");
    return false;
}

int p_office(struct req *r)
{
    if (!office_staff(r))
        return 0;
    struct buf h;
    page_start(r, &h, "資格確認");
    office_forms(r, &h);
    return page_send(r, &h, 200);
}

static void render_check(struct req *r, struct buf *h, json_t *c)
{
    page_start(r, h, "資格確認の結果");
    json_t *p1 = json_object_get(c, "panel1"), *p2 = json_object_get(c, "panel2");
    json_t *app = json_object_get(c, "application"), *b = json_object_get(c, "burden"), *l = json_object_get(c, "limit");
    html_raw(h, "<h1>資格確認の結果</h1><p>");
    h_date(h, json_string_value(json_object_get(c, "date")));
    html_raw(h, " 現在</p>");
    insurer_policy(h, json_object_get(c, "insurer"));
    html_raw(h, "<table id=\"check-result\"><tbody><tr><th scope=\"row\">氏名</th><td>");
    h_jstr(h, p1, "name");
    html_raw(h, "(");
    h_jstr(h, p1, "kana");
    html_raw(h, ")</td></tr><tr><th scope=\"row\">資格</th><td>");
    html_raw(h, json_is_true(json_object_get(p1, "qualified")) ? "<span class=\"badge ok\">有効</span>"
                                                              : "<span class=\"badge ng\">資格なし</span>");
    html_raw(h, "</td></tr><tr><th scope=\"row\">要介護状態区分等</th><td>");
    if (json_is_object(p2)) {
        h_jstr(h, p2, "level");
        html_raw(h, "(");
        h_date(h, json_string_value(json_object_get(p2, "valid_from")));
        html_raw(h, "〜");
        h_date(h, json_string_value(json_object_get(p2, "valid_to")));
        html_raw(h, ")");
    } else
        html_raw(h, "―");
    if (json_is_object(app))
        html_raw(h, " <span class=\"badge warn\">申請中</span>");
    html_raw(h, "</td></tr><tr><th scope=\"row\">負担割合</th><td>");
    if (json_is_object(b))
        html_textf(h, "%lld割", (long long)json_integer_value(json_object_get(b, "ratio")));
    else
        html_raw(h, "―");
    html_raw(h, "</td></tr><tr><th scope=\"row\">負担限度額</th><td>");
    h_jstr(h, l, "stage");
    html_raw(h, "</td></tr><tr><th scope=\"row\">給付制限</th><td>");
    json_t *rs = json_object_get(json_object_get(c, "panel3"), "restrictions");
    html_raw(h, json_array_size(rs) ? "<span class=\"badge warn\">あり(証の(三)を確認)</span>" : "なし");
    html_raw(h, "</td></tr></tbody></table><p><a href=\"/office\">別の方を確認する</a></p>");
    page_send(r, h, 200);
}

/* numbers - the checked 保険者番号 and 被保険者番号 of a form; -1 after answering. */
static int numbers(struct req *r, const char *ins_name, const char *no_name, struct person_key *k)
{
    const char *ins = form_str(r, ins_name), *no = form_str(r, no_name), *why;
    if (insurer_no_check(ins, strlen(ins), &why) || insured_no_check(no, strlen(no), &why)) {
        struct buf h;
        page_start(r, &h, "資格確認");
        html_raw(&h, "<div class=\"alert error\" role=\"alert\"><p>保険者番号(6桁)と被保険者番号(10桁)を確かめてください: ");
        html_text(&h, why);
        html_raw(&h, "</p></div>");
        office_forms(r, &h);
        page_send(r, &h, 400);
        return -1;
    }
    memset(k, 0, sizeof *k);
    memcpy(k->insurer_no, ins, INSURER_NO_LEN);
    memcpy(k->insured_no, no, INSURED_NO_LEN);
    return 0;
}

int p_office_check(struct req *r)
{
    if (r->waiting || !office_staff(r))
        return 0;
    struct person_key k;
    if (numbers(r, "insurer_no", "insured_no", &k))
        return 0;
    r->render = render_check;
    if (start_disclosure_for(r, k, date_today(), CAT_SHIKAKU, WHAT_CARD) || !r->waiting)
        return 0;
    return run_disclosure(r);
}

static void render_verify(struct req *r, struct buf *h, json_t *v)
{
    page_start(r, h, "QR コードの確認結果");
    json_t *doc = json_object_get(v, "document");
    const char *status = jstr_or_empty(json_object_get(v, "status"));
    bool current = strcmp(status, "current") == 0;
    html_raw(h, "<h1>QR コードの確認結果</h1><div class=\"alert ");
    html_raw(h, current ? "ok" : "error");
    html_raw(h, "\" role=\"status\"><p>署名は正しく、この書類は <strong>");
    h_jstr(h, v, "status_label");
    html_raw(h, "</strong> です。</p></div><table id=\"verify-result\"><tbody><tr><th scope=\"row\">書類</th><td>");
    h_jstr(h, doc, "kind");
    html_raw(h, "</td></tr><tr><th scope=\"row\">保険者番号</th><td>");
    h_jstr(h, doc, "insurer_no");
    html_raw(h, "</td></tr><tr><th scope=\"row\">被保険者番号</th><td>");
    h_jstr(h, doc, "insured_no");
    html_raw(h, "</td></tr><tr><th scope=\"row\">交付日</th><td>");
    h_date(h, json_string_value(json_object_get(doc, "issued")));
    html_raw(h, "</td></tr><tr><th scope=\"row\">有効期間</th><td>");
    if (json_is_string(json_object_get(doc, "valid_from"))) {
        h_date(h, json_string_value(json_object_get(doc, "valid_from")));
        html_raw(h, "〜");
        h_date(h, json_string_value(json_object_get(doc, "valid_to")));
    } else
        html_raw(h, "―");
    html_raw(h, "</td></tr>");
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(doc, "printed_facts"), i, f) {
        html_raw(h, "<tr><th scope=\"row\">");
        h_jstr(h, f, "label");
        html_raw(h, "</th><td><strong>");
        h_jstr(h, f, "value");
        html_raw(h, "</strong></td></tr>");
    }
    html_raw(h, "</tbody></table><p>紙に印刷された番号・日付");
    html_raw(h, json_array_size(json_object_get(doc, "printed_facts")) ? "・要介護状態区分・負担割合・段階" : "");
    html_raw(h, "が上と一致するか確かめてください。一致しない場合、その紙は書き換えられています。</p>"
                "<p><a href=\"/office\">資格確認へ戻る</a></p>");
    page_send(r, h, 200);
}

int p_office_qr(struct req *r)
{
    if (r->waiting || !office_staff(r))
        return 0;
    /* the rate limit first: no image is decoded beyond it */
    struct actor a;
    principal_actor(&r->who, NULL, &a);
    if (!verify_rate(a.id))
        return http_error(r, 429, "too_many", "照会が多すぎます。しばらくしてから試してください");
    const char *tok = form_str(r, "token");
    char *scanned = NULL;
    const struct form_field *img = form_get(r, "image");
    if (!*tok && img && img->file && img->value.len > 0) {
        /* the upload to a private temporary file, read by zbarimg (pdftoppm for a PDF), removed */
        char path[] = "/tmp/kaigo-upload-XXXXXX";
        int fd = mkstemp(path);
        size_t n = 0;
        bool ok = fd >= 0 && write(fd, img->value.ptr, img->value.len) == (ssize_t)img->value.len;
        if (fd >= 0) {
            close(fd);
            if (ok)
                scanned = qr_scan(path, &n);
            unlink(path);
        }
        if (!scanned)
            return http_error(r, 422, "qr_unreadable",
                              "QR コードを読み取れませんでした。QR コード全体が写るように、200 dpi 以上で撮影・スキャンした"
                              "画像(PNG・JPEG)か PDF を選んでください(ほかの形式は読みません)。読み取った文字を貼り付けることもできます。");
        tok = scanned;
    }
    if (!*tok || strlen(tok) > MAX_QUERY_TOKEN) {
        free(scanned);
        return http_error(r, 400, "bad_token", "QR コードの画像を選ぶか、読み取った文字(KG2: で始まる符号)を貼り付けてください");
    }
    struct paper_token *t = xcalloc(1, sizeof *t);
    int bad = paper_checked(r, tok, t);
    free(scanned);
    if (bad) {
        free(t);
        return 0;
    }
    r->render = render_verify;
    return paper_disclose(r, t);
}

int p_office_relationship(struct req *r)
{
    struct actor a;
    principal_actor(&r->who, NULL, &a);
    if (!provider_role(a.role))
        return http_error(r, 403, "forbidden", "担当事業所の登録は事業所の職員が行います");
    struct person_key k;
    if (numbers(r, "rel_insurer_no", "rel_insured_no", &k))
        return 0;
    const char *birth_s = form_str(r, "birth_date"), *code = form_str(r, "code"), *why;
    struct date birth;
    if (date_parse_any(birth_s, strlen(birth_s), &birth, &why))
        return http_error(r, 400, "bad_date", "生年月日は 1940-04-01 または 昭和15年4月1日 の形で入力してください");
    int64_t id = 0;
    if (relationship_by_code(r, &k, birth, code, &a, &id))
        return 0;
    struct buf h;
    page_start(r, &h, "担当事業所として登録しました");
    html_raw(&h, "<h1>担当事業所として登録しました</h1><div class=\"alert ok\" role=\"status\"><p>本人確認ができました。"
                 "本人の同意があれば、証を確認できます。</p></div><p><a href=\"/office\">資格確認へ戻る</a></p>");
    return page_send(r, &h, 201);
}
