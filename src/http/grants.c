/*
 * grants.c - the person's controls (withdraw consent, revoke a proxy), 本人確認 codes and
 * care relationships, break-glass and its review.
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

#include "util/text.h"
#include "domain/auth.h"
#include "domain/wareki.h"
#include "codec/cardjson.h"
#include "http/docview.h"
#include "http/internal.h"
#include "http/limits.h"
#include "audit/auditq.h"
#include "service/certstore.h"
#include "service/cpstore.h"
#include "codec/docjson.h"
#include "store/keyfile.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* ---- the person's controls: withdraw consent, revoke a proxy ---------------- */

/* person_control - may the caller act for person k on categories cats? The
 * person, a valid proxy whose scope covers cats, or (for revocations) the
 * person's insurer. Everyone else gets the not-found answer (no oracle). */
int person_control(struct req *r, struct store *st, const struct person_key *k,
                          uint32_t cats, bool insurer_ok, struct actor *a)
{
    principal_actor(&r->who, k, a);
    if (a->role == ROLE_PERSON && r->who.kind == P_SESSION)
        return 0;
    if (insurer_ok && a->role == ROLE_INSURER && strcmp(a->org_insurer, k->insurer_no) == 0)
        return 0;
    if (a->role == ROLE_PROXY) {
        struct facts_buf fb;
        if (st->acc->facts_load(st, k, a, NEED_PROXIES, &fb))
            return http_error(r, 500, "internal", "内部エラーが発生しました"), -1;
        bool ok = false;
        for (size_t i = 0; i < fb.nproxies && !ok; i++)
            ok = strcmp(fb.proxies[i].account, a->id) == 0 && proxy_active(&fb.proxies[i], clock_now_ms()) &&
                 (fb.proxies[i].cats & cats) == cats;
        facts_free(&fb);
        if (ok)
            return 0;
    }
    http_error(r, 404, "not_found", "該当する情報が見つかりません");
    return -1;
}

int withdraw_now(struct req *r, struct store *st, const struct person_key *k, uint32_t cats, const char *grantee,
                 const struct actor *a, int64_t *id)
{
    struct withdrawal w = {0};
    /* withdrawing everything from everyone also ends 二次利用 (which "all" never grants) */
    w.cats = cats == CAT_ALL_MASK && !grantee[0] ? cats | CAT_BIT(CAT_NIJI) : cats;
    w.at_ms = clock_now_ms(); /* RULE-GATE-008: effective immediately */
    if (str_copy(w.grantee, sizeof w.grantee, grantee)) /* a cut id would name another office */
        return http_error(r, 400, "bad_field", "事業所の ID が長すぎます"), -1;
    if (st->acc->withdrawal_add(st, k, &w, a->id, id))
        return http_error(r, 500, "internal", "内部エラーが発生しました"), -1;
    return 0;
}

int h_withdraw(struct req *r)
{
    struct person_key k;
    struct jsonflat j;
    char cats_s[200], grantee[ORG_ID_BYTES];
    if (target(r, &k) || body_json(r, &j) ||
        body_str(r, &j, "categories", cats_s, sizeof cats_s, true) ||
        body_str(r, &j, "grantee", grantee, sizeof grantee, false))
        return 0;
    uint32_t cats = cats_parse(cats_s);
    if (!cats)
        return http_error(r, 400, "bad_categories",
                          "categories は all または区分コードのカンマ区切り(例: careplan,life)です");
    struct store *st = store_or_503(r);
    struct actor a;
    if (!st || person_control(r, st, &k, cats, false, &a))
        return 0;
    int ex = st->ops->person_exists(st, &k);
    if (ex != 1)
        return ex < 0 ? http_error(r, 500, "internal", "内部エラーが発生しました")
                      : http_error(r, 404, "not_found", "該当する情報が見つかりません");
    int64_t id;
    if (withdraw_now(r, st, &k, cats, grantee, &a, &id))
        return 0;
    json_t *o = json_pack("{s:I,s:s}", "withdrawal_id", (json_int_t)id, "message",
                          "同意を撤回しました。直ちに有効です");
    return respond_json(r, 201, o);
}

