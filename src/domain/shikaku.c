/*
 * shikaku.c - 資格の取得・喪失・住所変更・住所地特例; see shikaku.h.
 */
#include <string.h>

#include "domain/shikaku.h"
#include "util/text.h"
#include "util/banned.h"

enum shikaku_kind shikaku_kind_from_code(const char *s)
{
    static const char *const codes[] = {"", "acquire", "lose", "move", "tokurei"};
    for (int i = 1; i <= SHIKAKU_TOKUREI; i++)
        if (s && strcmp(s, codes[i]) == 0)
            return (enum shikaku_kind)i;
    return 0;
}

const char *shikaku_kind_name(enum shikaku_kind k)
{
    switch (k) {
    case SHIKAKU_ACQUIRE:
        return "資格取得";
    case SHIKAKU_LOSE:
        return "資格喪失";
    case SHIKAKU_MOVE:
        return "住所変更";
    case SHIKAKU_TOKUREI:
        return "住所地特例";
    }
    return "";
}

static bool postal_ok(const char *p)
{
    if (strlen(p) != 8 || p[3] != '-')
        return false;
    for (int i = 0; i < 8; i++)
        if (i != 3 && (p[i] < '0' || p[i] > '9'))
            return false;
    return true;
}

static bool lost_on(const struct insured *p, struct date on)
{
    return !date_is_none(p->lost) && date_cmp(p->lost, on) <= 0;
}

int shikaku_apply(const struct insured *cur, const struct shikaku_change *c, struct insured *out, const char **why)
{
    *out = *cur;
    if (!date_valid(c->on)) {
        *why = "日付を入力してください";
        return -1;
    }
    switch (c->kind) {
    case SHIKAKU_ACQUIRE:
        /* 介護保険法 第10条: 資格 from the day the person comes to live in the municipality (or turns 65 / 40) - here
         * a re-acquisition after a 喪失 (a person never registered comes in by the import) */
        if (date_is_none(cur->lost)) {
            *why = "この方は資格を喪失していません(新しい方は住民記録の取込で登録します)";
            return -1;
        }
        if (date_cmp(c->on, cur->lost) < 0) {
            *why = "取得日は喪失日より後の日にしてください";
            return -1;
        }
        out->acquired = c->on;
        out->lost = DATE_NONE;
        out->tokurei = DATE_NONE;
        return 0;
    case SHIKAKU_LOSE:
        /* 介護保険法 第11条: 資格 is lost the day after the person ceases to live in the municipality (or on the
         * day of death's next day); the clerk enters that 喪失日 */
        if (!date_is_none(cur->lost)) {
            *why = "この方はすでに資格を喪失しています";
            return -1;
        }
        if (!date_is_none(cur->acquired) && date_cmp(c->on, cur->acquired) <= 0) {
            *why = "喪失日は取得日より後の日にしてください";
            return -1;
        }
        out->lost = c->on;
        return 0;
    case SHIKAKU_MOVE:
    case SHIKAKU_TOKUREI:
        if (lost_on(cur, c->on)) {
            *why = "資格を喪失した方の住所は変えられません";
            return -1;
        }
        if (!postal_ok(c->postal)) {
            *why = "郵便番号は 123-4567 の形で入力してください";
            return -1;
        }
        if (!c->address[0]) {
            *why = "住所を入力してください";
            return -1;
        }
        if (str_copy(out->postal, sizeof out->postal, c->postal) ||
            str_copy(out->address, sizeof out->address, c->address)) {
            *why = "住所が長すぎます";
            return -1;
        }
        if (c->kind == SHIKAKU_TOKUREI) {
            /* 介護保険法 第13条: a person who moves into a 住所地特例対象施設 in another municipality stays insured
             * here; the 証 shows the facility's address */
            if (!date_is_none(cur->tokurei)) {
                *why = "この方はすでに住所地特例の対象です";
                return -1;
            }
            out->tokurei = c->on;
        } else if (!strcmp(cur->address, out->address) && !strcmp(cur->postal, out->postal)) {
            *why = "住所が今と同じです";
            return -1;
        }
        return 0;
    }
    *why = "異動の種類を選んでください";
    return -1;
}
