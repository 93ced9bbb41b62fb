/*
 * paper.c - 書類照会: the online check of a printed document's signed QR (issue #6).
 */
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "domain/auth.h"
#include "domain/burden.h"
#include "domain/wareki.h"
#include "codec/cardjson.h"
#include "http/docview.h"
#include "http/internal.h"
#include "http/ratelimit.h"
#include "http/limits.h"
#include "audit/auditq.h"
#include "service/certstore.h"
#include "service/cpstore.h"
#include "codec/docjson.h"
#include "store/keyfile.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* ---- 書類照会: online verification of a paper document (issue #6) -------------------- */

void paper_json(struct jsonw *w, const struct paper_token *t, const struct paper_record *rec)
{
    enum paper_state ps = paper_state_of(t, rec);
    jw_bool(w, "signature_valid", true);
    jw_str(w, "status", paper_state_code(ps));
    jw_str(w, "status_label", paper_state_label(ps));
    jw_obj(w, "document");
    jw_str(w, "kind", paper_kind_name(t->kind));
    jw_str(w, "insurer_no", t->insurer_no);
    jw_str(w, "insured_no", t->insured_no);
    jw_int(w, "serial", t->serial);
    char iso[11];
    date_iso(t->issued, iso);
    jw_str(w, "issued", iso);
    if (!date_is_none(t->valid_from)) {
        date_iso(t->valid_from, iso);
        jw_str(w, "valid_from", iso);
    }
    if (!date_is_none(t->valid_to)) {
        date_iso(t->valid_to, iso);
        jw_str(w, "valid_to", iso);
    }
    /* what the paper must show (token version 2): a forged level or 割合 beside a genuine QR differs */
    jw_int(w, "token_version", t->version);
    if (t->level[0])
        jw_str(w, "level_code", t->level);
    if (t->kind == PAPER_CARD)
        jw_bool(w, "pending", t->pending);
    if (t->ratio)
        jw_int(w, "ratio", t->ratio);
    if (t->stage)
        jw_str(w, "limit_stage", limit_stage_key((enum limit_stage)t->stage));
    struct paper_fact facts[3];
    size_t nf = paper_token_facts(t, facts);
    jw_arr(w, "printed_facts");
    for (size_t i = 0; i < nf; i++) {
        jw_obj(w, NULL);
        jw_str(w, "label", facts[i].label);
        jw_str(w, "value", facts[i].value);
        jw_end(w);
    }
    jw_end(w);
    jw_end(w);
    if (ps == PAPER_SUPERSEDED)
        jw_int(w, "latest_serial", rec->latest);
}

/* verify_rate - at most verify_per_minute (VERIFY_PER_MINUTE, or the configuration's) checks
 * per caller per minute, counted in the process's one rate limiter (ratelimit.c). */
bool verify_rate(const char *who)
{
    return ratelimit_hit('v', who, 60000, clock_now_ms()) <= srv_config->verify_per_minute;
}

/* paper_checked - the token parsed and its signature verified with its insurer's
 * published key (<db>.paper-key-<保険者番号>.pub); else -1 after a 422 naming why. */
int paper_checked(struct req *r, const char *tok, struct paper_token *t)
{
    const char *why;
    unsigned char pk[32];
    if (paper_token_parse(tok, strlen(tok), t, &why)) {
        http_error(r, 422, "bad_token", why);
        return -1;
    }
    if (paper_pubkey_load(srv_config->db, t->insurer_no, pk)) {
        http_error(r, 422, "unknown_insurer", "この保険者の書類は kaigo で照会できません(公開鍵がありません)");
        return -1;
    }
    if (!paper_token_verify(t, pk)) {
        http_error(r, 422, "bad_signature", "署名が一致しません(書き換えられたか、別の鍵で作られた符号です)");
        return -1;
    }
    return 0;
}

int d_verify(struct req *r)
{
    if (r->waiting)
        return 0;
    const char *tok = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "token");
    if (!tok || !*tok || strlen(tok) > MAX_QUERY_TOKEN)
        return http_error(r, 400, "bad_token", "token(書類の QR の符号 KG2:…)を指定してください");
    struct actor a;
    principal_actor(&r->who, NULL, &a);
    if (!verify_rate(a.id))
        return http_error(r, 429, "too_many", "照会が多すぎます。しばらくしてから試してください");
    struct paper_token *t = xcalloc(1, sizeof *t);
    if (paper_checked(r, tok, t)) {
        free(t);
        return 0;
    }
    return paper_disclose(r, t);
}

int paper_disclose(struct req *r, struct paper_token *t)
{
    r->paper = t;
    struct person_key k = {{0}, {0}};
    memcpy(k.insurer_no, t->insurer_no, sizeof k.insurer_no);
    memcpy(k.insured_no, t->insured_no, sizeof k.insured_no);
    if (start_disclosure_for(r, k, date_today(), CAT_PAPER, WHAT_PAPER) || !r->waiting)
        return 0;
    return run_disclosure(r);
}

