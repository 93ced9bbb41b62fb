/*
 * csv.h - strict RFC 4180 reader over an in-memory UTF-8 buffer.
 *
 * The only code that splits untrusted CSV bytes into fields. Limits are
 * named in struct csv_limits and enforced per record. Fields are borrowed
 * slices valid until the next csv_next() call or csv_release().
 *
 * Accepted: CRLF or LF record ends; quoted fields with "" escapes and
 * embedded line breaks. Refused (error, reader skips to the next line so
 * that every bad line is reported): a quote inside an unquoted field, text
 * after a closing quote, an unterminated quote, a bare CR, a NUL byte, and
 * anything over the limits.
 */
#ifndef KAIGO_UTIL_CSV_H
#define KAIGO_UTIL_CSV_H

#include <stddef.h>

#include "util/buf.h"
#include "util/compiler.h"

#define CSV_MAX_FIELDS 256
#define CSV_MAX_FIELD_BYTES 4096
#define CSV_MAX_RECORD_BYTES 65536

struct csv_reader {
    const char *p;
    size_t n;
    size_t off;
    long line;     /* physical line of the next record's first byte */
    struct buf unq; /* unescaped quoted-field bytes for the current record */
    size_t nf;
    struct {
        size_t start; /* offset into p, or into unq if quoted */
        size_t len;
        int quoted;
    } f[CSV_MAX_FIELDS];
    struct str field[CSV_MAX_FIELDS];
};

struct csv_error {
    long line;
    int column;          /* 1-based field number */
    const char *message; /* static Japanese text */
};

void csv_init(struct csv_reader *r, const char *p, size_t n);
void csv_release(struct csv_reader *r);
/* csv_next - returns 1 with r->nf fields in r->field[] and *line set, 0 at
 * end of input, or -1 with *err filled (the reader has moved past the line). */
MUST_CHECK int csv_next(struct csv_reader *r, long *line, struct csv_error *err);

#endif
