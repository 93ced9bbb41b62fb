/*
 * cmd_cert.c - kaigo cert worklist; kaigo import chosa|life; kaigo ledger remaining|claim.
 *
 * Imports read UTF-8 or CP932 CSV (the first row names the columns) or, for
 * LIFE, JSON; every error is FILE:LINE:COLUMN(項目名): message, and a file with
 * any error changes nothing (one transaction). Reads go through the gate as the
 * local operator (audited against each person).
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/certflow.h"
#include "domain/ledger.h"
#include "domain/numbers.h"
#include "domain/wareki.h"
#include "audit/auditq.h"
#include "service/certstore.h"
#include "service/disclose.h"
#include "codec/docjson.h"
#include "util/csv.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define CERT_FILE_MAX (64u << 20)

static const char help_worklist[] =
    "使い方: kaigo cert worklist --insurer 保険者番号 [--date 日付] [--json] [--db PATH]\n"
    "  審査中の要介護認定申請を、決定期限(申請日から30日、介護保険法第27条第11項)までの残り日数の\n"
    "  少ない順に表示します。期限を過ぎて延期通知のないものに「要延期通知」と示します。\n"
    "  一覧に出た人ごとにアクセス記録(監査ログ)が残ります。\n";

static const char help_ledger[] =
    "使い方:\n"
    "  kaigo ledger remaining 保険者番号 被保険者番号 [--date 日付] [--json] [--db PATH]\n"
    "      住宅改修費(住宅ごと20万円、3段階以上の重度化・転居で再度)と福祉用具購入費(年度ごと10万円)の\n"
    "      残りと理由を表示します(参照はアクセス記録に残ります)。\n"
    "  kaigo ledger claim 保険者番号 被保険者番号 --kind jutaku|yogu --date 日付 --amount 円\n"
    "                     [--residence 住所] [--category 種目] [--db PATH]\n"
    "      支給申請を記録します。限度額を超える部分は受け付けず、その旨を表示します。\n";

static const char help_import[] =
    "使い方: kaigo import chosa|life|chiiki FILE [--db PATH]\n"
    "  chosa: 認定調査票(1行に1項目)。列: 保険者番号,被保険者番号,申請ID,調査日,調査員,項目,回答,特記事項\n"
    "         申請ごとに全項目(74項目+日常生活自立度2項目)が必要です。項目と回答は docs/certification.md。\n"
    "  life:  LIFE 利用者フィードバック。CSV(1行に1項目)の列: 保険者番号,被保険者番号,事業所番号,評価日,\n"
    "         評価時点,項目,値  または JSON の配列 [{\"insurer_no\",\"insured_no\",\"provider_no\",\"evaluated\",\n"
    "         \"timing\",\"items\":{項目:値}}]。\n"
    "  chiiki: 市町村の地域区分(事業所所在地の1単位の単価に使います)。列: 市町村コード,市町村名,級地,適用開始日,\n"
    "         適用終了日(級地は 1〜7 / 1級地〜7級地 / その他)。\n"
    "  UTF-8 または CP932。誤りは FILE:行:列(項目名): 内容 で示し、一つでもあれば何も取り込みません。\n";

static struct store *open_db(const char *db)
{
    if (!db) {
        fputs("kaigo: --db か KAIGO_DB でデータベースを指定してください\n", stderr);
        return NULL;
    }
    return store_open(db, false);
}


static void wk(struct date d, struct buf *b)
{
    if (date_is_none(d) || wareki_format(d, WAREKI_LONG, b))
        buf_adds(b, "―");
}

/* ---- worklist -------------------------------------------------------------------- */

struct wl_line {
    char insured_no[INSURED_NO_LEN + 1];
    struct application a;
};
struct wl_ctx {
    struct wl_line *v;
    size_t n, cap;
};

static int wl_collect(void *ctx, const char *insured_no, const char *body)
{
    struct wl_ctx *c = ctx;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 32;
        c->v = xrealloc(c->v, c->cap * sizeof *c->v);
    }
    str_cut(c->v[c->n].insured_no, sizeof c->v[c->n].insured_no, insured_no);
    if (docjson_app(body, strlen(body), &c->v[c->n].a))
        return 1;
    c->n++;
    return 0;
}

static struct date wl_today;
static int wl_cmp(const void *x, const void *y)
{
    const struct wl_line *a = x, *b = y;
    int da = app_days_left(&a->a, wl_today), db = app_days_left(&b->a, wl_today);
    return da != db ? (da < db ? -1 : 1) : strcmp(a->insured_no, b->insured_no);
}