int h_proxy_revoke(struct req *r)
{
    struct person_key k;
    if (person_param(r, &k))
        return 0;
    char *end;
    long long id = strtoll(r->params[2].ptr, &end, 10);
    if (id <= 0 || end != r->params[2].ptr + r->params[2].len)
        return http_error(r, 404, "not_found", "該当する情報が見つかりません");
    struct store *st = store_or_503(r);
    struct actor a;
    if (!st || person_control(r, st, &k, 0, true, &a))
        return 0;
    int rc = st->acc->proxy_revoke(st, &k, id, clock_now_ms(), a.id);
    if (rc < 0)
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    if (rc == STORE_NOTFOUND)
        return http_error(r, 404, "not_found", "該当する情報が見つかりません");
    return respond_json(r, 200, json_pack("{s:s}", "message", "代理人の登録を取り消しました"));
}

/* ---- 本人確認 and care relationships --------------------------------------- */

int self_code(struct req *r, const struct person_key *k, char code[IDENTITY_CODE_DIGITS + 1], int64_t *now)
{
    struct store *st = store_or_503(r);
    if (!st)
        return -1;
    *now = clock_now_ms();
    if (identity_code_issue(st, k, *now, IDENTITY_CODE_SELF_MS, "self", code))
        return http_error(r, 500, "internal", "内部エラーが発生しました"), -1;
    return 0;
}

int h_code(struct req *r)
{
    struct person_key k;
    char code[IDENTITY_CODE_DIGITS + 1];
    int64_t now;
    if (target(r, &k) || self_code(r, &k, code, &now))
        return 0;
    char exp[64];
    ms_iso(now + IDENTITY_CODE_SELF_MS, exp);
    json_t *o = json_pack("{s:s,s:s,s:s}", "code", code, "expires_at", exp, "message",
                          "契約する事業所にこの番号を伝えてください(1回限り有効)");
    sodium_memzero(code, sizeof code);
    return respond_json(r, 201, o);
}

bool provider_role(enum role role)
{
    return role == ROLE_CAREMGR || role == ROLE_HOUKATSU || role == ROLE_PROVIDER ||
           role == ROLE_FACILITY;
}

/* relationship_paper - 本人確認 with paper: a current 被保険者証's token and the visual check
 * the office made, ending in the same registration as the code path. */
