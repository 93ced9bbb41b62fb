/*
 * page.c - the page shell, forms, CSRF, redirects, error pages, the disclosure
 * hand-off and formatting for people; see page.h and docs/ui.md.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/text.h"
#include "domain/auth.h"
#include "domain/wareki.h"
#include "http/assets.h"
#include "http/page.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* ---- process secrets: the CSRF key and the assets' version ------------------------ */

static unsigned char csrf_key[crypto_generichash_KEYBYTES];
static char asset_ver[17];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_once(void)
{
    randombytes_buf(csrf_key, sizeof csrf_key);
    crypto_generichash_state s;
    unsigned char h[8];
    crypto_generichash_init(&s, NULL, 0, sizeof h);
    for (unsigned i = 0; i < assets_len; i++)
        crypto_generichash_update(&s, assets[i].bytes, assets[i].len);
    crypto_generichash_final(&s, h, sizeof h);
    sodium_bin2hex(asset_ver, sizeof asset_ver, h, sizeof h);
}

const char *asset_version(void)
{
    pthread_once(&once, init_once);
    return asset_ver;
}

/* csrf_of - the session's token: a keyed hash of the session (never the session id itself). */
static void csrf_of(const struct req *r, char out[33])
{
    pthread_once(&once, init_once);
    unsigned char h[16];
    crypto_generichash(h, sizeof h, r->who.sess_hash, sizeof r->who.sess_hash, csrf_key, sizeof csrf_key);
    sodium_bin2hex(out, 33, h, sizeof h);
}

void page_alerts(struct buf *h, const char *notice, const char *error)
{
    if (notice) {
        html_raw(h, "<div class=\"alert ok\" role=\"status\"><p>");
        html_text(h, notice);
        html_raw(h, "</p></div>");
    }
    if (error) {
        html_raw(h, "<div class=\"alert error\" role=\"alert\"><p>");
        html_text(h, error);
        html_raw(h, "</p></div>");
    }
}

void page_csrf_field(struct req *r, struct buf *h)
{
    char tok[33];
    csrf_of(r, tok);
    html_raw(h, "<input type=\"hidden\" name=\"csrf\" value=\"");
    html_raw(h, tok);
    html_raw(h, "\">");
}

bool same_origin(struct req *r)
{
    const char *site = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Sec-Fetch-Site");
    const char *origin = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Origin");
    const char *host = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Host");
    bool ok = !site || strcmp(site, "same-origin") == 0 || strcmp(site, "none") == 0;
    /* "null": Referrer-Policy no-referrer makes a browser send it for its own form posts */
    if (ok && origin && strcmp(origin, "null") != 0) {
        char want[300];
        snprintf(want, sizeof want, "%s://%s", srv_config->secure_cookies ? "https" : "http", host ? host : "");
        ok = strcmp(origin, want) == 0;
    }
    return ok;
}

bool page_post_ok(struct req *r)
{
    bool ok = same_origin(r);
    if (ok && r->route->csrf) {
        char tok[33];
        const char *got = form_str(r, "csrf");
        csrf_of(r, tok);
        ok = r->who.kind == P_SESSION && strlen(got) == 32 && sodium_memcmp(got, tok, 32) == 0;
    }
    if (!ok)
        page_error(r, 403, "操作を受け付けられません",
                   "この画面からの操作として確認できませんでした。画面を開き直してから、もう一度操作してください。");
    return ok;
}

/* ---- the login form's own token (no session yet) --------------------------------------------- */

/* A login form carries a random value that is also in a cookie only this site can set and
 * that is sent only to /login (SameSite=Strict): a page elsewhere cannot post a login (login
 * CSRF) even in a browser without Sec-Fetch-Site, where Origin is "null" under no-referrer. */
void login_token_field(struct req *r, struct buf *h)
{
    unsigned char raw[16];
    char hex[33];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    snprintf(r->set_cookie, sizeof r->set_cookie, "%s=%s; Path=/login; HttpOnly; SameSite=Strict%s", LOGIN_COOKIE,
             hex, srv_config->secure_cookies ? "; Secure" : "");
    html_raw(h, "<input type=\"hidden\" name=\"lt\" value=\"");
    html_raw(h, hex);
    html_raw(h, "\">");
}

