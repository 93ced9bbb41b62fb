/* common.c - helpers for the subcommands; see cli.h. */
#include <pwd.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"
#include "cli/config.h"
#include "audit/auditq.h"
#include "codec/cpfile.h"
#include "service/disclose.h"
#include "util/buf.h"
#include "util/text.h"
#include "util/spawn.h"
#include "store/directory.h"
#include "util/banned.h"

bool is_help(const char *a)
{
    return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == '\0' && *i + 1 < argc) {
        (*i)++;
        return argv[*i];
    }
    return NULL;
}

const char *db_default(void)
{
    return config()->db;
}

const char *cli_actor_id(void)
{
    static char id[64];
    if (!id[0]) {
        struct passwd *pw = getpwuid(getuid());
        snprintf(id, sizeof id, "cli:%.30s", pw && pw->pw_name ? pw->pw_name : "unknown");
        /* a job the server started for a clerk (a batch print from the 印刷 page): the entries name the clerk too */
        const char *f = getenv("KAIGO_ACTOR_FOR");
        size_t n = f ? strlen(f) : 0;
        bool ok = n > 5 && n < 25 && strncmp(f, "user:", 5) == 0;
        for (size_t i = 5; ok && i < n; i++)
            ok = f[i] >= '0' && f[i] <= '9';
        if (ok) {
            size_t l = strlen(id);
            snprintf(id + l, sizeof id - l, " for %s", f);
        }
    }
    return id;
}

void cli_actor(struct actor *a)
{
    memset(a, 0, sizeof *a);
    a->role = ROLE_OPERATOR;
    str_cut(a->id, sizeof a->id, cli_actor_id());
}

void cli_request_id(char rid[REQUEST_ID_BYTES])
{
    unsigned char rnd[8];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(rid, REQUEST_ID_BYTES, rnd, sizeof rnd);
}

void cli_disclosure(struct disclosure *d, const struct person_key *k, int category,
                    char rid[REQUEST_ID_BYTES])
{
    memset(d, 0, sizeof *d);
    cli_actor(&d->rq.actor);
    d->rq.person = *k;
    d->rq.category = (enum category)category;
    d->rq.purpose = PURPOSE_ADMIN;
    cli_request_id(rid);
    d->request_id = rid;
    d->time_ms = clock_now_ms();
}

char *cli_read_bytes(const char *path, size_t max, size_t *n)
{
    bool std = strcmp(path, "-") == 0;
    FILE *f = std ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s を開けません: %s\n", path, strerror(errno));
        return NULL;
    }
    struct buf raw;
    buf_init(&raw, max + 1);
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (raw.len + got > max) {
            fprintf(stderr, "%s: ファイルが大きすぎます(上限 %zu MiB)\n", path, max >> 20);
            if (!std)
                fclose(f);
            buf_release(&raw);
            return NULL;
        }
        buf_add(&raw, chunk, got);
    }
    if (!std)
        fclose(f);
    buf_add(&raw, "", 1);
    *n = raw.len - 1;
    return raw.ptr;
}

int cli_write_file(const char *dir, const char *base, const char *p, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, base);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
        fprintf(stderr, "%s: 書き込めません\n", path);
        return -1;
    }
    return 0;
}

char *cli_read_text(const char *path, size_t max, size_t *n)
{
    size_t len;
    char *raw = cli_read_bytes(path, max, &len);
    if (!raw)
        return NULL;
    size_t bad;
    const char *p = raw;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3, len -= 3;
    struct buf out;
    buf_init(&out, 3 * max + 1);
    if (utf8_valid(p, len, &bad))
        buf_add(&out, p, len);
    else if (cp932_to_utf8(p, len, &out, &bad)) {
        fprintf(stderr, "%s: UTF-8 でも CP932 でもない文字があります(%zu バイト目)\n", path, bad + 1);
        free(raw);
        buf_release(&out);
        return NULL;
    }
    free(raw);
    buf_add(&out, "", 1);
    *n = out.len - 1;
    return out.ptr;
}

int cli_open_audited(const char *db, struct store **st, struct auditq **aq)
{
    *aq = NULL;
    *st = store_open(db, false);
    if (!*st)
        return -1;
    *aq = auditq_start(db);
    if (!*aq) {
        store_close(*st);
        *st = NULL;
        return -1;
    }
    return 0;
}

