/*
 * exchange.c - the ケアプラン連携 relay: upload of a send unit, the inbox, download, ack.
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

/* ---- ケアプラン連携: the exchange relay ------------------------------------------- */

struct filelist {
    json_t *arr;
};

static int add_file(void *c, const char *name, const char *bytes, size_t len)
{
    struct filelist *fl = c;
    size_t cap = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = xmalloc(cap);
    sodium_bin2base64(b64, cap, (const unsigned char *)bytes, len, sodium_base64_VARIANT_ORIGINAL);
    json_array_append_new(fl->arr, json_pack("{s:s,s:s}", "name", name, "data", b64));
    free(b64);
    return 0;
}

/* unmappable_json - a character the unit cannot carry in MS932, for the receiver to see where */
static void unmappable_json(void *c, const struct cp_unmappable *u)
{
    json_t *arr = c;
    if (json_array_size(arr) >= 100)
        return;
    char ch[5], code[12];
    utf8_put(u->cp, ch);
    snprintf(code, sizeof code, "U+%04X", u->cp);
    json_t *o = json_object();
    json_object_set_new(o, "file", json_string(u->file));
    json_object_set_new(o, "line", json_integer(u->line));
    json_object_set_new(o, "column", json_integer(u->column));
    json_object_set_new(o, "item", json_string(u->column_name));
    json_object_set_new(o, "insurer_no", json_string(u->insurer_no));
    json_object_set_new(o, "insured_no", json_string(u->insured_no));
    json_object_set_new(o, "character", json_string(ch));
    json_object_set_new(o, "code_point", json_string(code));
    json_array_append_new(arr, o);
}

/* delivery_files - after the audit: the delivery's send unit rebuilt from the disclosed sets.
 * Strict MS932: a character outside it refuses the unit (listed in "unmappable"), never a '?'. */
char *delivery_files(struct req *r, size_t *len)
{
    size_t n = json_array_size(r->docs);
    struct cps_row *rows = xcalloc(n ? n : 1, sizeof *rows);
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_array_get(r->docs, i);
        rows[i] = (struct cps_row){json_string_value(json_object_get(x, "kind")),
                                   json_string_value(json_object_get(x, "rkey")),
                                   json_string_value(json_object_get(x, "body"))};
    }
    struct filelist fl = {json_array()};
    const char *why = NULL;
    json_t *unmappable = json_array();
    struct cp_write_opts w = {false, unmappable_json, unmappable};
    int rc = cps_export(rows, n, r->dlv->what, r->office_no, r->dlv->to_kind, r->dlv->stamp, &w, add_file, &fl,
                        &why);
    free(rows);
    json_t *o = rc ? json_pack("{s:o,s:s}", "files", fl.arr, "note", why ? why : "")
                   : json_pack("{s:o}", "files", fl.arr);
    if (json_array_size(unmappable))
        json_object_set(o, "unmappable", unmappable);
    json_decref(unmappable);
    json_object_set_new(o, "stamp", json_string(r->dlv->stamp));
    json_object_set_new(o, "what", json_string(r->dlv->what));
    json_object_set_new(o, "audit_seq", json_integer(r->disc->audit_seq));
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    *len = s ? strlen(s) : 0;
    struct store *st = thread_store(); /* downloaded: recorded once the unit has left */
    if (s && st)
        (void)st->acc->delivery_mark(st, &r->dlv->person, r->dlv->to_org, r->dlv->stamp, false, clock_now_ms());
    return s;
}


/* office_of - the caller's office (an office role with a registered 事業所番号). */
int office_of(struct req *r, struct store *st, struct actor *a, struct org *o)
{
    principal_actor(&r->who, NULL, a);
    bool office = a->role == ROLE_CAREMGR || a->role == ROLE_HOUKATSU || a->role == ROLE_PROVIDER ||
                  a->role == ROLE_FACILITY;
    int rc = office ? st->acc->org_get(st, a->org, o) : STORE_NOTFOUND;
    if (rc < 0) {
        http_error(r, 500, "internal", "内部エラーが発生しました");
        return -1;
    }
    if (rc || !o->office_no[0]) {
        http_error(r, 403, "forbidden", "ケアプラン連携は事業所番号を登録した事業所のアカウントで行います");
        return -1;
    }
    return 0;
}

