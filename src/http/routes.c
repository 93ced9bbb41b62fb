/*
 * routes.c - the one index of every URL kaigo serves, and each route's policy as
 * data: method, pattern, category (personal data or not), authentication, whom it
 * is about (audience), API / page / asset, CSRF, body limit, and its handler.
 *
 * A route with a category other than CAT_NONE is a disclosure: its function must
 * go through service/disclose.c (u-gate walks this table and fails otherwise).
 */
#include "http/internal.h"
#include "http/metrics.h"
#include "http/page.h"
#include "codec/docjson.h"
#include "util/compiler.h"
#include "util/banned.h"

#define B_SMALL 4096
#define B_FORM 8192             /* a page's form (urlencoded) */
#define B_PLAN (256u << 10)     /* the 第6表 editor: a checkbox a planned day (page.h FORM_MAX_FIELDS_LARGE) */
#define B_OPINION (64u << 10)  /* the 主治医意見書 form: free-text items up to TEXT_BYTES each */
#define B_PAGE_UNIT (32u << 20) /* a send unit from the page: files of up to FORM_FILE_MAX each */
#define B_UPLOAD (8u << 20)     /* a page's file upload: a photo or PDF of a card's QR */
#define B_UNIT (96u << 20)
#define B_DOC DOC_JSON_MAX
#define P_INS "/api/v1/insurers/{insurer}/insured/{insured}"
#define P_FOR "/p/{insurer}/{insured}"

/* API routes: JSON. d = a disclosure, h = a plain handler. */
#define API_D(m, p, cat, aud, d) {m, p, cat, AUTH_USER, aud, ROUTE_API, false, 0, NULL, d}
#define API_H(m, p, auth, aud, body, h) {m, p, CAT_NONE, auth, aud, ROUTE_API, false, body, h, NULL}
/* pages: HTML over a session. PAGE_D reads personal data through the pipeline. */
#define PAGE_D(m, p, cat, aud, body, d) {m, p, cat, AUTH_USER, aud, ROUTE_PAGE, m[0] == 'P', body, NULL, d}
#define PAGE_H(m, p, aud, body, h) {m, p, CAT_NONE, AUTH_USER, aud, ROUTE_PAGE, m[0] == 'P', body, h, NULL}
#define PAGE_PUBLIC(m, p, body, h) {m, p, CAT_NONE, AUTH_PUBLIC, AUD_NONE, ROUTE_PAGE, false, body, h, NULL}
#define ASSET(p) {"GET", p, CAT_NONE, AUTH_NONE, AUD_NONE, ROUTE_ASSET, false, 0, h_asset, NULL}

