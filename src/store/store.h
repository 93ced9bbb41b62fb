/*
 * store.h - the one storage interface, implemented by the SQLite backend (store/sqlite/) and the
 * PostgreSQL one (store/pg/); store_open chooses by the form of `where`.
 *
 * A struct store is one connection; it is not shared between threads. The
 * functions return 0 on success, STORE_NOTFOUND where stated, or -1 on a
 * database error (store_errmsg()). The two reads of a person's records
 * (record_get_current, record_list_current, record_list_kind, record_scan_kind) are in the table for the
 * backends' sake only: they are called from service/personal.c, which only the
 * disclosure pipeline (service/disclose.c) uses; tools/checksrc fails the build's
 * tests if http/ or cli/ call them.
 */
#ifndef KAIGO_STORE_STORE_H
#define KAIGO_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/audit.h"
#include "domain/papertoken.h"
#include "domain/records.h"
#include "store/access.h"
#include "util/compiler.h"

#define STORE_NOTFOUND 1

struct store;

/* store_audit_raw_fn - one stored row as it is: its key's seq, the entry's
 * canonical bytes (untrusted: parse with audit_fields_parse), and the stored
 * leaf hash; valid during the callback only. */
typedef int store_audit_raw_fn(void *ctx, int64_t seq, const unsigned char *entry, size_t n,
                               const unsigned char leaf[AUDIT_HASH_BYTES]);
/* One version of a person's record with the change that wrote it (valid during the callback). */
struct store_version {
    const char *kind, *rkey;
    long long version;
    const char *body;
    const char *recorded_at, *author, *reason;
};
typedef int store_history_fn(void *ctx, const struct store_version *v);
typedef int store_insurer_fn(void *ctx, const struct insurer *ins, long long persons);
typedef int store_checkpoint_fn(void *ctx, const struct audit_checkpoint *c);

/* one row of record_put_first_batch: pointers the caller keeps valid through the call */
struct record_row {
    struct person_key key;
    const char *kind;
    const char *rkey;
    const char *body;
};

struct store_ops {
    void (*close)(struct store *st);
    const char *(*errmsg)(struct store *st);
    int (*begin)(struct store *st); /* a write transaction (BEGIN IMMEDIATE) */
    /* read_begin/read_end - one consistent snapshot for several reads (WAL).
     * They nest: inside an open one, begin and end only count (no writes in
     * between: a write would need the snapshot to be the newest). */
    int (*read_begin)(struct store *st);
    int (*read_end)(struct store *st);
    /* read_reuse - from now on this connection may keep a read snapshot open after read_end and
     * reuse it at the next read_begin, only while it is provably the newest (no commit by any
     * connection of any process since it began) and for at most READ_PARK_MAX_US; any other use
     * of the connection ends it first. For the server's per-thread connections (issue #21: the
     * WAL lock and BEGIN/COMMIT of every card read). A backend may ignore it. */
    void (*read_reuse)(struct store *st);
    int (*commit)(struct store *st);
    int (*rollback)(struct store *st);
    /* settle - ends a transaction a failure left open (a ROLLBACK that itself failed, out of
     * memory): its lock would stop every other connection. Harmless when none is open. */
    void (*settle)(struct store *st);
    /* health_probe - one small durable write: 0 if the store can write (readiness) */
    int (*health_probe)(struct store *st);
    /* unavailable - the backend cannot be reached now (PostgreSQL: the connection was lost and
     * is not yet made again), so the failure just met is the service's, not the request's: the
     * server answers 503 rather than 500. NULL: never (SQLite) */
    bool (*unavailable)(struct store *st);

    /* insurers (master data, not personal) */
    int (*insurer_get)(struct store *st, const char *no, struct insurer *out); /* or NOTFOUND */
    int (*insurer_add)(struct store *st, const struct insurer *in, const char *by);
    int (*insurer_set_name)(struct store *st, const char *no, const char *name); /* or NOTFOUND */
    int (*insurer_list)(struct store *st, store_insurer_fn *fn, void *ctx);
    /* insurer_set_policy - when the 被保険者証 is issued and the 介護情報基盤 start date (DATE_NONE:
     * not known); or NOTFOUND */
    int (*insurer_set_policy)(struct store *st, const char *no, enum card_issue card_issue,
                              struct date platform_start);

