/*
 * certification.h - 要介護認定 validity rules (介護保険法 第27条・第28条・第29条,
 * 施行規則 第38条・第41条). Pure; see docs/rules/certification.md.
 */
#ifndef KAIGO_DOMAIN_CERTIFICATION_H
#define KAIGO_DOMAIN_CERTIFICATION_H

#include <stdbool.h>

#include "domain/level.h"
#include "util/compiler.h"
#include "util/date.h"

enum cert_kind { CERT_NEW, CERT_CHANGE, CERT_RENEW };

/* cert_kind_parse - "新規"/"new", "更新"/"renew", "区分変更"/"change". */
MUST_CHECK int cert_kind_parse(const char *s, size_t n, enum cert_kind *out);
const char *cert_kind_name(enum cert_kind k);

struct cert_range {
    int standard, min, max; /* months */
};

/* cert_range_for - the allowed validity for an application of kind k made on
 * 'applied'; same_level matters for renewals only. -1 if no rule in force. */
MUST_CHECK int cert_range_for(enum cert_kind k, bool same_level, struct date applied,
                              struct cert_range *out);

/* cert_period - the validity period for 'months':
 *   new / change: from the application date (retroactive), ending at the month-end
 *     'months' months after the application month (or months-1 if applied on the 1st);
 *   renew: from the day after prev_end, ending at a month-end.
 * Returns 0, or -1 with *why (months outside the allowed range; renewal
 * before the window). */
MUST_CHECK int cert_period(enum cert_kind k, bool same_level, struct date applied,
                           struct date prev_end, int months, struct date *from, struct date *to,
                           const char **why);

/* cert_months - number of months a period counts for (the partial first month
 * is not counted unless it starts on the 1st). -1 if 'to' is not a month-end or before 'from'. */
int cert_months(struct date from, struct date to);

/* cert_check_period - validates a recorded period: ends on a month-end, the
 * length in range for the kind. Returns 0 or -1 with *why. */
MUST_CHECK int cert_check_period(enum cert_kind k, bool same_level, struct date applied,
                                 struct date from, struct date to, const char **why);

/* 介護保険法 第27条 第11項: decision within 30 days of the application.
 * Both return DATE_NONE for dates before the Act (no rule in data/rates.tsv). */
struct date cert_decision_due(struct date applied);
/* 施行規則 第39条: a renewal may be filed from 60 days before expiry. */
struct date cert_renewal_opens(struct date prev_end);

#endif
