/*
 * papertoken.h - the signed token printed as a QR code on every paper document
 * (被保険者証, 負担割合証, 負担限度額認定証, notices, the access report): what the
 * document asserts, small enough for a QR code, verifiable offline with the
 * insurer's published Ed25519 key (issue #6, platform.md §1.7, §3).
 *
 * The token holds no more personal data than the paper shows: the document
 * kind, 保険者番号, 被保険者番号, a serial, the issue date, the validity, and a
 * SHA-256 prefix of the printed content (names and addresses enter only through
 * that hash). Version 2 (issued from issue #14) also carries the facts a clerk compares
 * with the paper — the 要介護状態区分 code, 申請中, the 負担割合 and the 負担限度額 段階 —
 * so that a forged level or 割合 printed beside a genuine QR is caught offline too.
 * Binary form (big-endian; version 2, 107 bytes; 176 characters keep the QR at version 7-M,
 * as readable from a 150 dpi scan as version 1 was):
 *
 *   0 version (2) | 1 kind | 2–4 保険者番号 (0–999999) | 5–14 被保険者番号 (ASCII)
 *   15–18 serial | 19–20 issued | 21–22 valid from | 23–24 valid to
 *       (days since 2000-01-01; 0xFFFF = none)
 *   25 level code (21 = 要介護1 …; 0 none)
 *   26 bits 0–1 負担割合 (1–3; 0 none), bits 2–4 負担限度額 段階 (enum limit_stage; 0 none),
 *      bit 5 申請中, bits 6–7 zero
 *   27–42 content hash (the first 16 bytes of SHA-256 of the printed text)
 *   43–106 Ed25519 signature over "kaigo-paper-v2" || bytes 0–42
 *
 * Version 1 (documents printed before; still verified): no bytes 25–26, the hash at
 * 25–40, signature at 41 over "kaigo-paper-v1" || bytes 0–40, 105 bytes.
 *
 * Text form: "KG2:" (or "KG1:") + RFC 4648 base32 without padding (172 or 168
 * characters, all in the QR alphanumeric set). Decoding is strict: anything else is
 * refused with a Japanese reason. Pure: no I/O; libsodium for the hash and the signature.
 */
#ifndef KAIGO_DOMAIN_PAPERTOKEN_H
#define KAIGO_DOMAIN_PAPERTOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/compiler.h"
#include "util/date.h"

enum paper_kind {
    PAPER_CARD = 1,   /* 介護保険被保険者証 */
    PAPER_BURDEN = 2, /* 介護保険負担割合証 */
    PAPER_LIMIT = 3,  /* 介護保険負担限度額認定証 */
    PAPER_NOTICE = 4, /* 負担割合・負担限度額のお知らせ */
    PAPER_ACCESS = 5, /* 閲覧記録のお知らせ (access report) */
    PAPER_POSTPONE = 6, /* 要介護認定の延期通知 (介護保険法 第27条 第11項ただし書) */
};

#define PAPER_TOKEN_VERSION 2    /* what paper_token_sign writes */
#define PAPER_TOKEN_BYTES 107    /* version 2 (version 1: 105) */
#define PAPER_SIGNED_BYTES 43    /* version 2 (version 1: 41) */
#define PAPER_HASH_BYTES 16
#define PAPER_TOKEN_TEXT_MAX 180 /* "KG2:" + 172 base32 characters + NUL, rounded up */

struct paper_token {
    enum paper_kind kind;
    char insurer_no[7];
    char insured_no[11];
    uint32_t serial;
    struct date issued;
    struct date valid_from, valid_to; /* none (all zero) when the document has no validity */
    unsigned char content_hash[PAPER_HASH_BYTES];
    unsigned char sig[64];
    /* version 2: what the document asserts (0 / "" where it says nothing) */
    unsigned version;  /* 0 when signing means PAPER_TOKEN_VERSION */
    char level[3];     /* 要介護状態区分 code "21"; "" none */
    unsigned ratio;    /* 負担割合 1–3; 0 none */
    unsigned stage;    /* enum limit_stage; 0 none */
    bool pending;      /* 申請中 */
};

/* paper_kind_name - "介護保険被保険者証", …, or NULL for an unknown kind. */
const char *paper_kind_name(enum paper_kind k);

/* paper_content_hash - the first 16 bytes of SHA-256 of the printed text. */
void paper_content_hash(const char *text, size_t n, unsigned char out[PAPER_HASH_BYTES]) NONNULL(1, 3);

/* paper_token_sign - signs *t (every field but sig set) with an Ed25519 secret
 * key. -1 if a field cannot be encoded (a number of the wrong form, a date
 * outside 2000-01-01 + 65534 days). */
MUST_CHECK int paper_token_sign(struct paper_token *t, const unsigned char sk[64]) NONNULL(1, 2);

/* paper_token_text - the text form of a signed token into out. */
MUST_CHECK int paper_token_text(const struct paper_token *t, char out[PAPER_TOKEN_TEXT_MAX]) NONNULL(1, 2);

/* paper_token_parse - the text form back (spaces and a trailing newline are not
 * accepted: the QR decoder gives it exactly). 0, or -1 with *why. The signature
 * is not checked here. */
MUST_CHECK int paper_token_parse(const char *s, size_t n, struct paper_token *t, const char **why)
    NONNULL(1, 3, 4);

/* What the issue record says of a presented document (online verification). */
enum paper_state {
    PAPER_UNKNOWN = 0, /* no such serial of the insurer */
    PAPER_CURRENT,     /* the latest of its kind for the person, not revoked */
    PAPER_SUPERSEDED,  /* a later document of the same kind was issued to the person */
    PAPER_REVOKED,     /* revoked by the insurer */
    PAPER_MISMATCH,    /* the record under that serial is of another person, kind or content */
};
struct paper_record {
    bool found;
    char insured_no[11];
    enum paper_kind kind;
    unsigned char content_hash[PAPER_HASH_BYTES];
    bool revoked;
    uint32_t latest; /* the person's latest serial of that kind */
};
/* paper_state_of - the state of token t given the record under its serial. */
enum paper_state paper_state_of(const struct paper_token *t, const struct paper_record *r) NONNULL(1, 2);
const char *paper_state_code(enum paper_state s);  /* "current", … */
const char *paper_state_label(enum paper_state s); /* "有効(最新)", … */

/* paper_token_verify - the signature against the insurer's public key. */
bool paper_token_verify(const struct paper_token *t, const unsigned char pk[32]) NONNULL(1, 2);

#endif
