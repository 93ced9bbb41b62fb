/*
 * ledger.h - the 住宅改修費 and 特定福祉用具購入費 ledger (platform.md §8). Pure.
 *
 * Claims are kept in date order; each records the part accepted within the
 * limit when it was made. ledger_run() replays them:
 *   住宅改修: 20万円 (jutaku_limit) per residence; a claim at another residence
 *     (転居) starts a new allowance; once per residence, a claim whose care level
 *     is 3 or more steps (jutaku_reset_steps) heavier than at the first claim of
 *     the allowance starts a new one (ladder jutaku_step, data, unverified).
 *   福祉用具購入: 10万円 (yogu_limit) per fiscal year, April to March.
 * Amounts are yen of 費用額 (the cost the limit applies to).
 */
#ifndef KAIGO_DOMAIN_LEDGER_H
#define KAIGO_DOMAIN_LEDGER_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/records.h"
#include "util/compiler.h"

#define LEDGER_ID_BYTES 24
#define LEDGER_MAX_CLAIMS 256
#define LEDGER_WHY_BYTES 1024
#define LEDGER_AMOUNT_MAX 100000000LL /* 1億円: anything larger is a typing error */

enum ledger_kind { LEDGER_JUTAKU = 1, LEDGER_YOGU };

struct ledger_claim {
    char id[LEDGER_ID_BYTES];
    enum ledger_kind kind;
    struct date date;            /* 着工日 / 購入日 */
    long long amount;            /* 費用額 (yen) */
    long long accepted;          /* the part within the limit (set by ledger_accept) */
    char residence[ADDRESS_BYTES]; /* 住宅改修: the residence's address */
    char category[NAME_BYTES];   /* 手すりの取付け, 腰掛便座 … */
    enum care_level level;       /* the care level on the claim's date */
};

struct ledger_status {
    struct date on;
    /* 住宅改修: the allowance the next claim at this residence draws on */
    bool jutaku_any;
    long long jutaku_limit, jutaku_used, jutaku_remaining;
    char jutaku_residence[ADDRESS_BYTES];
    enum care_level jutaku_base_level;
    int jutaku_base_step;
    bool jutaku_reset_used;
    char jutaku_why[LEDGER_WHY_BYTES];
    /* 福祉用具購入: the fiscal year of 'on' */
    int fiscal_year;
    long long yogu_limit, yogu_used, yogu_remaining;
    char yogu_why[LEDGER_WHY_BYTES];
};

const char *ledger_kind_code(enum ledger_kind k); /* "jutaku" | "yogu" */
const char *ledger_kind_name(enum ledger_kind k); /* "住宅改修" | "福祉用具購入" */
enum ledger_kind ledger_kind_from_code(const char *s); /* 0 if unknown */

/* ledger_accept - decides c->accepted for a new claim given the earlier
 * claims (in date order). Refused (-1, *why) for a date before the latest
 * claim of its kind, a non-positive or huge amount, a 住宅改修 without a
 * residence, a date without a limit in the rate table. *note says what was
 * accepted and why (e.g. the part over the limit); never NULL on success. */
MUST_CHECK int ledger_accept(const struct ledger_claim *claims, size_t n, struct ledger_claim *c,
                             char note[LEDGER_WHY_BYTES], const char **why) NONNULL(3, 4, 5);

/* ledger_status - what remains on 'on' and why (Japanese sentences). */
MUST_CHECK int ledger_status(const struct ledger_claim *claims, size_t n, struct date on,
                             struct ledger_status *out) NONNULL(4);

#endif
