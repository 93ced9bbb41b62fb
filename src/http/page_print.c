/*
 * page_print.c - the municipal clerk's paper (issue #19 §1): batch printing of 被保険者証, 負担割合証, 負担限度額認定証 and
 * お知らせ for the insurer (all, or those whose records changed since a date) as a background job with its progress on
 * the page, resumed where it stopped; and one person's document printed again (再交付 - the earlier serial of the same
 * document is superseded, and a QR check of the old paper says so).
 *
 * A job is `kaigo print KIND --insurer …` (cli/print_batch.c: every person through the gate in audited chunks, serials,
 * its manifest, resume by running it again) started by the server in the job's directory <db>.print/<保険者番号>/<job>/
 * (out.pdf, out.pdf.csv, progress.log, exit); its audit entries name the clerk ("cli:… for user:N", KAIGO_ACTOR_FOR).
 * The page reads the directory: running (its process is alive), finished (exit 0: the PDF and its list to download),
 * or stopped (「続きから印刷する」 runs the same command again; printed persons are skipped, serials never repeat).
 *
 * SECURITY: the insurer's own staff only, and only their insurer's jobs (the directory is chosen from the session,
 * the job id is checked against a fixed pattern). Failure: 403 for other roles, 404 for an unknown job, 503 when the
 * job cannot start.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "domain/certflow.h"
#include "domain/wareki.h"
#include "http/page.h"
#include "util/spawn.h"
#include "util/text.h"
#include "util/banned.h"

#define JOB_ID_BYTES 40
#define PRINT_PDF_MAX (512u << 20) /* a finished batch sent as one file */

static const struct {
    const char *batch, *single, *name;
} kinds[] = {{"cards", "card", "介護保険被保険者証"},
             {"burden", "burden", "負担割合証"},
             {"limit", "limit", "負担限度額認定証"},
             {"notices", "notice", "負担割合・負担限度額のお知らせ"},
             {"", "access", "閲覧記録のお知らせ(開示請求への回答)"}, /* one person only */
             {"", "postpone", "要介護認定の延期通知"}};              /* one application (?app=) */

static int kind_of(const char *s, bool batch)
{
    for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
        if (s && *s && strcmp(s, batch ? kinds[i].batch : kinds[i].single) == 0)
            return (int)i;
    return -1;
}

static bool clerk(struct req *r, struct actor *a)
{
    principal_actor(&r->who, NULL, a);
    if (a->role == ROLE_INSURER && a->org_insurer[0])
        return true;
    page_error(r, 403, "表示できません", "印刷は市町村(保険者)の職員のページです。");
    return false;
}

/* job_root - <db>.print/<insurer>, made if missing; -1 if it cannot be */
static int job_root(const char *insurer, char *out, size_t cap)
{
    if (store_side_path(srv_config->db, ".print", out, cap))
        return -1;
    if (mkdir(out, 0700) && errno != EEXIST)
        return -1;
    size_t n = strlen(out);
    if ((size_t)snprintf(out + n, cap - n, "/%s", insurer) >= cap - n)
        return -1;
    return mkdir(out, 0700) && errno != EEXIST ? -1 : 0;
}

/* job_id_ok - 20261203-174501-cards (id need not end at n: a path parameter) */
static bool job_id_ok(const char *id, size_t n)
{
    if (n < 17 || n >= JOB_ID_BYTES || id[8] != '-' || id[15] != '-')
        return false;
    char kind[JOB_ID_BYTES];
    memcpy(kind, id + 16, n - 16);
    kind[n - 16] = '\0';
    for (size_t i = 0; i < 15; i++)
        if (i != 8 && (id[i] < '0' || id[i] > '9'))
            return false;
    for (size_t i = 16; i < n; i++)
        if (id[i] < 'a' || id[i] > 'z')
            return false;
    return kind_of(kind, true) >= 0;
}