static int worklist(int argc, char **argv)
{
    const char *db = db_default(), *ins = NULL, *date_s = NULL;
    bool json = false;
    for (int i = 2; i < argc; i++) {
        const char *v;
        if (is_help(argv[i])) {
            fputs(help_worklist, stdout);
            return 0;
        } else if ((v = opt_value(argc, argv, &i, "--db")))
            db = v;
        else if ((v = opt_value(argc, argv, &i, "--insurer")))
            ins = v;
        else if ((v = opt_value(argc, argv, &i, "--date")))
            date_s = v;
        else if (strcmp(argv[i], "--json") == 0)
            json = true;
        else {
            fprintf(stderr, "kaigo cert worklist: 不明な引数です: %s\n%s", argv[i], help_worklist);
            return EXIT_USAGE;
        }
    }
    const char *why;
    if (!ins || insurer_no_check(ins, strlen(ins), &why)) {
        fprintf(stderr, "kaigo cert worklist: --insurer に正しい保険者番号を指定してください\n");
        return EXIT_USAGE;
    }
    wl_today = date_today();
    if (date_s && date_parse_any(date_s, strlen(date_s), &wl_today, &why)) {
        fprintf(stderr, "kaigo cert worklist: --date %s: %s\n", date_s, why);
        return EXIT_INVALID;
    }
    struct store *st;
    struct auditq *aq;
    if (!db) {
        fputs("kaigo: --db か KAIGO_DB でデータベースを指定してください\n", stderr);
        return EXIT_USAGE;
    }
    if (cli_open_audited(db, &st, &aq))
        return EXIT_INTERNAL;
    struct actor a;
    cli_actor(&a);
    char rid[REQUEST_ID_BYTES];
    cli_request_id(rid);
    struct wl_ctx c = {0};
    long long shown, denied;
    enum disclose_status s =
        disclose_worklist(st, aq, &a, ins, rid, clock_now_ms(), wl_collect, &c, &shown, &denied);
    auditq_stop(aq);
    store_close(st);
    if (s != DISCLOSE_OK) {
        fprintf(stderr, "kaigo cert worklist: %s\n",
                s == DISCLOSE_AUDIT_FAILED ? "アクセス記録を保存できないため表示できません"
                                           : "一覧を読めませんでした");
        free(c.v);
        return EXIT_INTERNAL;
    }
    qsort(c.v, c.n, sizeof *c.v, wl_cmp);
    char iso[11];
    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < c.n; i++) {
            const struct application *p = &c.v[i].a;
            date_iso(p->applied, iso);
            char due[11];
            date_iso(cert_decision_due(p->applied), due);
            json_array_append_new(
                arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:b,s:i}", "insured_no", c.v[i].insured_no,
                               "application_id", p->id, "kind", cert_kind_name(p->kind), "applied", iso,
                               "stage", app_stage_code(app_stage(p)), "decision_due", due, "days_left",
                               app_days_left(p, wl_today), "needs_postponement",
                               app_needs_postpone(p, wl_today), "postponements", (int)p->npostpone));
        }
        date_iso(wl_today, iso);
        json_t *o = json_pack("{s:s,s:s,s:o}", "insurer_no", ins, "date", iso, "applications", arr);
        char *out = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        if (out)
            puts(out);
        free(out);
    } else {
        struct buf b;
        buf_init(&b, 4096);
        wk(wl_today, &b);
        printf("要介護認定 審査中の申請 保険者番号 %s  基準日 %s  %zu 件\n", ins, b.ptr, c.n);
        if (denied)
            printf("(参照が許可されない %lld 件は表示していません)\n", denied);
        /* columns by display width, so the rows line up under the header in a terminal */
        static const int w[] = {12, 14, 8, 18, 18, 16};
        static const char *const head[] = {"被保険者番号", "申請ID", "区分", "申請日", "決定期限", "状態"};
        for (size_t k = 0; k < 6; k++)
            cli_cell(head[k], w[k]);
        printf("残り日数\n");
        for (size_t i = 0; i < c.n; i++) {
            const struct application *p = &c.v[i].a;
            char applied[64] = "", due[64] = "", left_s[32];
            buf_reset(&b);
            wk(p->applied, &b);
            str_cut(applied, sizeof applied, b.ptr ? b.ptr : "");
            buf_reset(&b);
            wk(cert_decision_due(p->applied), &b);
            str_cut(due, sizeof due, b.ptr ? b.ptr : "");
            int left = app_days_left(p, wl_today);
            if (left >= 0)
                snprintf(left_s, sizeof left_s, "あと%d日", left);
            else
                snprintf(left_s, sizeof left_s, "%d日超過", -left);
            const char *cells[] = {c.v[i].insured_no, p->id, cert_kind_name(p->kind), applied, due,
                                   app_stage_name(app_stage(p))};
            for (size_t k = 0; k < 6; k++)
                cli_cell(cells[k], w[k]);
            printf("%s%s\n", left_s,
                   app_needs_postpone(p, wl_today) ? "  【要延期通知】"
                   : p->npostpone                   ? "  (延期通知済)"
                                                    : "");
        }
        buf_release(&b);
    }
    free(c.v);
    return 0;
}

static const char help_steps[] =
    "  kaigo cert apply --person 保険者番号/被保険者番号 --kind 新規|更新|区分変更 [--date 申請日] [--db PATH]\n"
    "      窓口で受け付けた申請を記録し、申請番号を表示します(市町村の職員として。介護保険法第27条第1項)。\n"
    "  kaigo cert opinion-request --person 保険者番号/被保険者番号 --app 申請番号 --org 医療機関ID [--date 日付] [--db PATH]\n"
    "      主治医意見書の作成を医療機関に依頼します(第27条第3項)。依頼の間、その医療機関は被保険者証と意見書を\n"
    "      見られ、画面(/clinic/requests)から意見書を書いて提出できます。\n";

