/*
 * cmd_access.c - administration of access: kaigo org | user | token | consent |
 * proxy | relationship | ikensho | totp. Run by the municipality's or the
 * operator's administrators on the server (they hold the database file).
 *
 * Secrets (passwords, TOTP secrets, API tokens, 本人確認 codes) are shown once
 * on stdout and never stored in clear. Passwords are read from stdin
 * (--password-stdin) or $KAIGO_PASSWORD, never from argv (visible in ps).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/config.h"
#include "domain/auth.h"
#include "http/auth.h"
#include "service/disclose.h"
#include "store/store.h"
#include "domain/wareki.h"
#include "util/date.h"
#include "util/text.h"
#include "util/banned.h"

#define MAX_OPTS 16
#define MAX_POS 4

struct args {
    const char *db;
    const char *name[MAX_OPTS], *value[MAX_OPTS];
    int nopt;
    const char *pos[MAX_POS];
    int npos;
    bool json;
};


/* A free-text value stored for others to read (a name, a consent's collector, a proxy's basis):
 * UTF-8 and shorter than cap bytes - refused otherwise, never cut (a name typed in a CP932
 * terminal made the access log's JSON invalid, and a cut inside a character dropped a review). */
#define NOTE_BYTES 401 /* --collected-by, --basis: read back into 801-byte fields with room to spare */
static bool text_ok(const char *s, size_t cap)
{
    size_t n = strlen(s);
    return n < cap && utf8_valid(s, n, NULL);
}

static const char help[] =
    "使い方:\n"
    "  kaigo org add --id ID --kind KIND --name 名称 [--insurer 保険者番号] [--service-types 11,13]\n"
    "                [--office-no 事業所番号]   (ケアプラン連携の送受信に使う10桁)\n"
    "      KIND: insurer(市町村) kyotaku(居宅介護支援) provider(介護事業所) facility(介護保険施設)\n"
    "            medical(医療機関) houkatsu(地域包括支援センター)\n"
    "  kaigo org list\n"
    "  kaigo user add --login L --name 氏名 (--org ID | --person 保険者番号/被保険者番号 | --proxy-only)\n"
    "                 [--perms breakglass,review] [--password-stdin] [--totp-secret BASE32]\n"
    "      パスワードは標準入力(--password-stdin)か $KAIGO_PASSWORD から。TOTPの秘密鍵を表示します。\n"
    "  kaigo token issue --org ID --name 用途       APIトークンを発行(表示は1回限り)\n"
    "  kaigo token revoke TOKEN_ID\n"
    "  kaigo consent add 保険者番号 被保険者番号 --kind municipal|on_behalf|personal --cats all|区分,...\n"
    "                 --collected-by ORG|self [--from 日付] [--to 日付] [--grantee ORG]\n"
    "  kaigo consent withdraw 保険者番号 被保険者番号 --cats all|区分,... [--grantee ORG]\n"
    "  kaigo proxy add 保険者番号 被保険者番号 --login L --kind family|guardian|voluntary --basis 根拠\n"
    "                 [--cats all|区分,...] [--from 日付] [--to 日付]\n"
    "  kaigo proxy revoke 保険者番号 被保険者番号 PROXY_ID\n"
    "  kaigo relationship code 保険者番号 被保険者番号 [--days 30]   紙で渡す本人確認コード\n"
    "  kaigo relationship add --org ORG 保険者番号 被保険者番号 --birth 生年月日 --code 本人確認コード\n"
    "                                                         本人確認をして担当事業所に登録\n"
    "  kaigo relationship actual --org ORG 保険者番号 被保険者番号 YYYY-MM   実績の受領\n"
    "  kaigo relationship end --org ORG 保険者番号 被保険者番号\n"
    "  kaigo ikensho request|close --org ORG 保険者番号 被保険者番号   主治医意見書作成依頼\n"
    "  kaigo totp BASE32SECRET          現在のワンタイムコード(動作確認用)\n"
    "共通: --db PATH (既定: $KAIGO_DB)\n"
    "区分: shikaku chosa ikensho shinsakai careplan life jutaku kyufu accesslog\n";

/* help_for - the lines of help about one command (org, user, token, consent, proxy,
 * relationship, ikensho, totp) with the shared header and footer; every line for NULL. */
static const char *help_cmd;