static char *slurp(const char *path, size_t max, size_t *n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct buf b;
    buf_init(&b, max);
    char tmp[65536];
    ssize_t k;
    while ((k = read(fd, tmp, sizeof tmp)) > 0 || (k < 0 && errno == EINTR))
        if (k > 0)
            buf_add(&b, tmp, (size_t)k);
    close(fd);
    if (buf_failed(&b)) {
        buf_release(&b);
        return NULL;
    }
    buf_addc(&b, '\0');
    b.len--;
    return buf_detach(&b, n);
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int rc = fputs(text, f) < 0;
    return fclose(f) || rc ? -1 : 0;
}

struct job {
    char id[JOB_ID_BYTES];
    char dir[4300];
    int kind;
    char date[11], since[11], format[8];
    int pid;
    enum { JOB_RUNNING, JOB_DONE, JOB_FAILED, JOB_STOPPED } state;
    int exit_code;
    long long done, total; /* from the last progress line */
    char last[400];        /* the last line of progress.log */
};

/* job_load - the job's settings and state from its directory */
static int job_load(const char *root, const char *id, struct job *j)
{
    memset(j, 0, sizeof *j);
    if (str_copy(j->id, sizeof j->id, id) || (size_t)snprintf(j->dir, sizeof j->dir, "%s/%s", root, id) >= sizeof j->dir)
        return -1;
    j->kind = kind_of(id + 16, true);
    char path[4400];
    snprintf(path, sizeof path, "%s/job", j->dir);
    size_t n;
    char *s = slurp(path, 4096, &n);
    if (!s)
        return -1;
    /* job: date since format pid, one per line */
    char *save = NULL, *line = strtok_r(s, "\n", &save);
    for (int i = 0; line && i < 4; i++, line = strtok_r(NULL, "\n", &save)) {
        if (i == 0)
            str_cut(j->date, sizeof j->date, line);
        else if (i == 1)
            str_cut(j->since, sizeof j->since, strcmp(line, "-") ? line : "");
        else if (i == 2)
            str_cut(j->format, sizeof j->format, line);
        else
            j->pid = (int)strtol(line, NULL, 10);
    }
    free(s);
    snprintf(path, sizeof path, "%s/exit", j->dir);
    char *e = slurp(path, 64, &n);
    if (j->pid > 0)
        (void)waitpid(j->pid, NULL, WNOHANG); /* reaps our finished child; ECHILD for another's */
    if (e) {
        j->exit_code = (int)strtol(e, NULL, 10);
        j->state = j->exit_code == 0 ? JOB_DONE : JOB_FAILED;
        free(e);
    } else
        j->state = j->pid > 0 && kill(j->pid, 0) == 0 ? JOB_RUNNING : JOB_STOPPED;
    snprintf(path, sizeof path, "%s/progress.log", j->dir);
    char *log = slurp(path, 8u << 20, &n);
    if (log) {
        /* the last non-empty line; the last "N/M 人" of a progress line */
        char *end = log + n;
        while (end > log && (end[-1] == '\n' || end[-1] == '\r'))
            end--;
        char *start = end;
        while (start > log && start[-1] != '\n' && start[-1] != '\r')
            start--;
        *end = '\0';
        str_cut(j->last, sizeof j->last, start);
        for (char *p = log; (p = strstr(p, "% ")) != NULL; p += 2) {
            char *q;
            long long a = strtoll(p + 2, &q, 10);
            if (q > p + 2 && *q == '/') {
                long long b = strtoll(q + 1, &q, 10);
                if (b > 0) {
                    j->done = a;
                    j->total = b;
                }
            }
        }
        free(log);
    }
    return 0;
}

