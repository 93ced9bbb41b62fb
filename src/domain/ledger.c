/*
 * ledger.c - 住宅改修費・特定福祉用具購入費 limits; see ledger.h.
 *
 * RULE-LEDGER-001 (平成12年厚生省告示第35号 居宅介護住宅改修費支給限度基準額): 住宅改修費 20万円
 *   per residence; again on moving house (転居).
 * RULE-LEDGER-002 (平成12年老企第42号): once, when the care level is 3 or more
 *   steps heavier than at the first 住宅改修, the limit is available again.
 *   The step ladder is data (jutaku_step) and unverified (docs/rules/ledger.md).
 * RULE-LEDGER-003 (平成12年厚生省告示第34号 居宅介護福祉用具購入費支給限度基準額): 10万円 per
 *   fiscal year (4月1日〜翌年3月31日).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"
#include "domain/ledger.h"
#include "domain/rates.h"
#include "util/buf.h"
#include "util/xalloc.h"
#include "util/banned.h"

const char *ledger_kind_code(enum ledger_kind k)
{
    return k == LEDGER_JUTAKU ? "jutaku" : k == LEDGER_YOGU ? "yogu" : "";
}
const char *ledger_kind_name(enum ledger_kind k)
{
    return k == LEDGER_JUTAKU ? "住宅改修" : k == LEDGER_YOGU ? "福祉用具購入" : "";
}
enum ledger_kind ledger_kind_from_code(const char *s)
{
    return strcmp(s, "jutaku") == 0 ? LEDGER_JUTAKU : strcmp(s, "yogu") == 0 ? LEDGER_YOGU : 0;
}

static int step_of(enum care_level l, struct date on)
{
    long long v;
    return rate_get("jutaku_step", level_code(l), on, &v) ? 0 : (int)v;
}

static void yen(long long v, char out[32])
{
    char raw[32];
    int n = snprintf(raw, sizeof raw, "%lld", v < 0 ? -v : v);
    size_t o = 0;
    if (v < 0)
        out[o++] = '-';
    for (int i = 0; i < n; i++) {
        out[o++] = raw[i];
        if ((n - i - 1) % 3 == 0 && i != n - 1)
            out[o++] = ',';
    }
    out[o] = '\0';
}

/* One residence's allowance. A residence is known by a 64-bit FNV-1a hash of its folded address
 * (address_fold: width, spaces, hyphens), so that 「五井1-1」 and 「五井１−１」 are one house; a
 * collision between two different houses of one person is about 2^-64. */
struct jres {
    uint64_t key;
    enum care_level base_level;
    int base_step;
    bool reset_used;
    long long used;
};

/* jutaku allowance state while replaying claims: every residence seen, and the current one */
struct jstate {
    bool any;
    char residence[ADDRESS_BYTES]; /* the current residence as last written */
    struct jres r[LEDGER_MAX_CLAIMS + 1];
    size_t n, cur;
    int started; /* 0 none, 1 first, 2 moved, 3 level reset, 4 moved back */
};

static uint64_t residence_key(const char *address)
{
    struct buf b;
    buf_init(&b, ADDRESS_BYTES * 3);
    address_fold(address, strlen(address), &b);
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < b.len; i++)
        h = (h ^ (unsigned char)b.ptr[i]) * 0x100000001b3u;
    buf_release(&b);
    return h;
}

/* jutaku_enter - moves the allowance to claim c's residence and level before it is counted.
 * RULE-LEDGER-001: the limit is per residence. Moving to a residence never claimed for gives a new
 * limit; moving back to one claimed for before takes up that residence's account where it was
 * (告示第35号 sets 20万円 per 住宅; a return is not a new 住宅 - derived here, see docs/rules). */