static void help_for(FILE *f, const char *cmd)
{
    size_t cl = cmd ? strlen(cmd) : 0;
    bool in = false;
    for (const char *l = help; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) + 1 : strlen(l);
        if (strncmp(l, "  kaigo ", 8) == 0)
            in = !cmd || (strncmp(l + 8, cmd, cl) == 0 && l[8 + cl] == ' ');
        else if (l[0] != ' ')
            in = true; /* 使い方:, 共通:, 区分: */
        if (in)
            fwrite(l, 1, n, f);
        l += n;
    }
}

static int usage_err(const char *msg)
{
    if (msg)
        fprintf(stderr, "kaigo: %s\n", msg);
    help_for(stderr, help_cmd);
    return EXIT_USAGE;
}

static int parse(int argc, char **argv, int from, struct args *a)
{
    memset(a, 0, sizeof *a);
    a->db = db_default();
    for (int i = from; i < argc; i++) {
        if (is_help(argv[i])) {
            help_for(stdout, help_cmd);
            return 1;
        }
        if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "--password-stdin") == 0 ||
            strcmp(argv[i], "--proxy-only") == 0) {
            if (a->nopt == MAX_OPTS)
                return -1;
            a->name[a->nopt] = argv[i] + 2;
            a->value[a->nopt++] = "";
            continue;
        }
        if (strncmp(argv[i], "--", 2) == 0) {
            if (i + 1 >= argc || a->nopt == MAX_OPTS)
                return -1;
            if (strcmp(argv[i], "--db") == 0)
                a->db = argv[++i];
            else {
                a->name[a->nopt] = argv[i] + 2;
                a->value[a->nopt++] = argv[++i];
            }
            continue;
        }
        if (a->npos == MAX_POS)
            return -1;
        a->pos[a->npos++] = argv[i];
    }
    return a->db ? 0 : -1;
}

static const char *opt(const struct args *a, const char *name)
{
    for (int i = 0; i < a->nopt; i++)
        if (strcmp(a->name[i], name) == 0)
            return a->value[i];
    return NULL;
}

/* num - a whole decimal number, or -1. */
static long long num(const char *s)
{
    char *end;
    if (!s || *s < '0' || *s > '9')
        return -1;
    long long v = strtoll(s, &end, 10);
    return *end ? -1 : v;
}


/* date_ms - 00:00 JST of a date given as ISO or 和暦; 0 if s is NULL; -1 if bad. */
static int64_t date_ms(const char *s)
{
    struct date d;
    const char *why;
    if (!s)
        return 0;
    if (date_parse_any(s, strlen(s), &d, &why)) {
        fprintf(stderr, "kaigo: 日付 %s: %s\n", s, why);
        return -1;
    }
    return date_jst_ms(d);
}

static int person_arg(const char *ins, const char *no, struct person_key *k)
{
    const char *why;
    if (!ins || !no)
        return usage_err("保険者番号と被保険者番号を指定してください");
    if (insurer_no_check(ins, strlen(ins), &why) || insured_no_check(no, strlen(no), &why)) {
        fprintf(stderr, "kaigo: %s\n", why);
        return EXIT_INVALID;
    }
    memset(k, 0, sizeof *k);
    memcpy(k->insurer_no, ins, INSURER_NO_LEN);
    memcpy(k->insured_no, no, INSURED_NO_LEN);
    return 0;
}

/* pos_person - the first two positional arguments as a person. */
static int pos_person(const struct args *a, struct person_key *k)
{
    return person_arg(a->npos > 0 ? a->pos[0] : NULL, a->npos > 1 ? a->pos[1] : NULL, k);
}

static uint32_t cats_opt(const struct args *a, const char *dflt)
{
    const char *c = opt(a, "cats");
    uint32_t m = cats_parse(c ? c : dflt);
    if (!m)
        fprintf(stderr, "kaigo: --cats は all または区分コードのカンマ区切りです\n");
    return m;
}

static int db_fail(struct store *st, const char *what)
{
    fprintf(stderr, "kaigo %s: %s\n", what, store_errmsg(st));
    store_close(st);
    return EXIT_INTERNAL;
}

/* ---- org ------------------------------------------------------------------ */

