/*
 * cpstore.h - care plans and monthly slips of the CSV standard kept as
 * versioned person records, and rebuilt as files again.
 *
 * Each stored record set is one key of the standard (careplan-csv.md §6) for
 * one person: kind "cp.<PREFIX>", rkey
 *   UP1KYO / UP2KYO / UP3KYO     居宅サービス計画作成（変更）日 (YYYYMMDD)
 *   UPHOSOKU                     "P" + plan date (1表-linked) or "M" + 対象年月 (6表-linked)
 *   UPPLAN / UPSIKYU             対象年月 (YYYYMM)
 *   UPJSK                        対象年月 ":" サービス事業者コード ":" サービス種類コード
 *   UPYOBO / UPYOBO_SUB          計画作成（変更）日
 *   UPKIHON / _SUB1 / _SUB2 / _IMAGE  相談日 (the image: of the UPKIHON record naming it)
 * and a body holding the rows as they came (fields, which were quoted), the
 * CSV version, the line terminator and the sender, so that exporting gives
 * the same bytes. A later send replaces the set (a new version); the delete
 * files write an empty set ("deleted") for the key and its cascade (1表 → 2表,
 * 3表, 補足; 6表 → 7表, 補足; 介護予防計画 → 別表; 利用者基本情報 → 別表1, 別表2, image).
 */
#ifndef KAIGO_STORE_CPSTORE_H
#define KAIGO_STORE_CPSTORE_H

#include "domain/gate.h"
#include "codec/cpfile.h"
#include "store/store.h"

/* UPKIHON's 家族構成 画像ファイル名 (No.62), 0-based */
#define KIHON_IMAGE_COL 61

/* cps_links - the unit's 家族構成 images and the UPKIHON records that name them
 * (No.62) must match: an image no record names, or a name whose image is not in the
 * unit, is reported (path, line) and counted. */
long cps_links(const struct cp_filedata *files, const char *const *paths, size_t n,
               void (*err)(void *ctx, const char *path, long line, const char *msg), void *ctx);

/* cps_import - stores every file of one checked send unit (the caller holds a
 * write transaction and commits only if this returns 0). Records of persons
 * not in the registry are reported through err (file, line) and counted.
 * Returns the number of problems, or -1 on a database error. *sets = record
 * sets written. */
long cps_import(struct store *st, const struct actor *a, const struct cp_filedata *files,
                const char *const *paths, size_t n, long *sets,
                void (*err)(void *ctx, const char *path, long line, const char *msg), void *ctx);

/* cps_body - the stored body of rows[0..n) of file f (caller frees): a line of JSON
 * (file, version, terminator, sender, stamp, "packed") and the records' text, each
 * record after the first kept as what it does not share with the one before. */
char *cps_body(const struct cp_filedata *f, const size_t *rows, size_t n);
/* cps_plain - a stored body as text to show (caller frees): the JSON line, then the
 * records' text as received; NULL if a packed body is malformed. */
char *cps_plain(const char *body);
/* cps_decode - a stored body back into rows of file f (fields, masks, version,
 * eol) appended to *out (out->layout set by the caller). -1 if malformed. */
int cps_decode(const char *body, struct cp_filedata *out);
/* A stored row as the disclosure pipeline hands it over. */
struct cps_row {
    const char *kind, *rkey, *body;
};
typedef int cps_file_fn(void *ctx, const char *name, const char *bytes, size_t len);

/* cps_export - the send unit for what ("month:YYYYMM": 補足 + 6表 + 7表; "plan:YYYYMMDD":
 * 1表 + 2表 + 3表 + 補足; "jsk:YYYYMM": every 実績 of the month; "kihon:YYYYMMDD": 利用者基本情報
 * and its 別表1, 別表2 of that 相談日) from the person's stored rows,
 * addressed to office to (10) of service type to_kind, named with stamp (NULL: the stamp
 * the sets were received with). fn gets each file (MS932) in the unit's order. A character
 * outside MS932 goes to w->fn with its file, line, field and person; without w->substitute the
 * unit is refused. 0, or -1 with *why (nothing stored for it, a character outside MS932, a
 * malformed set). */
MUST_CHECK int cps_export(const struct cps_row *rows, size_t n, const char *what, const char *to,
                          const char *to_kind, const char *stamp, const struct cp_write_opts *w,
                          cps_file_fn *fn, void *ctx, const char **why);

/* cps_deliveries - after cps_import of a unit sent by from_org: one delivery per
 * (person, what, receiving office) for the offices named in the file names, which
 * must be registered (org office_no); unknown receivers are reported and counted. */
long cps_deliveries(struct store *st, const struct cp_filedata *files, const char *const *paths,
                    size_t n, const char *from_org, int64_t now,
                    void (*err)(void *ctx, const char *path, long line, const char *msg), void *ctx);

/* cps_kinds - the stored kinds, NULL-terminated (for the disclosure of 計画). */
extern const char *const cps_kinds[];

#endif