int cli_person(const char *arg, struct person_key *k, const char *who)
{
    const char *why;
    memset(k, 0, sizeof *k);
    if (strlen(arg) != 17 || arg[6] != '/') {
        fprintf(stderr, "%s: 利用者は 保険者番号/被保険者番号 で指定します(例: 122192/0000000001)\n", who);
        return EXIT_USAGE;
    }
    memcpy(k->insurer_no, arg, 6);
    memcpy(k->insured_no, arg + 7, 10);
    if (insurer_no_check(k->insurer_no, 6, &why) || insured_no_check(k->insured_no, 10, &why)) {
        fprintf(stderr, "%s: %s\n", who, why);
        return EXIT_INVALID;
    }
    return 0;
}

int cli_read_card(const char *db, const struct person_key *k, struct date on, struct card *c, const char **reason)
{
    struct store *st;
    struct auditq *aq;
    if (cli_open_audited(db, &st, &aq))
        return DISCLOSE_ERROR;
    struct disclosure d;
    char rid[REQUEST_ID_BYTES];
    cli_disclosure(&d, k, CAT_SHIKAKU, rid);
    enum disclose_status s = disclose_card(st, aq, &d, on, c);
    auditq_stop(aq);
    store_close(st);
    if (reason)
        *reason = d.decision.reason;
    return s;
}

int cli_read_docs(const char *db, const struct person_key *k, int category,
                  int (*fn)(void *ctx, const char *kind, const char *rkey, const char *body), void *ctx,
                  const char *who)
{
    struct store *st;
    struct auditq *aq;
    if (cli_open_audited(db, &st, &aq))
        return EXIT_INTERNAL;
    struct disclosure d;
    char rid[REQUEST_ID_BYTES];
    cli_disclosure(&d, k, category, rid);
    d.what = WHAT_DOCS;
    d.doc_fn = fn;
    d.row_ctx = ctx;
    enum disclose_status s = disclose(st, aq, &d);
    auditq_stop(aq);
    store_close(st);
    return s == DISCLOSE_OK ? 0 : cli_refused(s, who, "読めません");
}

int cli_refused(int status, const char *who, const char *doing)
{
    enum disclose_status s = (enum disclose_status)status;
    bool absent = s == DISCLOSE_NOT_FOUND || s == DISCLOSE_DENIED; /* a refusal reads as absence */
    if (absent)
        fprintf(stderr, "%s: 該当する被保険者が見つかりません\n", who);
    else if (s == DISCLOSE_AUDIT_FAILED)
        fprintf(stderr, "%s: アクセス記録を保存できないため%s\n", who, doing);
    else
        fprintf(stderr, "%s: 記録を読めませんでした\n", who);
    return absent ? EXIT_INVALID : EXIT_INTERNAL;
}

char *cli_run(char *const argv[], size_t max, size_t *n)
{
    return spawn_read(argv, max, n);
}


int cli_width(const char *s)
{
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x80)
            w++;
        else if ((*p & 0xC0) != 0x80)
            w += 2; /* Japanese text takes two columns in a terminal */
    return w;
}

void cli_cell(const char *s, int width)
{
    int w = cli_width(s);
    printf("%s%*s ", s, w < width ? width - w : 0, "");
}

int cli_no_db(const char *cmd)
{
    fprintf(stderr, "%s: データベースを --db か KAIGO_DB で指定してください\n", cmd);
    return EXIT_USAGE;
}

void cli_unmappable(void *ctx, const struct cp_unmappable *u)
{
    struct cli_unmap *x = ctx;
    char ch[5];
    utf8_put(u->cp, ch);
    x->n++;
    fprintf(stderr, "%s:%ld:%d(%s): 被保険者 %s/%s の「%s」(U+%04X) は MS932 にありません%s\n", u->file, u->line,
            u->column, u->column_name, u->insurer_no[0] ? u->insurer_no : "-", u->insured_no[0] ? u->insured_no : "-",
            ch, u->cp, x->substitute ? "。〓 に置き換えました" : "");
}

int cli_directory(const char *cmd, const char *db, struct directory *d)
{
    char why[1024];
    if (store_where_usable(db)) /* every cluster's keys are in $KAIGO_STATE */
        return EXIT_USAGE;
    if (directory_load(directory_path(db), d, why, sizeof why)) {
        fprintf(stderr, "%s: %s\n", cmd, why);
        return EXIT_USAGE;
    }
    return 0;
}