static int job_spawn(struct req *r, const struct job *j, const char *insurer)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    char out[4400], ins[8], env[48];
    snprintf(out, sizeof out, "%s/out.pdf", j->dir);
    str_cut(ins, sizeof ins, insurer);
    snprintf(env, sizeof env, "KAIGO_ACTOR_FOR=user:%lld", (long long)r->who.acct.id);
    char *argv[16];
    int k = 0;
    argv[k++] = exe;
    argv[k++] = "print";
    argv[k++] = (char *)kinds[j->kind].batch;
    argv[k++] = "--insurer";
    argv[k++] = ins;
    argv[k++] = "--date";
    argv[k++] = (char *)j->date;
    if (j->since[0]) {
        argv[k++] = "--changed-since";
        argv[k++] = (char *)j->since;
    }
    argv[k++] = "--format";
    argv[k++] = (char *)j->format;
    argv[k++] = out;
    argv[k++] = "--db";
    argv[k++] = (char *)srv_config->db;
    argv[k] = NULL;
    char path[4400];
    snprintf(path, sizeof path, "%s/exit", j->dir);
    unlink(path);
    int pid;
    if (spawn_job(j->dir, argv, env, &pid))
        return -1;
    char text[128];
    snprintf(text, sizeof text, "%s\n%s\n%s\n%d\n", j->date, j->since[0] ? j->since : "-", j->format, pid);
    snprintf(path, sizeof path, "%s/job", j->dir);
    return write_file(path, text);
}

static const char *state_name(const struct job *j)
{
    switch (j->state) {
    case JOB_RUNNING:
        return "印刷中";
    case JOB_DONE:
        return "完了";
    case JOB_FAILED:
        return "中断(エラー)";
    case JOB_STOPPED:
        return "中断";
    }
    return "";
}

static int by_name_desc(const void *a, const void *b)
{
    return strcmp(*(char *const *)b, *(char *const *)a);
}

int p_city_print(struct req *r)
{
    struct actor a;
    if (!clerk(r, &a))
        return 0;
    char root[4200];
    if (job_root(a.org_insurer, root, sizeof root))
        return page_error(r, 503, "印刷できません", "印刷の作業場所を作れませんでした。運用者に連絡してください。");
    struct buf h;
    page_start(r, &h, "印刷");
    if (MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "deleted"))
        page_alerts(&h, "印刷のファイルをサーバから消しました(交付の記録は残っています)。", NULL);
    char today[11];
    date_iso(date_today(), today);
    html_raw(&h, "<h1>印刷</h1><section class=\"panel\"><h2>一括印刷</h2><p>保険者の全員(または、ある日からあとに記録が変わった人)"
                 "の書類を1つの PDF に印刷します。交付は番号で記録され、同じ書類の前の番号は置き換えられます。途中で止まっても、"
                 "続きから印刷できます(印刷済みの人は飛ばします)。</p><form method=\"post\" action=\"/city/print\" class=\"step\">");
    page_csrf_field(r, &h);
    html_raw(&h, "<div><label for=\"pr-kind\">書類</label><select id=\"pr-kind\" name=\"kind\">");
    for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
        if (kinds[i].batch[0])
            html_markupf(&h, "<option value=\"%s\">%s</option>", kinds[i].batch, kinds[i].name);
    html_raw(&h, "</select></div><div><label for=\"pr-date\">内容の基準日</label><input type=\"date\" id=\"pr-date\" name=\"date\" "
                 "required value=\"");
    html_text(&h, today);
    html_raw(&h, "\" aria-describedby=\"pr-date-hint\"><span class=\"hint\" id=\"pr-date-hint\">その日に有効な内容で作ります。年次の負担"
                 "割合証は7月に8月1日で。</span></div><div><label for=\"pr-since\">この日からあとに記録が変わった人だけ(空欄は全員)"
                 "</label><input type=\"date\" id=\"pr-since\" name=\"since\"></div><div><label for=\"pr-format\">用紙</label><select "
                 "id=\"pr-format\" name=\"format\"><option value=\"a4\">A4</option><option value=\"card\">カード(被保険者証、三つ折り)"
                 "</option></select></div><div><button type=\"submit\">印刷を始める</button></div></form></section>");
    /* the insurer's jobs, newest first */
    DIR *d = opendir(root);
    char *names[200];
    size_t nn = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) && nn < ARRAY_LEN(names))
        if (job_id_ok(e->d_name, strlen(e->d_name)))
            names[nn++] = strdup(e->d_name);
    if (d)
        closedir(d);
    qsort(names, nn, sizeof names[0], by_name_desc);
    html_raw(&h, "<section class=\"panel\"><h2 id=\"jobs-h\">これまでの一括印刷</h2>");
    if (nn == 0)
        html_raw(&h, "<p>まだありません。</p>");
    else
        html_raw(&h, "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-labelledby=\"jobs-h\"><table id=\"jobs\" "
                     "class=\"stack\"><thead><tr><th scope=\"col\">開始</th><th scope=\"col\">書類</th><th scope=\"col\">状態</th>"
                     "<th scope=\"col\">進み具合</th></tr></thead><tbody>");
    for (size_t i = 0; i < nn; i++) {
        struct job j;
        if (names[i] && job_load(root, names[i], &j) == 0) {
            html_raw(&h, "<tr><td><a href=\"/city/print/");
            html_text(&h, j.id);
            html_raw(&h, "\">");
            html_textf(&h, "%.4s-%.2s-%.2s %.2s:%.2s", j.id, j.id + 4, j.id + 6, j.id + 9, j.id + 11);
            html_raw(&h, "</a></td><td>");
            html_text(&h, kinds[j.kind].name);
            html_raw(&h, "</td><td>");
            html_text(&h, state_name(&j));
            html_raw(&h, "</td><td>");
            if (j.total)
                html_textf(&h, "%lld / %lld 人", j.done, j.total);
            html_raw(&h, "</td></tr>");
        }
        free(names[i]);
    }
    if (nn)
        html_raw(&h, "</tbody></table></div>");
    html_raw(&h, "</section>");
    return page_send(r, &h, 200);
}

