/*
 * page_audit.c - the municipal clerk's oversight pages (issue #19 §1): 事後確認 of break-glass accesses (緊急時アクセス,
 * each reviewed with a note) and of 担当事業所 registered by a paper 被保険者証 in the last 90 days; and the state of the
 * insurer's audit log (entries, the last signed checkpoint) with a verification run from the page (`kaigo audit verify
 * --insurer`, the same check as the command line: every entry's hash, the Merkle tree and each checkpoint's signature).
 *
 * SECURITY: the insurer's staff with the "review" permission for 事後確認 (as the API), any of its staff for the log's
 * state; only their insurer. The lists name persons by number only (no personal record is read). Failure: 403, 500.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "http/page.h"
#include "store/access.h"
#include "util/spawn.h"
#include "util/text.h"
#include "util/banned.h"

#define PAPER_REG_REVIEW_MS (90LL * 24 * 3600 * 1000)

static bool reviewer(struct req *r, struct actor *a)
{
    principal_actor(&r->who, NULL, a);
    if (a->role == ROLE_INSURER && r->who.kind == P_SESSION && strstr(r->who.acct.perms, "review"))
        return true;
    page_error(r, 403, "表示できません", "事後確認は、市町村の確認権限を持つ職員のページです。");
    return false;
}

/* person_cell - the person's number, linked to their access log */
static void person_cell(struct buf *h, const struct person_key *k)
{
    html_raw(h, "<tr><td><a href=\"/p/");
    html_text(h, k->insurer_no);
    html_raw(h, "/");
    html_text(h, k->insured_no);
    html_raw(h, "/access\">");
    html_text(h, k->insured_no);
    html_raw(h, "</a></td><td>");
}

static int bg_row(void *ctx, const struct breakglass_row *b)
{
    struct req *r = ((void **)ctx)[0];
    struct buf *h = ((void **)ctx)[1];
    int *n = ((void **)ctx)[2];
    person_cell(h, &b->person);
    html_text(h, b->org);
    html_raw(h, "<br>");
    html_text(h, b->g.account);
    html_raw(h, "</td><td>");
    h_date_ms(h, b->g.started_ms, true);
    html_raw(h, "〜");
    h_date_ms(h, b->g.expires_ms, true);
    html_raw(h, "</td><td>");
    html_text(h, b->reason);
    html_raw(h, "</td><td><form method=\"post\" class=\"step\" action=\"/city/reviews/");
    html_textf(h, "%lld", (long long)b->g.id);
    html_raw(h, "/close\">");
    page_csrf_field(r, h);
    html_markupf(h, "<div><label for=\"note-%lld\">確認の結果</label><input type=\"text\" id=\"note-%lld\" name=\"note\" required>"
                    "</div><div><button type=\"submit\">確認済みにする</button></div></form></td></tr>",
                 (long long)b->g.id, (long long)b->g.id);
    (*n)++;
    return 0;
}

static int paper_row(void *ctx, const struct paper_reg_row *x)
{
    struct buf *h = ((void **)ctx)[1];
    int *n = ((void **)ctx)[2];
    person_cell(h, &x->person);
    html_text(h, x->org_name);
    html_raw(h, "</td><td>");
    h_date_ms(h, x->started_ms, true);
    html_raw(h, "</td><td>");
    html_text(h, x->evidence);
    html_raw(h, x->ended_ms ? "(終了)" : "");
    html_raw(h, "</td></tr>");
    (*n)++;
    return 0;
}

int p_city_reviews(struct req *r)
{
    struct actor a;
    if (!reviewer(r, &a))
        return 0;
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    struct buf bg, pr;
    buf_init(&bg, 4u << 20);
    buf_init(&pr, 4u << 20);
    int nbg = 0, npr = 0;
    void *cb[3] = {r, &bg, &nbg}, *cp[3] = {r, &pr, &npr};
    if (st->acc->breakglass_reviews(st, a.org_insurer, true, bg_row, cb) ||
        st->acc->paper_registrations(st, a.org_insurer, clock_now_ms() - PAPER_REG_REVIEW_MS, paper_row, cp)) {
        buf_release(&bg);
        buf_release(&pr);
        return page_error(r, 500, "内部エラー", "事後確認の一覧を読めませんでした。");
    }
    struct buf h;
    page_start(r, &h, "事後確認");
    html_raw(&h, "<h1>事後確認</h1>");
    const char *done = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "done");
    if (done)
        page_alerts(&h, "確認済みにしました。", NULL);
    html_raw(&h, "<section class=\"panel\"><h2 id=\"bg-h\">緊急時アクセス(未確認)</h2><p>本人の同意なしに緊急時アクセスで見られた"
                 "記録です。理由が妥当か確かめ、結果を残してください。本人の「だれが見たか」にも表示されています。</p>");
    if (nbg == 0)
        html_raw(&h, "<p role=\"status\">未確認の緊急時アクセスはありません。</p>");
    else {
        html_raw(&h, "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-labelledby=\"bg-h\"><table id=\"breakglass\" "
                     "class=\"stack\"><thead><tr><th scope=\"col\">被保険者番号</th><th scope=\"col\">組織・利用者</th><th "
                     "scope=\"col\">期間</th><th scope=\"col\">理由</th><th scope=\"col\">確認</th></tr></thead><tbody>");
        buf_add(&h, bg.ptr, bg.len);
        html_raw(&h, "</tbody></table></div>");
    }
    html_raw(&h, "</section><section class=\"panel\"><h2 id=\"paper-h\">紙の被保険者証による担当事業所の登録(90日)</h2><p>本人からの"
                 "コードなしに、紙の証の QR と目視の本人確認で登録された担当事業所です。</p>");
    if (npr == 0)
        html_raw(&h, "<p role=\"status\">ありません。</p>");
    else {
        html_raw(&h, "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-labelledby=\"paper-h\"><table id=\"paper-regs\" "
                     "class=\"stack\"><thead><tr><th scope=\"col\">被保険者番号</th><th scope=\"col\">事業所</th><th scope=\"col\">"
                     "登録日時</th><th scope=\"col\">本人確認</th></tr></thead><tbody>");
        buf_add(&h, pr.ptr, pr.len);
        html_raw(&h, "</tbody></table></div>");
    }
    html_raw(&h, "</section>");
    buf_release(&bg);
    buf_release(&pr);
    return page_send(r, &h, 200);
}

