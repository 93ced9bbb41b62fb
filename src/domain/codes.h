/*
 * codes.h - dated code lists kept as data files and generated into C by
 * tools/gen-table.awk: the 認定調査票 items (data/chosa-items.tsv) and the 16
 * 特定疾病 (data/tokutei-shippei.tsv). A row holds from its valid_from to its
 * valid_to (inclusive); its string columns follow in f[].
 */
#ifndef KAIGO_DOMAIN_CODES_H
#define KAIGO_DOMAIN_CODES_H

#include "util/date.h"

#define CODE_ROW_COLS 5

struct code_row {
    struct date from, to;
    const char *f[CODE_ROW_COLS];
};

/* chosa_items: f = id, group, axis, name, answers ("1:ない|2:ある") */
extern const struct code_row chosa_items[];
extern const unsigned chosa_items_len;
/* service_types: f = サービス種類コード, name, 人件費割合 (%) */
extern const struct code_row service_types[];
extern const unsigned service_types_len;
/* tokutei_shippei: f = code, name */
extern const struct code_row tokutei_shippei[];
extern const unsigned tokutei_shippei_len;

#endif
