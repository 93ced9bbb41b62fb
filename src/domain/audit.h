/*
 * audit.h - audit entries: canonical bytes and hashes. Pure (libsodium SHA-256).
 *
 * One log per insurer (architecture.md §4). leaf = SHA-256(0x00 ‖ canonical
 * bytes) as in RFC 9162; the Merkle tree and its signed checkpoints are built
 * over the leaf hashes. The canonical bytes carry the insurer and the sequence
 * number, so an entry moved, copied or renumbered no longer matches its row,
 * and a gap in the numbers shows a deletion. (Logs before format 3 also kept a
 * hash chain; with the entry's own seq and the signed tree it added nothing,
 * and it would stand in the way of authenticated selective deletion at the end
 * of the retention period.)
 */
#ifndef KAIGO_DOMAIN_AUDIT_H
#define KAIGO_DOMAIN_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/gate.h"

#define AUDIT_HASH_BYTES 32
/* The root of every complete aligned block of 2^AUDIT_BLOCK_BITS entries is
 * stored beside the log (audit.blocks), so that a proof reads n/1024 hashes
 * and at most two blocks of leaves instead of every leaf. */
#define AUDIT_BLOCK_BITS 10
#define AUDIT_BLOCK ((int64_t)1 << AUDIT_BLOCK_BITS)
#define AUDIT_CANON_MAX 512
#define REQUEST_ID_BYTES 40

struct audit_entry {
    char insurer_no[INSURER_NO_LEN + 1];
    int64_t seq;     /* per insurer, from 1; assigned by the writer */
    int64_t time_ms; /* UTC milliseconds; order is by seq, never by time */
    char actor[ACTOR_ID_BYTES];
    char org[ORG_ID_BYTES];
    enum role role;
    char insured_no[INSURED_NO_LEN + 1];
    enum category category;
    enum purpose purpose;
    enum basis basis;
    enum outcome outcome;
    unsigned flags;                 /* GATE_FLAG_BREAKGLASS */
    char basis_ref[BASIS_REF_BYTES]; /* the consent/relationship/proxy/grant relied on */
    char request_id[REQUEST_ID_BYTES];
};

/* The same fields as stored text (codes, not enums): what a store reads back.
 * Slices need not be NUL-terminated. */
struct audit_text {
    const char *p;
    size_t n;
};
struct audit_fields {
    struct audit_text insurer_no;
    int64_t seq, time_ms;
    struct audit_text actor, org, role, insured_no, category, purpose, basis, outcome, request_id;
    unsigned flags;
    struct audit_text basis_ref;
};

/* audit_canonical_fields - the canonical bytes from stored text; equal to
 * audit_canonical() of the entry the text came from. */
size_t audit_canonical_fields(const struct audit_fields *f, unsigned char out[AUDIT_CANON_MAX]);

/* audit_fields_parse - the fields of canonical bytes as stored (the audit
 * table keeps each entry as its canonical bytes): slices point into b. Strict:
 * the "kaigo-audit-2" tag, fifteen length-prefixed items that end exactly at n,
 * decimals exactly as audit_canonical writes them (no sign on zero, no leading
 * zeros, within int64; flags within unsigned), at most AUDIT_CANON_MAX bytes. So whatever parses is the
 * canonical form of what it parses to: audit_canonical_fields(parse(b)) == b.
 * Returns false (f unspecified) on anything else. */
bool audit_fields_parse(const unsigned char *b, size_t n, struct audit_fields *f);

/* audit_canonical - writes the canonical bytes (≤ AUDIT_CANON_MAX) to out and
 * returns their length. Every field is length-prefixed, so no two entries share bytes. */
size_t audit_canonical(const struct audit_entry *e, unsigned char out[AUDIT_CANON_MAX]);
void audit_leaf_hash(const unsigned char *canon, size_t n, unsigned char out[AUDIT_HASH_BYTES]);
/* hash_pair - SHA-256(prefix ‖ a ‖ b): the Merkle node (prefix 0x01). */
void hash_pair(unsigned char prefix, const unsigned char a[AUDIT_HASH_BYTES],
               const unsigned char b[AUDIT_HASH_BYTES], unsigned char out[AUDIT_HASH_BYTES]);

/* ---- signed checkpoints (tree heads) ------------------------------------ */

#define AUDIT_SIG_BYTES 64
#define AUDIT_PK_BYTES 32
#define AUDIT_SK_BYTES 64
#define AUDIT_CKPT_MSG_MAX 160

struct audit_checkpoint {
    char insurer_no[INSURER_NO_LEN + 1];
    int64_t size; /* number of entries covered */
    unsigned char root[AUDIT_HASH_BYTES];
    int64_t time_ms;
    unsigned char sig[AUDIT_SIG_BYTES];
};

/* audit_checkpoint_message - the signed bytes: "kaigo-checkpoint-1\n<insurer>\n<size>\n<root hex>\n<time>\n". */
size_t audit_checkpoint_message(const struct audit_checkpoint *c, char out[AUDIT_CKPT_MSG_MAX]);
/* Ed25519 over the message (libsodium). sign fills c->sig; verify returns true if valid. */
void audit_checkpoint_sign(struct audit_checkpoint *c, const unsigned char sk[AUDIT_SK_BYTES]);
MUST_CHECK bool audit_checkpoint_verify(const struct audit_checkpoint *c,
                                        const unsigned char pk[AUDIT_PK_BYTES]);

#endif