bool login_token_ok(struct req *r)
{
    const char *c = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, LOGIN_COOKIE);
    const char *f = form_str(r, "lt");
    return c && strlen(c) == 32 && strlen(f) == 32 && sodium_memcmp(c, f, 32) == 0;
}

/* ---- forms ------------------------------------------------------------------------ */

static enum MHD_Result form_iter(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                                 const char *content_type, const char *transfer_encoding, const char *data,
                                 uint64_t off, size_t size)
{
    (void)kind;
    (void)content_type;
    (void)transfer_encoding;
    struct form *f = cls;
    struct form_field *x = f->n ? &f->f[f->n - 1] : NULL;
    if (!x || off == 0 || strcmp(x->name, key) != 0) {
        if (f->n == f->max || strlen(key) >= FORM_NAME_MAX) {
            f->bad = true;
            return MHD_NO;
        }
        if (f->n == f->cap) {
            f->cap = f->cap ? f->cap * 2 : 16;
            f->f = xrealloc(f->f, f->cap * sizeof *f->f);
        }
        x = &f->f[f->n++];
        memset(x, 0, sizeof *x);
        str_cut(x->name, sizeof x->name, key);
        x->file = filename != NULL;
        str_cut(x->filename, sizeof x->filename, filename ? filename : "");
        buf_init(&x->value, x->file ? FORM_FILE_MAX : FORM_VALUE_MAX);
    }
    buf_add(&x->value, data, size);
    if (buf_failed(&x->value)) {
        f->bad = true;
        return MHD_NO;
    }
    return MHD_YES;
}

int form_read(struct req *r)
{
    struct form *f = r->form = xcalloc(1, sizeof *f);
    f->max = r->route && r->route->max_body > FORM_LARGE_BODY ? FORM_MAX_FIELDS_LARGE : FORM_MAX_FIELDS;
    if (r->body.len == 0)
        return 0;
    struct MHD_PostProcessor *pp = MHD_create_post_processor(r->conn, 4096, form_iter, f);
    if (!pp) {
        page_error(r, 400, "送信内容を読めません", "フォームの形式が正しくありません。画面を開き直してください。");
        return -1;
    }
    enum MHD_Result rc = MHD_post_process(pp, r->body.ptr, r->body.len);
    MHD_destroy_post_processor(pp);
    for (size_t i = 0; i < f->n && !f->bad; i++) {
        struct form_field *x = &f->f[i];
        buf_addc(&x->value, '\0'); /* a value at its limit has no room left: too long */
        if (buf_failed(&x->value)) {
            f->bad = true;
            break;
        }
        x->value.len--;
        if (!x->file && (memchr(x->value.ptr, '\0', x->value.len) || !utf8_valid(x->value.ptr, x->value.len, NULL)))
            f->bad = true;
    }
    if (rc != MHD_YES || f->bad) {
        page_error(r, 400, "送信内容を読めません",
                   "入力が長すぎるか、使えない文字が含まれています。内容を確かめて、もう一度送ってください。");
        return -1;
    }
    return 0;
}

const struct form_field *form_get(struct req *r, const char *name)
{
    for (size_t i = 0; r->form && i < r->form->n; i++)
        if (strcmp(r->form->f[i].name, name) == 0)
            return &r->form->f[i];
    return NULL;
}

const char *form_str(struct req *r, const char *name)
{
    const struct form_field *x = form_get(r, name);
    return x && !x->file && x->value.ptr ? x->value.ptr : "";
}

void form_free(struct form *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++) {
        if (f->f[i].value.ptr)
            sodium_memzero(f->f[i].value.ptr, f->f[i].value.cap);
        buf_release(&f->f[i].value);
    }
    free(f->f);
    free(f);
}

/* ---- formatting for people ---------------------------------------------------------- */

