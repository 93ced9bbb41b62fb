/*
 * internal.h - what the HTTP adapter's files share: the request, the answers,
 * the body readers and the disclosure hand-off. Not for use outside src/http/.
 *
 * Files by resource (each a set of handlers; routes.c is the one index of URLs):
 *   server.c        the daemon, matching, authentication, dispatch, two-call handler
 *   routes.c        the route table and its policy (audience, CSRF, body limit, category)
 *   framing.c       the request head held to RFC 9112 (before any handler)
 *   conns.c         open connections and their request-head deadlines (a watchdog)
 *   ratelimit.c     the one rate limiter: logins, 本人確認, paper checks
 *   respond.c       answers, JSON errors, request bodies, the per-thread read connection
 *   documents.c     card and documents: every personal read, through service/disclose.c
 *   session.c       login, logout, whoami (API)
 *   grants.c        consent, proxies, 本人確認 and relationships, break-glass and its review
 *   certification.c 要介護認定 steps and ledger claims
 *   exchange.c      the ケアプラン連携 relay
 *   paper.c         書類照会 (online check of a printed document's QR)
 *   page*.c         the web pages (server-rendered HTML; docs/ui.md)
 *
 * Ownership: struct req is owned by the connection (created by on_target, the URI
 * callback, before the first call of on_request; freed in on_completed). Handlers answer exactly once (r->responded)
 * or return HANDLER_SUSPENDED after starting a disclosure.
 */
#ifndef KAIGO_HTTP_INTERNAL_H
#define KAIGO_HTTP_INTERNAL_H

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "domain/paperdoc.h"
#include "domain/papertoken.h"
#include "http/auth.h"
#include "http/framing.h"
#include "http/server.h"
#include "codec/cpfile.h"
#include "service/disclose.h"
#include "util/buf.h"
#include "util/jsonflat.h"
#include "util/jsonw.h"
#include "util/text.h"

#define MAX_PARAMS 4

struct form; /* a page's form fields (page.h) */

struct req {
    struct MHD_Connection *conn;
    const struct route *route;
    char request_id[REQUEST_ID_BYTES];
    struct timespec start;
    const char *method;
    struct str params[MAX_PARAMS];
    char *path; /* owned copy the params point into */
    struct buf body;
    bool too_big;
    bool authed;        /* authenticated at the first call (a route with a large body) */
    bool started;       /* the first access-handler call (the head) has been seen */
    bool close;         /* answer with Connection: close (a refused head: framing unknown) */
    struct framing_verdict frame; /* the raw target's verdict (framing_target) */
    const char *target_end; /* where the raw target's C string ended (on_target): a NUL inside
                             * the request line shows as an end before the version */
    unsigned status;
    bool responded;
    struct principal who;
    /* a disclosure waiting for its audit entry (connection suspended) */
    bool waiting;
    struct disclosure *disc;
    struct card *card;
    struct jsonw *rows; /* WHAT_ACCESS_LOG / WHAT_GRANTS output, sent only after the audit */
    json_t *docs;       /* WHAT_DOCS rows, likewise */
    void *grants;       /* WHAT_GRANTS: which of its arrays is open (documents.c) */
    struct delivery *dlv; /* an exchange download: the delivery and the receiving office */
    struct paper_token *paper;      /* GET /verify: the presented token (signature verified) */
    struct paper_record *paper_rec; /* its issue record, read inside the pipeline */
    char office_no[11];
    struct date on;     /* WHAT_DOCS: the reference date (?date=) */
    enum disclose_status dstatus;
    char set_cookie[160];
    struct form *form;  /* a page's parsed form (POST), or NULL */
    void (*render)(struct req *r, struct buf *h, json_t *data); /* a page's renderer after its disclosure */
    bool html;          /* errors are answered as pages (page routes, and unknown non-API paths) */
    void *page_ctx;     /* a page's own state across the disclosure (freed by its renderer) */
};

#define HANDLER_DONE 0      /* a handler answered (or failed and said so) */
#define HANDLER_SUSPENDED 1 /* a handler's "I will answer after resume" */

extern const struct server_config *srv_config;
extern struct auditq *srv_auditq;
/* jstr_or_empty - a JSON string's value, "" when it is not a string */
static inline const char *jstr_or_empty(json_t *v)
{
    const char *s = json_string_value(v);
    return s ? s : "";
}
/* srv_codes - the service-code master (kaigo serve --codes), read-only; NULL: the 第7表 is not computed */
extern const struct svc_master *srv_codes;
extern atomic_int srv_stopping; /* set at SIGTERM: no new disclosures */

/* ---- respond.c ------------------------------------------------------------- */
void thread_store_init(void);
struct store *thread_store(void);
int respond_raw(struct req *r, unsigned status, const char *ctype, char *body, size_t len,
                const char *extra_name, const char *extra_value);
int respond_json(struct req *r, unsigned status, json_t *o);
/* http_error - a JSON error for API routes; pages answer an HTML page (page_error). */
int http_error(struct req *r, unsigned status, const char *code, const char *message);
int query_date(struct req *r, struct date *out);
int person_param(struct req *r, struct person_key *k);
/* target - the person a personal route is about: the caller's own (audience AUD_SELF)
 * or {insurer}/{insured} of the path. -1 after answering. */
int target(struct req *r, struct person_key *k);
void ms_iso(int64_t ms, char out[64]);
int body_json(struct req *r, struct jsonflat *j);
int body_str(struct req *r, const struct jsonflat *j, const char *key, char *out, size_t cap,
             bool required);
int body_date(struct req *r, const struct jsonflat *j, const char *key, struct date *out,
              bool default_today);