/* step_cmd - apply / opinion-request as the local operator (the insurer's counter): cs_file / cs_step, the
 * same store functions as the API's */
static int step_cmd(int argc, char **argv, bool apply)
{
    const char *db = db_default(), *person = NULL, *kind = NULL, *date = NULL, *app = NULL, *org = NULL, *v;
    for (int i = 2; i < argc; i++) {
        if ((v = opt_value(argc, argv, &i, "--db")))
            db = v;
        else if ((v = opt_value(argc, argv, &i, "--person")))
            person = v;
        else if ((v = opt_value(argc, argv, &i, "--kind")))
            kind = v;
        else if ((v = opt_value(argc, argv, &i, "--date")))
            date = v;
        else if ((v = opt_value(argc, argv, &i, "--app")))
            app = v;
        else if ((v = opt_value(argc, argv, &i, "--org")))
            org = v;
        else {
            fprintf(stderr, "%s%s", help_worklist, help_steps);
            return EXIT_USAGE;
        }
    }
    struct person_key k;
    struct date on = date_today();
    const char *why;
    if (!person || (apply ? !kind : (!app || !org)) || cli_person(person, &k, "kaigo cert")) {
        fprintf(stderr, "%s", help_steps);
        return EXIT_USAGE;
    }
    if (date && date_parse_any(date, strlen(date), &on, &why)) {
        fprintf(stderr, "kaigo cert: --date: %s\n", why);
        return EXIT_USAGE;
    }
    struct store *st;
    struct auditq *aq;
    if (cli_open_audited(db, &st, &aq))
        return EXIT_INTERNAL;
    struct actor a;
    cli_actor(&a);
    struct cs_result res;
    int rc = st->ops->begin(st) ? -1 : 0;
    if (rc == 0 && apply) {
        struct cs_filing f;
        memset(&f, 0, sizeof f);
        f.applied = on;
        f.filer = FILER_INSURER;
        if (cert_kind_parse(kind, strlen(kind), &f.kind)) {
            fprintf(stderr, "kaigo cert apply: --kind は 新規・更新・区分変更 のいずれかです\n");
            st->ops->rollback(st);
            rc = 1;
        } else
            rc = cs_file(st, &a, &k, &f, clock_now_ms(), &res);
    } else if (rc == 0) {
        struct cs_step_args x;
        memset(&x, 0, sizeof x);
        x.on = on;
        str_cut(x.who, sizeof x.who, org);
        rc = cs_step(st, &a, &k, app, STEP_REQUEST_OPINION, &x, clock_now_ms(), &res);
    }
    int exit = EXIT_INTERNAL;
    if (rc == 1)
        exit = EXIT_INVALID;
    else if (rc || res.status != CS_OK) {
        st->ops->rollback(st);
        if (rc == 0 && res.status != CS_ERROR) {
            fprintf(stderr, "kaigo cert: %s%s%s\n", res.status == CS_NOTFOUND ? "該当する申請・被保険者がありません" : res.msg,
                    res.field[0] ? " - " : "", res.field);
            exit = EXIT_INVALID;
        }
    } else if (st->ops->commit(st))
        st->ops->rollback(st);
    else {
        printf("%s\n", res.id[0] ? res.id : app);
        fprintf(stderr, "%s\n", res.msg);
        exit = 0;
    }
    auditq_stop(aq);
    store_close(st);
    return exit;
}

int cmd_cert(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "worklist") == 0)
        return worklist(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "apply") == 0)
        return step_cmd(argc, argv, true);
    if (argc >= 2 && strcmp(argv[1], "opinion-request") == 0)
        return step_cmd(argc, argv, false);
    FILE *out = argc >= 2 && is_help(argv[1]) ? stdout : stderr;
    fputs(help_worklist, out);
    fputs(help_steps, out);
    return out == stdout ? 0 : EXIT_USAGE;
}

/* ---- imports -------------------------------------------------------------------------- */

struct imp {
    const char *file;
    const char *const *cols;
    long errors;
};

static void imp_err(struct imp *m, long line, int col, const char *msg)
{
    m->errors++;
    if (m->errors <= 100)
        fprintf(stderr, "%s:%ld:%d(%s): %s\n", m->file, line, col, col >= 1 ? m->cols[col - 1] : "", msg);
}

static int field(struct csv_reader *r, size_t i, char *out, size_t cap)
{
    if (i >= r->nf || r->field[i].len >= cap)
        return -1;
    memcpy(out, r->field[i].ptr, r->field[i].len);
    out[r->field[i].len] = '\0';
    return 0;
}

/* header_ok - the first record names exactly the columns. */
static int header_ok(struct csv_reader *r, struct imp *m, size_t ncols)
{
    long line;
    struct csv_error e;
    if (csv_next(r, &line, &e) <= 0) {
        imp_err(m, 1, 1, "1行目に列名が必要です");
        return -1;
    }
    for (size_t i = 0; i < ncols; i++) {
        char name[64];
        if (field(r, i, name, sizeof name) || strcmp(name, m->cols[i])) {
            imp_err(m, line, (int)i + 1, "列名が違います(列の並びは --help を参照)");
            return -1;
        }
    }
    return 0;
}