void h_date(struct buf *h, const char *iso)
{
    struct date d;
    const char *why;
    if (!iso || !*iso || date_parse_any(iso, strlen(iso), &d, &why)) {
        html_raw(h, "―");
        return;
    }
    char w[64];
    struct buf wb;
    buf_init_fixed(&wb, w, sizeof w);
    if (wareki_format(d, WAREKI_LONG, &wb) == 0 && !buf_failed(&wb)) {
        /* a date never breaks inside itself (CSS .date: nowrap) */
        html_raw(h, "<span class=\"date\">");
        html_text(h, wb.ptr);
        html_textf(h, "(%d年)", d.y);
        html_raw(h, "</span>");
    } else
        html_text(h, iso);
}

void h_date_ms(struct buf *h, int64_t ms, bool with_time)
{
    struct date d = date_of_jst_ms(ms);
    char iso[11];
    date_iso(d, iso);
    h_date(h, iso);
    if (with_time) {
        time_t t = (time_t)(ms / 1000) + 9 * 3600;
        struct tm tm;
        gmtime_r(&t, &tm);
        html_textf(h, " %02d:%02d", tm.tm_hour, tm.tm_min);
    }
}

void h_time_iso(struct buf *h, const char *t)
{
    char d[11] = "";
    if (t && strlen(t) >= 16 && t[10] == 'T') {
        snprintf(d, sizeof d, "%.10s", t);
        h_date(h, d);
        html_textf(h, " %.5s", t + 11);
    } else
        html_raw(h, "―");
}

void h_num(struct buf *h, long long v)
{
    char s[32];
    group_thousands(v, s, sizeof s);
    html_text(h, s);
}

void h_jstr(struct buf *h, json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (s && *s)
        html_text(h, s);
    else
        html_raw(h, "―");
}

/* ---- the shell ----------------------------------------------------------------------- */

void page_base(struct req *r, char out[48])
{
    if (r->route && r->route->audience == AUD_PERSON)
        snprintf(out, 48, "/p/%.*s/%.*s", (int)r->params[0].len, r->params[0].ptr, (int)r->params[1].len,
                 r->params[1].ptr);
    else
        snprintf(out, 48, "/me");
}

static bool text_large(struct req *r)
{
    const char *c = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "kaigo_size");
    return c && strcmp(c, "large") == 0;
}

struct nav_item {
    const char *path; /* after the base */
    const char *label;
};
static const struct nav_item person_nav[] = {
    {"", "ホーム"},
    {"/card", "介護保険証"},
    {"/certification", "認定の状況"},
    {"/care", "担当の事業所"},
    {"/plan", "ケアプラン"},
    {"/life", "LIFE"},
    {"/ledger", "住宅改修・福祉用具"},
    {"/access", "だれが見たか"},
    {"/consents", "同意"},
};

/* the person's pages an office sees (a link only where its role's matrix cell is not 「—」) */
static const struct staff_nav {
    const char *path, *label;
    enum category cat;
} staff_person_nav[] = {
    {"/card", "介護保険証", CAT_SHIKAKU},    {"/chosa", "認定調査票", CAT_CHOSA},
    {"/ikensho", "主治医意見書", CAT_IKENSHO}, {"/plan", "ケアプラン", CAT_CAREPLAN},
    {"/life", "LIFE", CAT_LIFE},             {"/ledger", "住宅改修・福祉用具", CAT_JUTAKU},
};

static void nav_link(struct req *r, struct buf *h, const char *href, const char *label);
/* the municipal clerk's pages (ROLE_INSURER) */
static const struct nav_item city_nav[] = {
    {"/city/people", "被保険者の検索"},
    {"/city/cert", "認定の進捗"},
    {"/city/print", "印刷"},
    {"/city/reviews", "事後確認"},
    {"/city/audit", "監査ログ"},
    {"/city/stats", "集計"},
};

/* staff_person_menu - on an office's view of one person (/p/…): that person's pages and, for a care
 * manager, the 第6表 editor */
