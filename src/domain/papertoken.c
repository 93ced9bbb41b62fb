/* papertoken.c - the signed paper token; see papertoken.h. */
#include <sodium.h>
#include <string.h>

#include "domain/numbers.h"
#include "domain/papertoken.h"
#include "util/banned.h"

#define PREFIX "KG1:"
#define VERSION 1
#define NO_DATE 0xFFFFu
static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
static const char context[] = "kaigo-paper-v1";

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

/* pack - the signed bytes 0..40 */
static int pack(const struct paper_token *t, unsigned char b[PAPER_TOKEN_BYTES])
{
    const char *why;
    if (!paper_kind_name(t->kind) || strlen(t->insurer_no) != 6 || strspn(t->insurer_no, "0123456789") != 6 ||
        strlen(t->insured_no) != 10 || insured_no_check(t->insured_no, 10, &why))
        return -1;
    b[0] = VERSION;
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
    memcpy(b + 25, t->content_hash, PAPER_HASH_BYTES);
    return 0;
}

static void message(const unsigned char b[PAPER_TOKEN_BYTES], unsigned char m[sizeof context - 1 + PAPER_SIGNED_BYTES])
{
    memcpy(m, context, sizeof context - 1);
    memcpy(m + sizeof context - 1, b, PAPER_SIGNED_BYTES);
}

int paper_token_sign(struct paper_token *t, const unsigned char sk[64])
{
    unsigned char b[PAPER_TOKEN_BYTES], m[sizeof context - 1 + PAPER_SIGNED_BYTES];
    if (pack(t, b))
        return -1;
    message(b, m);
    crypto_sign_detached(t->sig, NULL, m, sizeof m, sk);
    return 0;
}

bool paper_token_verify(const struct paper_token *t, const unsigned char pk[32])
{
    unsigned char b[PAPER_TOKEN_BYTES], m[sizeof context - 1 + PAPER_SIGNED_BYTES];
    if (pack(t, b))
        return false;
    message(b, m);
    return crypto_sign_verify_detached(t->sig, m, sizeof m, pk) == 0;
}

int paper_token_text(const struct paper_token *t, char out[PAPER_TOKEN_TEXT_MAX])
{
    unsigned char b[PAPER_TOKEN_BYTES];
    if (pack(t, b))
        return -1;
    memcpy(b + PAPER_SIGNED_BYTES, t->sig, 64);
    char *o = out;
    memcpy(o, PREFIX, sizeof PREFIX - 1);
    o += sizeof PREFIX - 1;
    unsigned acc = 0, bits = 0;
    for (size_t i = 0; i < PAPER_TOKEN_BYTES; i++) {
        acc = (acc << 8) | b[i];
        bits += 8;
        while (bits >= 5) {
            *o++ = b32[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits) /* 105 × 8 = 840 bits: never, kept for safety */
        *o++ = b32[(acc << (5 - bits)) & 31];
    *o = '\0';
    return 0;
}

int paper_token_parse(const char *s, size_t n, struct paper_token *t, const char **why)
{
    memset(t, 0, sizeof *t);
    size_t want = sizeof PREFIX - 1 + (PAPER_TOKEN_BYTES * 8 + 4) / 5;
    if (n < sizeof PREFIX - 1 || memcmp(s, PREFIX, sizeof PREFIX - 1) != 0) {
        *why = "kaigo の書類の符号(KG1:)ではありません";
        return -1;
    }
    if (n != want) {
        *why = "符号の長さが違います(読み取りが欠けているか、別の版です)";
        return -1;
    }
    unsigned char b[PAPER_TOKEN_BYTES];
    unsigned acc = 0, bits = 0;
    size_t k = 0;
    for (size_t i = sizeof PREFIX - 1; i < n; i++) {
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
    if (k != PAPER_TOKEN_BYTES || b[0] != VERSION) {
        *why = "この版の符号は読めません";
        return -1;
    }
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
    memcpy(t->content_hash, b + 25, PAPER_HASH_BYTES);
    memcpy(t->sig, b + PAPER_SIGNED_BYTES, 64);
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
