/*
 * keyfile.h - Ed25519 signing keys kept as files beside the database: the audit
 * log's (<db>.audit-key) and each insurer's paper key (<db>.paper-key-<保険者番号>),
 * 64 bytes, mode 0600, created on first use together with <path>.pub (the
 * public key in hex, for verifiers). The secret never enters the database.
 */
#ifndef KAIGO_STORE_KEYFILE_H
#define KAIGO_STORE_KEYFILE_H

#include <stdbool.h>
#include <stddef.h>

#define KEYFILE_SK_BYTES 64
#define KEYFILE_PK_BYTES 32

/* keyfile_load - the key at path into sk; when it does not exist and create,
 * a new one (and path.pub). 0, 1 when it does not exist (and !create), or -1
 * after a message. */
int keyfile_load(const char *path, bool create, unsigned char sk[KEYFILE_SK_BYTES]);

/* paper_key_path - "<db>.paper-key-<insurer>" into out; -1 if it does not fit. */
int paper_key_path(const char *db, const char *insurer_no, char *out, size_t cap);

/* paper_pubkey_load - the insurer's published paper key (<db>.paper-key-<insurer>.pub,
 * the hex line keyfile_load wrote). 0, or -1 when it is missing or malformed. */
int paper_pubkey_load(const char *db, const char *insurer_no, unsigned char pk[KEYFILE_PK_BYTES]);

/* keyfile_side_public, keyfile_side_private - the side files kept beside a store (store_side_path)
 * that belong with its data when it is backed up or moved, by suffix of the store's name: the
 * published keys; the secret keys and the operator token. The token key signs only short-lived
 * tokens (without it a new one is made; its public half travels with it, or a .pub left alone
 * would stop the new key being made). */
bool keyfile_side_public(const char *suffix);
bool keyfile_side_private(const char *suffix);
/* keyfile_side_each - fn(ctx, suffix, public) for every key file beside the SQLite file db (a name
 * "<db's name>.<suffix>" in its directory that keyfile_side_public or _private accepts), in the
 * directory's order: what kaigo backup and kaigo migrate carry. Stops at fn's first non-zero and
 * returns it; 0 when all were seen; -1 when the directory cannot be read (errno says why). */
int keyfile_side_each(const char *db, int (*fn)(void *ctx, const char *suffix, bool pub), void *ctx);
#endif
