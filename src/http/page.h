/*
 * page.h - the web pages' shared half: the page shell (header, menu, footer with the
 * session's idle expiry), forms (urlencoded and multipart, parsed by libmicrohttpd's
 * post processor with named limits), CSRF, redirects, error pages, and the hand-off
 * from a disclosure to a page renderer. See docs/ui.md.
 *
 * SECURITY: every personal value shown on a page comes from a disclosure that went
 * through service/disclose.c (page_disclose), exactly like the JSON API: the renderer
 * receives the same JSON the API would have sent, only after the audit entry is
 * durable. Text is escaped (util/html.h). Pages are no-store and carry the CSP.
 * Ownership: r->form is owned by the request (freed in on_completed).
 */
#ifndef KAIGO_HTTP_PAGE_H
#define KAIGO_HTTP_PAGE_H

#include "http/internal.h"
#include "util/html.h"
#include "service/certstore.h"

#define FORM_MAX_FIELDS 24
/* a form with a body limit above FORM_LARGE_BODY (the 第6表 editor: a checkbox a planned day) may
 * carry up to FORM_MAX_FIELDS_LARGE fields */
#define FORM_LARGE_BODY (16u << 10)
#define FORM_MAX_FIELDS_LARGE 4096
#define FORM_NAME_MAX 32
#define FORM_VALUE_MAX 2048       /* a text field */
#define FORM_FILE_MAX (8u << 20)  /* an uploaded photo or PDF (the route's body limit caps it too) */

struct form_field {
    char name[FORM_NAME_MAX];
    char filename[128];
    struct buf value; /* NUL-terminated; text fields are valid UTF-8 without NUL */
    bool file;
};
struct form {
    size_t n, cap, max;
    struct form_field *f; /* grown as fields arrive, at most max */
    bool bad;
};

/* form_read - r->body into r->form. -1 after answering 400 (unreadable, too many or
 * too long fields, invalid UTF-8 or a NUL in a text field). */
int form_read(struct req *r);
/* form_str - a text field, "" when absent. */
const char *form_str(struct req *r, const char *name);
const struct form_field *form_get(struct req *r, const char *name);
void form_free(struct form *f);

typedef void page_render_fn(struct req *r, struct buf *h, json_t *data);

/* page_start / page_send - the shell around a page's content; page_send answers. */
void page_start(struct req *r, struct buf *h, const char *title);
int page_send(struct req *r, struct buf *h, unsigned status);
int page_error(struct req *r, unsigned status, const char *title, const char *message);
int page_redirect(struct req *r, const char *location);
/* page_alerts - a page's outcome: notice as a status (ok), error as an alert; either may be NULL */
void page_alerts(struct buf *h, const char *notice, const char *error);
/* page_csrf_field - the hidden CSRF input of a form posted by this session. */
void page_csrf_field(struct req *r, struct buf *h);
/* same_origin - Sec-Fetch-Site and Origin (when present) say this site; does not answer. */
bool same_origin(struct req *r);
/* the login form's token (page.c): a field, a cookie sent only to /login, and the check */
#define LOGIN_COOKIE "kaigo_login"
void login_token_field(struct req *r, struct buf *h);
bool login_token_ok(struct req *r);
/* page_post_ok - a page POST is same-origin (Origin / Sec-Fetch-Site) and, when the
 * route asks for it, carries this session's CSRF token. false after answering 403. */
bool page_post_ok(struct req *r);

/* page_disclose - a page of personal data: the disclosure of the route's category
 * about target(r), rendered by render once the audit entry is durable. */
int page_disclose(struct req *r, enum disclose_what what, page_render_fn *render);
/* page_disclosed - called from disclosure_respond for page routes. */
void page_disclosed(struct req *r);

/* the base of the person pages: "/me" for the person, "/p/INS/NO" for a proxy */
void page_base(struct req *r, char out[48]);

/* page_sheet7 - the 第7表 section (id "sheet7") from `kaigo sheet7`'s result JSON, or its
 * {"error"}; "sent"/"differences" when it is compared with a sent one (page_person.c) */
void page_sheet7(struct buf *h, json_t *s7);

/* formatting for people: 令和8年12月2日(2026年), 16,765, level names */
void h_date(struct buf *h, const char *iso);
void h_date_ms(struct buf *h, int64_t ms, bool with_time);
void h_num(struct buf *h, long long v);
/* h_time_iso - "2026-12-02T10:05:00+09:00" (JST, as the API writes it) → 令和8年12月2日(2026年) 10:05 */
void h_time_iso(struct buf *h, const char *t);
/* h_jstr - a JSON member's string as text ("―" when null or missing) */
void h_jstr(struct buf *h, json_t *o, const char *key);
/* insurer_policy - the card JSON's "insurer": its 介護情報基盤 start and, for an insurer issuing the
 * paper 被保険者証 at 申請, that (page_person.c; the person's card page and the clerk's check) */
void insurer_policy(struct buf *h, json_t *ins);


/* asset and session helpers */
int h_asset(struct req *r);
int h_session_ping(struct req *r);
const char *asset_version(void);