static void jutaku_enter(struct jstate *s, const struct ledger_claim *c)
{
    long long reset_steps;
    if (rate_get("jutaku_reset_steps", "-", c->date, &reset_steps))
        reset_steps = 3;
    int step = step_of(c->level, c->date);
    uint64_t key = residence_key(c->residence);
    if (!s->any || s->r[s->cur].key != key) {
        size_t i = 0;
        while (i < s->n && s->r[i].key != key)
            i++;
        if (i < s->n) {
            s->started = 4;
        } else {
            s->started = s->any ? 2 : 1;
            s->r[i] = (struct jres){key, c->level, step, false, 0};
            s->n++;
        }
        s->any = true;
        s->cur = i;
        str_cut(s->residence, sizeof s->residence, c->residence);
        return;
    }
    struct jres *j = &s->r[s->cur];
    /* RULE-LEDGER-002: once, 3 or more steps heavier than at the residence's first 住宅改修 */
    if (!j->reset_used && j->base_step > 0 && step >= j->base_step + reset_steps) {
        s->started = 3;
        j->reset_used = true;
        j->base_level = c->level;
        j->base_step = step;
        j->used = 0;
    }
}

static long long limit_on(const char *table, struct date on)
{
    long long v;
    return rate_get(table, "-", on, &v) ? -1 : v;
}

int ledger_accept(const struct ledger_claim *claims, size_t n, struct ledger_claim *c,
                  char note[LEDGER_WHY_BYTES], const char **why)
{
    note[0] = '\0';
    if (c->kind != LEDGER_JUTAKU && c->kind != LEDGER_YOGU) {
        *why = "種別(kind)は jutaku(住宅改修)か yogu(福祉用具購入)です";
        return -1;
    }
    if (!date_valid(c->date)) {
        *why = "日付(date)を指定してください";
        return -1;
    }
    if (c->amount <= 0 || c->amount > LEDGER_AMOUNT_MAX) {
        *why = "費用額(amount)は 1円以上 1億円以下の整数で指定してください";
        return -1;
    }
    if (c->kind == LEDGER_JUTAKU && !c->residence[0]) {
        *why = "住宅改修には改修する住宅の住所(residence)が必要です";
        return -1;
    }
    if (n >= LEDGER_MAX_CLAIMS) {
        *why = "この方の記録が上限に達しています";
        return -1;
    }
    long long limit = limit_on(c->kind == LEDGER_JUTAKU ? "jutaku_limit" : "yogu_limit", c->date);
    if (limit < 0) {
        *why = "この日付に適用される支給限度基準額がありません";
        return -1;
    }
    struct jstate *s = xcalloc(1, sizeof *s);
    long long used = 0;
    int fy = date_fiscal_year(c->date);
    for (size_t i = 0; i < n; i++) {
        if (claims[i].kind != c->kind)
            continue;
        if (date_cmp(claims[i].date, c->date) > 0) {
            *why = "登録済みの記録より前の日付は登録できません(訂正は市町村の窓口で行います)";
            free(s);
            return -1;
        }
        if (c->kind == LEDGER_JUTAKU) {
            jutaku_enter(s, &claims[i]);
            s->r[s->cur].used += claims[i].accepted;
        } else if (date_fiscal_year(claims[i].date) == fy)
            used += claims[i].accepted;
    }
    if (c->kind == LEDGER_JUTAKU) {
        jutaku_enter(s, c);
        used = s->r[s->cur].used;
    }
    int started = s->started;
    free(s);
    long long room = limit - used > 0 ? limit - used : 0;
    c->accepted = c->amount < room ? c->amount : room;
    char a[32], acc[32], over[32], rest[32];
    yen(c->amount, a);
    yen(c->accepted, acc);
    yen(c->amount - c->accepted, over);
    yen(room - c->accepted, rest);
    const char *start = c->kind != LEDGER_JUTAKU ? ""
                        : started == 2 ? "転居により新しい住宅で限度額が改めて適用されました。"
                        : started == 3 ? "介護の必要の程度が3段階以上重くなったため、限度額が1回に限り改めて適用されました。"
                        : started == 4 ? "以前に住宅改修をした住宅に戻ったため、その住宅での利用額を引き継ぎました。"
                                       : "";
    if (c->accepted == c->amount)
        snprintf(note, LEDGER_WHY_BYTES, "%s%s円を受け付けました(残り%s円)。", start, a, rest);
    else
        snprintf(note, LEDGER_WHY_BYTES,
                 "%s%s円のうち限度額内の%s円を受け付けました。超える%s円は支給の対象外です(残り%s円)。",
                 start, a, acc, over, rest);
    return 0;
}