static int print_org(void *ctx, const struct org *o)
{
    (void)ctx;
    printf("%s\t%s\t%s\t%s\n", o->id, org_kind_name(o->kind), o->name,
           o->insurer_no[0] ? o->insurer_no : "-");
    return 0;
}

static int org_cmd(const char *sub, struct args *a)
{
    struct store *st = store_open(a->db, false);
    if (!st)
        return EXIT_INTERNAL;
    if (strcmp(sub, "list") == 0) {
        int rc = st->acc->org_list(st, print_org, NULL);
        store_close(st);
        return rc ? EXIT_INTERNAL : 0;
    }
    struct org o = {0};
    const char *id = opt(a, "id"), *kind = opt(a, "kind"), *name = opt(a, "name"),
               *ins = opt(a, "insurer"), *svc = opt(a, "service-types"), *office = opt(a, "office-no"), *why;
    if (strcmp(sub, "add") != 0 || !id || !kind || !name) {
        store_close(st);
        return usage_err("org add には --id --kind --name が必要です");
    }
    o.kind = org_kind_from_code(kind);
    if (o.kind == ORG_NONE || !text_ok(id, sizeof o.id) || !text_ok(name, sizeof o.name) ||
        (o.kind == ORG_INSURER) != (ins != NULL) ||
        (ins && insurer_no_check(ins, strlen(ins), &why))) {
        store_close(st);
        fprintf(stderr, "kaigo org add: 種別・ID・名称(UTF-8)、または保険者番号(市町村のみ必須)が正しくありません\n");
        return EXIT_INVALID;
    }
    str_cut(o.id, sizeof o.id, id);
    str_cut(o.name, sizeof o.name, name);
    str_cut(o.insurer_no, sizeof o.insurer_no, ins ? ins : "");
    if (str_copy(o.service_types, sizeof o.service_types, svc ? svc : "")) {
        store_close(st);
        fprintf(stderr, "kaigo org add: --service-types が長すぎます\n");
        return EXIT_INVALID;
    }
    enum provider_rule pr;
    if (office && (o.kind == ORG_INSURER || provider_no_check(office, strlen(office), &pr, &why))) {
        store_close(st);
        fprintf(stderr, "kaigo org add: --office-no は事業所の10桁の事業所番号です(%s)\n",
                o.kind == ORG_INSURER ? "市町村には付けません" : why);
        return EXIT_INVALID;
    }
    str_cut(o.office_no, sizeof o.office_no, office ? office : "");
    int created;
    if ((ins && store_insurer_ensure(st, ins, cli_actor_id(), &created)) ||
        st->acc->org_add(st, &o, cli_actor_id()))
        return db_fail(st, "org add");
    store_close(st);
    printf("登録しました: %s (%s) %s\n", o.id, org_kind_name(o.kind), o.name);
    return 0;
}

/* ---- user ----------------------------------------------------------------- */

static int read_password(const struct args *a, char out[PASSWORD_MAX_BYTES + 2])
{
    out[0] = '\0';
    if (opt(a, "password-stdin")) {
        if (!fgets(out, PASSWORD_MAX_BYTES + 2, stdin))
            return -1;
        out[strcspn(out, "\r\n")] = '\0';
    } else {
        const char *e = config()->password;
        if (!e || strlen(e) > PASSWORD_MAX_BYTES)
            return -1;
        snprintf(out, PASSWORD_MAX_BYTES + 2, "%s", e);
    }
    return 0;
}