    /* change_begin - records who changes what and why (真正性); every version
     * written in this transaction names the returned id. author: "import:<user>". */
    int (*change_begin)(struct store *st, const char *author, const char *reason, long long *id);
    /* versioned records: appends version n+1 unless the body equals version n
     * (*changed = 0 then). kind/rkey as in record_versions. */
    int (*record_put)(struct store *st, const struct person_key *k, const char *kind,
                      const char *rkey, const char *body, long long change_id, int *changed);
    /* record_put_first - inserts version 1 without looking for a current one:
     * only for a caller that knows none exists (kind_empty() was true for the
     * insurer in this transaction and the key is new within the batch). */
    int (*record_put_first)(struct store *st, const struct person_key *k, const char *kind,
                            const char *rkey, const char *body, long long change_id);
    /* record_put_first_batch - record_put_first of rows[0..n) in order, under the same terms, as
     * one write where the backend has one (PostgreSQL: COPY); -1 on failure, after which the
     * caller rolls its transaction back (which rows landed is not said) */
    int (*record_put_first_batch)(struct store *st, const struct record_row *rows, size_t n, long long change_id);
    /* kind_empty - 1 if the insurer has no record of that kind at all, 0 if it has, -1 on error. */
    int (*kind_empty)(struct store *st, const char *insurer_no, const char *kind);
    /* unattributed - into *n the versions (of insurer_no, or of all when NULL) whose change or
     * insurer is not registered: a version that does not say who wrote it and why (P10); -1 on error.
     * A scan of every version: for audit verify, not for requests. */
    int (*unattributed)(struct store *st, const char *insurer_no, long long *n);
    int (*person_exists)(struct store *st, const struct person_key *k); /* 1, 0, or -1 */
    /* persons_exist - person_exists of keys[0..n), all of one insurer, into out[] (PostgreSQL:
     * one statement); -1 on failure */
    int (*persons_exist)(struct store *st, const struct person_key *keys, size_t n, bool *out);
    /* record_get_current - the current body of one record (caller frees *body),
     * or NOTFOUND. Personal: used through service/personal.h only. */
    int (*record_get_current)(struct store *st, const struct person_key *k, const char *kind,
                              const char *rkey, char **body);
    /* record_list_current - every current record of a person (callback per record). */
    int (*record_list_current)(struct store *st, const struct person_key *k,
                               int (*fn)(void *ctx, const char *kind, const char *rkey,
                                         const char *body),
                               void *ctx);
    /* record_list_kind - the current records of one kind of a person, in rkey
     * order (callback as record_list_current). Personal: store/ only. */
    int (*record_list_kind)(struct store *st, const struct person_key *k, const char *kind,
                            int (*fn)(void *ctx, const char *kind, const char *rkey, const char *body),
                            void *ctx);
    /* record_scan_kind - the current records of one kind across the insurer's
     * persons (callback gets the insured number in place of the kind); only for
     * kinds with an index: "application" (the certification worklist; rkey NULL)
     * and "cp.UPPLAN" of one 対象年月 rkey (the caseload). */
    int (*record_scan_kind)(struct store *st, const char *insurer_no, const char *kind, const char *rkey,
                            int (*fn)(void *ctx, const char *insured_no, const char *rkey,
                                      const char *body),
                            void *ctx);
    /* record_scan_insurer - every current record of the kinds the statistics count (certification,
     * insured, ledger, life) across the insurer's persons, ordered by person, kind and rkey. Personal:
     * only service/stats.c, which publishes nothing but suppressed aggregates. */
    int (*record_scan_insurer)(struct store *st, const char *insurer_no,
                               int (*fn)(void *ctx, const char *insured_no, const char *kind, const char *rkey,
                                         const char *body),
                               void *ctx);
    /* record_history - every version of the person's registry records (資格, 認定, 負担割合, 限度額, 給付制限,
     * 居宅サービス計画, 施設), newest first within each record, with who wrote it, when and why. Personal:
     * only through service/disclose.c (WHAT_HISTORY). */
    int (*record_history)(struct store *st, const struct person_key *k, store_history_fn *fn, void *ctx);
    /* population_put - the insurer's population from as_of on (replacing a row of that date);
     * population_get - the latest on or before 'on' and its date, or NOTFOUND. */
    int (*population_put)(struct store *st, const char *insurer_no, struct date as_of, long long population,
                          int64_t now, const char *by);
    int (*population_get)(struct store *st, const char *insurer_no, struct date on, long long *population,
                          struct date *as_of);