void upload_err(void *c, long line, int column, const char *name, const char *msg)
{
    struct upload_errs *u = c;
    char file[256], s[800]; /* the sender's file name shortened on a character boundary, so that the
                             * line stays UTF-8 (a cut inside one made jansson drop the error) */
    str_cut(file, sizeof file, u->file);
    if (line == 0)
        snprintf(s, sizeof s, "%s: %s", file, msg);
    else if (column == 0)
        snprintf(s, sizeof s, "%s:%ld: %s", file, line, msg);
    else
        snprintf(s, sizeof s, "%s:%ld:%d(%s): %s", file, line, column, name, msg);
    if (json_array_size(u->arr) < 100)
        json_array_append_new(u->arr, json_string(s));
}

static void unit_err(void *c, const char *path, long line, const char *msg)
{
    struct upload_errs *u = c;
    char file[256], s[800];
    str_cut(file, sizeof file, path);
    if (line)
        snprintf(s, sizeof s, "%s:%ld:%s", file, line, msg); /* msg starts with its column */
    else
        snprintf(s, sizeof s, "%s: %s", file, msg);
    if (json_array_size(u->arr) < 100)
        json_array_append_new(u->arr, json_string(s));
}

#define UNIT_MAX_FILES 32

/* unit_accept - a send unit from the caller's office, read into fd[0..n) (problems so far in ue):
 * every file from this office with one timestamp, every person in its care (担当事業所, not lapsed);
 * then, all or nothing, stored per person, a delivery per person for each receiving office, and 実績
 * keeping the relationship alive. 0 accepted, 1 refused (reasons in ue), -1 internal error. The
 * upload API and the pages (the 第6表 editor's 送信, the provider's 実績) both come through here. */
int unit_accept(struct store *st, const struct actor *a, const struct org *o, struct cp_filedata *fd,
                const char **names, size_t n, struct upload_errs *ue, long *sets)
{
    char stamp[15] = "";
    *sets = 0;
    for (size_t i = 0; i < n; i++) {
        ue->file = names[i];
        if ((fd[i].layout || fd[i].image) && strcmp(fd[i].name.from, o->office_no) != 0)
            upload_err(ue, 0, 0, "", "送信元の事業所番号がこの事業所と一致しません");
        if (!stamp[0])
            str_cut(stamp, sizeof stamp, fd[i].name.stamp);
        else if (strcmp(stamp, fd[i].name.stamp) != 0)
            upload_err(ue, 0, 0, "", "1つの送信単位のファイルは同じ作成日時(14桁)です");
    }
    /* every person must be in this office's care (担当事業所, not lapsed) */
    int64_t now = clock_now_ms();
    for (size_t i = 0; i < n && json_array_size(ue->arr) == 0; i++)
        for (size_t j = 0; j < fd[i].n; j++) {
            struct person_key k = {{0}, {0}};
            str_cut(k.insurer_no, sizeof k.insurer_no, fd[i].r[j].f[1]);
            str_cut(k.insured_no, sizeof k.insured_no, fd[i].r[j].f[2]);
            struct facts_buf fb;
            bool ok = false;
            if (st->acc->facts_load(st, &k, a, NEED_RELS, &fb) == 0) {
                for (size_t x = 0; x < fb.nrels && !ok; x++)
                    ok = !strcmp(fb.rels[x].org, a->org) && relationship_active(&fb.rels[x], now, lapse_months());
                facts_free(&fb);
            }
            if (!ok) {
                ue->file = names[i];
                upload_err(ue, fd[i].r[j].line, 3, "被保険者番号", "この事業所が担当事業所として登録されていない利用者です");
            }
        }
    if (json_array_size(ue->arr))
        return 1;
    long bad;
    if (st->ops->begin(st))
        return -1;
    bad = cps_import(st, a, fd, names, n, sets, unit_err, ue);
    if (bad == 0)
        bad = cps_deliveries(st, fd, names, n, a->org, now, unit_err, ue);
    for (size_t i = 0; i < n && bad == 0; i++) /* 実績 keeps the relationship alive */
        for (size_t j = 0; fd[i].name.file == CP_UPJSK && j < fd[i].n && bad == 0; j++) {
            struct person_key k = {{0}, {0}};
            str_cut(k.insurer_no, sizeof k.insurer_no, fd[i].r[j].f[1]);
            str_cut(k.insured_no, sizeof k.insured_no, fd[i].r[j].f[2]);
            int rc = st->acc->relationship_actual(st, &k, a->org, (int)strtol(fd[i].r[j].f[4], NULL, 10));
            bad = rc < 0 ? -1 : 0;
        }
    if (bad == 0 && st->ops->commit(st))
        bad = -1;
    if (bad != 0)
        st->ops->rollback(st);
    return bad < 0 ? -1 : bad > 0 ? 1 : 0;
}