static void staff_person_menu(struct req *r, struct buf *h, const struct actor *a)
{
    if (!r->route || r->route->audience != AUD_PERSON ||
        (strncmp(r->route->pattern, "/p/", 3) && strncmp(r->route->pattern, "/office/plan/", 13) &&
         strncmp(r->route->pattern, "/city/", 6)) || r->params[0].len > 6 ||
        r->params[1].len > 10)
        return;
    char base[48], href[96];
    snprintf(base, sizeof base, "/p/%.*s/%.*s", (int)r->params[0].len, r->params[0].ptr, (int)r->params[1].len,
             r->params[1].ptr);
    html_raw(h, "<nav class=\"main person\" aria-label=\"この方の情報\"><ul>");
    for (size_t i = 0; i < ARRAY_LEN(staff_person_nav); i++)
        if (a->role < ROLE_COUNT && access_matrix[a->role].cell[staff_person_nav[i].cat] != RULE_DENY) {
            snprintf(href, sizeof href, "%s%s", base, staff_person_nav[i].path);
            nav_link(r, h, href, staff_person_nav[i].label);
        }
    if (a->role == ROLE_INSURER) { /* the clerk: 認定 (its steps) and the record's versions */
        snprintf(href, sizeof href, "%s/certification", base);
        nav_link(r, h, href, "認定");
        snprintf(href, sizeof href, "%s/history", base);
        nav_link(r, h, href, "記録の履歴・資格の異動");
    }
    if (a->role == ROLE_CAREMGR || a->role == ROLE_HOUKATSU) {
        snprintf(href, sizeof href, "/office/plan/%.*s/%.*s", (int)r->params[0].len, r->params[0].ptr,
                 (int)r->params[1].len, r->params[1].ptr);
        nav_link(r, h, href, "第6表の作成");
    }
    html_raw(h, "</ul></nav>");
}

static void nav_link(struct req *r, struct buf *h, const char *href, const char *label)
{
    html_raw(h, "<li><a href=\"");
    html_text(h, href);
    html_raw(h, "\"");
    if (strcmp(href, r->path) == 0)
        html_raw(h, " aria-current=\"page\"");
    html_raw(h, ">");
    html_text(h, label);
    html_raw(h, "</a></li>");
}