static int relationship_paper(struct req *r, const struct jsonflat *j, const struct actor *a)
{
    char tok[MAX_QUERY_TOKEN + 1], check[TEXT_BYTES], addr[INET_ADDRSTRLEN], birth_s[16];
    if (body_str(r, j, "token", tok, sizeof tok, true) ||
        body_str(r, j, "birth_date", birth_s, sizeof birth_s, true) ||
        body_str(r, j, "visual_check", check, sizeof check, true))
        return 0;
    /* a photographed card alone is no 本人確認: the person also tells their 生年月日, which the
     * card does not print in its QR (issue 16) */
    struct date birth;
    const char *why;
    if (date_parse_any(birth_s, strlen(birth_s), &birth, &why))
        return http_error(r, 400, "bad_field", "birth_date(生年月日)の形式が正しくありません");
    if (utf8_visible_count(check, strlen(check)) < VISUAL_CHECK_MIN_CHARS)
        return http_error(r, 400, "bad_field",
                          "visual_check に行った目視確認(例: 運転免許証の写真と本人を照合)を書いてください");
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    int64_t now = clock_now_ms();
    char tkey[ORG_ID_BYTES + 8];
    snprintf(tkey, sizeof tkey, "rel:%s", a->org);
    int th = auth_throttled(st, tkey, client_address(r, addr), now);
    if (th < 0)
        return http_error(r, 503, "unavailable", "ただいま記録できないため、受け付けられません");
    if (th)
        return http_error(r, 429, "too_many_attempts", "本人確認の失敗が続いたため、しばらく受け付けません");
    struct paper_token t;
    if (paper_checked(r, tok, &t)) {
        (void)auth_note_failure(st, tkey, addr, now); /* paper_checked has answered already: uncounted if the store fails */
        return 0;
    }
    if (t.kind != PAPER_CARD)
        return http_error(r, 422, "not_a_card", "本人確認に使えるのは介護保険被保険者証の QR です");
    struct person_key k = {{0}, {0}};
    memcpy(k.insurer_no, t.insurer_no, sizeof k.insurer_no);
    memcpy(k.insured_no, t.insured_no, sizeof k.insured_no);
    if (st->ops->begin(st))
        return http_error(r, 503, "unavailable", "データベースが混み合っています");
    struct paper_record rec;
    int rc = st->ops->paper_record(st, t.insurer_no, t.serial, &rec);
    enum paper_state ps = rc ? PAPER_UNKNOWN : paper_state_of(&t, &rec);
    bool born = false;
    if (rc == 0 && ps == PAPER_CURRENT) {
        rc = verify_birth(st, &k, birth);
        born = rc == 0;
        if (rc == STORE_NOTFOUND)
            rc = 0; /* said below as a failed 本人確認, like a wrong code */
    }
    char evidence[TEXT_BYTES + 64];
    snprintf(evidence, sizeof evidence, "%s/%u: %s", t.insurer_no, t.serial, check);
    int64_t id = 0;
    /* The person is told: the card's check and the registration are an entry of their access
     * log, durable before the office hears "registered" (a registration by paper alone, with no
     * code from the person, is one they should be able to see and question). It is written
     * outside the registry's write transaction, whose lock covers the attached audit log too:
     * the checks are read, the transaction ended, the entry made durable, then the write. */
    if (rc == 0 && born) {
        st->ops->rollback(st); /* only reads so far */
        struct audit_entry e = {0};
        memcpy(e.insurer_no, k.insurer_no, sizeof e.insurer_no);
        memcpy(e.insured_no, k.insured_no, sizeof e.insured_no);
        e.time_ms = now;
        str_cut(e.actor, sizeof e.actor, a->id);
        str_cut(e.org, sizeof e.org, a->org);
        e.role = a->role;
        e.category = CAT_PAPER;
        e.purpose = purpose_for_role(a->role);
        e.basis = BASIS_PAPER;
        e.outcome = OUTCOME_ALLOWED;
        e.flags = GATE_FLAG_PAPER_IDENTITY;
        snprintf(e.basis_ref, sizeof e.basis_ref, "paper:%s/%u", t.insurer_no, t.serial);
        memcpy(e.request_id, r->request_id, sizeof e.request_id);
        if (auditq_append(srv_auditq, &e))
            return http_error(r, 503, "unavailable",
                              "アクセス記録を保存できないため、登録できません。時間をおいてもう一度お試しください");
        if (st->ops->begin(st))
            return http_error(r, 503, "unavailable", "データベースが混み合っています");
        /* the card again, in the writing transaction: reissued or revoked meanwhile, it no longer
         * registers anyone */
        rc = st->ops->paper_record(st, t.insurer_no, t.serial, &rec);
        ps = rc ? PAPER_UNKNOWN : paper_state_of(&t, &rec);
        born = ps == PAPER_CURRENT;
        rc = rc < 0 ? -1 : 0;
        if (born)
            rc = st->acc->relationship_add(st, &k, a->org, now, "paper", evidence, a->id, &id);
    }
    if (rc == 0 && born && st->ops->commit(st) != 0)
        rc = -1; /* a failed commit is not a failed 本人確認 */
    if (rc == 0 && born) {
        json_t *o = json_pack("{s:I,s:s}", "relationship_id", (json_int_t)id, "message",
                              "被保険者証で本人確認を行い、担当事業所として登録しました");
        return respond_json(r, 201, o);
    }
    st->ops->rollback(st);
    if (rc < 0)
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    if (auth_note_failure(st, tkey, addr, now) ||
        st->acc->security_event(st, now, "identity_failed", a->org, addr, "relationship-paper"))
        return http_error(r, 503, "unavailable", "ただいま記録できないため、受け付けられません");
    char msg[200];
    if (ps == PAPER_CURRENT)
        snprintf(msg, sizeof msg, "本人確認ができませんでした(生年月日が一致しません)");
    else
        snprintf(msg, sizeof msg, "本人確認ができませんでした(被保険者証: %s)", paper_state_label(ps));
    return http_error(r, 422, "identity_not_verified", msg);
}