static int key_fields(struct csv_reader *r, struct imp *m, long line, struct person_key *k)
{
    char a[16], b[16];
    const char *why;
    if (field(r, 0, a, sizeof a) || insurer_no_check(a, strlen(a), &why)) {
        imp_err(m, line, 1, "保険者番号が正しくありません");
        return -1;
    }
    if (field(r, 1, b, sizeof b) || insured_no_check(b, strlen(b), &why)) {
        imp_err(m, line, 2, "被保険者番号が正しくありません");
        return -1;
    }
    memset(k, 0, sizeof *k);
    memcpy(k->insurer_no, a, INSURER_NO_LEN);
    memcpy(k->insured_no, b, INSURED_NO_LEN);
    return 0;
}

static int date_field(struct csv_reader *r, struct imp *m, long line, size_t col, struct date *d)
{
    char s[40];
    const char *why;
    if (field(r, col, s, sizeof s) || date_parse_any(s, strlen(s), d, &why)) {
        imp_err(m, line, (int)col + 1, "日付は YYYY-MM-DD または和暦で指定してください");
        return -1;
    }
    return 0;
}

/* 認定調査票: rows of one (person, application) are gathered into one survey */
struct chosa_group {
    struct person_key k;
    char app[APP_ID_BYTES];
    long first_line;
    long lines[CHOSA_MAX_ITEMS];
    struct chosa c;
};

static const char *const chosa_cols[] = {"保険者番号", "被保険者番号", "申請ID", "調査日", "調査員", "項目", "回答", "特記事項"};
static const char *const chiiki_cols[] = {"市町村コード", "市町村名", "級地", "適用開始日", "適用終了日"};

/* grade_of - "1"–"7", "1級地"–"7級地", "その他" → 1–8; 0 if not one of them. */
static int grade_of(const char *s)
{
    if (!strcmp(s, "その他") || !strcmp(s, "8"))
        return 8;
    if (s[0] >= '1' && s[0] <= '7' && (s[1] == '\0' || !strcmp(s + 1, "級地")))
        return s[0] - '0';
    return 0;
}

/* import_chiiki - municipality → 地域区分 grade (master data, RULE-S7-006). */
static int import_chiiki(struct store *st, const struct actor *a, struct imp *m, const char *text, size_t n,
                         long *written)
{
    struct csv_reader r;
    csv_init(&r, text, n);
    if (header_ok(&r, m, 5)) {
        csv_release(&r);
        return -1;
    }
    long long change;
    if (st->ops->change_begin(st, a->id, "地域区分の取込", &change)) {
        csv_release(&r);
        return -1;
    }
    long line;
    struct csv_error e;
    int got, rc = 0;
    while ((got = csv_next(&r, &line, &e)) > 0 && rc == 0) {
        char code[8], name[NAME_BYTES], g[16];
        struct date from, to;
        if (r.nf != 5) {
            imp_err(m, line, (int)r.nf, "列の数が5ではありません");
            continue;
        }
        if (field(&r, 0, code, sizeof code) || strlen(code) != 6 || strspn(code, "0123456789") != 6) {
            imp_err(m, line, 1, "市町村コード(全国地方公共団体コード)は数字6桁です");
            continue;
        }
        if (field(&r, 1, name, sizeof name) || !name[0]) {
            imp_err(m, line, 2, "市町村名が空か長すぎます");
            continue;
        }
        int grade = field(&r, 2, g, sizeof g) ? 0 : grade_of(g);
        if (!grade) {
            imp_err(m, line, 3, "級地は 1〜7(または 1級地〜7級地)か その他 です");
            continue;
        }
        if (date_field(&r, m, line, 3, &from) || date_field(&r, m, line, 4, &to))
            continue;
        if (date_cmp(from, to) > 0) {
            imp_err(m, line, 5, "適用終了日が適用開始日より前です");
            continue;
        }
        if (m->errors == 0 && st->ops->chiiki_put(st, code, name, grade, from, to, change))
            rc = -1;
        else
            ++*written;
    }
    if (got < 0)
        imp_err(m, e.line, e.column, e.message);
    csv_release(&r);
    return rc;
}

static const char *const life_cols[] = {"保険者番号", "被保険者番号", "事業所番号", "評価日", "評価時点", "項目", "値"};