    /* audit log */
    /* audit_append - assigns seq per insurer (continuing the stored log), computes
     * the hashes and inserts all n entries in one transaction. */
    int (*audit_append)(struct store *st, struct audit_entry *e, size_t n);
    /* audit_entries_from - at most limit stored rows with seq >= from, in order,
     * as they are (no copies, no decoding): for verification and proofs. */
    int (*audit_entries_from)(struct store *st, const char *insurer_no, int64_t from, int64_t limit,
                             store_audit_raw_fn *fn, void *ctx);
    /* audit_blocks - the stored roots of the insurer's complete blocks of
     * AUDIT_BLOCK entries, in block order (callback; non-zero stops). */
    int (*audit_blocks)(struct store *st, const char *insurer_no,
                        int (*fn)(void *ctx, int64_t blk, const unsigned char root[AUDIT_HASH_BYTES]),
                        void *ctx);
    /* audit_head_seq - the highest sequence number of the insurer's log (0 if none). */
    int (*audit_head_seq)(struct store *st, const char *insurer_no, int64_t *seq);
    /* audit_insurers - every insurer number that has a log (callback; non-zero stops). */
    int (*audit_insurers)(struct store *st, int (*fn)(void *ctx, const char *insurer_no), void *ctx);
    /* audit_set_signer - from now on audit_append also writes signed checkpoints
     * (Merkle tree heads) in the same transaction: each insurer's first batch in
     * this connection, then at least every AUDIT_CKPT_ENTRIES entries or
     * AUDIT_CKPT_MS milliseconds. The key is copied. */
    int (*audit_set_signer)(struct store *st, const unsigned char sk[AUDIT_SK_BYTES]);
    /* audit_checkpoint_all - a checkpoint for every insurer with entries not yet
     * covered (at a clean stop, so that the whole tail is signed). */
    int (*audit_checkpoint_all)(struct store *st);
    /* audit_checkpoints - an insurer's checkpoints in order of size. */
    int (*audit_checkpoints)(struct store *st, const char *insurer_no, store_checkpoint_fn *fn,
                             void *ctx);
    /* audit_checkpoint - copies committed audit frames into the audit file.
     * bound false: passive, never blocks the appender (the checkpointer thread).
     * bound true: called by the log's one appender (audit_appender) between two
     * batches; once the log has grown past its bound it copies the rest, waits for
     * the log's readers to move on and lets the next append start the log from its
     * beginning, and returns 1; below the bound it returns 0 at once. -1 on failure
     * (store_errmsg). */
    int (*audit_checkpoint)(struct store *st, bool bound);
    /* audit_appender - this connection is the log's one appender: it never
     * checkpoints by itself at commit, and it keeps count of the log's size for
     * audit_checkpoint(bound). */
    int (*audit_appender)(struct store *st);
    int (*audit_count_person)(struct store *st, const struct person_key *k, long long *n);
    /* audit_index_check - the person index (<db>.audit-idx) holds exactly entries
     * 1..*indexed of the insurer's log under their own persons (*ok). NOTFOUND if
     * there is no index file. */
    int (*audit_index_check)(struct store *st, const char *insurer, long long *indexed,
                             long long *log_head, bool *ok);
    /* audit_index - indexes every complete epoch of every log (the checkpointer calls it). */
    int (*audit_index)(struct store *st);
    /* audit_index_upto - entries 1..*upto of the insurer are indexed; NOTFOUND if no index file. */
    int (*audit_index_upto)(struct store *st, const char *insurer, long long *upto);
    /* audit_index_scan - every index row of the insurer, in storage order (a
     * sequential scan, for verify); epoch_ok says the row sits in its seq's
     * epoch. The person number is a slice (not NUL-terminated), valid during
     * the callback. */
    int (*audit_index_scan)(struct store *st, const char *insurer,
                            int (*fn)(void *ctx, const char *insured_no, size_t n, long long seq,
                                      bool epoch_ok),
                            void *ctx);

    /* person_access, audit_scope - the reports of access.h that read the audit log (the access
     * table forwards them): where the log and its person index are kept is the backend's. */
    int (*person_access)(struct store *st, const struct person_key *k, access_row_fn *fn, void *ctx);
    int (*audit_scope)(struct store *st, const char *org, const char *actor, int64_t from, int64_t to,
                       scope_row_fn *fn, void *ctx);

    /* data_version - changes whenever any connection, this one included,
     * committed to the registry file: the key of per-connection caches. */
    int (*data_version)(struct store *st, long long *v);

    /* 地域区分 master (not personal): municipality → grade over [from, to] */
    int (*chiiki_put)(struct store *st, const char *lg_code, const char *name, int grade,
                      struct date from, struct date to, long long change_id);
    /* chiiki_grade - the grade in force on 'on', or NOTFOUND */
    int (*chiiki_grade)(struct store *st, const char *lg_code, struct date on, int *grade);

