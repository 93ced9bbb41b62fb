/*
 * cpfile.h - one file of the ケアプランデータ連携 CSV standard in and out:
 * MS932 bytes → checked records (cpfile_read) and records → MS932 bytes
 * (cpfile_write), such that reading a valid file and writing it again gives
 * the same bytes: each record keeps which fields were quoted, the file keeps
 * its line terminator (CRLF or LF) and whether the last line ends with one, and
 * a character MS932 has two codes for keeps the code it came in (struct cp_keep).
 *
 * Checks (careplan-csv.md §4–§6): the file name (cpcsv.h); MS932 only — bytes
 * that are not MS932 and 外字 (the user-defined area, which iconv maps to the
 * private use area) are refused with their position; no header row; each
 * record has the layout's columns, each field passes its column's check; one
 * CSV version per file, matching the name's era (v3 names ↔ 202208); one
 * service month per 6表/7表/実績 file, equal to the name's. A UPKIHON_IMAGE file
 * (.jpg) is not CSV: it must be a JPEG (starts FF D8 FF) of at most
 * CPFILE_IMAGE_MAX bytes and is kept as bytes. Every problem goes
 * to err_fn as (line, column or 0, column name, message); the file is
 * accepted only with none.
 */
#ifndef KAIGO_STORE_CPFILE_H
#define KAIGO_STORE_CPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/cpcsv.h"

#define CPFILE_MAX_BYTES (512u << 20)
/* A file of at least 2 × CPFILE_PART_MIN_BYTES is read in up to CPFILE_MAX_PARTS
 * stretches on as many threads as there are processors (the ingest benchmark). */
#define CPFILE_MAX_PARTS 8
#define CPFILE_IMAGE_MAX (16u << 20) /* a 家族構成 image (JPEG) */
#define CPFILE_PART_MIN_BYTES (4u << 20)

struct cp_record {
    long line;        /* first physical line */
    unsigned nf;
    char **f;         /* nf NUL-terminated UTF-8 fields (one allocation with f, freed through f) */
    uint64_t quoted[2]; /* bit i: field i (< 128) was quoted; see cp_quoted() */
    const char *raw;  /* the record's text as read (UTF-8, with its line terminator; in the
                         file's text), or NULL */
    size_t rawlen;
};

static inline bool cp_quoted(const struct cp_record *r, unsigned i)
{
    return i < 128 && ((r->quoted[i / 64] >> (i % 64)) & 1);
}
static inline void cp_set_quoted(struct cp_record *r, unsigned i)
{
    if (i < 128)
        r->quoted[i / 64] |= 1ULL << (i % 64);
}

/* A character that came in another MS932 code than the one kaigo would write for it (MS932 has
 * two for some: NEC-selected 0xED40–0xEEFC and IBM 0xFA40–; NEC row 13 and JIS ≒ ∵ …): record
 * rec, offset off in its raw text, the bytes b. A record written from its raw text is written
 * with these bytes, so a relayed file arrives as it was sent (issue #17). */
struct cp_keep {
    size_t rec;
    uint32_t off;
    unsigned char b[2];
};

struct cp_filedata {
    struct cp_name name;
    const struct cp_layout *layout;
    bool crlf;          /* records end with CRLF (else LF) */
    bool final_newline; /* the last record ends with one */
    size_t n, cap;
    struct cp_record *r;
    unsigned char *image; /* UPKIHON_IMAGE: the JPEG bytes (owned); no records */
    size_t image_len;
    char *text[CPFILE_MAX_PARTS]; /* the decoded text the records' raw point into (owned; one
                                     piece per stretch read on its own) */
    struct cp_keep *keep; /* by rec, then off (owned) */
    size_t nkeep;
};

typedef void cp_err_fn(void *ctx, long line, int column, const char *column_name, const char *msg);

/* cpfile_read - parses the file called fname (its base name is checked) from
 * bytes[0..n). Returns the number of problems reported (0: *out is complete),
 * or -1 if out of memory. Free *out with cpfile_free() either way. */
long cpfile_read(const char *fname, const char *bytes, size_t n, struct cp_filedata *out,
                 cp_err_fn *err, void *ctx);
/* cpfile_read_parts - the same with the file read in parts stretches at once (0:
 * by size and processors; 1: on the calling thread). A file that reads with any
 * problem is read again as one stretch, so problems are reported the same way and
 * in the same order whatever parts is; a file without problems gives the same
 * records (tests/unit/u-cpfile.c, fuzz_cpfile). */
long cpfile_read_parts(const char *fname, const char *bytes, size_t n, size_t parts, struct cp_filedata *out,
                       cp_err_fn *err, void *ctx);
/* cpfile_parse_text - the records of decoded (UTF-8) text without the file
 * checks (stored record sets read back); -1 if it does not split as CSV. */
int cpfile_parse_text(const char *text, size_t n, struct cp_filedata *out);
/* cpfile_write - the file's bytes (MS932; caller frees) or NULL when a field
 * holds a character outside MS932, with its record line and column. */
char *cpfile_write(const struct cp_filedata *f, size_t *n, long *bad_line, int *bad_column);

/* One character that MS932 does not have (JIS X 0213's 𠮷, a 髙 written with U+9AD9 is in MS932
 * but many are not), where it stands: the record's line, its column (1-based) and name, the
 * record's 保険者番号 and 被保険者番号 (empty for a file without them), and the code point. */
struct cp_unmappable {
    const char *file; /* the file's name as written */
    long line;
    int column;
    const char *column_name;
    const char *insurer_no, *insured_no;
    unsigned cp;
};
typedef void cp_unmappable_fn(void *ctx, const struct cp_unmappable *u);

/* CP_SUBSTITUTE - what a character outside MS932 becomes when substitution is chosen: 〓 (げた記号,
 * MS932 0x81AC), the mark Japanese forms use for a character that cannot be printed. */
#define CP_SUBSTITUTE "\x81\xAC"

/* cpfile_write_ex - cpfile_write that names every character outside MS932 (fn, may be NULL) and
 * *count of them: with substitute each is written 〓 and the bytes are returned; without, NULL
 * when there is any. Never a silent '?'. */
char *cpfile_write_ex(const struct cp_filedata *f, const char *fname, size_t *n, bool substitute,
                      cp_unmappable_fn *fn, void *ctx, size_t *count);

/* How a caller writes MS932: strict (NULL or substitute false) or with 〓, each character reported. */
struct cp_write_opts {
    bool substitute;
    cp_unmappable_fn *fn;
    void *ctx;
};
/* cpfile_add - appends a record of nf fields (copied; written quoted where the
 * layout's column is free text) to a file being made (f->layout set). */
void cpfile_add(struct cp_filedata *f, const char *const *fields, unsigned nf);
void cpfile_free(struct cp_filedata *f);

#endif
