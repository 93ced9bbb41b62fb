/*
 * cli.h - subcommands of the kaigo binary (one file each in src/cli/).
 * Exit codes (architecture.md §6): 0 success, 1 invalid input or refused,
 * 2 usage error, 3 internal failure.
 */
#ifndef KAIGO_CLI_CLI_H
#define KAIGO_CLI_CLI_H

#include <stdbool.h>

#include "domain/papertoken.h"
#include "util/date.h"

#define EXIT_INVALID 1
#define EXIT_USAGE 2
#define EXIT_INTERNAL 3

int cmd_check(int argc, char **argv);
int cmd_wareki(int argc, char **argv);
int cmd_card(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_insurer(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_backup(int argc, char **argv);  /* backup DEST: an online copy */
int cmd_restore(int argc, char **argv); /* restore BACKUP: checked, then put in place */
int cmd_migrate(int argc, char **argv); /* migrate --from FILE.db --to postgresql://… */
int cmd_directory(int argc, char **argv); /* directory check | lookup: the insurer → cluster file */
int cmd_access(int argc, char **argv);
int cmd_cert(int argc, char **argv);   /* cert worklist */
int cmd_ledger(int argc, char **argv); /* ledger remaining | claim */
int cmd_sheet7(int argc, char **argv); /* 第7表 of one case as JSON */
int cmd_paper(int argc, char **argv);  /* paper key */
int cmd_verify(int argc, char **argv); /* a paper document's token, offline */
int cmd_print(int argc, char **argv);  /* print burden: a paper document with its QR token */
struct card;
struct paper_doc;
/* print_batch - kaigo print … --insurer (print_batch.c); format is an enum print_format. */
int print_batch(int (*build)(const struct card *, struct date, struct paper_doc *, const char **), const char *insurer,
                const char *since, struct date on, int format, const char *out, const char *db);
/* print_sign - the tokens of docs[0..n) (paper_token_of) under serials first, first + 1, …,
 * signed with the insurer's key sk, their text in tokens[i] (print_issue.c). */
struct store;
int print_sign(const struct paper_doc *docs, size_t n, uint32_t first, const unsigned char *sk,
               struct paper_token *t, char (*tokens)[PAPER_TOKEN_TEXT_MAX]);
/* print_record - the issue records of t[0..n) under their serials, in one change named
 * what, committed; -1 (nothing written) when a serial is taken or the store fails. Call
 * only with the PDF on disk. */
int print_record(struct store *wst, struct paper_token *t, size_t n, const char *what);
int cmd_exchange(int argc, char **argv);
int cmd_stats(int argc, char **argv); /* municipal statistics with suppression */
int cmd_caseload(int argc, char **argv); /* 取扱件数, 逓減制, monitoring due list */ /* exchange check: the care-plan CSV standard */
/* cert_import - kaigo import chosa|life FILE (called by cmd_import). */
int cert_import(int argc, char **argv); /* org, user, token, consent, proxy, relationship, ikensho, totp */

/* Helpers shared by subcommands (cli/common.c). */
bool is_help(const char *a);
/* opt_value - for "--name VALUE" or "--name=VALUE" at argv[*i]; advances *i. */
const char *opt_value(int argc, char **argv, int *i, const char *name);
/* db_path - --db, else $KAIGO_DB, else NULL (caller reports usage). */
const char *db_default(void);
/* cli_directory - the directory of clusters db names (directory:FILE, store/directory.h), loaded into d
 * (caller frees with directory_free): 0, or EXIT_USAGE after a message that starts with cmd
 * (KAIGO_STATE not a directory, the file refused with its line). */
struct directory;
int cli_directory(const char *cmd, const char *db, struct directory *d);
/* cli_actor_id - "cli:<user>" for audit entries and version authors. */
const char *cli_actor_id(void);

struct actor;
struct disclosure;
struct person_key;
/* cli_actor - the local operator (ROLE_OPERATOR, cli_actor_id()). */
void cli_actor(struct actor *a);
/* cli_read_text - the whole file (or stdin for "-") as NUL-terminated UTF-8,
 * CP932 converted, a UTF-8 BOM dropped; at most max bytes. NULL after a
 * message naming the file. Caller frees. */
char *cli_read_text(const char *path, size_t max, size_t *n);
/* load_master - the service-code master CSV (cmd_sheet7.c); 0, or -1 after FILE:LINE:COLUMN messages. */
struct svc_master;
int load_master(const char *path, struct svc_master *m);
/* codes_default - $KAIGO_DATA_DIR/service-codes.csv, else the shipped subset's path (into buf). */
const char *codes_default(char *buf, size_t cap);
struct store;
struct auditq;
/* cli_open_audited - the database and its audit writer, for a subcommand that
 * discloses (reads through the gate); 0, or -1 after a message (nothing open). */
int cli_open_audited(const char *db, struct store **st, struct auditq **aq);
/* cli_write_file - writes n bytes to DIR/BASE; 0, or -1 after a message. */
int cli_write_file(const char *dir, const char *base, const char *p, size_t n);

/* cli_unmappable - a cp_unmappable_fn (codec/cpfile.h) that prints each character outside MS932
 * on stderr: FILE:LINE:COLUMN(項目): 被保険者 …/… の「𠮷」(U+20BB7) は MS932 にありません, and whether
 * it was written 〓. ctx is a struct cli_unmap, which counts them. */
struct cli_unmap {
    bool substitute;
    size_t n;
};
struct cp_unmappable;
void cli_unmappable(void *ctx, const struct cp_unmappable *u);
/* cli_run - runs argv (no shell; its stderr discarded) and returns its standard
 * output (at most max bytes; caller frees), or NULL if it could not run or failed. */
char *cli_run(char *const argv[], size_t max, size_t *n);
/* cli_read_bytes - the whole file as it is (no decoding), at most max bytes. */
char *cli_read_bytes(const char *path, size_t max, size_t *n);
/* cli_request_id - a fresh random request id (16 hex digits) for audit entries. */
void cli_request_id(char rid[40]);
/* cli_disclosure - a disclosure of category c about k by the local operator
 * for administration, with a fresh request id (kept in rid, which must outlive
 * *d) and the current time. The caller sets what is read. */
void cli_disclosure(struct disclosure *d, const struct person_key *k, int category, char rid[40]);
/* cli_person - "保険者番号/被保険者番号" into *k, checked; 0, or EXIT_USAGE /
 * EXIT_INVALID after a message prefixed with who. */
int cli_person(const char *arg, struct person_key *k, const char *who);
/* cli_refused - a gate read that did not succeed (status, an enum disclose_status other
 * than DISCLOSE_OK), said on stderr as "who: reason" ('doing' completes the sentence
 * for a lost audit: "読めません", "印刷できません"); returns the exit code. */
int cli_refused(int status, const char *who, const char *doing);

/* cli_read_card - the person's card on 'on' through the gate (資格, audited as the local
 * operator; store opened and closed here): an enum disclose_status, DISCLOSE_ERROR when
 * the database could not be opened; *reason (may be NULL) the gate's reason. */
struct card;
int cli_read_card(const char *db, const struct person_key *k, struct date on, struct card *c, const char **reason);

/* cli_read_docs - the person's documents of category c through the gate (opened,
 * audited, closed): fn gets each stored (kind, rkey, body), valid during the call.
 * 0, or an exit code after a message prefixed with who ("該当する被保険者が見つかりません",
 * the audit log unwritable, a read error). */
int cli_read_docs(const char *db, const struct person_key *k, int category,
                  int (*fn)(void *ctx, const char *kind, const char *rkey, const char *body), void *ctx,
                  const char *who);

/* cli_width / cli_cell - display columns of UTF-8 text (ASCII 1, others 2); a table cell
 * printed and padded to width columns, then one space. */
int cli_width(const char *s);
void cli_cell(const char *s, int width);

/* cli_no_db - "cmd: データベースを --db か KAIGO_DB で指定してください"; EXIT_USAGE. Commands that
 * need a database say so before their usage text (issue #15). */
int cli_no_db(const char *cmd);

#endif
