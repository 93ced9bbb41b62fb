/*
 * page_inbox.c - the office's ケアプラン連携 inbox as a page (issue #18 §2): the send units other
 * offices addressed to it (提供票 = 第6表・第7表 from a care manager, 実績 from a provider, plans),
 * not yet acknowledged - from whom, when, whether downloaded - with a link to the person's plan page
 * and 「受領を確認」 (the API's ack). Care software fetches the files themselves over the API.
 *
 * SECURITY: the rows come from inbox_load (exchange.c): each person through the gate (計画) and
 * audited before the page is built; the ack is a CSRF-checked POST of this office's own delivery
 * (another office's gets the same 404 as none). No name is shown: numbers and the sender only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/page.h"
#include "domain/auth.h"
#include "domain/wareki.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* what_text - a delivery's unit in words: 令和8年12月分の提供票(第6表・第7表) … */
static void what_text(struct buf *h, const char *what)
{
    const char *arg = strchr(what, ':');
    char iso[11] = "";
    if (arg && strlen(arg + 1) >= 6)
        snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", arg + 1, arg + 5, strlen(arg + 1) >= 8 ? arg + 7 : "01");
    struct date d;
    const char *why;
    struct buf w;
    buf_init(&w, 256);
    bool dated = iso[0] && date_parse_iso(iso, 10, &d, &why) == 0 && wareki_format(d, WAREKI_LONG, &w) == 0;
    if (dated && strncmp(what, "plan:", 5) && strncmp(what, "kihon:", 6) && w.ptr && strstr(w.ptr, "月"))
        w.len = (size_t)(strstr(w.ptr, "月") - w.ptr) + strlen("月"), w.ptr[w.len] = '\0'; /* a month: no day */
    const char *when = dated && w.ptr ? w.ptr : "";
    if (!strncmp(what, "month:", 6)) {
        html_text(h, when);
        html_raw(h, "分の提供票(第6表・第7表)");
    } else if (!strncmp(what, "jsk:", 4)) {
        html_text(h, when);
        html_raw(h, "分の実績");
    } else if (!strncmp(what, "plan:", 5)) {
        html_raw(h, "居宅サービス計画(第1〜3表)、作成日 ");
        html_text(h, when);
    } else if (!strncmp(what, "kihon:", 6)) {
        html_raw(h, "利用者基本情報、相談日 ");
        html_text(h, when);
    } else
        html_text(h, what);
    buf_release(&w);
}

/* upload_form - a send unit made by other care software, sent from the page */
static void upload_form(struct req *r, struct buf *h)
{
    html_raw(h, "<h2 id=\"upload-h\">ほかの介護ソフトで作ったファイルを送る</h2><p>ケアプランデータ連携(v4.1)の送信単位"
                "(同じ作成日時の CSV ファイル、家族構成の画像)をまとめて選んでください。API で送る場合と同じ検査をして、"
                "誤りがあれば全体を受け付けず、理由をファイル・行・項目で示します。1ファイル 8MB まで。</p>"
                "<form class=\"stack\" method=\"post\" action=\"/office/exchange\" enctype=\"multipart/form-data\" "
                "aria-labelledby=\"upload-h\">");
    page_csrf_field(r, h);
    html_raw(h, "<div><label for=\"files\">送信単位のファイル</label><input type=\"file\" id=\"files\" name=\"files\" "
                "multiple accept=\".csv,.CSV,.jpg,.JPG\" required></div><div><button type=\"submit\">送信する</button></div>"
                "</form>");
}

