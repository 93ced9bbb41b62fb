/*
 * cpcsv.h - the ケアプランデータ連携標準仕様 v4.1 CSV (careplan-csv.md): the
 * record layouts of the core files as data, the file-name rule (v4.1 with
 * service-type codes, v3 without), and the check of one record's fields.
 * Pure: the caller splits bytes into fields (util/csv.c) after decoding MS932.
 *
 * Layout kinds are what the standard fixes for each column (length, digits,
 * dates, codes, free text); a field that breaks them is reported with the
 * column number and its Japanese name, as FILE:LINE:COLUMN(項目名) by callers.
 * Every file of v4.1 has a layout, the prevention files (UPKIHON…, UPYOBO…) included, compared
 * with a text copy of the 別紙 in issue #17 (docs/exchange.md); UPKIHON_IMAGE (a JPEG) has none.
 */
#ifndef KAIGO_DOMAIN_CPCSV_H
#define KAIGO_DOMAIN_CPCSV_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/compiler.h"

enum cp_file {
    CP_NONE = 0,
    CP_UPHOSOKU, /* 利用者補足情報 */
    CP_UP1KYO,   /* 居宅サービス計画1表 */
    CP_DLT1KYO,  /* 1表 削除 */
    CP_UP2KYO,   /* 2表 */
    CP_UP3KYO,   /* 3表 (v4) */
    CP_UPPLAN,   /* 第6表 予定 */
    CP_DLTPLAN,  /* 第6表 予定 削除 */
    CP_UPJSK,    /* 第6表 実績 */
    CP_DLTJSK,   /* 実績 削除 */
    CP_UPSIKYU,  /* 第7表 */
    CP_UPKIHON, CP_UPKIHON_SUB1, CP_UPKIHON_SUB2, CP_DLTKIHON, CP_UPYOBO, CP_UPYOBO_SUB, CP_DLTYOBO,
    CP_UPKIHON_IMAGE, /* 家族構成 image (JPEG) named by a UPKIHON record's column 62 */
    CP_FILE_COUNT
};

enum cp_kind {
    K_VER = 1, /* CSVバージョン YYYYMM: 202407 (v4.1), 202504 (v4.0 as first issued), 202208 (v3) */
    K_INSURER, /* 6 digits */
    K_INSURED, /* 10 digits/capitals, or H + 9 digits */
    K_OFFICE,  /* 10 characters */
    K_DATE,    /* YYYYMMDD */
    K_DATE0,   /* YYYYMMDD or 00000000 */
    K_YM,      /* YYYYMM */
    K_YM0,     /* YYYYMM or 000000 */
    K_TIME,    /* HHMM or 9999 */
    K_INT,     /* an integer of at most len digits, maybe negative */
    K_CODE,    /* at most len ASCII letters/digits */
    K_TEXT,    /* free text (quoted on output) */
    K_DAYS31,  /* 31 characters of 0/1 */
    K_SVC,     /* サービスコード: 6 characters */
    K_SVC7,    /* 第7表: 6 characters, or <種類2>AAAA/EEEE/ZZZZ, or 999999 */
    K_POSTAL,  /* XXX-XXXX */
    K_PRICE,   /* 99.99 */
    K_PHONE,   /* at most len digits, hyphens, parentheses */
    K_TAIS,    /* TAIS / 届出 code: digits and hyphens (ASCII or full-width), at most len characters */
};

struct cp_col {
    const char *name;
    unsigned char len; /* 0 = free length */
    bool required;
    enum cp_kind kind;
};

struct cp_layout {
    enum cp_file file;
    const char *prefix;
    const char *title;
    bool month_in_name; /* the file name carries 提供/対象年月 */
    const struct cp_col *cols;
    unsigned ncols;
};

const struct cp_layout *cp_layout(enum cp_file f); /* NULL for a file without one (UPKIHON_IMAGE) */
/* cp_layout_era - the layout of f in v4.1, or with v3 (a v3 file name, CSVバージョン 202208) the v3 one:
 * the 第6表/実績 of 22 items and the 第7表 of 34 (v4.0 added TAISコード, 福祉用具届出コード and 用具名称);
 * the v4 layout for the files v4.0 did not change. */
const struct cp_layout *cp_layout_era(enum cp_file f, bool v3);
#define CP_V3_PLAN_ITEMS 22
#define CP_V3_SIKYU_ITEMS 34
/* cp_v4_col - where the v4 column v4_index (0-based) stands in a 第6表/実績/第7表 record of nf items: the
 * same in a v4 record, 3 earlier past the added items in a v3 one, -1 for an added item (no such column
 * in v3). For the readers that name columns by their v4 number. */
int cp_v4_col(unsigned nf, unsigned v4_index);
const char *cp_prefix(enum cp_file f);
enum cp_file cp_file_from_prefix(const char *s, size_t n);

#define CP_VERSION_V41 "202407"
#define CP_VERSION_V3 "202208"

struct cp_name {
    enum cp_file file;
    char month[7];     /* "201912", "000000", or "" when the file has none */
    char from[11], to[11];
    char from_kind[3], to_kind[3]; /* "" in v3 names */
    char stamp[15];    /* YYYYMMDDHHMMSS: one send unit shares it */
    char branch[5];    /* UPKIHON_IMAGE only: 枝番 (4 digits) */
    bool v3;
};

/* cp_name_parse - a file name (no directory); 0 or -1 with *why. */
MUST_CHECK int cp_name_parse(const char *name, struct cp_name *out, const char **why) NONNULL(1, 2, 3);
/* cp_name_format - the name back ("….CSV"); -1 if it does not fit cap. */
MUST_CHECK int cp_name_format(const struct cp_name *n, char *out, size_t cap) NONNULL(1, 2);

/* cp_field_check - one field against its column. 0, or -1 with *why. */
MUST_CHECK int cp_field_check(const struct cp_col *c, struct str v, const char **why) NONNULL(1, 3);
/* cp_version_known - one of the CSV versions kaigo reads. */
bool cp_version_known(struct str v);

#endif
