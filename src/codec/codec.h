/*
 * codec.h - record bodies as canonical JSON (the record_versions.body column).
 *
 * Encoders return a malloc'd NUL-terminated string (caller frees) with keys in
 * a fixed order, so equal records give equal bytes (re-import detects "no
 * change" by comparing bodies). Decoders fill an initialised struct and return
 * 0, or -1 if the body is malformed (a corrupt database, never user input).
 */
#ifndef KAIGO_STORE_CODEC_H
#define KAIGO_STORE_CODEC_H

#include "domain/importspec.h"
#include "domain/records.h"

char *codec_encode_row(const struct import_row *row);
int codec_decode_insured(const char *body, struct insured *out);
int codec_decode_cert(const char *body, struct certification *out);
int codec_decode_burden(const char *body, struct burden_cert *out);
int codec_decode_limit(const char *body, struct limit_cert *out);
int codec_decode_restriction(const char *body, struct restriction *out);
int codec_decode_plan(const char *body, struct plan_notice *out);
int codec_decode_facility(const char *body, struct facility_stay *out);

#endif
