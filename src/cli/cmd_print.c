/*
 * cmd_print.c - kaigo print card|burden|limit --person I/N [--date D] OUT.pdf: a paper document
 * with its signed QR token (issue #6, docs/paper.md). The person's card is read
 * through the gate (audited: printing discloses it onto paper), the document's
 * lines come from domain/paperdoc.c, the content hash and the token bind them, the
 * token is signed under the insurer's next serial (superseding earlier ones of the
 * same kind), the page is drawn by src/print, and only then is the issue recorded
 * (print_issue.c, shared with the batch); a PDF whose issue could not be recorded is
 * removed.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/text.h"
#include "cli/cli.h"
#include "domain/paperdoc.h"
#include "print/pdf.h"
#include "audit/auditq.h"
#include "service/disclose.h"
#include "store/keyfile.h"
#include "util/xalloc.h"
#include "domain/certflow.h"
#include "codec/docjson.h"
#include "util/banned.h"

static const char help[] =
    "使い方: kaigo print card|burden|limit|notice --person 保険者番号/被保険者番号 [--date YYYY-MM-DD]\n"
    "                   [--format a4|card] OUT.pdf [--db PATH]\n"
    "        kaigo print access --person 保険者番号/被保険者番号 [--since YYYY-MM-DD] OUT.pdf [--db PATH]\n"
    "        kaigo print postpone --person 保険者番号/被保険者番号 --app 申請番号 OUT.pdf [--db PATH]\n"
    "        kaigo print cards|burden|limit|notices --insurer 保険者番号 [--changed-since YYYY-MM-DD] [--date D]\n"
    "                   [--format a4|card] OUT.pdf\n"
    "  介護保険被保険者証(card)、負担割合証(burden)、負担限度額認定証(limit)、負担割合・負担限度額の\n"
    "  お知らせ(notice)、閲覧記録のお知らせ(access: 本人の閲覧記録の全件を新しい順に、1枚 8 件で\n"
    "  必要な枚数。--since: その日以降の分)、要介護認定の延期通知(postpone: 申請に記録した最新の延期通知の\n"
    "  理由と処分の見込み日。介護保険法第27条第11項ただし書)を PDF に印刷します。\n"
    "  QR コードには保険者の鍵で署名した符号(書類の種類、\n"
    "  保険者番号、被保険者番号、番号、交付年月日、有効期間、印字内容の要約)が入り、kaigo verify で確かめられます。\n"
    "  --date  その日に有効な内容で作ります(既定: 今日)。交付年月日は今日です。\n"
    "  --format a4(既定: A4。被保険者証は (一)(二)(三) を横に並べた A4 横)、card(被保険者証だけ:\n"
    "          (一)(二)(三) を横に並べた 273×128mm の用紙。三つ折りで 91×128mm のカードになります)。\n"
    "  参照はアクセス記録に残り、交付は保険者ごとの番号で記録されます(同じ書類の前の番号は置き換えられます)。\n"
    "  --insurer: 保険者の全員(--changed-since: その日以降に記録が変わった人)を1つの PDF に印刷し、\n"
    "  OUT.pdf.csv に印刷した一覧(部、番号、被保険者番号)を書きます。途中で止まったら同じコマンドで\n"
    "  続きから印刷します(印刷済みの人は飛ばし、重複しません)。年次の負担割合証は7月に --date 8月1日 で。\n";

/* ---- the access report: the person's access log, read through the gate -------------- */

struct access_rows {
    struct paper_access *v;
    size_t n, cap;
};