int p_city_print_post(struct req *r)
{
    struct actor a;
    if (!clerk(r, &a))
        return 0;
    struct job j;
    memset(&j, 0, sizeof j);
    j.kind = kind_of(form_str(r, "kind"), true);
    const char *date = form_str(r, "date"), *since = form_str(r, "since"), *format = form_str(r, "format"), *why;
    struct date d, s;
    if (j.kind < 0 || date_parse_any(date, strlen(date), &d, &why) || (since[0] && date_parse_any(since, strlen(since), &s, &why)) ||
        (strcmp(format, "a4") && strcmp(format, "card")) || (strcmp(format, "card") == 0 && j.kind != 0))
        return page_error(r, 422, "印刷を始められません", "書類・基準日・用紙を確かめてください(カード用紙は被保険者証だけです)。");
    date_iso(d, j.date);
    if (since[0])
        date_iso(s, j.since);
    str_cut(j.format, sizeof j.format, format);
    char root[4200];
    if (job_root(a.org_insurer, root, sizeof root))
        return page_error(r, 503, "印刷できません", "印刷の作業場所を作れませんでした。");
    struct date now = date_of_jst_ms(clock_now_ms());
    int64_t ms = clock_now_ms() + 9 * 3600 * 1000LL;
    int secs = (int)((ms / 1000) % 86400);
    snprintf(j.id, sizeof j.id, "%04d%02d%02d-%02d%02d%02d-%s", now.y, now.m, now.d, secs / 3600, secs / 60 % 60, secs % 60,
             kinds[j.kind].batch);
    snprintf(j.dir, sizeof j.dir, "%s/%s", root, j.id);
    if (mkdir(j.dir, 0700))
        return page_error(r, errno == EEXIST ? 409 : 503, "印刷を始められません",
                          errno == EEXIST ? "同じ時刻に始めた印刷があります。少し待ってからもう一度お試しください。"
                                          : "印刷の作業場所を作れませんでした。");
    if (job_spawn(r, &j, a.org_insurer))
        return page_error(r, 503, "印刷を始められません", "印刷の処理を起動できませんでした。");
    char loc[96];
    snprintf(loc, sizeof loc, "/city/print/%s", j.id);
    return page_redirect(r, loc);
}

/* job_param - the job of the path ({job}) under the clerk's insurer; -1 after answering */
static int job_param(struct req *r, const struct actor *a, struct job *j)
{
    char id[JOB_ID_BYTES], root[4200];
    if (r->params[0].len >= sizeof id || !job_id_ok(r->params[0].ptr, r->params[0].len)) {
        page_error(r, 404, "ページが見つかりません", "その印刷はありません。");
        return -1;
    }
    memcpy(id, r->params[0].ptr, r->params[0].len);
    id[r->params[0].len] = '\0';
    if (job_root(a->org_insurer, root, sizeof root) || job_load(root, id, j)) {
        page_error(r, 404, "ページが見つかりません", "その印刷はありません。");
        return -1;
    }
    return 0;
}