int h_relationship(struct req *r)
{
    struct jsonflat j;
    char ins[16], no[16], birth_s[16], code[32];
    if (body_json(r, &j))
        return 0;
    if (jf_get(&j, "token")) { /* 本人確認 with paper */
        struct actor pa;
        principal_actor(&r->who, NULL, &pa);
        if (!provider_role(pa.role))
            return http_error(r, 403, "forbidden", "担当事業所の登録は事業所の職員またはAPIトークンで行ってください");
        return relationship_paper(r, &j, &pa);
    }
    if (body_str(r, &j, "insurer_no", ins, sizeof ins, true) ||
        body_str(r, &j, "insured_no", no, sizeof no, true) ||
        body_str(r, &j, "birth_date", birth_s, sizeof birth_s, true) ||
        body_str(r, &j, "code", code, sizeof code, true))
        return 0;
    struct actor a;
    principal_actor(&r->who, NULL, &a);
    if (!provider_role(a.role))
        return http_error(r, 403, "forbidden", "担当事業所の登録は事業所の職員またはAPIトークンで行ってください");
    const char *why;
    struct person_key k = {0};
    struct date birth;
    if (insurer_no_check(ins, strlen(ins), &why) || insured_no_check(no, strlen(no), &why) ||
        date_parse_any(birth_s, strlen(birth_s), &birth, &why))
        return http_error(r, 400, "bad_field", "保険者番号・被保険者番号・生年月日の形式が正しくありません");
    memcpy(k.insurer_no, ins, INSURER_NO_LEN);
    memcpy(k.insured_no, no, INSURED_NO_LEN);
    int64_t id = 0;
    if (relationship_by_code(r, &k, birth, code, &a, &id))
        return 0;
    json_t *o = json_pack("{s:I,s:s}", "relationship_id", (json_int_t)id, "message",
                          "本人確認を行い、担当事業所として登録しました");
    return respond_json(r, 201, o);
}

int relationship_by_code(struct req *r, const struct person_key *k, struct date birth, const char *code,
                         const struct actor *a, int64_t *id)
{
    struct store *st = store_or_503(r);
    if (!st)
        return -1;
    int64_t now = clock_now_ms();
    /* guessing codes is throttled like passwords, per organisation */
    char tkey[ORG_ID_BYTES + 8], addr[INET_ADDRSTRLEN];
    snprintf(tkey, sizeof tkey, "rel:%s", a->org);
    int th = auth_throttled(st, tkey, client_address(r, addr), now);
    if (th < 0)
        return http_error(r, 503, "unavailable", "ただいま記録できないため、受け付けられません"), -1;
    if (th)
        return http_error(r, 429, "too_many_attempts", "本人確認の失敗が続いたため、しばらく受け付けません"), -1;
    if (st->ops->begin(st))
        return http_error(r, 503, "unavailable", "データベースが混み合っています"), -1;
    int rc = verify_identity(st, k, birth, code, now);
    if (rc == 0)
        rc = st->acc->relationship_add(st, k, a->org, now, "code", "", a->id, id);
    if (rc == 0 && st->ops->commit(st) != 0)
        rc = -1; /* a failed commit is not a wrong code */
    if (rc == 0)
        return 0;
    st->ops->rollback(st);
    if (rc < 0)
        return http_error(r, 500, "internal", "内部エラーが発生しました"), -1;
    if (auth_note_failure(st, tkey, addr, now) ||
        st->acc->security_event(st, now, "identity_failed", a->org, addr, "relationship"))
        return http_error(r, 503, "unavailable", "ただいま記録できないため、受け付けられません"), -1;
    http_error(r, 422, "identity_not_verified",
               "本人確認ができませんでした。番号・生年月日・本人確認コードを確かめてください(コードは1回限り・有効期限があります)。");
    return -1;
}

/* ---- break-glass and its review ------------------------------------------- */