void page_start(struct req *r, struct buf *h, const char *title)
{
    buf_init(h, 4u << 20);
    html_raw(h, "<!doctype html>\n<html lang=\"ja\"");
    if (text_large(r))
        html_raw(h, " class=\"size-large\"");
    html_raw(h, "><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, "
                "initial-scale=1\"><title>");
    html_text(h, title);
    html_raw(h, " | kaigo 介護情報</title><link rel=\"stylesheet\" href=\"/assets/kaigo.css?v=");
    html_raw(h, asset_version());
    html_raw(h, "\"><script src=\"/assets/kaigo.js?v=");
    html_raw(h, asset_version());
    html_raw(h, "\" defer></script></head><body><a class=\"skip\" href=\"#main\">本文へ移動</a>"
                "<header class=\"site\"><div class=\"wrap\"><div class=\"bar\">"
                "<a class=\"brand\" href=\"/\">kaigo 介護情報</a><div class=\"tools\">");
    /* 文字サイズ: a link per size (works without script; the cookie is not personal) */
    char back[200];
    struct buf bb;
    buf_init_fixed(&bb, back, sizeof back);
    html_url_component(&bb, r->method && strcmp(r->method, "GET") == 0 ? r->path : "/");
    bool large = text_large(r);
    html_raw(h, "<span>文字サイズ: ");
    html_raw(h, large ? "<a href=\"/text-size/standard?back=" : "<strong>標準</strong>");
    if (large) {
        html_raw(h, buf_failed(&bb) ? "%2F" : back);
        html_raw(h, "\">標準</a>");
    }
    html_raw(h, " ");
    html_raw(h, large ? "<strong>大</strong>" : "<a href=\"/text-size/large?back=");
    if (!large) {
        html_raw(h, buf_failed(&bb) ? "%2F" : back);
        html_raw(h, "\">大</a>");
    }
    html_raw(h, "</span>");
    if (r->who.kind == P_SESSION) {
        html_raw(h, "<p class=\"who\">");
        html_text(h, r->who.acct.display_name);
        if (r->who.acct.staff) {
            html_raw(h, "(");
            html_text(h, r->who.org.name);
            html_raw(h, ")");
        } else
            html_raw(h, " さん");
        html_raw(h, "</p><form method=\"post\" action=\"/logout\">");
        page_csrf_field(r, h);
        html_raw(h, "<button type=\"submit\" class=\"secondary\">ログアウト</button></form>");
    }
    html_raw(h, "</div></div>");
    if (r->who.kind == P_SESSION) {
        html_raw(h, "<nav class=\"main\" aria-label=\"メニュー\"><ul>");
        if (r->who.acct.staff) {
            struct actor a;
            principal_actor(&r->who, NULL, &a);
            if (provider_role(a.role))
                nav_link(r, h, "/office/people", "利用者一覧");
            if (a.role == ROLE_CAREMGR)
                nav_link(r, h, "/office/caseload", "取扱件数");
            if (provider_role(a.role))
                nav_link(r, h, "/office/inbox", "受信一覧");
            if (a.role == ROLE_CLINICIAN)
                nav_link(r, h, "/clinic/requests", "意見書作成依頼");
            for (size_t i = 0; a.role == ROLE_INSURER && i < ARRAY_LEN(city_nav); i++)
                nav_link(r, h, city_nav[i].path, city_nav[i].label);
            nav_link(r, h, "/office", "資格確認");
            html_raw(h, "</ul></nav>");
            staff_person_menu(r, h, &a);
        }
        else if (r->route && (r->route->audience == AUD_PERSON ||
                              (r->route->audience == AUD_SELF && r->who.acct.person.insurer_no[0]))) {
            char base[48], href[96];
            page_base(r, base);
            for (size_t i = 0; i < ARRAY_LEN(person_nav); i++) {
                snprintf(href, sizeof href, "%s%s", base, person_nav[i].path);
                nav_link(r, h, href, person_nav[i].label);
            }
            if (r->route->audience == AUD_SELF)
                nav_link(r, h, "/me/proxies", "代理人");
            else
                nav_link(r, h, "/", "代理人のホーム");
        } else
            nav_link(r, h, "/", "ホーム");
        if (!r->who.acct.staff)
            html_raw(h, "</ul></nav>");
    }
    html_raw(h, "</div></header><main id=\"main\" class=\"wrap\" tabindex=\"-1\">");
}

int page_send(struct req *r, struct buf *h, unsigned status)
{
    html_raw(h, "</main><footer class=\"site\"><div class=\"wrap\">");
    if (r->who.kind == P_SESSION) {
        int mins = (int)(SESSION_IDLE_MS / 60000);
        html_raw(h, "<p id=\"session-note\" data-idle-ms=\"");
        html_textf(h, "%lld", (long long)SESSION_IDLE_MS);
        html_raw(h, "\">");
        html_textf(h, "操作がないまま%d分たつと、安全のため自動的にログアウトします。", mins);
        html_raw(h, "</p><div id=\"session-warning\" class=\"alert warn\" role=\"alert\" hidden>"
                    "<p>まもなく自動的にログアウトします。続けて使う場合は「ログインを続ける」を押してください。</p>"
                    "<button type=\"button\" id=\"session-keep\" class=\"secondary\">ログインを続ける</button></div>");
    }
    html_raw(h, "<p>kaigo 介護情報基盤(オープンソース)。あなたの情報を見た記録は「だれが見たか」でいつでも確認できます。</p>"
                "</div></footer></body></html>\n");
    if (buf_failed(h)) {
        buf_release(h);
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    }
    size_t len;
    char *body = buf_detach(h, &len);
    return respond_raw(r, status, "text/html; charset=utf-8", body, len, NULL, NULL);
}