static int user_cmd(const char *sub, struct args *a)
{
    const char *login = opt(a, "login"), *name = opt(a, "name"), *org = opt(a, "org"),
               *person = opt(a, "person"), *perms = opt(a, "perms"), *secret = opt(a, "totp-secret");
    bool proxy_only = opt(a, "proxy-only") != NULL;
    if (strcmp(sub, "add") != 0 || !login || !name || (!!org + !!person + proxy_only) != 1)
        return usage_err("user add には --login --name と --org / --person / --proxy-only のどれか1つが必要です");
    struct account acc = {0};
    if (strlen(login) < 3 || !text_ok(login, sizeof acc.login) || !text_ok(name, sizeof acc.display_name) ||
        (perms && strlen(perms) >= sizeof acc.perms)) {
        fprintf(stderr, "kaigo user add: ログイン名(3〜64文字)・氏名が長すぎるか短すぎるか、UTF-8 ではありません\n");
        return EXIT_INVALID;
    }
    str_cut(acc.login, sizeof acc.login, login);
    str_cut(acc.display_name, sizeof acc.display_name, name);
    str_cut(acc.perms, sizeof acc.perms, perms ? perms : "");
    acc.staff = org != NULL;
    if (org && str_copy(acc.org, sizeof acc.org, org)) {
        fprintf(stderr, "kaigo user add: --org が長すぎます\n");
        return EXIT_INVALID;
    }
    if (person) {
        const char *slash = strchr(person, '/');
        char ins[8] = {0};
        if (!slash || slash - person != INSURER_NO_LEN) {
            fprintf(stderr, "kaigo user add: --person は 保険者番号/被保険者番号 です\n");
            return EXIT_INVALID;
        }
        memcpy(ins, person, INSURER_NO_LEN);
        int rc = person_arg(ins, slash + 1, &acc.person);
        if (rc)
            return rc;
    }
    char pw[PASSWORD_MAX_BYTES + 2];
    if (read_password(a, pw)) {
        fprintf(stderr, "kaigo user add: パスワードを --password-stdin か $KAIGO_PASSWORD で渡してください\n");
        return EXIT_USAGE;
    }
    const char *bad = password_policy(pw, true);
    if (bad) {
        sodium_memzero(pw, sizeof pw);
        fprintf(stderr, "kaigo user add: %s\n", bad);
        return EXIT_INVALID;
    }
    int hrc = password_hash(pw, acc.password_hash);
    sodium_memzero(pw, sizeof pw);
    if (hrc) {
        fprintf(stderr, "kaigo user add: argon2id に失敗しました(メモリ不足)\n");
        return EXIT_INTERNAL;
    }
    if (secret) {
        if (base32_decode(secret, acc.totp_secret, sizeof acc.totp_secret) != TOTP_SECRET_BYTES) {
            fprintf(stderr, "kaigo user add: --totp-secret は20バイトのBASE32(32文字)です\n");
            return EXIT_INVALID;
        }
    } else
        randombytes_buf(acc.totp_secret, sizeof acc.totp_secret);
    struct store *st = store_open(a->db, false);
    if (!st)
        return EXIT_INTERNAL;
    struct org o;
    if (org && st->acc->org_get(st, org, &o)) {
        store_close(st);
        fprintf(stderr, "kaigo user add: 組織 %s が登録されていません\n", org);
        return EXIT_INVALID;
    }
    if (st->acc->account_add(st, &acc, cli_actor_id()))
        return db_fail(st, "user add");
    store_close(st);
    char b32[TOTP_B32_LEN + 1];
    base32_encode(acc.totp_secret, sizeof acc.totp_secret, b32, sizeof b32);
    printf("アカウントを作成しました: %s (id %lld)\n", acc.login, (long long)acc.id);
    printf("TOTP秘密鍵(認証アプリに登録。表示は今回限り): %s\n", b32);
    printf("otpauth://totp/kaigo:%s?secret=%s&issuer=kaigo&algorithm=SHA1&digits=6&period=30\n",
           acc.login, b32);
    sodium_memzero(&acc, sizeof acc);
    sodium_memzero(b32, sizeof b32);
    return 0;
}

/* ---- token ---------------------------------------------------------------- */

static int token_cmd(const char *sub, struct args *a)
{
    struct store *st = store_open(a->db, false);
    if (!st)
        return EXIT_INTERNAL;
    if (strcmp(sub, "revoke") == 0 && a->npos == 1) {
        long long id = num(a->pos[0]);
        int rc = st->acc->token_revoke(st, id, clock_now_ms());
        if (rc < 0)
            return db_fail(st, "token revoke");
        store_close(st);
        if (rc) {
            fprintf(stderr, "kaigo token revoke: トークン %s は無いか、既に失効しています\n", a->pos[0]);
            return EXIT_INVALID;
        }
        printf("トークン %lld を失効させました\n", id);
        return 0;
    }
    const char *org = opt(a, "org"), *name = opt(a, "name");
    struct org o;
    if (strcmp(sub, "issue") != 0 || !org || !name) {
        store_close(st);
        return usage_err("token issue には --org と --name が必要です");
    }
    if (st->acc->org_get(st, org, &o)) {
        store_close(st);
        fprintf(stderr, "kaigo token issue: 組織 %s が登録されていません\n", org);
        return EXIT_INVALID;
    }
    unsigned char raw[32], h[32];
    char secret[65];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(secret, sizeof secret, raw, sizeof raw);
    crypto_hash_sha256(h, (const unsigned char *)secret, 64);
    int64_t id;
    if (st->acc->token_add(st, org, name, h, cli_actor_id(), &id))
        return db_fail(st, "token issue");
    store_close(st);
    printf("%s%lld_%s\n", TOKEN_PREFIX, (long long)id, secret);
    fprintf(stderr, "APIトークン %lld を %s (%s) に発行しました。表示は今回限りです。\n", (long long)id,
            o.id, o.name);
    sodium_memzero(secret, sizeof secret);
    sodium_memzero(raw, sizeof raw);
    return 0;
}