int p_office_inbox(struct req *r)
{
    struct delivery *v;
    size_t n;
    if (inbox_load(r, &v, &n))
        return 0;
    struct store *st = thread_store();
    struct actor a;
    principal_actor(&r->who, NULL, &a);
    const char *acked = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "acked");
    struct buf h;
    page_start(r, &h, "受信一覧");
    html_raw(&h, "<h1>受信一覧(ケアプラン連携)</h1><p>ケアプラン連携で、ほかの事業所からこの事業所あてに届いたものです"
                 "(提供票・実績・計画)。内容を確かめたら「受領を確認」を押してください。一覧から消えます。"
                 "介護ソフトは API(/api/v1/exchange/inbox)で同じものを取り込めます。</p>");
    if (acked && !strcmp(acked, "1"))
        html_raw(&h, "<div class=\"alert ok\" role=\"status\"><p>受領を確認しました。</p></div>");
    if (!n) {
        html_raw(&h, "<p role=\"status\">未確認のものはありません。</p>");
        free(v);
        upload_form(r, &h);
        return page_send(r, &h, 200);
    }
    html_markupf(&h, "<p role=\"status\">未確認 %zu 件</p>", n);
    html_raw(&h, "<table id=\"inbox\" class=\"stack\"><thead><tr><th scope=\"col\">利用者(保険者番号・被保険者番号)</th>"
                 "<th scope=\"col\">内容</th><th scope=\"col\">送信元</th><th scope=\"col\">受信</th>"
                 "<th scope=\"col\">確認</th></tr></thead><tbody>");
    for (size_t i = 0; i < n; i++) {
        const struct delivery *d = &v[i];
        struct org from;
        bool named = st && st->acc->org_get(st, d->from_org, &from) == 0;
        html_raw(&h, "<tr><th scope=\"row\">");
        html_text(&h, d->person.insurer_no);
        html_raw(&h, " ");
        html_text(&h, d->person.insured_no);
        html_raw(&h, "<br><a href=\"/p/");
        html_text(&h, d->person.insurer_no);
        html_raw(&h, "/");
        html_text(&h, d->person.insured_no);
        html_raw(&h, "/plan\">計画を見る</a>");
        if (!strncmp(d->what, "month:", 6) && (a.role == ROLE_PROVIDER || a.role == ROLE_FACILITY)) {
            /* a 提供票 to a provider: its 実績 of the month is answered from here */
            html_raw(&h, "<br><a href=\"/office/actual/");
            html_text(&h, d->person.insurer_no);
            html_raw(&h, "/");
            html_text(&h, d->person.insured_no);
            html_raw(&h, "?month=");
            html_text(&h, d->what + 6);
            html_raw(&h, "\">実績を入力</a>");
        }
        html_raw(&h, "</th><td data-label=\"内容\">");
        what_text(&h, d->what);
        html_raw(&h, "</td><td data-label=\"送信元\">");
        html_text(&h, named ? from.name : d->from_org);
        html_raw(&h, "</td><td data-label=\"受信\">");
        h_date_ms(&h, d->created_ms, true);
        html_raw(&h, d->downloaded_ms ? "<br><span class=\"badge ok\">取り込み済</span>" : "");
        html_raw(&h, "</td><td data-label=\"確認\"><form method=\"post\" action=\"/office/inbox/ack\">");
        page_csrf_field(r, &h);
        html_raw(&h, "<input type=\"hidden\" name=\"insurer_no\" value=\"");
        html_text(&h, d->person.insurer_no);
        html_raw(&h, "\"><input type=\"hidden\" name=\"insured_no\" value=\"");
        html_text(&h, d->person.insured_no);
        html_raw(&h, "\"><input type=\"hidden\" name=\"stamp\" value=\"");
        html_text(&h, d->stamp);
        html_raw(&h, "\"><button type=\"submit\" class=\"secondary\" aria-label=\"");
        html_text(&h, d->person.insured_no);
        html_raw(&h, " の");
        what_text(&h, d->what);
        html_raw(&h, "の受領を確認\">受領を確認</button></form></td></tr>");
    }
    html_raw(&h, "</tbody></table>");
    free(v);
    upload_form(r, &h);
    return page_send(r, &h, 200);
}

