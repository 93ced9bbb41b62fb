/*
 * page_session.c - the pages around a session: login, logout, the home page by
 * role, the text size switch, and a family member's acceptance of a proxy code.
 *
 * SECURITY: the login answers the same for an unknown ID, a wrong password and a
 * wrong code (P18); throttling is explained without saying which part was wrong.
 * The proxy code is compared as its SHA-256 and is used once.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "util/text.h"
#include "domain/auth.h"
#include "http/page.h"
#include "util/log.h"
#include "util/banned.h"

int p_root(struct req *r)
{
    if (r->who.acct.staff) {
        struct actor a;
        principal_actor(&r->who, NULL, &a);
        return page_redirect(r, a.role == ROLE_CLINICIAN ? "/clinic/requests"
                                : a.role == ROLE_INSURER ? "/city/people"
                                                         : "/office");
    }
    return page_redirect(r, "/me");
}

static void login_form(struct req *r, struct buf *h, const char *error, const char *login)
{
    html_raw(h, "<h1>ログイン</h1>");
    if (error) {
        html_raw(h, "<div class=\"alert error\" role=\"alert\" id=\"login-error\"><p>");
        html_text(h, error);
        html_raw(h, "</p></div>");
    } else {
        const char *q = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "expired");
        const char *out = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "out");
        if (q)
            html_raw(h, "<div class=\"alert warn\" role=\"status\"><p>一定時間操作がなかったため、ログアウトしました。"
                        "もう一度ログインしてください。</p></div>");
        else if (out)
            html_raw(h, "<div class=\"alert ok\" role=\"status\"><p>ログアウトしました。</p></div>");
    }
    html_raw(h, "<form class=\"stack\" method=\"post\" action=\"/login\" novalidate>");
    login_token_field(r, h);
    html_raw(h, "<div><label for=\"login\">ログインID</label>"
                "<input type=\"text\" id=\"login\" name=\"login\" autocomplete=\"username\" required value=\"");
    html_text(h, login);
    html_raw(h, "\"></div><div><label for=\"password\">パスワード</label>"
                "<input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required></div>"
                "<div><label for=\"totp\">確認コード</label>"
                "<span class=\"hint\" id=\"totp-hint\">認証アプリに表示される6桁の数字です。</span>"
                "<input type=\"text\" id=\"totp\" name=\"totp\" class=\"code\" inputmode=\"numeric\" "
                "autocomplete=\"one-time-code\" maxlength=\"6\" aria-describedby=\"totp-hint\"></div>"
                "<div><button type=\"submit\">ログイン</button></div></form>");
    html_textf(h, "%s", "");
    html_raw(h, "<h2>ログインできないとき</h2><ul>");
    html_raw(h, "<li>");
    html_textf(h, "ログインに%d回続けて失敗すると、安全のため%lld分間そのIDではログインできなくなります。時間をおいてからお試しください。",
               AUTH_FAIL_ACCOUNT, (long long)(AUTH_FAIL_WINDOW_MS / 60000));
    html_raw(h, "</li><li>パスワードや確認コードを忘れたときは、お住まいの市町村の介護保険担当窓口にご相談ください。</li>"
                "<li>ご家族が代理で使う場合は、ご家族ご自身のIDでログインしてください(本人のIDは使わないでください)。</li></ul>");
}

int p_login_form(struct req *r)
{
    struct buf h;
    page_start(r, &h, "ログイン");
    login_form(r, &h, NULL, "");
    return page_send(r, &h, 200);
}

int p_login(struct req *r)
{
    if (!login_token_ok(r))
        return page_error(r, 403, "ログイン画面を開き直してください",
                          "ログイン画面を表示してから時間がたったか、ほかのページから送られたため、受け付けられません。"
                          "ログイン画面を開き直して、もう一度入力してください。");
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    const char *login = form_str(r, "login"), *pw = form_str(r, "password"), *totp = form_str(r, "totp");
    char addr[INET_ADDRSTRLEN];
    unsigned char sid[SESSION_ID_BYTES];
    struct account a;
    enum login_result lr = LOGIN_FAILED;
    if (*login && *pw && strlen(login) < LOGIN_BYTES && strlen(pw) <= PASSWORD_MAX_BYTES && strlen(totp) < 16)
        lr = auth_login(st, login, pw, totp, client_address(r, addr),
                        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Cookie"), clock_now_ms(), sid, &a);
    const char *error = NULL;
    unsigned status = 200;
    switch (lr) {
    case LOGIN_OK:
        set_session_cookie(r, sid);
        sodium_memzero(sid, sizeof sid);
        sodium_memzero(&a, sizeof a);
        return page_redirect(r, "/");
    case LOGIN_THROTTLED:
        status = 429;
        error = "ログインの失敗が続いたため、しばらくの間ログインを受け付けません。15分ほど時間をおいてから、もう一度お試しください。";
        break;
    case LOGIN_REPLAY:
        status = 401;
        error = "この確認コードはすでに使われました。認証アプリに次のコードが出てから入力してください(30秒ごとに変わります)。";
        break;
    case LOGIN_FAILED:
        status = 401;
        error = "ログインID、パスワード、確認コードのいずれかが正しくありません。確かめて、もう一度入力してください。";
        break;
    case LOGIN_ERROR: /* the attempt cannot be recorded (a full disk): closed, said so, and the
                       * form kept so that the person can try again from the same page */
        status = 503;
        error = "ただいまログインを記録できないため、受け付けられません。入力に誤りがあったわけではありません。時間をおいてもう一度お試しください。";
        break;
    }
    struct buf h;
    page_start(r, &h, "ログイン");
    char keep[LOGIN_BYTES];
    str_cut(keep, sizeof keep, strlen(login) < LOGIN_BYTES ? login : "");
    login_form(r, &h, error, keep);
    return page_send(r, &h, status);
}