/* h_exchange_upload - one send unit from an office, as Base64 files in JSON (unit_accept). */
int h_exchange_upload(struct req *r)
{
    struct store *st = store_or_503(r);
    struct actor a;
    struct org o;
    if (!st || office_of(r, st, &a, &o))
        return 0;
    json_error_t je;
    json_t *body = json_loadb(r->body.ptr ? r->body.ptr : "", r->body.len, JSON_REJECT_DUPLICATES, &je);
    json_t *files = json_object_get(body, "files");
    if (!json_is_array(files) || json_array_size(files) == 0 || json_array_size(files) > UNIT_MAX_FILES) {
        json_decref(body);
        return http_error(r, 400, "bad_json", "files(1〜32件の {\"name\",\"data\"(Base64)})を送ってください");
    }
    size_t n = json_array_size(files);
    struct cp_filedata *fd = xcalloc(n, sizeof *fd);
    const char **names = xcalloc(n, sizeof *names);
    struct upload_errs ue = {json_array(), ""};
    for (size_t i = 0; i < n; i++) {
        json_t *f = json_array_get(files, i);
        const char *name = json_string_value(json_object_get(f, "name"));
        const char *b64 = json_string_value(json_object_get(f, "data"));
        names[i] = name ? name : "";
        ue.file = names[i];
        if (!name || !b64 || strchr(name, '/')) {
            upload_err(&ue, 0, 0, "", "name と data(Base64)が必要です");
            continue;
        }
        size_t cap = strlen(b64) / 4 * 3 + 3, len = 0;
        unsigned char *bin = xmalloc(cap);
        if (sodium_base642bin(bin, cap, b64, strlen(b64), NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL)) {
            upload_err(&ue, 0, 0, "", "data が Base64 として読めません");
            free(bin);
            continue;
        }
        cpfile_read(name, (const char *)bin, len, &fd[i], upload_err, &ue);
        free(bin);
    }
    char stamp[15] = "";
    if (n)
        str_cut(stamp, sizeof stamp, fd[0].name.stamp);
    long sets = 0;
    int bad = unit_accept(st, &a, &o, fd, names, n, &ue, &sets);
    long records = 0;
    for (size_t i = 0; i < n; i++) {
        records += (long)fd[i].n;
        cpfile_free(&fd[i]);
    }
    free(fd);
    free(names);
    json_decref(body);
    if (bad < 0) {
        json_decref(ue.arr);
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    }
    if (bad > 0) {
        json_t *e = json_pack("{s:{s:s,s:s,s:o,s:s}}", "error", "code", "invalid_unit", "message",
                              "送信単位に誤りがあるため、全体を受け付けませんでした", "details", ue.arr,
                              "request_id", r->request_id);
        return respond_json(r, 422, e);
    }
    json_decref(ue.arr);
    return respond_json(r, 201, json_pack("{s:s,s:I,s:I,s:I,s:s}", "stamp", stamp, "files", (json_int_t)n,
                                          "records", (json_int_t)records, "sets", (json_int_t)sets,
                                          "message", "送信単位を受け付けました"));
}

struct inbox_ctx {
    struct delivery *v;
    size_t n;
};

static int inbox_row(void *c, const struct delivery *d)
{
    struct inbox_ctx *x = c;
    if (x->n >= 1000)
        return 1;
    x->v = xrealloc(x->v, (x->n + 1) * sizeof *x->v);
    x->v[x->n++] = *d;
    return 0;
}

/* inbox_load - the office's deliveries not yet acknowledged, each person named through the
 * gate (計画: 担当 + 同意) and audited first, so a lapsed relationship hides its rows; the
 * allowed ones in *out (caller frees). -1 after answering. */
