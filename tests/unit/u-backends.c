/* u-backends.c - one scenario over every operation of the store's shared logic (store/records.c,
 * store/access.c, store/auditlog.c) and each backend's own part (transactions, snapshots, the
 * access reports), run on SQLite and on PostgreSQL (a throw-away cluster, tests/unit/testpg.h,
 * as the application's role), issue #22:
 *  - each step's result is written to a transcript, and the two transcripts must be equal line
 *    for line (the same ids, versions, serials, rows in the same order, the same NOTFOUNDs);
 *  - the scenario also checks what the interface promises (store.h, access.h) on its own, so
 *    that two backends wrong in the same way still fail.
 * Times come from the scenario, never the clock, except recorded_at (left out of the transcript). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "domain/audit.h"
#include "domain/papertoken.h"
#include "store/store.h"
#include "testdb.h"
#include "testpg.h"

#define T0 1767225600000LL /* 2026-01-01T00:00:00Z, the scenario's clock */

struct transcript {
    char *buf;
    size_t len, cap;
};

__attribute__((format(printf, 2, 3))) static void note(struct transcript *t, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof line);
    if (t->len + (size_t)n + 2 > t->cap) {
        t->cap = 2 * (t->cap + (size_t)n + 2);
        t->buf = realloc(t->buf, t->cap);
        assert_non_null(t->buf);
    }
    memcpy(t->buf + t->len, line, (size_t)n);
    t->len += (size_t)n;
    t->buf[t->len++] = '\n';
    t->buf[t->len] = '\0';
}

static struct transcript *T; /* the transcript the callbacks write to */

static int on_record(void *ctx, const char *a, const char *rkey, const char *body)
{
    note(T, "  %s %s|%s|%s", (const char *)ctx, a, rkey, body);
    return 0;
}

static int on_scan_insurer(void *ctx, const char *no, const char *kind, const char *rkey, const char *body)
{
    (void)ctx;
    note(T, "  scan %s %s|%s|%s", no, kind, rkey, body);
    return 0;
}

static int on_history(void *ctx, const struct store_version *v)
{
    (void)ctx;
    note(T, "  history %s|%s v%lld %s by %s for %s", v->kind, v->rkey, v->version, v->body, v->author, v->reason);
    return 0;
}

static int on_insurer(void *ctx, const struct insurer *ins, long long persons)
{
    (void)ctx;
    note(T, "  insurer %s %s %s persons=%lld", ins->insurer_no, ins->name, ins->prefecture, persons);
    return 0;
}

static int on_person(void *ctx, const char *no)
{
    note(T, "  %s %s", (const char *)ctx, no);
    return 0;
}

static int on_org(void *ctx, const struct org *o)
{
    (void)ctx;
    note(T, "  org %s kind=%d %s ins=%s office=%s", o->id, (int)o->kind, o->name, o->insurer_no, o->office_no);
    return 0;
}

static int on_delivery(void *ctx, const struct delivery *d)
{
    note(T, "  %s %s/%s to=%s %s %s from=%s c=%lld dl=%lld ack=%lld", (const char *)ctx, d->person.insurer_no,
         d->person.insured_no, d->to_org, d->stamp, d->what, d->from_org, (long long)d->created_ms,
         (long long)d->downloaded_ms, (long long)d->acked_ms);
    return 0;
}

static int on_proxy_for(void *ctx, const struct proxy_for *p)
{
    (void)ctx;
    note(T, "  acts for %lld %s/%s kind=%d cats=%u %s", (long long)p->id, p->person.insurer_no,
         p->person.insured_no, (int)p->kind, p->cats, p->label);
    return 0;
}

static int on_bg(void *ctx, const struct breakglass_row *b)
{
    (void)ctx;
    note(T, "  breakglass %lld %s %lld-%lld %s %s reviewed=%lld by %s", (long long)b->g.id, b->g.account,
         (long long)b->g.started_ms, (long long)b->g.expires_ms, b->org, b->reason, (long long)b->reviewed_ms,
         b->reviewed_by);
    return 0;
}

static int on_paper_reg(void *ctx, const struct paper_reg_row *r)
{
    (void)ctx;
    note(T, "  paper reg %lld %s/%s %s (%s) %s by %s", (long long)r->id, r->person.insurer_no, r->person.insured_no,
         r->org, r->org_name, r->evidence, r->created_by);
    return 0;
}

static int on_org_person(void *ctx, const struct person_key *k, int64_t started, int ym)
{
    (void)ctx;
    note(T, "  org person %s/%s since %lld ym=%d", k->insurer_no, k->insured_no, (long long)started, ym);
    return 0;
}

static int on_org_request(void *ctx, const struct org_request *r)
{
    (void)ctx;
    note(T, "  request %s/%s %s opened=%lld closed=%lld answered=%lld draft=%d", r->person.insurer_no,
         r->person.insured_no, r->app_id, (long long)r->opened_ms, (long long)r->closed_ms,
         (long long)r->answered_ms, r->draft);
    return 0;
}