int p_logout(struct req *r)
{
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    if (auth_logout(st, &r->who, clock_now_ms()))
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    snprintf(r->set_cookie, sizeof r->set_cookie, "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
             SESSION_COOKIE);
    return page_redirect(r, "/login?out=1");
}

/* p_text_size - 文字サイズ: a cookie that is not personal, then back to the page. */
int p_text_size(struct req *r)
{
    bool large = r->params[0].len == 5 && memcmp(r->params[0].ptr, "large", 5) == 0;
    const char *back = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "back");
    /* only a path of this site: "/" then letters, digits and "/_-." — no "//", no control bytes
     * (a browser drops tabs and newlines from a Location, turning "/\t/host" into "//host") */
    if (!back || back[0] != '/' || back[1] == '/' || strlen(back) > 200 ||
        strspn(back, "/_-.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(back) ||
        strstr(back, "//"))
        back = "/";
    snprintf(r->set_cookie, sizeof r->set_cookie, "kaigo_size=%s; Path=/; Max-Age=31536000; SameSite=Strict",
             large ? "large" : "standard");
    return page_redirect(r, back);
}

/* ---- the home page ------------------------------------------------------------------- */

struct proxy_list {
    struct buf *h;
    int n;
};

static int proxy_item(void *ctx, const struct proxy_for *p)
{
    struct proxy_list *l = ctx;
    struct buf *h = l->h;
    if (l->n++ == 0)
        html_raw(h, "<ul class=\"menu\">");
    html_raw(h, "<li><a href=\"/p/");
    html_text(h, p->person.insurer_no);
    html_raw(h, "/");
    html_text(h, p->person.insured_no);
    html_raw(h, "\">");
    if (p->label[0]) {
        html_text(h, p->label);
        html_raw(h, " さんの情報<span>");
    } else {
        html_textf(h, "被保険者番号 %s の方の情報", p->person.insured_no);
        html_raw(h, "<span>");
    }
    html_text(h, proxy_kind_name(p->kind));
    html_raw(h, "として・見られる範囲: ");
    bool first = true;
    for (int c = CAT_NONE + 1; c < CAT_COUNT; c++)
        if (p->cats & CAT_BIT(c)) {
            if (!first)
                html_raw(h, "、");
            html_text(h, category_name((enum category)c));
            first = false;
        }
    html_raw(h, "</span></a></li>");
    return 0;
}