int h_breakglass(struct req *r)
{
    struct jsonflat j;
    char ins[16], no[16], reason[TEXT_BYTES];
    if (body_json(r, &j) || body_str(r, &j, "insurer_no", ins, sizeof ins, true) ||
        body_str(r, &j, "insured_no", no, sizeof no, true) ||
        body_str(r, &j, "reason", reason, sizeof reason, false))
        return 0;
    struct actor a;
    principal_actor(&r->who, NULL, &a);
    if (r->who.kind != P_SESSION || !a.may_breakglass || !access_matrix[a.role].breakglass)
        return http_error(r, 403, "forbidden", "緊急時アクセスの権限がありません");
    if (utf8_visible_count(reason, strlen(reason)) < BREAKGLASS_REASON_MIN_CHARS)
        return http_error(r, 400, "reason_required", "緊急時アクセスには理由(10文字以上)が必要です");
    const char *why;
    struct person_key k = {0};
    if (insurer_no_check(ins, strlen(ins), &why) || insured_no_check(no, strlen(no), &why))
        return http_error(r, 400, "bad_field", "保険者番号・被保険者番号の形式が正しくありません");
    memcpy(k.insurer_no, ins, INSURER_NO_LEN);
    memcpy(k.insured_no, no, INSURED_NO_LEN);
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    int64_t now = clock_now_ms(), id;
    unsigned char sid[SESSION_ID_BYTES];
    if (st->ops->begin(st))
        return http_error(r, 503, "unavailable", "データベースが混み合っています");
    if (st->acc->breakglass_add(st, &k, r->who.acct.id, a.org, reason, now, &id) ||
        auth_rotate(st, &r->who, now, true, sid) || st->ops->commit(st)) {
        st->ops->rollback(st);
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    }
    set_session_cookie(r, sid); /* privilege change: a new session id (P19) */
    char exp[64];
    ms_iso(now + BREAKGLASS_MS, exp);
    json_t *o = json_pack("{s:I,s:s,s:s}", "breakglass_id", (json_int_t)id, "expires_at", exp,
                          "message",
                          "緊急時アクセスを開始しました。記録され、本人に表示され、市町村の確認対象になります");
    return respond_json(r, 201, o);
}

struct review_ctx {
    json_t *arr;
};

static int review_row(void *ctx, const struct breakglass_row *b)
{
    struct review_ctx *c = ctx;
    char st_iso[64], ex_iso[64];
    ms_iso(b->g.started_ms, st_iso);
    ms_iso(b->g.expires_ms, ex_iso);
    json_array_append_new(c->arr, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "id",
                                            (json_int_t)b->g.id, "insured_no", b->person.insured_no,
                                            "organisation", b->org, "actor", b->g.account, "reason",
                                            b->reason, "started_at", st_iso, "expires_at", ex_iso,
                                            "reviewed", b->reviewed_ms != 0));
    return 0;
}

static int reviewer(struct req *r, struct actor *a)
{
    principal_actor(&r->who, NULL, a);
    if (a->role != ROLE_INSURER || r->who.kind != P_SESSION || !strstr(r->who.acct.perms, "review")) {
        http_error(r, 403, "forbidden", "確認(レビュー)は市町村の確認権限を持つ職員が行います");
        return -1;
    }
    return 0;
}

#define PAPER_REG_REVIEW_MS (90LL * 24 * 3600 * 1000)

static int paper_reg_row(void *ctx, const struct paper_reg_row *x)
{
    struct review_ctx *c = ctx;
    char started[64];
    ms_iso(x->started_ms, started);
    json_array_append_new(c->arr, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:b}", "relationship_id",
                                            (json_int_t)x->id, "insured_no", x->person.insured_no,
                                            "organisation", x->org, "organisation_name", x->org_name,
                                            "registered_at", started, "evidence", x->evidence,
                                            "ended", x->ended_ms != 0));
    return 0;
}

int h_reviews(struct req *r)
{
    struct actor a;
    if (reviewer(r, &a))
        return 0;
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    struct review_ctx c = {json_array()}, p = {json_array()};
    /* and the care relationships offices registered by paper 本人確認 in the last 90 days: a
     * registration with no code from the person, which the municipality should be able to see */
    if (st->acc->breakglass_reviews(st, a.org_insurer, true, review_row, &c) ||
        st->acc->paper_registrations(st, a.org_insurer, clock_now_ms() - PAPER_REG_REVIEW_MS,
                                     paper_reg_row, &p)) {
        json_decref(c.arr);
        json_decref(p.arr);
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    }
    return respond_json(r, 200, json_pack("{s:o,s:o}", "open_reviews", c.arr, "paper_registrations", p.arr));
}

int h_review_close(struct req *r)
{
    struct actor a;
    struct jsonflat j;
    char note[TEXT_BYTES];
    if (reviewer(r, &a) || body_json(r, &j) || body_str(r, &j, "note", note, sizeof note, true))
        return 0;
    char *end;
    long long id = strtoll(r->params[0].ptr, &end, 10);
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    int rc = id > 0 && end == r->params[0].ptr + r->params[0].len
                 ? st->acc->breakglass_close(st, a.org_insurer, id, a.id, note, clock_now_ms())
                 : STORE_NOTFOUND;
    if (rc < 0)
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    if (rc)
        return http_error(r, 404, "not_found", "該当する確認項目がありません");
    return respond_json(r, 200, json_pack("{s:s}", "message", "確認を完了しました"));
}