const struct route routes[] = {
    {"GET", "/healthz", CAT_NONE, AUTH_NONE, AUD_NONE, ROUTE_API, false, 0, h_healthz, NULL},
    {"GET", "/readyz", CAT_NONE, AUTH_NONE, AUD_NONE, ROUTE_API, false, 0, h_readyz, NULL},
    API_H("GET", "/metrics", AUTH_ANY, AUD_NONE, 0, h_metrics), /* the operator token only */
    API_H("GET", "/api/v1/insurers", AUTH_ANY, AUD_NONE, 0, h_insurers),
    API_H("POST", "/api/v1/login", AUTH_PUBLIC, AUD_NONE, B_SMALL, h_login),
    API_H("POST", "/api/v1/logout", AUTH_USER, AUD_NONE, 0, h_logout),
    API_H("GET", "/api/v1/whoami", AUTH_ANY, AUD_NONE, 0, h_whoami),
    API_H("POST", "/api/v1/token", AUTH_USER, AUD_NONE, 0, h_token),
    API_H("POST", "/api/v1/token/refresh", AUTH_PUBLIC, AUD_NONE, B_SMALL, h_token_refresh),
    /* a person's data, named in the path */
    API_D("GET", P_INS "/card", CAT_SHIKAKU, AUD_PERSON, d_card),
    API_D("GET", P_INS "/applications", CAT_SHINSAKAI, AUD_PERSON, d_docs),
    API_H("POST", P_INS "/applications", AUTH_USER, AUD_PERSON, B_SMALL, h_app_file),
    API_H("POST", P_INS "/applications/{app}/{step}", AUTH_USER, AUD_PERSON, B_DOC, h_app_step),
    API_D("GET", P_INS "/chosa", CAT_CHOSA, AUD_PERSON, d_docs),
    API_D("GET", P_INS "/ikensho", CAT_IKENSHO, AUD_PERSON, d_docs),
    API_D("GET", P_INS "/life", CAT_LIFE, AUD_PERSON, d_docs),
    API_D("GET", P_INS "/ledger", CAT_JUTAKU, AUD_PERSON, d_docs),
    API_H("POST", P_INS "/ledger/claims", AUTH_USER, AUD_PERSON, B_SMALL, h_claim),
    API_D("GET", P_INS "/access-log", CAT_ACCESSLOG, AUD_PERSON, d_access_log),
    API_D("GET", P_INS "/consents", CAT_ACCESSLOG, AUD_PERSON, d_grants),
    API_H("POST", P_INS "/consents/withdraw", AUTH_USER, AUD_PERSON, B_SMALL, h_withdraw),
    API_H("POST", P_INS "/proxies/{proxy}/revoke", AUTH_USER, AUD_PERSON, 0, h_proxy_revoke),
    /* the ケアプラン連携 relay */
    API_H("POST", "/api/v1/exchange/units", AUTH_USER, AUD_NONE, B_UNIT, h_exchange_upload),
    API_H("GET", "/api/v1/exchange/inbox", AUTH_USER, AUD_NONE, 0, h_inbox),
    API_D("GET", "/api/v1/exchange/deliveries/{insurer}/{insured}/{stamp}", CAT_CAREPLAN, AUD_PERSON, d_delivery),
    API_H("POST", "/api/v1/exchange/deliveries/{insurer}/{insured}/{stamp}/ack", AUTH_USER, AUD_PERSON, B_SMALL,
          h_delivery_ack),
    /* the person's own */
    API_D("GET", "/api/v1/me/card", CAT_SHIKAKU, AUD_SELF, d_card),
    API_D("GET", "/api/v1/me/applications", CAT_SHINSAKAI, AUD_SELF, d_docs),
    API_H("POST", "/api/v1/me/applications", AUTH_USER, AUD_SELF, B_SMALL, h_app_file),
    API_D("GET", "/api/v1/me/ikensho", CAT_IKENSHO, AUD_SELF, d_docs),
    API_D("GET", "/api/v1/me/life", CAT_LIFE, AUD_SELF, d_docs),
    API_D("GET", "/api/v1/me/ledger", CAT_JUTAKU, AUD_SELF, d_docs),
    API_D("GET", "/api/v1/me/access-log", CAT_ACCESSLOG, AUD_SELF, d_access_log),
    API_D("GET", "/api/v1/me/consents", CAT_ACCESSLOG, AUD_SELF, d_grants),
    API_H("POST", "/api/v1/me/consents/withdraw", AUTH_USER, AUD_SELF, B_SMALL, h_withdraw),
    API_H("POST", "/api/v1/me/verification-code", AUTH_USER, AUD_SELF, 0, h_code),
    /* paper, relationships, break-glass and its review */
    API_D("GET", "/api/v1/verify", CAT_PAPER, AUD_NONE, d_verify),
    API_H("POST", "/api/v1/relationships", AUTH_USER, AUD_NONE, B_SMALL, h_relationship),
    API_H("POST", "/api/v1/breakglass", AUTH_USER, AUD_NONE, B_SMALL, h_breakglass),
    API_H("GET", "/api/v1/reviews", AUTH_USER, AUD_NONE, 0, h_reviews),
    API_H("POST", "/api/v1/reviews/{review}/close", AUTH_USER, AUD_NONE, B_SMALL, h_review_close),

    /* ---- web pages (docs/ui.md): HTML over a session, the same gate and audit ---- */
    ASSET("/assets/kaigo.css"),
    ASSET("/assets/kaigo.js"),
    PAGE_PUBLIC("GET", "/login", 0, p_login_form),
    PAGE_PUBLIC("POST", "/login", B_FORM, p_login),
    PAGE_PUBLIC("GET", "/text-size/{size}", 0, p_text_size),
    PAGE_H("POST", "/logout", AUD_NONE, B_FORM, p_logout),
    PAGE_H("GET", "/", AUD_NONE, 0, p_root),
    PAGE_H("GET", "/session", AUD_NONE, 0, h_session_ping),
    /* the person (本人) */
    PAGE_H("GET", "/me", AUD_SELF, 0, p_home),
    PAGE_D("GET", "/me/card", CAT_SHIKAKU, AUD_SELF, 0, p_card),
    PAGE_D("GET", "/me/certification", CAT_SHINSAKAI, AUD_SELF, 0, p_cert),
    PAGE_D("GET", "/me/care", CAT_SHIKAKU, AUD_SELF, 0, p_care),
    PAGE_D("GET", "/me/plan", CAT_CAREPLAN, AUD_SELF, 0, p_plan),
    PAGE_D("GET", "/me/chosa", CAT_CHOSA, AUD_SELF, 0, p_chosa),
    PAGE_D("GET", "/me/plan/edit", CAT_CAREPLAN, AUD_SELF, 0, p_plan_editor),
    PAGE_H("POST", "/me/plan/edit", AUD_SELF, B_PLAN, p_plan_editor_post),
    PAGE_H("POST", "/me/plan/edit/sheet7", AUD_SELF, B_PLAN, p_plan_sheet7),
    PAGE_H("POST", "/me/plan/edit/pdf", AUD_SELF, B_PLAN, p_plan_pdf),
    PAGE_D("GET", "/me/ikensho", CAT_IKENSHO, AUD_SELF, 0, p_ikensho),
    PAGE_D("GET", "/me/life", CAT_LIFE, AUD_SELF, 0, p_life),
    PAGE_D("GET", "/me/ledger", CAT_JUTAKU, AUD_SELF, 0, p_ledger),
    PAGE_D("GET", "/me/access", CAT_ACCESSLOG, AUD_SELF, 0, p_access),
    PAGE_D("GET", "/me/consents", CAT_ACCESSLOG, AUD_SELF, 0, p_consents),
    PAGE_H("POST", "/me/consents/withdraw", AUD_SELF, B_FORM, p_withdraw),
    PAGE_H("POST", "/me/consents/grant", AUD_SELF, B_FORM, p_grant),
    PAGE_H("POST", "/me/consents/niji", AUD_SELF, B_FORM, p_niji),
    PAGE_D("GET", "/me/proxies", CAT_ACCESSLOG, AUD_SELF, 0, p_proxies),
    PAGE_H("POST", "/me/proxies/invite", AUD_SELF, B_FORM, p_proxy_invite),
    PAGE_H("POST", "/me/proxies/revoke", AUD_SELF, B_FORM, p_proxy_revoke),
    PAGE_H("POST", "/me/proxies/cancel", AUD_SELF, B_FORM, p_proxy_cancel),
    PAGE_H("GET", "/me/code", AUD_SELF, 0, p_code),
    PAGE_H("POST", "/me/code", AUD_SELF, B_FORM, p_code),
    /* the family (代理人): the same pages for the person named in the path */
    PAGE_H("GET", "/proxy/accept", AUD_NONE, 0, p_proxy_accept_form),
    PAGE_H("POST", "/proxy/accept", AUD_NONE, B_FORM, p_proxy_accept),
    PAGE_D("GET", P_FOR, CAT_SHIKAKU, AUD_PERSON, 0, p_proxy_home),
    PAGE_D("GET", P_FOR "/card", CAT_SHIKAKU, AUD_PERSON, 0, p_card),
    PAGE_D("GET", P_FOR "/certification", CAT_SHINSAKAI, AUD_PERSON, 0, p_cert),
    PAGE_D("GET", P_FOR "/care", CAT_SHIKAKU, AUD_PERSON, 0, p_care),
    PAGE_D("GET", P_FOR "/plan", CAT_CAREPLAN, AUD_PERSON, 0, p_plan),
    PAGE_D("GET", P_FOR "/chosa", CAT_CHOSA, AUD_PERSON, 0, p_chosa),
    PAGE_D("GET", P_FOR "/plan/edit", CAT_CAREPLAN, AUD_PERSON, 0, p_plan_editor),
    PAGE_H("POST", P_FOR "/plan/edit", AUD_PERSON, B_PLAN, p_plan_editor_post),
    PAGE_H("POST", P_FOR "/plan/edit/sheet7", AUD_PERSON, B_PLAN, p_plan_sheet7),
    PAGE_H("POST", P_FOR "/plan/edit/pdf", AUD_PERSON, B_PLAN, p_plan_pdf),
    PAGE_D("GET", P_FOR "/ikensho", CAT_IKENSHO, AUD_PERSON, 0, p_ikensho),
    PAGE_D("GET", P_FOR "/life", CAT_LIFE, AUD_PERSON, 0, p_life),
    PAGE_D("GET", P_FOR "/ledger", CAT_JUTAKU, AUD_PERSON, 0, p_ledger),
    PAGE_D("GET", P_FOR "/access", CAT_ACCESSLOG, AUD_PERSON, 0, p_access),
    PAGE_D("GET", P_FOR "/consents", CAT_ACCESSLOG, AUD_PERSON, 0, p_consents),
    PAGE_H("POST", P_FOR "/consents/withdraw", AUD_PERSON, B_FORM, p_withdraw),
    PAGE_H("POST", P_FOR "/consents/grant", AUD_PERSON, B_FORM, p_grant),
    /* the provider clerk (事業所): eligibility, paper, 本人確認 */
    PAGE_H("GET", "/office", AUD_NONE, 0, p_office),
    PAGE_H("GET", "/office/people", AUD_NONE, 0, p_office_people),
    PAGE_H("GET", "/office/caseload", AUD_NONE, 0, p_office_caseload),
    PAGE_H("GET", "/office/inbox", AUD_NONE, 0, p_office_inbox),
    PAGE_H("POST", "/office/inbox/ack", AUD_NONE, B_FORM, p_office_inbox_ack),
    PAGE_H("POST", "/office/exchange", AUD_NONE, B_PAGE_UNIT, p_office_upload),
    PAGE_D("GET", "/office/plan/{insurer}/{insured}", CAT_CAREPLAN, AUD_PERSON, 0, p_plan_editor),
    PAGE_H("POST", "/office/plan/{insurer}/{insured}", AUD_PERSON, B_PLAN, p_plan_editor_post),
    PAGE_H("POST", "/office/plan/{insurer}/{insured}/sheet7", AUD_PERSON, B_PLAN, p_plan_sheet7),
    PAGE_D("GET", "/office/plan/{insurer}/{insured}/pdf", CAT_CAREPLAN, AUD_PERSON, 0, p_plan_pdf),
    PAGE_D("GET", "/office/actual/{insurer}/{insured}", CAT_CAREPLAN, AUD_PERSON, 0, p_actual_editor),
    PAGE_H("POST", "/office/actual/{insurer}/{insured}", AUD_PERSON, B_PLAN, p_actual_editor_post),
    PAGE_H("GET", "/clinic/requests", AUD_NONE, 0, p_clinic_requests),
    PAGE_H("GET", "/city/people", AUD_NONE, 0, p_city_people),
    PAGE_D("GET", P_FOR "/history", CAT_SHIKAKU, AUD_PERSON, 0, p_history),
    PAGE_H("POST", "/city/person/{insurer}/{insured}/shikaku", AUD_PERSON, B_FORM, p_city_shikaku_post),
    PAGE_H("POST", "/city/ledger/{insurer}/{insured}", AUD_PERSON, B_FORM, p_city_claim_post),
    PAGE_H("GET", "/city/cert", AUD_NONE, 0, p_city_cert),
    PAGE_H("POST", "/city/cert/{insurer}/{insured}", AUD_PERSON, B_FORM, p_city_cert_post),
    PAGE_D("GET", "/city/cert/{insurer}/{insured}/{app}/chosa", CAT_CHOSA, AUD_PERSON, 0, p_city_chosa),
    PAGE_H("POST", "/city/cert/{insurer}/{insured}/{app}/chosa", AUD_PERSON, B_PLAN, p_city_chosa_post),
    PAGE_H("GET", "/city/print", AUD_NONE, 0, p_city_print),
    PAGE_H("POST", "/city/print", AUD_NONE, B_FORM, p_city_print_post),
    PAGE_H("GET", "/city/print/{job}", AUD_NONE, 0, p_city_print_job),
    PAGE_H("POST", "/city/print/{job}/resume", AUD_NONE, B_FORM, p_city_print_resume),
    PAGE_H("GET", "/city/print/{job}/pdf", AUD_NONE, 0, p_city_print_pdf),
    PAGE_H("GET", "/city/print/{job}/list", AUD_NONE, 0, p_city_print_list),
    PAGE_H("POST", "/city/print/{job}/delete", AUD_NONE, B_FORM, p_city_print_delete),
    PAGE_H("POST", "/city/print/{insurer}/{insured}", AUD_PERSON, B_FORM, p_city_print_one),
    PAGE_H("GET", "/city/reviews", AUD_NONE, 0, p_city_reviews),
    PAGE_H("POST", "/city/reviews/{review}/close", AUD_NONE, B_FORM, p_city_review_close),
    PAGE_H("GET", "/city/audit", AUD_NONE, 0, p_city_audit),
    PAGE_H("POST", "/city/audit/verify", AUD_NONE, B_FORM, p_city_audit_verify),
    PAGE_H("GET", "/city/stats", AUD_NONE, 0, p_city_stats),
    PAGE_H("GET", "/city/stats.csv", AUD_NONE, 0, p_city_stats_csv),
    PAGE_H("GET", "/city/stats/export.csv", AUD_NONE, 0, p_city_stats_export),
    PAGE_D("GET", "/clinic/requests/{insurer}/{insured}/{app}", CAT_IKENSHO, AUD_PERSON, 0, p_clinic_opinion),
    PAGE_H("POST", "/clinic/requests/{insurer}/{insured}/{app}", AUD_PERSON, B_OPINION, p_clinic_opinion_post),
    PAGE_D("POST", "/office/check", CAT_SHIKAKU, AUD_NONE, B_FORM, p_office_check),
    PAGE_D("POST", "/office/qr", CAT_PAPER, AUD_NONE, B_UPLOAD, p_office_qr),
    PAGE_H("POST", "/office/relationship", AUD_NONE, B_FORM, p_office_relationship),

};
const size_t routes_len = ARRAY_LEN(routes);