static const struct {
    const char *path, *label, *desc;
} home_menu[] = {
    {"/card", "わたしの介護保険証", "被保険者証・負担割合証・負担限度額認定証"},
    {"/certification", "認定の状況", "申請の進み具合と決定の期限、認定の結果"},
    {"/care", "担当のケアマネジャー・事業所", "本人確認をして登録された事業所と届出日"},
    {"/plan", "今月のケアプラン", "利用する予定のサービス(第6表)"},
    {"/life", "LIFE のフィードバック", "事業所が評価した状態の移り変わり"},
    {"/ledger", "住宅改修・福祉用具", "使った額と残り"},
    {"/access", "だれが見たか", "あなたの情報を見た記録と、断られた照会"},
    {"/consents", "同意の確認と撤回", "事業所ごと・情報の種類ごとに"},
};

static void home_menu_html(struct req *r, struct buf *h)
{
    char base[48];
    page_base(r, base);
    html_raw(h, "<ul class=\"menu\">");
    for (size_t i = 0; i < ARRAY_LEN(home_menu); i++) {
        html_raw(h, "<li><a href=\"");
        html_text(h, base);
        html_text(h, home_menu[i].path);
        html_raw(h, "\">");
        html_text(h, home_menu[i].label);
        html_raw(h, "<span>");
        html_text(h, home_menu[i].desc);
        html_raw(h, "</span></a></li>");
    }
    if (r->route->audience == AUD_SELF)
        html_raw(h, "<li><a href=\"/me/proxies\">代理人(ご家族)<span>代理人の登録と取消し</span></a></li>"
                    "<li><a href=\"/me/code\">本人確認コード<span>事業所と契約するときに伝える番号</span></a></li>");
    html_raw(h, "</ul>");
}

/* p_home - /me: the person's menu, and the persons this account acts for (a family
 * member's account may have no person of its own). /p/…: the menu for one person. */
int p_home(struct req *r)
{
    struct buf h;
    if (r->route->audience == AUD_PERSON) {
        struct person_key k;
        if (target(r, &k))
            return 0;
        page_start(r, &h, "代理人としてのメニュー");
        html_raw(&h, "<h1>代理人としてのメニュー</h1><p class=\"lead\">");
        html_textf(&h, "被保険者番号 %s(保険者番号 %s)の方の代理人として見ています。", k.insured_no, k.insurer_no);
        html_raw(&h, "登録された範囲の情報だけが表示されます。見た記録はご本人も確認できます。</p>");
        home_menu_html(r, &h);
        return page_send(r, &h, 200);
    }
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    page_start(r, &h, "ホーム");
    html_raw(&h, "<h1>");
    html_text(&h, r->who.acct.display_name);
    html_raw(&h, " さんのページ</h1>");
    if (r->who.acct.person.insurer_no[0]) {
        html_raw(&h, "<p class=\"lead\">ご自身の介護保険の情報と、その情報をだれが見たかを確認できます。</p>");
        home_menu_html(r, &h);
    }
    html_raw(&h, "<h2>代理人として見ている方</h2>");
    /* The one read outside the disclosure pipeline, on purpose: the account's own proxy
     * registrations — the 被保険者番号 and the name label the person chose to show this
     * proxy when issuing the code — not the person's records (docs/ui.md, "Security"). */
    struct proxy_list l = {&h, 0};
    if (st->acc->account_proxies(st, r->who.acct.id, clock_now_ms(), proxy_item, &l)) {
        buf_release(&h);
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    }
    if (l.n)
        html_raw(&h, "</ul>");
    else
        html_raw(&h, "<p>代理人として登録されている方はいません。</p>");
    html_raw(&h, "<p><a href=\"/proxy/accept\">ご本人から受け取った代理人コードを入力する</a></p>");
    return page_send(r, &h, 200);
}