int page_error(struct req *r, unsigned status, const char *title, const char *message)
{
    struct buf h;
    page_start(r, &h, title);
    html_raw(&h, "<h1>");
    html_text(&h, title);
    html_raw(&h, "</h1><div class=\"alert error\" role=\"alert\"><p>");
    html_text(&h, message);
    html_raw(&h, "</p></div><p><a href=\"/\">ホームへ戻る</a></p><p class=\"note\">受付番号: ");
    html_text(&h, r->request_id);
    html_raw(&h, "(問い合わせの際にお伝えください)</p>");
    return page_send(r, &h, status);
}

int page_redirect(struct req *r, const char *location)
{
    char *body = xstrdup("");
    return respond_raw(r, 303, "text/html; charset=utf-8", body, 0, "Location", location);
}

/* ---- the disclosure hand-off --------------------------------------------------------- */

int page_disclose(struct req *r, enum disclose_what what, page_render_fn *render)
{
    if (r->waiting)
        return 0;
    r->render = render;
    switch (what) {
    case WHAT_CARD:
        return d_card(r);
    case WHAT_ACCESS_LOG:
        return d_access_log(r);
    case WHAT_GRANTS:
        return d_grants(r);
    case WHAT_DOCS:
        return d_docs(r);
    case WHAT_HISTORY:
        return d_history(r);
    default:
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    }
}

void page_disclosed(struct req *r)
{
    switch (r->dstatus) {
    case DISCLOSE_OK: {
        size_t len = 0;
        char *body = disclosure_body(r, &len);
        json_t *data = body ? json_loadb(body, len, 0, NULL) : NULL;
        if (body) {
            sodium_memzero(body, len);
            free(body);
        }
        if (!data || !r->render) {
            json_decref(data);
            page_error(r, 500, "エラーが発生しました", "内部エラーが発生しました。時間をおいてもう一度お試しください。");
            return;
        }
        struct buf h;
        r->render(r, &h, data);
        json_decref(data);
        return;
    }
    case DISCLOSE_DENIED:
    case DISCLOSE_NOT_FOUND:
        if (r->dstatus == DISCLOSE_DENIED && r->disc->decision.consent_missing) {
            page_error(r, 403, "本人の同意がありません",
                       "担当事業所として登録済みですが、この情報について本人の同意がありません。"
                       "本人に同意をお願いしてください(本人は「同意」の画面で、または市町村の窓口で同意できます)。");
            return;
        }
        /* the same answer for a person who does not exist and a refusal (no oracle) */
        page_error(r, 404, "表示できる情報がありません",
                   "該当する情報が見つからないか、この情報を見る権限がありません。"
                   "事業所の方は、本人確認をして担当事業所として登録し、本人の同意を得てから確認してください。"
                   "この照会は記録され、本人が確認できます。");
        return;
    case DISCLOSE_AUDIT_FAILED:
        page_error(r, 503, "ただいま表示できません",
                   "アクセス記録を保存できないため、情報を表示できません。時間をおいてもう一度お試しください。");
        return;
    default:
        page_error(r, 500, "エラーが発生しました", "内部エラーが発生しました。時間をおいてもう一度お試しください。");
    }
}

/* ---- assets and the session ping ---------------------------------------------------- */

int h_asset(struct req *r)
{
    for (unsigned i = 0; i < assets_len; i++)
        if (strcmp(assets[i].path, r->path) == 0) {
            struct MHD_Response *resp = MHD_create_response_from_buffer(
                assets[i].len, (void *)assets[i].bytes, MHD_RESPMEM_PERSISTENT);
            MHD_add_response_header(resp, "Content-Type", assets[i].ctype);
            MHD_add_response_header(resp, "Cache-Control", "public, max-age=86400");
            MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
            MHD_add_response_header(resp, "X-Request-Id", r->request_id);
            enum MHD_Result rc = MHD_queue_response(r->conn, 200, resp);
            MHD_destroy_response(resp);
            r->status = 200;
            r->responded = true;
            return rc == MHD_YES ? 0 : -1;
        }
    return http_error(r, 404, "no_route", "そのURLはありません");
}

int h_session_ping(struct req *r)
{
    return respond_json(r, 200, json_pack("{s:s}", "status", "active"));
}