const char *client_address(struct req *r, char out[INET_ADDRSTRLEN]);
void set_session_cookie(struct req *r, const unsigned char sid[SESSION_ID_BYTES]);
struct store *store_or_503(struct req *r);
struct store *begin_write(struct req *r, const struct person_key *k, struct actor *a);

/* ---- documents.c: the disclosure hand-off ------------------------------------ */
/* start_disclosure - the disclosure of cat about target(r), suspended until the
 * audit entry is durable; returns 0 with r->waiting set, or 0 after answering. */
int start_disclosure(struct req *r, enum category cat, enum disclose_what what);
int start_disclosure_for(struct req *r, struct person_key k, struct date on, enum category cat,
                         enum disclose_what what);
/* run_disclosure - hands a started disclosure to the pipeline; HANDLER_SUSPENDED. */
int run_disclosure(struct req *r);
/* disclosure_body - after resume with DISCLOSE_OK: the answer's JSON bytes (malloc'd). */
char *disclosure_body(struct req *r, size_t *len);
void disclosure_respond(struct req *r);
void wipe_rows(struct req *r);
int d_card(struct req *r);
int d_access_log(struct req *r);
int d_grants(struct req *r);
int d_history(struct req *r); /* WHAT_HISTORY: every version of the registry records (documents.c) */
int d_docs(struct req *r);

/* ---- paper.c ----------------------------------------------------------------- */
int paper_checked(struct req *r, const char *tok, struct paper_token *t);
void paper_json(struct jsonw *w, const struct paper_token *t, const struct paper_record *rec);
bool verify_rate(const char *who);
int d_verify(struct req *r);
/* paper_disclose - 書類照会 of a verified token t (owned by r from here): the gate and the
 * audit against its person, the answer after resume. */
int paper_disclose(struct req *r, struct paper_token *t);

/* ---- exchange.c -------------------------------------------------------------- */
char *delivery_files(struct req *r, size_t *len);
int h_exchange_upload(struct req *r);
int h_inbox(struct req *r);
struct delivery;
/* office_of - the caller's office (an office role with a registered 事業所番号); -1 after answering 403/500. */
int office_of(struct req *r, struct store *st, struct actor *a, struct org *o);
/* A send unit's problems as "FILE:LINE:COLUMN(項目名): message" (at most 100). */
struct upload_errs {
    json_t *arr;
    const char *file; /* the file being read */
};
void upload_err(void *c, long line, int column, const char *name, const char *msg); /* a cp_err_fn */
/* unit_accept - a send unit from the caller's office already read into fd (every check of the upload
 * API, then stored and delivered, all or nothing): 0 accepted, 1 refused (ue), -1 internal. */
int unit_accept(struct store *st, const struct actor *a, const struct org *o, struct cp_filedata *fd,
                const char **names, size_t n, struct upload_errs *ue, long *sets);
/* ---- page_plan.c: the 第6表 editor ---- */
int p_plan_editor(struct req *r);
int p_plan_editor_post(struct req *r);
int p_plan_sheet7(struct req *r);
int p_plan_pdf(struct req *r);
int p_office_upload(struct req *r); /* page_inbox.c: a send unit from the page */
int p_actual_editor(struct req *r);
int p_actual_editor_post(struct req *r);
/* ---- page_clinic.c: the doctor's 意見書作成依頼 ---- */
int p_clinic_requests(struct req *r);
int p_clinic_opinion(struct req *r);
int p_clinic_opinion_post(struct req *r);
/* inbox_load - the caller's office's unacknowledged deliveries, each person through the gate (計画) and audited;
 * -1 after answering (not an office, no 事業所番号, store or audit failure). */
int inbox_load(struct req *r, struct delivery **out, size_t *n);
int d_delivery(struct req *r);
int h_delivery_ack(struct req *r);

/* ---- session.c --------------------------------------------------------------- */
int h_login(struct req *r);
int h_logout(struct req *r);
int h_whoami(struct req *r);
int h_token(struct req *r);
int h_token_refresh(struct req *r);

/* ---- grants.c ---------------------------------------------------------------- */
bool provider_role(enum role role);
int person_control(struct req *r, struct store *st, const struct person_key *k, uint32_t cats,
                   bool insurer_ok, struct actor *a);
/* withdraw_now - the person's withdrawal (by a, on their behalf), in force at once; -1 after answering */
int withdraw_now(struct req *r, struct store *st, const struct person_key *k, uint32_t cats, const char *grantee,
                 const struct actor *a, int64_t *id);
int h_withdraw(struct req *r);
int h_proxy_revoke(struct req *r);
/* self_code - a one-time 本人確認 code the person hands to an office (1 hour); -1 after answering */
int self_code(struct req *r, const struct person_key *k, char code[IDENTITY_CODE_DIGITS + 1], int64_t *now);
int h_code(struct req *r);
int h_relationship(struct req *r);
/* relationship_by_code - 本人確認 with the person's one-time code and 生年月日, then the
 * registration of a's organisation as 担当事業所 (throttled per organisation; a failure is a
 * security event). 0 with *id, or -1 after answering (JSON or page). */
int relationship_by_code(struct req *r, const struct person_key *k, struct date birth, const char *code,
                         const struct actor *a, int64_t *id);
int h_breakglass(struct req *r);
int h_reviews(struct req *r);
int h_review_close(struct req *r);

/* ---- certification.c --------------------------------------------------------- */
int h_app_file(struct req *r);
int h_app_step(struct req *r);
int h_claim(struct req *r);

/* ---- server.c ---------------------------------------------------------------- */
int h_healthz(struct req *r);
int h_insurers(struct req *r);
/* route_match - pattern segments against the path; binds {params}. 1 = match. */
int route_match(const char *pattern, char *path, struct str *params);

#endif
