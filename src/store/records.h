/* records.h - the registry's operations, written once for every backend (issue #22): insurers,
 * changes (真正性), versioned records ("a new version unless the body is unchanged", the card's
 * kinds kept current beside them), the scans over an insurer, paper documents, 地域区分,
 * population and import runs. They are the store_ops members of the same names (RECORDS_OPS
 * below fills them in a backend's table), over the narrow driver (store/db.h) and one SQL text
 * per statement id: records_sql_common in records.c, which a backend's dialect table overrides
 * id by id (NULL: the common text).
 *
 * Ownership: a struct records belongs to its store's connection (st->rec) and one thread;
 * records_free frees it, the connection finalizes its statements.
 * Failure: -1 with the driver's message recorded (store_errmsg), STORE_NOTFOUND where store.h
 * says; a record_put that fails leaves neither the version nor its current copy. */
#ifndef KAIGO_STORE_RECORDS_H
#define KAIGO_STORE_RECORDS_H

#include "store/db.h"
#include "store/store.h"

enum records_stmt {
    R_INSURER_GET,
    R_INSURER_ADD,
    R_INSURER_SET_NAME,
    R_INSURER_LIST,
    R_INSURER_SET_POLICY,
    R_RECORD_CURRENT,
    R_RECORD_INSERT,
    R_CURRENT_PUT,
    R_CHANGE_INSERT,
    R_PERSON_EXISTS,
    R_RECORD_LIST,
    R_RECORD_LIST_KIND,
    R_CHIIKI_PUT,
    R_CHIIKI_GET,
    R_PAPER_INSERT,
    R_PAPER_NEXT,
    R_PERSONS_ALL,
    R_PERSONS_SINCE,
    R_PAPER_GET,
    R_PAPER_REVOKE,
    R_RECORD_SCAN_KIND,
    R_RECORD_SCAN_PLANS,
    R_RECORD_SCAN_INSURER,
    R_RECORD_HISTORY,
    R_POPULATION_PUT,
    R_POPULATION_GET,
    R_KIND_EMPTY,
    R_UNATTRIBUTED,
    R_IMPORT_RUN,
    R_COUNT
};

struct records;

/* records_new - the registry over db, with the backend's dialect (ids it writes otherwise). */
struct records *records_new(struct db *db, const char *const dialect[R_COUNT]);
void records_free(struct records *R);

/* store_now_iso - the time now as ISO 8601 UTC with milliseconds (recorded_at, registered_at) */
void store_now_iso(char out[64]);

/* The card's kinds but insured, kept current beside their versions (record_current, migration
 * 0016): as SQL, for a statement that names them. */
#define RECORDS_CURRENT_KINDS_SQL \
    "('application', 'burden', 'certification', 'facility', 'limit', 'plan', 'restriction')"

int rec_insurer_get(struct store *st, const char *no, struct insurer *out);
int rec_insurer_add(struct store *st, const struct insurer *in, const char *by);
int rec_insurer_set_name(struct store *st, const char *no, const char *name);
int rec_insurer_list(struct store *st, store_insurer_fn *fn, void *ctx);
int rec_insurer_set_policy(struct store *st, const char *no, enum card_issue card_issue, struct date platform_start);
int rec_change_begin(struct store *st, const char *author, const char *reason, long long *id);
int rec_record_put(struct store *st, const struct person_key *k, const char *kind, const char *rkey,
                   const char *body, long long change_id, int *changed);
int rec_record_put_first(struct store *st, const struct person_key *k, const char *kind, const char *rkey,
                         const char *body, long long change_id);
int rec_record_put_first_batch(struct store *st, const struct record_row *rows, size_t n, long long change_id);
/* rec_current_kind - the kind keeps its newest version in record_current too (the card's kinds) */
bool rec_current_kind(const char *kind);
int rec_kind_empty(struct store *st, const char *insurer_no, const char *kind);
int rec_unattributed(struct store *st, const char *insurer_no, long long *n);
int rec_person_exists(struct store *st, const struct person_key *k);
int rec_persons_exist(struct store *st, const struct person_key *keys, size_t n, bool *out);
int rec_record_get_current(struct store *st, const struct person_key *k, const char *kind, const char *rkey,
                           char **body);
int rec_record_list_current(struct store *st, const struct person_key *k,
                            int (*fn)(void *ctx, const char *kind, const char *rkey, const char *body), void *ctx);
int rec_record_list_kind(struct store *st, const struct person_key *k, const char *kind,
                         int (*fn)(void *ctx, const char *kind, const char *rkey, const char *body), void *ctx);
int rec_record_scan_kind(struct store *st, const char *insurer_no, const char *kind, const char *rkey,
                         int (*fn)(void *ctx, const char *insured_no, const char *rkey, const char *body),
                         void *ctx);
int rec_record_scan_insurer(struct store *st, const char *insurer_no,
                            int (*fn)(void *ctx, const char *insured_no, const char *kind, const char *rkey,
                                      const char *body),
                            void *ctx);
int rec_record_history(struct store *st, const struct person_key *k, store_history_fn *fn, void *ctx);
int rec_population_put(struct store *st, const char *insurer_no, struct date as_of, long long population,
                       int64_t now, const char *by);
int rec_population_get(struct store *st, const char *insurer_no, struct date on, long long *population,
                       struct date *as_of);
int rec_chiiki_put(struct store *st, const char *lg_code, const char *name, int grade, struct date from,
                   struct date to, long long change_id);
int rec_chiiki_grade(struct store *st, const char *lg_code, struct date on, int *grade);
int rec_paper_issue(struct store *st, struct paper_token *t, long long change_id);
int rec_paper_next_serial(struct store *st, const char *insurer_no, uint32_t *next);
int rec_persons_of_insurer(struct store *st, const char *insurer_no, const char *since, bool applicants,
                           int (*fn)(void *ctx, const char *insured_no), void *ctx);
int rec_paper_record(struct store *st, const char *insurer_no, uint32_t serial, struct paper_record *r);
int rec_paper_revoke(struct store *st, const char *insurer_no, uint32_t serial, long long change_id);
int rec_import_run_add(struct store *st, long long change_id, const char *kind, const char *sha256,
                       long long total, long long changed);

/* RECORDS_OPS - the members above, for a backend's struct store_ops initializer. */
#define RECORDS_OPS                                                                                     \
    .insurer_get = rec_insurer_get, .insurer_add = rec_insurer_add, .insurer_set_name = rec_insurer_set_name, \
    .insurer_list = rec_insurer_list, .insurer_set_policy = rec_insurer_set_policy,                       \
    .change_begin = rec_change_begin, .record_put = rec_record_put, .record_put_first = rec_record_put_first, \
    .kind_empty = rec_kind_empty, .unattributed = rec_unattributed, .person_exists = rec_person_exists,   \
    .record_get_current = rec_record_get_current, .record_list_current = rec_record_list_current,         \
    .record_list_kind = rec_record_list_kind, .record_scan_kind = rec_record_scan_kind,                   \
    .record_scan_insurer = rec_record_scan_insurer, .record_history = rec_record_history,                 \
    .population_put = rec_population_put, .population_get = rec_population_get,                           \
    .chiiki_put = rec_chiiki_put, .chiiki_grade = rec_chiiki_grade, .paper_issue = rec_paper_issue,       \
    .paper_next_serial = rec_paper_next_serial, .persons_of_insurer = rec_persons_of_insurer,             \
    .paper_record = rec_paper_record, .paper_revoke = rec_paper_revoke, .import_run_add = rec_import_run_add

#endif