static int import_chosa(struct store *st, const struct actor *a, struct imp *m, const char *text, size_t n,
                        long *written)
{
    struct csv_reader r;
    csv_init(&r, text, n);
    struct chosa_group *g = NULL;
    size_t ng = 0, cap = 0;
    int rc = 0;
    if (header_ok(&r, m, 8)) {
        csv_release(&r);
        return -1;
    }
    long line;
    struct csv_error e;
    int got;
    while ((got = csv_next(&r, &line, &e)) > 0) {
        struct person_key k;
        char app[APP_ID_BYTES], item[CHOSA_ITEM_BYTES], ans[CHOSA_ANSWER_BYTES], inv[NAME_BYTES];
        struct date d;
        if (r.nf != 8) {
            imp_err(m, line, (int)r.nf, "列の数が8ではありません");
            continue;
        }
        if (key_fields(&r, m, line, &k) || date_field(&r, m, line, 3, &d))
            continue;
        if (field(&r, 2, app, sizeof app) || !app[0]) {
            imp_err(m, line, 3, "申請ID(例: A20260415-1)を指定してください");
            continue;
        }
        if (field(&r, 4, inv, sizeof inv) || field(&r, 5, item, sizeof item) || field(&r, 6, ans, sizeof ans)) {
            imp_err(m, line, 6, "調査員・項目・回答が長すぎます");
            continue;
        }
        size_t gi = 0;
        while (gi < ng && !(strcmp(g[gi].k.insurer_no, k.insurer_no) == 0 &&
                            strcmp(g[gi].k.insured_no, k.insured_no) == 0 && strcmp(g[gi].app, app) == 0))
            gi++;
        if (gi == ng) {
            if (ng == cap) {
                cap = cap ? 2 * cap : 8;
                g = xrealloc(g, cap * sizeof *g);
            }
            memset(&g[ng], 0, sizeof g[ng]);
            g[ng].k = k;
            str_cut(g[ng].app, sizeof g[ng].app, app);
            g[ng].first_line = line;
            g[ng].c.surveyed = d;
            str_cut(g[ng].c.investigator, sizeof g[ng].c.investigator, inv);
            ng++;
        }
        struct chosa_group *x = &g[gi];
        if (date_cmp(x->c.surveyed, d) != 0) {
            imp_err(m, line, 4, "同じ申請の調査日が行によって違います");
            continue;
        }
        if (x->c.n >= CHOSA_MAX_ITEMS) {
            imp_err(m, line, 6, "項目が多すぎます");
            continue;
        }
        struct chosa_answer *an = &x->c.a[x->c.n];
        str_cut(an->item, sizeof an->item, item);
        str_cut(an->answer, sizeof an->answer, ans);
        if (field(&r, 7, an->note, sizeof an->note)) {
            imp_err(m, line, 8, "特記事項が長すぎます(100文字まで)");
            continue;
        }
        x->lines[x->c.n++] = line;
    }
    if (got < 0)
        imp_err(m, e.line, e.column, e.message);
    csv_release(&r);
    for (size_t i = 0; i < ng && m->errors == 0; i++) {
        struct cs_result res;
        if (cs_chosa_put(st, a, &g[i].k, g[i].app, &g[i].c, clock_now_ms(), &res) < 0) {
            rc = -1;
            break;
        }
        if (res.status != CS_OK) {
            long at = g[i].first_line;
            int col = 3;
            for (size_t j = 0; j < g[i].c.n; j++)
                if (strcmp(g[i].c.a[j].item, res.field) == 0)
                    at = g[i].lines[j], col = 7;
            imp_err(m, at, col, res.msg);
        } else
            ++*written;
    }
    if (g)
        sodium_memzero(g, cap * sizeof *g);
    free(g);
    return rc;
}

static int life_one(struct store *st, const struct actor *a, struct imp *m, long line,
                    const struct person_key *k, const struct life_feedback *f, long *written)
{
    struct cs_result res;
    if (cs_life_put(st, a, k, f, clock_now_ms(), &res) < 0)
        return -1;
    if (res.status == CS_NOTFOUND)
        imp_err(m, line, 2, "該当する被保険者がいません");
    else if (res.status != CS_OK)
        imp_err(m, line, 3, res.msg);
    else
        ++*written;
    return 0;
}

static int import_life_json(struct store *st, const struct actor *a, struct imp *m, const char *text,
                            size_t n, long *written)
{
    json_error_t je;
    json_t *arr = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
    if (!arr || !json_is_array(arr)) {
        char msg[256];
        snprintf(msg, sizeof msg, "JSONの配列として読めません(%s)", arr ? "配列ではありません" : je.text);
        utf8_scrub(msg);
        imp_err(m, arr ? 1 : je.line, arr ? 1 : je.column, msg);
        json_decref(arr);
        return 0;
    }
    size_t i;
    json_t *o;
    int rc = 0;
    json_array_foreach(arr, i, o) {
        long at = (long)i + 1; /* for JSON, "line" is the element number */
        struct person_key k = {0};
        const char *ins = json_string_value(json_object_get(o, "insurer_no"));
        const char *no = json_string_value(json_object_get(o, "insured_no"));
        const char *why;
        if (!ins || !no || insurer_no_check(ins, strlen(ins), &why) || insured_no_check(no, strlen(no), &why)) {
            imp_err(m, at, 1, "insurer_no と insured_no を正しく指定してください");
            continue;
        }
        memcpy(k.insurer_no, ins, INSURER_NO_LEN);
        memcpy(k.insured_no, no, INSURED_NO_LEN);
        json_t *doc = json_deep_copy(o);
        json_object_del(doc, "insurer_no");
        json_object_del(doc, "insured_no");
        char *s = json_dumps(doc, JSON_COMPACT);
        json_decref(doc);
        struct life_feedback *f = xmalloc(sizeof *f);
        struct doc_error e;
        if (!s || docjson_life(s, strlen(s), f, &e))
            imp_err(m, at, 3, s ? e.msg : "JSONを書き出せません");
        else if (life_one(st, a, m, at, &k, f, written))
            rc = -1;
        free(f);
        free(s);
        if (rc)
            break;
    }
    json_decref(arr);
    return rc;
}