    /* paper_issue - records a printed document of t (kind, person, dates, content
     * hash) under the next serial of its insurer, written into t->serial; or, when
     * t->serial is set (kaigo's prints: signed and drawn first, cli/print_issue.c), under
     * that serial, failing if it is taken. */
    int (*paper_issue)(struct store *st, struct paper_token *t, long long change_id);
    /* paper_next_serial - the insurer's next unused serial (1 if none) */
    int (*paper_next_serial)(struct store *st, const char *insurer_no, uint32_t *next);
    /* persons_of_insurer - the insured numbers of an insurer's registry (kind
     * "insured"), in order; with since (YYYY-MM-DD), only persons with a record
     * changed on or after it; with applicants, only persons with a 認定 or an application
     * (CARD_ISSUE_APPLICATION). Personal: store/ only (the batch print's gate). */
    int (*persons_of_insurer)(struct store *st, const char *insurer_no, const char *since, bool applicants,
                              int (*fn)(void *ctx, const char *insured_no), void *ctx);
    /* paper_record - the issue record under (insurer, serial) and the person's
     * latest serial of that kind (r->found false when there is none). */
    int (*paper_record)(struct store *st, const char *insurer_no, uint32_t serial, struct paper_record *r);
    /* paper_revoke - marks (insurer, serial) revoked by change; NOTFOUND if none. */
    int (*paper_revoke)(struct store *st, const char *insurer_no, uint32_t serial, long long change_id);

    /* import_run_add - the import's file hash and counts, keyed by its change. */
    int (*import_run_add)(struct store *st, long long change_id, const char *kind,
                          const char *sha256, long long total, long long changed);
};

struct records;
struct access_db;
struct auditlog;
struct store {
    const struct store_ops *ops;
    const struct store_access_ops *acc; /* store/access.h */
    struct records *rec;                /* the registry's shared logic (store/records.h) */
    struct access_db *adb;              /* access.h's shared logic (store/accessdb.h) */
    struct auditlog *log;               /* the audit log's shared logic (store/auditlog.h) */
};

/* store_open - opens the store at where, a SQLite file path or a postgresql:// (or
 * postgres://) URL, creating and migrating it if needed (not when readonly). Every
 * command and the server open their store through it (store/open.c). Returns the
 * store (caller closes with store_close()) or NULL after printing the reason (a URL
 * without its password). */
struct store *store_open(const char *where, bool readonly);
enum store_backend { STORE_SQLITE, STORE_POSTGRESQL };
/* store_backend_of - STORE_POSTGRESQL for a postgresql:// (postgres://) URL and for a directory of
 * clusters (directory:FILE, store/directory.h), else STORE_SQLITE */
enum store_backend store_backend_of(const char *where);
/* store_side_path - a file kept beside the store (keys, the operator token, print jobs):
 * "<db><suffix>" for a SQLite file, "$KAIGO_STATE/kaigo<suffix>" for PostgreSQL. -1 if it
 * does not fit, or for PostgreSQL without KAIGO_STATE (an absolute path). */
int store_side_path(const char *where, const char *suffix, char *out, size_t cap);
/* store_where_usable - 0 if where can be opened: a SQLite path, or a PostgreSQL URL with
 * KAIGO_STATE naming a directory; -1 after printing why not (a command asks before it touches
 * files named after where). */
int store_where_usable(const char *where);
/* store_where_redact - where, fit to print or log: a URL's password replaced by ***. */
void store_where_redact(const char *where, char *out, size_t cap);
/* store_open_sqlite - the SQLite backend's constructor (store_open calls it; tests of
 * that backend may). */
struct store *store_open_sqlite(const char *path, bool readonly);
/* store_open_pg - the PostgreSQL backend's constructor (store/pg/store.c): url names a database
 * with kaigo's schema installed (src/store/pg/schema.sql); NULL after printing why not. */
struct store *store_open_pg(const char *url, bool readonly);
/* store_audit_missing - after store_open_sqlite failed in this thread: because the database
 * was linked to an audit log that no longer exists (verification fails; not an internal error) */
extern _Thread_local bool store_audit_missing;
/* store_audit_absent - after a read-only store_open_sqlite failed in this thread: because the
 * database has no audit log yet and was never linked to one (new, or killed before its log was
 * made: the next open for writing makes it). Nothing was printed. */
extern _Thread_local bool store_audit_absent;

static inline void store_close(struct store *st)
{
    if (st)
        st->ops->close(st);
}
static inline const char *store_errmsg(struct store *st)
{
    return st->ops->errmsg(st);
}

/* store_insurer_ensure - registers an insurer not yet known (name from the
 * seed master if listed); *created = 1 if it was new. */
MUST_CHECK int store_insurer_ensure(struct store *st, const char *no, const char *by,
                                    int *created);

/* store_reads_reused - read transactions reused since the process started (read_reuse). */
unsigned long long store_reads_reused(void);

#endif