static int access_row(void *ctx, const struct access_row *a)
{
    struct access_rows *r = ctx;
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 256;
        r->v = xrealloc(r->v, r->cap * sizeof *r->v);
    }
    struct paper_access *e = &r->v[r->n++];
    memset(e, 0, sizeof *e);
    e->time_ms = a->time_ms;
    if (a->actor_name[0]) /* a proxy, by name (issue #15) */
        snprintf(e->org_name, sizeof e->org_name, "%s(代理人)", a->actor_name);
    else
        snprintf(e->org_name, sizeof e->org_name, "%s",
                 a->org_name[0] ? a->org_name : role_name(role_from_code(a->role)));
    str_cut(e->purpose, sizeof e->purpose, purpose_name_of_code(a->purpose));
    snprintf(e->category, sizeof e->category, "%s",
             category_name(category_from_code(a->category, strlen(a->category))));
    e->allowed = strcmp(a->outcome, "allowed") == 0;
    e->breakglass = (a->flags & GATE_FLAG_BREAKGLASS) != 0;
    e->paper_identity = (a->flags & GATE_FLAG_PAPER_IDENTITY) != 0;
    return 0;
}

/* access_doc - the card (name, address) and the access log of k, both through the gate */
static int access_doc(const char *db, const struct person_key *k, struct date on, struct date since, struct card *c,
                      struct paper_doc *pages, size_t *npages)
{
    struct store *st;
    struct auditq *aq;
    if (cli_open_audited(db, &st, &aq))
        return EXIT_INTERNAL;
    struct disclosure d;
    char rid[REQUEST_ID_BYTES];
    cli_disclosure(&d, k, CAT_SHIKAKU, rid);
    enum disclose_status s = disclose_card(st, aq, &d, on, c);
    struct access_rows rows = {NULL, 0, 0};
    if (s == DISCLOSE_OK) {
        cli_disclosure(&d, k, CAT_ACCESSLOG, rid);
        d.what = WHAT_ACCESS_LOG;
        d.row_fn = access_row;
        d.row_ctx = &rows;
        s = disclose(st, aq, &d);
    }
    auditq_stop(aq);
    store_close(st);
    const char *why;
    int rc = 0;
    if (s != DISCLOSE_OK)
        rc = cli_refused(s, "kaigo print", "印刷できません");
    else if (paper_doc_access(c, rows.v, rows.n, since, date_today(), pages, npages, &why)) {
        fprintf(stderr, "kaigo print: %s\n", why);
        rc = EXIT_INVALID;
    }
    if (rows.v)
        sodium_memzero(rows.v, rows.cap * sizeof *rows.v);
    free(rows.v);
    return rc;
}

/* postpone_doc - the 延期通知 of the person's application app_id (its card and its applications read through the
 * gate, 資格 and 審査判定) */
struct app_find {
    const char *id;
    struct application *a;
    bool found;
};
static int find_app(void *ctx, const char *kind, const char *rkey, const char *body)
{
    (void)kind;
    (void)rkey;
    struct app_find *f = ctx;
    struct application *a = xmalloc(sizeof *a);
    if (!f->found && docjson_app(body, strlen(body), a) == 0 && strcmp(a->id, f->id) == 0) {
        *f->a = *a;
        f->found = true;
    }
    free(a);
    return 0;
}

static int postpone_doc(const char *db, const struct person_key *k, const char *app_id, struct card *c,
                        struct paper_doc *doc)
{
    enum disclose_status s = cli_read_card(db, k, date_today(), c, NULL);
    if (s != DISCLOSE_OK)
        return cli_refused(s, "kaigo print", "印刷できません");
    struct application *a = xcalloc(1, sizeof *a);
    struct app_find f = {app_id, a, false};
    int rc = cli_read_docs(db, k, CAT_SHINSAKAI, find_app, &f, "kaigo print");
    const char *why;
    if (rc == 0 && !f.found) {
        fprintf(stderr, "kaigo print: %s/%s に申請 %s はありません\n", k->insurer_no, k->insured_no, app_id);
        rc = EXIT_INVALID;
    } else if (rc == 0 && paper_doc_postpone(c, a, date_today(), doc, &why)) {
        fprintf(stderr, "kaigo print: %s\n", why);
        rc = EXIT_INVALID;
    }
    free(a);
    return rc;
}

/* ISSUE_TRIES - how often a print whose serials another print of the insurer took meanwhile (another
 * counter, another node, a batch) is signed and drawn again under the next free ones. Of prints that
 * start together one commits in each round, so N of them need at most N tries each: 20 covers every
 * counter of a municipality printing at the same moment (six under ASan needed a sixth). */
