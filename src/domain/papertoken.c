/* papertoken.c - the signed paper token; see papertoken.h. */
#include <sodium.h>
#include <string.h>

#include "domain/numbers.h"
#include "domain/papertoken.h"
#include "util/banned.h"

#define NO_DATE 0xFFFFu
static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* the two versions' shapes (papertoken.h) */
struct layout {
    const char *prefix, *context;
    size_t bytes, signed_bytes, hash_at;
};
static const struct layout layouts[3] = {
    [1] = {"KG1:", "kaigo-paper-v1", 105, 41, 25},
    [2] = {"KG2:", "kaigo-paper-v2", 107, 43, 27},
};
#define CONTEXT_LEN 14

const char *paper_kind_name(enum paper_kind k)
{
    switch (k) {
    case PAPER_CARD:
        return "介護保険被保険者証";
    case PAPER_BURDEN:
        return "介護保険負担割合証";
    case PAPER_LIMIT:
        return "介護保険負担限度額認定証";
    case PAPER_NOTICE:
        return "負担割合・負担限度額のお知らせ";
    case PAPER_ACCESS:
        return "閲覧記録のお知らせ";
    case PAPER_POSTPONE:
        return "要介護認定等の延期通知";
    }
    return NULL;
}

void paper_content_hash(const char *text, size_t n, unsigned char out[PAPER_HASH_BYTES])
{
    unsigned char full[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(full, (const unsigned char *)text, n);
    memcpy(out, full, PAPER_HASH_BYTES);
}

static const struct date epoch = {2000, 1, 1};

static int put_date(unsigned char *p, struct date d)
{
    unsigned v = NO_DATE;
    if (!date_is_none(d)) {
        if (!date_valid(d))
            return -1;
        int days = date_days_between(epoch, d);
        if (days < 0 || days >= (int)NO_DATE)
            return -1;
        v = (unsigned)days;
    }
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
    return 0;
}

static struct date get_date(const unsigned char *p)
{
    unsigned v = (unsigned)p[0] << 8 | p[1];
    return v == NO_DATE ? (struct date){0, 0, 0} : date_add_days(epoch, (int)v);
}

static unsigned version_of(const struct paper_token *t)
{
    return t->version ? t->version : PAPER_TOKEN_VERSION;
}

/* pack - the signed bytes (0..40 in version 1, 0..44 in version 2) */
static int pack(const struct paper_token *t, unsigned char b[PAPER_TOKEN_BYTES])
{
    const char *why;
    unsigned v = version_of(t);
    if (v < 1 || v > 2)
        return -1;
    const struct layout *L = &layouts[v];
    if (!paper_kind_name(t->kind) || strlen(t->insurer_no) != 6 || strspn(t->insurer_no, "0123456789") != 6 ||
        strlen(t->insured_no) != 10 || insured_no_check(t->insured_no, 10, &why))
        return -1;
    b[0] = (unsigned char)v;
    b[1] = (unsigned char)t->kind;
    unsigned long ins = 0;
    for (int i = 0; i < 6; i++)
        ins = ins * 10 + (unsigned long)(t->insurer_no[i] - '0');
    b[2] = (unsigned char)(ins >> 16);
    b[3] = (unsigned char)(ins >> 8);
    b[4] = (unsigned char)ins;
    memcpy(b + 5, t->insured_no, 10);
    for (int i = 0; i < 4; i++)
        b[15 + i] = (unsigned char)(t->serial >> (24 - 8 * i));
    if (date_is_none(t->issued) || put_date(b + 19, t->issued) || put_date(b + 21, t->valid_from) ||
        put_date(b + 23, t->valid_to))
        return -1;
    if (v == 2) {
        size_t ln = strlen(t->level);
        if ((ln != 0 && ln != 2) || (ln && strspn(t->level, "0123456789") != 2) || t->ratio > 3 || t->stage > 7)
            return -1;
        b[25] = (unsigned char)(ln ? (t->level[0] - '0') * 10 + (t->level[1] - '0') : 0);
        b[26] = (unsigned char)(t->ratio | t->stage << 2 | (t->pending ? 1u << 5 : 0));
    } else if (t->level[0] || t->ratio || t->stage || t->pending)
        return -1; /* version 1 carries no facts */
    memcpy(b + L->hash_at, t->content_hash, PAPER_HASH_BYTES);
    return 0;
}

/* message - context || the signed bytes; returns its length */
static size_t message(unsigned v, const unsigned char b[PAPER_TOKEN_BYTES],
                      unsigned char m[CONTEXT_LEN + PAPER_SIGNED_BYTES])
{
    const struct layout *L = &layouts[v];
    memcpy(m, L->context, CONTEXT_LEN);
    memcpy(m + CONTEXT_LEN, b, L->signed_bytes);
    return CONTEXT_LEN + L->signed_bytes;
}

int paper_token_sign(struct paper_token *t, const unsigned char sk[64])
{
    unsigned char b[PAPER_TOKEN_BYTES], m[CONTEXT_LEN + PAPER_SIGNED_BYTES];
    if (pack(t, b))
        return -1;
    t->version = version_of(t);
    size_t n = message(t->version, b, m);
    crypto_sign_detached(t->sig, NULL, m, n, sk);
    return 0;
}

bool paper_token_verify(const struct paper_token *t, const unsigned char pk[32])
{
    unsigned char b[PAPER_TOKEN_BYTES], m[CONTEXT_LEN + PAPER_SIGNED_BYTES];
    if (pack(t, b))
        return false;
    size_t n = message(version_of(t), b, m);
    return crypto_sign_verify_detached(t->sig, m, n, pk) == 0;
}

int paper_token_text(const struct paper_token *t, char out[PAPER_TOKEN_TEXT_MAX])
{
    unsigned char b[PAPER_TOKEN_BYTES];
    if (pack(t, b))
        return -1;
    const struct layout *L = &layouts[version_of(t)];
    memcpy(b + L->signed_bytes, t->sig, 64);
    char *o = out;
    memcpy(o, L->prefix, 4);
    o += 4;
    unsigned acc = 0, bits = 0;
    for (size_t i = 0; i < L->bytes; i++) {
        acc = (acc << 8) | b[i];
        bits += 8;
        while (bits >= 5) {
            *o++ = b32[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits) /* 107 × 8 = 856 bits: the last character carries 1 bit and 4 zero bits */
        *o++ = b32[(acc << (5 - bits)) & 31];
    *o = '\0';
    return 0;
}

int paper_token_parse(const char *s, size_t n, struct paper_token *t, const char **why)
{
    memset(t, 0, sizeof *t);
    unsigned v = n >= 4 && memcmp(s, "KG2:", 4) == 0 ? 2 : n >= 4 && memcmp(s, "KG1:", 4) == 0 ? 1 : 0;
    if (!v) {
        *why = "kaigo の書類の符号(KG2: または KG1:)ではありません";
        return -1;
    }
    const struct layout *L = &layouts[v];
    size_t want = 4 + (L->bytes * 8 + 4) / 5;
    if (n != want) {
        *why = "符号の長さが違います(読み取りが欠けているか、別の版です)";
        return -1;
    }
    unsigned char b[PAPER_TOKEN_BYTES];
    unsigned acc = 0, bits = 0;
    size_t k = 0;
    for (size_t i = 4; i < n; i++) {
        const char *p = s[i] ? memchr(b32, s[i], 32) : NULL;
        if (!p) {
            *why = "符号に使えない文字があります";
            return -1;
        }
        acc = (acc << 5) | (unsigned)(p - b32);
        bits += 5;
        if (bits >= 8) {
            b[k++] = (unsigned char)(acc >> (bits - 8));
            bits -= 8;
        }
    }
    /* strict: the padding bits of the last character are zero (one text per token) */
    if (k != L->bytes || b[0] != v || (acc & ((1u << bits) - 1)) != 0) {
        *why = "この版の符号は読めません";
        return -1;
    }
    t->version = v;
    t->kind = (enum paper_kind)b[1];
    if (!paper_kind_name(t->kind)) {
        *why = "書類の種類が不明です";
        return -1;
    }
    unsigned long ins = (unsigned long)b[2] << 16 | (unsigned long)b[3] << 8 | b[4];
    if (ins > 999999) {
        *why = "保険者番号が不正です";
        return -1;
    }
    for (int i = 5; i >= 0; i--, ins /= 10)
        t->insurer_no[i] = (char)('0' + ins % 10);
    memcpy(t->insured_no, b + 5, 10);
    const char *w;
    if (memchr(t->insured_no, '\0', 10) || insured_no_check(t->insured_no, 10, &w)) {
        *why = "被保険者番号が不正です";
        return -1;
    }
    t->serial = (uint32_t)b[15] << 24 | (uint32_t)b[16] << 16 | (uint32_t)b[17] << 8 | b[18];
    t->issued = get_date(b + 19);
    t->valid_from = get_date(b + 21);
    t->valid_to = get_date(b + 23);
    if (date_is_none(t->issued)) {
        *why = "交付年月日がありません";
        return -1;
    }
    if (v == 2) {
        if (b[25] > 99 || (b[26] & 0xC0)) {
            *why = "書類の内容の符号が不正です";
            return -1;
        }
        if (b[25]) {
            t->level[0] = (char)('0' + b[25] / 10);
            t->level[1] = (char)('0' + b[25] % 10);
        }
        t->ratio = b[26] & 3;
        t->stage = b[26] >> 2 & 7;
        t->pending = (b[26] >> 5) & 1;
    }
    memcpy(t->content_hash, b + L->hash_at, PAPER_HASH_BYTES);
    memcpy(t->sig, b + L->signed_bytes, 64);
    return 0;
}

enum paper_state paper_state_of(const struct paper_token *t, const struct paper_record *r)
{
    if (!r->found)
        return PAPER_UNKNOWN;
    if (strcmp(r->insured_no, t->insured_no) != 0 || r->kind != t->kind ||
        memcmp(r->content_hash, t->content_hash, PAPER_HASH_BYTES) != 0)
        return PAPER_MISMATCH;
    if (r->revoked)
        return PAPER_REVOKED;
    return r->latest > t->serial ? PAPER_SUPERSEDED : PAPER_CURRENT;
}

const char *paper_state_code(enum paper_state s)
{
    static const char *const c[] = {"unknown", "current", "superseded", "revoked", "mismatch"};
    return (unsigned)s < sizeof c / sizeof c[0] ? c[s] : "unknown";
}

const char *paper_state_label(enum paper_state s)
{
    static const char *const c[] = {"交付の記録がありません", "有効(最新の交付)", "再交付により置き換えられています",
                                    "保険者により失効しています", "交付の記録と内容が一致しません"};
    return (unsigned)s < sizeof c / sizeof c[0] ? c[s] : c[0];
}