static int g_consent(void *ctx, const struct consent *c, const char *by)
{
    (void)ctx;
    note(T, "  consent %lld kind=%d cats=%u %lld-%lld to=%s by %s", (long long)c->id, (int)c->kind, c->cats,
         (long long)c->valid_from, (long long)c->valid_to, c->grantee, by);
    return 0;
}
static int g_withdrawal(void *ctx, const struct withdrawal *w, const char *by)
{
    (void)ctx;
    note(T, "  withdrawal %lld cats=%u at %lld from=%s by %s", (long long)w->id, w->cats, (long long)w->at_ms,
         w->grantee, by);
    return 0;
}
static int g_proxy(void *ctx, const struct proxy *p, const char *login, const char *basis)
{
    (void)ctx;
    note(T, "  proxy %lld %s kind=%d cats=%u revoked=%lld login=%s basis=%s", (long long)p->id, p->account,
         (int)p->kind, p->cats, (long long)p->revoked_ms, login, basis);
    return 0;
}
static int g_rel(void *ctx, const struct relationship *r, const char *name)
{
    (void)ctx;
    note(T, "  relationship %lld %s (%s) %lld-%lld ym=%d", (long long)r->id, r->org, name, (long long)r->started_ms,
         (long long)r->ended_ms, (int)r->last_actual_ym);
    return 0;
}
static int g_invite(void *ctx, const struct proxy_invite *i)
{
    (void)ctx;
    note(T, "  invite %lld kind=%d cats=%u %s %lld-%lld", (long long)i->id, (int)i->kind, i->cats, i->label,
         (long long)i->created_ms, (long long)i->expires_ms);
    return 0;
}

static int on_access(void *ctx, const struct access_row *r)
{
    (void)ctx;
    note(T, "  access %lld t=%lld %s %s (%s) %s %s %s %s %s flags=%u name=%s", (long long)r->seq,
         (long long)r->time_ms, r->actor, r->org, r->org_name, r->role, r->category, r->purpose, r->basis,
         r->outcome, r->flags, r->actor_name);
    return 0;
}

static int on_scope(void *ctx, const struct scope_row *r)
{
    (void)ctx;
    note(T, "  scope %s/%s %s allowed=%lld denied=%lld", r->person.insurer_no, r->person.insured_no, r->category,
         r->allowed, r->denied);
    return 0;
}

static int on_raw(void *ctx, int64_t seq, const unsigned char *entry, size_t n, const unsigned char leaf[32])
{
    (void)ctx;
    unsigned char h[AUDIT_HASH_BYTES];
    audit_leaf_hash(entry, n, h);
    assert_memory_equal(h, leaf, AUDIT_HASH_BYTES); /* the stored leaf is the entry's */
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, leaf, 32);
    note(T, "  entry %lld %zu bytes leaf %.16s", (long long)seq, n, hex);
    return 0;
}

static int on_block(void *ctx, int64_t blk, const unsigned char root[AUDIT_HASH_BYTES])
{
    ++*(int *)ctx;
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, root, 32);
    note(T, "  block %lld root %.16s", (long long)blk, hex);
    return 0;
}

static int on_ckpt(void *ctx, const struct audit_checkpoint *c)
{
    const unsigned char *pk = ctx;
    assert_true(audit_checkpoint_verify(c, pk));
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, c->root, 32);
    note(T, "  checkpoint %s size %lld root %.16s", c->insurer_no, (long long)c->size, hex);
    return 0;
}

static int on_audit_insurer(void *ctx, const char *no)
{
    (void)ctx;
    note(T, "  log of %s", no);
    return 0;
}

static void entry(struct audit_entry *e, const char *insured, int64_t t, enum role role, const char *actor,
                  const char *org, enum category c, enum outcome o)
{
    memset(e, 0, sizeof *e);
    strcpy(e->insurer_no, "122192");
    e->time_ms = t;
    snprintf(e->actor, sizeof e->actor, "%s", actor);
    snprintf(e->org, sizeof e->org, "%s", org);
    e->role = role;
    strcpy(e->insured_no, insured);
    e->category = c;
    e->purpose = PURPOSE_CARE;
    e->basis = BASIS_CONSENT;
    e->outcome = o;
}