int p_city_print_job(struct req *r)
{
    struct actor a;
    struct job j;
    if (!clerk(r, &a) || job_param(r, &a, &j))
        return 0;
    struct buf h;
    page_start(r, &h, "一括印刷");
    html_raw(&h, "<h1>一括印刷: ");
    html_text(&h, kinds[j.kind].name);
    html_raw(&h, "</h1><dl class=\"items\"><dt>内容の基準日</dt><dd>");
    h_date(&h, j.date);
    html_raw(&h, "</dd><dt>対象</dt><dd>");
    if (j.since[0]) {
        h_date(&h, j.since);
        html_raw(&h, "からあとに記録が変わった人");
    } else
        html_raw(&h, "全員");
    html_raw(&h, "</dd><dt>状態</dt><dd id=\"job-state\">");
    html_text(&h, state_name(&j));
    html_raw(&h, "</dd></dl>");
    int pct = j.total ? (int)(j.done * 100 / j.total) : 0;
    html_raw(&h, "<p><label for=\"job-progress\">進み具合</label><progress id=\"job-progress\" max=\"100\" value=\"");
    html_textf(&h, "%d", j.state == JOB_DONE ? 100 : pct);
    html_raw(&h, "\">");
    html_textf(&h, "%d%%", j.state == JOB_DONE ? 100 : pct);
    html_raw(&h, "</progress> <span id=\"job-count\" role=\"status\">");
    if (j.total)
        html_textf(&h, "%lld / %lld 人(%d%%)", j.done, j.total, pct);
    else if (j.state == JOB_RUNNING)
        html_raw(&h, "対象の人を数えています…");
    html_raw(&h, "</span></p>");
    char sum[4400];
    snprintf(sum, sizeof sum, "%s/stdout.log", j.dir);
    size_t sn;
    char *said = j.state == JOB_DONE ? slurp(sum, 4096, &sn) : NULL;
    const char *line = said ? said : j.last;
    if (line[0]) {
        /* the command's own words: a file name is the server's, so only what follows it */
        const char *colon = said ? strstr(line, ".pdf: ") : NULL, *from = colon ? colon + 6 : line;
        const char *list = strstr(from, "一覧:");
        html_raw(&h, "<p class=\"hint\" id=\"job-said\">");
        html_textf(&h, "%.*s", (int)(list ? (size_t)(list - from) : strlen(from)), from);
        html_raw(&h, "</p>");
    }
    free(said);
    if (j.state == JOB_RUNNING)
        html_raw(&h, "<p data-refresh=\"2\">印刷しています。この画面は2秒ごとに新しくなります。<a href=\"\">いますぐ更新</a></p>");
    else if (j.state == JOB_DONE) {
        html_raw(&h, "<p><a class=\"button\" href=\"/city/print/");
        html_text(&h, j.id);
        html_raw(&h, "/pdf\" download>PDF をダウンロード</a> <a class=\"button secondary\" href=\"/city/print/");
        html_text(&h, j.id);
        html_raw(&h, "/list\" download>印刷した一覧(CSV)</a></p>");
        html_raw(&h, "<form method=\"post\" action=\"/city/print/");
        html_text(&h, j.id);
        html_raw(&h, "/delete\">");
        page_csrf_field(r, &h);
        html_raw(&h, "<p>印刷した PDF と一覧は、個人の情報を含むため、ダウンロードしたらサーバから消してください(交付の記録は残ります)。"
                     "</p><button type=\"submit\" class=\"secondary\">サーバのファイルを消す</button></form>");
    } else {
        page_alerts(&h, NULL, "印刷が途中で止まりました。続きから印刷できます(印刷済みの人は飛ばし、番号は重複しません)。");
        html_raw(&h, "<form method=\"post\" action=\"/city/print/");
        html_text(&h, j.id);
        html_raw(&h, "/resume\">");
        page_csrf_field(r, &h);
        html_raw(&h, "<button type=\"submit\">続きから印刷する</button></form>");
    }
    html_raw(&h, "<p><a href=\"/city/print\">印刷の一覧に戻る</a></p>");
    return page_send(r, &h, 200);
}