struct life_group {
    struct person_key k;
    long first_line;
    struct life_feedback f;
};

static int import_life_csv(struct store *st, const struct actor *a, struct imp *m, const char *text,
                           size_t n, long *written)
{
    struct csv_reader r;
    csv_init(&r, text, n);
    if (header_ok(&r, m, 7)) {
        csv_release(&r);
        return -1;
    }
    struct life_group *g = NULL;
    size_t ng = 0, cap = 0;
    long line;
    struct csv_error e;
    int got, rc = 0;
    while ((got = csv_next(&r, &line, &e)) > 0) {
        struct person_key k;
        char prov[PROVIDER_NO_LEN + 2], timing[32];
        struct date d;
        if (r.nf != 7) {
            imp_err(m, line, (int)r.nf, "列の数が7ではありません");
            continue;
        }
        if (key_fields(&r, m, line, &k) || date_field(&r, m, line, 3, &d))
            continue;
        if (field(&r, 2, prov, sizeof prov) || strlen(prov) != PROVIDER_NO_LEN) {
            imp_err(m, line, 3, "事業所番号は10桁です");
            continue;
        }
        if (field(&r, 4, timing, sizeof timing)) {
            imp_err(m, line, 5, "評価時点が長すぎます");
            continue;
        }
        size_t gi = 0;
        while (gi < ng && !(memcmp(&g[gi].k, &k, sizeof k) == 0 && strcmp(g[gi].f.provider_no, prov) == 0 &&
                            date_cmp(g[gi].f.evaluated, d) == 0))
            gi++;
        if (gi == ng) {
            if (ng == cap) {
                cap = cap ? 2 * cap : 8;
                g = xrealloc(g, cap * sizeof *g);
            }
            memset(&g[ng], 0, sizeof g[ng]);
            g[ng].k = k;
            g[ng].first_line = line;
            memcpy(g[ng].f.provider_no, prov, PROVIDER_NO_LEN + 1); /* length checked above */
            g[ng].f.evaluated = d;
            str_cut(g[ng].f.timing, sizeof g[ng].f.timing, timing);
            ng++;
        }
        struct life_feedback *f = &g[gi].f;
        if (f->n >= LIFE_MAX_ITEMS) {
            imp_err(m, line, 6, "項目が多すぎます(64項目まで)");
            continue;
        }
        if (field(&r, 5, f->items[f->n].name, sizeof f->items[f->n].name) ||
            field(&r, 6, f->items[f->n].value, sizeof f->items[f->n].value)) {
            imp_err(m, line, 6, "項目名(40文字)または値(16文字)が長すぎます");
            continue;
        }
        f->n++;
    }
    if (got < 0)
        imp_err(m, e.line, e.column, e.message);
    csv_release(&r);
    for (size_t i = 0; i < ng && m->errors == 0 && rc == 0; i++)
        rc = life_one(st, a, m, g[i].first_line, &g[i].k, &g[i].f, written);
    free(g);
    return rc;
}

int cert_import(int argc, char **argv)
{
    const char *db = db_default(), *file = NULL;
    const char *kind = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *v;
        if (is_help(argv[i])) {
            fputs(help_import, stdout);
            return 0;
        } else if ((v = opt_value(argc, argv, &i, "--db")))
            db = v;
        else if (strcmp(argv[i], "--quiet") == 0)
            continue;
        else if (argv[i][0] == '-' || file) {
            fprintf(stderr, "kaigo import %s: 不明な引数です: %s\n%s", kind, argv[i], help_import);
            return EXIT_USAGE;
        } else
            file = argv[i];
    }
    if (!file) {
        fputs(help_import, stderr);
        return EXIT_USAGE;
    }
    size_t n;
    char *text = cli_read_text(file, CERT_FILE_MAX, &n);
    if (!text)
        return EXIT_INVALID;
    struct store *st = open_db(db);
    if (!st) {
        free(text);
        return EXIT_INTERNAL;
    }
    struct actor a;
    cli_actor(&a);
    bool chosa = strcmp(kind, "chosa") == 0, chiiki = strcmp(kind, "chiiki") == 0;
    struct imp m = {file, chosa ? chosa_cols : chiiki ? chiiki_cols : life_cols, 0};
    long written = 0;
    int rc = st->ops->begin(st);
    if (rc == 0) {
        size_t o = 0;
        while (o < n && (text[o] == ' ' || text[o] == '\n' || text[o] == '\r' || text[o] == '\t'))
            o++;
        if (chosa)
            rc = import_chosa(st, &a, &m, text, n, &written);
        else if (chiiki)
            rc = import_chiiki(st, &a, &m, text, n, &written);
        else if (o < n && text[o] == '[')
            rc = import_life_json(st, &a, &m, text, n, &written);
        else
            rc = import_life_csv(st, &a, &m, text, n, &written);
    }
    sodium_memzero(text, n);
    free(text);
    if (rc < 0 && m.errors == 0) {
        fprintf(stderr, "kaigo import %s: %s\n", kind, store_errmsg(st));
        st->ops->rollback(st);
        store_close(st);
        return EXIT_INTERNAL;
    }
    if (m.errors) {
        st->ops->rollback(st);
        store_close(st);
        fprintf(stderr, "%s: 誤りが %ld 件あるため、何も取り込みませんでした\n", file, m.errors);
        return EXIT_INVALID;
    }
    if (st->ops->commit(st)) {
        fprintf(stderr, "kaigo import %s: %s\n", kind, store_errmsg(st));
        store_close(st);
        return EXIT_INTERNAL;
    }
    store_close(st);
    printf("%s: %s を %ld 件取り込みました\n", file,
           chosa ? "認定調査票" : chiiki ? "地域区分" : "LIFEフィードバック", written);
    return 0;
}