/* ---- a family member accepts a proxy code ------------------------------------------ */

static void accept_form(struct req *r, struct buf *h, const char *error)
{
    html_raw(h, "<h1>代理人コードの入力</h1><p>ご本人が「代理人」の画面で発行したコードを入力すると、"
                "ご本人が選んだ範囲の情報をあなたのIDで見られるようになります。コードは1回だけ使え、7日で無効になります。</p>");
    if (error) {
        html_raw(h, "<div class=\"alert error\" role=\"alert\"><p>");
        html_text(h, error);
        html_raw(h, "</p></div>");
    }
    html_raw(h, "<form class=\"stack\" method=\"post\" action=\"/proxy/accept\">");
    page_csrf_field(r, h);
    html_raw(h, "<div><label for=\"code\">代理人コード</label><span class=\"hint\" id=\"code-hint\">"
                "例: ABCD-EFGH-JKLM(ハイフンはなくてもかまいません)</span>"
                "<input type=\"text\" id=\"code\" name=\"code\" autocomplete=\"off\" aria-describedby=\"code-hint\"></div>"
                "<div><button type=\"submit\">登録する</button></div></form>");
}

int p_proxy_accept_form(struct req *r)
{
    struct buf h;
    page_start(r, &h, "代理人コードの入力");
    accept_form(r, &h, NULL);
    return page_send(r, &h, 200);
}

void proxy_code_hash(const char *code, unsigned char out[32])
{
    char norm[64];
    size_t n = 0;
    for (const char *p = code; *p && n + 1 < sizeof norm; p++) {
        char c = *p;
        if (c == '-' || c == ' ')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        norm[n++] = c;
    }
    norm[n] = '\0';
    crypto_hash_sha256(out, (const unsigned char *)norm, n);
    sodium_memzero(norm, sizeof norm);
}

int p_proxy_accept(struct req *r)
{
    if (r->who.acct.staff)
        return http_error(r, 403, "forbidden", "代理人の登録は、本人・家族用のIDで行ってください");
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    char addr[INET_ADDRSTRLEN], key[40];
    int64_t now = clock_now_ms();
    snprintf(key, sizeof key, "invite:%lld", (long long)r->who.acct.id);
    struct buf h;
    int th = auth_throttled(st, key, client_address(r, addr), now);
    if (th < 0)
        return http_error(r, 503, "unavailable", "ただいま記録できないため、受け付けられません");
    if (th) {
        page_start(r, &h, "代理人コードの入力");
        accept_form(r, &h, "入力の誤りが続いたため、しばらく受け付けません。15分ほどおいてからお試しください。");
        return page_send(r, &h, 429);
    }
    unsigned char hash[32];
    proxy_code_hash(form_str(r, "code"), hash);
    char by[ACTOR_ID_BYTES];
    snprintf(by, sizeof by, "user:%lld", (long long)r->who.acct.id);
    struct proxy_for p;
    if (st->ops->begin(st))
        return http_error(r, 503, "unavailable", "データベースが混み合っています");
    int rc = st->acc->proxy_invite_redeem(st, hash, r->who.acct.id, now, by, &p);
    if (rc == 0 && st->ops->commit(st) != 0)
        rc = -1; /* a failed commit is not a wrong code */
    if (rc == 0) {
        char to[64];
        snprintf(to, sizeof to, "/p/%s/%s", p.person.insurer_no, p.person.insured_no);
        return page_redirect(r, to);
    }
    st->ops->rollback(st);
    if (rc < 0)
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    if (auth_note_failure(st, key, addr, now))
        return http_error(r, 503, "unavailable", "ただいま記録できないため、受け付けられません");
    page_start(r, &h, "代理人コードの入力");
    accept_form(r, &h, "コードが正しくないか、使用済みか、有効期限(7日)が過ぎています。ご本人に新しいコードを発行してもらってください。");
    return page_send(r, &h, 422);
}