int p_city_print_resume(struct req *r)
{
    struct actor a;
    struct job j;
    if (!clerk(r, &a) || job_param(r, &a, &j))
        return 0;
    if (j.state == JOB_RUNNING || j.state == JOB_DONE)
        return page_error(r, 409, "続きはありません", j.state == JOB_DONE ? "この印刷は終わっています。" : "この印刷はまだ動いています。");
    if (job_spawn(r, &j, a.org_insurer))
        return page_error(r, 503, "印刷を始められません", "印刷の処理を起動できませんでした。");
    char loc[96];
    snprintf(loc, sizeof loc, "/city/print/%s", j.id);
    return page_redirect(r, loc);
}

int p_city_print_delete(struct req *r)
{
    struct actor a;
    struct job j;
    if (!clerk(r, &a) || job_param(r, &a, &j))
        return 0;
    if (j.state == JOB_RUNNING)
        return page_error(r, 409, "消せません", "この印刷はまだ動いています。終わってから消してください。");
    /* the job's own files, by name: the PDF (and parts of a stopped run), its list, its logs; then the directory */
    DIR *d = opendir(j.dir);
    struct dirent *e;
    char path[4400];
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.' && (size_t)snprintf(path, sizeof path, "%s/%s", j.dir, e->d_name) < sizeof path)
            unlink(path);
    if (d)
        closedir(d);
    if (rmdir(j.dir))
        return page_error(r, 500, "消せませんでした", "ファイルを消せませんでした。運用者に連絡してください。");
    return page_redirect(r, "/city/print?deleted=1");
}

static int send_file(struct req *r, const struct job *j, const char *file, const char *ctype, const char *name)
{
    char path[4400], disp[128];
    snprintf(path, sizeof path, "%s/%s", j->dir, file);
    size_t n;
    char *body = j->state == JOB_DONE ? slurp(path, PRINT_PDF_MAX, &n) : NULL;
    if (!body)
        return page_error(r, 404, "ファイルがありません", "印刷が終わっていないか、ファイルがありません。");
    snprintf(disp, sizeof disp, "attachment; filename=\"%s-%s\"", j->id, name);
    return respond_raw(r, 200, ctype, body, n, "Content-Disposition", disp);
}

int p_city_print_pdf(struct req *r)
{
    struct actor a;
    struct job j;
    if (!clerk(r, &a) || job_param(r, &a, &j))
        return 0;
    return send_file(r, &j, "out.pdf", "application/pdf", "out.pdf");
}

int p_city_print_list(struct req *r)
{
    struct actor a;
    struct job j;
    if (!clerk(r, &a) || job_param(r, &a, &j))
        return 0;
    return send_file(r, &j, "out.pdf.csv", "text/csv; charset=utf-8", "list.csv");
}

/* ---- one document again (再交付) ---------------------------------------------------------------------------- */

void city_print_form(struct req *r, struct buf *h)
{
    struct actor a;
    principal_actor(&r->who, NULL, &a);
    if (a.role != ROLE_INSURER || !r->params[0].len || !r->params[1].len)
        return;
    html_raw(h, "<section class=\"panel\"><h2>書類を印刷する(交付・再交付)</h2><p>新しい番号で交付します。前に交付した同じ書類は"
                "置き換えられ、その QR コードを確かめると「再交付により置き換えられています」と表示されます。</p><form method=\"post\" class=\"step\" "
                "action=\"/city/print/");
    html_textf(h, "%.*s/%.*s", (int)r->params[0].len, r->params[0].ptr, (int)r->params[1].len, r->params[1].ptr);
    html_raw(h, "\">");
    page_csrf_field(r, h);
    html_raw(h, "<div><label for=\"one-kind\">書類</label><select id=\"one-kind\" name=\"kind\">");
    for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
        if (kinds[i].batch[0])
            html_markupf(h, "<option value=\"%s\">%s</option>", kinds[i].single, kinds[i].name);
    html_raw(h, "</select></div><div><button type=\"submit\">PDF を作る</button></div></form></section>");
}