/* ---- ledger -------------------------------------------------------------------------- */

struct claims {
    struct ledger_claim *c;
    size_t n;
    int bad;
};

static int claim_doc(void *ctx, const char *kind, const char *rkey, const char *body)
{
    struct claims *c = ctx;
    (void)kind, (void)rkey;
    struct doc_error e;
    if (c->n < LEDGER_MAX_CLAIMS && docjson_claim(body, strlen(body), &c->c[c->n], &e) == 0)
        c->n++;
    else
        c->bad = 1;
    return 0;
}

static int person_args(const char *const pos[2], struct person_key *k, const char *cmd)
{
    const char *why;
    if (!pos[0] || !pos[1] || insurer_no_check(pos[0], strlen(pos[0]), &why) ||
        insured_no_check(pos[1], strlen(pos[1]), &why)) {
        fprintf(stderr, "kaigo ledger %s: 保険者番号と被保険者番号を正しく指定してください\n", cmd);
        return -1;
    }
    memset(k, 0, sizeof *k);
    memcpy(k->insurer_no, pos[0], INSURER_NO_LEN);
    memcpy(k->insured_no, pos[1], INSURED_NO_LEN);
    return 0;
}

static void yen(struct buf *b, long long v)
{
    char raw[32];
    int n = snprintf(raw, sizeof raw, "%lld", v);
    for (int i = 0; i < n; i++) {
        buf_add(b, &raw[i], 1);
        if ((n - i - 1) % 3 == 0 && i != n - 1 && raw[i] != '-')
            buf_adds(b, ",");
    }
}