#define ISSUE_TRIES 20

/* issue - signs the documents under the insurer's next serials, draws them into out and,
 * with the PDF on disk, records their issue (print_issue.c); a PDF whose issue could not be
 * recorded is removed. When the record failed because the serials were taken meanwhile (the
 * insurer's next serial moved past them), it is all done again under the new ones. */
static int issue(const char *db, const struct person_key *k, const struct paper_doc *doc, size_t ndocs,
                 enum print_format format, const char *out)
{
    struct paper_token *t = xcalloc(ndocs, sizeof *t);
    char(*token)[PAPER_TOKEN_TEXT_MAX] = xcalloc(ndocs, sizeof *token);
    const char **tokens = xcalloc(ndocs, sizeof *tokens);
    for (size_t i = 0; i < ndocs; i++)
        tokens[i] = token[i];
    char path[4200];
    unsigned char sk[KEYFILE_SK_BYTES];
    uint32_t first = 0, next = 0;
    const char *why;
    int rc = 0;
    struct store *wst = NULL;
    for (int attempt = 1;; attempt++) {
        if ((attempt == 1 && (paper_key_path(db, k->insurer_no, path, sizeof path) || keyfile_load(path, true, sk) ||
                              !(wst = store_open(db, false)))) ||
            wst->ops->paper_next_serial(wst, k->insurer_no, &first) || print_sign(doc, ndocs, first, sk, t, token)) {
            fprintf(stderr, "kaigo print: 交付を準備できません(%s)\n", wst ? store_errmsg(wst) : "鍵またはデータベース");
            rc = EXIT_INTERNAL;
            break;
        }
        int drawn = print_pdf(out, doc, tokens, ndocs, format, NULL, &why);
        if (drawn) {
            fprintf(stderr, "kaigo print: %s: %s%s\n", out, why,
                    drawn == PRINT_UNFIT && format == PRINT_CARD ? "。--format a4 で印刷してください" : "");
            unlink(out);
            rc = EXIT_INVALID;
            break;
        }
        if (print_record(wst, t, ndocs, "書類の交付(印刷)") == 0) {
            if (ndocs == 1)
                printf("%s: %s 1 枚(保険者 %s 番号 %u)\n", out, doc->title, t[0].insurer_no, t[0].serial);
            else
                printf("%s: %s %zu 枚(保険者 %s 番号 %u〜%u)\n", out, paper_kind_name(doc->kind), ndocs,
                       t[0].insurer_no, t[0].serial, t[ndocs - 1].serial);
            break;
        }
        /* taken meanwhile: the insurer's next serial is past the first one signed */
        bool taken = wst->ops->paper_next_serial(wst, k->insurer_no, &next) == 0 && next > first;
        if (!taken || attempt == ISSUE_TRIES) {
            fprintf(stderr, "kaigo print: 交付を記録できません(%s)。%s は消しました\n",
                    taken ? "番号がほかの印刷に使われ続けています" : store_errmsg(wst), out);
            unlink(out);
            rc = EXIT_INTERNAL;
            break;
        }
        unlink(out); /* signed under serials now another's: drawn again under the next */
    }
    sodium_memzero(sk, sizeof sk);
    if (wst)
        store_close(wst);
    free(t);
    free(token);
    free(tokens);
    return rc;
}