int inbox_load(struct req *r, struct delivery **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    struct store *st = store_or_503(r);
    struct actor a;
    struct org o;
    if (!st || office_of(r, st, &a, &o))
        return -1;
    struct inbox_ctx x = {NULL, 0};
    if (st->acc->deliveries_open(st, a.org, inbox_row, &x)) {
        free(x.v);
        return http_error(r, 500, "internal", "内部エラーが発生しました"), -1;
    }
    struct person_key *persons = xcalloc(x.n ? x.n : 1, sizeof *persons);
    bool *ok = xcalloc(x.n ? x.n : 1, sizeof *ok);
    for (size_t i = 0; i < x.n; i++)
        persons[i] = x.v[i].person;
    enum disclose_status s = disclose_persons(st, srv_auditq, &a, CAT_CAREPLAN, PURPOSE_CARE, persons, x.n,
                                              r->request_id, clock_now_ms(), ok);
    size_t n = 0;
    for (size_t i = 0; s == DISCLOSE_OK && i < x.n; i++)
        if (ok[i])
            x.v[n++] = x.v[i];
    free(persons);
    free(ok);
    if (s != DISCLOSE_OK) {
        free(x.v);
        if (s == DISCLOSE_AUDIT_FAILED)
            http_error(r, 503, "audit_unavailable", "アクセス記録を保存できないため、情報を開示できません");
        else
            http_error(r, 500, "internal", "内部エラーが発生しました");
        return -1;
    }
    *out = x.v;
    *nout = n;
    return 0;
}

/* h_inbox - the office's deliveries not yet acknowledged (inbox_load), as JSON. */
int h_inbox(struct req *r)
{
    struct delivery *v;
    size_t n;
    if (inbox_load(r, &v, &n))
        return 0;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        char t[64];
        ms_iso(v[i].created_ms, t);
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "insurer_no", v[i].person.insurer_no,
                                             "insured_no", v[i].person.insured_no, "stamp", v[i].stamp, "what",
                                             v[i].what, "from", v[i].from_org, "received_at", t, "downloaded",
                                             v[i].downloaded_ms != 0));
    }
    free(v);
    return respond_json(r, 200, json_pack("{s:o}", "deliveries", arr));
}

/* delivery_target - the caller's office, the person and the unit's timestamp of a
 * delivery route; NULL after answering. */
static struct store *delivery_target(struct req *r, struct actor *a, struct org *o, struct person_key *k,
                                     char stamp[15])
{
    struct store *st = store_or_503(r);
    if (!st || office_of(r, st, a, o) || person_param(r, k))
        return NULL;
    if (r->params[2].len != 14) {
        http_error(r, 404, "not_found", "該当する情報が見つかりません");
        return NULL;
    }
    snprintf(stamp, 15, "%.14s", r->params[2].ptr);
    return st;
}

/* d_delivery - one delivery's send unit, through the gate (計画), then marked downloaded. */
int d_delivery(struct req *r)
{
    struct actor a;
    struct org o;
    struct person_key k;
    char stamp[15];
    struct store *st = delivery_target(r, &a, &o, &k, stamp);
    if (!st)
        return 0;
    r->dlv = xmalloc(sizeof *r->dlv);
    int rc = st->acc->delivery_get(st, &k, a.org, stamp, r->dlv);
    if (rc)
        return rc < 0 ? http_error(r, 500, "internal", "内部エラーが発生しました")
                      : http_error(r, 404, "not_found", "該当する情報が見つかりません");
    str_cut(r->office_no, sizeof r->office_no, o.office_no);
    return d_docs(r); /* the route's category is 計画; the answer is built from r->dlv */
}

int h_delivery_ack(struct req *r)
{
    struct actor a;
    struct org o;
    struct person_key k;
    char stamp[15];
    struct store *st = delivery_target(r, &a, &o, &k, stamp);
    if (!st)
        return 0;
    int rc = st->acc->delivery_mark(st, &k, a.org, stamp, true, clock_now_ms());
    if (rc < 0)
        return http_error(r, 500, "internal", "内部エラーが発生しました");
    if (rc)
        return http_error(r, 404, "not_found", "該当する情報が見つかりません");
    return respond_json(r, 200, json_pack("{s:s}", "message", "受領を確認しました"));
}

