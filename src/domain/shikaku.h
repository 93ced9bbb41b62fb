/*
 * shikaku.h - a change of a person's 資格 as the municipality records it (issue #19 §1): 取得, 喪失, 住所変更 and
 * 住所地特例, each the next version of the person's 資格 record (the store appends it with who, when and why).
 * Pure: the current record and the change give the new record, or a Japanese reason and no change.
 */
#ifndef KAIGO_DOMAIN_SHIKAKU_H
#define KAIGO_DOMAIN_SHIKAKU_H

#include "domain/records.h"
#include "util/compiler.h"

enum shikaku_kind { SHIKAKU_ACQUIRE = 1, SHIKAKU_LOSE, SHIKAKU_MOVE, SHIKAKU_TOKUREI };

struct shikaku_change {
    enum shikaku_kind kind;
    struct date on;            /* 取得日 / 喪失日 / 異動日 / 住所地特例の開始日 */
    char postal[9];            /* 住所変更, 住所地特例: "123-4567" */
    char address[ADDRESS_BYTES];
};

/* shikaku_kind_from_code - "acquire" | "lose" | "move" | "tokurei"; 0 if unknown */
enum shikaku_kind shikaku_kind_from_code(const char *s);
const char *shikaku_kind_name(enum shikaku_kind k); /* 資格取得 … */

/* shikaku_apply - *out = cur changed by c. -1 with *why (nothing to change, a date before 取得, a lost 資格,
 * a malformed 郵便番号 or an empty 住所). */
MUST_CHECK int shikaku_apply(const struct insured *cur, const struct shikaku_change *c, struct insured *out,
                             const char **why) NONNULL(1, 2, 3, 4);

#endif