int cmd_print(int argc, char **argv)
{
    if (argc < 2 || is_help(argv[1])) {
        fputs(help, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    int (*build)(const struct card *, struct date, struct paper_doc *, const char **) =
        !strcmp(argv[1], "card") || !strcmp(argv[1], "cards") ? paper_doc_card
        : !strcmp(argv[1], "burden") ? paper_doc_burden
        : !strcmp(argv[1], "limit")  ? paper_doc_limit
        : !strcmp(argv[1], "notice") || !strcmp(argv[1], "notices") ? paper_doc_notice
                                     : NULL;
    bool access = strcmp(argv[1], "access") == 0, postpone = strcmp(argv[1], "postpone") == 0;
    if (!build && !access && !postpone) {
        fprintf(stderr, "kaigo print: 印刷できない書類です: %s(card, burden, limit, notice, access)\n%s", argv[1], help);
        return EXIT_USAGE;
    }
    const char *person = NULL, *date_s = NULL, *out = NULL, *db = db_default(), *insurer = NULL, *since = NULL;
    const char *period = NULL; /* access: --since */
    const char *app_id = NULL; /* postpone: --app */
    enum print_format format = PRINT_A4;
    for (int i = 2; i < argc; i++) {
        const char *v;
        if (is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        } else if ((v = opt_value(argc, argv, &i, "--person")))
            person = v;
        else if ((v = opt_value(argc, argv, &i, "--insurer")))
            insurer = v;
        else if ((v = opt_value(argc, argv, &i, "--changed-since")))
            since = v;
        else if ((v = opt_value(argc, argv, &i, "--since")))
            period = v;
        else if ((v = opt_value(argc, argv, &i, "--app")))
            app_id = v;
        else if ((v = opt_value(argc, argv, &i, "--date")))
            date_s = v;
        else if ((v = opt_value(argc, argv, &i, "--db")))
            db = v;
        else if ((v = opt_value(argc, argv, &i, "--format"))) {
            if (print_format_parse(v, &format)) {
                fprintf(stderr, "kaigo print: --format は a4 か card です: %s\n", v);
                return EXIT_USAGE;
            }
        } else if (argv[i][0] == '-' || out) {
            fprintf(stderr, "kaigo print: 不明な引数です: %s\n%s", argv[i], help);
            return EXIT_USAGE;
        } else
            out = argv[i];
    }
    const char *why;
    struct date on = date_today(), today = date_today();
    struct date since_d = DATE_NONE;
    if (!db && out && !person != !insurer)
        return cli_no_db("kaigo print");
    if (!person == !insurer || !out || !db || (date_s && date_parse_iso(date_s, strlen(date_s), &on, &why)) ||
        (since && (!insurer || date_parse_iso(since, strlen(since), &since_d, &why))) ||
        (period && (!access || date_parse_iso(period, strlen(period), &since_d, &why)))) {
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    if (postpone && (!app_id || insurer || strlen(app_id) >= APP_ID_BYTES)) {
        fprintf(stderr, "kaigo print: 延期通知(postpone)は1人ずつ(--person)、申請番号(--app)を指定して印刷します\n");
        return EXIT_USAGE;
    }
    if (insurer && access) {
        fprintf(stderr, "kaigo print: 閲覧記録(access)は1人ずつ(--person)印刷します\n");
        return EXIT_USAGE;
    }
    if (format == PRINT_CARD && build != paper_doc_card) {
        fprintf(stderr, "kaigo print: カードの大きさ(--format card)で印刷できるのは被保険者証(card)だけです\n");
        return EXIT_USAGE;
    }
    if (insurer)
        return print_batch(build, insurer, since, on, (int)format, out, db);
    struct person_key k;
    int rc = cli_person(person, &k, "kaigo print");
    if (rc)
        return rc;
    struct card *c = xmalloc(sizeof *c);
    struct paper_doc *doc = xcalloc(PAPER_ACCESS_MAX_PAGES, sizeof *doc); /* the report's pages, or one */
    size_t ndocs = 1;
    if (access)
        rc = access_doc(db, &k, on, since_d, c, doc, &ndocs);
    else if (postpone)
        rc = postpone_doc(db, &k, app_id, c, doc);
    else {
        enum disclose_status s = cli_read_card(db, &k, on, c, NULL);
        if (s != DISCLOSE_OK)
            rc = cli_refused(s, "kaigo print", "印刷できません");
        else if (build(c, today, doc, &why)) {
            fprintf(stderr, "kaigo print: %s/%s: %s\n", k.insurer_no, k.insured_no, why);
            rc = EXIT_INVALID;
        }
    }
    if (rc == 0)
        rc = issue(db, &k, doc, ndocs, format, out);
    sodium_memzero(c, sizeof *c);
    sodium_memzero(doc, PAPER_ACCESS_MAX_PAGES * sizeof *doc);
    free(c);
    free(doc);
    return rc;
}