int p_city_review_close(struct req *r)
{
    struct actor a;
    if (!reviewer(r, &a))
        return 0;
    char *end;
    long long id = strtoll(r->params[0].ptr, &end, 10);
    const char *note = form_str(r, "note");
    if (!note[0])
        return page_error(r, 422, "記録できません", "確認の結果を入力してください。");
    struct store *st = store_or_503(r);
    if (!st)
        return 0;
    char n[TEXT_BYTES];
    str_cut(n, sizeof n, note);
    int rc = id > 0 && end == r->params[0].ptr + r->params[0].len
                 ? st->acc->breakglass_close(st, a.org_insurer, id, a.id, n, clock_now_ms())
                 : STORE_NOTFOUND;
    if (rc < 0)
        return page_error(r, 500, "内部エラー", "記録できませんでした。");
    if (rc)
        return page_error(r, 404, "ページが見つかりません", "該当する確認項目がありません。");
    return page_redirect(r, "/city/reviews?done=1");
}

/* ---- 監査ログ -------------------------------------------------------------------------------------------- */

static int last_ckpt(void *ctx, const struct audit_checkpoint *c)
{
    *(struct audit_checkpoint *)ctx = *c;
    return 0;
}

int p_city_audit(struct req *r)
{
    struct actor a;
    struct store *st = city_clerk(r, &a, "監査ログの状態");
    if (!st)
        return 0;
    int64_t head = 0;
    struct audit_checkpoint c;
    memset(&c, 0, sizeof c);
    if (st->ops->audit_head_seq(st, a.org_insurer, &head) || st->ops->audit_checkpoints(st, a.org_insurer, last_ckpt, &c))
        return page_error(r, 500, "内部エラー", "監査ログを読めませんでした。");
    struct buf h;
    page_start(r, &h, "監査ログ");
    html_raw(&h, "<h1>監査ログ</h1><p>だれが・いつ・だれの・何を見たか(拒否も)のすべての記録です。記録はハッシュでつながれ(Merkle 木)、"
                 "一定件数・時間ごとに保険者の鍵で署名されます。改ざん・削除・差し込みがあれば検証で見つかります。</p>"
                 "<dl class=\"items\" id=\"audit-state\"><dt>記録の件数</dt><dd>");
    h_num(&h, head);
    html_raw(&h, " 件</dd><dt>最後の署名済みチェックポイント</dt><dd>");
    if (c.size) {
        h_num(&h, c.size);
        html_raw(&h, " 件まで(");
        h_date_ms(&h, c.time_ms, true);
        html_raw(&h, ")");
    } else
        html_raw(&h, "まだありません");
    html_raw(&h, "</dd></dl>");
    const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "verified");
    if (v)
        page_alerts(&h, strcmp(v, "ok") == 0 ? "検証しました: 改ざんは見つかりませんでした。" : NULL,
                    strcmp(v, "ok") == 0 ? NULL : "検証で問題が見つかりました。運用者に連絡してください(kaigo audit verify の結果を確かめます)。");
    html_raw(&h, "<form method=\"post\" action=\"/city/audit/verify\">");
    page_csrf_field(r, &h);
    html_raw(&h, "<button type=\"submit\">いま検証する</button> <span class=\"hint\">すべての記録のハッシュ・木・署名を計算し直します"
                 "(件数が多いと時間がかかります)。</span></form>");
    return page_send(r, &h, 200);
}

int p_city_audit_verify(struct req *r)
{
    struct actor a;
    principal_actor(&r->who, NULL, &a);
    if (a.role != ROLE_INSURER)
        return page_error(r, 403, "検証できません", "監査ログの検証は市町村(保険者)の職員が行います。");
    char exe[4096], ins[8], dir[4200];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0 || store_side_path(srv_config->db, ".print", dir, sizeof dir) ||
        (mkdir(dir, 0700) && errno != EEXIST))
        return page_error(r, 503, "検証できません", "検証を起動できませんでした。");
    exe[n] = '\0';
    size_t dl = strlen(dir);
    snprintf(dir + dl, sizeof dir - dl, "/verify-%s", r->request_id);
    if (mkdir(dir, 0700))
        return page_error(r, 503, "検証できません", "検証を起動できませんでした。");
    str_cut(ins, sizeof ins, a.org_insurer);
    char *argv[] = {exe, "audit", "verify", "--insurer", ins, "--db", (char *)srv_config->db, NULL};
    int pid, status = -1;
    if (spawn_job(dir, argv, NULL, &pid) == 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    char path[4400];
    int code = -1;
    snprintf(path, sizeof path, "%s/exit", dir);
    FILE *f = status == 0 ? fopen(path, "r") : NULL;
    if (f) {
        if (fscanf(f, "%d", &code) != 1)
            code = -1;
        fclose(f);
    }
    const char *files[] = {"exit", "stdout.log", "progress.log"};
    for (size_t i = 0; i < ARRAY_LEN(files); i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
    return page_redirect(r, code == 0 ? "/city/audit?verified=ok" : "/city/audit?verified=ng");
}