#define OK(x)                                                                                      \
    do {                                                                                           \
        int rc_ = (x);                                                                             \
        if (rc_ != 0)                                                                              \
            print_error("%s: %d %s\n", #x, rc_, store_errmsg(st));                                \
        assert_int_equal(rc_, 0);                                                                  \
    } while (0)

/* scenario - every operation once or more; checks of store.h's and access.h's promises */
static void scenario(struct store *st, struct transcript *t)
{
    const struct store_ops *o = st->ops;
    const struct store_access_ops *a = st->acc;
    T = t;
    struct person_key k1 = {"122192", "0000000017"}, k2 = {"122192", "0000000025"}, kx = {"122192", "0000000099"};
    int created = 0, changed = 0;
    long long ch;

    /* insurers */
    OK(store_insurer_ensure(st, "122192", "test", &created));
    assert_int_equal(created, 1);
    OK(store_insurer_ensure(st, "131016", "test", &created));
    struct insurer ins;
    OK(o->insurer_get(st, "122192", &ins));
    note(t, "insurer %s %s %s card_issue=%d", ins.insurer_no, ins.name, ins.prefecture, (int)ins.card_issue);
    assert_int_equal(o->insurer_get(st, "999999", &ins), STORE_NOTFOUND);
    OK(o->insurer_set_name(st, "131016", "千代田区（試験）"));
    assert_int_equal(o->insurer_set_name(st, "999999", "x"), STORE_NOTFOUND);
    OK(o->insurer_set_policy(st, "122192", CARD_ISSUE_APPLICATION, (struct date){2026, 4, 1}));
    OK(o->insurer_get(st, "122192", &ins));
    assert_int_equal(ins.card_issue, CARD_ISSUE_APPLICATION);
    note(t, "policy %d %04d-%02d-%02d", (int)ins.card_issue, ins.platform_start.y, ins.platform_start.m,
         ins.platform_start.d);

    /* records: versions, current copies, scans, history */
    OK(o->begin(st));
    OK(o->change_begin(st, "import:test", "取込", &ch));
    note(t, "change %lld", ch);
    assert_int_equal(o->kind_empty(st, "122192", "insured"), 1);
    OK(o->record_put_first(st, &k1, "insured", "", "{\"name\":\"介護 太郎\"}", ch));
    OK(o->record_put(st, &k2, "insured", "", "{\"name\":\"介護 花子\"}", ch, &changed));
    assert_int_equal(changed, 1);
    OK(o->record_put(st, &k1, "certification", "2026-04-01", "{\"level\":\"21\"}", ch, &changed));
    OK(o->record_put(st, &k1, "application", "A1", "{\"state\":\"received\"}", ch, &changed));
    OK(o->record_put(st, &k2, "application", "A2", "{\"state\":\"received\"}", ch, &changed));
    OK(o->record_put(st, &k1, "cp.UPPLAN", "202604", "{\"units\":1000}", ch, &changed));
    OK(o->record_put(st, &k1, "ledger", "2026", "{\"paid\":1}", ch, &changed));
    OK(o->import_run_add(st, ch, "insured", "ab12", 2, 2));
    OK(o->commit(st));
    assert_int_equal(o->kind_empty(st, "122192", "insured"), 0);
    /* a batch of first versions (PostgreSQL: COPY), bodies with COPY's special bytes */
    {
        static const char odd[] = "{\"name\":\"a\\\\b\tc\nd\re \\\\N\"}";
        struct person_key k3 = {"131016", "0000000033"}, k4 = {"131016", "0000000041"};
        struct record_row rows[] = {
            {k3, "insured", "", odd},
            {k4, "insured", "", "{}"},
            {k3, "certification", "2026-05-01", "{\"level\":\"12\"}"},
        };
        OK(o->begin(st));
        OK(o->change_begin(st, "import:test", "一括取込", &ch));
        assert_int_equal(o->kind_empty(st, "131016", "insured"), 1);
        OK(o->record_put_first_batch(st, rows, 3, ch));
        OK(o->commit(st));
        char *b = NULL;
        OK(o->record_get_current(st, &k3, "insured", "", &b));
        assert_string_equal(b, odd);
        free(b);
        OK(o->record_list_current(st, &k3, on_record, "batch"));
        assert_int_equal(o->person_exists(st, &k4), 1);
        /* several at once, in the caller's order; a number no person can have is simply absent */
        struct person_key ks[] = {k4, {"131016", "0000000099"}, k3, {"131016", "000000003'"}, {"131016", ""}};
        bool ex[5] = {false, true, false, true, true};
        OK(o->persons_exist(st, ks, 5, ex));
        assert_true(ex[0] && !ex[1] && ex[2] && !ex[3] && !ex[4]);
        OK(o->persons_exist(st, ks, 0, ex));
    }
    OK(o->begin(st));
    OK(o->change_begin(st, "user:1", "変更申請", &ch));
    OK(o->record_put(st, &k1, "certification", "2026-04-01", "{\"level\":\"21\"}", ch, &changed));
    assert_int_equal(changed, 0); /* the same body: no new version */
    OK(o->record_put(st, &k1, "certification", "2026-04-01", "{\"level\":\"22\"}", ch, &changed));
    assert_int_equal(changed, 1);
    OK(o->record_put(st, &k1, "application", "A1", "{\"state\":\"decided\"}", ch, &changed));
    OK(o->record_put(st, &k1, "cp.UPPLAN", "202604", "{\"units\":1200}", ch, &changed));
    OK(o->commit(st));
    note(t, "change %lld", ch);
    assert_int_equal(o->person_exists(st, &k1), 1);
    assert_int_equal(o->person_exists(st, &kx), 0);
    char *body = NULL;
    OK(o->record_get_current(st, &k1, "certification", "2026-04-01", &body));
    assert_string_equal(body, "{\"level\":\"22\"}");
    free(body);
    assert_int_equal(o->record_get_current(st, &kx, "insured", "", &body), STORE_NOTFOUND);
    OK(o->read_begin(st));
    OK(o->read_begin(st)); /* nested */
    note(t, "current of k1:");
    OK(o->record_list_current(st, &k1, on_record, "cur"));
    OK(o->read_end(st));
    note(t, "applications of k1:");
    OK(o->record_list_kind(st, &k1, "application", on_record, "kind"));
    OK(o->read_end(st));
    note(t, "worklist:");
    OK(o->record_scan_kind(st, "122192", "application", NULL, on_record, "app"));
    note(t, "plans of 202604:");
    OK(o->record_scan_kind(st, "122192", "cp.UPPLAN", "202604", on_record, "plan"));
    assert_int_equal(o->record_scan_kind(st, "122192", "ledger", NULL, on_record, "x"), -1); /* no index */
    note(t, "statistics scan:");
    OK(o->record_scan_insurer(st, "122192", on_scan_insurer, NULL));
    note(t, "history of k1:");
    OK(o->record_history(st, &k1, on_history, NULL));
    note(t, "insurers:");
    OK(o->insurer_list(st, on_insurer, NULL));
    note(t, "persons:");
    OK(o->persons_of_insurer(st, "122192", NULL, false, on_person, "all"));
    OK(o->persons_of_insurer(st, "122192", NULL, true, on_person, "applicants"));
    OK(o->persons_of_insurer(st, "122192", "2000-01-01", false, on_person, "since"));
    OK(o->persons_of_insurer(st, "122192", "2999-01-01", false, on_person, "since-future"));

    /* population, 地域区分 */
    OK(o->population_put(st, "122192", (struct date){2025, 10, 1}, 270000, T0, "test"));
    OK(o->population_put(st, "122192", (struct date){2025, 10, 1}, 271000, T0, "test")); /* replaces */
    long long pop;
    struct date as_of;
    OK(o->population_get(st, "122192", (struct date){2026, 1, 1}, &pop, &as_of));
    assert_int_equal(pop, 271000);
    note(t, "population %lld as of %04d-%02d-%02d", pop, as_of.y, as_of.m, as_of.d);
    assert_int_equal(o->population_get(st, "122192", (struct date){2024, 1, 1}, &pop, &as_of), STORE_NOTFOUND);
    OK(o->chiiki_put(st, "122190", "市原市", 6, (struct date){2024, 4, 1}, (struct date){2027, 3, 31}, ch));
    OK(o->chiiki_put(st, "122190", "市原市", 5, (struct date){2024, 4, 1}, (struct date){2027, 3, 31}, ch));
    int grade;
    OK(o->chiiki_grade(st, "122190", (struct date){2026, 5, 1}, &grade));
    assert_int_equal(grade, 5);
    assert_int_equal(o->chiiki_grade(st, "122190", (struct date){2023, 5, 1}, &grade), STORE_NOTFOUND);
    note(t, "grade %d", grade);

    /* paper documents */
    struct paper_token p = {.kind = PAPER_CARD, .insurer_no = "122192", .insured_no = "0000000017",
                            .issued = {2026, 4, 1}, .valid_from = {2026, 4, 1}, .valid_to = {2027, 3, 31}};
    memset(p.content_hash, 0xab, sizeof p.content_hash);
    uint32_t next;
    OK(o->paper_next_serial(st, "122192", &next));
    assert_int_equal(next, 1);
    OK(o->paper_issue(st, &p, ch));
    p.serial = 0;
    p.kind = PAPER_BURDEN;
    p.valid_from = p.valid_to = (struct date){0, 0, 0};
    OK(o->paper_issue(st, &p, ch));
    note(t, "serial %u", p.serial);
    assert_int_equal(p.serial, 2);
    p.serial = 7; /* chosen by the print */
    p.kind = PAPER_CARD;
    OK(o->paper_issue(st, &p, ch));
    assert_int_not_equal(o->paper_issue(st, &p, ch), 0); /* taken */
    o->settle(st);
    OK(o->paper_next_serial(st, "122192", &next));
    assert_int_equal(next, 8);
    struct paper_record r;
    OK(o->paper_record(st, "122192", 1, &r));
    note(t, "paper 1 found=%d %s kind=%d revoked=%d latest=%u", r.found, r.insured_no, (int)r.kind, r.revoked,
         r.latest);
    assert_true(r.found && r.latest == 7);
    OK(o->paper_revoke(st, "122192", 1, ch));
    assert_int_equal(o->paper_revoke(st, "122192", 1, ch), STORE_NOTFOUND); /* once */
    OK(o->paper_record(st, "122192", 1, &r));
    assert_true(r.revoked);
    OK(o->paper_record(st, "122192", 99, &r));
    assert_false(r.found);

    /* organisations and the exchange relay */
    struct org org = {.id = "ichihara", .kind = ORG_INSURER, .name = "市原市", .insurer_no = "122192"};
    OK(a->org_add(st, &org, "test"));
    struct org cm = {.id = "cm1", .kind = ORG_KYOTAKU, .name = "居宅 さくら", .office_no = "1270000011"};
    OK(a->org_add(st, &cm, "test"));
    struct org pr = {.id = "pv1", .kind = ORG_PROVIDER, .name = "訪問介護 あおば", .service_types = "11"};
    OK(a->org_add(st, &pr, "test"));
    struct org got;
    OK(a->org_by_office(st, "1270000011", &got));
    assert_string_equal(got.id, "cm1");
    assert_int_equal(a->org_get(st, "nope", &got), STORE_NOTFOUND);
    OK(a->org_list(st, on_org, NULL));
    struct delivery dl = {.person = k1, .to_org = "pv1", .stamp = "20260401120000", .what = "month:202604",
                          .to_kind = "11", .from_org = "cm1", .created_ms = T0};
    OK(a->delivery_add(st, &dl));
    OK(a->delivery_add(st, &dl)); /* a resend is one delivery */
    OK(a->delivery_mark(st, &k1, "pv1", "20260401120000", false, T0 + 5));
    OK(a->delivery_mark(st, &k1, "pv1", "20260401120000", false, T0 + 9)); /* the first time is kept */
    assert_int_equal(a->delivery_mark(st, &k1, "pv1", "20990101000000", true, T0), STORE_NOTFOUND);
    OK(a->deliveries_open(st, "pv1", on_delivery, "open"));
    OK(a->delivery_mark(st, &k1, "pv1", "20260401120000", true, T0 + 10));
    OK(a->deliveries_open(st, "pv1", on_delivery, "open-after-ack"));
    OK(a->deliveries_sent(st, &k1, "cm1", on_delivery, "sent"));
    struct delivery dg;
    OK(a->delivery_get(st, &k1, "pv1", "20260401120000", &dg));
    assert_int_equal(dg.downloaded_ms, T0 + 5);

    /* accounts, sessions, tokens */
    struct account acc = {.staff = true, .org = "cm1", .display_name = "ケアマネ 一郎", .perms = "breakglass"};
    strcpy(acc.login, "cm-ichiro");
    strcpy(acc.password_hash, "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g");
    memset(acc.totp_secret, 7, sizeof acc.totp_secret);
    OK(a->account_add(st, &acc, "test"));
    struct account fam = {.staff = false, .display_name = "介護 次郎"};
    strcpy(fam.login, "jiro");
    strcpy(fam.password_hash, acc.password_hash);
    OK(a->account_add(st, &fam, "test"));
    note(t, "accounts %lld %lld", (long long)acc.id, (long long)fam.id);
    struct account ga;
    OK(a->account_by_login(st, "cm-ichiro", &ga));
    assert_int_equal(ga.id, acc.id);
    assert_memory_equal(ga.totp_secret, acc.totp_secret, sizeof ga.totp_secret);
    assert_string_equal(ga.org, "cm1");
    OK(a->account_get(st, fam.id, &ga));
    assert_string_equal(ga.org, "");
    assert_int_equal(a->account_get(st, 999, &ga), STORE_NOTFOUND);
    OK(a->account_totp_step(st, acc.id, 100));
    assert_int_equal(a->account_totp_step(st, acc.id, 100), STORE_NOTFOUND); /* replay */
    unsigned char sid[32];
    memset(sid, 0x5a, sizeof sid);
    OK(a->session_add(st, sid, acc.id, T0, false));
    OK(a->session_touch(st, sid, T0 + 1000));
    struct session ss;
    OK(a->session_get(st, sid, &ss));
    assert_int_equal(ss.last_seen_ms, T0 + 1000);
    long long nsess;
    OK(a->session_count(st, T0, T0, &nsess));
    assert_int_equal(nsess, 1);
    OK(a->session_end(st, sid, T0 + 2000));
    OK(a->session_get(st, sid, &ss));
    note(t, "session %lld %lld %lld %lld %d", (long long)ss.account_id, (long long)ss.created_ms,
         (long long)ss.last_seen_ms, (long long)ss.ended_ms, ss.breakglass);
    int64_t tok;
    OK(a->token_add(st, "ichihara", "連携", sid, "test", &tok));
    struct api_token at;
    OK(a->token_get(st, tok, &at));
    assert_memory_equal(at.secret_hash, sid, 32);
    OK(a->token_revoke(st, tok, T0));
    assert_int_equal(a->token_revoke(st, tok, T0), STORE_NOTFOUND);
    note(t, "token %lld revoked %lld", (long long)tok, (long long)(a->token_get(st, tok, &at), at.revoked_ms));

    /* grants and the gate's facts */
    int64_t id;
    struct consent c = {.kind = CONSENT_MUNICIPAL, .cats = CAT_BIT(CAT_SHIKAKU) | CAT_BIT(CAT_IKENSHO),
                        .valid_from = T0, .recorded_ms = T0};
    OK(a->consent_add(st, &k1, &c, "市原市 窓口", "user:1", &id));
    note(t, "consent %lld", (long long)id);
    struct withdrawal w = {.cats = CAT_BIT(CAT_IKENSHO), .at_ms = T0 + 100, .grantee = "pv1"};
    OK(a->withdrawal_add(st, &k1, &w, "person", &id));
    OK(a->relationship_add(st, &k1, "cm1", T0, "code", "", "user:1", &id));
    OK(a->relationship_add(st, &k1, "pv1", T0 + 1, "paper", "122192/1: visual check", "user:1", &id));
    OK(a->relationship_actual(st, &k1, "cm1", 202604));
    assert_int_equal(a->relationship_actual(st, &k1, "cm1", 202603), STORE_NOTFOUND); /* older: kept */
    assert_int_equal(a->relationship_end(st, &k2, "cm1", T0), STORE_NOTFOUND);
    struct proxy px = {.kind = PROXY_FAMILY, .cats = CAT_BIT(CAT_SHIKAKU), .valid_from = T0};
    OK(a->proxy_add(st, &k1, &px, fam.id, "戸籍謄本", T0, "user:1", &id));
    int64_t family_proxy = id;
    struct proxy_invite inv = {.person = k1, .kind = PROXY_GUARDIAN, .cats = CAT_BIT(CAT_CHOSA), .label = "後見人",
                               .created_ms = T0, .expires_ms = T0 + 86400000};
    memset(inv.code_hash, 0x11, 32);
    OK(a->proxy_invite_add(st, &inv, "person", &id));
    struct proxy_invite inv2 = inv;
    memset(inv2.code_hash, 0x22, 32);
    int64_t inv2_id;
    OK(a->proxy_invite_add(st, &inv2, "person", &inv2_id));
    struct proxy_for pf;
    OK(o->begin(st));
    OK(a->proxy_invite_redeem(st, inv.code_hash, fam.id, T0 + 10, "user:2", &pf));
    OK(o->commit(st));
    note(t, "redeemed into proxy %lld", (long long)pf.id);
    assert_int_equal(a->proxy_invite_redeem(st, inv.code_hash, fam.id, T0 + 11, "user:2", &pf), STORE_NOTFOUND);
    OK(a->proxy_invite_cancel(st, &k1, inv2_id, T0 + 12, "person"));
    assert_int_equal(a->proxy_invite_cancel(st, &k1, inv2_id, T0 + 13, "person"), STORE_NOTFOUND);
    OK(a->account_proxies(st, fam.id, T0 + 20, on_proxy_for, NULL));
    /* the family's proxy revoked: once, by its own person only; the guardian's (redeemed) stays */
    assert_int_equal(a->proxy_revoke(st, &k2, family_proxy, T0 + 21, "person"), STORE_NOTFOUND);
    OK(a->proxy_revoke(st, &k1, family_proxy, T0 + 21, "person"));
    assert_int_equal(a->proxy_revoke(st, &k1, family_proxy, T0 + 22, "person"), STORE_NOTFOUND);
    note(t, "after revoking proxy %lld:", (long long)family_proxy);
    OK(a->account_proxies(st, fam.id, T0 + 23, on_proxy_for, NULL));
    OK(a->breakglass_add(st, &k1, acc.id, "cm1", "救急搬送", T0 + 30, &id));
    OK(a->breakglass_reviews(st, "122192", true, on_bg, NULL));
    OK(a->breakglass_close(st, "122192", id, "user:1", "妥当", T0 + 40));
    assert_int_equal(a->breakglass_close(st, "122192", id, "user:1", "again", T0 + 41), STORE_NOTFOUND);
    OK(a->breakglass_reviews(st, "122192", false, on_bg, NULL));
    OK(a->paper_registrations(st, "122192", 0, on_paper_reg, NULL));
    OK(a->org_persons(st, "cm1", on_org_person, NULL));
    OK(a->consent_holders(st, "122192", CAT_BIT(CAT_SHIKAKU), on_person, "holder"));
    OK(a->consent_holders(st, "122192", CAT_BIT(CAT_NIJI), on_person, "holder-niji"));
    struct actor act = {.role = ROLE_CAREMGR, .id = "user:1", .org = "cm1"};
    struct facts_buf fb;
    OK(a->facts_load(st, &k1, &act, NEED_CONSENT | NEED_RELS | NEED_PROXIES | NEED_BREAKGLASS | NEED_REQUESTS, &fb));
    note(t, "facts consents=%zu withdrawals=%zu rels=%zu proxies=%zu bgs=%zu reqs=%zu", fb.nconsents,
         fb.nwithdrawals, fb.nrels, fb.nproxies, fb.nbgs, fb.nreqs);
    assert_int_equal(fb.nrels, 1); /* only the caller's organisation's */
    assert_int_equal(fb.rels[0].last_actual_ym, 202604);
    facts_free(&fb);
    struct person_grants_fn gf = {g_consent, g_withdrawal, g_proxy, g_rel, on_bg, g_invite};
    OK(a->person_grants(st, &k1, &gf, NULL));

    /* 意見書 requests and drafts, plan months, visits, codes, security events */
    OK(a->request_add(st, &k1, "pv1", T0 + 50, "user:1", "A1", &id));
    OK(a->draft_put(st, &k1, "A1", "pv1", "{\"draft\":1}", T0 + 60, "user:3"));
    OK(a->draft_put(st, &k1, "A1", "pv1", "{\"draft\":2}", T0 + 61, "user:3")); /* replaces */
    char *draft = NULL;
    int64_t saved;
    OK(a->draft_get(st, &k1, "A1", "pv1", &draft, &saved));
    assert_string_equal(draft, "{\"draft\":2}");
    free(draft);
    OK(a->org_requests(st, "pv1", on_org_request, NULL));
    OK(a->request_answered(st, &k1, "A1", "pv1", T0 + 70));
    assert_int_equal(a->draft_get(st, &k1, "A1", "pv1", &draft, &saved), STORE_NOTFOUND); /* the draft went */
    OK(a->request_close(st, &k1, "pv1", T0 + 80));
    OK(a->org_requests(st, "pv1", on_org_request, NULL));
    struct plan_month pm;
    assert_int_equal(a->plan_month_get(st, &k1, "cm1", "202604", &pm, NULL), STORE_NOTFOUND);
    OK(a->plan_draft_put(st, &k1, "cm1", "202604", "{\"p\":1}", T0 + 90, "user:1"));
    OK(a->plan_issued(st, &k1, "cm1", "202604", T0 + 95, "user:1"));
    OK(a->plan_month_get(st, &k1, "cm1", "202604", &pm, &draft));
    note(t, "plan month draft=%lld issued=%lld %s", (long long)pm.draft_ms, (long long)pm.issued_ms, draft);
    free(draft);
    OK(a->plan_draft_put(st, &k1, "cm1", "202604", NULL, T0 + 96, "user:1")); /* the draft dropped */
    OK(a->plan_month_get(st, &k1, "cm1", "202604", &pm, &draft));
    assert_null(draft);
    assert_int_equal(pm.draft_ms, 0);
    OK(a->visit_add(st, &k1, "cm1", (struct date){2026, 4, 10}, false, T0, "user:1"));
    OK(a->visit_add(st, &k1, "cm1", (struct date){2026, 4, 10}, false, T0, "user:1")); /* once */
    OK(a->visit_add(st, &k1, "cm1", (struct date){2026, 5, 10}, true, T0, "user:1"));
    struct date home;
    bool video_after;
    OK(a->visit_last(st, &k1, "cm1", &home, &video_after));
    note(t, "last home visit %04d-%02d-%02d video after %d", home.y, home.m, home.d, video_after);
    assert_true(video_after);
    unsigned char code[32];
    memset(code, 0x33, sizeof code);
    OK(a->code_add(st, &k1, code, T0, T0 + 600000, "paper"));
    assert_int_equal(a->code_use(st, &k1, code, T0 + 700000), STORE_NOTFOUND); /* expired */
    OK(a->code_use(st, &k1, code, T0 + 1000));
    assert_int_equal(a->code_use(st, &k1, code, T0 + 2000), STORE_NOTFOUND); /* used */
    OK(a->security_event(st, T0, "login_failed", "cm-ichiro", "127.0.0.1", "bad password"));
    /* throttles: a window of 1,000 ms; hits within it count up, a hit after it starts again at 1 and
     * removes the counters whose windows have passed */
    int64_t hits = -1;
    OK(a->throttle_count(st, "a:k1", T0, &hits));
    assert_int_equal(hits, 0);
    for (int i = 1; i <= 3; i++) {
        OK(a->throttle_hit(st, "a:k1", 1000, T0 + i, &hits));
        assert_int_equal(hits, i);
    }
    OK(a->throttle_hit(st, "i:k2", 1000, T0 + 500, &hits));
    OK(a->throttle_count(st, "a:k1", T0 + 1000, &hits));
    note(t, "throttle a:k1 in its window %lld", (long long)hits);
    assert_int_equal(hits, 3);
    OK(a->throttle_count(st, "a:k1", T0 + 1001, &hits)); /* its window (T0+1 .. T0+1001) has passed */
    assert_int_equal(hits, 0);
    OK(a->throttle_hit(st, "a:k1", 1000, T0 + 1001, &hits));
    assert_int_equal(hits, 1);
    OK(a->throttle_hit(st, "a:k3", 1000, T0 + 1600, &hits)); /* a new window: i:k2's (to T0+1500) is removed */
    OK(a->throttle_count(st, "i:k2", T0 + 1400, &hits));
    note(t, "throttle i:k2 after the prune %lld", (long long)hits);
    assert_int_equal(hits, 0);

    /* the audit log and its reports */
    unsigned char pk[AUDIT_PK_BYTES], sk[AUDIT_SK_BYTES];
    unsigned char seed[32];
    memset(seed, 9, sizeof seed);
    crypto_sign_ed25519_seed_keypair(pk, sk, seed);
    OK(o->audit_set_signer(st, sk));
    struct audit_entry e[5];
    entry(&e[0], "0000000017", T0 + 1, ROLE_CAREMGR, "user:1", "cm1", CAT_SHIKAKU, OUTCOME_ALLOWED);
    entry(&e[1], "0000000017", T0 + 2, ROLE_PROXY, "user:2", "", CAT_SHIKAKU, OUTCOME_ALLOWED);
    entry(&e[2], "0000000025", T0 + 3, ROLE_CAREMGR, "user:1", "cm1", CAT_SHIKAKU, OUTCOME_DENIED);
    entry(&e[3], "0000000017", T0 + 4, ROLE_PROVIDER, "user:3", "pv1", CAT_IKENSHO, OUTCOME_DENIED);
    OK(o->audit_append(st, e, 4));
    assert_int_equal(e[3].seq, 4);
    /* an operator's read: its actor is no account ("cli:uid=0"), which the report's join must not
     * take for one (PostgreSQL failed the whole report on the cast before it was guarded) */
    entry(&e[4], "0000000017", T0 + 5, ROLE_OPERATOR, "cli:uid=0", "", CAT_SHIKAKU, OUTCOME_ALLOWED);
    OK(o->audit_append(st, &e[4], 1));
    assert_int_equal(e[4].seq, 5);
    OK(o->audit_checkpoint_all(st));
    int64_t head;
    OK(o->audit_head_seq(st, "122192", &head));
    assert_int_equal(head, 5);
    OK(o->audit_head_seq(st, "131016", &head));
    assert_int_equal(head, 0);
    OK(o->audit_entries_from(st, "122192", 2, 10, on_raw, NULL));
    OK(o->audit_checkpoints(st, "122192", on_ckpt, pk));
    /* past one block of AUDIT_BLOCK entries: its stored root (the proofs' shortcut), the same on both */
    int blocks = 0;
    OK(o->audit_blocks(st, "122192", on_block, &blocks));
    assert_int_equal(blocks, 0); /* none yet */
    struct audit_entry *many = calloc(AUDIT_BLOCK, sizeof *many);
    assert_non_null(many);
    for (int64_t i = 0; i < AUDIT_BLOCK; i++)
        entry(&many[i], i % 2 ? "0000000025" : "0000000017", T0 + 10 + i, ROLE_CAREMGR, "user:1", "cm1",
              CAT_SHIKAKU, OUTCOME_ALLOWED);
    OK(o->audit_append(st, many, AUDIT_BLOCK));
    assert_int_equal(many[AUDIT_BLOCK - 1].seq, 5 + AUDIT_BLOCK);
    free(many);
    OK(o->audit_blocks(st, "122192", on_block, &blocks));
    assert_int_equal(blocks, 1); /* entries 1..AUDIT_BLOCK */
    OK(o->audit_insurers(st, on_audit_insurer, NULL));
    long long n;
    OK(o->audit_count_person(st, &k1, &n));
    assert_int_equal(n, 4 + AUDIT_BLOCK / 2);
    note(t, "k1 has %lld entries", n);
    OK(o->read_begin(st));
    OK(a->person_access(st, &k1, on_access, NULL));
    OK(o->read_end(st));
    OK(a->audit_scope(st, "cm1", NULL, T0, T0 + 10, on_scope, NULL));
    OK(a->audit_scope(st, NULL, "user:3", T0, T0 + 10, on_scope, NULL));
    OK(o->health_probe(st));
    long long v1, v2;
    OK(o->data_version(st, &v1));
    OK(o->begin(st));
    OK(o->population_put(st, "122192", (struct date){2026, 10, 1}, 1, T0, "test"));
    OK(o->commit(st));
    OK(o->data_version(st, &v2));
    assert_true(v1 != v2); /* a commit moves it */
    /* an explicit rollback leaves nothing of the transaction */
    OK(o->begin(st));
    OK(o->population_put(st, "122192", (struct date){2026, 11, 1}, 2, T0, "test"));
    OK(o->rollback(st));
    OK(o->population_get(st, "122192", (struct date){2026, 12, 1}, &pop, &as_of));
    assert_int_equal(pop, 1); /* the 2026-10-01 row of the commit above, not the rolled-back 2026-11-01 */
    note(t, "population after a rollback %lld as of %04d-%02d-%02d", pop, as_of.y, as_of.m, as_of.d);
}

static void t_same_on_both(void **s)
{
    (void)s;
    char path[128], url[256];
    snprintf(path, sizeof path, "/tmp/kaigo-u-backends-%d.db", (int)getpid());
    testdb_remove(path);
    struct transcript a = {0}, b = {0};
    struct store *st = store_open_sqlite(path, false);
    assert_non_null(st);
    scenario(st, &a);
    store_close(st);
    testdb_remove(path);

    assert_int_equal(testpg_fresh(url, sizeof url), 0);
    st = store_open_pg(url, false);
    assert_non_null(st);
    scenario(st, &b);
    store_close(st);

    /* line by line, so that a difference names its line */
    char *sa = a.buf, *sb = b.buf;
    for (int line = 1; *sa || *sb; line++) {
        size_t na = strcspn(sa, "\n"), nb = strcspn(sb, "\n");
        if (na != nb || memcmp(sa, sb, na) != 0) {
            print_error("line %d:\n  sqlite:     %.*s\n  postgresql: %.*s\n", line, (int)na, sa, (int)nb, sb);
            fail();
        }
        sa += na + (sa[na] == '\n');
        sb += nb + (sb[nb] == '\n');
    }
    assert_true(a.len > 2000); /* the scenario wrote what it read */
    free(a.buf);
    free(b.buf);
}

/* a write fails on a read-only PostgreSQL store, as on a read-only SQLite one */
static void t_pg_readonly(void **s)
{
    (void)s;
    char url[256];
    assert_int_equal(testpg_fresh(url, sizeof url), 0);
    struct store *st = store_open_pg(url, true);
    assert_non_null(st);
    int created;
    assert_int_not_equal(store_insurer_ensure(st, "122192", "test", &created), 0);
    assert_non_null(strstr(store_errmsg(st), "read-only"));
    store_close(st);
}

/* kill - ends every server process of the application's role on database db (as a primary lost
 * or a failover would), from the administrator's connection */
static void kill_app_connections(const char *db)
{
    assert_int_equal(testpg_sh("psql -X -q -t -v ON_ERROR_STOP=1 '%s' -c \"SELECT count(pg_terminate_backend(pid))"
                               " FROM pg_stat_activity WHERE usename = 'kaigo_app' AND datname = '%s'\" >/dev/null",
                               testpg_admin, db),
                     0);
}

/* A connection lost between transactions is made again by the next BEGIN (which it then runs on
 * the new connection: nothing was done on the old); one lost inside a
 * transaction fails that transaction's statements until it is rolled back, and never runs them
 * on a new connection outside it. A read-only store stays read-only on its new connection. */
static void t_pg_reconnect(void **s)
{
    (void)s;
    char url[256];
    assert_int_equal(testpg_fresh(url, sizeof url), 0);
    const char *db = strrchr(url, '/') + 1;
    struct store *st = store_open_pg(url, false);
    assert_non_null(st);
    int created;
    assert_int_equal(store_insurer_ensure(st, "122192", "test", &created), 0);
    struct insurer ins;

    kill_app_connections(db);
    assert_int_equal(st->ops->read_begin(st), 0); /* the next transaction reconnects */
    assert_int_equal(st->ops->insurer_get(st, "122192", &ins), 0);
    assert_int_equal(st->ops->read_end(st), 0);
    assert_string_equal(ins.insurer_no, "122192");

    /* lost inside a transaction: the write fails, is not retried outside it, nothing lands */
    assert_int_equal(st->ops->begin(st), 0);
    kill_app_connections(db);
    assert_int_not_equal(st->ops->insurer_set_name(st, "122192", "途中で失われた名前"), 0);
    assert_int_not_equal(st->ops->insurer_set_name(st, "122192", "途中で失われた名前"), 0);
    st->ops->rollback(st);
    assert_int_equal(st->ops->read_begin(st), 0);
    assert_int_equal(st->ops->insurer_get(st, "122192", &ins), 0);
    assert_int_equal(st->ops->read_end(st), 0);
    assert_string_not_equal(ins.name, "途中で失われた名前");
    /* and the audit log appends on the new connection (its statements prepared again) */
    struct audit_entry e;
    entry(&e, "0000000017", T0, ROLE_OPERATOR, "cli:uid=0", "", CAT_SHIKAKU, OUTCOME_ALLOWED);
    assert_int_equal(st->ops->audit_append(st, &e, 1), 0);
    kill_app_connections(db);
    entry(&e, "0000000017", T0 + 1, ROLE_OPERATOR, "cli:uid=0", "", CAT_SHIKAKU, OUTCOME_ALLOWED);
    assert_int_equal(st->ops->audit_append(st, &e, 1), 0);
    assert_int_equal(e.seq, 2);
    store_close(st);

    st = store_open_pg(url, true);
    assert_non_null(st);
    kill_app_connections(db);
    assert_int_equal(st->ops->read_begin(st), 0);
    assert_int_equal(st->ops->insurer_get(st, "122192", &ins), 0);
    assert_int_equal(st->ops->read_end(st), 0);
    assert_int_not_equal(st->ops->insurer_set_name(st, "122192", "x"), 0);
    assert_non_null(strstr(store_errmsg(st), "read-only"));
    store_close(st);
}

/* an open of a database without kaigo's schema fails and says how to install it */
static void t_pg_no_schema(void **s)
{
    (void)s;
    char url[256];
    testpg_url(testpg_app, "postgres", url, sizeof url);
    assert_null(store_open_pg(url, false));
}

static int group_setup(void **s)
{
    (void)s;
    return sodium_init() < 0 ? -1 : testpg_start();
}

static int group_teardown(void **s)
{
    (void)s;
    testpg_stop();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_same_on_both),
        cmocka_unit_test(t_pg_readonly),
        cmocka_unit_test(t_pg_no_schema),
        cmocka_unit_test(t_pg_reconnect),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