/* proxy_code_hash - a proxy code without hyphens or spaces, upper-cased, as SHA-256 (only the
 * hash is stored; page_session.c) */
void proxy_code_hash(const char *code, unsigned char out[32]);

/* pages by file */
int p_root(struct req *r);
int p_login_form(struct req *r);
int p_login(struct req *r);
int p_logout(struct req *r);
int p_text_size(struct req *r);
int p_home(struct req *r);
int p_proxy_home(struct req *r);
int p_card(struct req *r);
int p_cert(struct req *r);
int p_care(struct req *r);
int p_plan(struct req *r);
int p_chosa(struct req *r);   /* 認定調査票 */
int p_ikensho(struct req *r); /* 主治医意見書 */
int p_life(struct req *r);
int p_ledger(struct req *r);
int p_access(struct req *r);
int p_consents(struct req *r);
int p_withdraw(struct req *r);
int p_grant(struct req *r);
int p_niji(struct req *r); /* 二次利用への協力: opt in or out */
int p_proxies(struct req *r);
int p_proxy_invite(struct req *r);
int p_proxy_revoke(struct req *r);
int p_proxy_cancel(struct req *r);
int p_proxy_accept_form(struct req *r);
int p_proxy_accept(struct req *r);
int p_code(struct req *r);
int p_office(struct req *r);
int p_office_check(struct req *r);
int p_office_qr(struct req *r);
int p_office_relationship(struct req *r);
int p_office_people(struct req *r);
int p_office_caseload(struct req *r);
int p_office_inbox(struct req *r);
int p_office_inbox_ack(struct req *r);
int p_city_people(struct req *r);    /* 被保険者の検索 (page_city.c) */
int p_city_cert(struct req *r);      /* 認定の進捗 (page_cert.c) */
int p_history(struct req *r);        /* 記録の履歴 (page_city.c) */
int p_city_shikaku_post(struct req *r); /* 資格の異動 */
int p_city_cert_post(struct req *r); /* a step of the 認定 workflow */
int p_city_chosa(struct req *r);     /* 認定調査票の入力 */
int p_city_chosa_post(struct req *r);
/* city_clerk - the store, for the insurer's own staff (ROLE_INSURER) only; NULL after answering (503, or 403 naming
 * what the page is: 「<what>は市町村(保険者)の職員のページです。」) */
struct store *city_clerk(struct req *r, struct actor *a, const char *what);
/* city_person - the person of the path ({insurer}/{insured}) and the actor, for a clerk's write; -1 after answering
 * (400 for a malformed number, 403 「<what>は市町村(保険者)の職員が記録します。」 for anyone else) */
int city_person(struct req *r, struct person_key *k, struct actor *a, const char *what);
/* city_commit - ends a clerk's write of a cs_* step or change: rolls back and answers 500 / 404 on an error or an
 * unknown person, returns 1 with *msg for a refused step (rolled back, nothing written: the caller shows why), commits
 * and returns 0, or answers 503 when the commit fails. -1 after answering. */
int city_commit(struct req *r, struct store *st, int rc, const struct cs_result *res, const char **msg);
/* city_refused - the page of a refused step: 「記録できませんでした」, what and why, nothing written, and a link back to
 * the person's page (/p/…/<page>, labelled back) */
int city_refused(struct req *r, const struct person_key *k, const char *what, const char *msg, unsigned status,
                 const char *page, const char *back);
/* city_cert_forms - on 認定の状況, for the insurer's staff: with app NULL, 申請受付 (when none is pending); with an
 * application, the forms of its next steps (page_cert.c) */
void city_cert_forms(struct req *r, struct buf *h, json_t *apps, json_t *app);
/* city_cert_progress - for the insurer's staff: the steps of an application done so far, with dates */
void city_cert_progress(struct req *r, struct buf *h, json_t *app);    /* 被保険者の検索 (page_city.c) */
int p_city_print(struct req *r);        /* 印刷 (page_print.c) */
int p_city_print_post(struct req *r);
int p_city_print_job(struct req *r);
int p_city_print_resume(struct req *r);
int p_city_print_pdf(struct req *r);
int p_city_print_list(struct req *r);
int p_city_print_delete(struct req *r);
int p_city_print_one(struct req *r);
/* city_print_form - on the card page, for the insurer's staff: one document printed (again) */
void city_print_form(struct req *r, struct buf *h);
/* city_access_print_form - on the access log page, for the insurer's staff: 開示請求 answered as a printed notice */
void city_access_print_form(struct req *r, struct buf *h);
/* city_claim_form - on the 住宅改修・福祉用具 page, for the insurer's staff: a claim against the ledger (page_cert.c) */
void city_claim_form(struct req *r, struct buf *h);
int p_city_claim_post(struct req *r);
int p_city_reviews(struct req *r);      /* 事後確認 (page_audit.c) */
int p_city_review_close(struct req *r);
int p_city_audit(struct req *r);        /* 監査ログ */
int p_city_audit_verify(struct req *r);
int p_city_stats(struct req *r);     /* 集計 (page_stats.c) */
int p_city_stats_csv(struct req *r);
int p_city_stats_export(struct req *r); /* 二次利用: the opted-in persons, pseudonymised */

#endif