/* ---- consent, proxy ------------------------------------------------------- */

static int consent_cmd(const char *sub, struct args *a)
{
    struct person_key k;
    int rc = pos_person(a, &k);
    if (rc)
        return rc;
    const char *grantee = opt(a, "grantee");
    if (grantee && strlen(grantee) >= ORG_ID_BYTES)
        return usage_err("--grantee が長すぎます");
    uint32_t cats = cats_opt(a, "");
    if (!cats)
        return EXIT_INVALID;
    struct store *st = store_open(a->db, false);
    if (!st)
        return EXIT_INTERNAL;
    int64_t id, now = clock_now_ms();
    if (strcmp(sub, "withdraw") == 0) {
        struct withdrawal w = {0, cats, now, ""};
        str_cut(w.grantee, sizeof w.grantee, grantee ? grantee : "");
        if (st->acc->withdrawal_add(st, &k, &w, cli_actor_id(), &id))
            return db_fail(st, "consent withdraw");
        store_close(st);
        printf("同意を撤回しました (撤回 %lld)\n", (long long)id);
        return 0;
    }
    const char *kind = opt(a, "kind"), *by = opt(a, "collected-by");
    if (strcmp(sub, "add") != 0 || !kind || !by) {
        store_close(st);
        return usage_err("consent add には --kind --cats --collected-by が必要です");
    }
    struct consent c = {0};
    c.kind = consent_kind_from_code(kind);
    c.cats = cats;
    c.valid_from = opt(a, "from") ? date_ms(opt(a, "from")) : now;
    c.valid_to = date_ms(opt(a, "to"));
    c.recorded_ms = now;
    str_cut(c.grantee, sizeof c.grantee, grantee ? grantee : "");
    if (!c.kind || c.valid_from < 0 || c.valid_to < 0 || (c.valid_to && c.valid_to <= c.valid_from) ||
        !text_ok(by, NOTE_BYTES)) {
        store_close(st);
        fprintf(stderr, "kaigo consent add: 種別・期間、または --collected-by(UTF-8、%d バイトまで)が正しくありません\n",
                NOTE_BYTES - 1);
        return EXIT_INVALID;
    }
    if (st->ops->person_exists(st, &k) != 1) {
        store_close(st);
        fprintf(stderr, "kaigo consent add: 該当する被保険者がいません\n");
        return EXIT_INVALID;
    }
    if (st->acc->consent_add(st, &k, &c, by, cli_actor_id(), &id))
        return db_fail(st, "consent add");
    store_close(st);
    printf("同意を登録しました (同意 %lld)\n", (long long)id);
    return 0;
}