void city_access_print_form(struct req *r, struct buf *h)
{
    struct actor a;
    principal_actor(&r->who, NULL, &a);
    if (a.role != ROLE_INSURER || !r->params[0].len || !r->params[1].len)
        return;
    html_raw(h, "<section class=\"panel\"><h2>開示請求への回答</h2><p>本人(または代理人)から閲覧記録の開示を求められたときは、"
                "署名付き QR の入った「閲覧記録のお知らせ」を印刷して渡します。印刷も記録に残ります。</p><form method=\"post\" "
                "class=\"step\" action=\"/city/print/");
    html_textf(h, "%.*s/%.*s", (int)r->params[0].len, r->params[0].ptr, (int)r->params[1].len, r->params[1].ptr);
    html_raw(h, "\">");
    page_csrf_field(r, h);
    html_raw(h, "<input type=\"hidden\" name=\"kind\" value=\"access\"><button type=\"submit\">閲覧記録のお知らせを印刷する"
                "</button></form></section>");
}

int p_city_print_one(struct req *r)
{
    struct actor a;
    struct person_key k;
    if (!clerk(r, &a) || person_param(r, &k))
        return 0;
    if (strcmp(k.insurer_no, a.org_insurer) != 0)
        return page_error(r, 404, "表示できる情報がありません", "該当する被保険者が見つかりません。");
    int kind = kind_of(form_str(r, "kind"), false);
    if (kind < 0)
        return page_error(r, 422, "印刷できません", "書類を選んでください。");
    char app[APP_ID_BYTES] = "";
    bool postpone = strcmp(kinds[kind].single, "postpone") == 0;
    if (postpone && (str_copy(app, sizeof app, form_str(r, "app")) || !app[0] || strspn(app, "A0123456789-") != strlen(app)))
        return page_error(r, 422, "印刷できません", "申請を選び直してください。");
    char root[4200];
    if (job_root(a.org_insurer, root, sizeof root))
        return page_error(r, 503, "印刷できません", "印刷の作業場所を作れませんでした。");
    char dir[4300], out[4400], person[24], exe[4096], env[48];
    snprintf(dir, sizeof dir, "%s/one-%s-%s", root, k.insured_no, r->request_id);
    if (mkdir(dir, 0700))
        return page_error(r, 503, "印刷できません", "印刷の作業場所を作れませんでした。");
    snprintf(out, sizeof out, "%s/out.pdf", dir);
    snprintf(person, sizeof person, "%s/%s", k.insurer_no, k.insured_no);
    snprintf(env, sizeof env, "KAIGO_ACTOR_FOR=user:%lld", (long long)r->who.acct.id);
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    int pid = -1, status = -1;
    if (n > 0) {
        exe[n] = '\0';
        char *argv[] = {exe, "print", (char *)kinds[kind].single, "--person", person, out, "--db", (char *)srv_config->db,
                        postpone ? "--app" : NULL, app, NULL};
        if (spawn_job(dir, argv, env, &pid) == 0)
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
    }
    size_t len = 0;
    char *body = status == 0 ? slurp(out, 64u << 20, &len) : NULL;
    char path[4500];
    const char *files[] = {"out.pdf", "out.pdf.csv", "stdout.log", "progress.log", "exit"};
    char *err = NULL;
    if (!body) {
        snprintf(path, sizeof path, "%s/progress.log", dir);
        size_t m;
        err = slurp(path, 4096, &m);
    }
    for (size_t i = 0; i < ARRAY_LEN(files); i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
    if (!body) {
        char msg[600];
        snprintf(msg, sizeof msg, "印刷できませんでした。%s", err ? err : "");
        free(err);
        return page_error(r, 422, "印刷できません", msg);
    }
    char disp[96];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s-%s.pdf\"", kinds[kind].single, k.insured_no);
    return respond_raw(r, 200, "application/pdf", body, len, "Content-Disposition", disp);
}
