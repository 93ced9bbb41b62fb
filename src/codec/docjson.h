/*
 * docjson.h - the certification documents, LIFE feedback, applications and
 * ledger claims as JSON: the one place they are parsed from untrusted bytes
 * (API bodies, import files) and encoded as stored record bodies.
 *
 * Parsers take the bytes and their length, refuse input over DOC_JSON_MAX,
 * anything but the documented members (an unknown member is an error, not
 * ignored), strings over their field's limit, invalid UTF-8 and dates that are
 * neither ISO nor 和暦; the message names the member in Japanese (*err). They
 * do not apply the domain rules (certdocs.h checks do). Encoders return
 * canonical JSON (sorted keys, compact) that the caller frees; decoding a
 * stored body with the same parser gives the same struct back.
 */
#ifndef KAIGO_STORE_DOCJSON_H
#define KAIGO_STORE_DOCJSON_H

#include "domain/certdocs.h"
#include "domain/certflow.h"
#include "domain/ledger.h"
#include "util/compiler.h"

#define DOC_JSON_MAX (256u * 1024u)

MUST_CHECK int docjson_chosa(const char *s, size_t n, struct chosa *out, struct doc_error *err);
char *docjson_chosa_encode(const struct chosa *c);
MUST_CHECK int docjson_ikensho(const char *s, size_t n, struct ikensho *out, struct doc_error *err);
char *docjson_ikensho_encode(const struct ikensho *o);
MUST_CHECK int docjson_life(const char *s, size_t n, struct life_feedback *out, struct doc_error *err);
char *docjson_life_encode(const struct life_feedback *f);
/* applications and claims: stored bodies only (written by kaigo) */
MUST_CHECK int docjson_app(const char *s, size_t n, struct application *out);
char *docjson_app_encode(const struct application *a);
MUST_CHECK int docjson_claim(const char *s, size_t n, struct ledger_claim *out, struct doc_error *err);
char *docjson_claim_encode(const struct ledger_claim *c);

#endif