static int proxy_cmd(const char *sub, struct args *a)
{
    struct person_key k;
    int rc = pos_person(a, &k);
    if (rc)
        return rc;
    struct store *st = store_open(a->db, false);
    if (!st)
        return EXIT_INTERNAL;
    int64_t now = clock_now_ms(), id;
    if (strcmp(sub, "revoke") == 0 && a->npos == 3) {
        rc = st->acc->proxy_revoke(st, &k, num(a->pos[2]), now, cli_actor_id());
        if (rc < 0)
            return db_fail(st, "proxy revoke");
        store_close(st);
        if (rc) {
            fprintf(stderr, "kaigo proxy revoke: 該当する代理人登録がないか、取消済みです\n");
            return EXIT_INVALID;
        }
        puts("代理人の登録を取り消しました");
        return 0;
    }
    const char *login = opt(a, "login"), *kind = opt(a, "kind"), *basis = opt(a, "basis");
    if (strcmp(sub, "add") != 0 || !login || !kind || !basis) {
        store_close(st);
        return usage_err("proxy add には --login --kind --basis が必要です");
    }
    struct proxy p = {0};
    p.kind = proxy_kind_from_code(kind);
    p.cats = cats_opt(a, "all");
    p.valid_from = opt(a, "from") ? date_ms(opt(a, "from")) : now;
    p.valid_to = date_ms(opt(a, "to"));
    struct account acc;
    if (!p.kind || !p.cats || p.valid_from < 0 || p.valid_to < 0 || !text_ok(basis, NOTE_BYTES) ||
        st->acc->account_by_login(st, login, &acc) || acc.staff ||
        st->ops->person_exists(st, &k) != 1) {
        store_close(st);
        fprintf(stderr, "kaigo proxy add: 種別・区分・期間、--basis(UTF-8、%d バイトまで)、代理人のアカウント(本人・家族用)、"
                        "被保険者を確かめてください\n", NOTE_BYTES - 1);
        return EXIT_INVALID;
    }
    if (st->acc->proxy_add(st, &k, &p, acc.id, basis, now, cli_actor_id(), &id))
        return db_fail(st, "proxy add");
    store_close(st);
    printf("代理人を登録しました (代理 %lld: %s)\n", (long long)id, login);
    return 0;
}

/* ---- relationship, ikensho ------------------------------------------------ */

static int relationship_cmd(const char *sub, struct args *a, bool ikensho)
{
    struct person_key k;
    int rc = pos_person(a, &k);
    if (rc)
        return rc;
    const char *org = opt(a, "org");
    struct store *st = store_open(a->db, false);
    if (!st)
        return EXIT_INTERNAL;
    int64_t now = clock_now_ms(), id;
    if (!ikensho && strcmp(sub, "code") == 0) {
        const char *days_s = opt(a, "days");
        long long days = days_s ? num(days_s) : IDENTITY_CODE_PAPER_DAYS;
        if (days < 1 || days > IDENTITY_CODE_PAPER_DAYS_MAX || st->ops->person_exists(st, &k) != 1) {
            store_close(st);
            fprintf(stderr, "kaigo relationship code: 被保険者がいないか、--days が 1〜90 ではありません\n");
            return EXIT_INVALID;
        }
        char code[IDENTITY_CODE_DIGITS + 1];
        if (identity_code_issue(st, &k, now, days * DATE_MS_PER_DAY, "paper", code))
            return db_fail(st, "relationship code");
        store_close(st);
        printf("%s\n", code);
        fprintf(stderr, "本人確認コードを発行しました(%lld日間・1回限り)。通知書に印字して本人に渡してください。\n",
                days);
        sodium_memzero(code, sizeof code);
        return 0;
    }
    if (!org) {
        store_close(st);
        return usage_err("--org が必要です");
    }
    if (ikensho && strcmp(sub, "request") == 0) {
        struct org o;
        if (st->acc->org_get(st, org, &o) || o.kind != ORG_MEDICAL || st->ops->person_exists(st, &k) != 1) {
            store_close(st);
            fprintf(stderr, "kaigo ikensho request: 医療機関か被保険者が登録されていません\n");
            return EXIT_INVALID;
        }
        if (st->acc->request_add(st, &k, org, now, cli_actor_id(), "", &id))
            return db_fail(st, "ikensho request");
        store_close(st);
        printf("主治医意見書作成依頼を登録しました (依頼 %lld)\n", (long long)id);
        return 0;
    }
    if (!ikensho && strcmp(sub, "add") == 0) {
        /* the same 本人確認 as POST /api/v1/relationships: number, birth date and the person's one-time code */
        const char *birth_s = opt(a, "birth"), *code = opt(a, "code"), *why;
        struct date birth;
        struct org o;
        if (!birth_s || !code || date_parse_any(birth_s, strlen(birth_s), &birth, &why)) {
            store_close(st);
            return usage_err("--birth 生年月日 と --code 本人確認コード が必要です");
        }
        if (st->acc->org_get(st, org, &o)) {
            store_close(st);
            fprintf(stderr, "kaigo relationship add: 事業所 %s が登録されていません\n", org);
            return EXIT_INVALID;
        }
        if (st->ops->begin(st))
            return db_fail(st, "relationship add");
        rc = verify_identity(st, &k, birth, code, now);
        if (rc == 0)
            rc = st->acc->relationship_add(st, &k, org, now, "code", "", cli_actor_id(), &id);
        if (rc == 0 && st->ops->commit(st))
            rc = -1;
        if (rc) {
            st->ops->rollback(st);
            if (rc < 0)
                return db_fail(st, "relationship add");
            store_close(st);
            fprintf(stderr, "kaigo relationship add: 本人確認ができませんでした(番号・生年月日・コードを確かめてください。"
                            "コードは1回限りです)\n");
            return EXIT_INVALID;
        }
        store_close(st);
        printf("担当事業所として登録しました (%s)\n", org);
        return 0;
    }
    if (!ikensho && strcmp(sub, "actual") == 0) {
        const char *ym = a->npos == 3 ? a->pos[2] : "";
        char ybuf[5] = {0}, mbuf[3] = {0};
        if (strlen(ym) == 7 && ym[4] == '-') {
            memcpy(ybuf, ym, 4);
            memcpy(mbuf, ym + 5, 2);
        }
        long long y = num(ybuf), m = num(mbuf);
        if (y < 2000 || y > 2999 || m < 1 || m > 12) {
            store_close(st);
            return usage_err("実績の年月は YYYY-MM です");
        }
        rc = st->acc->relationship_actual(st, &k, org, (int)(y * 100 + m));
    } else if (!ikensho && strcmp(sub, "end") == 0)
        rc = st->acc->relationship_end(st, &k, org, now);
    else if (ikensho && strcmp(sub, "close") == 0)
        rc = st->acc->request_close(st, &k, org, now);
    else {
        store_close(st);
        return usage_err(NULL);
    }
    if (rc < 0)
        return db_fail(st, ikensho ? "ikensho" : "relationship");
    store_close(st);
    if (rc) {
        fprintf(stderr, "kaigo: 該当する有効な登録がありません(実績は新しい月のみ反映)\n");
        return EXIT_INVALID;
    }
    puts("更新しました");
    return 0;
}

