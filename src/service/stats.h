/*
 * stats.h (store) - the municipal statistics from the stored records: one table of one insurer and
 * month, counted here and finished (suppressed) by the domain (domain/stats.h) before the caller
 * sees a number. The only reader of record_scan_insurer.
 *
 * Who may: the insurer's own staff (ROLE_INSURER of that 保険者) and the local operator; anyone else
 * gets STATS_DENIED and nothing is read. Each table built is noted as a security event ("stats":
 * who, which insurer, table and month) - aggregates name no person, so no person's audit entry.
 * Failure: STATS_ERROR with the reason in why (the store's message); the table is NULL then.
 */
#ifndef KAIGO_STORE_STATS_H
#define KAIGO_STORE_STATS_H

#include "domain/gate.h"
#include "domain/stats.h"
#include "store/store.h"

enum stats_status { STATS_OK = 0, STATS_DENIED, STATS_NO_INSURER, STATS_BAD_MONTH, STATS_ERROR };

struct stats_info {
    bool population_known;
    long long population; /* -1 when not known */
    struct date population_as_of;
    double build_ms; /* the time counting took (for the page's footnote and the benchmark) */
};

/* stats_may - whether actor may see the insurer's statistics (pure rule; also the page's menu) */
bool stats_may(const struct actor *a, const char *insurer_no);

/* stats_build - *out: the finished table (caller frees), or NULL with a status other than OK. ym:
 * YYYYMM. */
MUST_CHECK enum stats_status stats_build(struct store *st, const struct actor *a, const char *insurer_no,
                                         enum st_id id, int ym, int64_t now, struct st_table **out,
                                         struct stats_info *info, char why[160]);

/* stats_population_put - the insurer's population from as_of on (the operator or the insurer's staff) */
MUST_CHECK enum stats_status stats_population_put(struct store *st, const struct actor *a, const char *insurer_no,
                                                  struct date as_of, long long population, int64_t now,
                                                  char why[160]);

/* stats_csv - the finished table as CSV (UTF-8, CRLF): a header row (表側, then each column's
 * group and label), then a row per table row; every cell an integer or "x" (a share column in tenths of a
 * percent would not be an integer: it is left out of the CSV). Caller frees; NULL on no memory. */
char *stats_csv(const struct st_table *t);

/* stats_export_csv - the 二次利用 export (docs/statistics.md "Secondary use") of the insurer's month as CSV (UTF-8 with
 * a BOM, CRLF): 仮名ID, 年齢階級, 性別, 要介護度, サービス種類, 計画単位数 - one row per person who opted in (through the
 * gate, each audited as 二次利用 and shown in that person's だれが見たか), pseudonymised under a key made for this
 * export alone (rows of two exports cannot be joined). The caller frees; NULL with the reason in why (not allowed,
 * the audit could not be made durable, a store error). */
struct auditq;
char *stats_export_csv(struct store *st, struct auditq *aq, const struct actor *a, const char *insurer_no, int ym,
                       const char *request_id, int64_t now, long long *rows, long long *denied, char why[160]);

#endif