int cmd_ledger(int argc, char **argv)
{
    if (argc < 2 || is_help(argv[1]) || (strcmp(argv[1], "remaining") && strcmp(argv[1], "claim"))) {
        fputs(help_ledger, argc >= 2 && is_help(argv[1]) ? stdout : stderr);
        return argc >= 2 && is_help(argv[1]) ? 0 : EXIT_USAGE;
    }
    bool remaining = strcmp(argv[1], "remaining") == 0, json = false;
    const char *db = db_default(), *date_s = NULL, *pos[2] = {0}, *kind = NULL, *amount = NULL,
               *residence = "", *category = "";
    int np = 0;
    for (int i = 2; i < argc; i++) {
        const char *v;
        if (is_help(argv[i])) {
            fputs(help_ledger, stdout);
            return 0;
        } else if ((v = opt_value(argc, argv, &i, "--db")))
            db = v;
        else if ((v = opt_value(argc, argv, &i, "--date")))
            date_s = v;
        else if ((v = opt_value(argc, argv, &i, "--kind")))
            kind = v;
        else if ((v = opt_value(argc, argv, &i, "--amount")))
            amount = v;
        else if ((v = opt_value(argc, argv, &i, "--residence")))
            residence = v;
        else if ((v = opt_value(argc, argv, &i, "--category")))
            category = v;
        else if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (argv[i][0] == '-' || np == 2) {
            fprintf(stderr, "kaigo ledger: 不明な引数です: %s\n%s", argv[i], help_ledger);
            return EXIT_USAGE;
        } else
            pos[np++] = argv[i];
    }
    struct person_key k;
    if (person_args(pos, &k, argv[1]))
        return EXIT_USAGE;
    struct date on = date_today();
    const char *why;
    if (date_s && date_parse_any(date_s, strlen(date_s), &on, &why)) {
        fprintf(stderr, "kaigo ledger: --date %s: %s\n", date_s, why);
        return EXIT_INVALID;
    }
    struct store *st = open_db(db);
    if (!st)
        return EXIT_INTERNAL;
    struct actor a;
    cli_actor(&a);
    if (!remaining) {
        struct ledger_claim c = {0};
        char *end = NULL;
        c.kind = kind ? ledger_kind_from_code(kind) : 0;
        c.amount = amount ? strtoll(amount, &end, 10) : 0;
        c.date = on;
        if (!c.kind || !amount || *end || !date_s) {
            fputs("kaigo ledger claim: --kind jutaku|yogu, --date, --amount(円)が必要です\n", stderr);
            store_close(st);
            return EXIT_USAGE;
        }
        /* the residence decides which 住宅改修 allowance a claim draws on: a long address cut to
         * the same prefix as another would share its allowance, so it must fit whole */
        if (str_copy(c.residence, sizeof c.residence, residence) ||
            str_copy(c.category, sizeof c.category, category)) {
            fprintf(stderr, "kaigo ledger claim: --residence(%zu バイトまで)・--category が長すぎます\n",
                    sizeof c.residence - 1);
            store_close(st);
            return EXIT_INVALID;
        }
        struct cs_result res;
        int rc = st->ops->begin(st) ? -1 : cs_claim_add(st, &a, &k, &c, clock_now_ms(), &res);
        if (rc == 0 && res.status == CS_OK && st->ops->commit(st) == 0) {
            printf("%s\n", res.msg);
            store_close(st);
            return 0;
        }
        st->ops->rollback(st);
        store_close(st);
        if (rc < 0 || res.status == CS_ERROR) {
            fputs("kaigo ledger claim: 内部エラーが発生しました\n", stderr);
            return EXIT_INTERNAL;
        }
        fprintf(stderr, "kaigo ledger claim: %s\n", res.msg);
        return EXIT_INVALID;
    }
    struct auditq *aq = auditq_start(db);
    if (!aq) { /* the store is open already for claims; the writer only for reads */
        store_close(st);
        return EXIT_INTERNAL;
    }
    struct claims cl = {xcalloc(LEDGER_MAX_CLAIMS, sizeof *cl.c), 0, 0};
    struct disclosure d;
    char rid[REQUEST_ID_BYTES];
    cli_disclosure(&d, &k, CAT_JUTAKU, rid);
    d.what = WHAT_DOCS;
    d.doc_fn = claim_doc;
    d.row_ctx = &cl;
    enum disclose_status s = disclose(st, aq, &d);
    auditq_stop(aq);
    store_close(st);
    int rc = 0;
    struct ledger_status ls;
    if (s == DISCLOSE_OK && (cl.bad || ledger_status(cl.c, cl.n, on, &ls)))
        s = DISCLOSE_ERROR;
    switch (s) {
    case DISCLOSE_OK:
        if (json) {
            char iso[11];
            date_iso(on, iso);
            json_t *o = json_pack("{s:s,s:{s:I,s:I,s:I,s:s},s:{s:i,s:I,s:I,s:I,s:s},s:i}", "on", iso, "jutaku",
                                  "limit", (json_int_t)ls.jutaku_limit, "used", (json_int_t)ls.jutaku_used,
                                  "remaining", (json_int_t)ls.jutaku_remaining, "why", ls.jutaku_why, "yogu",
                                  "fiscal_year", ls.fiscal_year, "limit", (json_int_t)ls.yogu_limit, "used",
                                  (json_int_t)ls.yogu_used, "remaining", (json_int_t)ls.yogu_remaining, "why",
                                  ls.yogu_why, "claims", (int)cl.n);
            char *out = json_dumps(o, JSON_COMPACT);
            json_decref(o);
            if (out)
                puts(out);
            free(out);
        } else {
            struct buf b;
            buf_init(&b, 4096);
            wk(on, &b);
            printf("住宅改修費・福祉用具購入費の利用状況 %s %s  基準日 %s\n", k.insurer_no, k.insured_no, b.ptr);
            buf_reset(&b);
            yen(&b, ls.jutaku_remaining);
            printf("住宅改修  残り %s 円\n  %s\n", b.ptr, ls.jutaku_why);
            buf_reset(&b);
            yen(&b, ls.yogu_remaining);
            printf("福祉用具購入  残り %s 円\n  %s\n", b.ptr, ls.yogu_why);
            for (size_t i = 0; i < cl.n; i++) {
                buf_reset(&b);
                wk(cl.c[i].date, &b);
                buf_adds(&b, "  ");
                yen(&b, cl.c[i].amount);
                buf_adds(&b, "円 のうち支給対象 ");
                yen(&b, cl.c[i].accepted);
                buf_adds(&b, "円");
                printf("  %s %s %s\n", ledger_kind_name(cl.c[i].kind), b.ptr, cl.c[i].category);
            }
            buf_release(&b);
        }
        break;
    case DISCLOSE_NOT_FOUND:
        fputs("kaigo ledger remaining: 該当する被保険者が見つかりません\n", stderr);
        rc = EXIT_INVALID;
        break;
    case DISCLOSE_DENIED:
        fprintf(stderr, "kaigo ledger remaining: 参照が許可されていません: %s\n", d.decision.reason);
        rc = EXIT_INVALID;
        break;
    case DISCLOSE_AUDIT_FAILED:
        fputs("kaigo ledger remaining: アクセス記録を保存できないため表示できません\n", stderr);
        rc = EXIT_INTERNAL;
        break;
    default:
        fputs("kaigo ledger remaining: 内部エラーが発生しました\n", stderr);
        rc = EXIT_INTERNAL;
    }
    sodium_memzero(cl.c, LEDGER_MAX_CLAIMS * sizeof *cl.c);
    free(cl.c);
    return rc;
}