static int totp_cmd(struct args *a)
{
    unsigned char s[TOTP_SECRET_BYTES];
    if (a->npos != 1 || base32_decode(a->pos[0], s, sizeof s) != TOTP_SECRET_BYTES)
        return usage_err("kaigo totp BASE32SECRET");
    printf("%06u\n", totp_code(s, sizeof s, clock_now_ms() / 1000));
    sodium_memzero(s, sizeof s);
    return 0;
}

int cmd_access(int argc, char **argv)
{
    struct args a;
    const char *cmd = argv[0];
    help_cmd = cmd; /* `kaigo org --help` shows org's lines, not the whole block (issue #15) */
    bool totp = strcmp(cmd, "totp") == 0;
    if (!totp && (argc < 2 || is_help(argv[1]))) {
        help_for(argc < 2 ? stderr : stdout, cmd);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    if (totp) {
        struct args t = {0};
        for (int i = 1; i < argc && t.npos < MAX_POS; i++) {
            if (is_help(argv[i])) {
                help_for(stdout, cmd);
                return 0;
            }
            t.pos[t.npos++] = argv[i];
        }
        return totp_cmd(&t);
    }
    int pr = parse(argc, argv, 2, &a);
    if (pr)
        return pr > 0 ? 0 : usage_err("引数が正しくないか、--db / $KAIGO_DB がありません");
    const char *sub = argv[1];
    if (strcmp(cmd, "org") == 0)
        return org_cmd(sub, &a);
    if (strcmp(cmd, "user") == 0)
        return user_cmd(sub, &a);
    if (strcmp(cmd, "token") == 0)
        return token_cmd(sub, &a);
    if (strcmp(cmd, "consent") == 0)
        return consent_cmd(sub, &a);
    if (strcmp(cmd, "proxy") == 0)
        return proxy_cmd(sub, &a);
    if (strcmp(cmd, "relationship") == 0)
        return relationship_cmd(sub, &a, false);
    if (strcmp(cmd, "ikensho") == 0)
        return relationship_cmd(sub, &a, true);
    return usage_err(NULL);
}