int ledger_status(const struct ledger_claim *claims, size_t n, struct date on,
                  struct ledger_status *out)
{
    memset(out, 0, sizeof *out);
    out->on = on;
    out->jutaku_limit = limit_on("jutaku_limit", on);
    out->yogu_limit = limit_on("yogu_limit", on);
    if (out->jutaku_limit < 0 || out->yogu_limit < 0)
        return -1;
    struct jstate *s = xcalloc(1, sizeof *s);
    out->fiscal_year = date_fiscal_year(on);
    for (size_t i = 0; i < n; i++) {
        if (date_cmp(claims[i].date, on) > 0)
            continue;
        if (claims[i].kind == LEDGER_JUTAKU) {
            jutaku_enter(s, &claims[i]);
            s->r[s->cur].used += claims[i].accepted;
        } else if (claims[i].kind == LEDGER_YOGU && date_fiscal_year(claims[i].date) == out->fiscal_year)
            out->yogu_used += claims[i].accepted;
    }
    char lim[32], used[32], rest[32];
    const struct jres *j = &s->r[s->cur];
    out->jutaku_any = s->any;
    out->jutaku_used = s->any ? j->used : 0;
    out->jutaku_remaining = out->jutaku_limit - out->jutaku_used;
    if (out->jutaku_remaining < 0)
        out->jutaku_remaining = 0;
    yen(out->jutaku_limit, lim);
    yen(out->jutaku_used, used);
    yen(out->jutaku_remaining, rest);
    if (!s->any)
        snprintf(out->jutaku_why, sizeof out->jutaku_why,
                 "住宅改修の利用はありません。住宅ごとに%s円まで利用できます。", lim);
    else {
        str_cut(out->jutaku_residence, sizeof out->jutaku_residence, s->residence);
        out->jutaku_base_level = j->base_level;
        out->jutaku_base_step = j->base_step;
        out->jutaku_reset_used = j->reset_used;
        long long reset_steps;
        if (rate_get("jutaku_reset_steps", "-", on, &reset_steps))
            reset_steps = 3;
        char tail[400];
        if (j->reset_used)
            snprintf(tail, sizeof tail, "3段階以上の上昇による再利用は既に使いました。住宅改修をしたことのない住宅に転居すると、改めて%s円まで利用できます。", lim);
        else
            snprintf(tail, sizeof tail,
                     "介護の必要の程度が基準(%s、%d段階)から%lld段階以上重くなったとき、1回に限り改めて%s円まで利用できます。住宅改修をしたことのない住宅に転居した場合も改めて利用できます。",
                     level_name(j->base_level), j->base_step, reset_steps, lim);
        int w = snprintf(out->jutaku_why, sizeof out->jutaku_why,
                         "住宅改修: 現在の住宅での利用額%s円、残り%s円(限度額%s円)。", used, rest, lim);
        if (w > 0 && (size_t)w < sizeof out->jutaku_why)
            str_cut(out->jutaku_why + w, sizeof out->jutaku_why - (size_t)w, tail);
    }
    free(s);
    out->yogu_remaining = out->yogu_limit - out->yogu_used;
    if (out->yogu_remaining < 0)
        out->yogu_remaining = 0;
    yen(out->yogu_limit, lim);
    yen(out->yogu_used, used);
    yen(out->yogu_remaining, rest);
    snprintf(out->yogu_why, sizeof out->yogu_why,
             "福祉用具購入: %d年度(%d年4月1日〜%d年3月31日)の利用額%s円、残り%s円(年度ごとに%s円まで。4月1日に戻ります)。",
             out->fiscal_year, out->fiscal_year, out->fiscal_year + 1, used, rest, lim);
    return 0;
}