/* p_office_inbox_ack - 受領を確認 of one of this office's deliveries; back to the inbox */
int p_office_inbox_ack(struct req *r)
{
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    struct actor a;
    principal_actor(&r->who, NULL, &a);
    const char *ins = form_str(r, "insurer_no"), *no = form_str(r, "insured_no"), *stamp = form_str(r, "stamp"), *why;
    if (!provider_role(a.role))
        return http_error(r, 403, "forbidden", "受領の確認は事業所の職員が行います");
    if (insurer_no_check(ins, strlen(ins), &why) || insured_no_check(no, strlen(no), &why) || strlen(stamp) != 14 ||
        strspn(stamp, "0123456789") != 14)
        return page_error(r, 404, "見つかりません", "該当する受信がありません。");
    struct person_key k;
    memset(&k, 0, sizeof k);
    str_cut(k.insurer_no, sizeof k.insurer_no, ins);
    str_cut(k.insured_no, sizeof k.insured_no, no);
    int rc = st->acc->delivery_mark(st, &k, a.org, stamp, true, clock_now_ms());
    if (rc < 0)
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    if (rc)
        return page_error(r, 404, "見つかりません", "該当する受信がありません(すでに確認済みか、この事業所あてではありません)。");
    return page_redirect(r, "/office/inbox?acked=1");
}

#define PAGE_UNIT_FILES 32

/* p_office_upload - POST /office/exchange: the files of one send unit from the page's form, through
 * unit_accept (every check of the upload API, stored and delivered all or nothing) */
int p_office_upload(struct req *r)
{
    struct store *st = store_or_503(r);
    struct actor a;
    struct org o;
    if (!st || office_of(r, st, &a, &o))
        return 0;
    struct cp_filedata *fd = xcalloc(PAGE_UNIT_FILES, sizeof *fd);
    const char **names = xcalloc(PAGE_UNIT_FILES, sizeof *names);
    struct upload_errs ue = {json_array(), ""};
    size_t n = 0;
    for (size_t i = 0; r->form && i < r->form->n; i++) {
        const struct form_field *x = &r->form->f[i];
        if (!x->file || strcmp(x->name, "files") || !x->filename[0])
            continue;
        if (n == PAGE_UNIT_FILES) {
            upload_err(&ue, 0, 0, "", "1つの送信単位は 32 ファイルまでです");
            break;
        }
        names[n] = x->filename;
        ue.file = x->filename;
        if (strchr(x->filename, '/') || strchr(x->filename, '\\'))
            upload_err(&ue, 0, 0, "", "ファイル名が正しくありません");
        else
            cpfile_read(x->filename, x->value.ptr ? x->value.ptr : "", x->value.len, &fd[n], upload_err, &ue);
        n++;
    }
    long sets = 0, records = 0;
    int rc = n ? unit_accept(st, &a, &o, fd, names, n, &ue, &sets) : 1;
    for (size_t i = 0; i < n; i++) {
        records += (long)fd[i].n;
        cpfile_free(&fd[i]);
    }
    free(fd);
    free(names);
    if (rc < 0) {
        json_decref(ue.arr);
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    }
    struct buf h;
    page_start(r, &h, rc ? "送信できませんでした" : "送信しました");
    if (rc) {
        html_raw(&h, "<h1>送信できませんでした</h1><div class=\"alert error\" role=\"alert\"><p>");
        html_raw(&h, n ? "送信単位に誤りがあるため、全体を受け付けませんでした。次の点を直して、もう一度送ってください。"
                       : "ファイルが選ばれていません。");
        html_raw(&h, "</p></div><ul id=\"unit-errors\">");
        size_t i;
        json_t *e;
        json_array_foreach(ue.arr, i, e) {
            html_raw(&h, "<li>");
            html_text(&h, json_string_value(e));
            html_raw(&h, "</li>");
        }
        html_raw(&h, "</ul>");
    } else {
        html_raw(&h, "<h1>送信しました</h1><div class=\"alert ok\" role=\"status\"><p>");
        html_textf(&h, "%zu ファイル、%ld 件の記録を受け付け、あて先の事業所へ届けました。", n, records);
        html_raw(&h, "</p></div>");
    }
    json_decref(ue.arr);
    html_raw(&h, "<p><a href=\"/office/inbox\">受信一覧へ戻る</a></p>");
    return page_send(r, &h, rc ? 422 : 201);
}
